"""An agent's standing among their peers: those of the same kind of work (like with like),
with enough calls to judge (``min_sample``), ranked on the KPI that judges that work
(conversion for sales, CSAT for care). The agent learns their position ("#7 of 23"); who
the others are and their numbers are given only when the workspace lets agents see the
leaderboard (``agents_see_leaderboard``)."""

from __future__ import annotations

from telekpi.analysis.ranking import rank
from telekpi.analysis.windows import Window
from telekpi.catalog.applies import applicable
from telekpi.engine.lookup import Lookup
from telekpi.engine.request import Request

RANK_BY = ("call_conversion_rate", "csat", "connection_rate")


def standing(engine, agent_id: str, window: Window, peers_shown: bool = False) -> dict:
    """``agent_id``'s position among the agents of their kind of work over ``window``."""
    look = Lookup(engine)
    kinds = look.kinds("agent", window.start, window.end)
    kind = kinds.get(agent_id)
    shown = applicable(engine.catalog, list(RANK_BY), kind)
    metric = next((m for m in RANK_BY if m in shown and engine.supports(m, {"agent"})), None)
    out: dict = {"kind": kind, "metric": metric, "position": None, "of": 0, "value": None,
                 "judged": False, "calls": 0, "peers": None, "min_sample": engine.settings.min_sample}
    if metric is None:
        return out
    rows = engine.query(Request((metric, "calls"), by=("agent",), start=window.start,
                                end=window.end)).rows
    same = [r for r in rows if r["agent"] is not None and kinds.get(r["agent"]) == kind]
    ranking = rank(same, metric, engine.catalog.metrics[metric].better, sample="calls",
                   min_sample=engine.settings.min_sample)
    mine = next((r for r in same if r["agent"] == agent_id), None)
    out["of"] = len(ranking.ranked)
    if mine is not None:
        out["value"], out["calls"] = mine.get(metric), mine.get("calls") or 0
    for i, r in enumerate(ranking.ranked, 1):
        if r["agent"] == agent_id:
            out["position"], out["judged"] = i, True
    if peers_shown:
        out["peers"] = [{"position": i, "agent": r["agent"], "value": r[metric], "calls": r["calls"]}
                        for i, r in enumerate(ranking.ranked, 1)]
    return out
