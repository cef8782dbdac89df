-- plan: metrics dropoff_decision_maker
-- step: m_lead_stages aggregates leads_connected, leads_decision_maker
WITH m_lead_stages AS (
  SELECT
    d_agent,
    __period,
    COUNT(*) FILTER(WHERE
      attempted AND (
        connected OR decision_maker OR qualified OR won
      )) AS m__leads_connected,
    COUNT(*) FILTER(WHERE
      attempted AND (
        decision_maker OR qualified OR won
      )) AS m__leads_decision_maker
  FROM (
    SELECT
      x.lead_id AS __grain,
      x.agent_id AS d_agent,
      CAST(DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US(x.started_at) + 25200000000)) AS DATE) AS __period,
      BOOL_OR(CAST(x.direction = 'outbound' AS BOOLEAN)) AS attempted,
      BOOL_OR(CAST(x.status = 'answered' AS BOOLEAN)) AS connected,
      BOOL_OR(
        CAST((
          UPPER(TRIM(disposition)) IN ('APPOINTMENT', 'CALLBACK', 'NI', 'QUALIFIED', 'SALE')
        ) AS BOOLEAN)
      ) AS decision_maker,
      BOOL_OR(
        CAST((
          UPPER(TRIM(disposition)) IN ('APPOINTMENT', 'QUALIFIED', 'SALE')
        ) AS BOOLEAN)
      ) AS qualified,
      BOOL_OR(
        CAST((
          UPPER(TRIM(disposition)) IN ('SALE')
        ) OR NOT wo.lead_id IS NULL AS BOOLEAN)
      ) AS won,
      COUNT(*) FILTER(WHERE
        x.direction = 'outbound') AS attempts
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
      x.started_at >= CAST('2025-12-31 17:00:00+00' AS TIMESTAMPTZ)
      AND x.started_at < CAST('2026-03-31 17:00:00+00' AS TIMESTAMPTZ)
      AND NOT x.lead_id IS NULL
    GROUP BY ALL
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_lead_stages.d_agent AS TEXT) AS "agent",
  CAST(m_lead_stages.__period AS TEXT) AS "period",
  1 - CAST((
    COALESCE(m_lead_stages.m__leads_decision_maker, 0)
  ) AS DOUBLE) / NULLIF((
    COALESCE(m_lead_stages.m__leads_connected, 0)
  ), 0) AS "dropoff_decision_maker"
FROM m_lead_stages
ORDER BY
  1,
  2
