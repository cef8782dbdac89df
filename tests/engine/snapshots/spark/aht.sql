-- plan: metrics aht
-- step: m_calls aggregates handle_s, connected_calls
WITH m_calls AS (
  SELECT
    d_agent,
    __period,
    SUM(
      CASE
        WHEN status = 'answered'
        THEN COALESCE(talk_s, 0) + COALESCE(hold_s, 0) + COALESCE(wrap_s, 0)
      END
    ) AS m__handle_s,
    COUNT(CASE WHEN status = 'answered' THEN 1 END) AS m__connected_calls
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
  CAST(COALESCE(m_calls.m__handle_s, 0) AS DOUBLE) / NULLIF(COALESCE(m_calls.m__connected_calls, 0), 0) AS `aht`
FROM m_calls
ORDER BY
  1 NULLS LAST,
  2 NULLS LAST
