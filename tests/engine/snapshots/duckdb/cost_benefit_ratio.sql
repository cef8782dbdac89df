-- plan: metrics cost_benefit_ratio
-- step: m_orders aggregates revenue
-- step: m_costs aggregates cost
-- step: k holds every key any model produced
WITH m_orders AS (
  SELECT d_agent, __period, sum(amount) FILTER (WHERE status = 'completed') AS m__revenue
  FROM (
    SELECT x.*, x.agent_id AS d_agent, CAST(date_trunc('month', make_timestamp(epoch_us(x.ordered_at) + 25200000000)) AS DATE) AS __period
    FROM orders x
    WHERE x.ordered_at >= TIMESTAMPTZ '2025-12-31 17:00:00+00' AND x.ordered_at < TIMESTAMPTZ '2026-03-31 17:00:00+00'
  ) x
  GROUP BY d_agent, __period
),
m_costs AS (
  SELECT d_agent, __period, sum(amount) AS m__cost
  FROM (
    SELECT x.*, x.agent_id AS d_agent, CAST(date_trunc('month', x.incurred_on) AS DATE) AS __period
    FROM costs x
    WHERE x.incurred_on >= DATE '2026-01-01' AND x.incurred_on <= DATE '2026-03-31'
  ) x
  GROUP BY d_agent, __period
),
k AS (
  SELECT d_agent, __period FROM m_orders
  UNION
  SELECT d_agent, __period FROM m_costs
)
SELECT CAST(k.d_agent AS VARCHAR) AS "agent", CAST(k.__period AS VARCHAR) AS "period", CAST(coalesce(m_orders.m__revenue, 0) AS DOUBLE) / nullif(coalesce(m_costs.m__cost, 0), 0) AS "cost_benefit_ratio"
FROM k
  LEFT JOIN m_orders ON m_orders.d_agent IS NOT DISTINCT FROM k.d_agent AND m_orders.__period IS NOT DISTINCT FROM k.__period
  LEFT JOIN m_costs ON m_costs.d_agent IS NOT DISTINCT FROM k.d_agent AND m_costs.__period IS NOT DISTINCT FROM k.__period
ORDER BY 1 NULLS LAST, 2 NULLS LAST
