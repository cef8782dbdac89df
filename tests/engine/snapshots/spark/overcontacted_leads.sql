-- plan: metrics overcontacted_leads
-- step: m_lead_touches aggregates overcontacted_leads
WITH m_lead_touches AS (
  SELECT
    d_campaign,
    __period,
    COUNT(CASE WHEN trailing_unanswered >= 5 THEN 1 END) AS m__overcontacted_leads
  FROM (
    SELECT
      x.*,
      l.campaign_id AS d_campaign,
      CAST(DATE_TRUNC('MONTH', TIMESTAMP_MICROS(UNIX_MICROS(x.last_touch_at) + 25200000000)) AS DATE) AS __period
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
            NOT lead_id IS NULL
          UNION ALL
          SELECT
            lead_id,
            `at` AS ts,
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
      x.last_touch_at >= CAST('2025-12-31 17:00:00' AS TIMESTAMP)
      AND x.last_touch_at < CAST('2026-03-31 17:00:00' AS TIMESTAMP)
  ) AS x
  GROUP BY
    d_campaign,
    __period
)
SELECT
  CAST(m_lead_touches.d_campaign AS STRING) AS `campaign`,
  CAST(m_lead_touches.__period AS STRING) AS `period`,
  COALESCE(m_lead_touches.m__overcontacted_leads, 0) AS `overcontacted_leads`
FROM m_lead_touches
ORDER BY
  1 NULLS LAST,
  2 NULLS LAST
