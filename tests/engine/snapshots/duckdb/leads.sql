-- plan: metrics leads
-- step: m_leads aggregates leads
WITH m_leads AS (
  SELECT d_campaign, __period, count(*) AS m__leads
  FROM (
    SELECT x.*, x.campaign_id AS d_campaign, CAST(date_trunc('month', make_timestamp(epoch_us(x.created_at) + 25200000000)) AS DATE) AS __period
    FROM (
    SELECT l0.*, fc.first_call_at
    FROM leads l0
    LEFT JOIN (SELECT lead_id, min(started_at) AS first_call_at FROM calls
               WHERE direction = 'outbound' AND lead_id IS NOT NULL GROUP BY lead_id) fc
      ON fc.lead_id = l0.lead_id
) x
    WHERE x.created_at >= TIMESTAMPTZ '2025-12-31 17:00:00+00' AND x.created_at < TIMESTAMPTZ '2026-03-31 17:00:00+00'
  ) x
  GROUP BY d_campaign, __period
)
SELECT CAST(m_leads.d_campaign AS VARCHAR) AS "campaign", CAST(m_leads.__period AS VARCHAR) AS "period", coalesce(m_leads.m__leads, 0) AS "leads"
FROM m_leads
ORDER BY 1 NULLS LAST, 2 NULLS LAST
