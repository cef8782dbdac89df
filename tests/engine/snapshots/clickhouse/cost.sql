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
      CAST(dateTrunc('MONTH', x.incurred_on) AS Nullable(DATE)) AS __period
    FROM costs AS x
    WHERE
      x.incurred_on >= CAST('2026-01-01' AS Nullable(DATE))
      AND x.incurred_on <= CAST('2026-03-31' AS Nullable(DATE))
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_costs.d_agent AS Nullable(String)) AS "agent",
  CAST(m_costs.__period AS Nullable(String)) AS "period",
  COALESCE(m_costs.m__cost, 0) AS "cost"
FROM m_costs
ORDER BY
  1,
  2
