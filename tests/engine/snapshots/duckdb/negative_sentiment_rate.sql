-- plan: metrics negative_sentiment_rate
-- step: m_call_sentiment aggregates negative_calls, sentiment_calls
WITH m_call_sentiment AS (
  SELECT
    d_agent,
    __period,
    COUNT(*) FILTER(WHERE
      NOT sentiment IS NULL AND negative = 1) AS m__negative_calls,
    COUNT(*) FILTER(WHERE
      NOT sentiment IS NULL) AS m__sentiment_calls
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
  CAST(COALESCE(m_call_sentiment.m__negative_calls, 0) AS DOUBLE) / NULLIF(COALESCE(m_call_sentiment.m__sentiment_calls, 0), 0) AS "negative_sentiment_rate"
FROM m_call_sentiment
ORDER BY
  1,
  2
