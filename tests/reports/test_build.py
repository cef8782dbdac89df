"""The report's numbers are the CLI's numbers for the same scope, section by section."""

from __future__ import annotations

from datetime import date

import pytest

from telekpi.reports.build import build_report, default_period

from .conftest import END, START

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)


@pytest.fixture(scope="module")
def report(centre):
    from telekpi.engine.engine import Engine

    e = Engine.open(centre)
    try:
        return build_report(e, START, END)
    finally:
        e.close()


def kpi(run_json, db, metrics, *args, start=START, end=END):
    return run_json("--db", db, "--lang", "en", "kpi", *metrics, "--from", start, "--to", end, *args)["rows"]


@pytest.mark.parametrize("table", ["headline", "money", "care", "operations"])
def test_versus_tables_equal_kpi_now_and_before(report, centre, run_json, table):
    t = report.table(table)
    ids = [r["id"] for r in t.rows]
    now = kpi(run_json, centre, ids)[0]
    p0, p1 = report.previous
    before = kpi(run_json, centre, ids, start=p0, end=p1)[0]
    assert (p0, p1) == (date(2026, 10, 12), date(2026, 10, 31))   # the 20 days before
    for r in t.rows:
        assert r["value"] == now[r["id"]], r["id"]
        assert r["previous"] == before[r["id"]], r["id"]
        if r["value"] is not None and before[r["id"]]:
            assert r["change"] == pytest.approx((now[r["id"]] - before[r["id"]]) / abs(before[r["id"]]))


@pytest.mark.parametrize("table,dim", [("teams", "team"), ("sites", "site"), ("vendors", "vendor"),
                                       ("products", "product"), ("campaigns", "campaign"),
                                       ("care_teams", "team")])
def test_grouped_tables_equal_kpi_by(report, centre, run_json, table, dim):
    t = report.table(table)
    metrics = [c.key for c in t.columns[1:] if c.key != f"{dim}_name"]
    want = {r[dim]: r for r in kpi(run_json, centre, metrics, "--by", dim)}
    assert t.rows, table
    # the row no value of the dimension carries is kpi's null row, kept by the money tables
    got = {None if r.get("remainder") else r[dim]: r for r in t.rows}
    assert set(want) - set(got) <= {None} and set(got) <= set(want)
    for key, r in got.items():
        for m in metrics:
            assert r[m] == want[key][m], (table, key, m)


def test_agents_ranked_within_their_kind_with_too_few_unranked(report, centre, run_json):
    """Like with like (issue 21): sellers ranked by call conversion, the inbound care team by
    CSAT among themselves, each on the KPIs that apply to its work, and the table says so."""
    t = report.table("agents")
    want = {r["agent"]: r for r in kpi(run_json, centre, ["calls", "call_conversion_rate", "revenue"],
                                       "--by", "agent") if r["agent"]}
    sellers = [r for r in t.rows if r["kind_id"] == "outbound_sales"]
    care = [r for r in t.rows if r["kind_id"] == "inbound_care"]
    assert sellers and care and {r["team"] for r in care} == {"T4"}
    for group, key, desc in ((sellers, "call_conversion_rate", True), (care, "csat", True)):
        ranked = [r for r in group if r["rank"] is not None]
        assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1)) and ranked
        values = [r[key] for r in ranked]
        assert values == sorted(values, reverse=desc)
        assert all(r["calls"] >= 30 for r in ranked)
        assert all(r["calls"] < 30 and r["note"] for r in group if r["rank"] is None)
    # Conversion, connection and revenue do not apply to inbound care: not shown as 0 %.
    assert all(r["call_conversion_rate"] is None and r["revenue"] is None for r in care)
    assert "Inbound care is not judged on" in t.note and "Call conversion rate" in t.note
    for r in sellers:
        assert (r["calls"], r["revenue"]) == (want[r["agent"]]["calls"], want[r["agent"]]["revenue"])
    for r in care:
        assert r["calls"] == want[r["agent"]]["calls"]


def test_funnel_equals_the_funnel_command(report, centre, run_json):
    data = run_json("--db", centre, "--lang", "en", "funnel", "--from", START, "--to", END)
    g = data["groups"][0]
    stages = report.table("funnel_stages").rows
    assert [s["leads"] for s in stages] == [s["leads"] for s in g["stages"]]
    assert [s["step_rate"] for s in stages] == [s["step_rate"] for s in g["stages"]]
    assert [s["of_attempted"] for s in stages] == [s["of_attempted"] for s in g["stages"]]
    assert report.section("funnel").paragraphs[0] == data["headline"]


def test_trend_charts_equal_kpi_by_day(report, centre, run_json):
    chart = next(c for c in report.section("headline").charts if c.id == "calls_trend")
    rows = kpi(run_json, centre, ["calls"], "--period", "day")
    assert chart.categories == [r["period"] for r in rows]
    assert next(iter(chart.series.values())) == [r["calls"] for r in rows]


def test_scoped_report_keeps_to_its_team(engine, centre, run_json):
    r = build_report(engine, START, END, (("team", "T1"),))
    assert [row["team"] for row in r.table("teams").rows] == ["T1"]
    assert {row["team"] for row in r.table("agents").rows} == {"T1"}
    calls = next(x for x in r.table("headline").rows if x["id"] == "calls")["value"]
    assert calls == kpi(run_json, centre, ["calls"], "--where", "team=T1")[0]["calls"]
    alerts = r.section("alerts").tables
    assert all(row["scope"] == "team T1" for t in alerts for row in t.rows)


def test_template_adds_a_scorecard_equal_to_the_scorecard_command(engine, centre, run_json):
    from telekpi.targets.template import load_template

    path = centre.parent / "scorecards" / "in-house-sales.yaml"
    t = load_template(path, engine.catalog)
    r = build_report(engine, t.start, t.end, template=t)
    card = r.table("scorecard")
    want = {a["agent"]: a for a in run_json("--db", centre, "scorecard", path)["agents"]}
    assert {row["agent"] for row in card.rows} == set(want)
    for row in card.rows:
        assert row["score"] == want[row["agent"]]["score"]
        assert row["reward"] == want[row["agent"]]["reward"]


def test_default_period_is_month_to_date_of_the_last_call(engine):
    start, end = default_period(engine)
    assert start == end.replace(day=1)
    r = build_report(engine)
    assert (r.start, r.end) == (start, end)


def test_empty_period_gives_empty_tables_not_errors(engine):
    r = build_report(engine, date(2020, 1, 1), date(2020, 1, 7))
    head = {x["id"]: x["value"] for x in r.table("headline").rows}
    assert head["calls"] == 0 and head["connection_rate"] is None
    assert r.table("teams").rows == []



def test_staffing_section_equals_the_staffing_board(report, engine):
    """Issue 26.6: the report's staffing is the Staffing page's (wfm/board.py), centre-wide only."""
    from telekpi.wfm.board import staffing_board

    board = staffing_board(engine, START, END, 60)
    table = report.table("staffing")
    assert table.rows == board["rows"] and table.rows
    assert any(r["scheduled"] for r in table.rows) and any(r["logged_in"] for r in table.rows)
    assert "lunch" in report.section("staffing").paragraphs[0]
    assert [c.id for c in report.section("staffing").charts] == ["staffing_agents"]
    assert "staffing" not in [s.id for s in build_report(engine, START, END, (("team", "T1"),)).sections]


def test_the_operations_section_is_the_clis_by_queue_and_agent(report, centre, run_json):
    section = report.section("operations")
    assert "recovery_window_h" not in section.paragraphs[0] and "24 h" in section.paragraphs[0]
    queues = report.table("operations_queues")
    got = {r["queue"]: r["lost_call_recovery_rate"] for r in queues.rows}
    want = {r["queue"]: r["lost_call_recovery_rate"]
            for r in kpi(run_json, centre, ["lost_call_recovery_rate"], "--by", "queue")
            if r["queue"] is not None}
    assert got == want and got
    agents = report.table("operations_agents")
    assert agents.rows and all(r.get("callbacks_due") or r.get("missed_calls") or r.get("fcr_rate")
                               for r in agents.rows)
