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
      CAST(dateTrunc(
        'MONTH',
        fromUnixTimestamp64Micro(
          CAST(toUnixTimestamp64Micro(toDateTime64(x.started_at, 6)) + 25200000000 AS Nullable(Int64))
        )
      ) AS Nullable(DATE)) AS __period
    FROM calls AS x
    WHERE
      x.started_at >= toDateTime64('2025-12-31 17:00:00', 6, 'UTC')
      AND x.started_at < toDateTime64('2026-03-31 17:00:00', 6, 'UTC')
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_calls.d_agent AS Nullable(String)) AS "agent",
  CAST(m_calls.__period AS Nullable(String)) AS "period",
  COALESCE(m_calls.m__outbound_live_answers, 0) AS "outbound_live_answers"
FROM m_calls
ORDER BY
  1,
  2
