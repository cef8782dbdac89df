"""The pages about people: the leaderboard of agents and teams (like with like), an agent's
page (their trends, connection rate by weekday and hour, their calls and reviews), and the
leads: search, the stop list, leads waiting too long for a first call, a lead's timeline."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from telekpi import presentation as charts
from telekpi.days import day_bounds
from telekpi.engine.engine import Engine
from telekpi.engine.lookup import Scope
from telekpi.engine.request import Request as KpiRequest
from telekpi.engine.review_view import reviews as call_reviews
from telekpi.errors import NotFoundError
from telekpi.i18n import _, translate
from telekpi.web.access import check_agent, scope_of
from telekpi.web.filters import period_links
from telekpi.web.pages import AGENT_KPIS, PageDep, weekdays
from telekpi.web.paging import PAGE_SIZE, offset_of

router = APIRouter(include_in_schema=False)


# -- agents ------------------------------------------------------------------------------
@router.get("/agents")
def agents(p: PageDep, group: str = "agent", sort: str = "call_conversion_rate",
           desc: bool = True) -> HTMLResponse:
    """The leaderboard: like with like. Agents (and teams) are ranked only among those of the
    same kind of work, on the KPIs that apply to it; sites and vendors mix kinds and are
    shown as they are."""
    from telekpi.catalog.applies import applicable, like_with_like
    from telekpi.model.tables import CAMPAIGN_KINDS

    if group not in ("agent", "team", "vendor", "site"):
        group = "agent"
    metrics = p.allowed(AGENT_KPIS)
    if sort not in metrics:
        sort = "call_conversion_rate"
    rows = p.engine.query(p.request_for(metrics, by=(group,), ci=True)).rows
    minimum = p.engine.settings.min_sample
    kinds = p.look.kinds(group, p.filters.start, p.filters.end) if group in ("agent", "team") else {}
    sections = []
    for kind in [*CAMPAIGN_KINDS, None]:
        mine = [r for r in rows if r[group] is not None and kinds.get(r[group]) == kind]
        if not mine:
            continue
        shown = applicable(p.engine.catalog, metrics, kind)
        key = sort if sort in shown else next(
            (m for m in ("call_conversion_rate", "csat") if m in shown), shown[-1])
        judged = [r for r in mine if (r.get("calls") or 0) >= minimum]
        few = [r for r in mine if (r.get("calls") or 0) < minimum]
        down = desc if key == sort else p.engine.catalog.metrics[key].better != "lower"
        judged.sort(key=_order(key, down))
        sections.append({"kind": kind, "metrics": shown, "rows": judged, "few": few, "sort": key,
                         "desc": down})
    compared = like_with_like(p.engine.catalog, metrics, [s["kind"] for s in sections]) \
        if kinds else None
    return p.render("agents.html", sections=sections, group=group, sort=sort, desc=desc,
                    metrics=metrics, min_sample=minimum, compared=compared)


def _order(key: str, desc: bool):
    """A leaderboard's sort key: by ``key`` (descending if ``desc``), missing values last."""
    def order(r: dict) -> tuple:
        v = r.get(key) or 0
        return (r.get(key) is None, -v if desc else v)
    return order


@router.get("/agents/{agent_id:path}")   # an id may hold "/" (sent as %2F)
def agent_page(agent_id: str, p: PageDep) -> HTMLResponse:
    agent = p.look.agent(agent_id)
    if not agent:
        raise NotFoundError(_("no agent {agent}").format(agent=repr(agent_id)))
    check_agent(p.user, agent_id, agent.get("team_id"))
    where = tuple(w for w in p.where if w[0] not in ("agent", "team")) + (("agent", agent_id),)
    f = p.filters
    kind = p.look.kinds("agent", f.start, f.end).get(agent_id)   # only the KPIs of their work
    metrics = [m for m in AGENT_KPIS if p.engine.supports(m, {"agent"})
               and p.engine.catalog.metrics[m].applies_to(kind)]
    samples = {m: n if (n := sample_metric(p.engine.catalog, m)) and p.engine.supports(n, {"agent"})
               else None for m in metrics}
    asked = tuple(dict.fromkeys([*metrics, *(n for n in samples.values() if n)]))
    trend = p.engine.query(KpiRequest(asked, period=f.trend_period(), start=f.start,
                                      end=f.end, where=where)).rows
    heat = p.engine.query(KpiRequest(("connection_rate",), by=("weekday", "hour"), start=f.start,
                                     end=f.end, where=where)).rows
    days = weekdays()
    z = [[None] * 24 for _ in days]
    for r in heat:
        if r["weekday"] is not None and r["hour"] is not None:
            z[int(r["weekday"]) - 1][int(r["hour"])] = r["connection_rate"]
    xs = [r["period"] for r in trend]
    # A point leads to that period's calls below (the agent's page over its days).
    links = period_links(f"/agents/{quote(agent_id, safe='')}", f, xs, f.trend_period(), "#calls")
    charts_ = [charts.with_links(trend_chart(p.engine, m, xs, trend, f.trend_period(), samples[m]), links)
               for m in metrics]
    return p.render("agent.html", agent=agent, charts=charts_,
                    heatmap=charts.heatmap(_("Connection rate by weekday and hour"), days,
                                           list(range(24)), z),
                    calls=p.look.recent_calls(agent_id, PAGE_SIZE, offset_of(p.request.query_params),
                                              f.start, f.end),
                    reviews=call_reviews(p.look, Scope(agent=agent_id), first_only=True, limit=20))


def sample_metric(catalog, metric_id: str) -> str | None:
    """The metric that counts what a rate is out of (calls for the connection rate, responses
    for CSAT), when the catalog has one: the n a trend shows beside each point."""
    m = catalog.metrics[metric_id]
    if not (m.is_proportion and m.type == "ratio"):
        return None
    den = m.part("denominator")
    return den if den in catalog.metrics else None


def trend_chart(engine: Engine, metric_id: str, xs: list, rows: list[dict], period: str,
                sample: str | None = None, title: str | None = None) -> dict:
    """A metric's trend over ``rows`` (one per period); a rate shows its sample beside each
    point, pale below the ``min_sample`` setting."""
    m = engine.catalog.metrics[metric_id]
    return charts.line(title or translate(m.name), xs, {translate(m.name): [r[metric_id] for r in rows]}, m.unit,
                       period=period, samples=[r.get(sample) for r in rows] if sample else None,
                       min_sample=engine.settings.min_sample,
                       sample_word=translate(engine.catalog.metrics[sample].name) if sample else None)


# -- leads -------------------------------------------------------------------------------
@router.get("/leads")
def leads_page(p: PageDep, q: str = "") -> HTMLResponse:
    scope = scope_of(p.user)
    # the leads that arrived in the view's local days
    since, until = day_bounds(p.filters.start, p.filters.end, p.engine.settings.tz)
    found = p.look.search_leads(q, scope, limit=PAGE_SIZE + 1) if q else None   # one more: "more than"
    return p.render("leads.html", q=q, found=found[:PAGE_SIZE] if found else found, page_size=PAGE_SIZE,
                    more=bool(found and len(found) > PAGE_SIZE),
                    stop=p.look.stop_list(scope, PAGE_SIZE, offset_of(p.request.query_params, "stop_page")),
                    slow=p.look.slow_leads(since, scope, limit=PAGE_SIZE, until=until,
                                           offset=offset_of(p.request.query_params, "slow_page")),
                    max_attempts=p.engine.settings.max_unanswered_attempts)


@router.get("/leads/{lead_id:path}")   # an id may hold "/" (sent as %2F)
def lead_page(lead_id: str, p: PageDep) -> HTMLResponse:
    scope = scope_of(p.user)
    lead = p.look.lead(lead_id, scope)
    if not lead:
        raise NotFoundError(_("no lead {lead} that you may see").format(lead=repr(lead_id)))
    return p.render("lead.html", lead=lead, timeline=p.look.timeline(lead_id, scope))
