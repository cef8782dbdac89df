-- plan: metrics dropoff_connected
-- step: m_lead_stages aggregates leads_attempted, leads_connected
WITH m_lead_stages AS (
  SELECT
    d_agent,
    __period,
    COUNT(CASE WHEN attempted THEN 1 END) AS m__leads_attempted,
    COUNT(
      CASE
        WHEN attempted AND (
          connected OR decision_maker OR qualified OR won
        )
        THEN 1
      END
    ) AS m__leads_connected
  FROM (
    SELECT
      x.lead_id AS __grain,
      x.agent_id AS d_agent,
      CAST(dateTrunc(
        'MONTH',
        fromUnixTimestamp64Micro(
          CAST(toUnixTimestamp64Micro(toDateTime64(x.started_at, 6)) + 25200000000 AS Nullable(Int64))
        )
      ) AS Nullable(DATE)) AS __period,
      MAX(x.direction = 'outbound') AS attempted,
      MAX(x.status = 'answered') AS connected,
      MAX(
        (
          UPPER(TRIM(disposition)) IN ('APPOINTMENT', 'CALLBACK', 'NI', 'QUALIFIED', 'SALE')
        )
      ) AS decision_maker,
      MAX((
        UPPER(TRIM(disposition)) IN ('APPOINTMENT', 'QUALIFIED', 'SALE')
      )) AS qualified,
      MAX((
        UPPER(TRIM(disposition)) IN ('SALE')
      ) OR NOT (
        wo.lead_id IS NULL
      )) AS won,
      COUNT(CASE WHEN x.direction = 'outbound' THEN 1 END) AS attempts
    FROM calls AS x
    LEFT JOIN (
      SELECT DISTINCT
        lead_id
      FROM orders
      WHERE
        status = 'completed' AND NOT (
          lead_id IS NULL
        )
    ) AS wo
      ON wo.lead_id = x.lead_id
    WHERE
      x.started_at >= toDateTime64('2025-12-31 17:00:00', 6, 'UTC')
      AND x.started_at < toDateTime64('2026-03-31 17:00:00', 6, 'UTC')
      AND NOT (
        x.lead_id IS NULL
      )
    GROUP BY ALL
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_lead_stages.d_agent AS Nullable(String)) AS "agent",
  CAST(m_lead_stages.__period AS Nullable(String)) AS "period",
  1 - CAST((
    COALESCE(m_lead_stages.m__leads_connected, 0)
  ) AS Nullable(Float64)) / nullIf((
    COALESCE(m_lead_stages.m__leads_attempted, 0)
  ), 0) AS "dropoff_connected"
FROM m_lead_stages
ORDER BY
  1,
  2
