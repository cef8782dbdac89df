-- plan: metrics responses
-- step: m_surveys aggregates responses
WITH m_surveys AS (
  SELECT
    d_agent,
    __period,
    COUNT(*) AS m__responses
  FROM (
    SELECT
      x.*,
      COALESCE(x.agent_id, cl.agent_id) AS d_agent,
      CAST(DATE_TRUNC('MONTH', TIMESTAMP_MICROS(UNIX_MICROS(x.answered_at) + 25200000000)) AS DATE) AS __period
    FROM surveys AS x
    LEFT JOIN calls AS cl
      ON cl.call_id = x.call_id
    WHERE
      x.answered_at >= CAST('2025-12-31 17:00:00' AS TIMESTAMP)
      AND x.answered_at < CAST('2026-03-31 17:00:00' AS TIMESTAMP)
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_surveys.d_agent AS STRING) AS `agent`,
  CAST(m_surveys.__period AS STRING) AS `period`,
  COALESCE(m_surveys.m__responses, 0) AS `responses`
FROM m_surveys
ORDER BY
  1 NULLS LAST,
  2 NULLS LAST
