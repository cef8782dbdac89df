-- plan: metrics agent_talk_ratio
-- step: m_call_speech aggregates agent_talk_sum, party_talk_sum
WITH m_call_speech AS (
  SELECT
    d_agent,
    __period,
    SUM(CASE WHEN layout = 'stereo' THEN agent_talk_s END) AS m__agent_talk_sum,
    SUM(CASE WHEN layout = 'stereo' THEN agent_talk_s + customer_talk_s END) AS m__party_talk_sum
  FROM (
    SELECT
      x.*,
      x.agent_id AS d_agent,
      CAST(dateTrunc(
        'MONTH',
        fromUnixTimestamp64Micro(
          CAST(toUnixTimestamp64Micro(toDateTime64(x.started_at, 6)) + 25200000000 AS Nullable(Int64))
        )
      ) AS Nullable(DATE)) AS __period
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
      x.started_at >= toDateTime64('2025-12-31 17:00:00', 6, 'UTC')
      AND x.started_at < toDateTime64('2026-03-31 17:00:00', 6, 'UTC')
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_call_speech.d_agent AS Nullable(String)) AS "agent",
  CAST(m_call_speech.__period AS Nullable(String)) AS "period",
  CAST(COALESCE(m_call_speech.m__agent_talk_sum, 0) AS Nullable(Float64)) / nullIf(COALESCE(m_call_speech.m__party_talk_sum, 0), 0) AS "agent_talk_ratio"
FROM m_call_speech
ORDER BY
  1,
  2
