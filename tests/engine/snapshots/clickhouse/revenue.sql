-- plan: metrics revenue
-- step: m_orders aggregates revenue
WITH m_orders AS (
  SELECT
    d_agent,
    __period,
    SUM(CASE WHEN status = 'completed' THEN amount END) AS m__revenue
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
  COALESCE(m_orders.m__revenue, 0) AS "revenue"
FROM m_orders
ORDER BY
  1,
  2
