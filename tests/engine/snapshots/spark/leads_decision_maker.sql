-- plan: metrics leads_decision_maker
-- step: m_lead_stages aggregates leads_decision_maker
WITH m_lead_stages AS (
  SELECT
    d_agent,
    __period,
    COUNT(CASE WHEN attempted AND (
      decision_maker OR qualified OR won
    ) THEN 1 END) AS m__leads_decision_maker
  FROM (
    SELECT
      x.lead_id AS __grain,
      x.agent_id AS d_agent,
      CAST(DATE_TRUNC('MONTH', TIMESTAMP_MICROS(UNIX_MICROS(x.started_at) + 25200000000)) AS DATE) AS __period,
      BOOL_OR(x.direction = 'outbound') AS attempted,
      BOOL_OR(x.status = 'answered') AS connected,
      BOOL_OR(
        (
          UPPER(TRIM(disposition)) IN ('APPOINTMENT', 'CALLBACK', 'NI', 'QUALIFIED', 'SALE')
        )
      ) AS decision_maker,
      BOOL_OR((
        UPPER(TRIM(disposition)) IN ('APPOINTMENT', 'QUALIFIED', 'SALE')
      )) AS qualified,
      BOOL_OR((
        UPPER(TRIM(disposition)) IN ('SALE')
      ) OR NOT wo.lead_id IS NULL) AS won,
      COUNT(CASE WHEN x.direction = 'outbound' THEN 1 END) AS attempts
    FROM calls AS x
    LEFT JOIN (
      SELECT DISTINCT
        lead_id
      FROM orders
      WHERE
        status = 'completed' AND NOT lead_id IS NULL
    ) AS wo
      ON wo.lead_id = x.lead_id
    WHERE
      x.started_at >= CAST('2025-12-31 17:00:00' AS TIMESTAMP)
      AND x.started_at < CAST('2026-03-31 17:00:00' AS TIMESTAMP)
      AND NOT x.lead_id IS NULL
    GROUP BY ALL
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_lead_stages.d_agent AS STRING) AS `agent`,
  CAST(m_lead_stages.__period AS STRING) AS `period`,
  COALESCE(m_lead_stages.m__leads_decision_maker, 0) AS `leads_decision_maker`
FROM m_lead_stages
ORDER BY
  1 NULLS LAST,
  2 NULLS LAST
