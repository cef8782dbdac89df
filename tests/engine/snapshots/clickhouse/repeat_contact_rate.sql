-- plan: metrics repeat_contact_rate
-- step: m_contacts aggregates repeat_contacts, contacts
WITH _fcr_base AS (
  SELECT
    c.call_id AS call_id,
    c.started_at AS started_at,
    c.agent_id AS agent_id,
    c.campaign_id AS campaign_id,
    c.lead_id AS lead_id,
    c.queue AS queue,
    c.status AS status,
    c.direction AS direction,
    c.disposition AS disposition,
    c.script AS script,
    CASE
      WHEN (
        CASE WHEN c.direction = 'inbound' THEN c.caller_number ELSE c.called_number END
      ) LIKE '+%'
      THEN (
        CASE WHEN c.direction = 'inbound' THEN c.caller_number ELSE c.called_number END
      )
    END AS customer_number
  FROM calls AS c
  WHERE
    c.direction = 'inbound'
    AND (
      c.status = 'answered'
      OR (
        NOT (
          c.queued_at IS NULL
        )
        OR NOT (
          c.queue IS NULL
        )
        OR NOT (
          c.agent_id IS NULL
        )
      )
    )
), _fcr_pairs AS (
  SELECT DISTINCT
    first_id,
    later_id,
    later_status
  FROM (
    SELECT
      a.call_id AS first_id,
      b.call_id AS later_id,
      b.status AS later_status
    FROM _fcr_base AS a
    JOIN _fcr_base AS b
      ON b.lead_id = a.lead_id
    WHERE
      a.status = 'answered'
      AND b.started_at > a.started_at
      AND toUnixTimestamp64Micro(toDateTime64(b.started_at, 6)) / 1000000.0 - toUnixTimestamp64Micro(toDateTime64(a.started_at, 6)) / 1000000.0 <= 7.0 * 86400
    UNION ALL
    SELECT
      a.call_id AS first_id,
      b.call_id AS later_id,
      b.status AS later_status
    FROM _fcr_base AS a
    JOIN _fcr_base AS b
      ON b.customer_number = a.customer_number
    WHERE
      a.status = 'answered'
      AND b.started_at > a.started_at
      AND toUnixTimestamp64Micro(toDateTime64(b.started_at, 6)) / 1000000.0 - toUnixTimestamp64Micro(toDateTime64(a.started_at, 6)) / 1000000.0 <= 7.0 * 86400
  ) AS t
), _contacts AS (
  SELECT
    b.call_id AS call_id,
    b.started_at AS started_at,
    b.agent_id AS agent_id,
    b.campaign_id AS campaign_id,
    b.lead_id AS lead_id,
    b.queue AS queue,
    b.status AS status,
    b.direction AS direction,
    b.disposition AS disposition,
    b.script AS script,
    b.customer_number AS customer_number,
    NOT (
      f.first_id IS NULL
    ) AS repeated,
    NOT (
      p.later_id IS NULL
    ) AS is_repeat
  FROM _fcr_base AS b
  LEFT JOIN (
    SELECT DISTINCT
      first_id
    FROM _fcr_pairs
  ) AS f
    ON f.first_id = b.call_id
  LEFT JOIN (
    SELECT DISTINCT
      later_id
    FROM _fcr_pairs
    WHERE
      later_status = 'answered'
  ) AS p
    ON p.later_id = b.call_id
  WHERE
    b.status = 'answered'
), m_contacts AS (
  SELECT
    d_agent,
    __period,
    COUNT(CASE WHEN is_repeat THEN 1 END) AS m__repeat_contacts,
    COUNT(*) AS m__contacts
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
    FROM _contacts AS x
    WHERE
      x.started_at >= toDateTime64('2025-12-31 17:00:00', 6, 'UTC')
      AND x.started_at < toDateTime64('2026-03-31 17:00:00', 6, 'UTC')
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_contacts.d_agent AS Nullable(String)) AS "agent",
  CAST(m_contacts.__period AS Nullable(String)) AS "period",
  CAST(COALESCE(m_contacts.m__repeat_contacts, 0) AS Nullable(Float64)) / nullIf(COALESCE(m_contacts.m__contacts, 0), 0) AS "repeat_contact_rate"
FROM m_contacts
ORDER BY
  1,
  2
