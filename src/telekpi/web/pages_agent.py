"""An agent's own page, "My day": their KPIs against their own targets, how far they are from
the next reward tier of the KPI template that covers them, their position among peers of
the same kind of work (not the peers' names or numbers, unless the workspace allows it),
and their recent calls. No centre figures: an agent's numbers are theirs."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from telekpi.analysis.standing import standing
from telekpi.engine.lookup import Scope
from telekpi.engine.request import Request as KpiRequest
from telekpi.engine.review_view import reviews
from telekpi.errors import NotFoundError
from telekpi.i18n import _
from telekpi.targets.scorecard import scorecard
from telekpi.web.pages import AGENT_KPIS, PageDep
from telekpi.web.pages_overview import templates_of

router = APIRouter(include_in_schema=False)


def my_card(p, agent_id: str) -> dict | None:
    """The agent's scorecard row from the first KPI template covering the view's last day that
    scores them, with the template and the next tier up: None without one."""
    for t in templates_of(p):
        if not t.start <= p.filters.end <= t.end:
            continue
        card = scorecard(p.engine, t, p.filters.end)
        mine = next((a for a in card["agents"] if a["agent"] == agent_id), None)
        if mine is None:
            continue
        score = mine["score"]
        ahead = [tier for tier in t.tiers if score is None or tier.min > score]
        nxt = ahead[0] if ahead else None
        return {"template": t.name, "period": (t.start, t.end), "elapsed": card["elapsed"],
                "row": mine, "tiers": t.tiers,
                "next": {"label": nxt.label, "min": nxt.min, "bonus": nxt.bonus,
                         "gap": None if score is None else nxt.min - score} if nxt else None}
    return None


@router.get("/my-day")
def my_day(p: PageDep) -> HTMLResponse:
    agent_id = p.user.agent_id
    if p.user.role != "agent" or not agent_id:
        raise NotFoundError(_("My day is an agent's page; this account is not an agent's"))
    agent = p.look.agent(agent_id) or {"agent_id": agent_id}
    f = p.filters
    where = (("agent", agent_id),)
    metrics = [m for m in AGENT_KPIS if p.engine.supports(m, {"agent"})]
    today_row = p.engine.query(KpiRequest(tuple(metrics), start=f.end, end=f.end, where=where)).rows[0]
    window_row = p.engine.query(KpiRequest(tuple(metrics), start=f.start, end=f.end, where=where)).rows[0]
    leaderboard = p.engine.settings.agents_see_leaderboard
    return p.render("my_day.html", agent=agent, metrics=metrics, today=today_row, window=window_row,
                    card=my_card(p, agent_id), standing=standing(p.engine, agent_id, f.window, leaderboard),
                    calls=p.look.recent_calls(agent_id, limit=20).rows,
                    reviews=reviews(p.look, Scope(agent=agent_id), first_only=True, limit=30))
