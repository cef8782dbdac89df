-- plan: metrics ticket_sla_rate
-- step: m_tickets aggregates tickets_within_sla, tickets
WITH m_tickets AS (
  SELECT
    d_agent,
    __period,
    COUNT(*) FILTER(WHERE
      NOT first_response_at IS NULL
      AND EPOCH(first_response_at) - EPOCH(opened_at) <= 14400.0) AS m__tickets_within_sla,
    COUNT(*) AS m__tickets
  FROM (
    SELECT
      x.*,
      x.agent_id AS d_agent,
      CAST(DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US(x.opened_at) + 25200000000)) AS DATE) AS __period
    FROM tickets AS x
    WHERE
      x.opened_at >= CAST('2025-12-31 17:00:00+00' AS TIMESTAMPTZ)
      AND x.opened_at < CAST('2026-03-31 17:00:00+00' AS TIMESTAMPTZ)
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_tickets.d_agent AS TEXT) AS "agent",
  CAST(m_tickets.__period AS TEXT) AS "period",
  CAST(COALESCE(m_tickets.m__tickets_within_sla, 0) AS DOUBLE) / NULLIF(COALESCE(m_tickets.m__tickets, 0), 0) AS "ticket_sla_rate"
FROM m_tickets
ORDER BY
  1,
  2
