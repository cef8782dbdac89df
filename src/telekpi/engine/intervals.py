"""The queue's history by interval (15, 30 or 60 minutes of local time), the engine's side of
workforce management (``telekpi.wfm``): per interval and optionally per queue or campaign,
the calls offered (the catalog's ``offered``: inbound calls that entered a queue or name
one), answered and abandoned, answered within a threshold, the time waited, the handle time
of the answered calls, the agents who answered them (``answering``) and the agents staffed
(``agents``): those who answered a call of the queue in the interval or were logged in
(an agent state other than offline overlapping it) on a day they answered its calls —
agent states name no queue, so an agent counts for the queues they worked that day.

A call counts in the interval it arrived in the queue (``queued_at``, else ``started_at``).
Like every query of the engine, the SQL is a tree and runs on DuckDB, Spark and ClickHouse:
an interval is a whole number, the local day's count from 1970-01-01 times the intervals of
a day plus the interval of the day, worked out from the local wall-clock time's date, hour
and minute (functions every engine has, ``engine/dialects.py``) and turned back into the
local start here. In a zone with DST the repeated hour of the autumn falls in the same
intervals twice and the skipped hour of the spring in none, on every engine alike."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlglot import exp

from telekpi.engine.engine import Engine
from telekpi.engine.lookup import one_of, view
from telekpi.engine.scope import local_time, time_filter
from telekpi.errors import UsageError
from telekpi.i18n import N_
from telekpi.sql import column

INTERVALS = (15, 30, 60)
GROUPS = {"queue": "queue", "campaign": "campaign_id"}

_SQL = """
WITH q AS (
    SELECT c.status, c.agent_id, c.wait_s, c.talk_s, c.hold_s, c.wrap_s, $key AS key, $slot AS slot
    FROM calls c
    WHERE c.direction = 'inbound' AND (c.queued_at IS NOT NULL OR c.queue IS NOT NULL) AND $cond
),
-- Who worked each queue (or campaign) on each local day: the agents who answered one of its calls.
workers AS (
    SELECT DISTINCT key, slot // $per_day AS day, agent_id FROM q
    WHERE status = 'answered' AND agent_id IS NOT NULL
),
-- The first and last interval an agent state other than offline overlaps.
spans AS (
    SELECT s.agent_id AS agent_id, $first AS first_slot, $last AS last_slot
    FROM agent_states s
    WHERE s.state <> 'offline' AND s.ended_at > s.started_at AND $state_cond
),
states AS (
    SELECT agent_id, unnest(range(first_slot, last_slot + 1)) AS slot FROM spans
    WHERE last_slot >= first_slot
),
-- Staffed: answered a call of the queue in the interval, or was logged in then on a day they
-- worked the queue.
present AS (
    SELECT key, slot, agent_id FROM q WHERE status = 'answered' AND agent_id IS NOT NULL
    UNION
    SELECT w.key AS key, st.slot AS slot, st.agent_id AS agent_id FROM states st
    JOIN workers w ON w.agent_id = st.agent_id AND w.day = st.slot // $per_day
),
staffed AS (SELECT key, slot, count(DISTINCT agent_id) AS agents FROM present GROUP BY key, slot)
SELECT q.slot AS slot, q.key AS key,
       count(*) AS offered,
       count(*) FILTER (WHERE q.status = 'answered') AS answered,
       count(*) FILTER (WHERE q.status = 'abandoned') AS abandoned,
       count(*) FILTER (WHERE q.wait_s IS NOT NULL) AS known_wait,
       count(*) FILTER (WHERE q.status = 'answered' AND q.wait_s IS NOT NULL
                        AND (q.wait_s < $threshold OR ($inclusive AND q.wait_s = $threshold))) AS in_threshold,
       coalesce(sum(q.wait_s) FILTER (WHERE q.status IN ('answered', 'abandoned')), 0) AS waited_s,
       coalesce(sum(q.wait_s) FILTER (WHERE q.status = 'answered'), 0) AS answered_wait_s,
       count(*) FILTER (WHERE q.status = 'answered' AND q.wait_s IS NOT NULL) AS answered_known_wait,
       coalesce(sum(q.talk_s + coalesce(q.hold_s, 0) + coalesce(q.wrap_s, 0))
                FILTER (WHERE q.status = 'answered' AND q.talk_s IS NOT NULL), 0) AS handle_s,
       count(*) FILTER (WHERE q.status = 'answered' AND q.talk_s IS NOT NULL) AS handled,
       count(DISTINCT q.agent_id) FILTER (WHERE q.status = 'answered') AS answering,
       coalesce(max(staffed.agents), 0) AS agents
FROM q LEFT JOIN staffed ON staffed.slot = q.slot AND staffed.key IS NOT DISTINCT FROM q.key
GROUP BY q.slot, q.key
ORDER BY q.slot, q.key
"""


def interval_history(engine: Engine, minutes: int, start: date | None = None, end: date | None = None,
                     by: str | None = None, where: dict[str, list[str]] | None = None,
                     threshold_s: float | None = None) -> list[dict]:
    """One row per interval that had offered calls (and per ``by`` value): ``slot`` (the
    interval's local start, a naive datetime), ``key`` (the queue or campaign, else None) and
    the counts and sums above. ``where`` keeps only some queues or campaigns; the threshold
    defaults to the workspace's service_level_s."""
    if minutes not in INTERVALS:
        raise UsageError(N_("{given} is not an interval; use 15m, 30m or 60m"), field="interval",
                         value=f"{minutes}m")
    for dim in [by, *(where or {})]:
        if dim is not None and dim not in GROUPS:
            raise UsageError(N_("{given} cannot split the queue's history; use one of {allowed}"),
                             field="by", value=dim, allowed=list(GROUPS))
    settings = engine.settings
    tz = settings.timezone
    conds: list[exp.Expr] = time_filter(column("started_at", "c"), False, tz, start, end)
    params: dict = {}
    for dim, values in (where or {}).items():
        cond, p = one_of(column(GROUPS[dim], "c"), f"w_{dim}", values)
        conds.append(cond)
        params |= p
    key = column(GROUPS[by], "c") if by else exp.Null()
    # States from a day before the first (a shift across midnight) to the end.
    state_conds = time_filter(column("started_at", "s"), False, tz,
                              start - timedelta(days=1) if start else None, end)
    # The last interval a state overlaps holds its last microsecond.
    last = exp.Sub(this=column("ended_at", "s"),
                   expression=exp.Interval(this=exp.Literal.string("1"), unit=exp.var("MICROSECOND")))
    threshold = float(settings.service_level_s if threshold_s is None else threshold_s)
    query = view(_SQL, key=key, cond=exp.and_(*conds) if conds else exp.true(),
                 state_cond=exp.and_(*state_conds) if state_conds else exp.true(),
                 slot=slot_number(tz, minutes, column("queued_at", "c"), column("started_at", "c")),
                 first=slot_number(tz, minutes, column("started_at", "s")),
                 last=slot_number(tz, minutes, last),
                 per_day=exp.Literal.number(24 * 60 // minutes),
                 threshold=exp.Literal.number(repr(threshold)),
                 inclusive=exp.true() if settings.service_level_inclusive else exp.false())
    rows = engine.rows(query, params)
    for r in rows:
        r["slot"] = slot_start(int(r["slot"]), minutes)
    rows.sort(key=lambda r: (r["slot"], r["key"] is None, r["key"] or ""))
    return rows


_EPOCH = date(1970, 1, 1)

_SLOT = """SELECT date_diff('day', DATE '1970-01-01', CAST($local AS DATE)) * $per_day
                  + (hour($local) * 60 + minute($local)) // $minutes"""


def slot_number(tz: str, minutes: int, *instants: exp.Expr) -> exp.Expr:
    """The interval of the local time of the first of ``instants`` that is not null, as a
    whole number: the local day's count from 1970-01-01 × intervals a day + the interval of
    the day (every engine has the date, hour and minute of a time)."""
    instant = instants[0] if len(instants) == 1 else exp.Coalesce(this=instants[0], expressions=list(instants[1:]))
    tree = view(_SLOT, local=local_time(tz, instant), per_day=exp.Literal.number(24 * 60 // minutes),
                minutes=exp.Literal.number(minutes))
    return tree.expressions[0]


def slot_start(number: int, minutes: int) -> datetime:
    """The local start (a naive datetime) of the interval ``slot_number`` gives ``number``."""
    day, index = divmod(number, 24 * 60 // minutes)
    return datetime.combine(_EPOCH + timedelta(days=day), time()) + timedelta(minutes=minutes * index)
