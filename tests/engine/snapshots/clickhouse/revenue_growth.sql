-- plan: metrics revenue_growth
-- step: g_orders aggregates revenue from one month before the scope, for growth
-- step: p_orders is g_orders one month earlier, for growth
WITH g_orders AS (
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
      x.ordered_at >= toDateTime64('2025-11-30 17:00:00', 6, 'UTC')
      AND x.ordered_at < toDateTime64('2026-03-31 17:00:00', 6, 'UTC')
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(g_orders.d_agent AS Nullable(String)) AS "agent",
  CAST(g_orders.__period AS Nullable(String)) AS "period",
  CAST(COALESCE(g_orders.m__revenue, 0) - p_orders.m__revenue AS Nullable(Float64)) / nullIf(p_orders.m__revenue, 0) AS "revenue_growth"
FROM g_orders
LEFT JOIN g_orders AS p_orders
  ON p_orders.d_agent IS NOT DISTINCT FROM g_orders.d_agent
  AND p_orders.__period = g_orders.__period - INTERVAL '1' MONTH
WHERE
  g_orders.__period >= CAST('2026-01-01' AS Nullable(DATE))
ORDER BY
  1,
  2
