-- plan: metrics ticket_sla_rate
-- step: m_tickets aggregates tickets_within_sla, tickets
WITH m_tickets AS (
  SELECT
    d_agent,
    __period,
    COUNT(
      CASE
        WHEN NOT (
          first_response_at IS NULL
        )
        AND toUnixTimestamp64Micro(toDateTime64(first_response_at, 6)) / 1000000.0 - toUnixTimestamp64Micro(toDateTime64(opened_at, 6)) / 1000000.0 <= 14400.0
        THEN 1
      END
    ) AS m__tickets_within_sla,
    COUNT(*) AS m__tickets
  FROM (
    SELECT
      x.*,
      x.agent_id AS d_agent,
      CAST(dateTrunc(
        'MONTH',
        fromUnixTimestamp64Micro(
          CAST(toUnixTimestamp64Micro(toDateTime64(x.opened_at, 6)) + 25200000000 AS Nullable(Int64))
        )
      ) AS Nullable(DATE)) AS __period
    FROM tickets AS x
    WHERE
      x.opened_at >= toDateTime64('2025-12-31 17:00:00', 6, 'UTC')
      AND x.opened_at < toDateTime64('2026-03-31 17:00:00', 6, 'UTC')
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_tickets.d_agent AS Nullable(String)) AS "agent",
  CAST(m_tickets.__period AS Nullable(String)) AS "period",
  CAST(COALESCE(m_tickets.m__tickets_within_sla, 0) AS Nullable(Float64)) / nullIf(COALESCE(m_tickets.m__tickets, 0), 0) AS "ticket_sla_rate"
FROM m_tickets
ORDER BY
  1,
  2
