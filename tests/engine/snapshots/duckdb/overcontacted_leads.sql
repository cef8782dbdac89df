-- plan: metrics overcontacted_leads
-- step: m_lead_touches aggregates overcontacted_leads
WITH m_lead_touches AS (
  SELECT d_campaign, __period, count(*) FILTER (WHERE trailing_unanswered >= 5) AS m__overcontacted_leads
  FROM (
    SELECT x.*, l.campaign_id AS d_campaign, CAST(date_trunc('month', make_timestamp(epoch_us(x.last_touch_at) + 25200000000)) AS DATE) AS __period
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
    WHERE x.last_touch_at >= TIMESTAMPTZ '2025-12-31 17:00:00+00' AND x.last_touch_at < TIMESTAMPTZ '2026-03-31 17:00:00+00'
  ) x
  GROUP BY d_campaign, __period
)
SELECT CAST(m_lead_touches.d_campaign AS VARCHAR) AS "campaign", CAST(m_lead_touches.__period AS VARCHAR) AS "period", coalesce(m_lead_touches.m__overcontacted_leads, 0) AS "overcontacted_leads"
FROM m_lead_touches
ORDER BY 1 NULLS LAST, 2 NULLS LAST
