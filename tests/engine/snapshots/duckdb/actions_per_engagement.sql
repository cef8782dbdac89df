-- plan: metrics actions_per_engagement
-- step: m_lead_engagements aggregates actions_to_engage, engaged_leads
WITH m_lead_engagements AS (
  SELECT
    d_campaign,
    __period,
    SUM(actions_to_engage) FILTER(WHERE
      NOT first_engaged_at IS NULL) AS m__actions_to_engage,
    COUNT(*) FILTER(WHERE
      NOT first_engaged_at IS NULL) AS m__engaged_leads
  FROM (
    SELECT
      x.*,
      l.campaign_id AS d_campaign,
      CAST(DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US(x.first_engaged_at) + 25200000000)) AS DATE) AS __period
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
      x.first_engaged_at >= CAST('2025-12-31 17:00:00+00' AS TIMESTAMPTZ)
      AND x.first_engaged_at < CAST('2026-03-31 17:00:00+00' AS TIMESTAMPTZ)
  ) AS x
  GROUP BY
    d_campaign,
    __period
)
SELECT
  CAST(m_lead_engagements.d_campaign AS TEXT) AS "campaign",
  CAST(m_lead_engagements.__period AS TEXT) AS "period",
  CAST(COALESCE(m_lead_engagements.m__actions_to_engage, 0) AS DOUBLE) / NULLIF(COALESCE(m_lead_engagements.m__engaged_leads, 0), 0) AS "actions_per_engagement"
FROM m_lead_engagements
ORDER BY
  1,
  2
