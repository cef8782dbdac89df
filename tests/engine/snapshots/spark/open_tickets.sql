-- plan: metrics open_tickets
-- step: m_tickets aggregates open_tickets
WITH m_tickets AS (
  SELECT
    d_agent,
    __period,
    COUNT(
      CASE
        WHEN resolved_at IS NULL
        OR resolved_at >= LEAST(
          TO_UTC_TIMESTAMP(CAST(__period + INTERVAL '1' MONTH AS TIMESTAMP_NTZ), 'Asia/Ho_Chi_Minh'),
          CAST('2026-03-31 17:00:00' AS TIMESTAMP)
        )
        THEN 1
      END
    ) AS m__open_tickets
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
  COALESCE(m_tickets.m__open_tickets, 0) AS `open_tickets`
FROM m_tickets
ORDER BY
  1 NULLS LAST,
  2 NULLS LAST
