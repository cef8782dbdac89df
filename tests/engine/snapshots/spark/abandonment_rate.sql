-- plan: metrics abandonment_rate
-- step: m_calls aggregates abandoned_calls, calls
WITH m_calls AS (
  SELECT
    d_campaign,
    __period,
    COUNT(CASE WHEN status = 'abandoned' THEN 1 END) AS m__abandoned_calls,
    COUNT(*) AS m__calls
  FROM (
    SELECT
      x.*,
      x.campaign_id AS d_campaign,
      CAST(DATE_TRUNC('MONTH', TIMESTAMP_MICROS(UNIX_MICROS(x.started_at) + 25200000000)) AS DATE) AS __period
    FROM calls AS x
    WHERE
      x.started_at >= CAST('2025-12-31 17:00:00' AS TIMESTAMP)
      AND x.started_at < CAST('2026-03-31 17:00:00' AS TIMESTAMP)
  ) AS x
  GROUP BY
    d_campaign,
    __period
)
SELECT
  CAST(m_calls.d_campaign AS STRING) AS `campaign`,
  CAST(m_calls.__period AS STRING) AS `period`,
  CAST(COALESCE(m_calls.m__abandoned_calls, 0) AS DOUBLE) / NULLIF(COALESCE(m_calls.m__calls, 0), 0) AS `abandonment_rate`
FROM m_calls
ORDER BY
  1 NULLS LAST,
  2 NULLS LAST
