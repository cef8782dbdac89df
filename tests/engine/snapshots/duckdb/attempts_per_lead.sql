-- plan: metrics attempts_per_lead
-- step: m_calls aggregates lead_calls
-- step: m_lead_stages aggregates leads_attempted
-- step: k holds every key any model produced
WITH m_calls AS (
  SELECT d_agent, __period, count(*) FILTER (WHERE lead_id IS NOT NULL) AS m__lead_calls
  FROM (
    SELECT x.*, x.agent_id AS d_agent, CAST(date_trunc('month', make_timestamp(epoch_us(x.started_at) + 25200000000)) AS DATE) AS __period
    FROM calls x
    WHERE x.started_at >= TIMESTAMPTZ '2025-12-31 17:00:00+00' AND x.started_at < TIMESTAMPTZ '2026-03-31 17:00:00+00'
  ) x
  GROUP BY d_agent, __period
),
m_lead_stages AS (
  SELECT d_agent, __period, count(*) AS m__leads_attempted
  FROM (
    SELECT x.lead_id AS __grain, x.agent_id AS d_agent, CAST(date_trunc('month', make_timestamp(epoch_us(x.started_at) + 25200000000)) AS DATE) AS __period, bool_or(x.status = 'answered') AS connected, bool_or((upper(trim(disposition)) IN ('APPOINTMENT', 'CALLBACK', 'NI', 'QUALIFIED', 'SALE'))) AS decision_maker, bool_or((upper(trim(disposition)) IN ('APPOINTMENT', 'QUALIFIED', 'SALE'))) AS qualified, bool_or((upper(trim(disposition)) IN ('SALE')) OR wo.lead_id IS NOT NULL) AS won, count(*) AS attempts
    FROM calls x
    LEFT JOIN (SELECT DISTINCT lead_id FROM orders WHERE status = 'completed' AND lead_id IS NOT NULL) wo ON wo.lead_id = x.lead_id
    WHERE x.started_at >= TIMESTAMPTZ '2025-12-31 17:00:00+00' AND x.started_at < TIMESTAMPTZ '2026-03-31 17:00:00+00' AND x.lead_id IS NOT NULL
    GROUP BY ALL
  ) x
  GROUP BY d_agent, __period
),
k AS (
  SELECT d_agent, __period FROM m_calls
  UNION
  SELECT d_agent, __period FROM m_lead_stages
)
SELECT CAST(k.d_agent AS VARCHAR) AS "agent", CAST(k.__period AS VARCHAR) AS "period", CAST(coalesce(m_calls.m__lead_calls, 0) AS DOUBLE) / nullif(coalesce(m_lead_stages.m__leads_attempted, 0), 0) AS "attempts_per_lead"
FROM k
  LEFT JOIN m_calls ON m_calls.d_agent IS NOT DISTINCT FROM k.d_agent AND m_calls.__period IS NOT DISTINCT FROM k.__period
  LEFT JOIN m_lead_stages ON m_lead_stages.d_agent IS NOT DISTINCT FROM k.d_agent AND m_lead_stages.__period IS NOT DISTINCT FROM k.__period
ORDER BY 1 NULLS LAST, 2 NULLS LAST
