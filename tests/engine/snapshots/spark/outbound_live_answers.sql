-- plan: metrics outbound_live_answers
-- step: m_calls aggregates outbound_live_answers
WITH m_calls AS (
  SELECT
    d_agent,
    __period,
    COUNT(
      CASE WHEN status IN ('answered', 'abandoned') AND direction = 'outbound' THEN 1 END
    ) AS m__outbound_live_answers
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
  COALESCE(m_calls.m__outbound_live_answers, 0) AS `outbound_live_answers`
FROM m_calls
ORDER BY
  1 NULLS LAST,
  2 NULLS LAST
