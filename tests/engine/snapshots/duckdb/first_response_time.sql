-- plan: metrics first_response_time
-- step: m_tickets aggregates first_response_s
WITH m_tickets AS (
  SELECT d_agent, __period, median(epoch(first_response_at) - epoch(opened_at)) FILTER (WHERE first_response_at IS NOT NULL) AS m__first_response_s
  FROM (
    SELECT x.*, x.agent_id AS d_agent, CAST(date_trunc('month', make_timestamp(epoch_us(x.opened_at) + 25200000000)) AS DATE) AS __period
    FROM tickets x
    WHERE x.opened_at >= TIMESTAMPTZ '2025-12-31 17:00:00+00' AND x.opened_at < TIMESTAMPTZ '2026-03-31 17:00:00+00'
  ) x
  GROUP BY d_agent, __period
)
SELECT CAST(m_tickets.d_agent AS VARCHAR) AS "agent", CAST(m_tickets.__period AS VARCHAR) AS "period", m_tickets.m__first_response_s AS "first_response_time"
FROM m_tickets
ORDER BY 1 NULLS LAST, 2 NULLS LAST
