-- plan: metrics calls_per_agent_day
-- step: m_calls aggregates agent_calls, agent_days
WITH m_calls AS (
  SELECT
    d_agent,
    __period,
    COUNT(CASE WHEN NOT agent_id IS NULL THEN 1 END) AS m__agent_calls,
    COUNT(
      DISTINCT CASE
        WHEN NOT agent_id IS NULL
        THEN agent_id || '|' || CAST(CAST(TIMESTAMP_MICROS(UNIX_MICROS(started_at) + 25200000000) AS DATE) AS STRING)
      END
    ) AS m__agent_days
  FROM (
    SELECT
      x.*,
      x.agent_id AS d_agent,
      CAST(DATE_TRUNC('MONTH', TIMESTAMP_MICROS(UNIX_MICROS(x.started_at) + 25200000000)) AS DATE) AS __period
    FROM calls AS x
    WHERE
      x.started_at >= CAST('2025-12-31 17:00:00' AS TIMESTAMP)
      AND x.started_at < CAST('2026-03-31 17:00:00' AS TIMESTAMP)
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_calls.d_agent AS STRING) AS `agent`,
  CAST(m_calls.__period AS STRING) AS `period`,
  CAST(COALESCE(m_calls.m__agent_calls, 0) AS DOUBLE) / NULLIF(COALESCE(m_calls.m__agent_days, 0), 0) AS `calls_per_agent_day`
FROM m_calls
ORDER BY
  1 NULLS LAST,
  2 NULLS LAST
