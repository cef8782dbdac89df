-- plan: metrics actions_per_engagement
-- step: m_lead_engagements aggregates actions_to_engage, engaged_leads
WITH m_lead_engagements AS (
  SELECT d_campaign, __period, sum(actions_to_engage) FILTER (WHERE first_engaged_at IS NOT NULL) AS m__actions_to_engage, count(*) FILTER (WHERE first_engaged_at IS NOT NULL) AS m__engaged_leads
  FROM (
    SELECT x.*, l.campaign_id AS d_campaign, CAST(date_trunc('month', make_timestamp(epoch_us(x.first_engaged_at) + 25200000000)) AS DATE) AS __period
    FROM (
    SELECT lead_id, max(ts) AS last_touch_at,
           min(ts) FILTER (WHERE engaged) AS first_engaged_at,
           count(*) FILTER (WHERE touch AND ts <= first_engaged) AS actions_to_engage,
           count(*) FILTER (WHERE touch AND (last_engaged IS NULL OR ts > last_engaged))
               AS trailing_unanswered
    FROM (
        SELECT *, min(ts) FILTER (WHERE engaged) OVER (PARTITION BY lead_id) AS first_engaged,
                  max(ts) FILTER (WHERE engaged) OVER (PARTITION BY lead_id) AS last_engaged
        FROM (
            SELECT lead_id, started_at AS ts, direction = 'outbound' AS touch,
                   status = 'answered' OR direction = 'inbound' AS engaged
            FROM calls WHERE lead_id IS NOT NULL
            UNION ALL
            SELECT lead_id, "at" AS ts, direction = 'out', direction = 'in' FROM engagements
        ) t
    ) t
    GROUP BY lead_id
) x
    LEFT JOIN leads l ON l.lead_id = x.lead_id
    WHERE x.first_engaged_at >= TIMESTAMPTZ '2025-12-31 17:00:00+00' AND x.first_engaged_at < TIMESTAMPTZ '2026-03-31 17:00:00+00'
  ) x
  GROUP BY d_campaign, __period
)
SELECT CAST(m_lead_engagements.d_campaign AS VARCHAR) AS "campaign", CAST(m_lead_engagements.__period AS VARCHAR) AS "period", CAST(coalesce(m_lead_engagements.m__actions_to_engage, 0) AS DOUBLE) / nullif(coalesce(m_lead_engagements.m__engaged_leads, 0), 0) AS "actions_per_engagement"
FROM m_lead_engagements
ORDER BY 1 NULLS LAST, 2 NULLS LAST
