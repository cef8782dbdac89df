"""Dashboard pages: server-rendered HTML, charts drawn by the app's own Plotly.

Every filter lives in the URL (``Filters``); every number comes from the
engine, scoped to what the user may see (``access``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from telekpi import presentation as charts
from telekpi.analysis.funnel import summary as funnel_summary
from telekpi.analysis.movers import amount, movers
from telekpi.analysis.windows import window
from telekpi.engine.engine import Engine
from telekpi.engine.lookup import Lookup
from telekpi.engine.names import Names
from telekpi.engine.request import Request as KpiRequest
from telekpi.i18n import N_, NAMES, _, current, gettext, ngettext, translate
from telekpi.i18n.words import AGENT_STATES, KINDS, band_text, dim_name, level_name, remainder_label, stage_name, word
from telekpi.units import currency as units_currency
from telekpi.units import formatter, human
from telekpi.web.access import AGENT_HOME, check_page, pages_of, scope_of, scoped_where
from telekpi.web.auth import User
from telekpi.web.filters import Filters
from telekpi.web.http import authenticate, html
from telekpi.web.naming import name_of, named, scope_named, showing
from telekpi.web.paging import page_query
from telekpi.web.state import WebState
from telekpi.workspace import SharedWorkspace

router = APIRouter(include_in_schema=False)

HEADLINE = ("calls", "connection_rate", "aht", "abandonment_rate", "drop_rate",
            "call_conversion_rate", "speed_to_lead_5m_rate", "revenue", "profit", "csat")
AGENT_KPIS = ("calls", "connection_rate", "aht", "call_conversion_rate", "revenue", "csat")
NAV = (("/my-day", N_("My day")), ("/", N_("Overview")), ("/funnel", N_("Funnel")), ("/agents", N_("Agents")),
       ("/campaigns", N_("Campaigns")), ("/scorecards", N_("Scorecards")), ("/revenue", N_("Revenue & P&L")),
       ("/care", N_("Quality")), ("/leads", N_("Leads")), ("/best-time", N_("Best time")),
       ("/alerts", N_("Alerts")), ("/wallboard", N_("Wallboard")), ("/operations", N_("Operations")))
# Pages under one entry of the navigation (the entry's own page first): each shows them as
# tabs at its top, and the entry stays marked on every one of them.
GROUPS = {
    "/care": (N_("Quality"), (("/care", N_("CSAT & care")), ("/qa", N_("Call quality")),
                              ("/qa/review", N_("Review queue")), ("/qa/calibration", N_("Calibration")))),
    "/operations": (N_("Operations"), (("/operations", N_("Lost calls & callbacks")),
                                       ("/operations/compliance", N_("Rules kept")),
                                       ("/operations/numbers", N_("Caller IDs")),
                                       ("/operations/attempts", N_("Attempts")), ("/staffing", N_("Staffing")))),
}


def _under(path: str, href: str) -> bool:
    """Is ``path`` the page ``href`` or one of its own sub-pages (/qa/review/C1 of /qa/review)?"""
    return path == href or (href != "/" and path.startswith(href + "/"))


def group_of(path: str) -> str | None:
    """The navigation entry whose tabs hold ``path``, if any: the tab that holds it most
    closely (/qa/review/C1 is the review queue's, not Call quality's)."""
    for entry, (_label, tabs) in GROUPS.items():
        if any(_under(path, href) for href, _l in tabs):
            return entry
    return None


class Page:
    """What every page handler needs: the user, CSRF token, engine, filters."""

    def __init__(self, request: Request, user: User, csrf: str | None, engine: Engine):
        self.request, self.user, self.csrf, self.engine = request, user, csrf, engine
        self.look = Lookup(engine)
        _first, last = self.look.data_range()
        self.default_end = _local_date(last, engine.settings.tz) if last else self.now().date()
        self.filters = Filters.from_query(request.query_params, self.default_end)
        self.where = scoped_where(user, self.filters.where)
        self.names = Names(self.look, scope_of(user))   # read once per request, in the user's scope

    def now(self) -> datetime:
        """Now in the workspace's zone, by the app's clock (``WebState.clock``)."""
        return self.request.app.state.web.clock().astimezone(self.engine.settings.tz)

    @property
    def workspace(self) -> SharedWorkspace:
        return self.request.app.state.web.workspace

    def request_for(self, metrics, filters: Filters | None = None, **kw) -> KpiRequest:
        f = filters or self.filters
        return KpiRequest(tuple(metrics), start=f.start, end=f.end, where=self.where, **kw)

    def allowed(self, metrics) -> list[str]:
        """The metrics this user's filters can be applied to (others cannot be scoped)."""
        dims = {d for d, _ in self.where}
        return [m for m in metrics if self.engine.supports(m, dims)]

    def not_applicable(self, metrics, by=()) -> list[str]:
        """Why each of ``metrics`` that has no value for this scope (split ``by``) has none:
        the sentences a page shows where it leaves them out."""
        dims = [d for d, _ in self.where] + list(by)
        return [why for m in metrics if (why := self.engine.why_not(m, dims))]

    def nav(self) -> list[tuple[str, str, bool]]:
        """The pages of this user's role, each with whether it is the page shown (or the
        group of tabs it is in): an agent's own day and pages, every other page for the rest
        ("My day" is an agent's only)."""
        allowed = pages_of(self.user, self.engine.settings.agents_see_leaderboard)
        path, group = self.request.url.path, group_of(self.request.url.path)
        return [(href, label, href == group or (group is None and _under(path, href)))
                for href, label in NAV
                if (href != AGENT_HOME if allowed is None else href in allowed)]

    def tabs(self) -> tuple[str, list[tuple[str, str, bool]]] | None:
        """The tabs of the group the page is in (those this user may open), with the one
        shown marked; None for a page in no group."""
        path = self.request.url.path
        group = group_of(path)
        if group is None:
            return None
        allowed = pages_of(self.user, self.engine.settings.agents_see_leaderboard)
        label, tabs = GROUPS[group]
        shown = [(href, name) for href, name in tabs if allowed is None or href in allowed]
        current = max((href for href, _n in shown if _under(path, href)), key=len, default=None)
        return label, [(href, name, href == current) for href, name in shown]

    def render(self, template: str, **context) -> HTMLResponse:
        base = {"user": self.user, "csrf": self.csrf, "filters": self.filters, "nav": self.nav(),
                "tabs": self.tabs(),
                "lang": current(),
                "path": self.request.url.path, "choices": self.look.choices(scope_of(self.user)),
                "currency": self.engine.settings.currency, "catalog": self.engine.catalog.metrics}
        with showing(self.names):
            return html(self.request, template, {**base, **context})


def change_class(change, better) -> str:
    """A change's class on a page: "up" (good), "down" (bad) or "" (``charts.good_change``)."""
    good = charts.good_change(change, better)
    return "" if good is None else ("up" if good else "down")


def weekdays() -> list[str]:
    """Monday … Sunday, abbreviated in the language in use."""
    fmt = formatter(current())
    return [fmt.weekday(d) for d in range(1, 8)]


@pass_context
def lang_query(ctx, code: str) -> str:
    """This page's query string with ``lang`` set: the language switcher keeps the view."""
    request = ctx.get("request")
    pairs = [(k, v) for k, v in (request.query_params.multi_items() if request else []) if k != "lang"]
    return urlencode(pairs + [("lang", code)])


def _local_date(ts: datetime, zone: ZoneInfo) -> date:
    """The local day of ``ts``; today for a time Python cannot place there (``Lookup.data_range``
    keeps to the days telekpi answers for, so only a caller that did not ask it sees one)."""
    try:
        return ts.astimezone(zone).date()
    except (AttributeError, OverflowError):
        return date.today()


def page(request: Request) -> Iterator[Page]:
    user, csrf = authenticate(request)
    with request.app.state.web.workspace.session() as engine:
        check_page(user, request.url.path, engine.settings.agents_see_leaderboard)
        yield Page(request, user, csrf, engine)


PageDep = Annotated[Page, Depends(page)]


def setup_templates(templates: Jinja2Templates, ws: SharedWorkspace) -> None:
    env = templates.env
    env.add_extension("jinja2.ext.i18n")
    # jinja2.ext.i18n adds this method to the environment when loaded; jinja2's types cannot declare it.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: gettext(s), ngettext=ngettext, newstyle=False)
    env.globals.update(translate=translate, dim_name=dim_name, remainder_label=remainder_label,
                       stage_name=stage_name, level_name=level_name, kind_name=lambda k: word(KINDS, k),
                       state_name=lambda s: word(AGENT_STATES, s), mover_amount=amount,
                       band_label=band_text, languages=list(NAMES.items()), lang_query=lang_query,
                       named=named, name_of=name_of, scope_named=scope_named,
                       page_query=page_query)
    env.filters["human"] = human
    env.filters["change"] = lambda v: formatter(current()).change(v)   # as the reports write it
    env.filters["compact"] = lambda v, unit: formatter(current(), units_currency()).compact(v, unit)
    env.globals["change_class"] = change_class
    env.filters["tojson_safe"] = lambda obj: json.dumps(obj, default=str).replace("</", "<\\/")
    env.filters["plotly_json"] = lambda fig: env.filters["tojson_safe"](charts.plotly_only(fig))
    env.filters["urlq"] = lambda s: quote(str(s), safe="")
    zone = ws.settings.tz

    def timestamp(t) -> str:
        """A moment (epoch seconds or a datetime from the warehouse, in UTC) in workspace
        time, written as the page's language writes it."""
        if isinstance(t, (int, float)):
            t = datetime.fromtimestamp(t, zone)
        if isinstance(t, str) and len(t) > 10:
            try:
                t = datetime.fromisoformat(t)
            except ValueError:   # a time Python cannot hold (year 10000 in an old warehouse): as stored
                return t
        if isinstance(t, datetime) and t.tzinfo is not None:
            t = t.astimezone(zone)
        return human(t, "datetime")

    env.filters["timestamp"] = timestamp

    def band_colour(metric_id: str, value, industry=None) -> str:
        m = ws.catalog.metrics.get(metric_id)
        b = m.band(value, industry) if m else None
        return charts.BAND_COLOURS.get(b.level, "#57606a") if b else "#57606a"

    def band_name(metric_id: str, value, industry=None) -> str:
        m = ws.catalog.metrics.get(metric_id)
        b = m.band(value, industry) if m else None
        return band_text(b) if b else ""

    def band_text_colour(metric_id: str, value) -> str:
        """The band's colour for text on the light page and behind white text (a wallboard
        tile): ``charts.BAND_TEXT_COLOURS``."""
        m = ws.catalog.metrics.get(metric_id)
        b = m.band(value) if m else None
        return charts.BAND_TEXT_COLOURS.get(b.level, charts.NEUTRAL) if b else charts.NEUTRAL

    def band_text_colour_of(band) -> str:
        return charts.BAND_TEXT_COLOURS.get(band.level, charts.NEUTRAL)

    env.globals.update(band_colour=band_colour, band_name=band_name, band_text_colour=band_text_colour,
                       band_text_colour_of=band_text_colour_of)


# -- overview ----------------------------------------------------------------------------
# What the login page may say, by code (``/login?error=credentials``): never text from the URL,
# which anyone can write into a link to the real login page.
def overview_data(engine: Engine, filters: Filters, where, metrics) -> list[dict]:
    """The overview's cards: each metric now, its band, its value in the previous window
    (``Window.previous``, the one every surface compares with) and its trend. A metric that
    has no value for the scope (a team's drop rate: dropped calls reach no agent) is a card
    with no value and the engine's ``reason``."""
    def ask(f: Filters, **kw):
        return engine.query(KpiRequest(tuple(metrics), start=f.start, end=f.end, where=where,
                                       **kw))
    if not metrics:
        return []
    previous = filters.previous()
    answer = ask(filters)
    now, before = answer.rows[0], ask(previous).rows[0]
    trend = ask(filters, period=filters.trend_period()).rows
    cards = []
    for mid in metrics:
        m = engine.catalog.metrics[mid]
        cur, prev = now.get(mid), before.get(mid)
        change = None if cur is None or not prev else (cur - prev) / abs(prev)
        band = m.band(cur)
        reason = answer.reasons(engine.catalog).get(mid)
        cards.append({"id": mid, "name": m.name, "unit": m.unit, "value": cur, "previous": prev,
                      "change": change, "better": m.better, "description": m.description,
                      "previous_window": previous.window, "reason": reason,
                      "band": {"level": band.level, "label": band_text(band)} if band else None,
                      "spark": None if reason else charts.sparkline(
                          [r["period"] for r in trend], [r[mid] for r in trend], m.unit)})
    return cards


def overview_cards(engine: Engine, filters: Filters, where) -> tuple[list[dict], list[str]]:
    """The overview for a user whose scope is ``where``: a card per headline metric, and the
    ids of those that have no value for that scope (their cards say why: dialer drops reach
    no agent, leads carry no team)."""
    cards = overview_data(engine, filters, where, list(HEADLINE))
    return cards, [c["id"] for c in cards if c["reason"]]


def warm(state: WebState) -> None:
    """Bring the daily rollups up to date and answer the default overview once at start-up,
    so the first visitor does not wait for DuckDB to read the warehouse from disk."""
    try:
        state.workspace.refresh_rollups()
        with state.workspace.session() as engine:
            _first, last = Lookup(engine).data_range()
            if last:
                view = Filters(*window("month", _local_date(last, engine.settings.tz)))
                overview_data(engine, view, (), list(HEADLINE))
                movers(engine, view.window)   # and its movers, the heaviest of its questions
    finally:
        state.warmed.set()


# -- funnel ------------------------------------------------------------------------------
@router.get("/funnel")
def funnel_page(p: PageDep) -> HTMLResponse:
    data = funnel_summary(p.engine, p.request_for(()), names=p.names)
    group = data["groups"][0] if data["groups"] else None
    return p.render("funnel.html", group=group, headline=data["headline"],
                    chart=charts.funnel(group["stages"], _("Lead funnel")) if group else None,
                    teams=[g for g in data["breakdown"]["groups"] if g["team"] is not None])


