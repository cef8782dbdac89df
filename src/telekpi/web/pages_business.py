"""Campaigns (side by side, script A/B), Revenue & P&L, CSAT and care, best time to call."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from telekpi import presentation as charts
from telekpi.analysis.compare import ab_test
from telekpi.analysis.diagnose import best_time
from telekpi.i18n import _, translate
from telekpi.web.access import scope_of
from telekpi.web.filters import period_links, value_links
from telekpi.web.pages import PageDep, weekdays
from telekpi.web.pages_people import sample_metric, trend_chart

router = APIRouter(include_in_schema=False)

CAMPAIGN_KPIS = ("calls", "connection_rate", "drop_rate", "call_conversion_rate", "leads",
                 "lead_conversion_rate", "revenue", "cost", "profit", "cost_benefit_ratio")
MONEY = ("revenue", "cost", "profit", "pnl_ratio", "cost_benefit_ratio", "orders", "aov")
CARE = ("csat", "responses", "avg_survey_score", "tickets", "first_response_time",
        "resolution_time", "ticket_sla_rate", "open_tickets")


def _series(rows: list[dict], key: str, metric: str) -> tuple[list, list]:
    rows = [r for r in rows if r.get(key) is not None]
    return [r[key] for r in rows], [r[metric] for r in rows]


def _breakdown(p, result, metrics) -> tuple[list[dict], list[str]]:
    """A breakdown's rows with, last, the row no value of its dimension carries (a team's
    cost by campaign) when it carries anything, so the rows add up to the total; and why a
    metric has no value in them (macros.html's metric_table shows both)."""
    dim = result.by[0]
    rows = [r for r in result.rows
            if r[dim] is not None or any(r.get(m) for m in metrics)]
    notes = list(result.reasons(p.engine.catalog).values())
    return rows, notes


@router.get("/campaigns")
def campaigns(p: PageDep) -> HTMLResponse:
    metrics = p.allowed(CAMPAIGN_KPIS)
    rows, notes = _breakdown(p, p.engine.query(p.request_for(metrics, by=("campaign",), ci=True)),
                             metrics)
    named = [r for r in rows if r["campaign"] is not None]   # the chart: campaigns only
    ids, conv = _series(named, "campaign", "call_conversion_rate")
    xs = [p.names.of("campaign", c) for c in ids]   # plain text: charts.bar escapes labels
    figure = charts.bar(_("Call conversion by campaign (95 % intervals)"), xs, conv, "rate",
                        errors=([r.get("call_conversion_rate_ci_low") for r in named],
                                [r.get("call_conversion_rate_ci_high") for r in named]))
    # A campaign's bar leads to its agents, ranked by the chart's metric.
    figure = charts.with_links(figure, value_links("/agents", p.filters, "campaign", ids,
                                                   sort="call_conversion_rate"))
    tests = ab_test(p.engine, p.request_for(()), variant="script", within="campaign")
    return p.render("campaigns.html", rows=rows, metrics=metrics, chart=figure, tests=tests,
                    notes=notes,
                    na=p.not_applicable([m for m in CAMPAIGN_KPIS if m not in metrics], ("campaign",)))


@router.get("/revenue")
def revenue(p: PageDep) -> HTMLResponse:
    metrics = p.allowed(MONEY)
    total = p.engine.query(p.request_for(metrics)).rows[0] if metrics else {}
    by_product = [r for r in p.engine.query(p.request_for(
        [m for m in ("revenue", "orders", "aov") if m in metrics], by=("product",))).rows
        if r["product"] is not None] if "revenue" in metrics else []
    by_campaign, notes = _breakdown(p, p.engine.query(p.request_for(metrics, by=("campaign",))),
                                    metrics) if metrics else ([], [])
    growth_metrics = [m for m in ("revenue", "revenue_growth", "cost", "profit")
                      if m in p.allowed(("revenue", "revenue_growth", "cost", "profit"))]
    monthly = p.engine.query(p.request_for(growth_metrics, period="month")).rows if growth_metrics else []
    xs = [r["period"] for r in monthly]
    trend = charts.with_links(charts.line(
        _("Revenue, cost and profit by month"), xs,
        {translate(p.engine.catalog.metrics[m].name): [r[m] for r in monthly]
         for m in growth_metrics if m != "revenue_growth"}, "money", period="month"),
        period_links("/revenue", p.filters, xs, "month"))   # a month: its products, campaigns, customers
    product_chart = charts.bar(_("Revenue by product"), *_series(by_product, "product", "revenue"), "money")
    return p.render("revenue.html", total=total, metrics=metrics, by_product=by_product,
                    by_campaign=by_campaign, notes=notes, monthly=monthly, trend=trend,
                    product_chart=product_chart,
                    customers=p.look.top_customers(p.filters.start, p.filters.end, scope_of(p.user)))


@router.get("/care")
def care(p: PageDep) -> HTMLResponse:
    metrics = p.allowed(CARE)
    total = p.engine.query(p.request_for(metrics)).rows[0] if metrics else {}
    team_metrics = [m for m in metrics if p.engine.supports(m, {"team"})]
    by_team = [r for r in p.engine.query(p.request_for(team_metrics, by=("team",))).rows
               if r["team"] is not None] if team_metrics else []
    period = p.filters.trend_period()
    sample = sample_metric(p.engine.catalog, "csat")
    if sample and not p.allowed([sample]):   # what CSAT is out of, when this scope can count it
        sample = None
    trend = p.engine.query(p.request_for(["csat", *([sample] if sample else [])], period=period)).rows \
        if "csat" in metrics else []
    chart = charts.with_links(   # a point: that period's CSAT by team
        trend_chart(p.engine, "csat", [r["period"] for r in trend], trend, period, sample, _("CSAT over time")),
        period_links("/care", p.filters, [r["period"] for r in trend], period))
    return p.render("care.html", total=total, metrics=metrics, by_team=by_team,
                    team_metrics=team_metrics, chart=chart)


@router.get("/best-time")
def best_time_page(p: PageDep) -> HTMLResponse:
    data = best_time(p.engine, p.request_for(()), top=10)
    heat = {m: charts.heatmap(q["title"], weekdays(), list(range(24)), data["grids"][m],
                              subtitle=q["formula"]) for m, q in data["questions"].items()}
    return p.render("best_time.html", heat=heat, questions=data["questions"], top=data["top"],
                    worst=data["worst"][:5], top_sales=data["top_sales"],
                    min_sample=p.engine.settings.min_sample)
