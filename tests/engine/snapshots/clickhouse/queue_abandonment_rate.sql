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
          NOT (
            queued_at IS NULL
          ) OR NOT (
            queue IS NULL
          )
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
          NOT (
            queued_at IS NULL
          ) OR NOT (
            queue IS NULL
          )
        )
        AND NOT COALESCE(status = 'abandoned' AND wait_s < 0.0, FALSE)
        THEN 1
      END
    ) AS m__offered_less_short_abandons
  FROM (
    SELECT
      x.*,
      x.campaign_id AS d_campaign,
      CAST(dateTrunc(
        'MONTH',
        fromUnixTimestamp64Micro(
          CAST(toUnixTimestamp64Micro(toDateTime64(x.started_at, 6)) + 25200000000 AS Nullable(Int64))
        )
      ) AS Nullable(DATE)) AS __period
    FROM calls AS x
    WHERE
      x.started_at >= toDateTime64('2025-12-31 17:00:00', 6, 'UTC')
      AND x.started_at < toDateTime64('2026-03-31 17:00:00', 6, 'UTC')
  ) AS x
  GROUP BY
    d_campaign,
    __period
)
SELECT
  CAST(m_calls.d_campaign AS Nullable(String)) AS "campaign",
  CAST(m_calls.__period AS Nullable(String)) AS "period",
  CAST(COALESCE(m_calls.m__inbound_abandoned, 0) AS Nullable(Float64)) / nullIf(COALESCE(m_calls.m__offered_less_short_abandons, 0), 0) AS "queue_abandonment_rate"
FROM m_calls
ORDER BY
  1,
  2
