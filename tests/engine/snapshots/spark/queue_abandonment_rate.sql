-- plan: metrics queue_abandonment_rate
-- step: m_calls aggregates inbound_abandoned, offered_less_short_abandons
WITH m_calls AS (
  SELECT
    d_campaign,
    __period,
    COUNT(
      CASE
        WHEN direction = 'inbound'
        AND (
          NOT queued_at IS NULL OR NOT queue IS NULL
        )
        AND status = 'abandoned'
        AND NOT COALESCE(wait_s < 0.0, FALSE)
        THEN 1
      END
    ) AS m__inbound_abandoned,
    COUNT(
      CASE
        WHEN direction = 'inbound'
        AND (
          NOT queued_at IS NULL OR NOT queue IS NULL
        )
        AND NOT COALESCE(status = 'abandoned' AND wait_s < 0.0, FALSE)
        THEN 1
      END
    ) AS m__offered_less_short_abandons
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
  CAST(COALESCE(m_calls.m__inbound_abandoned, 0) AS DOUBLE) / NULLIF(COALESCE(m_calls.m__offered_less_short_abandons, 0), 0) AS `queue_abandonment_rate`
FROM m_calls
ORDER BY
  1 NULLS LAST,
  2 NULLS LAST
