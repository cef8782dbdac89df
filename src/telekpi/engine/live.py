"""The wallboard's "now": the latest data time, each agent's state as of it, and the inbound
queues today. "Now" is the time of the latest data (a call's start, the end of an agent's
state), not the clock: a warehouse fed every few minutes, or the demo, shows the floor as
its data last saw it.

Like ``lookup``, every value goes in as a named parameter; ``Scope`` keeps a supervisor to
their teams' agents."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlglot import exp

from telekpi.engine.lookup import EVERYONE, Lookup, Scope
from telekpi.engine.scope import time_filter
from telekpi.model.tables import EARLIEST, LATEST
from telekpi.sql import column

STALE = timedelta(minutes=5)   # a state that ended longer before "now" than this: logged out
# The rule of the catalog's queue measures (60_queue.yaml): an inbound call that entered a
# queue, or names one.
QUEUED = "c.direction = 'inbound' AND (c.queued_at IS NOT NULL OR c.queue IS NOT NULL)"


def last_data(look: Lookup) -> datetime | None:
    """The latest call start or agent-state end within the days telekpi answers for."""
    tz = look.engine.settings.timezone
    calls = exp.and_(*time_filter(column("started_at"), False, tz, EARLIEST, LATEST))
    states = exp.and_(*time_filter(column("ended_at"), False, tz, EARLIEST, LATEST))
    row = look._rows("""
        SELECT (SELECT max(started_at) FROM calls WHERE $calls) AS calls,
               (SELECT max(ended_at) FROM agent_states WHERE $states) AS states""",
                     {}, calls=calls, states=states)[0]
    times = [t for t in (row["calls"], row["states"]) if t is not None]
    return max(times) if times else None


def agent_states(look: Lookup, now: datetime, scope: Scope = EVERYONE,
                 since: timedelta = timedelta(hours=16)) -> list[dict]:
    """Each agent in ``scope`` seen in the ``since`` before ``now``: their state as of ``now``
    and since when. A state that ended more than ``STALE`` before ``now`` means the agent has
    logged out (``offline``, since its end)."""
    cond, params = scope.calls_filter("s")
    rows = look._rows("""
        SELECT agent_id, team_id, name, state, reason, started_at, ended_at FROM (
            SELECT s.agent_id, a.team_id, a.name, s.state, s.reason, s.started_at, s.ended_at,
                   row_number() OVER (PARTITION BY s.agent_id ORDER BY s.started_at DESC) AS n
            FROM agent_states s LEFT JOIN agents a ON a.agent_id = s.agent_id
            WHERE s.started_at <= $now AND s.started_at >= $since AND $scope)
        WHERE n = 1 ORDER BY agent_id""",
                      {**params, "now": now, "since": now - since}, scope=cond)
    out = []
    for r in rows:
        ended = r["ended_at"]
        gone = ended is not None and ended < now - STALE
        state = "offline" if gone else r["state"]
        start = ended if gone else r["started_at"]
        out.append({"agent": r["agent_id"], "name": r["name"], "team": r["team_id"],
                    "state": state, "reason": None if gone else r["reason"], "since": start,
                    "seconds": max(0.0, (now - start).total_seconds())})
    return out


def queues(look: Lookup, start: datetime, now: datetime) -> list[dict]:
    """Per queue, the calls queued from ``start`` to ``now``: offered, answered, abandoned,
    the longest wait, and the calls waiting at ``now`` (queued, and their known wait runs
    past ``now``) with the longest of those waits so far. A call whose wait is unknown is
    counted in neither."""
    return look._rows(f"""
        SELECT coalesce(c.queue, '') AS queue, count(*) AS offered,
               count(*) FILTER (WHERE c.status = 'answered') AS answered,
               count(*) FILTER (WHERE c.status = 'abandoned') AS abandoned,
               max(c.wait_s) AS longest_wait_s,
               count(*) FILTER (WHERE coalesce(c.queued_at, c.started_at) <= $now
                   AND coalesce(c.queued_at, c.started_at) + to_seconds(c.wait_s) > $now) AS waiting,
               max(epoch($now) - epoch(coalesce(c.queued_at, c.started_at))) FILTER (
                   WHERE coalesce(c.queued_at, c.started_at) <= $now
                   AND coalesce(c.queued_at, c.started_at) + to_seconds(c.wait_s) > $now)
                   AS waiting_longest_s
        FROM calls c
        WHERE {QUEUED} AND c.started_at >= $start AND c.started_at <= $now
        GROUP BY 1 ORDER BY 1""", {"start": start, "now": now})
