"""The manager's overview: are we on target this month (and where will the month end at
this pace), what changed since the previous window and who changed it, what needs
attention now; every card, mover and alert a link to the rows behind it, filters kept.

``overview_answer`` is what both the page and ``GET /api/v1/overview`` give, so the two
show one set of numbers."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse

from telekpi.alerts.evaluate import evaluate, in_scope
from telekpi.analysis.movers import movers
from telekpi.analysis.pace import pace
from telekpi.days import end_of_day
from telekpi.engine.lookup import Lookup
from telekpi.errors import TelekpiError
from telekpi.targets.template import Template, load_template
from telekpi.web.filters import Filters
from telekpi.web.pages import HEADLINE, Page, PageDep, overview_cards

router = APIRouter(include_in_schema=False)

# Where a card leads: the page that breaks its metric down (sorted by it where it sorts).
BREAKDOWN = {"revenue": "/revenue", "profit": "/revenue", "csat": "/care",
             "abandonment_rate": "/campaigns", "drop_rate": "/campaigns",
             "speed_to_lead_5m_rate": "/funnel"}
# Where a mover or an alert about one value of a dimension leads.
DIM_PAGE = {"team": "/agents", "campaign": "/campaigns", "vendor": "/agents"}


def drill(filters: Filters, path: str, dim: str | None = None, value: str | None = None,
          **extra) -> str:
    """``path`` with the view's days and filters, ``dim`` narrowed to ``value`` (replacing the
    view's own filter of that dimension), and ``extra`` parameters."""
    if dim == "agent" and value is not None:
        where = [(d, v) for d, v in filters.where if d != "agent"]
        return f"/agents/{quote(value, safe='')}?" + urlencode(
            [("from", filters.start.isoformat()), ("to", filters.end.isoformat()), *where])
    where = [(d, v) for d, v in filters.where if d != dim] + ([(dim, value)] if dim and value else [])
    pairs = [("from", filters.start.isoformat()), ("to", filters.end.isoformat()), *where]
    return f"{path}?" + urlencode(pairs + [(k, v) for k, v in extra.items() if v is not None])


def card_link(filters: Filters, metric: str) -> str:
    path = BREAKDOWN.get(metric, "/agents")
    return drill(filters, path, sort=metric if path == "/agents" else None)


def templates_of(p: Page) -> list[Template]:
    """The workspace's KPI templates that load (a broken one is the Scorecards page's to report)."""
    folder = p.workspace.file("scorecards")
    out = []
    for f in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            out.append(load_template(f, p.engine.catalog))
        except TelekpiError:
            continue
    return out


def alerts_now(p: Page, view: Filters) -> list[dict]:
    """The alert rules evaluated over the view's days as of the end of its last day (as the
    report evaluates them), kept to the view's scope."""
    at = end_of_day(p.filters.end, p.engine.settings.tz)
    fired = evaluate(p.engine, p.workspace.alert_rules(), at, scope=p.filters.window)
    agents = [s[6:] for s in (a.scope or "" for a in fired) if s.startswith("agent ")]
    team_of = {a["agent_id"]: a["team_id"] for a in Lookup(p.engine).agents(agents)}
    out = []
    for a in in_scope(fired, p.where, team_of):
        dim, _sep, value = (a.scope or "").partition(" ")
        link = drill(view, DIM_PAGE.get(dim, "/alerts"), dim or None, value or None) \
            if dim else drill(view, BREAKDOWN.get(a.metric or "", "/alerts"))
        out.append({**a.to_json(), "link": link})
    return out


def overview_answer(p: Page) -> dict:
    """Cards, pace to the month's target, movers and alerts for ``p``'s view and user. Links
    carry the view's days and its filters with the user's limits (a supervisor's team), so
    the same view gives the same links whoever asked for the filters."""
    view = Filters(p.filters.start, p.filters.end, p.where)
    cards, hidden = overview_cards(p.engine, p.filters, p.where)
    for c in cards:
        c["link"] = card_link(view, c["id"])
    on_target = pace(p.engine, HEADLINE, p.filters.end, p.where, templates_of(p))
    for item in on_target["items"]:
        item["link"] = card_link(view, item["metric"])
    moved = movers(p.engine, p.filters.window, p.where, name_of=p.names.of)
    for m in moved:
        for dim, groups in m["movers"].items():
            for g in groups:
                g["link"] = drill(view, DIM_PAGE.get(dim, "/agents"), dim, g["key"])
    return {"cards": cards, "hidden": hidden, "pace": on_target, "movers": moved,
            "alerts": alerts_now(p, view)}


@router.get("/")
def overview(p: PageDep):
    if p.user.role == "agent":
        return RedirectResponse("/my-day?" + p.filters.query(), status_code=303)
    return overview_page(p)


def overview_page(p: Page) -> HTMLResponse:
    return p.render("overview.html", **overview_answer(p))
