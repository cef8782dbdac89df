-- plan: metrics avg_survey_score
-- step: m_surveys aggregates score_share_sum, responses
WITH m_surveys AS (
  SELECT
    d_agent,
    __period,
    SUM(score / scale_max) AS m__score_share_sum,
    COUNT(*) AS m__responses
  FROM (
    SELECT
      x.*,
      COALESCE(x.agent_id, cl.agent_id) AS d_agent,
      CAST(DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US(x.answered_at) + 25200000000)) AS DATE) AS __period
    FROM surveys AS x
    LEFT JOIN calls AS cl
      ON cl.call_id = x.call_id
    WHERE
      x.answered_at >= CAST('2025-12-31 17:00:00+00' AS TIMESTAMPTZ)
      AND x.answered_at < CAST('2026-03-31 17:00:00+00' AS TIMESTAMPTZ)
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_surveys.d_agent AS TEXT) AS "agent",
  CAST(m_surveys.__period AS TEXT) AS "period",
  CAST(COALESCE(m_surveys.m__score_share_sum, 0) AS DOUBLE) / NULLIF(COALESCE(m_surveys.m__responses, 0), 0) AS "avg_survey_score"
FROM m_surveys
ORDER BY
  1,
  2
