-- plan: metrics resolution_time
-- step: m_tickets aggregates resolution_s
WITH m_tickets AS (
  SELECT
    d_agent,
    __period,
    MEDIAN(EPOCH(resolved_at) - EPOCH(opened_at)) FILTER(WHERE
      NOT resolved_at IS NULL) AS m__resolution_s
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
  m_tickets.m__resolution_s AS "resolution_time"
FROM m_tickets
ORDER BY
  1,
  2
