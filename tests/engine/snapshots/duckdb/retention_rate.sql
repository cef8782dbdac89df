-- plan: metrics retention_rate
-- step: m_retention aggregates customers
WITH r_base AS (
  SELECT DISTINCT x.agent_id AS d_agent, CAST(date_trunc('month', make_timestamp(epoch_us(x.ordered_at) + 25200000000)) AS DATE) AS __period, x.customer_id
  FROM orders x
  WHERE x.ordered_at >= TIMESTAMPTZ '2025-11-30 17:00:00+00' AND x.ordered_at < TIMESTAMPTZ '2026-03-31 17:00:00+00' AND x.status = 'completed' AND x.customer_id IS NOT NULL
),
m_retention AS (
  SELECT p.d_agent, CAST(p.__period + INTERVAL 1 MONTH AS DATE) AS __period, count(*) AS m__prev_customers, count(c.customer_id) AS m__retained_customers
  FROM r_base p LEFT JOIN r_base c ON c.d_agent IS NOT DISTINCT FROM p.d_agent AND c.customer_id = p.customer_id AND c.__period = p.__period + INTERVAL 1 MONTH
  WHERE p.__period < (SELECT max(__period) FROM r_base)
  GROUP BY ALL
)
SELECT CAST(m_retention.d_agent AS VARCHAR) AS "agent", CAST(m_retention.__period AS VARCHAR) AS "period", CAST(m_retention.m__retained_customers AS DOUBLE) / nullif(m_retention.m__prev_customers, 0) AS "retention_rate"
FROM m_retention
WHERE m_retention.__period >= DATE '2026-01-01'
ORDER BY 1 NULLS LAST, 2 NULLS LAST
