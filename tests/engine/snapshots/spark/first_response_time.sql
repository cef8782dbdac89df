-- plan: metrics first_response_time
-- step: m_tickets aggregates first_response_s
WITH m_tickets AS (
  SELECT
    d_agent,
    __period,
    PERCENTILE(
      CASE
        WHEN NOT first_response_at IS NULL
        THEN UNIX_MICROS(first_response_at) / 1000000.0 - UNIX_MICROS(opened_at) / 1000000.0
      END,
      0.5
    ) AS m__first_response_s
  FROM (
    SELECT
      x.*,
      x.agent_id AS d_agent,
      CAST(DATE_TRUNC('MONTH', TIMESTAMP_MICROS(UNIX_MICROS(x.opened_at) + 25200000000)) AS DATE) AS __period
    FROM tickets AS x
    WHERE
      x.opened_at >= CAST('2025-12-31 17:00:00' AS TIMESTAMP)
      AND x.opened_at < CAST('2026-03-31 17:00:00' AS TIMESTAMP)
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_tickets.d_agent AS STRING) AS `agent`,
  CAST(m_tickets.__period AS STRING) AS `period`,
  m_tickets.m__first_response_s AS `first_response_time`
FROM m_tickets
ORDER BY
  1 NULLS LAST,
  2 NULLS LAST
