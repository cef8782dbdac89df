-- plan: metrics ticket_sla_rate
-- step: m_tickets aggregates tickets_within_sla, tickets
WITH m_tickets AS (
  SELECT d_agent, __period, count(*) FILTER (WHERE first_response_at IS NOT NULL AND epoch(first_response_at) - epoch(opened_at) <= 14400.0) AS m__tickets_within_sla, count(*) AS m__tickets
  FROM (
    SELECT x.*, x.agent_id AS d_agent, CAST(date_trunc('month', make_timestamp(epoch_us(x.opened_at) + 25200000000)) AS DATE) AS __period
    FROM tickets x
    WHERE x.opened_at >= TIMESTAMPTZ '2025-12-31 17:00:00+00' AND x.opened_at < TIMESTAMPTZ '2026-03-31 17:00:00+00'
  ) x
  GROUP BY d_agent, __period
)
SELECT CAST(m_tickets.d_agent AS VARCHAR) AS "agent", CAST(m_tickets.__period AS VARCHAR) AS "period", CAST(coalesce(m_tickets.m__tickets_within_sla, 0) AS DOUBLE) / nullif(coalesce(m_tickets.m__tickets, 0), 0) AS "ticket_sla_rate"
FROM m_tickets
ORDER BY 1 NULLS LAST, 2 NULLS LAST
