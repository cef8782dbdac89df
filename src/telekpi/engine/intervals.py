"""The queue's history by interval (15, 30 or 60 minutes of local time), the engine's side of
workforce management (``telekpi.wfm``): per interval and optionally per queue or campaign,
the calls offered (the catalog's ``offered``: inbound calls that entered a queue or name
one), answered and abandoned, answered within a threshold, the time waited, the handle time
of the answered calls, the agents who answered them (``answering``) and the agents staffed
(``agents``): those who answered a call of the queue in the interval or were logged in
(an agent state other than offline overlapping it) on a day they answered its calls —
agent states name no queue, so an agent counts for the queues they worked that day.

A call counts in the interval it arrived in the queue (``queued_at``, else ``started_at``).
Like every query of the engine, values go in as parameters and the SQL is a tree."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlglot import exp

from telekpi.engine.engine import Engine
from telekpi.engine.lookup import one_of, view
from telekpi.engine.scope import time_filter
from telekpi.errors import UsageError
from telekpi.i18n import N_
from telekpi.sql import column

INTERVALS = (15, 30, 60)
GROUPS = {"queue": "queue", "campaign": "campaign_id"}

_SQL = """
WITH q AS (
    SELECT c.*, $key AS key,
           time_bucket(to_minutes(CAST($minutes AS BIGINT)),
                       timezone($tz, coalesce(c.queued_at, c.started_at))) AS slot
    FROM calls c
    WHERE c.direction = 'inbound' AND (c.queued_at IS NOT NULL OR c.queue IS NOT NULL) AND $cond
),
-- Who worked each queue (or campaign) on each local day: the agents who answered one of its calls.
workers AS (
    SELECT DISTINCT key, CAST(slot AS DATE) AS day, agent_id FROM q
    WHERE status = 'answered' AND agent_id IS NOT NULL
),
-- Each interval an agent state other than offline overlaps.
states AS (
    SELECT s.agent_id, unnest(generate_series(
               time_bucket(to_minutes(CAST($minutes AS BIGINT)), timezone($tz, s.started_at)),
               timezone($tz, s.ended_at) - INTERVAL 1 MICROSECOND,
               to_minutes(CAST($minutes AS BIGINT)))) AS slot
    FROM agent_states s
    WHERE s.state <> 'offline' AND s.ended_at > s.started_at AND $state_cond
),
-- Staffed: answered a call of the queue in the interval, or was logged in then on a day they
-- worked the queue.
present AS (
    SELECT key, slot, agent_id FROM q WHERE status = 'answered' AND agent_id IS NOT NULL
    UNION
    SELECT w.key, st.slot, st.agent_id FROM states st
    JOIN workers w ON w.agent_id = st.agent_id AND w.day = CAST(st.slot AS DATE)
),
staffed AS (SELECT key, slot, count(DISTINCT agent_id) AS agents FROM present GROUP BY ALL)
SELECT q.slot, q.key,
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
       coalesce(any_value(staffed.agents), 0) AS agents
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
    params: dict = {"minutes": minutes, "tz": tz, "inclusive": bool(settings.service_level_inclusive),
                    "threshold": float(settings.service_level_s if threshold_s is None else threshold_s)}
    for dim, values in (where or {}).items():
        cond, p = one_of(column(GROUPS[dim], "c"), f"w_{dim}", values)
        conds.append(cond)
        params |= p
    key = column(GROUPS[by], "c") if by else exp.Null()
    # States from a day before the first (a shift across midnight) to the end.
    state_conds = time_filter(column("started_at", "s"), False, tz,
                              start - timedelta(days=1) if start else None, end)
    query = view(_SQL, key=key, cond=exp.and_(*conds) if conds else exp.true(),
                 state_cond=exp.and_(*state_conds) if state_conds else exp.true())
    rows = engine.rows(query, params)
    for r in rows:
        if isinstance(r["slot"], datetime) and r["slot"].tzinfo is not None:
            r["slot"] = r["slot"].replace(tzinfo=None)
    return rows
