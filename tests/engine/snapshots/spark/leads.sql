-- plan: metrics leads
-- step: m_leads aggregates leads
WITH m_leads AS (
  SELECT
    d_campaign,
    __period,
    COUNT(*) AS m__leads
  FROM (
    SELECT
      x.*,
      x.campaign_id AS d_campaign,
      CAST(DATE_TRUNC('MONTH', TIMESTAMP_MICROS(UNIX_MICROS(x.created_at) + 25200000000)) AS DATE) AS __period
    FROM (
      SELECT
        l0.*,
        fc.first_call_at
      FROM leads AS l0
      LEFT JOIN (
        SELECT
          lead_id,
          MIN(started_at) AS first_call_at
        FROM calls
        WHERE
          direction = 'outbound' AND NOT lead_id IS NULL
        GROUP BY
          lead_id
      ) AS fc
        ON fc.lead_id = l0.lead_id
    ) AS x
    WHERE
      x.created_at >= CAST('2025-12-31 17:00:00' AS TIMESTAMP)
      AND x.created_at < CAST('2026-03-31 17:00:00' AS TIMESTAMP)
  ) AS x
  GROUP BY
    d_campaign,
    __period
)
SELECT
  CAST(m_leads.d_campaign AS STRING) AS `campaign`,
  CAST(m_leads.__period AS STRING) AS `period`,
  COALESCE(m_leads.m__leads, 0) AS `leads`
FROM m_leads
ORDER BY
  1 NULLS LAST,
  2 NULLS LAST
