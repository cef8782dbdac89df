-- plan: metrics abandonment_rate
-- step: m_calls aggregates abandoned_calls, calls
WITH m_calls AS (
  SELECT d_agent, __period, count(*) FILTER (WHERE status = 'abandoned') AS m__abandoned_calls, count(*) AS m__calls
  FROM (
    SELECT x.*, x.agent_id AS d_agent, CAST(date_trunc('month', make_timestamp(epoch_us(x.started_at) + 25200000000)) AS DATE) AS __period
    FROM calls x
    WHERE x.started_at >= TIMESTAMPTZ '2025-12-31 17:00:00+00' AND x.started_at < TIMESTAMPTZ '2026-03-31 17:00:00+00'
  ) x
  GROUP BY d_agent, __period
)
SELECT CAST(m_calls.d_agent AS VARCHAR) AS "agent", CAST(m_calls.__period AS VARCHAR) AS "period", CAST(coalesce(m_calls.m__abandoned_calls, 0) AS DOUBLE) / nullif(coalesce(m_calls.m__calls, 0), 0) AS "abandonment_rate"
FROM m_calls
ORDER BY 1 NULLS LAST, 2 NULLS LAST
