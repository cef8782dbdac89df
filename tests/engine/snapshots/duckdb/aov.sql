-- plan: metrics aov
-- step: m_orders aggregates revenue, orders
WITH m_orders AS (
  SELECT d_agent, __period, sum(amount) FILTER (WHERE status = 'completed') AS m__revenue, count(*) FILTER (WHERE status = 'completed') AS m__orders
  FROM (
    SELECT x.*, x.agent_id AS d_agent, CAST(date_trunc('month', make_timestamp(epoch_us(x.ordered_at) + 25200000000)) AS DATE) AS __period
    FROM orders x
    WHERE x.ordered_at >= TIMESTAMPTZ '2025-12-31 17:00:00+00' AND x.ordered_at < TIMESTAMPTZ '2026-03-31 17:00:00+00'
  ) x
  GROUP BY d_agent, __period
)
SELECT CAST(m_orders.d_agent AS VARCHAR) AS "agent", CAST(m_orders.__period AS VARCHAR) AS "period", CAST(coalesce(m_orders.m__revenue, 0) AS DOUBLE) / nullif(coalesce(m_orders.m__orders, 0), 0) AS "aov"
FROM m_orders
ORDER BY 1 NULLS LAST, 2 NULLS LAST
