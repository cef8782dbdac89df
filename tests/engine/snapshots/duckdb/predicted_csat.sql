-- plan: metrics predicted_csat
-- step: m_call_sentiment aggregates predicted_csat_sum, predicted_calls
WITH m_call_sentiment AS (
  SELECT
    d_agent,
    __period,
    SUM(predicted_csat) FILTER(WHERE
      NOT predicted_csat IS NULL) AS m__predicted_csat_sum,
    COUNT(*) FILTER(WHERE
      NOT predicted_csat IS NULL) AS m__predicted_calls
  FROM (
    SELECT
      x.*,
      COALESCE(x.agent_id, cl.agent_id) AS d_agent,
      CAST(DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US(x.started_at) + 25200000000)) AS DATE) AS __period
    FROM call_sentiment AS x
    LEFT JOIN calls AS cl
      ON cl.call_id = x.call_id
    WHERE
      x.started_at >= CAST('2025-12-31 17:00:00+00' AS TIMESTAMPTZ)
      AND x.started_at < CAST('2026-03-31 17:00:00+00' AS TIMESTAMPTZ)
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_call_sentiment.d_agent AS TEXT) AS "agent",
  CAST(m_call_sentiment.__period AS TEXT) AS "period",
  CAST(COALESCE(m_call_sentiment.m__predicted_csat_sum, 0) AS DOUBLE) / NULLIF(COALESCE(m_call_sentiment.m__predicted_calls, 0), 0) AS "predicted_csat"
FROM m_call_sentiment
ORDER BY
  1,
  2
