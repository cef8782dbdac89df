-- plan: metrics overcontacted_leads
-- step: m_lead_touches aggregates overcontacted_leads
WITH m_lead_touches AS (
  SELECT
    d_campaign,
    __period,
    COUNT(*) FILTER(WHERE
      trailing_unanswered >= 5) AS m__overcontacted_leads
  FROM (
    SELECT
      x.*,
      l.campaign_id AS d_campaign,
      CAST(DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US(x.last_touch_at) + 25200000000)) AS DATE) AS __period
    FROM (
      SELECT
        lead_id,
        MAX(ts) AS last_touch_at,
        MIN(ts) FILTER(WHERE
          engaged) AS first_engaged_at,
        COUNT(*) FILTER(WHERE
          touch AND ts <= first_engaged) AS actions_to_engage,
        COUNT(*) FILTER(WHERE
          touch AND (
            last_engaged IS NULL OR ts > last_engaged
          )) AS trailing_unanswered
      FROM (
        SELECT
          *,
          MIN(ts) FILTER(WHERE
            engaged) OVER (PARTITION BY lead_id) AS first_engaged,
          MAX(ts) FILTER(WHERE
            engaged) OVER (PARTITION BY lead_id) AS last_engaged
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
      x.last_touch_at >= CAST('2025-12-31 17:00:00+00' AS TIMESTAMPTZ)
      AND x.last_touch_at < CAST('2026-03-31 17:00:00+00' AS TIMESTAMPTZ)
  ) AS x
  GROUP BY
    d_campaign,
    __period
)
SELECT
  CAST(m_lead_touches.d_campaign AS TEXT) AS "campaign",
  CAST(m_lead_touches.__period AS TEXT) AS "period",
  COALESCE(m_lead_touches.m__overcontacted_leads, 0) AS "overcontacted_leads"
FROM m_lead_touches
ORDER BY
  1,
  2
