-- plan: metrics retention_rate
-- step: m_retention aggregates customers
WITH r_base AS (
  SELECT DISTINCT
    x.agent_id AS d_agent,
    CAST(DATE_TRUNC('MONTH', TIMESTAMP_MICROS(UNIX_MICROS(x.ordered_at) + 25200000000)) AS DATE) AS __period,
    x.customer_id
  FROM orders AS x
  WHERE
    x.ordered_at >= CAST('2025-11-30 17:00:00' AS TIMESTAMP)
    AND x.ordered_at < CAST('2026-03-31 17:00:00' AS TIMESTAMP)
    AND x.status = 'completed'
    AND NOT x.customer_id IS NULL
), m_retention AS (
  SELECT
    p.d_agent,
    CAST(p.__period + INTERVAL '1' MONTH AS DATE) AS __period,
    COUNT(*) AS m__prev_customers,
    COUNT(c.customer_id) AS m__retained_customers
  FROM r_base AS p
  LEFT JOIN r_base AS c
    ON c.d_agent IS NOT DISTINCT FROM p.d_agent
    AND c.customer_id = p.customer_id
    AND c.__period = p.__period + INTERVAL '1' MONTH
  WHERE
    p.__period < (
      SELECT
        MAX(__period)
      FROM r_base
    )
  GROUP BY ALL
)
SELECT
  CAST(m_retention.d_agent AS STRING) AS `agent`,
  CAST(m_retention.__period AS STRING) AS `period`,
  CAST(m_retention.m__retained_customers AS DOUBLE) / NULLIF(m_retention.m__prev_customers, 0) AS `retention_rate`
FROM m_retention
WHERE
  m_retention.__period >= CAST('2026-01-01' AS DATE)
ORDER BY
  1 NULLS LAST,
  2 NULLS LAST
