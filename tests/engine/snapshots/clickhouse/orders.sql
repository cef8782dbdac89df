-- plan: metrics orders
-- step: m_orders aggregates orders
WITH m_orders AS (
  SELECT
    d_agent,
    __period,
    COUNT(CASE WHEN status = 'completed' THEN 1 END) AS m__orders
  FROM (
    SELECT
      x.*,
      x.agent_id AS d_agent,
      CAST(dateTrunc(
        'MONTH',
        fromUnixTimestamp64Micro(
          CAST(toUnixTimestamp64Micro(toDateTime64(x.ordered_at, 6)) + 25200000000 AS Nullable(Int64))
        )
      ) AS Nullable(DATE)) AS __period
    FROM orders AS x
    WHERE
      x.ordered_at >= toDateTime64('2025-12-31 17:00:00', 6, 'UTC')
      AND x.ordered_at < toDateTime64('2026-03-31 17:00:00', 6, 'UTC')
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_orders.d_agent AS Nullable(String)) AS "agent",
  CAST(m_orders.__period AS Nullable(String)) AS "period",
  COALESCE(m_orders.m__orders, 0) AS "orders"
FROM m_orders
ORDER BY
  1,
  2
