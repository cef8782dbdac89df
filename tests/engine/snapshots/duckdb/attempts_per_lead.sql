-- plan: metrics attempts_per_lead
-- step: m_calls aggregates lead_calls
-- step: m_lead_stages aggregates leads_attempted
-- step: k holds every key any model produced
WITH m_calls AS (
  SELECT
    d_agent,
    __period,
    COUNT(*) FILTER(WHERE
      NOT lead_id IS NULL AND direction = 'outbound') AS m__lead_calls
  FROM (
    SELECT
      x.*,
      x.agent_id AS d_agent,
      CAST(DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US(x.started_at) + 25200000000)) AS DATE) AS __period
    FROM calls AS x
    WHERE
      x.started_at >= CAST('2025-12-31 17:00:00+00' AS TIMESTAMPTZ)
      AND x.started_at < CAST('2026-03-31 17:00:00+00' AS TIMESTAMPTZ)
  ) AS x
  GROUP BY
    d_agent,
    __period
), m_lead_stages AS (
  SELECT
    d_agent,
    __period,
    COUNT(*) FILTER(WHERE
      attempted) AS m__leads_attempted
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
), k AS (
  SELECT
    d_agent,
    __period
  FROM m_calls
  UNION
  SELECT
    d_agent,
    __period
  FROM m_lead_stages
)
SELECT
  CAST(k.d_agent AS TEXT) AS "agent",
  CAST(k.__period AS TEXT) AS "period",
  CAST(COALESCE(m_calls.m__lead_calls, 0) AS DOUBLE) / NULLIF(COALESCE(m_lead_stages.m__leads_attempted, 0), 0) AS "attempts_per_lead"
FROM k
LEFT JOIN m_calls
  ON m_calls.d_agent IS NOT DISTINCT FROM k.d_agent
  AND m_calls.__period IS NOT DISTINCT FROM k.__period
LEFT JOIN m_lead_stages
  ON m_lead_stages.d_agent IS NOT DISTINCT FROM k.d_agent
  AND m_lead_stages.__period IS NOT DISTINCT FROM k.__period
ORDER BY
  1,
  2
