-- plan: metrics open_tickets
-- step: m_tickets aggregates open_tickets
WITH m_tickets AS (
  SELECT
    d_agent,
    __period,
    COUNT(
      CASE
        WHEN resolved_at IS NULL
        OR resolved_at >= LEAST(
          toDateTime64(toString(__period + INTERVAL '1' MONTH), 6, 'Asia/Ho_Chi_Minh'),
          toDateTime64('2026-03-31 17:00:00', 6, 'UTC')
        )
        THEN 1
      END
    ) AS m__open_tickets
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
  COALESCE(m_tickets.m__open_tickets, 0) AS "open_tickets"
FROM m_tickets
ORDER BY
  1,
  2
