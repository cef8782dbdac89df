"""Issue 21 on the demo centre `telekpi demo` generates, through the CLI's real entry point:
metrics that have no value by a dimension ("Drop rate by team prints 0.0 %") say so with a
reason on the CLI and in the report, and agents are compared like with like ("the inbound
care team is ranked among sales agents")."""

from __future__ import annotations

import contextlib
import io
import json

import duckdb
import pytest

from telekpi.cli.app import main

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)

DROP_REASON = "Drop rate has no value by team: calls the dialer drops reach no agent"
CARE = {"A006", "A015", "A016"}   # team T4 of the demo (seed 42), which answers the care hotline


def cli(*args) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([str(a) for a in args])
    assert code == 0, args
    return out.getvalue()


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    """Tables fit the terminal: a wide one, whatever the runner's (xdist workers inherit it)."""
    monkeypatch.setenv("COLUMNS", "240")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's workspace and what `telekpi demo` printed."""
    folder = tmp_path_factory.mktemp("dims")
    printed = cli("--lang", "en", "demo", "--out", folder)
    return folder / "telekpi.duckdb", printed


def kpi(db, *args) -> dict:
    return json.loads(cli("--db", db, "--lang", "en", "kpi", *args, "--format", "json"))


def test_the_care_team_is_the_demo_s_t4(demo):
    db, _ = demo
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert {a for (a,) in con.execute("SELECT agent_id FROM agents WHERE team_id = 'T4'").fetchall()} == CARE
    finally:
        con.close()


def test_drop_rate_by_team_is_no_value_with_the_reason_on_the_cli(demo):
    db, _ = demo
    data = kpi(db, "drop_rate", "calls", "--by", "team")
    assert {r["team"] for r in data["rows"]} >= {"T1", "T2", "T3", "T4", "T5"}
    assert all(r["drop_rate"] is None for r in data["rows"])      # not 0.0 % for every team
    assert data["not_meaningful"]["drop_rate"]["reason"].startswith(DROP_REASON)
    table = cli("--db", db, "--lang", "en", "kpi", "drop_rate", "--by", "team")
    assert "0.0%" not in table and "within the 3 % cap" not in table
    assert DROP_REASON in table
    scoped = kpi(db, "drop_rate", "calls", "--where", "team=T1")   # a supervisor's scope
    assert scoped["rows"][0]["drop_rate"] is None and scoped["rows"][0]["calls"] > 0
    assert "drop_rate" in scoped["not_meaningful"]


def test_the_centre_s_drop_rate_is_unchanged(demo):
    db, _ = demo
    con = duckdb.connect(str(db), read_only=True)
    try:   # the definition, straight from the calls: outbound drops / outbound live answers
        drops, live = con.execute(
            "SELECT count(*) FILTER (WHERE status = 'abandoned'), "
            "count(*) FILTER (WHERE status IN ('answered', 'abandoned')) "
            "FROM calls WHERE direction = 'outbound'").fetchone()
    finally:
        con.close()
    row = kpi(db, "drop_rate")["rows"][0]
    assert row["drop_rate"] == pytest.approx(drops / live) and 0.015 < row["drop_rate"] < 0.03
    by_campaign = kpi(db, "drop_rate", "--by", "campaign")
    assert by_campaign["not_meaningful"] == {}
    assert sum((r["drop_rate"] or 0) > 0.03 for r in by_campaign["rows"] if r["campaign"]) == 1


def test_the_metric_list_says_what_each_metric_splits_by(demo):
    db, _ = demo
    rows = {r["id"]: r for r in json.loads(cli("--db", db, "metrics", "--format", "json"))}
    assert rows["drop_rate"]["not_by"] == ["agent", "team", "site", "vendor"]
    assert "team" not in rows["drop_rate"]["dimensions"] and "campaign" in rows["drop_rate"]["dimensions"]
    assert "reach no agent" in rows["drop_rate"]["reason"]
    assert "team" in rows["connection_rate"]["dimensions"] and rows["connection_rate"]["not_by"] == []
    assert rows["call_conversion_rate"]["kinds"] == ["outbound_sales", "collections"]
    table = cli("--db", db, "--lang", "en", "metrics")
    assert "all but agent," in table   # the cell wraps
    assert "— drop_rate, dialer_drops: calls the dialer drops reach no agent" in table


def test_the_report_shows_no_drop_rate_for_a_team_and_says_why(demo, tmp_path):
    db, _ = demo
    path = tmp_path / "t1.json"
    cli("--db", db, "--lang", "en", "report", "-o", path, "--from", "2026-11-01", "--to", "2026-11-30",
        "--where", "team=T1")
    headline = json.loads(path.read_text(encoding="utf-8"))["sections"][0]["tables"][0]
    drop = next(r for r in headline["rows"] if r["id"] == "drop_rate")
    assert drop["value"] is None and drop["previous"] is None and drop["band"] == ""
    assert drop["reason"].startswith(DROP_REASON) and DROP_REASON in headline["note"]
    whole = tmp_path / "all.json"
    cli("--db", db, "--lang", "en", "report", "-o", whole, "--from", "2026-11-01", "--to", "2026-11-30")
    report = json.loads(whole.read_text(encoding="utf-8"))
    sites = next(t for s in report["sections"] for t in s["tables"] if t["id"] == "sites")
    assert all(r["drop_rate"] is None for r in sites["rows"])
    assert "Drop rate has no value by site" in sites["note"]
    centre = next(r for r in report["sections"][0]["tables"][0]["rows"] if r["id"] == "drop_rate")
    assert centre["value"] > 0 and centre["reason"] is None


def test_the_demo_ranks_the_care_team_apart_and_says_why(demo):
    db, printed = demo
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:   # the tables show agents by name
        care_names = {n for (n,) in con.execute(
            "SELECT name FROM agents WHERE agent_id IN ('A006', 'A015', 'A016')").fetchall()}
    assert len(care_names) == len(CARE)
    best = printed.split("Best outbound sales agents by Call conversion rate")[1].split("Worst")[0]
    worst = printed.split("Worst outbound sales agents by Call conversion rate")[1].split("\n\n")[0]
    assert not any(a in best or a in worst for a in care_names)      # never among the sellers
    assert "only with agents of the same kind of work" in printed
    assert "Inbound care is not judged on Connection rate, Call conversion rate, Revenue." in printed
    care = printed.split("Inbound care agents by CSAT")[1].split("\n\n")[0]
    assert all(a in care for a in care_names) and "call_conversion_rate" not in care
    assert not any(a in care for a in CARE)   # names, not ids


def test_diagnose_judges_the_care_team_only_on_its_work(demo):
    db, _ = demo
    data = json.loads(cli("--db", db, "--lang", "en", "diagnose", "--format", "json"))
    kinds = {a["agent"]: a["kind"] for a in data["agents"]}
    assert {a for a, k in kinds.items() if k == "inbound_care"} == CARE
    for a in data["agents"]:
        if a["kind"] == "inbound_care":
            assert not {"call_conversion_rate", "connection_rate"} & {g["metric"] for g in a["weakest"]}
    assert "Inbound care is not judged on Connection rate, Call conversion rate." in data["agents_compared"]
    table = cli("--db", db, "--lang", "en", "diagnose")
    assert "Inbound care is not judged on" in table


def test_a_scorecard_leaves_out_what_does_not_apply_to_the_care_team(demo, tmp_path):
    db, _ = demo
    template = (db.parent / "scorecards" / "in-house-sales.yaml").read_text(encoding="utf-8")
    path = tmp_path / "everyone.yaml"
    path.write_text(template.replace("scope: {team: [T1, T2, T3]}", "scope: {team: [T1, T2, T3, T4]}"),
                    encoding="utf-8")
    data = json.loads(cli("--db", db, "scorecard", path, "--format", "json"))
    for a in data["agents"]:
        items = {i["metric"]: i for i in a["items"]}
        if a["agent"] in CARE:
            assert a["kind"] == "inbound_care"
            for m in ("revenue", "call_conversion_rate", "connection_rate"):
                assert not items[m]["applies"] and items[m]["target_attainment"] is None
                assert items[m]["reason"] == "it does not apply to inbound care"
            assert items["csat"]["applies"] and items["aht"]["applies"]
            used = [i for i in a["items"] if i["applies"]]
            assert a["score"] == pytest.approx(sum(i["weight"] * i["target_attainment"] for i in used)
                                               / sum(i["weight"] for i in used))
        else:
            assert all(i["applies"] for i in a["items"])
    assert "Inbound care is not judged on Revenue, Call conversion rate, Connection rate." in data["compared"]
    table = cli("--db", db, "--lang", "en", "scorecard", path)
    assert "judged)" in table and "Inbound care is not judged on" in table   # "(not judged)", wrapped
