-- plan: metrics revenue_growth
-- step: g_orders aggregates revenue from one month before the scope, for growth
-- step: p_orders is g_orders one month earlier, for growth
WITH g_orders AS (
  SELECT d_agent, __period, sum(amount) FILTER (WHERE status = 'completed') AS m__revenue
  FROM (
    SELECT x.*, x.agent_id AS d_agent, CAST(date_trunc('month', make_timestamp(epoch_us(x.ordered_at) + 25200000000)) AS DATE) AS __period
    FROM orders x
    WHERE x.ordered_at >= TIMESTAMPTZ '2025-11-30 17:00:00+00' AND x.ordered_at < TIMESTAMPTZ '2026-03-31 17:00:00+00'
  ) x
  GROUP BY d_agent, __period
)
SELECT CAST(g_orders.d_agent AS VARCHAR) AS "agent", CAST(g_orders.__period AS VARCHAR) AS "period", CAST(coalesce(g_orders.m__revenue, 0) - p_orders.m__revenue AS DOUBLE) / nullif(p_orders.m__revenue, 0) AS "revenue_growth"
FROM g_orders
  LEFT JOIN g_orders p_orders ON p_orders.d_agent IS NOT DISTINCT FROM g_orders.d_agent AND p_orders.__period = g_orders.__period - INTERVAL 1 MONTH
WHERE g_orders.__period >= DATE '2026-01-01'
ORDER BY 1 NULLS LAST, 2 NULLS LAST
