-- plan: metrics csat
-- step: m_surveys aggregates satisfied_responses, responses
WITH m_surveys AS (
  SELECT
    d_agent,
    __period,
    COUNT(CASE WHEN score >= 0.8 * scale_max THEN 1 END) AS m__satisfied_responses,
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
  CAST(COALESCE(m_surveys.m__satisfied_responses, 0) AS Nullable(Float64)) / nullIf(COALESCE(m_surveys.m__responses, 0), 0) AS "csat"
FROM m_surveys
ORDER BY
  1,
  2
