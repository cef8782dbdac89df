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
          NOT (
            queued_at IS NULL
          ) OR NOT (
            queue IS NULL
          )
        )
        AND status = 'answered'
        AND NOT (
          wait_s IS NULL
        )
        THEN wait_s
      END
    ) AS m__inbound_wait_s,
    COUNT(
      CASE
        WHEN direction = 'inbound'
        AND (
          NOT (
            queued_at IS NULL
          ) OR NOT (
            queue IS NULL
          )
        )
        AND status = 'answered'
        AND NOT (
          wait_s IS NULL
        )
        THEN 1
      END
    ) AS m__inbound_answered_known_wait
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
  CAST(COALESCE(m_calls.m__inbound_wait_s, 0) AS Nullable(Float64)) / nullIf(COALESCE(m_calls.m__inbound_answered_known_wait, 0), 0) AS "asa"
FROM m_calls
ORDER BY
  1,
  2
