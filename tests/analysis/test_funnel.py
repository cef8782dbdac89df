"""The funnel by hand: every rate says what it is a share of, its bands agree with its target,
the headline speaks for the breakdown, and a group with no lead has no funnel."""

from __future__ import annotations

import pytest

from telekpi.analysis.funnel import funnel, headline, summary
from telekpi.engine.engine import Engine
from telekpi.engine.request import Request
from telekpi.i18n import language
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse


@pytest.fixture
def engine(tmp_path):
    """Two teams of 40 leads, one call each, with the disposition of the stage reached:
    T1 wins 10 of 12 qualified, T2 only 4 of 12; together 14 of 24 (58 %) close. An inbound
    care call with no lead and no campaign has no funnel."""
    wh = Warehouse(tmp_path / "w.duckdb")
    con = wh.con
    con.execute("INSERT INTO agents (agent_id, team_id) VALUES ('A1', 'T1'), ('A2', 'T2'), ('C1', 'T4')")
    rows = []
    for agent, won in (("A1", 10), ("A2", 4)):
        plan = (["SALE"] * won + ["QUALIFIED"] * (12 - won) + ["NI"] * 8 + ["GATEKEEPER"] * 10
                + [None] * 10)
        for i, code in enumerate(plan):
            rows.append((f"{agent}-{i}", agent, f"{agent}-L{i}", "answered" if code else "no_answer", code))
    con.executemany("INSERT INTO calls (call_id, started_at, agent_id, campaign_id, lead_id, direction, "
                    "status, disposition, talk_s) VALUES (?, TIMESTAMPTZ '2026-03-10 03:00:00+00', ?, "
                    "'K1', ?, 'outbound', ?, ?, 60)", rows)
    con.execute("INSERT INTO calls (call_id, started_at, agent_id, direction, status, talk_s) VALUES "
                "('in-1', TIMESTAMPTZ '2026-03-10 04:00:00+00', 'C1', 'inbound', 'answered', 90)")
    return Engine(wh, Settings(min_sample=30))


def test_each_rate_names_what_it_divides(engine):
    with language("en"):
        g = funnel(engine, Request(()))["groups"][0]
    stages = {s["stage"]: s for s in g["stages"]}
    assert [s["leads"] for s in g["stages"]] == [80, 60, 40, 24, 14]
    assert stages["connected"]["of_attempted"] == pytest.approx(60 / 80)
    assert stages["decision_maker"]["step_rate"] == pytest.approx(40 / 60)
    rates = {r["metric"]: r for r in g["rates"]}
    # The contact rate is the decision-maker row's share of the leads attempted, and says so;
    # it is not the connected step.
    assert rates["contact_rate"]["value"] == pytest.approx(stages["decision_maker"]["of_attempted"])
    assert rates["contact_rate"]["basis"] == "Leads reaching a decision maker / Leads attempted"
    assert (rates["contact_rate"]["numerator"], rates["contact_rate"]["denominator"]) == (
        "leads_decision_maker", "leads_attempted")
    assert rates["close_rate"]["basis"] == "Leads won / Leads qualified"
    assert rates["close_rate"]["value"] == pytest.approx(14 / 24)


def test_the_headline_names_the_teams_below_target(engine):
    with language("en"):
        data = summary(engine, Request(()))
    whole = data["groups"][0]
    assert whole["bottleneck"]["metric"] is None          # 58 % close: the whole meets its targets
    teams = {g["team"]: g["bottleneck"] for g in data["breakdown"]["groups"]}
    assert set(teams) == {"T1", "T2"}                      # T4 answers calls and works no lead
    assert teams["T2"]["metric"] == "close_rate" and teams["T1"]["metric"] is None
    assert data["headline"] == ("Every stage rate meets its target overall, but not for every team: "
                                "T2: Close rate 33.3% (target 50%).")
    assert "below its band" not in data["headline"]


def test_a_group_without_leads_has_no_funnel(engine):
    assert [g["campaign"] for g in funnel(engine, Request((), by=("campaign",)))["groups"]] == ["K1"]
    assert [g["team"] for g in funnel(engine, Request((), by=("team",)))["groups"]] == ["T1", "T2"]


def group(key, metric=None, value=None, judged=True):
    b = {"metric": metric, "judged": judged, "message": "m", "value": value, "target": 0.5}
    return {"team": key, "bottleneck": b}


@pytest.mark.parametrize("centre, teams, want", [
    (group(None), [group("T1"), group("T2")],
     "Every stage rate meets its target, overall and for every team."),
    (group(None, "close_rate", 0.4), [group("T1", "close_rate", 0.3), group("T2")],
     "Bottleneck: m Below target by team: T1: Close rate 30.0% (target 50%)."),
    (group(None, "close_rate", 0.4), [group("T1"), group("T2")], "Bottleneck: m"),
    (group(None), [group("T1"), group("T2", judged=False)], "M"),
    (None, [], "No leads in this scope."),
])
def test_headline_words(engine, centre, teams, want):
    with language("en"):
        assert headline(centre, teams, "team", engine.catalog) == want


def test_funnel_cli_has_no_empty_campaign_block_and_a_headline(tmp_path, engine, capsys, monkeypatch):
    from telekpi.cli.app import main

    monkeypatch.setenv("COLUMNS", "200")   # headers on one line: the words are what is checked

    db = engine.warehouse.path
    engine.warehouse.close()
    assert main(["--db", str(db), "--lang", "en", "funnel", "--by", "campaign"]) == 0
    out = capsys.readouterr().out
    assert "campaign=K1" in out and "campaign=None" not in out and "campaign=—" not in out
    assert main(["--db", str(db), "--lang", "en", "funnel"]) == 0
    out = capsys.readouterr().out
    assert "% of leads attempted" in out and "Leads reaching a decision maker / Leads attempted" in out
    assert "not for every team: T2: Close rate 33.3%" in " ".join(out.split())
