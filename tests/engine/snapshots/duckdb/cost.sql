-- plan: metrics cost
-- step: m_costs aggregates cost
WITH m_costs AS (
  SELECT
    d_agent,
    __period,
    SUM(amount) AS m__cost
  FROM (
    SELECT
      x.*,
      x.agent_id AS d_agent,
      CAST(DATE_TRUNC('MONTH', x.incurred_on) AS DATE) AS __period
    FROM costs AS x
    WHERE
      x.incurred_on >= CAST('2026-01-01' AS DATE)
      AND x.incurred_on <= CAST('2026-03-31' AS DATE)
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
