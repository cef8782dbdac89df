-- plan: metrics first_response_time
-- step: m_tickets aggregates first_response_s
WITH m_tickets AS (
  SELECT
    d_agent,
    __period,
    quantileExactInclusive(0.5)(
      CASE
        WHEN NOT (
          first_response_at IS NULL
        )
        THEN toUnixTimestamp64Micro(toDateTime64(first_response_at, 6)) / 1000000.0 - toUnixTimestamp64Micro(toDateTime64(opened_at, 6)) / 1000000.0
      END
    ) AS m__first_response_s
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
  m_tickets.m__first_response_s AS "first_response_time"
FROM m_tickets
ORDER BY
  1,
  2
