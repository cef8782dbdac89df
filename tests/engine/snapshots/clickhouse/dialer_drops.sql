-- plan: metrics dialer_drops
-- step: m_calls aggregates dialer_drops
WITH m_calls AS (
  SELECT
    d_campaign,
    __period,
    COUNT(CASE WHEN status = 'abandoned' AND direction = 'outbound' THEN 1 END) AS m__dialer_drops
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
  COALESCE(m_calls.m__dialer_drops, 0) AS "dialer_drops"
FROM m_calls
ORDER BY
  1,
  2
