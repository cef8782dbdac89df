-- plan: metrics attempts_per_lead
-- step: m_calls aggregates lead_calls
-- step: m_lead_stages aggregates leads_attempted
-- step: k holds every key any model produced
WITH m_calls AS (
  SELECT
    d_agent,
    __period,
    COUNT(CASE WHEN NOT (
      lead_id IS NULL
    ) AND direction = 'outbound' THEN 1 END) AS m__lead_calls
  FROM (
    SELECT
      x.*,
      x.agent_id AS d_agent,
      CAST(dateTrunc(
        'MONTH',
        fromUnixTimestamp64Micro(
          CAST(toUnixTimestamp64Micro(toDateTime64(x.started_at, 6)) + 25200000000 AS Nullable(Int64))
        )
      ) AS Nullable(DATE)) AS __period
    FROM calls AS x
    WHERE
      x.started_at >= toDateTime64('2025-12-31 17:00:00', 6, 'UTC')
      AND x.started_at < toDateTime64('2026-03-31 17:00:00', 6, 'UTC')
  ) AS x
  GROUP BY
    d_agent,
    __period
), m_lead_stages AS (
  SELECT
    d_agent,
    __period,
    COUNT(CASE WHEN attempted THEN 1 END) AS m__leads_attempted
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
), k AS (
  SELECT
    d_agent,
    __period
  FROM m_calls
  UNION DISTINCT
  SELECT
    d_agent,
    __period
  FROM m_lead_stages
)
SELECT
  CAST(k.d_agent AS Nullable(String)) AS "agent",
  CAST(k.__period AS Nullable(String)) AS "period",
  CAST(COALESCE(m_calls.m__lead_calls, 0) AS Nullable(Float64)) / nullIf(COALESCE(m_lead_stages.m__leads_attempted, 0), 0) AS "attempts_per_lead"
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
