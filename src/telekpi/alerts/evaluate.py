"""What fires now: each rule evaluated through the engine, one ``Alert`` per scope.

A rule looks at its named window as of now, or at the window it is reported under (a
report's period); a drop is measured against that window's previous one (``Window.previous``),
as the dashboard and the reports compare."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from telekpi.alerts.rules import Rule, Rules
from telekpi.analysis.windows import Window, window
from telekpi.days import day_start
from telekpi.engine.lookup import Lookup
from telekpi.engine.names import Names
from telekpi.engine.request import Request
from telekpi.i18n import _, current, ngettext, translate
from telekpi.i18n.words import band_text, dim_name
from telekpi.units import formatter, human


@dataclass(frozen=True)
class Alert:
    rule: str
    key: str                 # rule + scope: the unit of de-duplication
    scope: str | None        # e.g. "team T1"; None for the whole centre
    metric: str | None
    value: float | None
    threshold: float | None
    window: str
    start: date
    end: date
    message: str
    channels: tuple[str, ...]
    previous: Window | None = None   # what a drop was measured against

    def to_json(self) -> dict:
        out = {"rule": self.rule, "key": self.key, "scope": self.scope, "metric": self.metric,
               "value": self.value, "threshold": self.threshold, "window": self.window,
               "from": self.start.isoformat(), "to": self.end.isoformat(), "message": self.message}
        if self.previous:
            out |= {"previous_from": self.previous.start.isoformat(),
                    "previous_to": self.previous.end.isoformat()}
        return out


def evaluate(engine, rules: Rules, now: datetime, scope: Window | None = None) -> list[Alert]:
    """Every alert that fires at ``now`` (an aware datetime; windows in workspace time).
    With ``scope`` every rule looks at those days instead of its own window."""
    tz = engine.settings.tz
    today = now.astimezone(tz).date()
    out: list[Alert] = []
    for rule in rules.rules:
        channels = rule.channels if rule.channels is not None else tuple(rules.channel_names)
        start, end = scope or window(rule.window, today)
        # the window's local days as instants: leads are listed by when they arrived or were touched
        since, until = day_start(start, tz), day_start(end + timedelta(days=1), tz)
        if rule.kind == "metric":
            out += _metric_alerts(engine, rule, start, end, channels)
        elif rule.kind == "slow_leads":
            due = min(until, now - timedelta(minutes=rule.minutes))   # arrived long enough ago
            late = Lookup(engine).slow_leads(since, minutes=rule.minutes, until=due, limit=5)
            if late.total:
                ids = ", ".join(str(r["lead_id"]) for r in late.rows)
                out.append(Alert(rule.id, rule.id, None, None, late.total, rule.minutes, rule.window,
                                 start, end, _("{n} leads not called within {minutes} minutes of "
                                               "arriving ({ids})").format(
                                     n=human(late.total, "count"),
                                     minutes=rule.minutes, ids=ids + (", …" if late.total > 5 else "")),
                                 channels))
        elif rule.kind == "compliance":
            out += _compliance_alerts(engine, rule, start, end, channels)
        elif rule.kind == "caller_ids":
            out += _caller_id_alerts(engine, rule, start, end, channels)
        elif rule.kind == "short_schedule":
            out += _short_schedule(engine, rule, (scope.end if scope else today) + timedelta(days=1), channels)
        elif rule.kind == "lost_calls":
            out += _lost_alerts(engine, rule, since, min(until, now - timedelta(minutes=rule.minutes)),
                                start, end, channels)
        else:
            count = engine.query(Request(("overcontacted_leads",), start=start, end=end)
                                 ).rows[0]["overcontacted_leads"]
            if count:
                n = engine.settings.max_unanswered_attempts
                ids = ", ".join(str(r["lead_id"]) for r in Lookup(engine).stop_list(
                    limit=5, since=since, until=until).rows)
                out.append(Alert(rule.id, rule.id, None, None, count, n, rule.window, start, end,
                                 _("{count} leads touched {n}+ times without engaging: stop calling "
                                   "them ({ids})").format(count=human(count, "count"), n=n,
                                                          ids=ids + (", …" if count > 5 else "")),
                                 channels))
    return out


# A campaign crossing the abandonment cap within this many days at today's pace is alerted.
CROSSING_SOON_DAYS = 7


def _compliance_alerts(engine, rule: Rule, start: date, end: date, channels) -> list[Alert]:
    """One alert per kind of breach in the window (calls outside the calling window, calls
    after a stop request, calls whose QA found no recording disclosure), and one per campaign
    over the abandonment cap or crossing it within
    ``CROSSING_SOON_DAYS`` at today's pace."""
    from telekpi.analysis.compliance import Days, compliance

    data = compliance(engine, Days(start, end, engine.settings.tz), limit=5)
    out = []
    span = f"({start}{'' if start == end else f' – {end}'})"

    def alert(key: str, scope, value, threshold, text: str) -> None:
        out.append(Alert(rule.id, f"{rule.id}|{key}", scope, None, value, threshold, rule.window,
                         start, end, f"{text} {span}", channels))

    for kind, text in (("outside_window", _("{n} calls outside the permitted calling window ({ids})")),
                       ("dnc", _("{n} calls to numbers after they asked to stop ({ids})")),
                       ("disclosure", _("{n} calls without the recording disclosure ({ids})"))):
        n = data["counts"][kind]
        if n:
            ids = ", ".join(str(r["call_id"]) for r in data[kind][:5]) + (", …" if n > 5 else "")
            alert(kind, None, n, 0, text.format(n=human(n, "count"), ids=ids))
    for a in data["abandonment"]:
        scope = f"campaign {a['campaign_id']}"
        rate, cap = human(a["rate"], "rate"), human(a["cap"], "rate")
        if a["over"]:
            alert(scope, scope, a["rate"], a["cap"], _(
                "campaign {campaign}: outbound abandonment {rate} over {days} days, above the {cap} "
                "cap").format(campaign=a["campaign_id"], rate=rate, days=a["window_days"], cap=cap))
        elif a["crosses_on"] and (a["crosses_on"] - end).days <= CROSSING_SOON_DAYS:
            alert(scope, scope, a["rate"], a["cap"], _(
                "campaign {campaign}: outbound abandonment {rate} over {days} days will cross the "
                "{cap} cap on {day} at today's pace").format(
                campaign=a["campaign_id"], rate=rate, days=a["window_days"], cap=cap,
                day=formatter(current()).date(a["crosses_on"])))
    return out


def _caller_id_alerts(engine, rule: Rule, start: date, end: date, channels) -> list[Alert]:
    """One alert per outbound number flagged on the window's last day, with the numbers to use
    instead."""
    from telekpi.analysis.caller_ids import number_health

    out = []
    for c in number_health(engine, end)["campaigns"]:
        for n in c["numbers"]:
            if not n["flagged"]:
                continue
            scope = f"campaign {c['campaign_id']}"
            out.append(Alert(
                rule.id, f"{rule.id}|{c['campaign_id']}|{n['line']}", scope, None, n["rate"],
                n["peer_rate"], rule.window, start, end, _(
                    "number {line} of campaign {campaign}: {rate} picked up on {day} against {peers} "
                    "for its other numbers (drop {drop}, 95 % {low} to {high}); use {use}").format(
                    line=n["line"], campaign=c["campaign_id"], rate=human(n["rate"], "rate"),
                    day=formatter(current()).date(end), peers=human(n["peer_rate"], "rate"),
                    drop=human(n["drop"], "rate"), low=human(n["drop_low"], "rate"),
                    high=human(n["drop_high"], "rate"),
                    use=", ".join(c["healthy"]) or _("none: add numbers")), channels))
    return out


def _short_schedule(engine, rule: Rule, day: date, channels) -> list[Alert]:
    """``day``'s schedule against the requirement (wfm/board.py: the same weekday's calls of
    the four weeks before, Erlang A, the measured shrinkage): one alert naming the short
    intervals. Only in a workspace that has schedules: without any there is nothing to miss."""
    from telekpi.engine.workforce import schedules
    from telekpi.wfm.board import short_intervals

    if not schedules(engine, day - timedelta(days=28), day):
        return []
    short = short_intervals(engine, day)
    if not short:
        return []
    listed = ", ".join(_("{time} ({required} needed, {scheduled} scheduled)").format(
        time=r["interval"].strftime("%H:%M"), required=r["required"], scheduled=human(r["scheduled"], "count"))
        for r in short[:5])
    text = ngettext("The schedule for {day} is short of the requirement in {n} interval: {intervals}",
                    "The schedule for {day} is short of the requirement in {n} intervals: {intervals}",
                    len(short)).format(
        day=human(day, "date"), n=len(short), intervals=listed + (", …" if len(short) > 5 else ""))
    return [Alert(rule.id, f"{rule.id}|{day}", None, None, float(sum(r["short"] for r in short)), None,
                  rule.window, day, day, text, channels)]


def _lost_alerts(engine, rule: Rule, since: datetime, due: datetime, start: date, end: date,
                 channels) -> list[Alert]:
    """Lost calls lost in the window before ``due`` (``minutes`` ago) and not yet won back
    while they still may be (within recovery_window_h): one alert naming the oldest."""
    from telekpi.engine.operations import OperationsLists

    waiting = OperationsLists(engine).lost_not_recovered(since=since, until=due, limit=5,
                                                         open_only=True)
    if not waiting.total:
        return []
    who = ", ".join(str(r["customer_number"] or r["caller_number"] or r["call_id"])
                    for r in waiting.rows)
    return [Alert(rule.id, rule.id, None, None, waiting.total, rule.minutes, rule.window, start, end,
                  _("{n} lost calls not won back after {minutes} minutes, oldest first: {who}").format(
                      n=human(waiting.total, "count"), minutes=rule.minutes,
                      who=who + (", …" if waiting.total > 5 else "")), channels)]


def _metric_alerts(engine, rule: Rule, start: date, end: date, channels) -> list[Alert]:
    metric = cast(str, rule.metric)   # a metric rule names its metric (load_rules checks)
    m = engine.catalog.metrics[metric]
    by = (rule.by,) if rule.by else ()
    with_calls = engine.supports("calls", set(by)) and rule.metric != "calls"
    minimum = rule.min_calls if rule.min_calls is not None else (
        engine.settings.min_sample if m.unit == "rate" and with_calls else 0)
    metrics = (metric,) + (("calls",) if with_calls else ())
    rows = engine.query(Request(metrics, by=by, start=start, end=end)).rows
    before = {}
    compared = Window(start, end).previous()
    if rule.drop_pct is not None:
        before = {r.get(rule.by) if rule.by else None: r[rule.metric]
                  for r in engine.query(Request((metric,), by=by, start=compared.start,
                                                end=compared.end)).rows}
    industries = Lookup(engine).campaign_industries() if rule.bands and rule.by == "campaign" else {}
    names = Names(Lookup(engine))   # the text says who: "agent Lê Minh Long (A010)"
    out = []
    for r in rows:
        key_value = r.get(rule.by) if rule.by else None
        if rule.by and key_value is None:
            continue
        value = r[rule.metric]
        if value is None or (with_calls and (r.get("calls") or 0) < minimum):
            continue
        scope = f"{rule.by} {key_value}" if rule.by else None
        who = (f"{names.of(rule.by, key_value)} ({key_value})" if names.named(rule.by, key_value)
               else str(key_value)) if rule.by else ""
        where = " " + _("for {scope}").format(scope=f"{dim_name(rule.by)} {who}") if rule.by else ""
        name = translate(m.name)
        shown = human(value, m.unit)
        fired: list[tuple[float | None, str, Window | None]] = []
        if rule.above is not None and value > rule.above:
            fired.append((rule.above, _("{name}{where} is {value}, above {threshold}").format(
                name=name, where=where, value=shown, threshold=human(rule.above, m.unit)), None))
        if rule.below is not None and value < rule.below:
            fired.append((rule.below, _("{name}{where} is {value}, below {threshold}").format(
                name=name, where=where, value=shown, threshold=human(rule.below, m.unit)), None))
        if rule.bands:
            band = m.band(value, industries.get(key_value) if key_value is not None else None)
            if band and band.level in rule.bands:
                fired.append((band.max, _("{name}{where} is {value}: {band}").format(
                                   name=name, where=where, value=shown, band=band_text(band)), None))
        if rule.drop_pct is not None:
            prev = before.get(key_value)
            if prev and prev > 0 and (prev - value) / prev * 100 > rule.drop_pct:
                fired.append((prev, _("{name}{where} fell {drop} to {value} from {before} ({period})").format(
                    name=name, where=where, drop=formatter(current()).percent((prev - value) / prev, 0),
                    value=shown, before=human(prev, m.unit), period=compared.words()), compared))
        for threshold, text, against in fired[:1]:
            out.append(Alert(rule.id, f"{rule.id}|{scope or ''}", scope, rule.metric, value,
                             threshold, rule.window, start, end,
                             f"{text} ({start}{'' if start == end else f' – {end}'})", channels,
                             against))
    return out


def in_scope(alerts: list[Alert], where, team_of: dict[str, str | None]) -> list[Alert]:
    """The alerts about a view filtered by ``where`` (dimension, value pairs): all of them
    without filters; else those about one of its values, and an agent's alerts when the view
    is that agent's team. A centre-wide alert is out of a filtered view's scope (as the
    report leaves it out)."""
    if not where:
        return alerts
    scoped = {f"{d} {v}" for d, v in where}
    teams = {v for d, v in where if d == "team"}
    out = []
    for a in alerts:
        dim, _sep, value = (a.scope or "").partition(" ")
        if a.scope in scoped or (dim == "agent" and team_of.get(value) in teams):
            out.append(a)
    return out
