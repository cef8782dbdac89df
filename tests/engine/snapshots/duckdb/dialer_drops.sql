-- plan: metrics dialer_drops
-- step: m_calls aggregates dialer_drops
WITH m_calls AS (
  SELECT
    d_campaign,
    __period,
    COUNT(*) FILTER(WHERE
      status = 'abandoned' AND direction = 'outbound') AS m__dialer_drops
  FROM (
    SELECT
      x.*,
      x.campaign_id AS d_campaign,
      CAST(DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US(x.started_at) + 25200000000)) AS DATE) AS __period
    FROM calls AS x
    WHERE
      x.started_at >= CAST('2025-12-31 17:00:00+00' AS TIMESTAMPTZ)
      AND x.started_at < CAST('2026-03-31 17:00:00+00' AS TIMESTAMPTZ)
  ) AS x
  GROUP BY
    d_campaign,
    __period
)
SELECT
  CAST(m_calls.d_campaign AS TEXT) AS "campaign",
  CAST(m_calls.__period AS TEXT) AS "period",
  COALESCE(m_calls.m__dialer_drops, 0) AS "dialer_drops"
FROM m_calls
ORDER BY
  1,
  2
