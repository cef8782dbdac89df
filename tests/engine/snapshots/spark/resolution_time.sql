-- plan: metrics resolution_time
-- step: m_tickets aggregates resolution_s
WITH m_tickets AS (
  SELECT
    d_agent,
    __period,
    PERCENTILE(
      CASE
        WHEN NOT resolved_at IS NULL
        THEN UNIX_MICROS(resolved_at) / 1000000.0 - UNIX_MICROS(opened_at) / 1000000.0
      END,
      0.5
    ) AS m__resolution_s
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
  m_tickets.m__resolution_s AS `resolution_time`
FROM m_tickets
ORDER BY
  1 NULLS LAST,
  2 NULLS LAST
