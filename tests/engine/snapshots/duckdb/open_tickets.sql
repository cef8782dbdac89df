-- plan: metrics open_tickets
-- step: m_tickets aggregates open_tickets
WITH m_tickets AS (
  SELECT d_agent, __period, count(*) FILTER (WHERE resolved_at IS NULL OR resolved_at >= least(timezone('Asia/Ho_Chi_Minh', CAST(__period + INTERVAL 1 MONTH AS TIMESTAMP)), TIMESTAMPTZ '2026-03-31 17:00:00+00')) AS m__open_tickets
  FROM (
    SELECT x.*, x.agent_id AS d_agent, CAST(date_trunc('month', make_timestamp(epoch_us(x.opened_at) + 25200000000)) AS DATE) AS __period
    FROM tickets x
    WHERE x.opened_at >= TIMESTAMPTZ '2025-12-31 17:00:00+00' AND x.opened_at < TIMESTAMPTZ '2026-03-31 17:00:00+00'
  ) x
  GROUP BY d_agent, __period
)
SELECT CAST(m_tickets.d_agent AS VARCHAR) AS "agent", CAST(m_tickets.__period AS VARCHAR) AS "period", coalesce(m_tickets.m__open_tickets, 0) AS "open_tickets"
FROM m_tickets
ORDER BY 1 NULLS LAST, 2 NULLS LAST
