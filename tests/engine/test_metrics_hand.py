"""Hand-computed cases, one tiny warehouse per metric family, expected values as literals.

Each expected number carries its arithmetic in a comment. Families: calls, lead
funnel, revenue and cost, care, agents, inbound queue (METRICS.md sections).
"""

from __future__ import annotations

import datetime as dt

import pytest

from telekpi.engine.engine import Engine
from telekpi.engine.request import Request
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse

HCM = "Asia/Ho_Chi_Minh"   # UTC+7, no DST


@pytest.fixture(params=["duckdb"])
def engine_name(request):
    return request.param


@pytest.fixture
def make(engine_name, tmp_path):
    """make(sql_statements, timezone) → a function q(metrics, **request) → rows."""
    opened = []

    def _make(statements: list[str], tz: str = "UTC", **settings):
        assert engine_name == "duckdb"
        wh = Warehouse(tmp_path / f"w{len(opened)}.duckdb")
        opened.append(wh)
        for sql in statements:
            wh.con.execute(sql)
        engine = Engine(wh, Settings(timezone=tz, **settings))

        def q(metrics, **kw):
            metrics = (metrics,) if isinstance(metrics, str) else tuple(metrics)
            return engine.query(Request(metrics, **kw)).rows

        return q

    yield _make
    for wh in opened:
        wh.close()


def one(q, metric, **kw):
    rows = q(metric, **kw)
    assert len(rows) == 1, rows
    return rows[0][metric]


def by(q, metric, dim, **kw):
    return {r[dim]: r[metric] for r in q(metric, by=(dim,), **kw)}


def per(q, metric, period, **kw):
    return {r["period"]: r[metric] for r in q(metric, period=period, **kw)}


# ---- calls ------------------------------------------------------------------------------------

CALLS = [
    "INSERT INTO agents (agent_id, team_id, site) VALUES ('a1', 't1', 'in_house'), ('a2', 't2', 'outsourced')",
    """INSERT INTO calls (call_id, started_at, agent_id, direction, status, disposition,
        talk_s, hold_s, wrap_s, mos) VALUES
    -- 23:30 on Jan 31 in Ho Chi Minh time (16:30 UTC): a local January call
    ('c1', '2026-01-31 16:30:00+00', 'a1', 'outbound', 'answered', 'sale', 100, 10, 20, 4.5),
    -- 00:30 on Feb 1 local (17:30 UTC on Jan 31)
    ('c2', '2026-01-31 17:30:00+00', 'a1', 'outbound', 'no_answer', NULL, 0, 0, 0, NULL),
    ('c3', '2026-02-02 03:00:00+00', 'a2', 'outbound', 'answered', 'XYZ', 70, NULL, 5, 3.0),
    ('c4', '2026-02-03 03:00:00+00', NULL, 'outbound', 'abandoned', NULL, NULL, NULL, NULL, 3.5),
    ('c5', '2026-02-02 04:00:00+00', 'a2', 'outbound', 'answered', '', 0, 0, 10, NULL)""",
    """INSERT INTO orders (order_id, ordered_at, amount, status) VALUES
    ('o1', '2026-02-01 03:00:00+00', 100, 'completed'), ('o2', '2026-02-01 04:00:00+00', 900, 'cancelled')""",
]


def test_calls_family(make):
    q = make(CALLS, HCM)
    assert one(q, "calls") == 5
    assert one(q, "connected_calls") == 3                            # c1, c3, c5 answered
    assert one(q, "connection_rate") == pytest.approx(3 / 5)        # 0.6
    assert one(q, "call_success_rate") == pytest.approx(2 / 5)      # c1, c3 have talk > 0; c5 talked 0 s
    # handle = talk + hold + wrap over connected, an unknown part as 0:
    # c1 100+10+20 = 130, c3 70+0+5 = 75, c5 0+0+10 = 10 → 215 / 3
    assert one(q, "aht") == pytest.approx(215 / 3)
    assert one(q, "avg_talk_time") == pytest.approx((100 + 70 + 0) / 3)
    assert one(q, "talk_time") == pytest.approx(170)                # 100 + 0 + 70 + null + 0
    assert one(q, "abandoned_calls") == 1
    assert one(q, "abandonment_rate") == pytest.approx(1 / 5)
    assert one(q, "drop_rate") == pytest.approx(1 / 4)              # 1 abandoned / (3 answered + 1 abandoned)
    assert one(q, "successful_calls") == 1                          # lower-case 'sale' counts; 'XYZ' does not
    assert one(q, "call_conversion_rate") == pytest.approx(1 / 5)
    assert one(q, "productive_calls") == 2                          # c1 (100 s, sale), c3 (70 s, XYZ is set)
    assert one(q, "orders_per_call") == pytest.approx(1 / 5)        # the cancelled order is not an order
    assert one(q, "avg_mos") == pytest.approx((4.5 + 3.0 + 3.5) / 3)
    assert one(q, "poor_quality_rate") == pytest.approx(1 / 3)      # only 3.0 < 3.5; 3.5 is not poor
    # agent calls c1 c2 c3 c5 = 4; agent-days (a1, Jan 31), (a1, Feb 1), (a2, Feb 2) = 3 (local days)
    assert one(q, "calls_per_agent_day") == pytest.approx(4 / 3)


def test_call_at_2330_local_is_on_the_local_day(make):
    q = make(CALLS, HCM)
    assert per(q, "calls", "day") == {"2026-01-31": 1, "2026-02-01": 1, "2026-02-02": 2, "2026-02-03": 1}
    assert per(q, "calls", "month") == {"2026-01-01": 1, "2026-02-01": 4}
    assert by(q, "calls", "hour")["23"] == 1                        # c1 at 23:30 local
    assert one(q, "calls", start=dt.date(2026, 1, 31), end=dt.date(2026, 1, 31)) == 1
    # In UTC both c1 and c2 fall on Jan 31.
    utc = make(CALLS, "UTC")
    assert per(utc, "calls", "day")["2026-01-31"] == 2


def test_calls_zero_denominators_and_unknown_dispositions(make):
    q = make(CALLS, HCM)
    # The agentless group has one abandoned call: connection 0/1, no connected call to average.
    assert by(q, "connection_rate", "agent")[None] == 0.0
    assert by(q, "aht", "agent")[None] is None
    assert by(q, "poor_quality_rate", "agent")["a1"] == 0.0          # a1: one MOS (4.5), not poor
    assert by(q, "calls_per_agent_day", "agent")[None] is None       # 0 agent calls / 0 agent-days
    # Unknown and blank codes carry no flag: no sale, but XYZ is "a disposition set".
    assert by(q, "successful_calls", "disposition") == {"SALE": 1, "XYZ": 0, None: 0}
    assert by(q, "productive_calls", "disposition") == {"SALE": 1, "XYZ": 1, None: 0}


def test_padded_disposition_keeps_its_flags(make):
    q = make(["""INSERT INTO calls (call_id, started_at, status, disposition) VALUES
        ('c1', '2026-01-05 05:00:00+00', 'answered', ' SALE '),
        ('c2', '2026-01-05 06:00:00+00', 'answered', 'SALE')"""])
    # Both calls are reported under the code SALE, so both are sales.
    assert by(q, "calls", "disposition") == {"SALE": 2}
    assert by(q, "successful_calls", "disposition") == {"SALE": 2}


# ---- lead funnel ----------------------------------------------------------------------------

FUNNEL = [
    """INSERT INTO leads (lead_id, created_at) VALUES
    ('L1', '2026-01-10 09:00:00+00'), ('L2', '2026-01-10 09:00:00+00'), ('L3', '2026-01-10 09:00:00+00'),
    ('L4', '2026-01-10 09:00:00+00'), ('L5', '2026-01-10 09:00:00+00')""",
    """INSERT INTO calls (call_id, started_at, lead_id, direction, status, disposition, script) VALUES
    ('f1', '2026-01-10 09:04:00+00', 'L1', 'outbound', 'no_answer', NULL, 'A'),
    ('f2', '2026-01-10 10:00:00+00', 'L1', 'outbound', 'answered', 'GATEKEEPER', 'A'),
    ('f3', '2026-01-10 11:00:00+00', 'L1', 'outbound', 'answered', 'SALE', 'A'),
    ('f4', '2026-01-10 09:10:00+00', 'L2', 'outbound', 'answered', 'NI', 'A'),
    ('f5', '2026-01-10 09:05:00+00', 'L3', 'outbound', 'answered', 'GATEKEEPER', 'B'),
    ('f6', '2026-01-10 09:20:00+00', 'L5', 'outbound', 'no_answer', NULL, 'B'),
    ('f7', '2026-01-10 12:00:00+00', NULL, 'inbound', 'answered', 'XYZ', 'A')""",
    # L2 is won by a completed order; L3's order was cancelled.
    """INSERT INTO orders (order_id, ordered_at, amount, status, lead_id) VALUES
    ('o1', '2026-01-12 10:00:00+00', 100, 'completed', 'L2'),
    ('o2', '2026-01-12 10:00:00+00', 100, 'cancelled', 'L3')""",
    # L5: four outbound messages after its unanswered call: five touches without engagement.
    """INSERT INTO engagements (engagement_id, lead_id, "at", channel, direction) VALUES
    ('e1', 'L5', '2026-01-11 09:00:00+00', 'sms', 'out'), ('e2', 'L5', '2026-01-12 09:00:00+00', 'sms', 'out'),
    ('e3', 'L5', '2026-01-13 09:00:00+00', 'sms', 'out'), ('e4', 'L5', '2026-01-14 09:00:00+00', 'sms', 'out')""",
]


def test_funnel_family(make):
    q = make(FUNNEL)
    assert one(q, "leads") == 5
    assert one(q, "leads_attempted") == 4                    # L1 L2 L3 L5 (L4 never called)
    assert one(q, "leads_connected") == 3                    # L1 L2 L3
    assert one(q, "leads_decision_maker") == 2               # L1 (SALE), L2 (NI); L3 only a gatekeeper
    assert one(q, "leads_qualified") == 2                    # L1 (SALE); L2 won, so qualified too
    assert one(q, "leads_won") == 2                          # L1 sale call, L2 completed order
    assert one(q, "contact_rate") == pytest.approx(2 / 4)
    assert one(q, "qualified_rate") == pytest.approx(2 / 2)
    assert one(q, "close_rate") == pytest.approx(2 / 2)
    assert one(q, "lead_conversion_rate") == pytest.approx(2 / 4)
    assert one(q, "dropoff_connected") == pytest.approx(1 - 3 / 4)
    assert one(q, "dropoff_decision_maker") == pytest.approx(1 - 2 / 3)
    assert one(q, "dropoff_qualified") == pytest.approx(0.0)
    assert one(q, "dropoff_won") == pytest.approx(0.0)
    assert one(q, "attempts_per_lead") == pytest.approx(6 / 4)   # 3 + 1 + 1 + 1 calls to leads; f7 has none
    # first outbound call − creation: L1 240 s, L2 600, L3 300, L5 1200 → median (300 + 600) / 2
    assert one(q, "speed_to_lead") == pytest.approx(450)
    assert one(q, "speed_to_lead_5m_rate") == pytest.approx(2 / 5)  # L1 (240 s), L3 (exactly 300 s) / 5 leads
    # touches up to and including the first engagement: L1 f1 f2 = 2, L2 f4 = 1, L3 f5 = 1
    assert one(q, "actions_per_engagement") == pytest.approx(4 / 3)
    assert one(q, "overcontacted_leads") == 1                # L5: f6 + e1..e4 = 5 ≥ 5


def test_funnel_zero_denominators(make):
    q = make(FUNNEL)
    # Script B: L3 (gatekeeper) and L5 (no answer): attempted 2, connected 1, no decision maker.
    assert by(q, "leads_attempted", "script")["B"] == 2
    assert by(q, "contact_rate", "script")["B"] == 0.0
    assert by(q, "qualified_rate", "script")["B"] is None       # 0 / 0 decision makers
    assert by(q, "close_rate", "script")["B"] is None           # 0 / 0 qualified
    assert by(q, "dropoff_won", "script")["B"] is None
    assert one(q, "contact_rate", start=dt.date(2026, 1, 9), end=dt.date(2026, 1, 9)) is None


# Issue 21, "Attempts are outbound": the funnel is the dialling process.
INBOUND_FIRST = [
    """INSERT INTO leads (lead_id, created_at, campaign_id) VALUES
    ('L1', '2026-01-10 08:00:00+00', 'k1'), ('L2', '2026-01-10 08:00:00+00', 'k2')""",
    # L1 calls in (answered), then is dialled once (answered, not interested).
    # L2 only ever calls in (answered), and buys: a completed order linked to it.
    """INSERT INTO calls (call_id, started_at, lead_id, campaign_id, direction, status, disposition) VALUES
    ('i1', '2026-01-10 09:00:00+00', 'L1', 'k1', 'inbound', 'answered', 'NI'),
    ('o1', '2026-01-10 10:00:00+00', 'L1', 'k1', 'outbound', 'answered', 'NI'),
    ('i2', '2026-01-10 09:30:00+00', 'L2', 'k2', 'inbound', 'answered', 'NI')""",
    """INSERT INTO orders (order_id, ordered_at, amount, status, lead_id, campaign_id) VALUES
    ('o9', '2026-01-11 10:00:00+00', 100, 'completed', 'L2', 'k2')""",
]


def test_attempts_are_outbound_calls(make):
    q = make(INBOUND_FIRST)
    assert one(q, "leads_attempted") == 1                    # L1 (dialled once); L2 only called in
    assert one(q, "attempts_per_lead") == pytest.approx(1 / 1)   # o1 / L1; i1 and i2 are no attempts
    assert one(q, "leads_connected") == 1                    # L1, by either of its answered calls
    assert one(q, "leads_won") == 0                          # L2's order: L2 was never attempted
    by_campaign = {r["campaign"]: r for r in q(("leads_attempted", "attempts_per_lead",
                                                "leads_connected", "actions_per_engagement"),
                                               by=("campaign",))}
    assert by_campaign["k1"]["attempts_per_lead"] == pytest.approx(1.0)   # was 2: i1 and o1
    assert by_campaign["k2"]["leads_attempted"] == 0         # L2 only called in: not attempted
    assert by_campaign["k2"]["leads_connected"] == 0
    assert by_campaign["k2"]["attempts_per_lead"] is None    # 0 outbound calls / 0 attempted leads
    # L2's answered inbound call is still an engagement: one engaged lead, no touch before it.
    assert by_campaign["k2"]["actions_per_engagement"] == pytest.approx(0 / 1)
    assert by(q, "leads_attempted", "direction") == {"outbound": 1, "inbound": 0}


# ---- revenue and cost ---------------------------------------------------------------------

REVENUE = [
    """INSERT INTO orders (order_id, ordered_at, amount, status, customer_id, campaign_id) VALUES
    ('o1', '2026-01-05 05:00:00+00', 100, 'completed', 'u1', 'k1'),
    ('o2', '2026-01-06 05:00:00+00', 500, 'cancelled', 'u2', NULL),
    ('o3', '2026-01-07 05:00:00+00', 300, 'refunded', 'u3', NULL),
    ('o4', '2026-02-03 05:00:00+00', 150, 'completed', 'u1', 'k1'),
    ('o5', '2026-02-04 05:00:00+00', 50, 'completed', 'u2', 'k2'),
    ('o6', '2026-03-10 05:00:00+00', 80, 'completed', 'u2', 'k2')""",
    """INSERT INTO costs (cost_id, incurred_on, amount, campaign_id) VALUES
    ('x1', '2026-01-31', 200, 'k1'), ('x2', '2026-02-15', 100, NULL)""",
]


def test_revenue_family(make):
    q = make(REVENUE)
    assert one(q, "revenue") == pytest.approx(380)            # 100 + 150 + 50 + 80; o2 cancelled, o3 refunded
    assert one(q, "orders") == 4
    assert one(q, "aov") == pytest.approx(95)                 # 380 / 4
    assert one(q, "customers") == 2                           # u1, u2 (u3 only refunded)
    assert one(q, "cost") == pytest.approx(300)
    assert one(q, "profit") == pytest.approx(80)              # 380 − 300
    assert one(q, "pnl_ratio") == pytest.approx(80 / 300)
    assert one(q, "cost_benefit_ratio") == pytest.approx(380 / 300)
    assert one(q, "cost_per_sale") == pytest.approx(75)       # 300 / 4


def test_revenue_per_month(make):
    q = make(REVENUE)
    assert per(q, "revenue", "month") == {"2026-01-01": 100, "2026-02-01": 200, "2026-03-01": 80}
    # growth: Jan has no previous month; Feb (200 − 100) / 100; Mar (80 − 200) / 200
    growth = per(q, "revenue_growth", "month")
    assert growth["2026-01-01"] is None
    assert growth["2026-02-01"] == pytest.approx(1.0)
    assert growth["2026-03-01"] == pytest.approx(-0.6)
    # retention: Jan {u1} → Feb {u1, u2}: 1/1; Feb {u1, u2} → Mar {u2}: 1/2
    assert per(q, "retention_rate", "month") == {"2026-02-01": 1.0, "2026-03-01": 0.5}
    # Jan: cost 200 vs revenue 100; Feb 100 vs 200; Mar no cost: ratios over cost are null
    assert per(q, "profit", "month") == pytest.approx({"2026-01-01": -100, "2026-02-01": 100, "2026-03-01": 80})
    pnl = per(q, "pnl_ratio", "month")
    assert pnl["2026-01-01"] == pytest.approx(-0.5) and pnl["2026-02-01"] == pytest.approx(1.0)
    assert pnl["2026-03-01"] is None
    assert per(q, "cost_per_sale", "month") == pytest.approx({"2026-01-01": 200, "2026-02-01": 50, "2026-03-01": 0})


def test_campaign_without_cost_and_day_with_only_cancelled_orders(make):
    q = make(REVENUE)
    # k1: 250 revenue, 200 cost; k2: 130 revenue, no cost; no campaign: only o2/o3 and x2's 100
    assert by(q, "profit", "campaign") == pytest.approx({"k1": 50, "k2": 130, None: -100})
    # x2's 100 is on no campaign, so a campaign's cost-benefit ratio would leave it out: not
    # meaningful by campaign (the engine says why); in January, when every cost has one, it is
    assert by(q, "cost_benefit_ratio", "campaign") == {"k1": None, "k2": None, None: None}
    cbr = by(q, "cost_benefit_ratio", "campaign", end=dt.date(2026, 1, 31))
    assert cbr["k1"] == pytest.approx(0.5) and cbr[None] is None
    assert one(q, "revenue", start=dt.date(2026, 1, 6), end=dt.date(2026, 1, 6)) == 0   # only o2, cancelled
    assert one(q, "aov", start=dt.date(2026, 1, 6), end=dt.date(2026, 1, 6)) is None


def test_revenue_does_not_change_when_growth_is_asked_too(make):
    q = make(REVENUE)
    kw = dict(period="month", start=dt.date(2026, 2, 4), end=dt.date(2026, 2, 28))
    alone = per(q, "revenue", **kw)
    assert alone == {"2026-02-01": 50}                        # o5 only; o4 (Feb 3) is before --from
    both = {r["period"]: r["revenue"] for r in q(("revenue", "revenue_growth"), **kw)}
    assert both == alone


# ---- care -------------------------------------------------------------------------------------

CARE = [
    """INSERT INTO surveys (response_id, answered_at, score, scale_max) VALUES
    ('s1', '2026-01-10 05:00:00+00', 5, 5), ('s2', '2026-01-10 06:00:00+00', 4, 5),
    ('s3', '2026-01-11 05:00:00+00', 7, 10), ('s4', '2026-01-12 05:00:00+00', 8, 10)""",
    """INSERT INTO tickets (ticket_id, opened_at, first_response_at, resolved_at) VALUES
    ('t1', '2026-01-10 08:00:00+00', '2026-01-10 08:10:00+00', '2026-01-10 09:00:00+00'),
    ('t2', '2026-01-10 09:00:00+00', '2026-01-10 13:00:00+00', '2026-01-12 09:00:00+00'),
    ('t3', '2026-01-20 10:00:00+00', NULL, NULL),
    ('t4', '2026-01-31 23:00:00+00', '2026-02-01 03:00:01+00', '2026-02-02 00:00:00+00')""",
]


def test_care_family(make):
    q = make(CARE)
    assert one(q, "responses") == 4
    assert one(q, "csat") == pytest.approx(3 / 4)             # 5/5, 4/5 (= 0.8 × 5), 8/10 yes; 7/10 no
    assert one(q, "avg_survey_score") == pytest.approx((1 + 0.8 + 0.7 + 0.8) / 4)
    assert one(q, "tickets") == 4
    # first responses: t1 600 s, t2 14400 s, t4 14401 s (t3 none) → median 14400
    assert one(q, "first_response_time") == pytest.approx(14400)
    # resolutions: t1 3600 s, t4 90000 s (25 h), t2 172800 s → median 90000
    assert one(q, "resolution_time") == pytest.approx(90000)
    assert one(q, "ticket_sla_rate") == pytest.approx(2 / 4)  # t1, t2 (exactly 4 h); t4 1 s late; t3 never
    assert one(q, "open_tickets") == 1                        # t3 never resolved
    # at the end of Jan 31: t3, and t4 (resolved Feb 2)
    assert one(q, "open_tickets", end=dt.date(2026, 1, 31)) == 2
    assert per(q, "open_tickets", "month") == {"2026-01-01": 2}


def test_care_zero_denominators(make):
    q = make(CARE)
    day = dict(start=dt.date(2026, 1, 20), end=dt.date(2026, 1, 20))   # only t3, never answered
    assert one(q, "first_response_time", **day) is None
    assert one(q, "ticket_sla_rate", **day) == 0.0
    assert one(q, "csat", **day) is None                       # no survey that day: 0 / 0 responses
    assert one(q, "responses", **day) == 0


def test_open_tickets_at_the_end_of_a_scope_inside_a_period(make):
    q = make(CARE)
    # Scope Jan 1–10 per month: t1 resolved 09:00 Jan 10 (closed); t2 resolved Jan 12,
    # after the scope's end → open at the end of the scope.
    assert one(q, "open_tickets", end=dt.date(2026, 1, 10)) == 1
    assert per(q, "open_tickets", "month", end=dt.date(2026, 1, 10)) == {"2026-01-01": 1}


# ---- agents -----------------------------------------------------------------------------------

AGENTS = [
    "INSERT INTO agents (agent_id, team_id) VALUES ('a1', 't1'), ('a2', 't1')",
    """INSERT INTO agent_states (agent_id, state, started_at, ended_at) VALUES
    ('a1', 'available', '2026-01-10 08:00:00+00', '2026-01-10 09:00:00+00'),
    ('a1', 'on_call',   '2026-01-10 09:00:00+00', '2026-01-10 09:30:00+00'),
    ('a1', 'wrap',      '2026-01-10 09:30:00+00', '2026-01-10 09:40:00+00'),
    ('a1', 'pause',     '2026-01-10 09:40:00+00', '2026-01-10 10:00:00+00'),
    ('a1', 'offline',   '2026-01-10 10:00:00+00', '2026-01-10 18:00:00+00'),
    ('a2', 'pause',     '2026-01-10 08:00:00+00', '2026-01-10 08:30:00+00'),
    ('a2', 'offline',   '2026-01-10 08:30:00+00', '2026-01-10 09:00:00+00')""",
    """INSERT INTO calls (call_id, started_at, agent_id, status, disposition) VALUES
    ('c1', '2026-01-10 09:00:00+00', 'a1', 'answered', 'SALE'),
    ('c2', '2026-01-10 09:10:00+00', 'a1', 'no_answer', NULL),
    ('c3', '2026-01-10 09:20:00+00', 'a1', 'answered', 'NI'),
    ('c4', '2026-01-10 09:20:00+00', NULL, 'answered', 'SALE')""",
]


def test_agents_family(make):
    q = make(AGENTS)
    # logged in (all but offline): a1 3600 + 1800 + 600 + 1200 = 7200, a2 1800 → 9000 s
    assert one(q, "logged_in_time") == pytest.approx(9000)
    assert one(q, "occupancy") == pytest.approx(2400 / 6000)    # (on_call + wrap) / (available + on_call + wrap)
    assert one(q, "utilization") == pytest.approx(2400 / 9000)
    assert one(q, "calls_per_hour") == pytest.approx(3 / 2.5)   # agents' calls c1 c2 c3 / 2.5 h
    # sale calls c1 and the agentless c4 / 2.5 h (the catalog counts every sale call here)
    assert one(q, "sales_per_hour") == pytest.approx(2 / 2.5)


def test_agents_zero_denominators(make):
    q = make(AGENTS)
    assert by(q, "occupancy", "agent") == pytest.approx({"a1": 0.4, "a2": None})   # a2 never staffed
    assert by(q, "utilization", "agent") == pytest.approx({"a1": 2400 / 7200, "a2": 0.0})
    # a1 3 calls / 2 h; a2 0 calls / 0.5 h; the agentless call has no logged-in time
    assert by(q, "calls_per_hour", "agent") == pytest.approx({"a1": 1.5, "a2": 0.0, None: None})
    assert by(q, "sales_per_hour", "agent") == pytest.approx({"a1": 0.5, "a2": 0.0, None: None})


def test_pause_idle_and_shrinkage(make):
    q = make(AGENTS)
    # paused: a1 20 min, a2 30 min; available: a1 60 min; logged in 9000 s
    assert one(q, "pause_time") == pytest.approx(3000)
    assert one(q, "idle_time") == pytest.approx(3600)
    assert one(q, "shrinkage") == pytest.approx(3000 / 9000)
    assert by(q, "pause_time", "agent") == pytest.approx({"a1": 1200, "a2": 1800})
    assert by(q, "shrinkage", "agent") == pytest.approx({"a1": 1200 / 7200, "a2": 1.0})
    # by the hour a state started (workspace time UTC): only the 08:00 state was available
    assert by(q, "idle_time", "hour") == pytest.approx({"8": 3600, "9": 0, "10": 0})


# ---- inbound queue --------------------------------------------------------------------------

QUEUE = [
    """INSERT INTO calls (call_id, started_at, direction, status, wait_s, queue) VALUES
    ('q1', '2026-01-10 05:00:00+00', 'inbound', 'answered', 10, 'care'),
    ('q2', '2026-01-10 05:01:00+00', 'inbound', 'answered', 20, 'care'),
    ('q3', '2026-01-10 05:02:00+00', 'inbound', 'answered', 45, 'care'),
    ('q4', '2026-01-10 05:03:00+00', 'inbound', 'abandoned', 60, 'care'),
    ('q5', '2026-01-10 05:04:00+00', 'inbound', 'answered', NULL, 'care'),
    ('o1', '2026-01-10 05:05:00+00', 'outbound', 'answered', 5, NULL)""",
]


def test_queue_family(make):
    q = make(QUEUE)
    assert one(q, "offered") == 5                                # the outbound call is not offered
    # q1, q2 (exactly 20 s: ≤) within 20 s, of the 4 offered calls whose wait is known (q5's is not)
    assert one(q, "service_level") == pytest.approx(2 / 4)
    assert one(q, "asa") == pytest.approx((10 + 20 + 45) / 3)   # q5's unknown wait is not a 0 s wait
    assert one(q, "queue_abandonment_rate") == pytest.approx(1 / 5)
    assert one(q, "drop_rate") == 0.0                            # outbound: 0 drops / 1 live answer
    q30 = make(QUEUE, service_level_s=45.0)
    assert one(q30, "service_level") == pytest.approx(3 / 4)


def test_an_unknown_wait_is_not_a_zero_wait(make):
    """Issue 23: two answered inbound calls, one waiting 40 s and one with no wait recorded,
    gave asa 20 and service level 0.5; the unknown wait is left out: asa 40, service level 0."""
    q = make(["""INSERT INTO calls (call_id, started_at, direction, status, queue, wait_s) VALUES
        ('w1', '2026-01-10 05:00:00+00', 'inbound', 'answered', 'main', 40),
        ('w2', '2026-01-10 05:01:00+00', 'inbound', 'answered', 'main', NULL)"""])
    assert one(q, "asa") == 40
    assert one(q, "service_level") == 0
    # An inbound import with no queue data at all has no service level and no ASA, not 100 % and 0 s.
    none = make(["""INSERT INTO calls (call_id, started_at, direction, status) VALUES
        ('n1', '2026-01-10 05:00:00+00', 'inbound', 'answered'),
        ('n2', '2026-01-10 05:01:00+00', 'inbound', 'abandoned')"""])
    assert q(("offered",)) and one(none, "offered") == 0
    assert one(none, "service_level") is None and one(none, "asa") is None
    assert one(none, "queue_abandonment_rate") is None


# A bank's inbound line: two callers hang up in the IVR (no queue), the others enter the queue.
BANK = [
    """INSERT INTO calls (call_id, started_at, direction, status, queue, queued_at, wait_s) VALUES
    ('b1', '2026-01-10 05:00:00+00', 'inbound', 'abandoned', NULL, NULL, NULL),     -- IVR hang-up
    ('b2', '2026-01-10 05:01:00+00', 'inbound', 'abandoned', NULL, NULL, NULL),     -- IVR hang-up
    ('b3', '2026-01-10 05:02:00+00', 'inbound', 'answered', 'cards', '2026-01-10 05:02:30+00', 12),
    ('b4', '2026-01-10 05:03:00+00', 'inbound', 'answered', 'cards', '2026-01-10 05:03:30+00', 30),
    ('b5', '2026-01-10 05:04:00+00', 'inbound', 'answered', 'cards', '2026-01-10 05:04:30+00', 31),
    ('b6', '2026-01-10 05:05:00+00', 'inbound', 'abandoned', 'cards', '2026-01-10 05:05:30+00', 3),
    ('b7', '2026-01-10 05:06:00+00', 'inbound', 'abandoned', 'cards', '2026-01-10 05:06:30+00', 50),
    ('b8', '2026-01-10 05:07:00+00', 'inbound', 'no_answer', 'cards', '2026-01-10 05:07:30+00', 300)""",
]


def test_ivr_hang_ups_are_not_queue_abandons(make):
    q = make(BANK, service_level_s=30.0)
    assert one(q, "offered") == 6                                # b3..b8; b1, b2 never reached the queue
    assert one(q, "queue_abandonment_rate") == pytest.approx(2 / 6)   # b6, b7
    assert one(q, "abandoned_calls") == 4                        # every abandoned call, IVR ones too
    assert one(q, "asa") == pytest.approx((12 + 30 + 31) / 3)
    assert one(q, "service_level") == pytest.approx(2 / 6)      # b3, b4 (30 s ≤ 30 s) of b3..b8


@pytest.mark.parametrize(("settings", "sl", "abandonment"), [
    # default: ≤ 30 s, over offered (6), no short abandons
    ({}, 2 / 6, 2 / 6),
    # strictly under 30 s: b4 (exactly 30 s) is out
    ({"service_level_inclusive": False}, 1 / 6, 2 / 6),
    # over answered calls: b3, b4 of b3, b4, b5
    ({"service_level_basis": "answered"}, 2 / 3, 2 / 6),
    # short abandons under 5 s: b6 (3 s) leaves abandonment, above and below: 1 / 5
    ({"short_abandon_s": 5.0}, 2 / 6, 1 / 5),
    # and leaves service level's base with offered_minus_short_abandons: 2 / 5
    ({"short_abandon_s": 5.0, "service_level_basis": "offered_minus_short_abandons"}, 2 / 5, 1 / 5),
    # that basis with no short abandons is offered
    ({"service_level_basis": "offered_minus_short_abandons"}, 2 / 6, 2 / 6),
    # a 60 s threshold for short abandons takes b6 and b7: 0 / 4
    ({"short_abandon_s": 60.0, "service_level_basis": "offered_minus_short_abandons",
      "service_level_inclusive": False}, 1 / 4, 0 / 4),
])
def test_service_level_and_abandonment_variants(make, settings, sl, abandonment):
    q = make(BANK, service_level_s=30.0, **settings)
    assert one(q, "service_level") == pytest.approx(sl)
    assert one(q, "queue_abandonment_rate") == pytest.approx(abandonment)
    assert one(q, "offered") == 6                                # the variants never change offered


def test_queue_zero_denominators(make):
    q = make(QUEUE)
    out = {r["direction"]: r for r in q(("offered", "service_level", "asa", "queue_abandonment_rate"),
                                         by=("direction",))}
    assert out["outbound"] == {"direction": "outbound", "offered": 0, "service_level": None, "asa": None,
                               "queue_abandonment_rate": None}
