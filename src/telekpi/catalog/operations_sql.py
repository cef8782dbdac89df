"""The rows of the operations models (docs/operations.md): lost inbound calls and whether the
customer was reached again, callbacks promised and whether they were kept, and handled
inbound contacts and whether the customer came back. Each is a chain of CTEs (a model's
``preludes``) over the canonical tables, in DuckDB's dialect; ``catalog/models.py`` makes
them models, so every engine computes them from the same syntax tree.

One customer across calls: the same lead (``lead_id``), or the same phone number — the
caller's on an inbound call, the number dialled on an outbound one — when it is a full
international number (E.164, ``+`` first: ``model/phones.py``); an extension, "anonymous"
or a number written some other way matches nothing. A customer with two numbers is one
customer when the calls carry their lead.

Placeholders are the catalog's (``catalog/snippets.py``): settings by name, ``{flag:NAME}``.
Each prelude's name is its model's own, so one query can hold several models.
"""

from __future__ import annotations

# The customer's number of a call of the table aliased ``{t}``, when it can match.
_CUSTOMER = ("CASE WHEN (CASE WHEN {t}.direction = 'inbound' THEN {t}.caller_number "
             "ELSE {t}.called_number END) LIKE '+%' THEN (CASE WHEN {t}.direction = 'inbound' "
             "THEN {t}.caller_number ELSE {t}.called_number END) END")

# How a lost call of the table aliased ``{t}`` was lost: it rang an agent (missed), or none.
LOST_HOW = "CASE WHEN {t}.agent_id IS NOT NULL THEN 'missed' ELSE 'abandoned' END"


def customer_number(alias: str) -> str:
    """The customer's number of a call of the table aliased ``alias``, when it can match."""
    return _CUSTOMER.format(t=alias)


# An inbound call that reached a queue (entered one, or names one) or rang an agent.
_REACHED_US = "(c.queued_at IS NOT NULL OR c.queue IS NOT NULL OR c.agent_id IS NOT NULL)"

# -- lost calls ------------------------------------------------------------------------------
# A lost call: an inbound call that reached a queue (entered or names one) or rang an agent
# (an agent on an unanswered inbound call is the agent it rang), and was not answered; a
# short abandon (short_abandon_s, the queue metrics' rule) is not one, nor an IVR-only call.
LOST_BASE = f"""
  SELECT c.call_id AS call_id, c.started_at AS started_at, c.agent_id AS agent_id, c.campaign_id AS
         campaign_id, c.lead_id AS lead_id, c.queue AS queue, c.status AS status,
         c.disposition AS disposition, c.script AS script, c.wait_s AS wait_s, c.ring_s AS ring_s,
         c.hangup_by AS hangup_by, c.caller_number AS caller_number,
         {_CUSTOMER.format(t="c")} AS customer_number,
         {LOST_HOW.format(t="c")} AS lost_how
  FROM calls c
  WHERE c.direction = 'inbound' AND c.status <> 'answered' AND {_REACHED_US}
    AND NOT coalesce(c.status = 'abandoned' AND c.wait_s < {{short_abandon_s}}, FALSE)"""

# Every answered call that reaches a lost call's customer within recovery_window_h after it:
# our call to them (outbound) or their own call answered (inbound); by lead and by number.
_REACH_PART = """
  SELECT l.call_id AS lost_id, r.call_id AS call_id, r.started_at AS started_at, r.agent_id AS
         agent_id, r.direction AS direction, r.disposition AS disposition
  FROM _lost_base l
  JOIN (SELECT c.call_id AS call_id, c.started_at AS started_at, c.agent_id AS agent_id,
               c.direction AS direction, c.disposition AS disposition, c.lead_id AS lead_id,
               {customer} AS customer_number
        FROM calls c WHERE c.status = 'answered') r
    ON r.{key} = l.{key}
  WHERE r.started_at > l.started_at
    AND epoch(r.started_at) - epoch(l.started_at) <= {{recovery_window_h}} * 3600"""
LOST_REACH = f"""
  SELECT * FROM (
    SELECT t.*, {{flag:sale}} AS sale_flag,
           row_number() OVER (PARTITION BY t.lost_id ORDER BY t.started_at, t.call_id) AS n
    FROM ({_REACH_PART.format(customer=_CUSTOMER.format(t="c"), key="lead_id")}
          UNION ALL
          {_REACH_PART.format(customer=_CUSTOMER.format(t="c"), key="customer_number")}) t
  ) t WHERE t.n = 1"""

# The orders a reach sold: a completed order naming the reaching call, or one of the lost
# call's lead placed from the reach to recovery_window_h after it.
LOST_SOLD = """
  SELECT r.lost_id AS lost_id FROM _lost_reach r
  JOIN orders o ON o.call_id = r.call_id
  WHERE o.status = 'completed'
  UNION
  SELECT r.lost_id AS lost_id FROM _lost_reach r
  JOIN _lost_base l ON l.call_id = r.lost_id
  JOIN orders o ON o.lead_id = l.lead_id
  WHERE o.status = 'completed' AND o.ordered_at >= r.started_at
    AND epoch(o.ordered_at) - epoch(r.started_at) <= {recovery_window_h} * 3600"""

# Columns named one by one, never ``l.*``: ClickHouse names a star's columns ``l.x`` when
# the join has another ``x``.
_LOST_BASE_COLUMNS = ("call_id", "started_at", "agent_id", "campaign_id", "lead_id", "queue",
                      "status", "disposition", "script", "wait_s", "ring_s", "hangup_by",
                      "caller_number", "customer_number", "lost_how")
_CB_BASE_COLUMNS = ("call_id", "started_at", "agent_id", "campaign_id", "lead_id", "queue",
                    "direction", "status", "disposition", "script", "customer_number", "callback_id",
                    "due_epoch")
_FCR_BASE_COLUMNS = ("call_id", "started_at", "agent_id", "campaign_id", "lead_id", "queue",
                     "status", "direction", "disposition", "script", "customer_number")


def _columns(alias: str, names: tuple[str, ...]) -> str:
    return ",\n         ".join(f"{alias}.{c} AS {c}" for c in names)


LOST_CALLS = """
  SELECT {l_columns}, r.call_id AS reached_call_id, r.started_at AS reached_at,
         r.agent_id AS reached_by,
         CASE WHEN r.direction = 'outbound' THEN 'callback' WHEN r.direction = 'inbound'
              THEN 'retry' END AS reached_how,
         r.call_id IS NOT NULL AS recovered,
         CASE WHEN r.call_id IS NOT NULL THEN epoch(r.started_at) - epoch(l.started_at) END
             AS recovery_s,
         r.call_id IS NOT NULL AND (r.sale_flag OR s.lost_id IS NOT NULL) AS recovered_sale
  FROM _lost_base l
  LEFT JOIN (SELECT lost_id, call_id, started_at, agent_id, direction, sale_flag
             FROM _lost_reach) r ON r.lost_id = l.call_id
  LEFT JOIN _lost_sold s ON s.lost_id = l.call_id""".replace(
    "{l_columns}", _columns("l", _LOST_BASE_COLUMNS))

LOST_PRELUDES = (("_lost_base", LOST_BASE), ("_lost_reach", LOST_REACH),
                 ("_lost_sold", LOST_SOLD), ("_lost_calls", LOST_CALLS))
LOST_COLUMNS = ("call_id", "started_at", "agent_id", "campaign_id", "lead_id", "queue", "status",
                "disposition", "wait_s", "ring_s", "hangup_by", "caller_number", "customer_number",
                "lost_how", "reached_call_id", "reached_at", "reached_by", "reached_how",
                "recovered", "recovery_s", "recovered_sale")

# -- callbacks -------------------------------------------------------------------------------
# A callback promised: a call whose disposition carries the callback flag, and a callback the
# dialer scheduled (``scheduled_callbacks``, VICIdial's callback list) that no such call set.
# A scheduled callback belongs to the callback call of its lead that started last at or before
# it was set, up to SET_WITHIN_S before (the agent saves the disposition after the call); of
# several set after one call the last set stands (a rescheduled callback). A callback is due
# at the dialer's time where there is one, else callback_due_h after the call that promised it
# (``due_epoch``, in seconds since 1970: a number, the same on every engine); kept by the first
# outbound call to the same customer (lead or number) after the promise, answered or not; on
# time when that call started by the due time plus callback_tolerance_min; late when after;
# never while none came; pending while not yet due (due plus tolerance still ahead) and not kept.
SET_WITHIN_S = 12 * 3600
CB_MATCH = f"""
  SELECT t.callback_id AS callback_id, t.call_id AS call_id FROM (
    SELECT s.callback_id AS callback_id, c.call_id AS call_id,
           row_number() OVER (PARTITION BY s.callback_id ORDER BY c.started_at DESC, c.call_id DESC)
               AS n
    FROM scheduled_callbacks s JOIN calls c ON c.lead_id = s.lead_id
    WHERE {{flag:callback}} AND c.started_at <= s.scheduled_at
      AND epoch(s.scheduled_at) - epoch(c.started_at) <= {SET_WITHIN_S}
  ) t WHERE t.n = 1"""
CB_DUE = """
  SELECT t.call_id AS call_id, t.callback_id AS callback_id, t.due_at AS due_at FROM (
    SELECT m.call_id AS call_id, s.callback_id AS callback_id, s.due_at AS due_at,
           row_number() OVER (PARTITION BY m.call_id ORDER BY s.scheduled_at DESC, s.callback_id DESC)
               AS n
    FROM _cb_match m JOIN scheduled_callbacks s ON s.callback_id = m.callback_id
  ) t WHERE t.n = 1"""
_KEEP_PART = """
  SELECT b.cb_key AS cb_id, k.call_id AS call_id, k.started_at AS started_at, k.agent_id AS
         agent_id
  FROM _cb_base b
  JOIN (SELECT c.call_id AS call_id, c.started_at AS started_at, c.agent_id AS agent_id,
               c.lead_id AS lead_id, {customer} AS customer_number
        FROM calls c WHERE c.direction = 'outbound') k
    ON k.{key} = b.{key}
  WHERE k.started_at > b.started_at"""
CB_BASE = f"""
  SELECT c.call_id AS cb_key, c.call_id AS call_id, c.started_at AS started_at, c.agent_id AS
         agent_id, c.campaign_id AS campaign_id, c.lead_id AS lead_id, c.queue AS queue,
         c.direction AS direction, c.status AS status, c.disposition AS disposition,
         c.script AS script, {_CUSTOMER.format(t="c")} AS customer_number,
         d.callback_id AS callback_id,
         coalesce(epoch(d.due_at), epoch(c.started_at) + {{callback_due_h}} * 3600) AS due_epoch
  FROM calls c LEFT JOIN _cb_due d ON d.call_id = c.call_id WHERE {{flag:callback}}
  UNION ALL
  SELECT 'callback ' || s.callback_id AS cb_key, CAST(NULL AS VARCHAR) AS call_id,
         s.scheduled_at AS started_at, s.agent_id AS agent_id, s.campaign_id AS campaign_id,
         s.lead_id AS lead_id, CAST(NULL AS VARCHAR) AS queue, CAST(NULL AS VARCHAR) AS direction,
         CAST(NULL AS VARCHAR) AS status, CAST(NULL AS VARCHAR) AS disposition,
         CAST(NULL AS VARCHAR) AS script, CAST(NULL AS VARCHAR) AS customer_number,
         s.callback_id AS callback_id, epoch(s.due_at) AS due_epoch
  FROM scheduled_callbacks s LEFT JOIN _cb_match m ON m.callback_id = s.callback_id
  WHERE m.callback_id IS NULL"""
CB_KEPT = f"""
  SELECT * FROM (
    SELECT t.*, row_number() OVER (PARTITION BY t.cb_id ORDER BY t.started_at, t.call_id) AS n
    FROM ({_KEEP_PART.format(customer=_CUSTOMER.format(t="c"), key="lead_id")}
          UNION ALL
          {_KEEP_PART.format(customer=_CUSTOMER.format(t="c"), key="customer_number")}) t
  ) t WHERE t.n = 1"""
CALLBACKS = """
  SELECT {b_columns}, k.call_id AS kept_call_id, k.started_at AS kept_at, k.agent_id AS kept_by,
         CASE WHEN k.call_id IS NOT NULL THEN epoch(k.started_at) - b.due_epoch END
             AS lateness_s,
         CASE WHEN k.call_id IS NOT NULL
                   AND epoch(k.started_at) - b.due_epoch <= {callback_tolerance_min} * 60
              THEN 'on_time'
              WHEN k.call_id IS NOT NULL THEN 'late'
              WHEN epoch(current_timestamp) - b.due_epoch > {callback_tolerance_min} * 60
              THEN 'never'
              ELSE 'pending' END AS outcome
  FROM _cb_base b
  LEFT JOIN (SELECT cb_id, call_id, started_at, agent_id FROM _cb_kept) k ON k.cb_id = b.cb_key
  """.replace("{b_columns}", _columns("b", _CB_BASE_COLUMNS))
CB_PRELUDES = (("_cb_match", CB_MATCH), ("_cb_due", CB_DUE), ("_cb_base", CB_BASE),
               ("_cb_kept", CB_KEPT), ("_callbacks", CALLBACKS))
CB_COLUMNS = ("call_id", "started_at", "agent_id", "campaign_id", "lead_id", "queue", "direction",
              "status", "disposition", "customer_number", "callback_id", "due_epoch",
              "kept_call_id", "kept_at", "kept_by", "lateness_s", "outcome")

# -- first-contact resolution ----------------------------------------------------------------
# A contact: an inbound call answered. It is resolved at first contact when the same customer
# (lead or number) does not contact us again — an inbound call that reached a queue or an
# agent — within fcr_window_days after it; it is a repeat contact when the customer had a
# contact (answered) within fcr_window_days before it.
_PAIR_PART = """
  SELECT a.call_id AS first_id, b.call_id AS later_id, b.status AS later_status
  FROM _fcr_base a
  JOIN _fcr_base b ON b.{key} = a.{key}
  WHERE a.status = 'answered' AND b.started_at > a.started_at
    AND epoch(b.started_at) - epoch(a.started_at) <= {{fcr_window_days}} * 86400"""
FCR_BASE = f"""
  SELECT c.call_id AS call_id, c.started_at AS started_at, c.agent_id AS agent_id, c.campaign_id AS
         campaign_id, c.lead_id AS lead_id, c.queue AS queue, c.status AS status,
         c.direction AS direction, c.disposition AS disposition, c.script AS script,
         {_CUSTOMER.format(t="c")} AS customer_number
  FROM calls c WHERE c.direction = 'inbound' AND (c.status = 'answered' OR {_REACHED_US})"""
FCR_PAIRS = f"""
  SELECT DISTINCT first_id, later_id, later_status FROM (
    {_PAIR_PART.format(key="lead_id")}
    UNION ALL
    {_PAIR_PART.format(key="customer_number")}) t"""
CONTACTS = """
  SELECT {b_columns}, f.first_id IS NOT NULL AS repeated, p.later_id IS NOT NULL AS is_repeat
  FROM _fcr_base b
  LEFT JOIN (SELECT DISTINCT first_id FROM _fcr_pairs) f ON f.first_id = b.call_id
  LEFT JOIN (SELECT DISTINCT later_id FROM _fcr_pairs WHERE later_status = 'answered') p
    ON p.later_id = b.call_id
  WHERE b.status = 'answered'""".replace("{b_columns}", _columns("b", _FCR_BASE_COLUMNS))
FCR_PRELUDES = (("_fcr_base", FCR_BASE), ("_fcr_pairs", FCR_PAIRS), ("_contacts", CONTACTS))
FCR_COLUMNS = ("call_id", "started_at", "agent_id", "campaign_id", "lead_id", "queue", "status",
               "direction", "disposition", "customer_number", "repeated", "is_repeat")
