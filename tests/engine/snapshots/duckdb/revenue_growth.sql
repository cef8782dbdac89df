-- plan: metrics revenue_growth
-- step: g_orders aggregates revenue from one month before the scope, for growth
-- step: p_orders is g_orders one month earlier, for growth
WITH g_orders AS (
  SELECT
    d_agent,
    __period,
    SUM(amount) FILTER(WHERE
      status = 'completed') AS m__revenue
  FROM (
    SELECT
      x.*,
      x.agent_id AS d_agent,
      CAST(DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US(x.ordered_at) + 25200000000)) AS DATE) AS __period
    FROM orders AS x
    WHERE
      x.ordered_at >= CAST('2025-11-30 17:00:00+00' AS TIMESTAMPTZ)
      AND x.ordered_at < CAST('2026-03-31 17:00:00+00' AS TIMESTAMPTZ)
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(g_orders.d_agent AS TEXT) AS "agent",
  CAST(g_orders.__period AS TEXT) AS "period",
  CAST(COALESCE(g_orders.m__revenue, 0) - p_orders.m__revenue AS DOUBLE) / NULLIF(p_orders.m__revenue, 0) AS "revenue_growth"
FROM g_orders
LEFT JOIN g_orders AS p_orders
  ON p_orders.d_agent IS NOT DISTINCT FROM g_orders.d_agent
  AND p_orders.__period = g_orders.__period - INTERVAL '1' MONTH
WHERE
  g_orders.__period >= CAST('2026-01-01' AS DATE)
ORDER BY
  1,
  2
