-- plan: metrics interruptions_per_call
-- step: m_call_speech aggregates agent_interruptions_sum, stereo_calls
WITH m_call_speech AS (
  SELECT
    d_agent,
    __period,
    SUM(agent_interruptions) FILTER(WHERE
      layout = 'stereo') AS m__agent_interruptions_sum,
    COUNT(*) FILTER(WHERE
      layout = 'stereo') AS m__stereo_calls
  FROM (
    SELECT
      x.*,
      x.agent_id AS d_agent,
      CAST(DATE_TRUNC('MONTH', MAKE_TIMESTAMP(EPOCH_US(x.started_at) + 25200000000)) AS DATE) AS __period
    FROM (
      SELECT
        s.call_id,
        s.layout,
        s.duration_s,
        s.speech_s,
        s.silence_s,
        s.longest_silence_s,
        s.agent_talk_s,
        s.customer_talk_s,
        s.agent_talk_ratio,
        s.overtalk_s,
        s.agent_interruptions,
        s.customer_interruptions,
        s.longest_monologue_s,
        s.first_words_s,
        s.switches_per_min,
        c.started_at,
        c.agent_id,
        c.campaign_id,
        c.lead_id,
        c.script,
        c.direction,
        c.queue,
        c.status,
        c.disposition
      FROM call_speech AS s
      JOIN calls AS c
        ON c.call_id = s.call_id
    ) AS x
    WHERE
      x.started_at >= CAST('2025-12-31 17:00:00+00' AS TIMESTAMPTZ)
      AND x.started_at < CAST('2026-03-31 17:00:00+00' AS TIMESTAMPTZ)
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_call_speech.d_agent AS TEXT) AS "agent",
  CAST(m_call_speech.__period AS TEXT) AS "period",
  CAST(COALESCE(m_call_speech.m__agent_interruptions_sum, 0) AS DOUBLE) / NULLIF(COALESCE(m_call_speech.m__stereo_calls, 0), 0) AS "interruptions_per_call"
FROM m_call_speech
ORDER BY
  1,
  2
