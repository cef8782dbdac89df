-- plan: metrics calls_per_hour
-- step: m_calls aggregates agent_calls
-- step: m_agent_states aggregates logged_in_s
-- step: k holds every key any model produced
WITH m_calls AS (
  SELECT
    d_agent,
    __period,
    COUNT(CASE WHEN NOT agent_id IS NULL THEN 1 END) AS m__agent_calls
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
), m_agent_states AS (
  SELECT
    d_agent,
    __period,
    SUM(
      CASE
        WHEN state <> 'offline'
        THEN UNIX_MICROS(ended_at) / 1000000.0 - UNIX_MICROS(started_at) / 1000000.0
      END
    ) AS m__logged_in_s
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
), k AS (
  SELECT
    d_agent,
    __period
  FROM m_calls
  UNION
  SELECT
    d_agent,
    __period
  FROM m_agent_states
)
SELECT
  CAST(k.d_agent AS STRING) AS `agent`,
  CAST(k.__period AS STRING) AS `period`,
  CAST(COALESCE(m_calls.m__agent_calls, 0) AS DOUBLE) / NULLIF(
    (
      CAST(COALESCE(m_agent_states.m__logged_in_s, 0) AS DOUBLE) / NULLIF(3600.0, 0)
    ),
    0
  ) AS `calls_per_hour`
FROM k
LEFT JOIN m_calls
  ON m_calls.d_agent IS NOT DISTINCT FROM k.d_agent
  AND m_calls.__period IS NOT DISTINCT FROM k.__period
LEFT JOIN m_agent_states
  ON m_agent_states.d_agent IS NOT DISTINCT FROM k.d_agent
  AND m_agent_states.__period IS NOT DISTINCT FROM k.__period
ORDER BY
  1 NULLS LAST,
  2 NULLS LAST
