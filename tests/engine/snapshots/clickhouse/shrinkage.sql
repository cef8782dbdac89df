-- plan: metrics shrinkage
-- step: m_agent_states aggregates pause_s, logged_in_s
WITH m_agent_states AS (
  SELECT
    d_agent,
    __period,
    SUM(
      CASE
        WHEN state = 'pause'
        THEN toUnixTimestamp64Micro(toDateTime64(ended_at, 6)) / 1000000.0 - toUnixTimestamp64Micro(toDateTime64(started_at, 6)) / 1000000.0
      END
    ) AS m__pause_s,
    SUM(
      CASE
        WHEN state <> 'offline'
        THEN toUnixTimestamp64Micro(toDateTime64(ended_at, 6)) / 1000000.0 - toUnixTimestamp64Micro(toDateTime64(started_at, 6)) / 1000000.0
      END
    ) AS m__logged_in_s
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
    FROM agent_states AS x
    WHERE
      x.started_at >= toDateTime64('2025-12-31 17:00:00', 6, 'UTC')
      AND x.started_at < toDateTime64('2026-03-31 17:00:00', 6, 'UTC')
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_agent_states.d_agent AS Nullable(String)) AS "agent",
  CAST(m_agent_states.__period AS Nullable(String)) AS "period",
  CAST(COALESCE(m_agent_states.m__pause_s, 0) AS Nullable(Float64)) / nullIf(COALESCE(m_agent_states.m__logged_in_s, 0), 0) AS "shrinkage"
FROM m_agent_states
ORDER BY
  1,
  2
