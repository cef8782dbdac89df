-- plan: metrics aov
-- step: m_orders aggregates revenue, orders
WITH m_orders AS (
  SELECT
    d_agent,
    __period,
    SUM(CASE WHEN status = 'completed' THEN amount END) AS m__revenue,
    COUNT(CASE WHEN status = 'completed' THEN 1 END) AS m__orders
  FROM (
    SELECT
      x.*,
      x.agent_id AS d_agent,
      CAST(DATE_TRUNC('MONTH', TIMESTAMP_MICROS(UNIX_MICROS(x.ordered_at) + 25200000000)) AS DATE) AS __period
    FROM orders AS x
    WHERE
      x.ordered_at >= CAST('2025-12-31 17:00:00' AS TIMESTAMP)
      AND x.ordered_at < CAST('2026-03-31 17:00:00' AS TIMESTAMP)
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_orders.d_agent AS STRING) AS `agent`,
  CAST(m_orders.__period AS STRING) AS `period`,
  CAST(COALESCE(m_orders.m__revenue, 0) AS DOUBLE) / NULLIF(COALESCE(m_orders.m__orders, 0), 0) AS `aov`
FROM m_orders
ORDER BY
  1 NULLS LAST,
  2 NULLS LAST
