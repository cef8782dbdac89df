-- plan: metrics orders_per_call
-- step: m_orders aggregates orders
-- step: m_calls aggregates calls
-- step: k holds every key any model produced
WITH m_orders AS (
  SELECT
    d_agent,
    __period,
    COUNT(CASE WHEN status = 'completed' THEN 1 END) AS m__orders
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
), m_calls AS (
  SELECT
    d_agent,
    __period,
    COUNT(*) AS m__calls
  FROM (
    SELECT
      x.*,
      x.agent_id AS d_agent,
      CAST(dateTrunc(
        'MONTH',
        fromUnixTimestamp64Micro(
          CAST(toUnixTimestamp64Micro(toDateTime64(x.started_at, 6)) + 25200000000 AS Nullable(Int64))
        )
      ) AS Nullable(DATE)) AS __period
    FROM calls AS x
    WHERE
      x.started_at >= toDateTime64('2025-12-31 17:00:00', 6, 'UTC')
      AND x.started_at < toDateTime64('2026-03-31 17:00:00', 6, 'UTC')
  ) AS x
  GROUP BY
    d_agent,
    __period
), k AS (
  SELECT
    d_agent,
    __period
  FROM m_orders
  UNION DISTINCT
  SELECT
    d_agent,
    __period
  FROM m_calls
)
SELECT
  CAST(k.d_agent AS Nullable(String)) AS "agent",
  CAST(k.__period AS Nullable(String)) AS "period",
  CAST(COALESCE(m_orders.m__orders, 0) AS Nullable(Float64)) / nullIf(COALESCE(m_calls.m__calls, 0), 0) AS "orders_per_call"
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
