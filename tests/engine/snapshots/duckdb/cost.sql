-- plan: metrics cost
-- step: m_costs aggregates cost
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
)
SELECT
  CAST(m_costs.d_agent AS TEXT) AS "agent",
  CAST(m_costs.__period AS TEXT) AS "period",
  COALESCE(m_costs.m__cost, 0) AS "cost"
FROM m_costs
ORDER BY
  1,
  2
