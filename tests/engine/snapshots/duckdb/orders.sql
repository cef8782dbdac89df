-- plan: metrics orders
-- step: m_orders aggregates orders
WITH m_orders AS (
  SELECT
    d_agent,
    __period,
    COUNT(*) FILTER(WHERE
      status = 'completed') AS m__orders
  FROM (
    SELECT
      x.*,
      x.agent_id AS d_agent,
      CAST(DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US(x.ordered_at) + 25200000000)) AS DATE) AS __period
    FROM orders AS x
    WHERE
      x.ordered_at >= CAST('2025-12-31 17:00:00+00' AS TIMESTAMPTZ)
      AND x.ordered_at < CAST('2026-03-31 17:00:00+00' AS TIMESTAMPTZ)
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_orders.d_agent AS TEXT) AS "agent",
  CAST(m_orders.__period AS TEXT) AS "period",
  COALESCE(m_orders.m__orders, 0) AS "orders"
FROM m_orders
ORDER BY
  1,
  2
