-- plan: metrics dropoff_decision_maker
-- step: m_lead_stages aggregates leads_connected, leads_decision_maker
WITH m_lead_stages AS (
  SELECT d_agent, __period, count(*) FILTER (WHERE connected OR decision_maker OR qualified OR won) AS m__leads_connected, count(*) FILTER (WHERE decision_maker OR qualified OR won) AS m__leads_decision_maker
  FROM (
    SELECT x.lead_id AS __grain, x.agent_id AS d_agent, CAST(date_trunc('month', make_timestamp(epoch_us(x.started_at) + 25200000000)) AS DATE) AS __period, bool_or(x.status = 'answered') AS connected, bool_or((upper(trim(disposition)) IN ('APPOINTMENT', 'CALLBACK', 'NI', 'QUALIFIED', 'SALE'))) AS decision_maker, bool_or((upper(trim(disposition)) IN ('APPOINTMENT', 'QUALIFIED', 'SALE'))) AS qualified, bool_or((upper(trim(disposition)) IN ('SALE')) OR wo.lead_id IS NOT NULL) AS won, count(*) AS attempts
    FROM calls x
    LEFT JOIN (SELECT DISTINCT lead_id FROM orders WHERE status = 'completed' AND lead_id IS NOT NULL) wo ON wo.lead_id = x.lead_id
    WHERE x.started_at >= TIMESTAMPTZ '2025-12-31 17:00:00+00' AND x.started_at < TIMESTAMPTZ '2026-03-31 17:00:00+00' AND x.lead_id IS NOT NULL
    GROUP BY ALL
  ) x
  GROUP BY d_agent, __period
)
SELECT CAST(m_lead_stages.d_agent AS VARCHAR) AS "agent", CAST(m_lead_stages.__period AS VARCHAR) AS "period", 1 - CAST((coalesce(m_lead_stages.m__leads_decision_maker, 0)) AS DOUBLE) / nullif((coalesce(m_lead_stages.m__leads_connected, 0)), 0) AS "dropoff_decision_maker"
FROM m_lead_stages
ORDER BY 1 NULLS LAST, 2 NULLS LAST
