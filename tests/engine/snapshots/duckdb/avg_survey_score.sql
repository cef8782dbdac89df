-- plan: metrics avg_survey_score
-- step: m_surveys aggregates score_share_sum, responses
WITH m_surveys AS (
  SELECT d_agent, __period, sum(score / scale_max) AS m__score_share_sum, count(*) AS m__responses
  FROM (
    SELECT x.*, coalesce(x.agent_id, cl.agent_id) AS d_agent, CAST(date_trunc('month', make_timestamp(epoch_us(x.answered_at) + 25200000000)) AS DATE) AS __period
    FROM surveys x
    LEFT JOIN calls cl ON cl.call_id = x.call_id
    WHERE x.answered_at >= TIMESTAMPTZ '2025-12-31 17:00:00+00' AND x.answered_at < TIMESTAMPTZ '2026-03-31 17:00:00+00'
  ) x
  GROUP BY d_agent, __period
)
SELECT CAST(m_surveys.d_agent AS VARCHAR) AS "agent", CAST(m_surveys.__period AS VARCHAR) AS "period", CAST(coalesce(m_surveys.m__score_share_sum, 0) AS DOUBLE) / nullif(coalesce(m_surveys.m__responses, 0), 0) AS "avg_survey_score"
FROM m_surveys
ORDER BY 1 NULLS LAST, 2 NULLS LAST
