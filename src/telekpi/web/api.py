"""``/api/v1``: the catalog, KPI queries (the parameters and JSON of `telekpi kpi`), the
dashboard overview's cards, the funnel, leads and their timelines, and ingestion of JSON
batches by natural key."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from telekpi.analysis.funnel import funnel as run_funnel
from telekpi.analysis.funnel import summary as funnel_summary
from telekpi.engine.engine import Engine
from telekpi.engine.lookup import Lookup
from telekpi.engine.request import PERIODS, parse_where
from telekpi.engine.request import Request as KpiRequest
from telekpi.errors import NotFoundError
from telekpi.i18n import _, current, translate
from telekpi.model.tables import TABLES
from telekpi.store.warehouse import quarantine_rows
from telekpi.units import formatter
from telekpi.web.access import require_admin, scope_of, scoped_where
from telekpi.web.auth import User
from telekpi.web.filters import parse_date
from telekpi.web.http import authenticate
from telekpi.web.pages import Page
from telekpi.web.pages_overview import overview_answer
from telekpi.web.paging import MAX_OFFSET
from telekpi.web.state import WebState


class ErrorDetail(BaseModel):
    status: int
    message: str
    field: str | None = Field(None, description="The parameter a bad request is about, by its "
                              "neutral name (metrics, by, where, period, from, to); absent otherwise.")
    value: str | int | float | None = Field(None, description="What was given for it.")
    allowed: list[str] | None = Field(None, description="The values it may take, where there is a list.")


class ErrorBody(BaseModel):
    """Every error, from every endpoint: one sentence for people, and for a bad parameter
    what it is about."""

    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorBody, "description": text} for code, text in (
    (400, "A request the catalog or the data cannot answer (unknown metric, bad date, …)."),
    (401, "No valid session or API token."),
    (403, "Outside what the user may see or do."),
    (404, "No such lead or table (or not one the user may see)."),
    (429, "Too many invalid API tokens from this address: refused for the seconds the "
          "Retry-After header gives."),
    (500, "The server could not answer: a query failed in its engine, its metric catalog is "
          "broken, or an optional part is not installed."),
)}

router = APIRouter(prefix="/api/v1", tags=["api"], responses=ERRORS)


def current_user(request: Request) -> User:
    return authenticate(request)[0]


def engine(request: Request) -> Iterator[Engine]:
    with request.app.state.web.workspace.session() as e:
        yield e


UserDep = Annotated[User, Depends(current_user)]
EngineDep = Annotated[Engine, Depends(engine)]


def kpi_request(metrics: list[str], by: list[str], period: str | None, start: str | None,
                end: str | None, where: list[str], ci: bool, user: User) -> KpiRequest:
    names = tuple(m for part in metrics for m in part.split(",") if m)
    dims = tuple(d for part in by for d in part.split(",") if d)
    return KpiRequest(names, dims, period or None, parse_date(start, "from"),
                      parse_date(end, "to"), scoped_where(user, parse_where(where, 'where')), ci)


class Metric(BaseModel):
    id: str
    name: str
    description: str
    unit: str
    type: str
    better: str | None
    bands: list[dict[str, Any]]
    dimensions: list[str] = Field(description="The dimensions it can be split or filtered by "
                                  "(by any other, its value is null, with a reason).")
    not_by: list[str] = Field(description="Dimensions its data carry but its events cannot "
                              "belong to (abandoned calls reach no agent).")
    reason: str | None = Field(description="Why not by those, in the language of the request.")
    kinds: list[str] = Field(description="The kinds of work (campaign kinds: outbound_sales, "
                             "inbound_care, collections) it judges agents on; empty: every kind.")


class NotMeaningful(BaseModel):
    """Why a metric has no value in these rows: it cannot be split or filtered by the
    dimension (dialer drops reach no agent), or, for a ratio over costs, part of its cost is
    on no value of the dimension (the row whose value is null), so a row's ratio would leave
    it out."""

    dimension: str
    reason: str = Field(description="Why, in the language of the request.")
    unattributed: float | None = Field(description="The cost on no value of the dimension "
                                       "(null when the metric cannot be split by it at all).")
    total: float | None = Field(description="The cost of every row (null likewise).")


class KpiResult(BaseModel):
    metrics: list[str]
    by: list[str]
    period: str | None
    rows: list[dict[str, Any]] = Field(description="One per group; a dimension that is null "
                                       "marks what no value of it carries (a campaign's cost by "
                                       "site), so a breakdown's rows add up to the total.")
    not_meaningful: dict[str, NotMeaningful] = Field(
        description="Metrics with no value in these rows (null), and why: never a 0 that reads "
        "like a measurement.")


class Days(BaseModel):
    """Local days of the workspace, both ends included."""

    model_config = ConfigDict(populate_by_name=True)
    start: str = Field(alias="from", description="First day, YYYY-MM-DD.")
    end: str = Field(alias="to", description="Last day, YYYY-MM-DD.")
    days: int
    words: str = Field(description='The window as the language says it: "October 2026".')


class Band(BaseModel):
    level: str
    label: str


class Card(BaseModel):
    id: str
    name: str = Field(description="The metric's name in the language of the request.")
    unit: str
    better: str | None
    value: int | float | None = Field(description="Over the window asked for.")
    previous: int | float | None = Field(description="Over the previous window.")
    change: float | None = Field(description="(value - previous) / |previous|; null without a previous value.")
    previous_window: Days
    band: Band | None = Field(description="The value's band in the catalog; null when it has none.")
    reason: str | None = Field(None, description="Why the metric has no value for this scope "
                               "(calls the dialer drops reach no team): value and previous "
                               "are null then, never a 0.")
    link: str = Field(description="The dashboard page behind the card, with the view's filters.")


class Overview(BaseModel):
    """The dashboard overview's cards, as the page shows them."""

    window: Days
    previous_window: Days = Field(description="What every card is compared with (the reports' "
                                  "and alerts' previous window too).")
    versus: str = Field(description='The comparison in words: "vs October 2026".')
    where: dict[str, list[str]] = Field(description="The filters applied, the user's limits "
                                        "included: DIM -> values (any of).")
    cards: list[Card]
    hidden: list[str] = Field(description="Headline metrics that have no value for the scope "
                              "(their events carry no team or agent); their cards say why.")
    pace: dict[str, Any] = Field(description="This month to the view's last day, per headline "
                                 "metric with a target: so_far, projected (null when too early), "
                                 "target, on_track; working days elapsed and in the month "
                                 "(docs/web.md).")
    movers: list[dict[str, Any]] = Field(description="Per key metric: its change against the "
                                         "previous window and the teams, campaigns and agents "
                                         "that contributed most to it (docs/web.md).")
    alerts: list[dict[str, Any]] = Field(description="The alert rules that fire over the view's "
                                         "days for its scope, as the report evaluates them.")


class IngestResult(BaseModel):
    table: str
    batch: str
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    quarantined: int
    reasons: list[dict[str, Any]]


IDS = r"^[a-z0-9_]+(,[a-z0-9_]+)*$"
DATE = r"^\d{4}-\d{2}-\d{2}$"
MetricsQ = Annotated[list[Annotated[str, Query(pattern=IDS)]], Query(
    alias="metric", min_length=1, description="Metric ids (repeat, or comma-separated).")]
ByQ = Annotated[list[Annotated[str, Query(pattern=IDS)]], Query(
    description="Dimensions to split by (repeat, or comma-separated).")]
PeriodQ = Annotated[Literal[PERIODS] | None, Query(description="Group by this period.")]  # type: ignore[valid-type]
FromQ = Annotated[str | None, Query(alias="from", pattern=DATE,
                                    description="First day, YYYY-MM-DD, inclusive.")]
ToQ = Annotated[str | None, Query(alias="to", pattern=DATE,
                                  description="Last day, YYYY-MM-DD, inclusive.")]
DimQ = Annotated[list[str], Query(description="Keep only this value (repeat: any of).")]
WhereQ = Annotated[list[Annotated[str, Query(pattern=r"^[a-z_]+=.*$")]], Query(
    description="DIM=VALUE filters (repeat; same DIM = any of).")]


@router.get("/health")
def health(request: Request) -> dict:
    """Liveness for load balancers (no login): ``warm`` once the start-up warm-up is done;
    ``rollups``: the models whose daily rollups are current (the others read rows)."""
    state = request.app.state.web
    return {"status": "ok", "warm": state.warmed.is_set(), "rollups": sorted(state.workspace.rollups())}


@router.get("/me")
def me(user: UserDep) -> dict:
    """Who the session or token acts as."""
    return {"name": user.name, "role": user.role, "teams": list(user.teams), "agent_id": user.agent_id}


@router.get("/catalog", response_model=list[Metric])
def catalog(user: UserDep, request: Request) -> list[dict]:
    """Every metric: id, name, definition, unit, direction, bands, the dimensions it can be
    split by and the kinds of work it applies to."""
    from telekpi.catalog.applies import applies

    state: WebState = request.app.state.web
    cat = state.workspace.catalog
    out = []
    for m in cat.metrics.values():
        bands = [{"level": b.level, "min": b.min, "max": b.max, "label": b.label} for b in m.bands]
        for ind, bs in m.bands_by_industry.items():
            bands += [{"industry": ind, "level": b.level, "min": b.min, "max": b.max,
                       "label": b.label} for b in bs]
        split = applies(cat, m.id)
        out.append({"id": m.id, "name": m.name, "description": m.description, "unit": m.unit,
                    "type": m.type, "better": m.better, "bands": bands,
                    "dimensions": list(split.dimensions), "not_by": list(split.not_by),
                    "reason": translate(split.reason) if split.reason else None,
                    "kinds": list(m.kinds)})
    return out


@router.get("/kpi", response_model=KpiResult)
def kpi(user: UserDep, e: EngineDep, metrics: MetricsQ, by: ByQ = [],  # noqa: B006
        period: PeriodQ = None, start: FromQ = None, end: ToQ = None,
        where: WhereQ = [], ci: bool = False) -> dict:  # noqa: B006
    """KPIs, as `telekpi kpi --format json` gives them."""
    return e.query(kpi_request(metrics, by, period, start, end, where, ci, user)).to_json(e.catalog)


@router.get("/overview", response_model=Overview)
def overview(request: Request, user: UserDep, e: EngineDep, start: FromQ = None, end: ToQ = None,
             team: DimQ = [], vendor: DimQ = [], campaign: DimQ = [],  # noqa: B006
             agent: DimQ = [], queue: DimQ = []) -> dict:  # noqa: B006
    """The dashboard overview's cards: each headline metric now, in the previous window, the
    change and the band [default: month to date of the last call], as the page computes them."""
    # The parameters above are declared for the schema and its checks; the page's own Page
    # reads them from the URL, with the page's defaults and the user's limits.
    p = Page(request, user, None, e)
    answer = overview_answer(p)
    fmt, scope = formatter(current()), p.filters.window
    where: dict[str, list[str]] = {}
    for dim, value in p.where:
        where.setdefault(dim, []).append(value)
    return {"window": scope.to_json(fmt), "previous_window": scope.previous().to_json(fmt),
            "versus": scope.versus(fmt), "where": where, "hidden": answer["hidden"],
            "cards": [{**c, "name": translate(c["name"]),
                       "previous_window": c["previous_window"].to_json(fmt)} for c in answer["cards"]],
            "pace": {**answer["pace"], "items": [{**i, "name": translate(i["name"])}
                                                  for i in answer["pace"]["items"]]},
            "movers": [{**m, "name": translate(m["name"])} for m in answer["movers"]],
            "alerts": answer["alerts"]}


@router.get("/funnel")
def funnel(user: UserDep, e: EngineDep, by: ByQ = [], period: PeriodQ = None,  # noqa: B006
           start: FromQ = None, end: ToQ = None, where: WhereQ = []) -> dict:  # noqa: B006
    """The lead funnel with bands and bottleneck, as `telekpi funnel --format json`: without
    `by` or `period`, also its breakdown by team and the headline over both."""
    req = kpi_request([], by, period, start, end, where, False, user)
    return run_funnel(e, req) if by or period else funnel_summary(e, req)


@router.get("/leads")
def leads(user: UserDep, e: EngineDep,
          q: Annotated[str, Query(description="Lead id, customer id, phone or name.")] = "",
          ) -> list[dict]:
    """Leads matching a search."""
    return Lookup(e).search_leads(q, scope_of(user))


@router.get("/leads/{lead_id:path}")   # an id may hold "/" (sent as %2F)
def lead(lead_id: str, user: UserDep, e: EngineDep) -> dict:
    """A lead and its whole timeline: calls, orders, surveys, tickets, engagements."""
    look = Lookup(e)
    found = look.lead(lead_id, scope_of(user))
    if not found:
        raise NotFoundError(_("no lead {lead} that you may see").format(lead=repr(lead_id)))
    return {"lead": found, "timeline": look.timeline(lead_id, scope_of(user))}


@router.get("/calls/{call_id:path}")   # an id may hold "/" (sent as %2F)
def call(call_id: str, user: UserDep, e: EngineDep) -> dict:
    """A call with its recording (file, content hash, duration, channels, rate, codec), its
    speech figures and segments, its transcript, QA results (each item's status and evidence)
    and the customer's sentiment and predicted CSAT (docs/call-analysis.md); each part is
    empty for a call not analysed."""
    from telekpi.engine.call_view import call_analysis

    found = call_analysis(Lookup(e), call_id, scope_of(user))
    if found is None:
        raise NotFoundError(_("no call {call} that you may see").format(call=repr(call_id)))
    return found


@router.get("/diagnose")
def diagnose_endpoint(user: UserDep, e: EngineDep, start: FromQ = None, end: ToQ = None,
                      where: WhereQ = []) -> dict:  # noqa: B006
    """Funnel bottleneck and causes, agents' weakest KPIs, best time to call, A/B tests."""
    from telekpi.analysis.diagnose import diagnose

    return diagnose(e, kpi_request([], [], None, start, end, where, False, user))


@router.get("/staffing")
def staffing(request: Request, user: UserDep, e: EngineDep, start: FromQ = None, end: ToQ = None,
             interval: Annotated[str | None, Query(pattern=r"^(15|30|60)m?$", description=(
                 "Interval length: 15m, 30m or 60m [default 60m]."))] = None) -> dict:
    """The Staffing page's numbers [default: the page's days]: per interval of the day (mean
    over the days) the calls offered, the forecast made before them, agents required (on the
    phones and to schedule), scheduled and logged in, the measured service level; shrinkage
    by reason; the forecast's model and WAPE. Admins and supervisors (the centre's queue)."""
    from telekpi.web.pages_staffing import board_for

    board = board_for(Page(request, user, None, e), interval)
    return {**board, "start": board["start"].isoformat(), "end": board["end"].isoformat()}


LimitQ = Annotated[int, Query(ge=1, le=1000, description="Rows in this answer.")]
# A list's rows to skip: bounded, so a number past any list is refused rather than overflowing
# the engine's 64-bit OFFSET.
OffsetQ = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip.")]


@router.get("/stop-list")
def stop_list(user: UserDep, e: EngineDep,
              limit: Annotated[int, Query(ge=1, le=1000, description="Rows in this answer.")] = 200,
              offset: OffsetQ = 0) -> dict:
    """Over-contacted leads (touched max_unanswered_attempts times without engaging), a page
    at a time: ``items`` from ``offset`` and the ``total`` the whole list holds."""
    page = Lookup(e).stop_list(scope_of(user), limit, offset)
    return {"total": page.total, "offset": page.offset, "limit": page.limit, "items": page.rows}


@router.post("/ingest/{table}", response_model=IngestResult)
def ingest(table: str, request: Request, user: UserDep,
           rows: Annotated[list[dict[str, str | int | float | bool | None]], Body(
               description="Rows of the canonical table, as JSON objects.")]) -> dict:
    """Upsert a batch of rows by natural key; replies only after the batch is committed.

    The same batch posted again changes nothing (and answers with the same counts as
    'unchanged'); rows that fail validation are quarantined with their row number.
    """
    require_admin(user, _("only an admin can ingest data"))
    if table not in TABLES:
        raise NotFoundError(_("no table {table}; expected one of: {tables}").format(
            table=repr(table), tables=", ".join(TABLES)))
    state: WebState = request.app.state.web
    body = json.dumps(rows, sort_keys=True, default=str).encode()
    label = f"api:{table}:{hashlib.sha256(body).hexdigest()[:20]}"
    ws = state.workspace
    with ws.write() as cur:
        result = ws.import_rows(table, rows, label=label, warehouse=cur)
        reasons = [{"row": r["line"], "column": r["column"], "reason": r["reason"]}
                   for r in quarantine_rows(cur, source=label, limit=1000)]
    c = result.counts
    return {"table": table, "batch": label, "rows_read": c.rows_read, "inserted": c.inserted,
            "updated": c.updated, "unchanged": c.unchanged, "quarantined": c.quarantined,
            "reasons": sorted(reasons, key=lambda r: r["row"] or 0)}


# -- operations (docs/operations.md) ---------------------------------------------------------


def _instants(e: Engine, start: str | None, end: str | None):
    """--from/--to days as the instants they begin and end, in the workspace's zone."""
    from telekpi.days import day_bounds

    return day_bounds(parse_date(start, "from"), parse_date(end, "to"), e.settings.tz)


@router.get("/operations/lost")
def operations_lost(user: UserDep, e: EngineDep, start: FromQ = None, end: ToQ = None,
                    limit: LimitQ = 100, offset: OffsetQ = 0) -> dict:
    """Lost inbound calls (abandoned in a queue, or rang an agent unanswered) whose customer
    has not been reached again within recovery_window_h, oldest first: ``items`` from
    ``offset``, the ``total`` the list holds; ``open``: the window has not passed."""
    from telekpi.engine.operations import OperationsLists

    since, until = _instants(e, start, end)
    page = OperationsLists(e).lost_not_recovered(scope_of(user), since, until, limit, offset)
    return {"total": page.total, "offset": page.offset, "limit": page.limit, "items": page.rows}


@router.get("/operations/callbacks")
def operations_callbacks(user: UserDep, e: EngineDep, start: FromQ = None, end: ToQ = None,
                         limit: LimitQ = 100, offset: OffsetQ = 0) -> dict:
    """Callbacks promised (a callback disposition) past their due time plus
    callback_tolerance_min and never kept, longest overdue first, a page at a time."""
    from telekpi.engine.operations import OperationsLists

    since, until = _instants(e, start, end)
    page = OperationsLists(e).overdue_callbacks(scope_of(user), since, until, limit, offset)
    return {"total": page.total, "offset": page.offset, "limit": page.limit, "items": page.rows}
