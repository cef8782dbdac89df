-- plan: metrics resolution_time
-- step: m_tickets aggregates resolution_s
WITH m_tickets AS (
  SELECT d_agent, __period, median(epoch(resolved_at) - epoch(opened_at)) FILTER (WHERE resolved_at IS NOT NULL) AS m__resolution_s
  FROM (
    SELECT x.*, x.agent_id AS d_agent, CAST(date_trunc('month', make_timestamp(epoch_us(x.opened_at) + 25200000000)) AS DATE) AS __period
    FROM tickets x
    WHERE x.opened_at >= TIMESTAMPTZ '2025-12-31 17:00:00+00' AND x.opened_at < TIMESTAMPTZ '2026-03-31 17:00:00+00'
  ) x
  GROUP BY d_agent, __period
)
SELECT CAST(m_tickets.d_agent AS VARCHAR) AS "agent", CAST(m_tickets.__period AS VARCHAR) AS "period", m_tickets.m__resolution_s AS "resolution_time"
FROM m_tickets
ORDER BY 1 NULLS LAST, 2 NULLS LAST
