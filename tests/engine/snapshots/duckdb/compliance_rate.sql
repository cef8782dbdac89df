-- plan: metrics compliance_rate
-- step: m_qa_results aggregates qa_compliant, qa_checked
WITH m_qa_results AS (
  SELECT
    d_agent,
    __period,
    COUNT(*) FILTER(WHERE
      compliant = 1) AS m__qa_compliant,
    COUNT(*) AS m__qa_checked
  FROM (
    SELECT
      x.*,
      COALESCE(x.agent_id, cl.agent_id) AS d_agent,
      CAST(DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US(x.started_at) + 25200000000)) AS DATE) AS __period
    FROM qa_results AS x
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
  CAST(m_qa_results.d_agent AS TEXT) AS "agent",
  CAST(m_qa_results.__period AS TEXT) AS "period",
  CAST(COALESCE(m_qa_results.m__qa_compliant, 0) AS DOUBLE) / NULLIF(COALESCE(m_qa_results.m__qa_checked, 0), 0) AS "compliance_rate"
FROM m_qa_results
ORDER BY
  1,
  2
