-- plan: metrics poor_quality_rate
-- step: m_calls aggregates poor_mos_calls, mos_calls
WITH m_calls AS (
  SELECT
    d_agent,
    __period,
    COUNT(CASE WHEN mos < 3.5 THEN 1 END) AS m__poor_mos_calls,
    COUNT(CASE WHEN NOT mos IS NULL THEN 1 END) AS m__mos_calls
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
  CAST(COALESCE(m_calls.m__poor_mos_calls, 0) AS DOUBLE) / NULLIF(COALESCE(m_calls.m__mos_calls, 0), 0) AS `poor_quality_rate`
FROM m_calls
ORDER BY
  1 NULLS LAST,
  2 NULLS LAST
