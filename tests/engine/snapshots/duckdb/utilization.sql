-- plan: metrics utilization
-- step: m_agent_states aggregates busy_s, logged_in_s
WITH m_agent_states AS (
  SELECT d_agent, __period, sum(epoch(ended_at) - epoch(started_at)) FILTER (WHERE state IN ('on_call', 'wrap')) AS m__busy_s, sum(epoch(ended_at) - epoch(started_at)) FILTER (WHERE state <> 'offline') AS m__logged_in_s
  FROM (
    SELECT x.*, x.agent_id AS d_agent, CAST(date_trunc('month', make_timestamp(epoch_us(x.started_at) + 25200000000)) AS DATE) AS __period
    FROM agent_states x
    WHERE x.started_at >= TIMESTAMPTZ '2025-12-31 17:00:00+00' AND x.started_at < TIMESTAMPTZ '2026-03-31 17:00:00+00'
  ) x
  GROUP BY d_agent, __period
)
SELECT CAST(m_agent_states.d_agent AS VARCHAR) AS "agent", CAST(m_agent_states.__period AS VARCHAR) AS "period", CAST(coalesce(m_agent_states.m__busy_s, 0) AS DOUBLE) / nullif(coalesce(m_agent_states.m__logged_in_s, 0), 0) AS "utilization"
FROM m_agent_states
ORDER BY 1 NULLS LAST, 2 NULLS LAST
