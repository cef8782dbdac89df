-- plan: metrics service_level
-- step: m_calls aggregates inbound_answered_in_sl, service_level_base
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
        AND status = 'answered'
        AND NOT (
          wait_s IS NULL
        )
        AND (
          wait_s < 20.0 OR (
            TRUE AND wait_s = 20.0
          )
        )
        THEN 1
      END
    ) AS m__inbound_answered_in_sl,
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
        AND NOT (
          wait_s IS NULL
        )
        AND (
          'offered' = 'offered'
          OR (
            'offered' = 'answered' AND status = 'answered'
          )
          OR (
            'offered' = 'offered_minus_short_abandons'
            AND NOT (
              status = 'abandoned' AND wait_s < 0.0
            )
          )
        )
        THEN 1
      END
    ) AS m__service_level_base
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
  CAST(COALESCE(m_calls.m__inbound_answered_in_sl, 0) AS Nullable(Float64)) / nullIf(COALESCE(m_calls.m__service_level_base, 0), 0) AS "service_level"
FROM m_calls
ORDER BY
  1,
  2
