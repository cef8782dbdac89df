-- plan: metrics qa_pass_rate
-- step: m_qa_results aggregates qa_passed, qa_scored
WITH m_qa_results AS (
  SELECT
    d_agent,
    __period,
    COUNT(CASE WHEN NOT score IS NULL AND passed = 1 THEN 1 END) AS m__qa_passed,
    COUNT(CASE WHEN NOT score IS NULL THEN 1 END) AS m__qa_scored
  FROM (
    SELECT
      x.*,
      COALESCE(x.agent_id, cl.agent_id) AS d_agent,
      CAST(DATE_TRUNC('MONTH', TIMESTAMP_MICROS(UNIX_MICROS(x.started_at) + 25200000000)) AS DATE) AS __period
    FROM qa_results AS x
    LEFT JOIN calls AS cl
      ON cl.call_id = x.call_id
    WHERE
      x.started_at >= CAST('2025-12-31 17:00:00' AS TIMESTAMP)
      AND x.started_at < CAST('2026-03-31 17:00:00' AS TIMESTAMP)
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_qa_results.d_agent AS STRING) AS `agent`,
  CAST(m_qa_results.__period AS STRING) AS `period`,
  CAST(COALESCE(m_qa_results.m__qa_passed, 0) AS DOUBLE) / NULLIF(COALESCE(m_qa_results.m__qa_scored, 0), 0) AS `qa_pass_rate`
FROM m_qa_results
ORDER BY
  1 NULLS LAST,
  2 NULLS LAST
