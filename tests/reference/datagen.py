"""Seeded random warehouses that lean on the edges of METRICS.md.

``make_world(seed, tz)`` returns python rows (a list of dicts per canonical
table, timestamps as aware UTC datetimes, dates as ``datetime.date``);
``load_world(rows, path)`` writes them into a ``Warehouse``.

Edges put in on purpose:

* NULLs in every optional column (talk_s, wait_s, mos, script, agent, campaign,
  lead, customer, product, team, vendor, first_response_at, resolved_at, ...);
* references to rows that do not exist (an agent, a campaign and a lead id
  that only the calls know);
* zero denominators: agent ``a7`` and script ``Z`` only ever have unanswered
  calls, agent ``a6`` is only ever paused or offline, campaign ``k2`` has no
  cost, a day with only cancelled orders;
* costs covering one day, some days to weeks, or the rest of their month (``period_end``),
  across month, quarter and year ends;
* cancelled and refunded orders; orders with amount 0;
* calls without an agent; unknown (``XYZ``), lower-case (``sale``) and blank
  (``''``) dispositions; talk on calls that did not connect (voicemail);
* MOS of exactly 3.5, survey scores of exactly 0.8 × scale_max, tickets first
  answered exactly at the SLA, leads called exactly 300 s after creation;
* timestamps within minutes of local midnight, month, quarter and year ends
  in the workspace timezone (2025-12-31/2026-01-01 is also a week-internal
  year boundary; 2026-02-01 is a Sunday, so 2026-02-01/02 is a week boundary);
* agent-state intervals crossing local midnight;
* leads with ≥ 5 unanswered outbound touches (the stop list), leads engaged by
  an inbound engagement, leads won only through an order.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from telekpi.model.tables import TABLES

UTC = dt.UTC

# Local (workspace-time) instants around which events cluster.
LOCAL_EDGES = [
    dt.datetime(2025, 12, 31, 23, 58),   # year, quarter and month end (a Wednesday)
    dt.datetime(2026, 1, 1, 0, 1),
    dt.datetime(2026, 1, 31, 23, 59),    # month end
    dt.datetime(2026, 2, 1, 23, 59),     # Sunday → Monday week boundary
    dt.datetime(2026, 2, 2, 0, 0),
    dt.datetime(2026, 2, 28, 23, 45),    # month end
    dt.datetime(2026, 3, 31, 23, 59),    # quarter end
    dt.datetime(2026, 4, 1, 0, 0),
]
RANGE_START = dt.datetime(2025, 11, 20)
RANGE_DAYS = 150                        # to mid April 2026

AGENTS = [f"a{i}" for i in range(8)]
CALL_AGENTS = AGENTS[:6] + ["a7", "ghost"]  # "ghost" is not in the agents table
DISPOSITIONS = ["SALE", "sale", "Sale", "APPOINTMENT", "QUALIFIED", "qualified", "CALLBACK",
                "NI", "GATEKEEPER", "DNC", "WRONG_NUMBER", "XYZ", "", None]


def _maybe(rng: random.Random, value, p: float = 0.15):
    return None if rng.random() < p else value


class _Clock:
    def __init__(self, rng: random.Random, tz: str):
        self.rng, self.tz = rng, ZoneInfo(tz)

    def local(self, naive: dt.datetime) -> dt.datetime:
        return naive.replace(tzinfo=self.tz).astimezone(UTC)

    def when(self) -> dt.datetime:
        """A UTC instant: a quarter near a local edge, a tenth near some local midnight."""
        rng = self.rng
        r = rng.random()
        if r < 0.25:
            base = rng.choice(LOCAL_EDGES) + dt.timedelta(seconds=rng.randint(-300, 300))
        elif r < 0.35:
            day = RANGE_START + dt.timedelta(days=rng.randrange(RANGE_DAYS))
            base = day + dt.timedelta(minutes=rng.choice([-35, -10, -1, 0, 1, 10, 30]))
        else:
            base = RANGE_START + dt.timedelta(seconds=rng.randrange(RANGE_DAYS * 86400))
        return self.local(base)

    def day(self) -> dt.date:
        rng = self.rng
        if rng.random() < 0.3:
            return rng.choice([dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 1, 31),
                               dt.date(2026, 2, 1), dt.date(2026, 2, 2), dt.date(2026, 3, 31),
                               dt.date(2026, 4, 1)])
        return RANGE_START.date() + dt.timedelta(days=rng.randrange(RANGE_DAYS))


def make_world(seed: int, tz: str = "Asia/Ho_Chi_Minh", *, n_calls: int = 420) -> dict[str, list[dict]]:
    rng = random.Random(seed)
    clock = _Clock(rng, tz)
    when = clock.when

    teams = [{"team_id": t, "name": f"Team {t}", "supervisor_id": None} for t in ("t0", "t1", "t2", "t9")]
    agents = []
    for i, a in enumerate(AGENTS):
        outsourced = i in (2, 5)
        agents.append({"agent_id": a, "name": None,
                       "team_id": None if i == 4 else f"t{i % 3}",
                       "site": None if i == 6 else ("outsourced" if outsourced else "in_house"),
                       "vendor": ("V1" if i == 2 else None) if outsourced else None,
                       "supervisor_id": None, "hired_on": None, "level": None})
    campaigns = [
        {"campaign_id": "k0", "name": "Retail", "industry": "retail", "product": "p0",
         "starts_on": None, "ends_on": None},
        {"campaign_id": "k1", "name": "Insurance", "industry": "insurance", "product": None,
         "starts_on": None, "ends_on": None},
        {"campaign_id": "k2", "name": "Other", "industry": None, "product": "p2",
         "starts_on": None, "ends_on": None},
    ]
    campaign_ids = ["k0", "k1", "k2", "k9", None]   # k9 only exists on calls and orders

    leads = []
    for i in range(70):
        leads.append({"lead_id": f"l{i}", "created_at": when(),
                      "campaign_id": _maybe(rng, f"k{i % 3}"),
                      "source": _maybe(rng, rng.choice(["web", "list", "referral"])),
                      "segment": _maybe(rng, rng.choice(["sme", "enterprise"]), 0.3),
                      "customer_id": _maybe(rng, f"u{i % 25}", 0.3), "name": None, "phone": None})
    lead_ids = [lead["lead_id"] for lead in leads]

    calls: list[dict] = []

    def call(started_at, *, agent="rand", lead="rand", status=None, direction=None, disposition="rand",
             talk=None, campaign="rand"):
        i = len(calls)
        status = status or rng.choice(["answered"] * 4 + ["no_answer", "no_answer", "busy", "failed",
                                                          "voicemail", "abandoned", "abandoned"])
        if agent == "rand":
            agent = _maybe(rng, rng.choice(CALL_AGENTS), 0.12)
            if agent == "a7" and status == "answered":
                agent = "a1"
        if lead == "rand":
            lead = _maybe(rng, rng.choice(lead_ids + ["l_orphan"]), 0.2)
        direction = direction or ("inbound" if rng.random() < 0.2 else "outbound")
        if disposition == "rand":
            disposition = (rng.choice(DISPOSITIONS) if status == "answered"
                           else _maybe(rng, rng.choice(["NI", "XYZ", ""]), 0.85))
        if talk is None:
            if status == "answered":
                talk = _maybe(rng, float(rng.choice([0, 5, 59, 59.5, 60, 61, 300, 1234.5])), 0.1)
            elif status == "voicemail":
                talk = float(rng.choice([0, 20]))   # talk on a call that did not connect
            else:
                talk = _maybe(rng, 0.0, 0.5)
        script = _maybe(rng, rng.choice("AB"), 0.2)
        if status != "answered" and rng.random() < 0.05:
            script = "Z"                             # script Z never connects
        calls.append({
            "call_id": f"c{i}", "started_at": started_at, "agent_id": agent,
            "campaign_id": rng.choice(campaign_ids) if campaign == "rand" else campaign,
            "lead_id": lead, "direction": direction, "status": status, "disposition": disposition,
            "ring_s": _maybe(rng, float(rng.randint(0, 30))),
            "wait_s": _maybe(rng, float(rng.choice([0, 5, 19, 20, 20.5, 21, 90]))),
            "talk_s": talk,
            "hold_s": _maybe(rng, float(rng.randint(0, 30))) if status == "answered" else _maybe(rng, 0.0),
            "wrap_s": _maybe(rng, float(rng.randint(0, 40))) if status == "answered" else _maybe(rng, 0.0),
            "script": script,
            "mos": _maybe(rng, rng.choice([1.0, 2.5, 3.49, 3.5, 3.51, 4.0, 4.4, 5.0]), 0.3),
            "recording_url": None, **_queue_fields(i, started_at, direction)})

    for _ in range(n_calls):
        call(when())
    # Stop-list leads: six unanswered outbound touches in a row.
    for lid in ("l0", "l1", "l2"):
        t0 = when()
        for k in range(6):
            call(t0 + dt.timedelta(hours=5 * k), lead=lid, status="no_answer", direction="outbound",
                 disposition=None)
    # l3: five unanswered touches, then a connected call, then four more: not on the stop list.
    t0 = when()
    for k in range(10):
        call(t0 + dt.timedelta(hours=3 * k), lead="l3", direction="outbound",
             status="answered" if k == 5 else "busy", disposition="CALLBACK" if k == 5 else None)
    # Speed to lead: l10 called 300 s after creation, l11 301 s, l12 before creation.
    by_id = {lead["lead_id"]: lead for lead in leads}
    for lid, delta in (("l10", 300), ("l11", 301), ("l12", -600), ("l13", 0)):
        call(by_id[lid]["created_at"] + dt.timedelta(seconds=delta), lead=lid, direction="outbound")
    # A call at 23:30 local on a month's last day, without an agent.
    call(clock.local(dt.datetime(2026, 1, 31, 23, 30)), agent=None, status="answered",
         direction="outbound", disposition="sale", talk=120.0)

    orders = []
    call_ids = [c["call_id"] for c in calls]
    for i in range(90):
        status = rng.choice(["completed"] * 4 + ["cancelled", "refunded"])
        orders.append({"order_id": f"o{i}", "ordered_at": when(),
                       "amount": rng.choice([0.0, 99.99, 100.0, 250.5, 1000.0, 12345.67]),
                       "status": status,
                       "customer_id": _maybe(rng, f"u{rng.randrange(25)}", 0.15),
                       "lead_id": _maybe(rng, rng.choice(lead_ids + ["l_orphan"]), 0.4),
                       "agent_id": _maybe(rng, rng.choice(AGENTS + ["ghost"]), 0.15),
                       "campaign_id": rng.choice(campaign_ids),
                       "call_id": _maybe(rng, rng.choice(call_ids), 0.4),
                       "product": _maybe(rng, rng.choice(["px", "py"]), 0.5)})
    # A day with only a cancelled order; repeat customers across months for retention.
    orders.append({"order_id": "o_cx", "ordered_at": clock.local(dt.datetime(2026, 1, 15, 10, 0)),
                   "amount": 500.0, "status": "cancelled", "customer_id": "u1", "lead_id": "l20",
                   "agent_id": "a0", "campaign_id": "k0", "call_id": None, "product": None})
    for m in (11, 12, 1, 2, 3):
        y = 2025 if m >= 11 else 2026
        for cust in ("u0", "u2"):
            orders.append({"order_id": f"o_r{m}{cust}",
                           "ordered_at": clock.local(dt.datetime(y, m, 28, 12, 0)),
                           "amount": 10.0, "status": "completed", "customer_id": cust,
                           "lead_id": None, "agent_id": "a1", "campaign_id": "k0",
                           "call_id": None, "product": None})

    costs = []
    for i in range(45):
        kind = rng.choice(["agent", "team", "campaign", "global", "agent_team"])
        costs.append({"cost_id": f"x{i}", "incurred_on": clock.day(),
                      "amount": rng.choice([10.0, 55.5, 300.0, 1200.25]),
                      "category": rng.choice(["telco", "salary", "data", "other"]),
                      "agent_id": rng.choice(AGENTS + ["ghost"]) if kind in ("agent", "agent_team") else None,
                      "team_id": rng.choice(["t0", "t1", "t9"]) if kind in ("team", "agent_team") else None,
                      "campaign_id": rng.choice(["k0", "k1", "k9"]) if kind == "campaign" else None})
    for i, k in enumerate(costs):   # periods, from the index (the random draws stay as they were)
        start = k["incurred_on"]
        if i % 5 == 1:      # some days to some weeks, across month and year ends
            k["period_end"] = start + dt.timedelta(days=(i * 7) % 45)
        elif i % 5 == 2:    # the rest of its calendar month
            k["period_end"] = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) \
                - dt.timedelta(days=1)

    surveys = []
    for i in range(70):
        scale = rng.choice([5.0, 10.0])
        surveys.append({"response_id": f"r{i}", "answered_at": when(),
                        "score": float(rng.choice([0, 3, 4, 5]) if scale == 5 else rng.choice([0, 7, 7.9, 8, 10])),
                        "scale_max": scale, "question_id": None,
                        "call_id": _maybe(rng, rng.choice(call_ids), 0.4), "customer_id": None,
                        "agent_id": _maybe(rng, rng.choice(AGENTS), 0.5)})

    tickets = []
    for i in range(60):
        opened = when()
        first = _maybe(rng, opened + dt.timedelta(seconds=rng.choice([30, 600, 14399, 14400, 14401, 86400])), 0.2)
        resolved = _maybe(rng, opened + dt.timedelta(hours=rng.choice([1, 5, 30, 24 * 20, 24 * 60])), 0.3)
        tickets.append({"ticket_id": f"tk{i}", "opened_at": opened, "first_response_at": first,
                        "resolved_at": resolved, "customer_id": None,
                        "agent_id": _maybe(rng, rng.choice(AGENTS), 0.2), "channel": None, "priority": None})

    # Open at the end of a --to inside March, resolved before the month ends.
    tickets.append({"ticket_id": "tk_mar", "opened_at": clock.local(dt.datetime(2026, 3, 10, 10, 0)),
                    "first_response_at": None,
                    "resolved_at": clock.local(dt.datetime(2026, 3, 25, 10, 0)),
                    "customer_id": None, "agent_id": "a0", "channel": None, "priority": None})

    states = []
    for a in AGENTS[:7]:
        t = clock.local(dt.datetime(2025, 11, 25, 8, 0)) + dt.timedelta(minutes=rng.randrange(600))
        for _ in range(25):
            if a == "a6":
                state = rng.choice(["pause", "offline"])   # never staffed: zero denominators
            else:
                state = rng.choice(["available", "on_call", "on_call", "wrap", "pause", "offline"])
            length = dt.timedelta(seconds=rng.choice([30, 300, 1800, 3600, 4 * 3600]))
            states.append({"agent_id": a, "state": state, "started_at": t, "ended_at": t + length,
                           "reason": None})
            t = t + length + dt.timedelta(hours=rng.choice([0, 0, 1, 14, 24 * 5]))
            if rng.random() < 0.1:
                # jump to just before a local edge, so the next interval crosses it
                t = clock.local(rng.choice(LOCAL_EDGES)) - dt.timedelta(minutes=rng.randrange(1, 30))
                if any(s["agent_id"] == a and s["started_at"] == t for s in states):
                    t += dt.timedelta(seconds=1)

    engagements = []
    for i in range(90):
        engagements.append({"engagement_id": f"e{i}", "lead_id": rng.choice(lead_ids + ["l_orphan"]),
                            "at": when(), "channel": rng.choice(["sms", "zalo", "email"]),
                            "direction": rng.choice(["out", "out", "in"])})
    # l30: three outbound messages, then an inbound reply: engaged without a call.
    t0 = when()
    for k, d in enumerate(("out", "out", "out", "in")):
        engagements.append({"engagement_id": f"e_l30_{k}", "lead_id": "l30",
                            "at": t0 + dt.timedelta(hours=k), "channel": "sms", "direction": d})

    qa_results, call_sentiment = _call_analysis(random.Random(seed * 7919 + 25), calls)
    return {"teams": teams, "agents": agents, "campaigns": campaigns, "leads": leads, "calls": calls,
            "orders": orders, "costs": costs, "surveys": surveys, "tickets": tickets,
            "agent_states": _dedupe_states(states), "engagements": engagements,
            "call_speech": _call_speech(seed, calls), "qa_results": qa_results, "call_sentiment": call_sentiment}


def _call_speech(seed: int, calls: list[dict]) -> list[dict]:
    """Speech figures for some answered calls (a stream of its own, so the other tables stay as
    they were): stereo and mono recordings, a silent one, and one for a call not in calls."""
    rng = random.Random(seed * 7919 + 25)
    out = []
    for c in calls:
        if c["status"] != "answered" or rng.random() < 0.4:
            continue
        duration = rng.choice([0.0, 12.5, 60.0, 187.25, 600.0])
        mono = rng.random() < 0.2
        agent = round(duration * rng.random() * 0.6, 2)
        customer = round(duration * rng.random() * 0.4, 2)
        row = {"call_id": c["call_id"], "layout": "mono" if mono else "stereo", "duration_s": duration,
               "speech_s": round(min(duration, agent + customer), 2),
               "silence_s": round(duration * rng.random() * 0.2, 2), "longest_silence_s": 1.5, "vad": "webrtc"}
        if not mono:
            row.update(agent_talk_s=agent, customer_talk_s=customer,
                       agent_talk_ratio=agent / (agent + customer) if agent + customer else None,
                       overtalk_s=round(min(agent, customer) * rng.random() * 0.2, 2),
                       agent_interruptions=rng.choice([0, 0, 1, 2, 5]), customer_interruptions=rng.randrange(3),
                       longest_monologue_s=agent / 2, first_words_s=1.0, switches_per_min=4.0)
        out.append(row)
    out.append({"call_id": "c_not_a_call", "layout": "stereo", "duration_s": 30.0, "speech_s": 20.0,
                "silence_s": 5.0, "agent_talk_s": 10.0, "customer_talk_s": 10.0, "overtalk_s": 1.0,
                "agent_interruptions": 3})
    return out



def _call_analysis(rng: random.Random, calls: list[dict]) -> tuple[list[dict], list[dict]]:
    """QA results (two forms on some calls; no score, auto-failed, an agent the call does not
    name) and the customer's sentiment (none, negative, a predicted CSAT or not) of a share of
    the calls, from a stream of its own (the other tables' draws stay as they were)."""
    qa, sentiment = [], []
    for c in calls:
        if rng.random() < 0.4:
            continue
        for form in ("f1", "f2") if rng.random() < 0.2 else ("f1",):
            score = rng.choice([None, 0.0, 0.25, 0.5, 0.8, 1.0])
            compliant = 0 if score == 0.0 else rng.choice([1, 1, 1, 0])
            qa.append({"call_id": c["call_id"], "form_id": form, "started_at": c["started_at"],
                       "agent_id": _maybe(rng, c["agent_id"], 0.2) if c["agent_id"] else None,
                       "score": 0.0 if not compliant and score is not None else score,
                       "passed": None if score is None else int(compliant and score >= 0.8),
                       "compliant": compliant, "pending": rng.choice([0, 1]), "form_hash": "h",
                       "transcript_hash": "t", "scored_at": c["started_at"]})
        s = rng.choice([None, -0.7, -0.21, -0.2, 0.0, 0.5])
        sentiment.append({"call_id": c["call_id"], "started_at": c["started_at"], "agent_id": c["agent_id"],
                          "sentiment": s, "negative": None if s is None else int(s < -0.2),
                          "customer_utterances": rng.randrange(0, 9),
                          "predicted_csat": _maybe(rng, round(rng.random(), 4), 0.3), "transcript_hash": "t"})
    return qa, sentiment


def _dedupe_states(states: list[dict]) -> list[dict]:
    seen, out = set(), []
    for s in states:
        k = (s["agent_id"], s["started_at"])
        if k not in seen:
            seen.add(k)
            out.append(s)
    return out


def _queue_fields(i: int, started_at, direction: str) -> dict:
    """The queue columns of call ``i``, from its index (the world's random stream is left as it
    was): inbound calls that entered a queue (queued_at, a name), that only name one, that name
    none (IVR-only, or a source without queue data: reached the queue only if a wait is
    known); numbers written in several ways; a few transfers and hang-up parties."""
    k = i % 7
    inbound = direction == "inbound"
    return {
        "queue": ("sales" if k in (0, 1, 2) else "care" if k == 3 else None) if inbound else None,
        "queued_at": started_at + dt.timedelta(seconds=12) if inbound and k in (0, 2, 3) else None,
        "caller_number": ("+84974442778", "0974 442 779", None, "1001")[i % 4],
        "called_number": ("+84281234567", None)[i % 2],
        "line": ("+84281234567", None, None)[i % 3],
        "transferred_to": "1002" if i % 11 == 0 else None,
        "hangup_by": ("agent", "customer", "system", None)[i % 4],
    }


def load_world(rows: dict[str, list[dict]], path):
    """A new Warehouse at `path` holding `rows`; the caller closes it."""
    from telekpi.store.warehouse import Warehouse

    wh = Warehouse(path)
    insert_rows(wh, rows)
    return wh


def insert_rows(wh, rows: dict[str, list[dict]]) -> None:
    """Through Arrow (DuckDB casts each column to the table's type): row by row, executemany
    took 2 s a world."""
    import pyarrow as pa

    for name, table_rows in rows.items():
        if not table_rows:
            continue
        cols = TABLES[name].names
        batch = pa.table({c: pa.array([r.get(c) for r in table_rows]) for c in cols})  # noqa: F841
        col_sql = ", ".join(f'"{c}"' for c in cols)
        wh.con.execute(f'INSERT INTO "{name}" ({col_sql}) SELECT {col_sql} FROM batch')
