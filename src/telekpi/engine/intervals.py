"""The queue's history by interval (15, 30 or 60 minutes of local time), the engine's side of
workforce management (``telekpi.wfm``): per interval and optionally per queue or campaign,
the calls offered (the catalog's ``offered``: inbound calls that entered a queue or name
one), answered and abandoned, answered within a threshold, the time waited, the handle time
of the answered calls and the agents who answered them.

A call counts in the interval it arrived in the queue (``queued_at``, else ``started_at``).
Like every query of the engine, values go in as parameters and the SQL is a tree."""

from __future__ import annotations

from datetime import date, datetime

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
SELECT time_bucket(to_minutes(CAST($minutes AS BIGINT)),
                   timezone($tz, coalesce(c.queued_at, c.started_at))) AS slot,
       $key AS key,
       count(*) AS offered,
       count(*) FILTER (WHERE c.status = 'answered') AS answered,
       count(*) FILTER (WHERE c.status = 'abandoned') AS abandoned,
       count(*) FILTER (WHERE c.wait_s IS NOT NULL) AS known_wait,
       count(*) FILTER (WHERE c.status = 'answered' AND c.wait_s IS NOT NULL
                        AND (c.wait_s < $threshold OR ($inclusive AND c.wait_s = $threshold))) AS in_threshold,
       coalesce(sum(c.wait_s) FILTER (WHERE c.status IN ('answered', 'abandoned')), 0) AS waited_s,
       coalesce(sum(c.wait_s) FILTER (WHERE c.status = 'answered'), 0) AS answered_wait_s,
       count(*) FILTER (WHERE c.status = 'answered' AND c.wait_s IS NOT NULL) AS answered_known_wait,
       coalesce(sum(c.talk_s + coalesce(c.hold_s, 0) + coalesce(c.wrap_s, 0))
                FILTER (WHERE c.status = 'answered' AND c.talk_s IS NOT NULL), 0) AS handle_s,
       count(*) FILTER (WHERE c.status = 'answered' AND c.talk_s IS NOT NULL) AS handled,
       count(DISTINCT c.agent_id) FILTER (WHERE c.status = 'answered') AS agents
FROM calls c
WHERE c.direction = 'inbound' AND (c.queued_at IS NOT NULL OR c.queue IS NOT NULL) AND $cond
GROUP BY ALL
ORDER BY slot, key
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
    query = view(_SQL, key=key, cond=exp.and_(*conds) if conds else exp.true())
    rows = engine.rows(query, params)
    for r in rows:
        if isinstance(r["slot"], datetime) and r["slot"].tzinfo is not None:
            r["slot"] = r["slot"].replace(tzinfo=None)
    return rows
