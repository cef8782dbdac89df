-- plan: metrics rejected_calls
-- step: m_lost_calls aggregates lost_calls_rejected
WITH _lost_base AS (
  SELECT
    c.call_id AS call_id,
    c.started_at AS started_at,
    c.agent_id AS agent_id,
    c.campaign_id AS campaign_id,
    c.lead_id AS lead_id,
    c.queue AS queue,
    c.status AS status,
    c.disposition AS disposition,
    c.script AS script,
    c.wait_s AS wait_s,
    c.ring_s AS ring_s,
    c.hangup_by AS hangup_by,
    c.caller_number AS caller_number,
    CASE
      WHEN (
        CASE WHEN c.direction = 'inbound' THEN c.caller_number ELSE c.called_number END
      ) LIKE '+%'
      THEN (
        CASE WHEN c.direction = 'inbound' THEN c.caller_number ELSE c.called_number END
      )
    END AS customer_number,
    CASE WHEN NOT (
      c.agent_id IS NULL
    ) THEN 'missed' ELSE 'abandoned' END AS lost_how
  FROM calls AS c
  WHERE
    c.direction = 'inbound'
    AND c.status <> 'answered'
    AND (
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
    AND NOT COALESCE(c.status = 'abandoned' AND c.wait_s < 0.0, FALSE)
), _lost_reach AS (
  SELECT
    *
  FROM (
    SELECT
      t.*,
      (
        UPPER(TRIM(disposition)) IN ('SALE')
      ) AS sale_flag,
      ROW_NUMBER() OVER (PARTITION BY t.lost_id ORDER BY t.started_at, t.call_id) AS n
    FROM (
      SELECT
        l.call_id AS lost_id,
        r.call_id AS call_id,
        r.started_at AS started_at,
        r.agent_id AS agent_id,
        r.direction AS direction,
        r.disposition AS disposition
      FROM _lost_base AS l
      JOIN (
        SELECT
          c.call_id AS call_id,
          c.started_at AS started_at,
          c.agent_id AS agent_id,
          c.direction AS direction,
          c.disposition AS disposition,
          c.lead_id AS lead_id,
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
          c.status = 'answered'
      ) AS r
        ON r.lead_id = l.lead_id
      WHERE
        r.started_at > l.started_at
        AND toUnixTimestamp64Micro(toDateTime64(r.started_at, 6)) / 1000000.0 - toUnixTimestamp64Micro(toDateTime64(l.started_at, 6)) / 1000000.0 <= 24.0 * 3600
      UNION ALL
      SELECT
        l.call_id AS lost_id,
        r.call_id AS call_id,
        r.started_at AS started_at,
        r.agent_id AS agent_id,
        r.direction AS direction,
        r.disposition AS disposition
      FROM _lost_base AS l
      JOIN (
        SELECT
          c.call_id AS call_id,
          c.started_at AS started_at,
          c.agent_id AS agent_id,
          c.direction AS direction,
          c.disposition AS disposition,
          c.lead_id AS lead_id,
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
          c.status = 'answered'
      ) AS r
        ON r.customer_number = l.customer_number
      WHERE
        r.started_at > l.started_at
        AND toUnixTimestamp64Micro(toDateTime64(r.started_at, 6)) / 1000000.0 - toUnixTimestamp64Micro(toDateTime64(l.started_at, 6)) / 1000000.0 <= 24.0 * 3600
    ) AS t
  ) AS t
  WHERE
    t.n = 1
), _lost_sold AS (
  SELECT
    r.lost_id AS lost_id
  FROM _lost_reach AS r
  JOIN orders AS o
    ON o.call_id = r.call_id
  WHERE
    o.status = 'completed'
  UNION DISTINCT
  SELECT
    r.lost_id AS lost_id
  FROM _lost_reach AS r
  JOIN _lost_base AS l
    ON l.call_id = r.lost_id
  JOIN orders AS o
    ON o.lead_id = l.lead_id
  WHERE
    o.status = 'completed'
    AND o.ordered_at >= r.started_at
    AND toUnixTimestamp64Micro(toDateTime64(o.ordered_at, 6)) / 1000000.0 - toUnixTimestamp64Micro(toDateTime64(r.started_at, 6)) / 1000000.0 <= 24.0 * 3600
), _lost_calls AS (
  SELECT
    l.call_id AS call_id,
    l.started_at AS started_at,
    l.agent_id AS agent_id,
    l.campaign_id AS campaign_id,
    l.lead_id AS lead_id,
    l.queue AS queue,
    l.status AS status,
    l.disposition AS disposition,
    l.script AS script,
    l.wait_s AS wait_s,
    l.ring_s AS ring_s,
    l.hangup_by AS hangup_by,
    l.caller_number AS caller_number,
    l.customer_number AS customer_number,
    l.lost_how AS lost_how,
    r.call_id AS reached_call_id,
    r.started_at AS reached_at,
    r.agent_id AS reached_by,
    CASE
      WHEN r.direction = 'outbound'
      THEN 'callback'
      WHEN r.direction = 'inbound'
      THEN 'retry'
    END AS reached_how,
    NOT (
      r.call_id IS NULL
    ) AS recovered,
    CASE
      WHEN NOT (
        r.call_id IS NULL
      )
      THEN toUnixTimestamp64Micro(toDateTime64(r.started_at, 6)) / 1000000.0 - toUnixTimestamp64Micro(toDateTime64(l.started_at, 6)) / 1000000.0
    END AS recovery_s,
    NOT (
      r.call_id IS NULL
    )
    AND (
      r.sale_flag OR NOT (
        s.lost_id IS NULL
      )
    ) AS recovered_sale
  FROM _lost_base AS l
  LEFT JOIN (
    SELECT
      lost_id,
      call_id,
      started_at,
      agent_id,
      direction,
      sale_flag
    FROM _lost_reach
  ) AS r
    ON r.lost_id = l.call_id
  LEFT JOIN _lost_sold AS s
    ON s.lost_id = l.call_id
), m_lost_calls AS (
  SELECT
    d_agent,
    __period,
    COUNT(CASE WHEN lost_how = 'missed' AND hangup_by = 'agent' THEN 1 END) AS m__lost_calls_rejected
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
    FROM _lost_calls AS x
    WHERE
      x.started_at >= toDateTime64('2025-12-31 17:00:00', 6, 'UTC')
      AND x.started_at < toDateTime64('2026-03-31 17:00:00', 6, 'UTC')
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_lost_calls.d_agent AS Nullable(String)) AS "agent",
  CAST(m_lost_calls.__period AS Nullable(String)) AS "period",
  COALESCE(m_lost_calls.m__lost_calls_rejected, 0) AS "rejected_calls"
FROM m_lost_calls
ORDER BY
  1,
  2
