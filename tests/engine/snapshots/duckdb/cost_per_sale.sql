-- plan: metrics cost_per_sale
-- step: m_costs aggregates cost
-- step: m_orders aggregates orders
-- step: k holds every key any model produced
WITH _cost_days AS (
  SELECT
    cost_id,
    CAST(incurred_on + CAST(i AS INT) AS DATE) AS day,
    incurred_on,
    period_end,
    CAST(units // days + CASE WHEN i = 0 THEN units - units // days * days ELSE 0 END AS DECIMAL(18, 0)) * CAST(0.0001 AS DECIMAL(18, 4)) AS amount,
    category,
    agent_id,
    team_id,
    campaign_id
  FROM (
    SELECT
      *,
      UNNEST(RANGE(0, days)) AS i
    FROM (
      SELECT
        *,
        DATE_DIFF('DAY', incurred_on, period_end) + 1 AS days,
        CAST(CAST(amount AS DECIMAL(38, 4)) * 10000 AS BIGINT) AS units
      FROM (
        SELECT
          cost_id,
          incurred_on,
          amount,
          category,
          agent_id,
          team_id,
          campaign_id,
          GREATEST(COALESCE(period_end, incurred_on), incurred_on) AS period_end
        FROM costs
      ) AS k
    ) AS k
  ) AS k
), m_costs AS (
  SELECT
    d_agent,
    __period,
    SUM(amount) AS m__cost
  FROM (
    SELECT
      x.*,
      x.agent_id AS d_agent,
      CAST(DATE_TRUNC('MONTH', x.day) AS DATE) AS __period
    FROM _cost_days AS x
    WHERE
      x.day >= CAST('2026-01-01' AS DATE) AND x.day <= CAST('2026-03-31' AS DATE)
  ) AS x
  GROUP BY
    d_agent,
    __period
), m_orders AS (
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
), k AS (
  SELECT
    d_agent,
    __period
  FROM m_costs
  UNION
  SELECT
    d_agent,
    __period
  FROM m_orders
)
SELECT
  CAST(k.d_agent AS TEXT) AS "agent",
  CAST(k.__period AS TEXT) AS "period",
  COALESCE(m_costs.m__cost, 0) AS "__cost_cost_per_sale",
  CAST(COALESCE(m_costs.m__cost, 0) AS DOUBLE) / NULLIF(COALESCE(m_orders.m__orders, 0), 0) AS "cost_per_sale"
FROM k
LEFT JOIN m_costs
  ON m_costs.d_agent IS NOT DISTINCT FROM k.d_agent
  AND m_costs.__period IS NOT DISTINCT FROM k.__period
LEFT JOIN m_orders
  ON m_orders.d_agent IS NOT DISTINCT FROM k.d_agent
  AND m_orders.__period IS NOT DISTINCT FROM k.__period
ORDER BY
  1,
  2
