-- plan: metrics asa
-- step: m_calls aggregates inbound_wait_s, inbound_answered_known_wait
WITH m_calls AS (
  SELECT
    d_agent,
    __period,
    SUM(
      CASE
        WHEN direction = 'inbound'
        AND (
          NOT queued_at IS NULL OR NOT queue IS NULL
        )
        AND status = 'answered'
        AND NOT wait_s IS NULL
        THEN wait_s
      END
    ) AS m__inbound_wait_s,
    COUNT(
      CASE
        WHEN direction = 'inbound'
        AND (
          NOT queued_at IS NULL OR NOT queue IS NULL
        )
        AND status = 'answered'
        AND NOT wait_s IS NULL
        THEN 1
      END
    ) AS m__inbound_answered_known_wait
  FROM (
    SELECT
      x.*,
      x.agent_id AS d_agent,
      CAST(DATE_TRUNC('MONTH', TIMESTAMP_MICROS(UNIX_MICROS(x.started_at) + 25200000000)) AS DATE) AS __period
    FROM calls AS x
    WHERE
      x.started_at >= CAST('2025-12-31 17:00:00' AS TIMESTAMP)
      AND x.started_at < CAST('2026-03-31 17:00:00' AS TIMESTAMP)
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_calls.d_agent AS STRING) AS `agent`,
  CAST(m_calls.__period AS STRING) AS `period`,
  CAST(COALESCE(m_calls.m__inbound_wait_s, 0) AS DOUBLE) / NULLIF(COALESCE(m_calls.m__inbound_answered_known_wait, 0), 0) AS `asa`
FROM m_calls
ORDER BY
  1 NULLS LAST,
  2 NULLS LAST
