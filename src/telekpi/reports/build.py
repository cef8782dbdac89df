"""Build the manager's report from the engine: every number is an ``engine.query`` answer
for the report's scope, so it equals what ``telekpi kpi`` prints for the same scope."""

from __future__ import annotations

from datetime import date, datetime

from telekpi.analysis.funnel import summary as funnel_summary
from telekpi.analysis.windows import Window, window
from telekpi.catalog.applies import applicable, like_with_like
from telekpi.days import end_of_day
from telekpi.engine.lookup import NAMED, Lookup
from telekpi.engine.names import Names
from telekpi.engine.request import Request, Result
from telekpi.i18n import _, current, translate
from telekpi.i18n.words import KINDS as KIND_WORDS
from telekpi.i18n.words import band_text, remainder_label, stage_name, word
from telekpi.model.tables import CAMPAIGN_KINDS as KINDS
from telekpi.presentation import good_change
from telekpi.reports.model import Chart, Column, Report, Section, Table
from telekpi.reports.operations import compliance, operations_section, staffing

HEADLINE = ("calls", "connection_rate", "aht", "abandonment_rate", "drop_rate",
            "call_conversion_rate", "leads", "speed_to_lead", "speed_to_lead_5m_rate",
            "overcontacted_leads", "revenue", "orders", "aov", "cost", "profit", "pnl_ratio",
            "cost_benefit_ratio", "csat", "occupancy")
PEOPLE = ("calls", "connection_rate", "aht", "call_conversion_rate", "revenue", "csat")
SITES = ("calls", "connection_rate", "aht", "drop_rate", "call_conversion_rate", "revenue", "cost",
         "profit", "cost_benefit_ratio")
MONEY = ("revenue", "orders", "aov", "cost", "profit", "pnl_ratio", "cost_benefit_ratio")
CARE = ("csat", "responses", "avg_survey_score", "tickets", "first_response_time",
        "resolution_time", "ticket_sla_rate", "open_tickets")


class Builder:
    """One report's scope and the engine, with helpers every section uses."""

    def __init__(self, engine, start: date, end: date, where: tuple = ()):
        self.engine, self.start, self.end, self.where = engine, start, end, tuple(where)
        self.cat = engine.catalog.metrics
        self.window = Window(start, end)
        self.prev = self.window.previous()
        self.trend = self.window.trend_period()
        self.names = Names(Lookup(engine))   # agents, teams, campaigns by name beside their ids

    def allowed(self, metrics) -> list[str]:
        dims = {d for d, _v in self.where}
        return [m for m in metrics if m in self.cat and self.engine.supports(m, dims)]

    def ask(self, metrics, *, start=None, end=None, **kw) -> list[dict]:
        return self.answer(metrics, start=start, end=end, **kw).rows

    def answer(self, metrics, *, start=None, end=None, **kw) -> Result:
        metrics = tuple(metrics)
        if not metrics:
            return Result([], list(kw.get("by", ())), kw.get("period"))
        return self.engine.query(Request(metrics, start=start or self.start, end=end or self.end,
                                         where=self.where, **kw))

    def name(self, mid: str) -> str:
        return translate(self.cat[mid].name)

    def band(self, mid: str, value, industry=None) -> tuple[str | None, str]:
        b = self.cat[mid].band(value, industry)
        if not b:
            return None, ""
        return b.level, band_text(b)

    def reasons(self, metrics, by=()) -> dict[str, str]:
        """Why each of ``metrics`` that has no value in this report's scope (split ``by``)
        has none: dialer drops reach no team, leads carry no agent."""
        dims = [d for d, _v in self.where] + list(by)
        return {m: why for m in metrics if m in self.cat
                and (why := self.engine.why_not(m, dims))}

    def versus(self, tid: str, title: str, metrics) -> Table:
        """Metrics now, their band, the previous period and the change. A metric with no value
        in the report's scope is a row with no value and the reason (never a 0)."""
        metrics = [m for m in metrics if m in self.cat]
        reasons = self.reasons(metrics)
        asked = [m for m in metrics if m not in reasons]
        now = (self.ask(asked) or [{}])[0]
        before = (self.ask(asked, start=self.prev.start, end=self.prev.end) or [{}])[0]
        rows, styles = [], []
        for mid in metrics:
            m = self.cat[mid]
            cur, old = now.get(mid), before.get(mid)
            level, label = self.band(mid, cur)
            change = None if cur is None or not old else (cur - old) / abs(old)
            rows.append({"metric": self.name(mid), "id": mid, "unit": m.unit, "value": cur,
                         "band": label, "previous": old, "change": change,
                         "reason": reasons.get(mid)})
            good = good_change(change, m.better)
            styles.append({"band": level, "good": good})
        cols = [Column("metric", _("KPI")), Column("value", _("Value"), "row"),
                Column("band", _("Band")), Column("previous", _("Previous period"), "row"),
                Column("change", _("Change"), "change")]
        return Table(tid, title, cols, rows, styles=styles, note=" ".join(reasons.values()) or None)

    def by(self, tid: str, title: str, dim: str, metrics, label: str, ci: bool = False,
           sort: str | None = None, remainder: bool = False) -> Table:
        """A breakdown. ``remainder``: the tables of money keep, last, the row no value of
        ``dim`` carries (a campaign's cost by site), in words, so the rows add up to the
        total; a ratio the rows cannot carry is empty, and the note says why."""
        metrics = self.allowed(metrics)
        result = self.answer(metrics, by=(dim,), ci=ci)
        rows = [r for r in result.rows if r[dim] is not None]
        if sort and sort in metrics:
            rows.sort(key=lambda r: (r.get(sort) is None, -(r.get(sort) or 0)))
        rest = [r for r in result.rows if r[dim] is None]
        if remainder and rest and any(r.get(m) for r in rest for m in metrics):
            rows += [{**r, dim: remainder_label(dim), "remainder": True} for r in rest]
        cols = [Column(dim, label)] + [Column(m, self.name(m), self.cat[m].unit) for m in metrics]
        if dim in NAMED:   # the id stays its own column (exports); the name beside it
            rows = self.names.add_columns(rows, (dim,))
            for r in rows:
                if r.get("remainder"):
                    r[f"{dim}_name"] = None
            cols.insert(1, Column(f"{dim}_name", _("Name")))
        why = result.reasons(self.engine.catalog).values()
        return Table(tid, title, cols, rows, note=" ".join(why) or None)

    def trend_chart(self, cid: str, title: str, metrics, kind: str = "line") -> Chart | None:
        metrics = self.allowed(metrics)
        rows = self.ask(metrics, period=self.trend)
        if not rows:
            return None
        return Chart(cid, kind, title, [r["period"] for r in rows],
                     {self.name(m): [r[m] for r in rows] for m in metrics},
                     self.cat[metrics[0]].unit)


def default_period(engine, today: date | None = None) -> tuple[date, date]:
    """Month to date of the last day with calls (the dashboard's default)."""
    _first, last = Lookup(engine).data_range()
    end = last.astimezone(engine.settings.tz).date() if last else (today or date.today())
    return window("month", end)


def build_report(engine, start: date | None = None, end: date | None = None, where=(),
                 template=None, rules=None, title: str | None = None,
                 now: datetime | None = None) -> Report:
    """The report of ``start``–``end`` (inclusive local days; default month to date)."""
    if start is None or end is None:
        d0, d1 = default_period(engine)
        end = end or d1
        start = start or min(d0, window("month", end).start)
    b = Builder(engine, start, end, where)
    report = Report(title or _("Telesales performance report"), start, end, b.where,
                    now or datetime.now(engine.settings.tz), current(), engine.settings.currency,
                    engine.settings.timezone)
    report.sections = [headline(b), funnel_section(b), people(b, template), sites(b), money(b),
                       care(b), compliance(b), operations_section(b), *staffing(b), alerts(b, rules)]
    return report


def headline(b: Builder) -> Section:
    s = Section("headline", _("Headline KPIs"))
    s.tables.append(b.versus("headline", _("Headline KPIs against their bands and the previous period"),
                             HEADLINE))
    for cid, metric, title in (("calls_trend", "calls", _("Calls")),
                               ("conversion_trend", "call_conversion_rate", _("Call conversion"))):
        chart = b.trend_chart(cid, title, [metric], "bar" if metric == "calls" else "line")
        if chart:
            s.charts.append(chart)
    return s


def funnel_section(b: Builder) -> Section:
    s = Section("funnel", _("Lead funnel"))
    req = Request((), start=b.start, end=b.end, where=b.where)
    data = funnel_summary(b.engine, req, names=b.names)
    if not data["groups"]:
        s.paragraphs.append(_("No leads in this period."))
        return s
    g = data["groups"][0]
    s.paragraphs.append(data["headline"])
    stages = [{"stage": stage_name(st["stage"]), "leads": st["leads"], "step_rate": st["step_rate"],
               "dropoff": st["dropoff"], "of_attempted": st["of_attempted"]} for st in g["stages"]]
    s.tables.append(Table("funnel_stages", _("Stages and drop-off"),
                          [Column("stage", _("Stage")), Column("leads", _("Leads"), "count"),
                           Column("step_rate", _("% of the stage before"), "rate"),
                           Column("dropoff", _("Drop-off"), "rate"),
                           Column("of_attempted", _("% of leads attempted"), "rate")], stages))
    rates = [{"metric": b.name(r["metric"]), "basis": r["basis"], "value": r["value"],
              "band": b.band(r["metric"], r["value"])[1], "target": r["target"]} for r in g["rates"]]
    s.tables.append(Table("funnel_rates", _("Stage rates against their bands"),
                          [Column("metric", _("Rate")), Column("basis", _("Formula")),
                           Column("value", _("Value"), "rate"), Column("band", _("Band")),
                           Column("target", _("Target"), "rate")], rates,
                          styles=[{"band": b.band(r["metric"], r["value"])[0]} for r in g["rates"]]))
    s.charts.append(Chart("funnel", "funnel", _("Lead funnel"), [x["stage"] for x in stages],
                          {_("Leads"): [x["leads"] for x in stages]}))
    rows = [{"team": t["team"], "attempted": t["stages"][0]["leads"],
             "lead_conversion_rate": t["lead_conversion_rate"], "bottleneck": t["bottleneck"]["message"]}
            for t in data["breakdown"]["groups"] if t["team"] is not None]
    if rows:
        s.tables.append(Table("funnel_teams", _("Bottleneck by team"),
                              [Column("team", _("Team")), Column("attempted", _("Leads attempted"), "count"),
                               Column("lead_conversion_rate", b.name("lead_conversion_rate"), "rate"),
                               Column("bottleneck", _("Bottleneck"))], rows))
    return s


def people(b: Builder, template) -> Section:
    s = Section("people", _("Agents and teams"))
    teams = b.by("teams", _("Teams"), "team", PEOPLE, _("Team"), ci=True)
    s.tables.append(teams)
    look = Lookup(b.engine)
    team_kinds = look.kinds("team", b.start, b.end)
    selling = [r for r in teams.rows   # the chart compares the teams whose work conversion is
               if b.cat["call_conversion_rate"].applies_to(team_kinds.get(r["team"]))]
    if any(r.get("call_conversion_rate") is not None for r in selling):
        s.charts.append(Chart("team_conversion", "bar", _("Call conversion by team"),
                              [b.names.of("team", r["team"]) for r in selling],
                              {b.name("call_conversion_rate"): [r["call_conversion_rate"] for r in selling]},
                              "rate"))
    metrics = b.allowed(PEOPLE)
    rows = [r for r in b.ask(metrics, by=("agent",)) if r["agent"] is not None]
    names = {a["agent_id"]: a for a in look.agents([r["agent"] for r in rows])}
    kinds = look.kinds("agent", b.start, b.end)
    minimum = b.engine.settings.min_sample
    out = []
    # Like with like: each kind of work ranked on its own, on the KPIs that apply to it
    # (call conversion for the sellers, CSAT for inbound care).
    for kind in [*KINDS, None]:
        group = [r for r in rows if kinds.get(r["agent"]) == kind]
        shown = applicable(b.engine.catalog, metrics, kind)
        key = next((m for m in ("call_conversion_rate", "csat", "aht") if m in shown), None)
        if not group or key is None:
            continue
        judged = [r for r in group if (r.get("calls") or 0) >= minimum and r.get(key) is not None]
        judged.sort(key=lambda r: r[key] if b.cat[key].better == "lower" else -r[key])
        few = [r for r in group if r not in judged]
        for i, r in enumerate(judged + few, 1):
            info = names.get(r["agent"], {})
            ranked = i <= len(judged)
            note = "" if not ranked else (_("ranked by {metric}").format(metric=b.name(key))
                                          if key != "call_conversion_rate" else "")
            out.append({"rank": i if ranked else None, "agent": r["agent"],
                        "name": info.get("name"), "team": info.get("team_id"),
                        "kind": word(KIND_WORDS, kind), "kind_id": kind,
                        **{m: r.get(m) if m in shown else None for m in metrics},
                        "note": note if ranked else _("too few to judge")})
    cols = [Column("rank", _("Rank"), "count"), Column("agent", _("Agent")), Column("name", _("Name")),
            Column("team", _("Team")), Column("kind", _("Kind of work"))] \
        + [Column(m, b.name(m), b.cat[m].unit) for m in metrics] + [Column("note", _("Note"))]
    s.tables.append(Table("agents", _("Agents, ranked within their kind of work"), cols, out,
                          note=like_with_like(b.engine.catalog, metrics, [r["kind_id"] for r in out])
                          + " " + _("Agents with fewer than {n} calls are too few to judge and are "
                                    "not ranked.").format(n=minimum)))
    if template is not None:
        s.tables.append(scorecard_table(b, template))
    return s


def scorecard_table(b: Builder, template) -> Table:
    from telekpi.targets.scorecard import scorecard

    data = scorecard(b.engine, template, as_of=b.end)
    rows = [{"agent": a["agent"], "name": a["name"], "team": a["team"], "calls": a["calls"],
             **{f"att_{i['metric']}": i["target_attainment"] for i in a["items"]},
             "score": a["score"], "tier": a["tier"] or "", "reward": a["reward"],
             "note": "" if a["judged"] else _("too few to judge")} for a in data["agents"]]
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0)))
    cols = [Column("agent", _("Agent")), Column("name", _("Name")), Column("team", _("Team")),
            Column("calls", b.name("calls"), "count")]
    cols += [Column(f"att_{i.metric}", b.name(i.metric), "attainment") for i in template.items]
    cols += [Column("score", _("Score"), "attainment"), Column("tier", _("Tier")),
             Column("reward", _("Reward"), "money"), Column("note", _("Note"))]
    return Table("scorecard", _("Scorecard: {name} ({start} – {end}, as of {as_of})").format(
        name=template.name, start=template.start, end=template.end, as_of=data["as_of"]), cols, rows,
        note=_("Each KPI column is the attainment of its target."))


def sites(b: Builder) -> Section:
    s = Section("sites", _("In-house and outsourced"))
    t = b.by("sites", _("By site"), "site", SITES, _("Site"), remainder=True)
    s.tables.append(t)
    s.tables.append(b.by("vendors", _("By vendor"), "vendor", SITES, _("Vendor"), remainder=True))
    sites_ = [r for r in t.rows if not r.get("remainder")]
    if sites_ and "cost_benefit_ratio" in [c.key for c in t.columns]:
        s.charts.append(Chart("site_conversion", "bar", _("Call conversion by site"),
                              [r["site"] for r in sites_],
                              {b.name("call_conversion_rate"): [r.get("call_conversion_rate") for r in sites_]},
                              "rate"))
    return s


def money(b: Builder) -> Section:
    s = Section("money", _("Revenue, cost and profit"))
    s.tables.append(b.versus("money", _("Revenue, cost and profit against the previous period"), MONEY))
    by_product = b.by("products", _("By product"), "product", ("revenue", "orders", "aov"), _("Product"),
                      sort="revenue")
    s.tables.append(by_product)
    s.tables.append(b.by("campaigns", _("By campaign"), "campaign",
                         ("calls", "call_conversion_rate", "revenue", "cost", "profit", "cost_benefit_ratio"),
                         _("Campaign"), sort="revenue", remainder=True))
    chart = b.trend_chart("money_trend", _("Revenue, cost and profit"), ("revenue", "cost", "profit"))
    if chart:
        s.charts.append(chart)
    if by_product.rows and "revenue" in by_product.rows[0]:
        s.charts.append(Chart("product_revenue", "bar", _("Revenue by product"),
                              [r["product"] for r in by_product.rows],
                              {b.name("revenue"): [r["revenue"] for r in by_product.rows]}, "money"))
    return s


def care(b: Builder) -> Section:
    s = Section("care", _("Customer satisfaction and care"))
    s.tables.append(b.versus("care", _("CSAT and care against the previous period"), CARE))
    team_metrics = [m for m in b.allowed(CARE) if b.engine.supports(m, {"team"})]
    s.tables.append(b.by("care_teams", _("By team"), "team", team_metrics, _("Team")))
    chart = b.trend_chart("csat_trend", _("CSAT over time"), ("csat",))
    if chart:
        s.charts.append(chart)
    return s


def alerts(b: Builder, rules) -> Section:
    """The alert rules evaluated over the report's window, as of the end of its last day, so
    an alert counts what the headline counts and compares with the same previous window."""
    from telekpi.alerts.evaluate import evaluate

    s = Section("alerts", _("Alerts"))
    if rules is None:
        from telekpi.alerts.rules import load_rules
        rules = load_rules(None, b.engine.catalog)
    at = end_of_day(b.end, b.engine.settings.tz)
    fired = evaluate(b.engine, rules, at, scope=b.window)
    if b.where:
        scoped = {f"{d} {v}" for d, v in b.where}
        fired = [a for a in fired if a.scope in scoped]   # centre-wide alerts are out of scope
    if not fired:
        s.paragraphs.append(_("No alert fired as of the end of the period."))
        return s
    s.tables.append(Table("alerts", _("Alerts that fired as of the end of the period"),
                          [Column("rule", _("Rule")), Column("scope", _("Scope")), Column("message", _("Alert"))],
                          [alert_row(a, b.cat[a.metric].unit if a.metric else "count") for a in fired]))
    return s


def alert_row(a, unit: str) -> dict:
    """An alert as the report shows it, with what the writers that keep raw values need:
    its value in ``unit``, the days it counted and, for a drop, the days it was measured
    against (the report's own window and its previous one)."""
    before = a.previous
    return {"rule": a.rule, "scope": a.scope or _("whole centre"), "message": a.message,
            "metric": a.metric, "value": a.value, "unit": unit, "threshold": a.threshold,
            "from": a.start, "to": a.end, "previous_from": before.start if before else None,
            "previous_to": before.end if before else None}
