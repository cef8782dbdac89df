"""Semantic models: the relations measures aggregate over.

A model is a base relation (a canonical table or a derived per-lead query),
the joins that bring in dimensions, the expression of each dimension, and the
time column that periods and ``--from/--to`` apply to. Measure snippets in the
catalog name the model's columns unqualified; the planner exposes them.

Placeholders resolved by the planner: ``{tz}`` (the workspace timezone as a
SQL string literal), ``{flag:NAME}`` (a boolean over ``disposition``), and
``{setting_name}`` for numeric thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

from sqlglot import exp

from telekpi.catalog.costs_sql import ALLOCATED_COSTS, COST_DAY_COLUMNS, COST_DAYS, TALK_SHARES, cost_days
from telekpi.catalog.operations_sql import (
    CB_COLUMNS,
    CB_PRELUDES,
    FCR_COLUMNS,
    FCR_PRELUDES,
    LOST_COLUMNS,
    LOST_PRELUDES,
)
from telekpi.catalog.snippets import parse, tree

DIMENSIONS: dict[str, str] = {
    "agent": "agent id",
    "team": "team id (the agent's team, or the cost's team)",
    "site": "in_house or outsourced (the agent's site)",
    "vendor": "outsourcing vendor of the agent",
    "campaign": "campaign id",
    "industry": "the campaign's industry",
    "product": "the order's product, else the campaign's",
    "lead_source": "where the lead came from",
    "segment": "the lead's segment",
    "script": "the call script variant",
    "direction": "outbound or inbound",
    "queue": "the inbound queue (ACD queue, hunt group, skill) the call waited in",
    "disposition": "the agent's result code (upper case)",
    "status": "the call status",
    "hour": "hour of day 0-23, workspace time",
    "weekday": "ISO weekday 1=Mon … 7=Sun, workspace time",
}


@dataclass(frozen=True)
class Model:
    name: str
    help: str
    base: str                       # FROM item with alias `x`
    joins: dict[str, str]           # alias → JOIN clause
    dims: dict[str, str]            # dimension → expression
    time: str                       # expression of the time column
    time_is_date: bool = False
    columns: tuple[str, ...] = ()   # columns measure snippets may use
    grain: str | None = None        # per-lead models: inner GROUP BY key
    grain_columns: dict[str, str] = field(default_factory=dict)
    preludes: tuple[tuple[str, str], ...] = ()  # (name, body) of each CTE the base needs

    def joins_for(self, exprs: list[exp.Expr]) -> list[exp.Join]:
        """The joins an expression list needs (and the joins those need), in order: those
        whose alias qualifies a column of the expressions or of a needed join's condition."""
        wanted = {c.table for e in exprs for c in e.find_all(exp.Column)}
        needed: set[str] = set()
        for alias, clause in reversed(self.joins.items()):
            if alias in wanted:
                needed.add(alias)
                wanted |= _qualifiers(clause)
        return [_join(clause).copy() for alias, clause in self.joins.items() if alias in needed]

    def base_tree(self) -> exp.Expr:
        """The FROM item, as a tree."""
        return _from(self.base).copy()

    def dim(self, name: str, settings) -> exp.Expr:
        """A dimension's expression, placeholders (the timezone of hour and weekday) filled."""
        return tree(self.dims[name], settings)


@lru_cache(maxsize=256)
def _join(clause: str) -> exp.Join:
    return parse(f"SELECT * FROM x {clause}").args["joins"][0]


@lru_cache(maxsize=256)
def _qualifiers(clause: str) -> frozenset[str]:
    """The table aliases a join's condition refers to."""
    return frozenset(c.table for c in _join(clause).args["on"].find_all(exp.Column))


@lru_cache(maxsize=64)
def _from(base: str) -> exp.Expr:
    return parse(f"SELECT * FROM {base}").args["from_"].this


_LOCAL = "timezone({tz}, {col})"


def _time_dims(col: str) -> dict[str, str]:
    local = _LOCAL.format(tz="{tz}", col=col)
    return {"hour": f"hour({local})", "weekday": f"isodow({local})"}


_AGENT_JOIN = "LEFT JOIN agents a ON a.agent_id = {col}"
_CAMPAIGN_JOIN = "LEFT JOIN campaigns cp ON cp.campaign_id = {col}"
_LEAD_JOIN = "LEFT JOIN leads l ON l.lead_id = {col}"
_AGENT_DIMS = {"team": "a.team_id", "site": "a.site", "vendor": "a.vendor"}
_CAMPAIGN_DIMS = {"industry": "cp.industry", "product": "cp.product"}
_LEAD_DIMS = {"lead_source": "l.source", "segment": "l.segment"}

CALL_COLUMNS = ("call_id", "started_at", "agent_id", "campaign_id", "lead_id", "direction",
                "status", "disposition", "ring_s", "wait_s", "talk_s", "hold_s", "wrap_s",
                "script", "mos", "recording_url", "queue", "queued_at", "caller_number",
                "called_number", "line", "transferred_to", "hangup_by")

_CALL_DIMS = {
    "agent": "x.agent_id", **_AGENT_DIMS, "campaign": "x.campaign_id", **_CAMPAIGN_DIMS,
    **_LEAD_DIMS, "script": "x.script", "direction": "x.direction", "queue": "x.queue",
    "disposition": "nullif(upper(trim(x.disposition)), '')", "status": "x.status",
    **_time_dims("x.started_at"),
}
_CALL_JOINS = {
    "a": _AGENT_JOIN.format(col="x.agent_id"),
    "cp": _CAMPAIGN_JOIN.format(col="x.campaign_id"),
    "l": _LEAD_JOIN.format(col="x.lead_id"),
}

# Per-lead touch history: outbound calls and outbound engagements are touches;
# a connected call or an inbound call/engagement is an engagement.
LEAD_TOUCHES = """(
    SELECT lead_id, max(ts) AS last_touch_at,
           min(ts) FILTER (WHERE engaged) AS first_engaged_at,
           count(*) FILTER (WHERE touch AND ts <= first_engaged) AS actions_to_engage,
           count(*) FILTER (WHERE touch AND (last_engaged IS NULL OR ts > last_engaged))
               AS trailing_unanswered
    FROM (
        SELECT *, min(ts) FILTER (WHERE engaged) OVER (PARTITION BY lead_id) AS first_engaged,
                  max(ts) FILTER (WHERE engaged) OVER (PARTITION BY lead_id) AS last_engaged
        FROM (
            SELECT lead_id, started_at AS ts, direction = 'outbound' AS touch,
                   status = 'answered' OR direction = 'inbound' AS engaged
            FROM calls WHERE lead_id IS NOT NULL
            UNION ALL
            SELECT lead_id, "at" AS ts, direction = 'out', direction = 'in' FROM engagements
        ) t
    ) t
    GROUP BY lead_id
) x"""

# Each lead's first outbound call, from the calls in ``{calls}``: a minimum, so the daily
# rollups keep it as a table and fold new calls in with least() (engine/rollups/upkeep.py).
FIRST_CALLS = ("SELECT lead_id, min(started_at) AS first_call_at FROM {calls}\n"
               "               WHERE direction = 'outbound' AND lead_id IS NOT NULL GROUP BY lead_id")


def first_call_base(first_calls: str, leads: str = "leads") -> str:
    """The leads model's rows: each lead with ``first_call_at`` from ``first_calls``."""
    return f"""(
    SELECT l0.*, fc.first_call_at
    FROM {leads} l0
    LEFT JOIN {first_calls} fc
      ON fc.lead_id = l0.lead_id
) x"""


def first_call_tree(first_calls: exp.Expr, leads: exp.Expr) -> exp.Expr:
    """``first_call_base`` as a tree over other relations (the warehouse's table of first
    calls, new leads): the text parsed once, its two tables replaced."""
    base = _from(first_call_base("__first_calls", "__leads")).copy()
    for t in list(base.find_all(exp.Table)):
        if t.name in ("__first_calls", "__leads"):
            rel = (first_calls if t.name == "__first_calls" else leads).copy()
            rel.set("alias", t.args.get("alias"))
            t.replace(rel)
    return base


FIRST_CALL_BASE = first_call_base("(" + FIRST_CALLS.format(calls="calls") + ")")

_LEAD_ATTR_DIMS = {"campaign": "l.campaign_id", **_CAMPAIGN_DIMS, **_LEAD_DIMS}
_LEAD_ATTR_JOINS = {"l": _LEAD_JOIN.format(col="x.lead_id"),
                    "cp": _CAMPAIGN_JOIN.format(col="l.campaign_id")}

# A team's vendor and site, for costs scoped to a team rather than an agent.
_TEAM_SITE = ("LEFT JOIN (SELECT team_id, max(vendor) AS vendor, max(site) AS site FROM agents "
              "GROUP BY team_id) ts ON ts.team_id = coalesce(x.team_id, a.team_id)")

MODELS: dict[str, Model] = {m.name: m for m in (
    Model(
        "calls", "one row per call (dial attempt or inbound call)",
        base="calls x", joins=_CALL_JOINS, dims=_CALL_DIMS, time="x.started_at",
        columns=CALL_COLUMNS,
    ),
    # The funnel is the dialling process: a lead is attempted when it has an outbound call in
    # scope, and attempts count outbound calls; the later stages are reached by a call of
    # either direction (or, for won, a completed order). A lead that only called in is no
    # attempted lead (its connected inbound call is still an engagement, lead_touches).
    Model(
        "lead_stages", "one row per lead with calls in scope: whether it was dialled and the "
        "highest funnel stage reached",
        base="calls x", joins={**_CALL_JOINS, "wo": (
            "LEFT JOIN (SELECT DISTINCT lead_id FROM orders WHERE status = 'completed' "
            "AND lead_id IS NOT NULL) wo ON wo.lead_id = x.lead_id")},
        dims={k: v for k, v in _CALL_DIMS.items()
              if k not in ("status", "disposition", "hour", "weekday")},
        time="x.started_at",
        grain="x.lead_id",
        grain_columns={
            "attempted": "bool_or(x.direction = 'outbound')",
            "connected": "bool_or(x.status = 'answered')",
            "decision_maker": "bool_or({flag:decision_maker})",
            "qualified": "bool_or({flag:qualified})",
            "won": "bool_or({flag:sale} OR wo.lead_id IS NOT NULL)",
            "attempts": "count(*) FILTER (WHERE x.direction = 'outbound')",
        },
        columns=("attempted", "connected", "decision_maker", "qualified", "won", "attempts"),
    ),
    Model(
        "leads", "one row per lead, by creation time, with its first outbound call",
        base=FIRST_CALL_BASE, joins={"cp": _CAMPAIGN_JOIN.format(col="x.campaign_id")},
        dims={"campaign": "x.campaign_id", **_CAMPAIGN_DIMS, "lead_source": "x.source",
              "segment": "x.segment", **_time_dims("x.created_at")},
        time="x.created_at",
        columns=("lead_id", "created_at", "campaign_id", "source", "segment", "customer_id",
                 "first_call_at"),
    ),
    Model(
        "lead_touches", "one row per lead with its touch history (calls and engagements)",
        base=LEAD_TOUCHES, joins=_LEAD_ATTR_JOINS, dims=_LEAD_ATTR_DIMS, time="x.last_touch_at",
        columns=("lead_id", "last_touch_at", "first_engaged_at", "actions_to_engage",
                 "trailing_unanswered"),
    ),
    Model(
        "lead_engagements", "one row per lead with its touch history, by first engagement",
        base=LEAD_TOUCHES, joins=_LEAD_ATTR_JOINS, dims=_LEAD_ATTR_DIMS, time="x.first_engaged_at",
        columns=("lead_id", "last_touch_at", "first_engaged_at", "actions_to_engage",
                 "trailing_unanswered"),
    ),
    Model(
        "orders", "one row per order",
        base="orders x",
        joins={"a": _AGENT_JOIN.format(col="x.agent_id"),
               "cp": _CAMPAIGN_JOIN.format(col="x.campaign_id"),
               "l": _LEAD_JOIN.format(col="x.lead_id"),
               "cl": "LEFT JOIN calls cl ON cl.call_id = x.call_id"},
        dims={"agent": "x.agent_id", **_AGENT_DIMS, "campaign": "x.campaign_id",
              "industry": "cp.industry", "product": "coalesce(x.product, cp.product)",
              **_LEAD_DIMS, "script": "cl.script", "queue": "cl.queue", **_time_dims("x.ordered_at")},
        time="x.ordered_at",
        columns=("order_id", "ordered_at", "amount", "status", "customer_id", "lead_id",
                 "agent_id", "campaign_id", "call_id", "product"),
    ),
    Model(
        "costs", "one row per cost and day it covers (from incurred_on to its period's end), "
        "with the day's even share of the amount; its set columns give its scope",
        base=f"{COST_DAYS} x", preludes=(cost_days(False),),
        joins={"a": _AGENT_JOIN.format(col="x.agent_id"), "ts": _TEAM_SITE,
               "cp": _CAMPAIGN_JOIN.format(col="x.campaign_id")},
        dims={"agent": "x.agent_id", "team": "coalesce(x.team_id, a.team_id)",
              "site": "coalesce(a.site, ts.site)", "vendor": "coalesce(a.vendor, ts.vendor)",
              "campaign": "x.campaign_id", **_CAMPAIGN_DIMS},
        time="x.day", time_is_date=True,
        columns=COST_DAY_COLUMNS,
    ),
    Model(
        "surveys", "one row per survey response",
        base="surveys x",
        joins={"cl": "LEFT JOIN calls cl ON cl.call_id = x.call_id",
               "a": _AGENT_JOIN.format(col="coalesce(x.agent_id, cl.agent_id)"),
               "cp": _CAMPAIGN_JOIN.format(col="cl.campaign_id")},
        dims={"agent": "coalesce(x.agent_id, cl.agent_id)", **_AGENT_DIMS,
              "campaign": "cl.campaign_id", **_CAMPAIGN_DIMS, "script": "cl.script",
              "direction": "cl.direction", "queue": "cl.queue", **_time_dims("x.answered_at")},
        time="x.answered_at",
        columns=("response_id", "answered_at", "score", "scale_max", "question_id", "call_id",
                 "customer_id", "agent_id"),
    ),
    Model(
        "tickets", "one row per ticket",
        base="tickets x", joins={"a": _AGENT_JOIN.format(col="x.agent_id")},
        dims={"agent": "x.agent_id", **_AGENT_DIMS, **_time_dims("x.opened_at")},
        time="x.opened_at",
        columns=("ticket_id", "opened_at", "first_response_at", "resolved_at", "customer_id",
                 "agent_id", "channel", "priority"),
    ),
    # Call analysis from words (schema version 6; docs/call-analysis.md).
    Model(
        "qa_results", "one row per call and QA form scored, dated by the call's start",
        base="qa_results x",
        joins={"cl": "LEFT JOIN calls cl ON cl.call_id = x.call_id",
               "a": _AGENT_JOIN.format(col="coalesce(x.agent_id, cl.agent_id)"),
               "cp": _CAMPAIGN_JOIN.format(col="cl.campaign_id")},
        dims={"agent": "coalesce(x.agent_id, cl.agent_id)", **_AGENT_DIMS,
              "campaign": "cl.campaign_id", **_CAMPAIGN_DIMS, "script": "cl.script",
              "direction": "cl.direction", **_time_dims("x.started_at")},
        time="x.started_at",
        columns=("call_id", "form_id", "started_at", "agent_id", "score", "passed", "compliant",
                 "pending"),
    ),
    Model(
        "call_sentiment", "one row per transcribed call: the customer's sentiment and predicted "
        "CSAT, dated by the call's start",
        base="call_sentiment x",
        joins={"cl": "LEFT JOIN calls cl ON cl.call_id = x.call_id",
               "a": _AGENT_JOIN.format(col="coalesce(x.agent_id, cl.agent_id)"),
               "cp": _CAMPAIGN_JOIN.format(col="cl.campaign_id")},
        dims={"agent": "coalesce(x.agent_id, cl.agent_id)", **_AGENT_DIMS,
              "campaign": "cl.campaign_id", **_CAMPAIGN_DIMS, "script": "cl.script",
              "direction": "cl.direction", **_time_dims("x.started_at")},
        time="x.started_at",
        columns=("call_id", "started_at", "agent_id", "sentiment", "negative",
                 "customer_utterances", "predicted_csat"),
    ),
    # The operations models (catalog/operations_sql.py, docs/operations.md): calls, with what
    # became of them afterwards, dimensioned as calls.
    Model(
        "lost_calls", "one row per lost inbound call (abandoned in the queue or rang an agent "
        "unanswered), with whether, when and by whom the customer was reached again",
        base="_lost_calls x", preludes=tuple((n, b.strip()) for n, b in LOST_PRELUDES),
        joins=_CALL_JOINS, dims={k: v for k, v in _CALL_DIMS.items() if k != "direction"},
        time="x.started_at", columns=LOST_COLUMNS,
    ),
    Model(
        "callbacks", "one row per callback promised (a call with the callback flag, or a "
        "callback the dialer scheduled that no such call set), by the call that promised it, "
        "with whether it was kept on time, late or never",
        base="_callbacks x", preludes=tuple((n, b.strip()) for n, b in CB_PRELUDES),
        joins=_CALL_JOINS, dims=_CALL_DIMS, time="x.started_at", columns=CB_COLUMNS,
    ),
    Model(
        "contacts", "one row per handled (answered) inbound call, with whether the customer "
        "contacted the centre again within fcr_window_days and whether it repeats an earlier one",
        base="_contacts x", preludes=tuple((n, b.strip()) for n, b in FCR_PRELUDES),
        joins=_CALL_JOINS, dims={k: v for k, v in _CALL_DIMS.items() if k not in ("direction", "status")},
        time="x.started_at", columns=FCR_COLUMNS,
    ),
    Model(
        "agent_states", "one row per agent state interval",
        base="agent_states x", joins={"a": _AGENT_JOIN.format(col="x.agent_id")},
        dims={"agent": "x.agent_id", **_AGENT_DIMS, **_time_dims("x.started_at")},
        time="x.started_at",
        columns=("agent_id", "state", "started_at", "ended_at", "reason"),
    ),
)}


# Speech analytics (docs/call-analysis.md): each analysed call's figures with its call's
# columns, so they go by agent, team, campaign and period as calls do (an analysed call whose
# call is not in the warehouse is left out).
SPEECH_COLUMNS = ("layout", "duration_s", "speech_s", "silence_s", "longest_silence_s", "agent_talk_s",
                  "customer_talk_s", "agent_talk_ratio", "overtalk_s", "agent_interruptions",
                  "customer_interruptions", "longest_monologue_s", "first_words_s", "switches_per_min")
_SPEECH_CALL_COLUMNS = ("started_at", "agent_id", "campaign_id", "lead_id", "script", "direction",
                        "queue", "status", "disposition")
SPEECH_BASE = ("(\n    SELECT s.call_id, " + ", ".join(f"s.{c}" for c in SPEECH_COLUMNS) + ",\n           "
               + ", ".join(f"c.{c}" for c in _SPEECH_CALL_COLUMNS)
               + "\n    FROM call_speech s JOIN calls c ON c.call_id = s.call_id\n) x")
MODELS["call_speech"] = Model(
    "call_speech", "one row per analysed call (a recording's speech figures), by its call",
    base=SPEECH_BASE, joins=_CALL_JOINS, dims=_CALL_DIMS, time="x.started_at",
    columns=("call_id", *SPEECH_COLUMNS, *_SPEECH_CALL_COLUMNS),
)


def model_for(name: str, settings) -> Model:
    """The model of that name, with the workspace's cost periods and allocation applied."""
    model = MODELS[name]
    if name != "costs":
        return model
    if settings.monthly_costs_on_first:
        model = replace(model, preludes=(cost_days(True),))
    if settings.cost_allocation == "by_talk_time":
        model = replace(model, base=ALLOCATED_COSTS,
                        preludes=(*model.preludes, ("_talk", TALK_SHARES.strip())))
    return model
