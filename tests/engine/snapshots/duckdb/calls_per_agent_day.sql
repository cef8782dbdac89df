-- plan: metrics calls_per_agent_day
-- step: m_calls aggregates agent_calls, agent_days
WITH m_calls AS (
  SELECT d_agent, __period, count(*) FILTER (WHERE agent_id IS NOT NULL) AS m__agent_calls, count(DISTINCT agent_id || '|' || CAST(CAST(make_timestamp(epoch_us(started_at) + 25200000000) AS DATE) AS VARCHAR)) FILTER (WHERE agent_id IS NOT NULL) AS m__agent_days
  FROM (
    SELECT x.*, x.agent_id AS d_agent, CAST(date_trunc('month', make_timestamp(epoch_us(x.started_at) + 25200000000)) AS DATE) AS __period
    FROM calls x
    WHERE x.started_at >= TIMESTAMPTZ '2025-12-31 17:00:00+00' AND x.started_at < TIMESTAMPTZ '2026-03-31 17:00:00+00'
  ) x
  GROUP BY d_agent, __period
)
SELECT CAST(m_calls.d_agent AS VARCHAR) AS "agent", CAST(m_calls.__period AS VARCHAR) AS "period", CAST(coalesce(m_calls.m__agent_calls, 0) AS DOUBLE) / nullif(coalesce(m_calls.m__agent_days, 0), 0) AS "calls_per_agent_day"
FROM m_calls
ORDER BY 1 NULLS LAST, 2 NULLS LAST
