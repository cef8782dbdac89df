-- plan: metrics shrinkage
-- step: m_agent_states aggregates pause_s, logged_in_s
WITH m_agent_states AS (
  SELECT
    d_agent,
    __period,
    SUM(EPOCH(ended_at) - EPOCH(started_at)) FILTER(WHERE
      state = 'pause') AS m__pause_s,
    SUM(EPOCH(ended_at) - EPOCH(started_at)) FILTER(WHERE
      state <> 'offline') AS m__logged_in_s
  FROM (
    SELECT
      x.*,
      x.agent_id AS d_agent,
      CAST(DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US(x.started_at) + 25200000000)) AS DATE) AS __period
    FROM agent_states AS x
    WHERE
      x.started_at >= CAST('2025-12-31 17:00:00+00' AS TIMESTAMPTZ)
      AND x.started_at < CAST('2026-03-31 17:00:00+00' AS TIMESTAMPTZ)
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_agent_states.d_agent AS TEXT) AS "agent",
  CAST(m_agent_states.__period AS TEXT) AS "period",
  CAST(COALESCE(m_agent_states.m__pause_s, 0) AS DOUBLE) / NULLIF(COALESCE(m_agent_states.m__logged_in_s, 0), 0) AS "shrinkage"
FROM m_agent_states
ORDER BY
  1,
  2
