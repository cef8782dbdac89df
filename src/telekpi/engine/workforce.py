"""Agent time for workforce management, the engine's side of ``telekpi.wfm.shrinkage``:
seconds per agent, team, state and pause reason over chosen local days, in SQL every engine
runs (the tree is transpiled like every query of the engine; values go in as parameters).

A state counts on the day it started (as the catalog's agent metrics do); offline time and
states that end before they start (quarantined at import, kept out here too) count nowhere."""

from __future__ import annotations

from datetime import date

from sqlglot import exp

from telekpi.engine.engine import Engine
from telekpi.engine.lookup import one_of, view
from telekpi.engine.scope import time_filter
from telekpi.sql import column

_SQL = """
SELECT s.agent_id AS agent_id, a.team_id AS team_id, s.state AS state, s.reason AS reason,
       sum(epoch(s.ended_at) - epoch(s.started_at)) AS seconds
FROM agent_states s LEFT JOIN agents a ON a.agent_id = s.agent_id
WHERE s.state <> 'offline' AND s.ended_at > s.started_at AND $cond
GROUP BY s.agent_id, a.team_id, s.state, s.reason
"""


def state_seconds(engine: Engine, start: date | None, end: date | None) -> list[dict]:
    """One row per agent, team, state (not offline) and reason with time in it: ``agent_id``,
    ``team_id``, ``state``, ``reason`` (None where the source gives none) and ``seconds``."""
    conds = time_filter(column("started_at", "s"), False, engine.settings.timezone, start, end)
    query = view(_SQL, cond=exp.and_(*conds) if conds else exp.true())
    return [{**r, "seconds": float(r["seconds"] or 0)} for r in engine.rows(query, {})]


_SCHEDULES = """
SELECT agent_id, starts_at, ends_at, activity FROM schedules x
WHERE x.ends_at > x.starts_at AND $cond
ORDER BY agent_id, starts_at
"""

_STATES = """
SELECT s.agent_id AS agent_id, s.state AS state, s.reason AS reason, s.started_at AS started_at,
       s.ended_at AS ended_at
FROM agent_states s
WHERE s.state <> 'offline' AND s.ended_at > s.started_at
  AND s.ended_at > $first AND s.started_at < $last AND $agents
ORDER BY s.agent_id, s.started_at
"""


def schedules(engine: Engine, start: date | None, end: date | None) -> list[dict]:
    """The scheduled activities that start on local days ``start`` … ``end``."""
    conds = time_filter(column("starts_at", "x"), False, engine.settings.timezone, start, end)
    return engine.rows(view(_SCHEDULES, cond=exp.and_(*conds) if conds else exp.true()), {})


def logged_in_states(engine: Engine, agents: list[str], first, last) -> list[dict]:
    """The logged-in states (every state but offline) of ``agents`` that overlap the instants
    ``first`` … ``last``, by agent and start."""
    if not agents:
        return []
    cond, params = one_of(column("agent_id", "s"), "agent", agents)
    return engine.rows(view(_STATES, agents=cond), {**params, "first": first, "last": last})
