-- plan: metrics callbacks_never
-- step: m_callbacks aggregates callbacks_never
WITH _cb_match AS (
  SELECT
    t.callback_id AS callback_id,
    t.call_id AS call_id
  FROM (
    SELECT
      s.callback_id AS callback_id,
      c.call_id AS call_id,
      ROW_NUMBER() OVER (PARTITION BY s.callback_id ORDER BY c.started_at DESC, c.call_id DESC) AS n
    FROM scheduled_callbacks AS s
    JOIN calls AS c
      ON c.lead_id = s.lead_id
    WHERE
      (
        UPPER(TRIM(disposition)) IN ('CALLBACK')
      )
      AND c.started_at <= s.scheduled_at
      AND toUnixTimestamp64Micro(toDateTime64(s.scheduled_at, 6)) / 1000000.0 - toUnixTimestamp64Micro(toDateTime64(c.started_at, 6)) / 1000000.0 <= 43200
  ) AS t
  WHERE
    t.n = 1
), _cb_due AS (
  SELECT
    t.call_id AS call_id,
    t.callback_id AS callback_id,
    t.due_at AS due_at
  FROM (
    SELECT
      m.call_id AS call_id,
      s.callback_id AS callback_id,
      s.due_at AS due_at,
      ROW_NUMBER() OVER (PARTITION BY m.call_id ORDER BY s.scheduled_at DESC, s.callback_id DESC) AS n
    FROM _cb_match AS m
    JOIN scheduled_callbacks AS s
      ON s.callback_id = m.callback_id
  ) AS t
  WHERE
    t.n = 1
), _cb_base AS (
  SELECT
    c.call_id AS cb_key,
    c.call_id AS call_id,
    c.started_at AS started_at,
    c.agent_id AS agent_id,
    c.campaign_id AS campaign_id,
    c.lead_id AS lead_id,
    c.queue AS queue,
    c.direction AS direction,
    c.status AS status,
    c.disposition AS disposition,
    c.script AS script,
    CASE
      WHEN (
        CASE WHEN c.direction = 'inbound' THEN c.caller_number ELSE c.called_number END
      ) LIKE '+%'
      THEN (
        CASE WHEN c.direction = 'inbound' THEN c.caller_number ELSE c.called_number END
      )
    END AS customer_number,
    d.callback_id AS callback_id,
    COALESCE(
      toUnixTimestamp64Micro(toDateTime64(d.due_at, 6)) / 1000000.0,
      toUnixTimestamp64Micro(toDateTime64(c.started_at, 6)) / 1000000.0 + 24.0 * 3600
    ) AS due_epoch
  FROM calls AS c
  LEFT JOIN _cb_due AS d
    ON d.call_id = c.call_id
  WHERE
    (
      UPPER(TRIM(disposition)) IN ('CALLBACK')
    )
  UNION ALL
  SELECT
    'callback ' || s.callback_id AS cb_key,
    CAST(NULL AS Nullable(String)) AS call_id,
    s.scheduled_at AS started_at,
    s.agent_id AS agent_id,
    s.campaign_id AS campaign_id,
    s.lead_id AS lead_id,
    CAST(NULL AS Nullable(String)) AS queue,
    CAST(NULL AS Nullable(String)) AS direction,
    CAST(NULL AS Nullable(String)) AS status,
    CAST(NULL AS Nullable(String)) AS disposition,
    CAST(NULL AS Nullable(String)) AS script,
    CAST(NULL AS Nullable(String)) AS customer_number,
    s.callback_id AS callback_id,
    toUnixTimestamp64Micro(toDateTime64(s.due_at, 6)) / 1000000.0 AS due_epoch
  FROM scheduled_callbacks AS s
  LEFT JOIN _cb_match AS m
    ON m.callback_id = s.callback_id
  WHERE
    m.callback_id IS NULL
), _cb_kept AS (
  SELECT
    *
  FROM (
    SELECT
      t.*,
      ROW_NUMBER() OVER (PARTITION BY t.cb_id ORDER BY t.started_at, t.call_id) AS n
    FROM (
      SELECT
        b.cb_key AS cb_id,
        k.call_id AS call_id,
        k.started_at AS started_at,
        k.agent_id AS agent_id
      FROM _cb_base AS b
      JOIN (
        SELECT
          c.call_id AS call_id,
          c.started_at AS started_at,
          c.agent_id AS agent_id,
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
          c.direction = 'outbound'
      ) AS k
        ON k.lead_id = b.lead_id
      WHERE
        k.started_at > b.started_at
      UNION ALL
      SELECT
        b.cb_key AS cb_id,
        k.call_id AS call_id,
        k.started_at AS started_at,
        k.agent_id AS agent_id
      FROM _cb_base AS b
      JOIN (
        SELECT
          c.call_id AS call_id,
          c.started_at AS started_at,
          c.agent_id AS agent_id,
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
          c.direction = 'outbound'
      ) AS k
        ON k.customer_number = b.customer_number
      WHERE
        k.started_at > b.started_at
    ) AS t
  ) AS t
  WHERE
    t.n = 1
), _callbacks AS (
  SELECT
    b.call_id AS call_id,
    b.started_at AS started_at,
    b.agent_id AS agent_id,
    b.campaign_id AS campaign_id,
    b.lead_id AS lead_id,
    b.queue AS queue,
    b.direction AS direction,
    b.status AS status,
    b.disposition AS disposition,
    b.script AS script,
    b.customer_number AS customer_number,
    b.callback_id AS callback_id,
    b.due_epoch AS due_epoch,
    k.call_id AS kept_call_id,
    k.started_at AS kept_at,
    k.agent_id AS kept_by,
    CASE
      WHEN NOT (
        k.call_id IS NULL
      )
      THEN toUnixTimestamp64Micro(toDateTime64(k.started_at, 6)) / 1000000.0 - b.due_epoch
    END AS lateness_s,
    CASE
      WHEN NOT (
        k.call_id IS NULL
      )
      AND toUnixTimestamp64Micro(toDateTime64(k.started_at, 6)) / 1000000.0 - b.due_epoch <= 15.0 * 60
      THEN 'on_time'
      WHEN NOT (
        k.call_id IS NULL
      )
      THEN 'late'
      WHEN toUnixTimestamp64Micro(toDateTime64(CURRENT_TIMESTAMP(), 6)) / 1000000.0 - b.due_epoch > 15.0 * 60
      THEN 'never'
      ELSE 'pending'
    END AS outcome
  FROM _cb_base AS b
  LEFT JOIN (
    SELECT
      cb_id,
      call_id,
      started_at,
      agent_id
    FROM _cb_kept
  ) AS k
    ON k.cb_id = b.cb_key
), m_callbacks AS (
  SELECT
    d_agent,
    __period,
    COUNT(CASE WHEN outcome = 'never' THEN 1 END) AS m__callbacks_never
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
    FROM _callbacks AS x
    WHERE
      x.started_at >= toDateTime64('2025-12-31 17:00:00', 6, 'UTC')
      AND x.started_at < toDateTime64('2026-03-31 17:00:00', 6, 'UTC')
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_callbacks.d_agent AS Nullable(String)) AS "agent",
  CAST(m_callbacks.__period AS Nullable(String)) AS "period",
  COALESCE(m_callbacks.m__callbacks_never, 0) AS "callbacks_never"
FROM m_callbacks
ORDER BY
  1,
  2
