-- plan: metrics pause_time
-- step: m_agent_states aggregates pause_s
WITH m_agent_states AS (
  SELECT
    d_agent,
    __period,
    SUM(
      CASE
        WHEN state = 'pause'
        THEN UNIX_MICROS(ended_at) / 1000000.0 - UNIX_MICROS(started_at) / 1000000.0
      END
    ) AS m__pause_s
  FROM (
    SELECT
      x.*,
      x.agent_id AS d_agent,
      CAST(DATE_TRUNC('MONTH', TIMESTAMP_MICROS(UNIX_MICROS(x.started_at) + 25200000000)) AS DATE) AS __period
    FROM agent_states AS x
    WHERE
      x.started_at >= CAST('2025-12-31 17:00:00' AS TIMESTAMP)
      AND x.started_at < CAST('2026-03-31 17:00:00' AS TIMESTAMP)
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_agent_states.d_agent AS STRING) AS `agent`,
  CAST(m_agent_states.__period AS STRING) AS `period`,
  COALESCE(m_agent_states.m__pause_s, 0) AS `pause_time`
FROM m_agent_states
ORDER BY
  1 NULLS LAST,
  2 NULLS LAST
