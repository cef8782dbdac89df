"""Alerts on the dashboard: what fires now, as the server's last check recorded it."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from telekpi.engine.lookup import Lookup
from telekpi.web.auth import User
from telekpi.web.pages import PageDep

router = APIRouter(include_in_schema=False)


def visible(user: User, alerts: list[dict], team_of: dict[str, str | None]) -> list[dict]:
    """Admins see every alert; supervisors those of their teams and their agents; agents theirs."""
    if user.role == "admin":
        return alerts
    out = []
    for a in alerts:
        dim, _, value = (a["scope"] or "").partition(" ")
        supervised = user.role == "supervisor" and ((dim == "team" and value in user.teams)
                                                    or (dim == "agent" and team_of.get(value) in user.teams))
        own = user.role == "agent" and dim == "agent" and value == user.agent_id
        if supervised or own:
            out.append(a)
    return out


@router.get("/alerts")
def alerts_page(p: PageDep) -> HTMLResponse:
    state = p.request.app.state.web
    active = state.workspace.alerts.active()
    agents = [a[6:] for a in (x["scope"] or "" for x in active) if a.startswith("agent ")]
    team_of = {a["agent_id"]: a["team_id"] for a in Lookup(p.engine).agents(agents)}
    return p.render("alerts.html", alerts=visible(p.user, active, team_of))
