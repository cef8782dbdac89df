-- plan: metrics cost_per_sale
-- step: m_costs aggregates cost
-- step: m_orders aggregates orders
-- step: k holds every key any model produced
WITH _cost_days AS (
  SELECT
    cost_id,
    CAST(incurred_on + CAST(i AS Nullable(Int32)) AS Nullable(DATE)) AS day,
    incurred_on,
    period_end,
    CAST(intDiv(units, days) + CASE WHEN i = 0 THEN units - intDiv(units, days) * days ELSE 0 END AS Nullable(Decimal(18, 0))) * CAST(0.0001 AS Nullable(Decimal(18, 4))) AS amount,
    category,
    agent_id,
    team_id,
    campaign_id
  FROM (
    SELECT
      *,
      arrayJoin(range(assumeNotNull(0), assumeNotNull(days))) AS i
    FROM (
      SELECT
        *,
        DATE_DIFF(DAY, incurred_on, period_end) + 1 AS days,
        CAST(CAST(amount AS Nullable(Decimal(38, 4))) * 10000 AS Nullable(Int64)) AS units
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
      CAST(dateTrunc('MONTH', x.day) AS Nullable(DATE)) AS __period
    FROM _cost_days AS x
    WHERE
      x.day >= CAST('2026-01-01' AS Nullable(DATE))
      AND x.day <= CAST('2026-03-31' AS Nullable(DATE))
  ) AS x
  GROUP BY
    d_agent,
    __period
), m_orders AS (
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
), k AS (
  SELECT
    d_agent,
    __period
  FROM m_costs
  UNION DISTINCT
  SELECT
    d_agent,
    __period
  FROM m_orders
)
SELECT
  CAST(k.d_agent AS Nullable(String)) AS "agent",
  CAST(k.__period AS Nullable(String)) AS "period",
  COALESCE(m_costs.m__cost, 0) AS "__cost_cost_per_sale",
  CAST(COALESCE(m_costs.m__cost, 0) AS Nullable(Float64)) / nullIf(COALESCE(m_orders.m__orders, 0), 0) AS "cost_per_sale"
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
