-- plan: metrics calls_per_hour
-- step: m_calls aggregates agent_calls
-- step: m_agent_states aggregates logged_in_s
-- step: k holds every key any model produced
WITH m_calls AS (
  SELECT d_agent, __period, count(*) FILTER (WHERE agent_id IS NOT NULL) AS m__agent_calls
  FROM (
    SELECT x.*, x.agent_id AS d_agent, CAST(date_trunc('month', make_timestamp(epoch_us(x.started_at) + 25200000000)) AS DATE) AS __period
    FROM calls x
    WHERE x.started_at >= TIMESTAMPTZ '2025-12-31 17:00:00+00' AND x.started_at < TIMESTAMPTZ '2026-03-31 17:00:00+00'
  ) x
  GROUP BY d_agent, __period
),
m_agent_states AS (
  SELECT d_agent, __period, sum(epoch(ended_at) - epoch(started_at)) FILTER (WHERE state <> 'offline') AS m__logged_in_s
  FROM (
    SELECT x.*, x.agent_id AS d_agent, CAST(date_trunc('month', make_timestamp(epoch_us(x.started_at) + 25200000000)) AS DATE) AS __period
    FROM agent_states x
    WHERE x.started_at >= TIMESTAMPTZ '2025-12-31 17:00:00+00' AND x.started_at < TIMESTAMPTZ '2026-03-31 17:00:00+00'
  ) x
  GROUP BY d_agent, __period
),
k AS (
  SELECT d_agent, __period FROM m_calls
  UNION
  SELECT d_agent, __period FROM m_agent_states
)
SELECT CAST(k.d_agent AS VARCHAR) AS "agent", CAST(k.__period AS VARCHAR) AS "period", CAST(coalesce(m_calls.m__agent_calls, 0) AS DOUBLE) / nullif((CAST(coalesce(m_agent_states.m__logged_in_s, 0) AS DOUBLE) / nullif(3600.0, 0)), 0) AS "calls_per_hour"
FROM k
  LEFT JOIN m_calls ON m_calls.d_agent IS NOT DISTINCT FROM k.d_agent AND m_calls.__period IS NOT DISTINCT FROM k.__period
  LEFT JOIN m_agent_states ON m_agent_states.d_agent IS NOT DISTINCT FROM k.d_agent AND m_agent_states.__period IS NOT DISTINCT FROM k.__period
ORDER BY 1 NULLS LAST, 2 NULLS LAST
