-- plan: metrics orders_per_call
-- step: m_orders aggregates orders
-- step: m_calls aggregates calls
-- step: k holds every key any model produced
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
), m_calls AS (
  SELECT
    d_agent,
    __period,
    COUNT(*) AS m__calls
  FROM (
    SELECT
      x.*,
      x.agent_id AS d_agent,
      CAST(DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US(x.started_at) + 25200000000)) AS DATE) AS __period
    FROM calls AS x
    WHERE
      x.started_at >= CAST('2025-12-31 17:00:00+00' AS TIMESTAMPTZ)
      AND x.started_at < CAST('2026-03-31 17:00:00+00' AS TIMESTAMPTZ)
  ) AS x
  GROUP BY
    d_agent,
    __period
), k AS (
  SELECT
    d_agent,
    __period
  FROM m_orders
  UNION
  SELECT
    d_agent,
    __period
  FROM m_calls
)
SELECT
  CAST(k.d_agent AS TEXT) AS "agent",
  CAST(k.__period AS TEXT) AS "period",
  CAST(COALESCE(m_orders.m__orders, 0) AS DOUBLE) / NULLIF(COALESCE(m_calls.m__calls, 0), 0) AS "orders_per_call"
FROM k
LEFT JOIN m_orders
  ON m_orders.d_agent IS NOT DISTINCT FROM k.d_agent
  AND m_orders.__period IS NOT DISTINCT FROM k.__period
LEFT JOIN m_calls
  ON m_calls.d_agent IS NOT DISTINCT FROM k.d_agent
  AND m_calls.__period IS NOT DISTINCT FROM k.__period
ORDER BY
  1,
  2
