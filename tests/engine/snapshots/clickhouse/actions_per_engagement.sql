-- plan: metrics actions_per_engagement
-- step: m_lead_engagements aggregates actions_to_engage, engaged_leads
WITH m_lead_engagements AS (
  SELECT
    d_campaign,
    __period,
    SUM(CASE WHEN NOT (
      first_engaged_at IS NULL
    ) THEN actions_to_engage END) AS m__actions_to_engage,
    COUNT(CASE WHEN NOT (
      first_engaged_at IS NULL
    ) THEN 1 END) AS m__engaged_leads
  FROM (
    SELECT
      x.*,
      l.campaign_id AS d_campaign,
      CAST(dateTrunc(
        'MONTH',
        fromUnixTimestamp64Micro(
          CAST(toUnixTimestamp64Micro(toDateTime64(x.first_engaged_at, 6)) + 25200000000 AS Nullable(Int64))
        )
      ) AS Nullable(DATE)) AS __period
    FROM (
      SELECT
        lead_id,
        MAX(ts) AS last_touch_at,
        MIN(CASE WHEN engaged THEN ts END) AS first_engaged_at,
        COUNT(CASE WHEN touch AND ts <= first_engaged THEN 1 END) AS actions_to_engage,
        COUNT(CASE WHEN touch AND (
          last_engaged IS NULL OR ts > last_engaged
        ) THEN 1 END) AS trailing_unanswered
      FROM (
        SELECT
          *,
          MIN(CASE WHEN engaged THEN ts END) OVER (PARTITION BY lead_id) AS first_engaged,
          MAX(CASE WHEN engaged THEN ts END) OVER (PARTITION BY lead_id) AS last_engaged
        FROM (
          SELECT
            lead_id,
            started_at AS ts,
            direction = 'outbound' AS touch,
            status = 'answered' OR direction = 'inbound' AS engaged
          FROM calls
          WHERE
            NOT (
              lead_id IS NULL
            )
          UNION ALL
          SELECT
            lead_id,
            "at" AS ts,
            direction = 'out',
            direction = 'in'
          FROM engagements
        ) AS t
      ) AS t
      GROUP BY
        lead_id
    ) AS x
    LEFT JOIN leads AS l
      ON l.lead_id = x.lead_id
    WHERE
      x.first_engaged_at >= toDateTime64('2025-12-31 17:00:00', 6, 'UTC')
      AND x.first_engaged_at < toDateTime64('2026-03-31 17:00:00', 6, 'UTC')
  ) AS x
  GROUP BY
    d_campaign,
    __period
)
SELECT
  CAST(m_lead_engagements.d_campaign AS Nullable(String)) AS "campaign",
  CAST(m_lead_engagements.__period AS Nullable(String)) AS "period",
  CAST(COALESCE(m_lead_engagements.m__actions_to_engage, 0) AS Nullable(Float64)) / nullIf(COALESCE(m_lead_engagements.m__engaged_leads, 0), 0) AS "actions_per_engagement"
FROM m_lead_engagements
ORDER BY
  1,
  2
