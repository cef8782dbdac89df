"""Agent time for workforce management, the engine's side of ``telekpi.wfm.shrinkage``:
seconds per agent, team, state and pause reason over chosen local days, in SQL every engine
runs (the tree is transpiled like every query of the engine; values go in as parameters).

A state counts on the day it started (as the catalog's agent metrics do); offline time and
states that end before they start (quarantined at import, kept out here too) count nowhere."""

from __future__ import annotations

from datetime import date

from sqlglot import exp

from telekpi.engine.engine import Engine
from telekpi.engine.lookup import view
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
