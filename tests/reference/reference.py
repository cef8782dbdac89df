"""An independent pure-Python reading of METRICS.md: every built-in metric.

Plain dicts and lists, ``datetime`` and ``zoneinfo``: no SQL, no pandas, and
nothing from ``telekpi.engine`` or ``telekpi.catalog``. The only telekpi import
is the default disposition map (a table of facts, not logic).

``Reference(rows, timezone).query(metric, by, period, start, end)`` returns
``{key: value}`` where ``key`` is the tuple of the ``by`` dimension values (as
strings, ``None`` for a missing value) followed by the period's first day
(``"2026-01-01"``) when a period is asked. Dates are local days of the
workspace timezone; ``start`` and ``end`` are inclusive. Zero denominators
give ``None``.

The groups a metric reports are the groups in which the rows it is computed
from exist (a group with calls but no connected call reports connection_rate
0 and aht None; a group absent from the data is not reported).

Where METRICS.md is loose, the reference follows the catalog YAML's choice;
each such place carries a comment starting ``AMBIGUOUS:``. Places where the
YAML departs from what METRICS.md says carry ``YAML DEPARTS:``.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from typing import ClassVar
from zoneinfo import ZoneInfo

from telekpi.model.dispositions import DEFAULT_MAP

from .operations import callback_rows, contact_rows, lost_rows

UTC = dt.UTC
PERIODS = ("day", "week", "month", "quarter", "year")
ALL_DIMS = ("agent", "team", "site", "vendor", "campaign", "industry", "product", "lead_source",
            "segment", "script", "direction", "queue", "disposition", "status", "hour", "weekday")


# ---- small helpers ----------------------------------------------------------------------------

def ratio(num, den):
    """num / den; None when the denominator is 0 or unknown (METRICS.md: rates are null then)."""
    if num is None or not den:
        return None
    return num / den


def one_minus(r):
    return None if r is None else 1 - r


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def code_of(disposition) -> str | None:
    """A disposition as a code: trimmed, upper case; blank is no code."""
    if disposition is None:
        return None
    code = disposition.strip(" ").upper()
    return code or None


def period_start(d: dt.date, period: str) -> dt.date:
    if period == "day":
        return d
    if period == "week":                       # ISO weeks start on Monday
        return d - dt.timedelta(days=d.weekday())
    if period == "month":
        return d.replace(day=1)
    if period == "quarter":
        return d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)
    return d.replace(month=1, day=1)


def shift_period(p: dt.date, period: str, n: int) -> dt.date:
    """The first day of the period n periods after the one starting on p."""
    if period == "day":
        return p + dt.timedelta(days=n)
    if period == "week":
        return p + dt.timedelta(days=7 * n)
    months = {"month": 1, "quarter": 3, "year": 12}[period] * n
    y, m = divmod(p.year * 12 + p.month - 1 + months, 12)
    return dt.date(y, m + 1, 1)


def epoch(t: dt.datetime) -> float:
    return t.timestamp()


def cost_days(k: dict) -> list[tuple[dict, dt.date]]:
    """METRICS.md: a cost covers the days from incurred_on to its period_end (its own day
    without one), each carrying an even share; shares are whole 0.0001s, the first day also
    carrying what the division leaves, so the days add up to the amount exactly."""
    start = k["incurred_on"]
    end = max(k.get("period_end") or start, start)
    days = (end - start).days + 1
    units = round(k["amount"] * 10000)
    per = abs(units) // days * (1 if units >= 0 else -1)   # truncated, as SQL divides
    out = []
    for i in range(days):
        share = per + (units - per * days if i == 0 else 0)
        out.append(({**k, "amount": share / 10000}, start + dt.timedelta(days=i)))
    return out


class Scope:
    def __init__(self, by=(), period=None, start=None, end=None):
        self.by, self.period, self.start, self.end = tuple(by), period, start, end


# ---- the reference ----------------------------------------------------------------------------

class Reference:
    def __init__(self, rows: dict[str, list[dict]], timezone: str = "UTC", *,
                 productive_min_talk_s: float = 60.0, max_unanswered_attempts: int = 5,
                 service_level_s: float = 20.0, ticket_sla_s: float = 4 * 3600.0,
                 service_level_inclusive: bool = True, service_level_basis: str = "offered",
                 short_abandon_s: float = 0.0, recovery_window_h: float = 24.0,
                 callback_due_h: float = 24.0, callback_tolerance_min: float = 15.0,
                 fcr_window_days: float = 7.0,
                 dispositions: dict[str, frozenset[str]] | None = None):
        self.rows = {k: list(v) for k, v in rows.items()}
        for name in ("calls", "leads", "orders", "costs", "surveys", "tickets", "agent_states",
                     "engagements", "agents", "campaigns", "teams", "call_speech", "qa_results",
                     "call_sentiment"):
            self.rows.setdefault(name, [])
        self.tz = ZoneInfo(timezone)
        self.productive_min_talk_s = productive_min_talk_s
        self.max_unanswered = max_unanswered_attempts
        self.service_level_s = service_level_s
        self.service_level_inclusive = service_level_inclusive
        self.service_level_basis = service_level_basis
        self.short_abandon_s = short_abandon_s
        self.ticket_sla_s = ticket_sla_s
        dmap = dispositions if dispositions is not None else DEFAULT_MAP
        self.flags = {code.upper(): set(flags) for code, flags in dmap.items()}
        self.agents = {a["agent_id"]: a for a in self.rows["agents"]}
        self.campaigns = {c["campaign_id"]: c for c in self.rows["campaigns"]}
        self.leads = {lead["lead_id"]: lead for lead in self.rows["leads"]}
        self.calls_by_id = {c["call_id"]: c for c in self.rows["calls"]}
        # A team's site and vendor, for costs booked to a team: the largest value among its agents.
        self.team_site, self.team_vendor = {}, {}
        for a in self.rows["agents"]:
            t = a.get("team_id")
            if t is None:
                continue
            if a.get("site") is not None:
                self.team_site[t] = max(self.team_site.get(t, a["site"]), a["site"])
            if a.get("vendor") is not None:
                self.team_vendor[t] = max(self.team_vendor.get(t, a["vendor"]), a["vendor"])
        self.won_by_order = {o["lead_id"] for o in self.rows["orders"]
                             if o["status"] == "completed" and o.get("lead_id") is not None}
        self.first_outbound_call = {}
        for c in self.rows["calls"]:
            if c.get("lead_id") is not None and c.get("direction") == "outbound":
                prev = self.first_outbound_call.get(c["lead_id"])
                if prev is None or c["started_at"] < prev:
                    self.first_outbound_call[c["lead_id"]] = c["started_at"]
        self.touch_history = self._touch_history()
        # docs/operations.md: the operations rows (tests/reference/operations.py)
        calls, orders = self.rows["calls"], self.rows["orders"]
        self.lost = lost_rows(calls, orders, self.flag, short_abandon_s, recovery_window_h)
        self.callbacks = callback_rows(calls, self.flag, callback_due_h, callback_tolerance_min,
                                       dt.datetime.now(UTC))
        self.contacts = contact_rows(calls, fcr_window_days)

    # ---- flags --------------------------------------------------------------------------------
    def flag(self, disposition, name: str) -> bool:
        code = code_of(disposition)
        return code is not None and name in self.flags.get(code, ())

    # ---- time ---------------------------------------------------------------------------------
    # -- the queue variants (settings service_level_inclusive, _basis, short_abandon_s) --------
    def within_sl(self, wait: float) -> bool:
        return wait <= self.service_level_s if self.service_level_inclusive else wait < self.service_level_s

    def short_abandon(self, c) -> bool:
        """Abandoned in the queue before short_abandon_s (a wait not known is not short)."""
        return c["status"] == "abandoned" and c.get("wait_s") is not None and c["wait_s"] < self.short_abandon_s

    def in_sl_basis(self, c) -> bool:
        if self.service_level_basis == "answered":
            return c["status"] == "answered"
        if self.service_level_basis == "offered_minus_short_abandons":
            return not self.short_abandon(c)
        return True

    def local_day(self, t) -> dt.date | None:
        if t is None:
            return None
        if isinstance(t, dt.datetime):
            cache = self.__dict__.setdefault("_day_cache", {})
            if t not in cache:
                cache[t] = t.astimezone(self.tz).date()
            return cache[t]
        return t

    def local_midnight(self, d: dt.date) -> dt.datetime:
        return dt.datetime.combine(d, dt.time(0), tzinfo=self.tz).astimezone(UTC)

    def _time_dims(self, t) -> dict:
        local = t.astimezone(self.tz)
        return {"hour": str(local.hour), "weekday": str(local.isoweekday())}

    # ---- dimensions of the rows of each source ------------------------------------------------
    def _agent_dims(self, agent_id) -> dict:
        a = self.agents.get(agent_id, {})
        return {"agent": agent_id, "team": a.get("team_id"), "site": a.get("site"),
                "vendor": a.get("vendor")}

    def _campaign_dims(self, campaign_id) -> dict:
        cp = self.campaigns.get(campaign_id, {})
        return {"campaign": campaign_id, "industry": cp.get("industry"), "product": cp.get("product")}

    def _lead_dims(self, lead_id) -> dict:
        lead = self.leads.get(lead_id, {})
        return {"lead_source": lead.get("source"), "segment": lead.get("segment")}

    def call_dims(self, c: dict) -> dict:
        return {**self._agent_dims(c.get("agent_id")), **self._campaign_dims(c.get("campaign_id")),
                **self._lead_dims(c.get("lead_id")), "script": c.get("script"),
                "direction": c.get("direction"), "queue": c.get("queue"),
                "disposition": code_of(c.get("disposition")),
                "status": c["status"], **self._time_dims(c["started_at"])}

    def lead_dims(self, lead: dict) -> dict:
        return {**self._campaign_dims(lead.get("campaign_id")), "lead_source": lead.get("source"),
                "segment": lead.get("segment"), **self._time_dims(lead["created_at"])}

    def lead_attr_dims(self, lead_id) -> dict:
        lead = self.leads.get(lead_id, {})
        return {**self._campaign_dims(lead.get("campaign_id")), "lead_source": lead.get("source"),
                "segment": lead.get("segment")}

    def order_dims(self, o: dict) -> dict:
        cp = self.campaigns.get(o.get("campaign_id"), {})
        call = self.calls_by_id.get(o.get("call_id"), {})
        product = o.get("product") if o.get("product") is not None else cp.get("product")
        return {**self._agent_dims(o.get("agent_id")), "campaign": o.get("campaign_id"),
                "industry": cp.get("industry"), "product": product,
                **self._lead_dims(o.get("lead_id")), "script": call.get("script"),
                "queue": call.get("queue"), **self._time_dims(o["ordered_at"])}

    def cost_dims(self, k: dict) -> dict:
        # METRICS.md: a cost scoped to a team or campaign is not split across agents; its team is
        # its own team_id or its agent's team, its site and vendor its agent's or else its team's.
        a = self.agents.get(k.get("agent_id"), {})
        team = k.get("team_id") if k.get("team_id") is not None else a.get("team_id")
        site = a.get("site") if a.get("site") is not None else self.team_site.get(team)
        vendor = a.get("vendor") if a.get("vendor") is not None else self.team_vendor.get(team)
        # AMBIGUOUS: a team's site (vendor) is the largest of its agents' sites (vendors), as
        # the engine; a team with agents on both sites reads as "outsourced".
        return {"agent": k.get("agent_id"), "team": team, "site": site, "vendor": vendor,
                **self._campaign_dims(k.get("campaign_id"))}

    def survey_dims(self, s: dict) -> dict:
        call = self.calls_by_id.get(s.get("call_id"), {})
        agent = s.get("agent_id") if s.get("agent_id") is not None else call.get("agent_id")
        return {**self._agent_dims(agent), **self._campaign_dims(call.get("campaign_id")),
                "script": call.get("script"), "direction": call.get("direction"),
                "queue": call.get("queue"), **self._time_dims(s["answered_at"])}

    def analysis_dims(self, r: dict) -> dict:
        """A QA result's or a call's sentiment: the row's agent, else its call's."""
        call = self.calls_by_id.get(r["call_id"], {})
        agent = r.get("agent_id") if r.get("agent_id") is not None else call.get("agent_id")
        return {**self._agent_dims(agent), **self._campaign_dims(call.get("campaign_id")),
                "script": call.get("script"), "direction": call.get("direction"),
                **self._time_dims(r["started_at"])}

    def ticket_dims(self, t: dict) -> dict:
        return {**self._agent_dims(t.get("agent_id")), **self._time_dims(t["opened_at"])}

    def state_dims(self, s: dict) -> dict:
        return {**self._agent_dims(s["agent_id"]), **self._time_dims(s["started_at"])}

    # ---- per-lead touch history (seed 002) ----------------------------------------------------
    def _touch_history(self) -> dict[str, dict]:
        """Per lead: outbound calls and outbound engagements are touches; a connected call, an
        inbound call or an inbound engagement is an engagement."""
        events = defaultdict(list)   # lead → [(ts, touch, engaged)]
        for c in self.rows["calls"]:
            if c.get("lead_id") is not None:
                events[c["lead_id"]].append((c["started_at"], c.get("direction") == "outbound",
                                             c["status"] == "answered" or c.get("direction") == "inbound"))
        for e in self.rows["engagements"]:
            events[e["lead_id"]].append((e["at"], e["direction"] == "out", e["direction"] == "in"))
        out = {}
        for lead_id, evs in events.items():
            engaged = [ts for ts, _, eng in evs if eng]
            first_engaged = min(engaged) if engaged else None
            last_engaged = max(engaged) if engaged else None
            out[lead_id] = {
                "lead_id": lead_id,
                "last_touch_at": max(ts for ts, _, _ in evs),
                "first_engaged_at": first_engaged,
                # YAML DEPARTS: METRICS.md counts touches "before" the first engagement; the
                # catalog counts them "up to and including" it (a connected outbound call is both
                # the last touch and the engagement), and so does the reference.
                "actions_to_engage": (sum(1 for ts, touch, _ in evs if touch and ts <= first_engaged)
                                      if first_engaged is not None else 0),
                # AMBIGUOUS: "consecutive touches and no engagement" is read as the latest run of
                # touches after the last engagement (all touches if never engaged), as the YAML.
                "trailing_unanswered": sum(1 for ts, touch, _ in evs
                                           if touch and (last_engaged is None or ts > last_engaged)),
            }
        return out

    # ---- grouping -----------------------------------------------------------------------------
    def _in_scope(self, t, start, end) -> bool:
        if start is None and end is None:
            return True
        d = self.local_day(t)
        if d is None:
            return False
        return (start is None or d >= start) and (end is None or d <= end)

    def _key(self, dims: dict, t, scope: Scope):
        key = tuple(None if dims[b] is None else str(dims[b]) for b in scope.by)
        if scope.period:
            d = self.local_day(t)
            key += (None if d is None else period_start(d, scope.period).isoformat(),)
        return key

    def _source_rows(self, source: str):
        """(row, dims, time) of each row of a source (computed once)."""
        cache = self.__dict__.setdefault("_rows_cache", {})
        if source not in cache:
            cache[source] = self._make_source_rows(source)
        return cache[source]

    def _make_source_rows(self, source: str):
        if source == "calls":
            return [(c, self.call_dims(c), c["started_at"]) for c in self.rows["calls"]]
        if source == "leads":
            return [(lead, self.lead_dims(lead), lead["created_at"]) for lead in self.rows["leads"]]
        if source == "touches_by_last":
            return [(h, self.lead_attr_dims(h["lead_id"]), h["last_touch_at"])
                    for h in self.touch_history.values()]
        if source == "touches_by_engagement":
            return [(h, self.lead_attr_dims(h["lead_id"]), h["first_engaged_at"])
                    for h in self.touch_history.values()]
        if source == "orders":
            return [(o, self.order_dims(o), o["ordered_at"]) for o in self.rows["orders"]]
        if source == "costs":
            return [(share, self.cost_dims(k), day) for k in self.rows["costs"]
                    for share, day in cost_days(k)]
        if source == "surveys":
            return [(s, self.survey_dims(s), s["answered_at"]) for s in self.rows["surveys"]]
        if source == "tickets":
            return [(t, self.ticket_dims(t), t["opened_at"]) for t in self.rows["tickets"]]
        if source in ("qa_results", "call_sentiment"):
            return [(r, self.analysis_dims(r), r["started_at"]) for r in self.rows[source]]
        if source == "agent_states":
            return [(s, self.state_dims(s), s["started_at"]) for s in self.rows["agent_states"]]
        if source == "call_speech":
            # an analysed call goes by its call; one whose call is unknown counts nowhere
            return [(s, self.call_dims(self.calls_by_id[s["call_id"]]),
                     self.calls_by_id[s["call_id"]]["started_at"])
                    for s in self.rows["call_speech"] if s["call_id"] in self.calls_by_id]
        if source in ("lost_calls", "callbacks", "contacts"):
            rows = {"lost_calls": self.lost, "callbacks": self.callbacks, "contacts": self.contacts}
            return [(r, self.call_dims(r), r["started_at"]) for r in rows[source]]
        raise KeyError(source)

    def groups(self, source: str, scope: Scope, start=..., end=...) -> dict[tuple, list]:
        start = scope.start if start is ... else start
        end = scope.end if end is ... else end
        if source == "lead_stages":
            return self._lead_stage_groups(scope)
        out = defaultdict(list)
        for row, dims, t in self._source_rows(source):
            if self._in_scope(t, start, end):
                out[self._key(dims, t, scope)].append(row)
        return out

    def _lead_stage_groups(self, scope: Scope) -> dict[tuple, list]:
        """Per group: one record per lead with calls in the group: whether it was attempted
        (an outbound call in the group) and the stages it reached (by a call of either
        direction, or an order). METRICS.md: the funnel is the dialling process, so only
        attempted leads count at any stage."""
        per_lead = defaultdict(list)
        for c, dims, t in self._source_rows("calls"):
            if c.get("lead_id") is None or not self._in_scope(t, scope.start, scope.end):
                continue
            key = self._key(dims, t, scope)   # the by dimensions are lead-stage dimensions
            per_lead[(key, c["lead_id"])].append(c)
        out = defaultdict(list)
        for (key, lead_id), calls in per_lead.items():
            # AMBIGUOUS: "a completed order linked to the lead" is any completed order with the
            # lead's id, whenever it was placed (the YAML's choice).
            won = (any(self.flag(c.get("disposition"), "sale") for c in calls)
                   or lead_id in self.won_by_order)
            qualified = won or any(self.flag(c.get("disposition"), "qualified") for c in calls)
            dm = qualified or any(self.flag(c.get("disposition"), "decision_maker") for c in calls)
            connected = dm or any(c["status"] == "answered" for c in calls)
            attempted = any(c.get("direction") == "outbound" for c in calls)
            out[key].append({"lead_id": lead_id, "attempted": attempted,
                             "connected": attempted and connected,
                             "decision_maker": attempted and dm,
                             "qualified": attempted and qualified, "won": attempted and won})
        return out

    # ---- combining sources ------------------------------------------------------------------
    def combine(self, scope: Scope, parts: dict[str, tuple[str, object]], final) -> dict:
        """parts: name → (source, aggregate over that group's rows). The groups reported are
        those any source has; an aggregate over a missing group sees no rows."""
        grouped = {name: self.groups(src, scope) for name, (src, _) in parts.items()}
        keys = set().union(*[set(g) for g in grouped.values()])
        if not scope.by and not scope.period:
            keys.add(())     # a total is reported even over no rows (counts 0, rates None)
        out = {}
        for key in keys:
            vals = {name: fn(grouped[name].get(key, [])) for name, (_, fn) in parts.items()}
            out[key] = final(**vals)
        return out

    # ---- supported dimensions ----------------------------------------------------------------
    SOURCE_DIMS: ClassVar[dict[str, set[str]]] = {
        "calls": set(ALL_DIMS),
        "lead_stages": set(ALL_DIMS) - {"status", "disposition", "hour", "weekday"},
        "leads": {"campaign", "industry", "product", "lead_source", "segment", "hour", "weekday"},
        "touches_by_last": {"campaign", "industry", "product", "lead_source", "segment"},
        "touches_by_engagement": {"campaign", "industry", "product", "lead_source", "segment"},
        "orders": set(ALL_DIMS) - {"direction", "disposition", "status"},
        "costs": {"agent", "team", "site", "vendor", "campaign", "industry", "product"},
        "surveys": {"agent", "team", "site", "vendor", "campaign", "industry", "product", "script",
                    "direction", "queue", "hour", "weekday"},
        "tickets": {"agent", "team", "site", "vendor", "hour", "weekday"},
        **{m: {"agent", "team", "site", "vendor", "campaign", "industry", "product", "script", "direction",
               "hour", "weekday"} for m in ("qa_results", "call_sentiment")},
        "agent_states": {"agent", "team", "site", "vendor", "hour", "weekday"},
        "call_speech": set(ALL_DIMS),
        "lost_calls": set(ALL_DIMS) - {"direction"},
        "callbacks": set(ALL_DIMS),
        "contacts": set(ALL_DIMS) - {"direction", "status"},
    }

    def sources(self, metric: str) -> set[str]:
        return set(METRIC_SOURCES[metric])

    def supported_dims(self, metric: str) -> set[str]:
        dims = set(ALL_DIMS)
        for s in METRIC_SOURCES[metric]:
            dims &= self.SOURCE_DIMS[s]
        return dims - NOT_BY.get(metric, set())

    # ---- the metrics ------------------------------------------------------------------------
    def query(self, metric: str, by=(), period=None, start=None, end=None) -> dict:
        if period is not None and period not in PERIODS:
            raise ValueError(period)
        bad = set(by) - self.supported_dims(metric)
        if bad:
            raise ValueError(f"{metric} cannot be split by {sorted(bad)}")
        scope = Scope(by, period, start, end)
        if metric in ("revenue_growth", "retention_rate") and not period:
            raise ValueError(f"{metric} needs a period")
        fn = getattr(self, f"m_{metric}", None)
        if fn is not None:
            return fn(scope)
        parts, final = _simple(self)[metric]()
        out = self.combine(scope, parts, final)
        if metric in COST_RATIOS and by:
            # METRICS.md: by a dimension where the row without a value of it has cost, a ratio
            # over costs is not meaningful: no value on any row
            costs = self.groups("costs", scope)
            if any(any(key[i] is None for i in range(len(by))) and sum(k["amount"] for k in rows)
                   for key, rows in costs.items()):
                out = {key: None for key in out}
        return out

    # Metrics that need more than one aggregate per source are written out below; the rest are
    # in _simple() at the end of the module.

    # -- funnel over lead stages ------------------------------------------------------------
    def _stages(self, scope: Scope, final) -> dict:
        def counts(leads):
            return {s: sum(1 for r in leads if r[s]) for s in ("attempted", "connected",
                                                               "decision_maker", "qualified", "won")}
        return self.combine(scope, {"s": ("lead_stages", counts)}, lambda s: final(s))

    def m_leads_attempted(self, sc):
        return self._stages(sc, lambda s: s["attempted"])

    def m_leads_connected(self, sc):
        return self._stages(sc, lambda s: s["connected"])

    def m_leads_decision_maker(self, sc):
        return self._stages(sc, lambda s: s["decision_maker"])

    def m_leads_qualified(self, sc):
        return self._stages(sc, lambda s: s["qualified"])

    def m_leads_won(self, sc):
        return self._stages(sc, lambda s: s["won"])

    def m_contact_rate(self, sc):
        return self._stages(sc, lambda s: ratio(s["decision_maker"], s["attempted"]))

    def m_qualified_rate(self, sc):
        return self._stages(sc, lambda s: ratio(s["qualified"], s["decision_maker"]))

    def m_close_rate(self, sc):
        return self._stages(sc, lambda s: ratio(s["won"], s["qualified"]))

    def m_lead_conversion_rate(self, sc):
        return self._stages(sc, lambda s: ratio(s["won"], s["attempted"]))

    def m_dropoff_connected(self, sc):
        return self._stages(sc, lambda s: one_minus(ratio(s["connected"], s["attempted"])))

    def m_dropoff_decision_maker(self, sc):
        return self._stages(sc, lambda s: one_minus(ratio(s["decision_maker"], s["connected"])))

    def m_dropoff_qualified(self, sc):
        return self._stages(sc, lambda s: one_minus(ratio(s["qualified"], s["decision_maker"])))

    def m_dropoff_won(self, sc):
        return self._stages(sc, lambda s: one_minus(ratio(s["won"], s["qualified"])))

    def m_attempts_per_lead(self, sc):
        # METRICS.md: outbound calls to leads / leads attempted (an inbound call is no attempt).
        return self.combine(sc, {"calls": ("calls", lambda cs: sum(
                                     1 for c in cs if c.get("lead_id") is not None
                                     and c.get("direction") == "outbound")),
                                 "leads": ("lead_stages", lambda ls: sum(1 for r in ls if r["attempted"]))},
                            lambda calls, leads: ratio(calls, leads))

    # -- revenue over periods ---------------------------------------------------------------
    def m_revenue_growth(self, sc):
        # AMBIGUOUS: with --from inside a period, the current period's revenue is its whole
        # period up to --to (not just the part after --from), compared with the whole previous
        # period; periods before --from's are not reported (the engine's choice).
        p = sc.period
        widened = shift_period(period_start(sc.start, p), p, -1) if sc.start else None
        groups = self.groups("orders", sc, start=widened)

        def rev(orders):
            done = [o["amount"] for o in orders if o["status"] == "completed"]
            return sum(done) if done else None   # no completed order: unknown, not 0

        out = {}
        for key, orders in groups.items():
            per = dt.date.fromisoformat(key[-1])
            if sc.start and per < period_start(sc.start, p):
                continue
            prev_key = key[:-1] + (shift_period(per, p, -1).isoformat(),)
            cur = rev(orders) or 0
            prev = rev(groups[prev_key]) if prev_key in groups else None
            out[key] = None if not prev else (cur - prev) / prev
        return out

    def m_retention_rate(self, sc):
        p = sc.period
        widened = shift_period(period_start(sc.start, p), p, -1) if sc.start else None
        customers = defaultdict(set)    # (dims…, period) → customers with a completed order
        for o, dims, t in self._source_rows("orders"):
            if (o["status"] == "completed" and o.get("customer_id") is not None
                    and self._in_scope(t, widened, sc.end)):
                customers[self._key(dims, t, sc)].add(o["customer_id"])
        if not customers:
            return {}
        # AMBIGUOUS: a period after the last period with any completed order is not reported
        # (there is no "this period" yet), as the engine.
        last = max(k[-1] for k in customers)
        out = {}
        for key, prev in customers.items():
            if key[-1] >= last:
                continue
            cur_key = key[:-1] + (shift_period(dt.date.fromisoformat(key[-1]), p, 1).isoformat(),)
            if sc.start and cur_key[-1] < period_start(sc.start, p).isoformat():
                continue
            out[cur_key] = len(prev & customers.get(cur_key, set())) / len(prev)
        return out

    # -- care -------------------------------------------------------------------------------
    def m_open_tickets(self, sc):
        # Tickets opened in scope and not resolved at the end of the scope. AMBIGUOUS: with a
        # period, the end of each period; with --to, the end of that day; the earlier of the
        # two when both apply. Without either, tickets never resolved.
        out = {}
        groups = self.groups("tickets", sc)
        if not sc.by and not sc.period:
            groups.setdefault((), [])
        for key, tickets in groups.items():
            ends = []
            if sc.period:
                ends.append(self.local_midnight(shift_period(dt.date.fromisoformat(key[-1]), sc.period, 1)))
            if sc.end:
                ends.append(self.local_midnight(sc.end + dt.timedelta(days=1)))
            end = min(ends) if ends else None
            out[key] = sum(1 for t in tickets if t.get("resolved_at") is None
                           or (end is not None and t["resolved_at"] >= end))
        return out


# ---- metric definitions --------------------------------------------------------------------

def _count(pred):
    return lambda rows: sum(1 for r in rows if pred(r))


def _sum(fn, pred=lambda r: True):
    return lambda rows: sum(fn(r) for r in rows if pred(r))


def _nz(v):
    return 0 if v is None else v


def _answered(c):
    return c["status"] == "answered"


def _offered(c):
    return _inbound(c) and (c.get("queued_at") is not None or c.get("queue") is not None)


def _inbound(c):
    return c.get("direction") == "inbound"


def _secs(s):
    return epoch(s["ended_at"]) - epoch(s["started_at"])


def _logged_in(s):
    # METRICS.md: logged-in time = all states but offline.
    return s["state"] != "offline"


def _scored(q: dict) -> bool:
    return q["score"] is not None


def _one(source, fn, final=lambda v: v):
    return {"v": (source, fn)}, lambda v: final(v)


def _calls_ratio(num, den):
    return {"n": ("calls", num), "d": ("calls", den)}, lambda n, d: ratio(n, d)


def _simple(ref: Reference):
    flag = ref.flag
    return {
        # -- calls ----------------------------------------------------------------------------
        "calls": lambda: _one("calls", len),
        "connected_calls": lambda: _one("calls", _count(_answered)),
        "connection_rate": lambda: _calls_ratio(_count(_answered), len),
        # "connected and a conversation took place": talk_s > 0 (an unknown talk_s is not > 0).
        "call_success_rate": lambda: _calls_ratio(
            _count(lambda c: _answered(c) and c.get("talk_s") is not None and c["talk_s"] > 0), len),
        # AMBIGUOUS: an unknown talk, hold or wrap time counts as 0 s in handle time (the YAML).
        "aht": lambda: _calls_ratio(
            _sum(lambda c: _nz(c.get("talk_s")) + _nz(c.get("hold_s")) + _nz(c.get("wrap_s")), _answered),
            _count(_answered)),
        # AMBIGUOUS: "Σ talk_s / connected_calls" sums talk over connected calls only (talk on a
        # voicemail is not part of the average), as the YAML.
        "avg_talk_time": lambda: _calls_ratio(_sum(lambda c: _nz(c.get("talk_s")), _answered),
                                              _count(_answered)),
        "talk_time": lambda: _one("calls", _sum(lambda c: _nz(c.get("talk_s")))),
        "abandoned_calls": lambda: _one("calls", _count(lambda c: c["status"] == "abandoned")),
        "abandonment_rate": lambda: _calls_ratio(_count(lambda c: c["status"] == "abandoned"), len),
        # METRICS.md: outbound abandoned calls / outbound live answers; inbound queue abandons
        # are queue_abandonment_rate's.
        "drop_rate": lambda: _calls_ratio(
            _count(lambda c: c["status"] == "abandoned" and c.get("direction") == "outbound"),
            _count(lambda c: c["status"] in ("answered", "abandoned") and c.get("direction") == "outbound")),
        # 85_compliance.yaml: drop_rate's two parts.
        "dialer_drops": lambda: _one("calls", _count(
            lambda c: c["status"] == "abandoned" and c.get("direction") == "outbound")),
        "outbound_live_answers": lambda: _one("calls", _count(
            lambda c: c["status"] in ("answered", "abandoned") and c.get("direction") == "outbound")),
        "successful_calls": lambda: _one("calls", _count(lambda c: flag(c.get("disposition"), "success"))),
        "call_conversion_rate": lambda: _calls_ratio(
            _count(lambda c: flag(c.get("disposition"), "success")), len),
        # "a disposition set": any non-blank code, known to the map or not.
        "productive_calls": lambda: _one("calls", _count(
            lambda c: _answered(c) and c.get("talk_s") is not None
            and c["talk_s"] >= ref.productive_min_talk_s and code_of(c.get("disposition")) is not None)),
        "orders_per_call": lambda: ({"o": ("orders", _count(lambda o: o["status"] == "completed")),
                                     "c": ("calls", len)}, lambda o, c: ratio(o, c)),
        "avg_mos": lambda: _calls_ratio(_sum(lambda c: c["mos"], lambda c: c.get("mos") is not None),
                                        _count(lambda c: c.get("mos") is not None)),
        "poor_quality_rate": lambda: _calls_ratio(
            _count(lambda c: c.get("mos") is not None and c["mos"] < 3.5),
            _count(lambda c: c.get("mos") is not None)),
        # YAML DEPARTS: METRICS.md says calls / distinct (agent, local day); the catalog's
        # numerator is calls made by an agent (calls without an agent have no agent-day).
        "calls_per_agent_day": lambda: _calls_ratio(
            _count(lambda c: c.get("agent_id") is not None),
            lambda cs: len({(c["agent_id"], ref.local_day(c["started_at"])) for c in cs
                            if c.get("agent_id") is not None})),
        # -- inbound queue --------------------------------------------------------------------
        # METRICS.md / docs/metrics.md: offered = inbound calls that reached the queue: entered
        # one (queued_at), or name one; an IVR-only call did not (a wait alone does not say so).
        "offered": lambda: _one("calls", _count(_offered)),
        # An unknown wait is not a zero wait: service level counts, on both sides, only calls
        # whose wait is known; its denominator is the basis the setting names.
        "service_level": lambda: _calls_ratio(
            _count(lambda c: _offered(c) and _answered(c) and c.get("wait_s") is not None
                   and ref.within_sl(c["wait_s"])),
            _count(lambda c: _offered(c) and c.get("wait_s") is not None and ref.in_sl_basis(c))),
        "asa": lambda: _calls_ratio(
            _sum(lambda c: c["wait_s"], lambda c: _offered(c) and _answered(c) and c.get("wait_s") is not None),
            _count(lambda c: _offered(c) and _answered(c) and c.get("wait_s") is not None)),
        # (queue abandons − short abandons) / (offered − short abandons)
        "queue_abandonment_rate": lambda: _calls_ratio(
            _count(lambda c: _offered(c) and c["status"] == "abandoned" and not ref.short_abandon(c)),
            _count(lambda c: _offered(c) and not ref.short_abandon(c))),
        # -- operations (docs/operations.md; the rows: tests/reference/operations.py) ---------
        "lost_calls": lambda: _one("lost_calls", len),
        "missed_calls": lambda: _one("lost_calls", _count(lambda r: r["lost_how"] == "missed")),
        "rejected_calls": lambda: _one("lost_calls", _count(lambda r: r["lost_how"] == "missed"
                                                            and r.get("hangup_by") == "agent")),
        "lost_calls_recovered": lambda: _one("lost_calls", _count(lambda r: r["recovered"])),
        "lost_call_recovery_rate": lambda: ({"n": ("lost_calls", _count(lambda r: r["recovered"])),
                                             "d": ("lost_calls", len)}, lambda n, d: ratio(n, d)),
        "recovery_time": lambda: _one("lost_calls", lambda rs: median(
            r["recovery_s"] for r in rs if r["recovered"])),
        "recovered_sales": lambda: _one("lost_calls", _count(lambda r: r["recovered_sale"])),
        "callbacks_due": lambda: _one("callbacks", len),
        "callback_on_time_rate": lambda: (
            {"n": ("callbacks", _count(lambda r: r["outcome"] == "on_time")),
             "d": ("callbacks", _count(lambda r: r["outcome"] != "pending"))}, lambda n, d: ratio(n, d)),
        "callbacks_late": lambda: _one("callbacks", _count(lambda r: r["outcome"] == "late")),
        "callbacks_never": lambda: _one("callbacks", _count(lambda r: r["outcome"] == "never")),
        "fcr_rate": lambda: ({"n": ("contacts", _count(lambda r: not r["repeated"])),
                              "d": ("contacts", len)}, lambda n, d: ratio(n, d)),
        "repeat_contact_rate": lambda: ({"n": ("contacts", _count(lambda r: r["is_repeat"])),
                                         "d": ("contacts", len)}, lambda n, d: ratio(n, d)),
        # -- leads ----------------------------------------------------------------------------
        "leads": lambda: _one("leads", len),
        # AMBIGUOUS: "first call" is the lead's first outbound call at any time (not only in
        # scope); a call logged before the lead was created counts as 0 s (the YAML).
        "speed_to_lead": lambda: _one("leads", lambda ls: median(
            max(epoch(ref.first_outbound_call[lead["lead_id"]]) - epoch(lead["created_at"]), 0)
            for lead in ls if lead["lead_id"] in ref.first_outbound_call)),
        "speed_to_lead_5m_rate": lambda: ({"n": ("leads", _count(
            lambda lead: lead["lead_id"] in ref.first_outbound_call
            and epoch(ref.first_outbound_call[lead["lead_id"]]) - epoch(lead["created_at"]) <= 300)),
            "d": ("leads", len)}, lambda n, d: ratio(n, d)),
        # AMBIGUOUS: per engaged lead whose first engagement is in scope (the YAML).
        "actions_per_engagement": lambda: (
            {"n": ("touches_by_engagement", _sum(lambda h: h["actions_to_engage"],
                                                 lambda h: h["first_engaged_at"] is not None)),
             "d": ("touches_by_engagement", _count(lambda h: h["first_engaged_at"] is not None))},
            lambda n, d: ratio(n, d)),
        # AMBIGUOUS: counted in the scope holding the lead's last touch (the YAML).
        "overcontacted_leads": lambda: _one("touches_by_last", _count(
            lambda h: h["trailing_unanswered"] >= ref.max_unanswered)),
        # -- revenue and cost -----------------------------------------------------------------
        "revenue": lambda: _one("orders", _sum(lambda o: o["amount"], _done)),
        "orders": lambda: _one("orders", _count(_done)),
        "aov": lambda: ({"r": ("orders", _sum(lambda o: o["amount"], _done)), "n": ("orders", _count(_done))},
                        lambda r, n: ratio(r, n)),
        "customers": lambda: _one("orders", lambda os: len({o["customer_id"] for o in os
                                                            if _done(o) and o.get("customer_id") is not None})),
        "cost": lambda: _one("costs", _sum(lambda k: k["amount"])),
        "profit": lambda: (_rev_cost(), lambda r, k: r - k),
        "pnl_ratio": lambda: (_rev_cost(), lambda r, k: ratio(r - k, k)),
        "cost_benefit_ratio": lambda: (_rev_cost(), lambda r, k: ratio(r, k)),
        "cost_per_sale": lambda: ({"k": ("costs", _sum(lambda k: k["amount"])), "n": ("orders", _count(_done))},
                                  lambda k, n: ratio(k, n)),
        # -- care -----------------------------------------------------------------------------
        "responses": lambda: _one("surveys", len),
        "csat": lambda: ({"n": ("surveys", _count(lambda s: s["score"] >= 0.8 * s["scale_max"])),
                          "d": ("surveys", len)}, lambda n, d: ratio(n, d)),
        "avg_survey_score": lambda: ({"n": ("surveys", _sum(lambda s: s["score"] / s["scale_max"])),
                                      "d": ("surveys", len)}, lambda n, d: ratio(n, d)),
        # -- call analysis from words (75_qa.yaml) -------------------------------------------
        "qa_score": lambda: ({"n": ("qa_results", _sum(lambda q: q["score"], _scored)),
                              "d": ("qa_results", _count(_scored))}, lambda n, d: ratio(n, d)),
        "qa_pass_rate": lambda: ({"n": ("qa_results", _count(lambda q: _scored(q) and q["passed"] == 1)),
                                  "d": ("qa_results", _count(_scored))}, lambda n, d: ratio(n, d)),
        "compliance_rate": lambda: ({"n": ("qa_results", _count(lambda q: q["compliant"] == 1)),
                                     "d": ("qa_results", len)}, lambda n, d: ratio(n, d)),
        "negative_sentiment_rate": lambda: (
            {"n": ("call_sentiment", _count(lambda s: s["sentiment"] is not None and s["negative"] == 1)),
             "d": ("call_sentiment", _count(lambda s: s["sentiment"] is not None))}, lambda n, d: ratio(n, d)),
        "predicted_csat": lambda: (
            {"n": ("call_sentiment", _sum(lambda s: s["predicted_csat"], lambda s: s["predicted_csat"] is not None)),
             "d": ("call_sentiment", _count(lambda s: s["predicted_csat"] is not None))}, lambda n, d: ratio(n, d)),
        "tickets": lambda: _one("tickets", len),
        "first_response_time": lambda: _one("tickets", lambda ts: median(
            epoch(t["first_response_at"]) - epoch(t["opened_at"]) for t in ts
            if t.get("first_response_at") is not None)),
        "resolution_time": lambda: _one("tickets", lambda ts: median(
            epoch(t["resolved_at"]) - epoch(t["opened_at"]) for t in ts if t.get("resolved_at") is not None)),
        # A ticket never answered is not within the SLA (it stays in the denominator).
        "ticket_sla_rate": lambda: ({"n": ("tickets", _count(
            lambda t: t.get("first_response_at") is not None
            and epoch(t["first_response_at"]) - epoch(t["opened_at"]) <= ref.ticket_sla_s)),
            "d": ("tickets", len)}, lambda n, d: ratio(n, d)),
        # -- speech analytics (docs/call-analysis.md): per-speaker figures from stereo calls ----
        "analysed_calls": lambda: _one("call_speech", len),
        "agent_talk_ratio": lambda: ({"a": ("call_speech", _sum(lambda s: s["agent_talk_s"], _stereo)),
                                      "p": ("call_speech", _sum(lambda s: s["agent_talk_s"] + s["customer_talk_s"],
                                                                _stereo))}, lambda a, p: ratio(a, p)),
        "silence_rate": lambda: ({"s": ("call_speech", _sum(lambda s: s["silence_s"])),
                                  "d": ("call_speech", _sum(lambda s: s["duration_s"]))}, lambda s, d: ratio(s, d)),
        "overtalk_rate": lambda: ({"o": ("call_speech", _sum(lambda s: s["overtalk_s"], _stereo)),
                                   "d": ("call_speech", _sum(lambda s: s["duration_s"], _stereo))},
                                  lambda o, d: ratio(o, d)),
        "interruptions_per_call": lambda: ({"i": ("call_speech", _sum(lambda s: s["agent_interruptions"], _stereo)),
                                            "n": ("call_speech", _count(_stereo))}, lambda i, n: ratio(i, n)),
        # -- agents ---------------------------------------------------------------------------
        # AMBIGUOUS: a state interval counts wholly in the period (and hour) it starts in.
        "logged_in_time": lambda: _one("agent_states", _sum(_secs, _logged_in)),
        "occupancy": lambda: ({"busy": ("agent_states", _sum(_secs, _busy)),
                               "staffed": ("agent_states", _sum(_secs, _staffed))},
                              lambda busy, staffed: ratio(busy, staffed)),
        "pause_time": lambda: _one("agent_states", _sum(_secs, _paused)),
        "idle_time": lambda: _one("agent_states", _sum(_secs, _idle)),
        "shrinkage": lambda: ({"p": ("agent_states", _sum(_secs, _paused)),
                               "li": ("agent_states", _sum(_secs, _logged_in))},
                              lambda p, li: ratio(p, li)),
        "utilization": lambda: ({"busy": ("agent_states", _sum(_secs, _busy)),
                                 "li": ("agent_states", _sum(_secs, _logged_in))},
                                lambda busy, li: ratio(busy, li)),
        # YAML DEPARTS: METRICS.md says calls / logged-in hours; the catalog counts calls made by
        # an agent (a call without an agent was not made in anyone's logged-in time).
        "calls_per_hour": lambda: ({"n": ("calls", _count(lambda c: c.get("agent_id") is not None)),
                                    "li": ("agent_states", _sum(_secs, _logged_in))},
                                   lambda n, li: ratio(n, li / 3600.0)),
        # AMBIGUOUS: "sales" are calls with the sale flag (VICIdial SPH), as the YAML — which,
        # unlike calls_per_hour, also counts sale calls without an agent.
        "sales_per_hour": lambda: ({"n": ("calls", _count(lambda c: flag(c.get("disposition"), "sale"))),
                                    "li": ("agent_states", _sum(_secs, _logged_in))},
                                   lambda n, li: ratio(n, li / 3600.0)),
    }


def _done(o):
    # METRICS.md: revenue counts completed orders; cancelled and refunded orders count zero.
    return o["status"] == "completed"


def _stereo(s):
    return s["layout"] == "stereo"


def _busy(s):
    return s["state"] in ("on_call", "wrap")


def _staffed(s):
    return s["state"] in ("available", "on_call", "wrap")


def _paused(s):
    # METRICS.md: pause time = the paused states, whatever their reason.
    return s["state"] == "pause"


def _idle(s):
    return s["state"] == "available"


COST_RATIOS = ("pnl_ratio", "cost_benefit_ratio", "cost_per_sale")


def _rev_cost():
    return {"r": ("orders", _sum(lambda o: o["amount"], _done)), "k": ("costs", _sum(lambda k: k["amount"]))}


_CALLS = ["calls", "connected_calls", "connection_rate", "call_success_rate", "aht", "avg_talk_time",
          "talk_time", "abandoned_calls", "abandonment_rate", "drop_rate", "successful_calls",
          "call_conversion_rate", "productive_calls", "avg_mos", "poor_quality_rate",
          "calls_per_agent_day", "offered", "service_level", "asa", "queue_abandonment_rate",
          "dialer_drops", "outbound_live_answers"]
_STAGES = ["leads_attempted", "leads_connected", "leads_decision_maker", "leads_qualified", "leads_won",
           "contact_rate", "qualified_rate", "close_rate", "lead_conversion_rate", "dropoff_connected",
           "dropoff_decision_maker", "dropoff_qualified", "dropoff_won"]
METRIC_SOURCES: dict[str, tuple[str, ...]] = {
    **{m: ("calls",) for m in _CALLS},
    "orders_per_call": ("orders", "calls"),
    **{m: ("lead_stages",) for m in _STAGES},
    "attempts_per_lead": ("calls", "lead_stages"),
    "leads": ("leads",), "speed_to_lead": ("leads",), "speed_to_lead_5m_rate": ("leads",),
    "actions_per_engagement": ("touches_by_engagement",),
    "overcontacted_leads": ("touches_by_last",),
    **{m: ("orders",) for m in ("revenue", "orders", "aov", "customers", "revenue_growth", "retention_rate")},
    "cost": ("costs",),
    **{m: ("orders", "costs") for m in ("profit", "pnl_ratio", "cost_benefit_ratio", "cost_per_sale")},
    **{m: ("surveys",) for m in ("responses", "csat", "avg_survey_score")},
    **{m: ("tickets",) for m in ("tickets", "first_response_time", "resolution_time", "ticket_sla_rate",
                                 "open_tickets")},
    **{m: ("agent_states",) for m in ("logged_in_time", "occupancy", "utilization",
                                                  "pause_time", "idle_time", "shrinkage")},
    **{m: ("qa_results",) for m in ("qa_score", "qa_pass_rate", "compliance_rate")},
    **{m: ("call_sentiment",) for m in ("negative_sentiment_rate", "predicted_csat")},
    **{m: ("calls", "agent_states") for m in ("calls_per_hour", "sales_per_hour")},
    **{m: ("call_speech",) for m in ("analysed_calls", "agent_talk_ratio", "silence_rate", "overtalk_rate",
                                     "interruptions_per_call")},
    **{m: ("lost_calls",) for m in ("lost_calls", "missed_calls", "rejected_calls", "lost_calls_recovered",
                                    "lost_call_recovery_rate", "recovery_time", "recovered_sales")},
    **{m: ("callbacks",) for m in ("callbacks_due", "callback_on_time_rate", "callbacks_late",
                                   "callbacks_never")},
    **{m: ("contacts",) for m in ("fcr_rate", "repeat_contact_rate")},
}
METRICS = sorted(METRIC_SOURCES)

# METRICS.md (Dimensions a metric exists by): abandoned calls — the dialer's drops and the
# callers who hang up in the queue — never reach an agent, so a metric counting them has no
# value by agent, team, site or vendor (each would read 0, the drops all in the no-agent group).
_AGENTLESS = {"agent", "team", "site", "vendor"}
NOT_BY: dict[str, set[str]] = {m: _AGENTLESS for m in (
    "abandoned_calls", "abandonment_rate", "drop_rate", "offered", "service_level",
    "queue_abandonment_rate", "dialer_drops")}
