"""An independent pure-Python reading of METRICS.md, to check the SQL engine against.

No SQL, no telekpi.engine or telekpi.catalog: plain dicts, datetime and
zoneinfo. Each metric is a function of the rows of one group; grouping by
dimensions and period (in the workspace timezone) is done here too.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from zoneinfo import ZoneInfo

from telekpi.model.dispositions import DEFAULT_MAP


def flag(code, name) -> bool:
    if code is None or not str(code).strip():
        return False
    return name in DEFAULT_MAP.get(str(code).strip().upper(), frozenset())


def period_start(t: dt.datetime, period: str | None, tz: ZoneInfo) -> str | None:
    if period is None:
        return None
    d = t.astimezone(tz).date() if isinstance(t, dt.datetime) else t
    if period == "day":
        s = d
    elif period == "week":
        s = d - dt.timedelta(days=d.weekday())
    elif period == "month":
        s = d.replace(day=1)
    elif period == "quarter":
        s = d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)
    else:
        s = d.replace(month=1, day=1)
    return s.isoformat()


def ratio(a, b):
    return None if not b else a / b


def sum_or_none(values):
    """SQL's sum over the rows of a group that exists: nulls skipped; no values gives 0 here,
    because the engine reports a sum over an existing group as 0 (revenue of a day with only
    cancelled orders is 0, not unknown)."""
    return sum(v for v in values if v is not None)


def median_or_none(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


class Reference:
    def __init__(self, data: dict[str, list[dict]], timezone: str, *, productive_min_talk_s=60.0,
                 service_level_s=20.0, ticket_sla_s=4 * 3600.0):
        self.d, self.tz = data, ZoneInfo(timezone)
        self.productive, self.sl, self.sla = productive_min_talk_s, service_level_s, ticket_sla_s
        self.agents = {a["agent_id"]: a for a in data["agents"]}
        self.campaigns = {c["campaign_id"]: c for c in data["campaigns"]}
        self.leads = {lead["lead_id"]: lead for lead in data["leads"]}

    # ---- dimensions of one row of each model -------------------------------------------------
    def call_dims(self, c: dict) -> dict:
        a = self.agents.get(c["agent_id"], {})
        cp = self.campaigns.get(c["campaign_id"], {})
        lead = self.leads.get(c["lead_id"], {})
        local = c["started_at"].astimezone(self.tz)
        return {"agent": c["agent_id"], "team": a.get("team_id"), "site": a.get("site"),
                "vendor": a.get("vendor"), "campaign": c["campaign_id"], "industry": cp.get("industry"),
                "direction": c["direction"], "status": c["status"],
                "disposition": c["disposition"].strip().upper() if c["disposition"] and c["disposition"].strip() else None,
                "script": c["script"], "lead_source": lead.get("source"), "segment": lead.get("segment"),
                "hour": str(local.hour), "weekday": str(local.isoweekday())}

    def order_dims(self, o: dict) -> dict:
        a = self.agents.get(o["agent_id"], {})
        cp = self.campaigns.get(o["campaign_id"], {})
        return {"agent": o["agent_id"], "team": a.get("team_id"), "site": a.get("site"),
                "vendor": a.get("vendor"), "campaign": o["campaign_id"], "industry": cp.get("industry"),
                "product": o["product"] or cp.get("product")}

    # ---- grouping ------------------------------------------------------------------------------
    def groups(self, rows, dims_of, time_of, by, period, start, end):
        out = defaultdict(list)
        for r in rows:
            t = time_of(r)
            local_day = t.astimezone(self.tz).date() if isinstance(t, dt.datetime) else t
            if (start and local_day < start) or (end and local_day > end):
                continue
            dims = dims_of(r)
            key = tuple(dims[b] for b in by) + ((period_start(t, period, self.tz),) if period else ())
            out[key].append(r)
        return out

    # ---- metrics by model ----------------------------------------------------------------------
    def calls_metric(self, mid: str, rows: list[dict]):
        answered = [c for c in rows if c["status"] == "answered"]
        n = len(rows)
        if mid == "calls":
            return n
        if mid == "connected_calls":
            return len(answered)
        if mid == "connection_rate":
            return ratio(len(answered), n)
        if mid == "call_success_rate":
            return ratio(sum(1 for c in answered if (c["talk_s"] or 0) > 0), n)
        if mid == "aht":
            return ratio(sum((c["talk_s"] or 0) + (c["hold_s"] or 0) + (c["wrap_s"] or 0) for c in answered),
                         len(answered))
        if mid == "avg_talk_time":
            return ratio(sum(c["talk_s"] or 0 for c in answered), len(answered))
        if mid == "talk_time":
            return sum_or_none(c["talk_s"] for c in rows)
        if mid == "abandoned_calls":
            return sum(1 for c in rows if c["status"] == "abandoned")
        if mid == "abandonment_rate":
            return ratio(sum(1 for c in rows if c["status"] == "abandoned"), n)
        if mid == "drop_rate":
            out = [c for c in rows if c["direction"] == "outbound"]
            return ratio(sum(1 for c in out if c["status"] == "abandoned"),
                         sum(1 for c in out if c["status"] in ("answered", "abandoned")))
        if mid == "successful_calls":
            return sum(1 for c in rows if flag(c["disposition"], "success"))
        if mid == "call_conversion_rate":
            return ratio(sum(1 for c in rows if flag(c["disposition"], "success")), n)
        if mid == "productive_calls":
            return sum(1 for c in answered if c["talk_s"] is not None and c["talk_s"] >= self.productive
                       and c["disposition"] and c["disposition"].strip())
        if mid == "avg_mos":
            mos = [c["mos"] for c in rows if c["mos"] is not None]
            return ratio(sum(mos), len(mos))
        if mid == "poor_quality_rate":
            mos = [c["mos"] for c in rows if c["mos"] is not None]
            return ratio(sum(1 for m in mos if m < 3.5), len(mos))
        if mid == "calls_per_agent_day":
            with_agent = [c for c in rows if c["agent_id"] is not None]
            days = {(c["agent_id"], c["started_at"].astimezone(self.tz).date()) for c in with_agent}
            return ratio(len(with_agent), len(days))
        inbound = [c for c in rows if c["direction"] == "inbound"]
        in_answered = [c for c in inbound if c["status"] == "answered"]
        if mid == "offered":
            return len(inbound)
        if mid == "service_level":
            return ratio(sum(1 for c in in_answered if (c["wait_s"] or 0) <= self.sl), len(inbound))
        if mid == "asa":
            return ratio(sum(c["wait_s"] or 0 for c in in_answered), len(in_answered))
        if mid == "queue_abandonment_rate":
            return ratio(sum(1 for c in inbound if c["status"] == "abandoned"), len(inbound))
        raise KeyError(mid)

    def stage_metric(self, mid: str, rows: list[dict]):
        """Rows: the calls of one group; a lead's stage is the highest its calls in the group reach."""
        won_leads = {o["lead_id"] for o in self.d["orders"] if o["status"] == "completed" and o["lead_id"]}
        per_lead = defaultdict(list)
        for c in rows:
            if c["lead_id"] is not None:
                per_lead[c["lead_id"]].append(c)
        stages = []
        for lead, calls in per_lead.items():
            won = any(flag(c["disposition"], "sale") for c in calls) or lead in won_leads
            qual = won or any(flag(c["disposition"], "qualified") for c in calls)
            dm = qual or any(flag(c["disposition"], "decision_maker") for c in calls)
            conn = dm or any(c["status"] == "answered" for c in calls)
            stages.append((True, conn, dm, qual, won))
        count = [sum(s[i] for s in stages) for i in range(5)]
        names = ("attempted", "connected", "decision_maker", "qualified", "won")
        if mid.startswith("leads_"):
            return count[names.index(mid[6:])]
        if mid.startswith("dropoff_"):
            i = names.index(mid[8:])
            r = ratio(count[i], count[i - 1])
            return None if r is None else 1 - r
        return {"contact_rate": lambda: ratio(count[2], count[0]),
                "qualified_rate": lambda: ratio(count[3], count[2]),
                "close_rate": lambda: ratio(count[4], count[3]),
                "lead_conversion_rate": lambda: ratio(count[4], count[0]),
                "attempts_per_lead": lambda: ratio(sum(len(v) for v in per_lead.values()), count[0]),
                }[mid]()

    def lead_metric(self, mid: str, rows: list[dict]):
        first = {}
        for c in self.d["calls"]:
            if c["direction"] == "outbound" and c["lead_id"] is not None:
                if c["lead_id"] not in first or c["started_at"] < first[c["lead_id"]]:
                    first[c["lead_id"]] = c["started_at"]
        delays = [(first[x["lead_id"]] - x["created_at"]).total_seconds() for x in rows if x["lead_id"] in first]
        if mid == "leads":
            return len(rows)
        if mid == "speed_to_lead":
            return median_or_none([max(d, 0) for d in delays])
        if mid == "speed_to_lead_5m_rate":
            return ratio(sum(1 for d in delays if d <= 300), len(rows))
        raise KeyError(mid)

    def order_metric(self, mid: str, rows: list[dict]):
        done = [o for o in rows if o["status"] == "completed"]
        revenue = sum_or_none(o["amount"] for o in done)
        if mid == "revenue":
            return revenue
        if mid == "orders":
            return len(done)
        if mid == "aov":
            return ratio(revenue or 0, len(done))
        if mid == "customers":
            return len({o["customer_id"] for o in done if o["customer_id"] is not None})
        raise KeyError(mid)

    def survey_metric(self, mid: str, rows: list[dict]):
        if mid == "responses":
            return len(rows)
        if mid == "csat":
            return ratio(sum(1 for s in rows if s["score"] >= 0.8 * s["scale_max"]), len(rows))
        if mid == "avg_survey_score":
            return ratio(sum(s["score"] / s["scale_max"] for s in rows), len(rows))
        raise KeyError(mid)

    def ticket_metric(self, mid: str, rows: list[dict]):
        def secs(a, b):
            return None if a is None else (a - b).total_seconds()

        if mid == "tickets":
            return len(rows)
        if mid == "first_response_time":
            return median_or_none(secs(t["first_response_at"], t["opened_at"]) for t in rows)
        if mid == "resolution_time":
            return median_or_none(secs(t["resolved_at"], t["opened_at"]) for t in rows)
        if mid == "ticket_sla_rate":
            return ratio(sum(1 for t in rows if t["first_response_at"] is not None
                             and secs(t["first_response_at"], t["opened_at"]) <= self.sla), len(rows))
        raise KeyError(mid)

    # ---- the public entry: one metric, split and scoped -------------------------------------------
    MODELS = {
        "calls": ("calls", "call_dims", "started_at", "calls_metric"),
        "stages": ("calls", "call_dims", "started_at", "stage_metric"),
        "leads": ("leads", "lead_dims", "created_at", "lead_metric"),
        "orders": ("orders", "order_dims", "ordered_at", "order_metric"),
        "surveys": ("surveys", "survey_dims", "answered_at", "survey_metric"),
        "tickets": ("tickets", "ticket_dims", "opened_at", "ticket_metric"),
    }

    def lead_dims(self, x):
        cp = self.campaigns.get(x["campaign_id"], {})
        return {"campaign": x["campaign_id"], "industry": cp.get("industry"), "lead_source": x["source"],
                "segment": x["segment"]}

    def survey_dims(self, s):
        a = self.agents.get(s["agent_id"], {})
        return {"agent": s["agent_id"], "team": a.get("team_id"), "site": a.get("site"), "vendor": a.get("vendor")}

    def ticket_dims(self, t):
        a = self.agents.get(t["agent_id"], {})
        return {"agent": t["agent_id"], "team": a.get("team_id"), "site": a.get("site"), "vendor": a.get("vendor")}

    def compute(self, model: str, mid: str, by=(), period=None, start=None, end=None) -> dict:
        table, dims, time_col, fn = self.MODELS[model]
        groups = self.groups(self.d[table], getattr(self, dims), lambda r: r[time_col], by, period, start, end)
        return {k: getattr(self, fn)(mid, rows) for k, rows in groups.items()}
