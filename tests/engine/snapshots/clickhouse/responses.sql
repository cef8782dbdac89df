-- plan: metrics responses
-- step: m_surveys aggregates responses
WITH m_surveys AS (
  SELECT
    d_agent,
    __period,
    COUNT(*) AS m__responses
  FROM (
    SELECT
      x.*,
      COALESCE(x.agent_id, cl.agent_id) AS d_agent,
      CAST(dateTrunc(
        'MONTH',
        fromUnixTimestamp64Micro(
          CAST(toUnixTimestamp64Micro(toDateTime64(x.answered_at, 6)) + 25200000000 AS Nullable(Int64))
        )
      ) AS Nullable(DATE)) AS __period
    FROM surveys AS x
    LEFT JOIN calls AS cl
      ON cl.call_id = x.call_id
    WHERE
      x.answered_at >= toDateTime64('2025-12-31 17:00:00', 6, 'UTC')
      AND x.answered_at < toDateTime64('2026-03-31 17:00:00', 6, 'UTC')
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_surveys.d_agent AS Nullable(String)) AS "agent",
  CAST(m_surveys.__period AS Nullable(String)) AS "period",
  COALESCE(m_surveys.m__responses, 0) AS "responses"
FROM m_surveys
ORDER BY
  1,
  2
