-- plan: metrics cost
-- step: m_costs aggregates cost
WITH m_costs AS (
  SELECT d_agent, __period, sum(amount) AS m__cost
  FROM (
    SELECT x.*, x.agent_id AS d_agent, CAST(date_trunc('month', x.incurred_on) AS DATE) AS __period
    FROM costs x
    WHERE x.incurred_on >= DATE '2026-01-01' AND x.incurred_on <= DATE '2026-03-31'
  ) x
  GROUP BY d_agent, __period
)
SELECT CAST(m_costs.d_agent AS VARCHAR) AS "agent", CAST(m_costs.__period AS VARCHAR) AS "period", coalesce(m_costs.m__cost, 0) AS "cost"
FROM m_costs
ORDER BY 1 NULLS LAST, 2 NULLS LAST
