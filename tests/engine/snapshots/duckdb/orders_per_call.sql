-- plan: metrics orders_per_call
-- step: m_orders aggregates orders
-- step: m_calls aggregates calls
-- step: k holds every key any model produced
WITH m_orders AS (
  SELECT d_agent, __period, count(*) FILTER (WHERE status = 'completed') AS m__orders
  FROM (
    SELECT x.*, x.agent_id AS d_agent, CAST(date_trunc('month', make_timestamp(epoch_us(x.ordered_at) + 25200000000)) AS DATE) AS __period
    FROM orders x
    WHERE x.ordered_at >= TIMESTAMPTZ '2025-12-31 17:00:00+00' AND x.ordered_at < TIMESTAMPTZ '2026-03-31 17:00:00+00'
  ) x
  GROUP BY d_agent, __period
),
m_calls AS (
  SELECT d_agent, __period, count(*) AS m__calls
  FROM (
    SELECT x.*, x.agent_id AS d_agent, CAST(date_trunc('month', make_timestamp(epoch_us(x.started_at) + 25200000000)) AS DATE) AS __period
    FROM calls x
    WHERE x.started_at >= TIMESTAMPTZ '2025-12-31 17:00:00+00' AND x.started_at < TIMESTAMPTZ '2026-03-31 17:00:00+00'
  ) x
  GROUP BY d_agent, __period
),
k AS (
  SELECT d_agent, __period FROM m_orders
  UNION
  SELECT d_agent, __period FROM m_calls
)
SELECT CAST(k.d_agent AS VARCHAR) AS "agent", CAST(k.__period AS VARCHAR) AS "period", CAST(coalesce(m_orders.m__orders, 0) AS DOUBLE) / nullif(coalesce(m_calls.m__calls, 0), 0) AS "orders_per_call"
FROM k
  LEFT JOIN m_orders ON m_orders.d_agent IS NOT DISTINCT FROM k.d_agent AND m_orders.__period IS NOT DISTINCT FROM k.__period
  LEFT JOIN m_calls ON m_calls.d_agent IS NOT DISTINCT FROM k.d_agent AND m_calls.__period IS NOT DISTINCT FROM k.__period
ORDER BY 1 NULLS LAST, 2 NULLS LAST
