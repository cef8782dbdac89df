"""The demo generator's contract and the stories the demo must tell.

tests/demo/test_centre.py covers sizes, determinism, constraints, the seed bands,
drop rate and profit; this file covers the rest of the generator's promises:
referential integrity, time windows, names and phones, A/B scripts, retention,
orders without a call, the inbound queue, funnel diagnoses, and Parquet by calls.
"""

import datetime as dt
import math
import re
from zoneinfo import ZoneInfo

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from telekpi.analysis.funnel import funnel
from telekpi.demo.generate import generate, generate_parquet
from telekpi.demo.world import CAMPAIGNS, END, START, scale
from telekpi.engine.engine import Engine
from telekpi.engine.request import Request
from telekpi.model.tables import TABLES
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse

TZ = "Asia/Ho_Chi_Minh"


@pytest.fixture(scope="module")
def centre(tmp_path_factory):
    wh = Warehouse(tmp_path_factory.mktemp("gen") / "telekpi.duckdb")
    counts = generate(wh.con, seed=7, size="small", timezone=TZ)
    yield wh, counts, Engine(wh, Settings(timezone=TZ, currency="VND"))
    wh.close()


def one(wh, sql):
    return wh.con.execute(sql).fetchone()[0]


def rows(engine, *metrics, by=(), period=None):
    return engine.query(Request(tuple(metrics), by=tuple(by), period=period)).rows


def test_other_seed_is_still_in_the_seed_bands(centre):
    _, counts, engine = centre
    assert 40_000 <= counts["calls"] <= 90_000
    assert all(counts[t] > 0 for t in TABLES if t not in ("qa_results", "call_sentiment"))   # added after
    cat = engine.catalog.metrics["call_conversion_rate"]
    for r in rows(engine, "call_conversion_rate", by=["industry"]):
        if r["industry"] in ("retail", "insurance"):
            assert cat.band(r["call_conversion_rate"], r["industry"]).level == "standard", r
    camps = [r for r in rows(engine, "drop_rate", "profit", by=["campaign"])
             if r["campaign"] and r["campaign"] != "K6"]   # K6: the care hotline, no dialling
    assert sum(r["drop_rate"] > 0.03 for r in camps) == 1
    assert sum(r["profit"] < 0 for r in camps) == 1


@pytest.mark.parametrize("child, column, parent, key", [
    ("calls", "agent_id", "agents", "agent_id"), ("calls", "lead_id", "leads", "lead_id"),
    ("calls", "campaign_id", "campaigns", "campaign_id"), ("agents", "team_id", "teams", "team_id"),
    ("leads", "campaign_id", "campaigns", "campaign_id"), ("orders", "call_id", "calls", "call_id"),
    ("orders", "lead_id", "leads", "lead_id"), ("orders", "agent_id", "agents", "agent_id"),
    ("orders", "customer_id", "leads", "customer_id"), ("surveys", "call_id", "calls", "call_id"),
    ("surveys", "agent_id", "agents", "agent_id"), ("tickets", "agent_id", "agents", "agent_id"),
    ("tickets", "customer_id", "leads", "customer_id"), ("engagements", "lead_id", "leads", "lead_id"),
    ("agent_states", "agent_id", "agents", "agent_id"), ("costs", "agent_id", "agents", "agent_id"),
    ("costs", "team_id", "teams", "team_id"), ("costs", "campaign_id", "campaigns", "campaign_id"),
])
def test_no_orphan_keys(centre, child, column, parent, key):
    orphans = one(centre[0], f'SELECT count(*) FROM "{child}" c WHERE c.{column} IS NOT NULL AND NOT EXISTS '
                             f'(SELECT 1 FROM "{parent}" p WHERE p.{key} = c.{column})')
    assert orphans == 0


def test_times_sit_in_the_period_and_working_hours(centre):
    wh = centre[0]
    zone = ZoneInfo(TZ)
    first, last = wh.con.execute("SELECT min(started_at), max(started_at) FROM calls").fetchone()
    assert first.astimezone(zone).date() >= START and last.astimezone(zone).date() <= END
    hours = dict(wh.con.execute(f"SELECT hour(timezone('{TZ}', started_at)) h, count(*) FROM calls "
                                "GROUP BY h").fetchall())
    assert min(hours) >= 7 and max(hours) <= 21
    for c in CAMPAIGNS:   # leads arrive while their campaign runs
        lo, hi = wh.con.execute(f"SELECT min(timezone('{TZ}', created_at))::DATE, "
                                f"max(timezone('{TZ}', created_at))::DATE FROM leads "
                                f"WHERE campaign_id = '{c.id}'").fetchone()
        assert c.starts_on <= lo and hi <= c.ends_on, c.id
    assert one(wh, "SELECT count(*) FROM campaigns WHERE starts_on > ends_on") == 0
    assert one(wh, "SELECT count(*) FROM orders o JOIN calls c USING (call_id) "
                   "WHERE o.ordered_at < c.started_at") == 0
    assert one(wh, "SELECT count(*) FROM tickets WHERE first_response_at < opened_at "
                   "OR resolved_at < first_response_at") == 0
    assert one(wh, "SELECT count(*) FROM tickets WHERE resolved_at IS NULL") > 0


def test_leads_look_like_vietnamese_contacts(centre):
    wh = centre[0]
    names = [r[0] for r in wh.con.execute("SELECT name FROM leads LIMIT 500").fetchall()]
    assert all(len(n.split()) == 3 for n in names)
    assert len(set(names)) > 200
    phones = [r[0] for r in wh.con.execute("SELECT phone FROM leads LIMIT 500").fetchall()]
    assert all(re.fullmatch(r"09\d{8}", p) for p in phones)
    sources = {r[0] for r in wh.con.execute("SELECT DISTINCT source FROM leads").fetchall()}
    assert {"web_form", "facebook", "referral", "purchased_list"} <= sources
    # A lead stops being dialled after a sale or a DNC, and nobody is dialled more than 8 times.
    assert one(wh, "SELECT max(n) FROM (SELECT count(*) n FROM calls WHERE lead_id IS NOT NULL "
                   "GROUP BY lead_id)") <= 8
    assert one(wh, "SELECT count(*) FROM calls c JOIN (SELECT lead_id, min(started_at) t FROM calls "
                   "WHERE disposition IN ('SALE', 'DNC') GROUP BY lead_id) s USING (lead_id) "
                   "WHERE c.started_at > s.t") == 0


def test_script_b_converts_better_on_retail(centre):
    wh = centre[0]
    got = dict((s, (n, k)) for s, n, k in wh.con.execute(
        "SELECT script, count(*), count(*) FILTER (WHERE disposition IN ('SALE', 'APPOINTMENT')) "
        "FROM calls WHERE campaign_id = 'K1' GROUP BY script").fetchall())
    (na, ka), (nb, kb) = got["A"], got["B"]
    pa_, pb = ka / na, kb / nb
    pooled = (ka + kb) / (na + nb)
    z = (pb - pa_) / math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    assert z > 2, (pa_, pb, z)


def test_orders_retention_and_care(centre):
    wh, _, engine = centre
    assert one(wh, "SELECT count(*) FROM orders WHERE call_id IS NULL") > 0
    assert one(wh, "SELECT min(amount) FROM orders") >= 400_000
    assert one(wh, "SELECT max(amount) FROM orders") <= 30_000_000
    assert one(wh, "SELECT count(*) FROM orders WHERE amount <> round(amount)") == 0
    shares = dict(wh.con.execute("SELECT status, count(*) / sum(count(*)) OVER () FROM orders "
                                 "GROUP BY status").fetchall())
    assert 0.02 < shares["cancelled"] < 0.09 and 0.005 < shares["refunded"] < 0.04
    saas = [r for r in rows(engine, "retention_rate", by=["industry"], period="month")
            if r["industry"] == "saas" and r["retention_rate"] is not None]
    assert saas and all(r["retention_rate"] >= 0.75 for r in saas)
    q = rows(engine, "offered", "service_level", "queue_abandonment_rate", "asa")[0]
    assert q["offered"] > 0
    assert 0.5 < q["service_level"] < 0.9 and 0.03 < q["queue_abandonment_rate"] < 0.2
    share = one(wh, "SELECT count(*) FILTER (WHERE call_id IS NOT NULL) / count(*) FROM surveys")
    assert share == 1
    answered = one(wh, "SELECT count(*) FROM calls WHERE status = 'answered'")
    assert 0.1 < one(wh, "SELECT count(*) FROM surveys") / answered < 0.3
    assert one(wh, "SELECT count(*) FROM calls WHERE status = 'answered' AND recording_url IS NULL "
                   "AND direction = 'outbound'") == 0
    assert one(wh, "SELECT count(*) FROM calls WHERE status = 'answered' AND disposition IS NULL") > 0
    assert one(wh, "SELECT count(*) FROM engagements WHERE direction = 'in'") > 0


def test_costs_cover_every_scope(centre):
    wh = centre[0]
    cats = {r[0] for r in wh.con.execute("SELECT DISTINCT category FROM costs").fetchall()}
    assert {"salary", "outsourcing", "telco", "data", "software"} <= cats
    assert one(wh, "SELECT count(*) FROM costs WHERE category = 'salary' AND agent_id IS NULL") == 0
    assert one(wh, "SELECT count(*) FROM costs c JOIN agents a USING (agent_id) "
                   "WHERE a.site = 'outsourced'") == 0
    assert one(wh, "SELECT count(*) FROM costs WHERE amount <> round(amount) OR amount < 0") == 0


def test_funnel_names_bottlenecks_by_team(centre):
    engine = centre[2]
    found = {g["team"]: g["bottleneck"]["metric"] for g in funnel(engine, Request((), by=("team",)))["groups"]
             if g["team"] and g["bottleneck"]["metric"]}
    assert found.get("T3") == "close_rate"
    assert found.get("T5") == "qualified_rate"
    five = rows(engine, "speed_to_lead_5m_rate", "overcontacted_leads")[0]
    assert 0.1 < five["speed_to_lead_5m_rate"] < 0.6 and five["overcontacted_leads"] > 0


def test_agents_differ_and_newcomers_barely_call(centre):
    wh, _, engine = centre
    agents = [r for r in rows(engine, "calls", "aht", "call_conversion_rate", by=["agent"]) if r["agent"]]
    judged = [r for r in agents if r["calls"] >= 30 and r["call_conversion_rate"]]
    conv = sorted(r["call_conversion_rate"] for r in judged)
    assert conv[-1] > 1.5 * conv[0]
    aht = sorted(r["aht"] for r in judged)
    assert aht[-1] > 1.2 * aht[0]
    assert sum(1 for r in agents if r["calls"] < 30) >= 1
    assert one(wh, "SELECT count(DISTINCT vendor) FROM agents WHERE site = 'outsourced'") == 1
    assert one(wh, "SELECT count(DISTINCT level) FROM agents") == 2
    assert one(wh, "SELECT max(hired_on) FROM agents") <= END


def test_parquet_by_calls(tmp_path):
    counts = generate_parquet(tmp_path, seed=3, calls=20_000, timezone=TZ)
    assert 18_000 <= counts["calls"] <= 22_000
    assert {p.stem for p in tmp_path.glob("*.parquet")} == set(counts)
    t = pq.read_table(tmp_path / "calls.parquet")
    assert t.schema.names == TABLES["calls"].names
    assert str(t.schema.field("started_at").type) == "timestamp[us, tz=UTC]"
    assert pc.min(t.column("started_at")).as_py() >= dt.datetime(2026, 8, 31, 17, tzinfo=dt.UTC)
    o = pq.read_table(tmp_path / "orders.parquet")
    assert str(o.schema.field("amount").type) == "decimal128(18, 4)"
    assert scale(calls=10_000_000)[1] > scale("medium")[1]
    with pytest.raises(ValueError):
        scale("huge")
