"""The engine agrees with the pure-Python reference (pyref.py) on random data with edges.

Edges in the data: nulls in optional columns, calls without an agent or lead,
unknown, blank and lower-case dispositions, cancelled and refunded orders,
groups with no connected calls (zero denominators), and times minutes from
midnight, month, quarter and year ends in the workspace timezone.
"""

import datetime as dt
import math
import random

import pytest

from telekpi.engine.engine import Engine
from telekpi.engine.request import Request
from telekpi.model.tables import TABLES
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse

from .pyref import Reference

UTC = dt.timezone.utc
BOUNDARIES = [dt.datetime(2025, 12, 31, 16, 58, tzinfo=UTC), dt.datetime(2025, 12, 31, 17, 1, tzinfo=UTC),
              dt.datetime(2026, 3, 31, 16, 59, tzinfo=UTC), dt.datetime(2026, 3, 31, 17, 0, tzinfo=UTC),
              dt.datetime(2026, 1, 31, 23, 59, tzinfo=UTC), dt.datetime(2026, 2, 1, 0, 0, tzinfo=UTC)]


def when(rng: random.Random) -> dt.datetime:
    if rng.random() < 0.25:
        return rng.choice(BOUNDARIES) + dt.timedelta(seconds=rng.randint(-90, 90))
    return dt.datetime(2025, 12, 20, tzinfo=UTC) + dt.timedelta(seconds=rng.randint(0, 120 * 86400))


def maybe(rng, value, p=0.15):
    return None if rng.random() < p else value


def make_data(seed: int) -> dict[str, list[dict]]:
    rng = random.Random(seed)
    agents = [{"agent_id": f"a{i}", "name": None, "team_id": maybe(rng, f"t{i % 3}", 0.1),
               "site": "outsourced" if i % 4 == 0 else "in_house", "vendor": "V" if i % 4 == 0 else None,
               "supervisor_id": None, "hired_on": None, "level": None} for i in range(7)]
    campaigns = [{"campaign_id": f"k{i}", "name": None, "industry": ["retail", "insurance", None][i],
                  "product": maybe(rng, f"p{i}"), "starts_on": None, "ends_on": None} for i in range(3)]
    leads = [{"lead_id": f"l{i}", "created_at": when(rng), "campaign_id": maybe(rng, f"k{i % 3}"),
              "source": maybe(rng, rng.choice(["web", "list"])), "segment": maybe(rng, "sme"),
              "customer_id": None, "name": None, "phone": None} for i in range(60)]
    dispositions = ["SALE", "sale", "APPOINTMENT", "QUALIFIED", "CALLBACK", "NI", "GATEKEEPER", "DNC",
                    "WRONG_NUMBER", "XYZ", " ", None]
    calls = []
    for i in range(400):
        status = rng.choice(["answered"] * 4 + ["no_answer", "busy", "failed", "voicemail", "abandoned"])
        agent = maybe(rng, f"a{rng.randrange(7)}", 0.1)
        if i % 50 == 0:
            agent = "a6"   # a6 only ever has unanswered calls: zero denominators
            status = "no_answer"
        elif agent == "a6":
            agent = "a5"
        calls.append({
            "call_id": f"c{i}", "started_at": when(rng), "agent_id": agent,
            "campaign_id": maybe(rng, f"k{rng.randrange(3)}"), "lead_id": maybe(rng, f"l{rng.randrange(60)}"),
            "direction": "inbound" if rng.random() < 0.15 else "outbound", "status": status,
            "disposition": rng.choice(dispositions) if status == "answered" else maybe(rng, "NI", 0.9),
            "ring_s": maybe(rng, float(rng.randint(0, 30))), "wait_s": maybe(rng, float(rng.randint(0, 60))),
            "talk_s": maybe(rng, float(rng.choice([0, 5, 59, 60, 61, 300])) if status == "answered" else 0.0),
            "hold_s": maybe(rng, float(rng.randint(0, 30))), "wrap_s": maybe(rng, float(rng.randint(0, 40))),
            "script": maybe(rng, rng.choice("AB")), "mos": maybe(rng, round(rng.uniform(1, 5), 2), 0.3),
            "recording_url": None})
    orders = [{"order_id": f"o{i}", "ordered_at": when(rng), "amount": float(rng.choice([0, 100, 250.5, 1000])),
               "status": rng.choice(["completed"] * 3 + ["cancelled", "refunded"]),
               "customer_id": maybe(rng, f"u{rng.randrange(20)}"), "lead_id": maybe(rng, f"l{rng.randrange(60)}"),
               "agent_id": maybe(rng, f"a{rng.randrange(7)}"), "campaign_id": maybe(rng, f"k{rng.randrange(3)}"),
               "call_id": None, "product": maybe(rng, "px", 0.5)} for i in range(80)]
    surveys = [{"response_id": f"r{i}", "answered_at": when(rng), "score": float(rng.randint(0, 10)),
                "scale_max": float(rng.choice([5, 10])), "question_id": None, "call_id": None,
                "customer_id": None, "agent_id": maybe(rng, f"a{rng.randrange(7)}")} for i in range(60)]
    tickets = []
    for i in range(50):
        opened = when(rng)
        first = maybe(rng, opened + dt.timedelta(seconds=rng.choice([60, 14399, 14400, 14401, 90000])), 0.2)
        tickets.append({"ticket_id": f"tk{i}", "opened_at": opened, "first_response_at": first,
                        "resolved_at": maybe(rng, opened + dt.timedelta(hours=rng.randint(1, 99)), 0.3),
                        "customer_id": None, "agent_id": maybe(rng, f"a{rng.randrange(7)}"),
                        "channel": None, "priority": None})
    return {"agents": agents, "teams": [], "campaigns": campaigns, "leads": leads, "calls": calls,
            "orders": orders, "costs": [], "surveys": surveys, "tickets": tickets, "agent_states": [],
            "engagements": []}


def load(path, data):
    wh = Warehouse(path)
    for name, rows in data.items():
        if rows:
            cols = TABLES[name].names
            marks = ", ".join("?" for _ in cols)
            wh.con.executemany(f'INSERT INTO "{name}" ({", ".join(chr(34) + c + chr(34) for c in cols)}) '
                               f"VALUES ({marks})", [[r[c] for c in cols] for r in rows])
    return wh


CALL_METRICS = ["calls", "connected_calls", "connection_rate", "call_success_rate", "aht", "avg_talk_time",
                "talk_time", "abandoned_calls", "abandonment_rate", "drop_rate", "successful_calls",
                "call_conversion_rate", "productive_calls", "avg_mos", "poor_quality_rate",
                "calls_per_agent_day", "offered", "service_level", "asa", "queue_abandonment_rate"]
STAGE_METRICS = ["leads_attempted", "leads_connected", "leads_decision_maker", "leads_qualified", "leads_won",
                 "contact_rate", "qualified_rate", "close_rate", "lead_conversion_rate", "attempts_per_lead",
                 "dropoff_connected", "dropoff_decision_maker", "dropoff_qualified", "dropoff_won"]
CASES = ([("calls", m) for m in CALL_METRICS] + [("stages", m) for m in STAGE_METRICS]
         + [("leads", m) for m in ("leads", "speed_to_lead", "speed_to_lead_5m_rate")]
         + [("orders", m) for m in ("revenue", "orders", "aov", "customers")]
         + [("surveys", m) for m in ("responses", "csat", "avg_survey_score")]
         + [("tickets", m) for m in ("tickets", "first_response_time", "resolution_time", "ticket_sla_rate")])
DIMS = {"calls": ["agent", "team", "site", "campaign", "industry", "direction", "status", "disposition",
                  "script", "lead_source", "hour", "weekday"],
        "stages": ["agent", "team", "campaign", "industry", "direction", "script"],
        "leads": ["campaign", "industry", "lead_source", "segment"],
        "orders": ["agent", "team", "vendor", "campaign", "industry", "product"],
        "surveys": ["agent", "team", "site"], "tickets": ["agent", "team"]}
SCOPES = [((), None, None, None), ((), "day", None, None), ((), "week", None, None),
          ((), "month", None, None), ((), "quarter", None, None), ((), "year", None, None),
          ((), "month", dt.date(2026, 1, 1), dt.date(2026, 3, 31))]


@pytest.fixture(scope="module", params=["duckdb"])
def engine_name(request):
    return request.param


@pytest.fixture(scope="module", params=[(1, "Asia/Ho_Chi_Minh"), (2, "UTC"), (3, "Asia/Bangkok")],
                ids=lambda p: f"seed{p[0]}-{p[1]}")
def world(request, tmp_path_factory, engine_name):
    seed, tz = request.param
    data = make_data(seed)
    wh = load(tmp_path_factory.mktemp("ref") / "w.duckdb", data)
    yield Engine(wh, Settings(timezone=tz)), Reference(data, tz)
    wh.close()


def same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def check(engine, ref, model, mid, by, period, start, end):
    expected = ref.compute(model, mid, by, period, start, end)
    rows = engine.query(Request((mid,), by=tuple(by), period=period, start=start, end=end)).rows
    got = {tuple(r[b] for b in by) + ((r["period"],) if period else ()): r[mid] for r in rows}
    # A group with no rows for this metric's model may be absent on one side and 0/None on the other.
    bad = {k: (got.get(k), expected.get(k)) for k in set(got) | set(expected)
           if not same(got.get(k), expected.get(k))
           and not (k not in got and expected[k] in (None, 0))
           and not (k not in expected and got[k] in (None, 0))}
    assert not bad, f"{mid} by {by} per {period}: engine vs reference {bad}"


@pytest.mark.parametrize("model, mid", CASES, ids=[m for _, m in CASES])
def test_metric_matches_reference(world, model, mid):
    engine, ref = world
    for by, period, start, end in SCOPES:
        check(engine, ref, model, mid, list(by), period, start, end)
    for dim in DIMS[model]:
        check(engine, ref, model, mid, [dim], None, None, None)
        check(engine, ref, model, mid, [dim], "month", None, None)
