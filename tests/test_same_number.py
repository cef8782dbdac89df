"""One number on every surface (issue 21). On the demo centre, for the centre and for each
team, over a whole calendar month and over part of one: the dashboard's overview cards
(``GET /api/v1/overview``), the headline of the JSON report (``telekpi report -o FILE.json``)
and ``telekpi kpi --format json`` run over the window and over its previous window give
the same current and previous value of every headline metric, and all three compare with
the same previous window.

The CLI runs first, in this process, through its real entry point; then the app serves
the same warehouse (DuckDB lets one process hold the file as its writer)."""

from __future__ import annotations

import contextlib
import gc
import io
import json
from datetime import date

import pytest
from fastapi.testclient import TestClient

from telekpi.cli.app import main
from telekpi.web.pages import HEADLINE as DASHBOARD

pytestmark = pytest.mark.slow   # runs the demo and the three surfaces for six scopes

# scope -> (from, to, previous from, previous to, the previous window in words)
SCOPES = {
    "november": (date(2026, 11, 1), date(2026, 11, 30), date(2026, 10, 1), date(2026, 10, 31),
                 "October 2026"),
    "november-1-20": (date(2026, 11, 1), date(2026, 11, 20), date(2026, 10, 12),
                      date(2026, 10, 31), "Oct 12\u2009–\u200931, 2026"),
}
TEAMS = ("T1", "T2", "T3", "T4", "T5")
GROUPS = (None, *TEAMS)
CASES = [(s, g) for s in SCOPES for g in GROUPS]


def cli(*args) -> str:
    """Run the CLI through its real entry point; its standard output."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([str(a) for a in args])
    assert code == 0, args
    return out.getvalue()


def where(team: str | None) -> list[str]:
    return ["--where", f"team={team}"] if team else []


@pytest.fixture(scope="module")
def surfaces(tmp_path_factory):
    """Each case's JSON report, `telekpi kpi` over the window and its previous one, and the
    overview API's answer, all for the demo centre `telekpi demo` generates."""
    folder = tmp_path_factory.mktemp("same")
    cli("demo", "--out", folder)
    db = folder / "telekpi.duckdb"
    teams = json.loads(cli("--db", db, "kpi", "calls", "--by", "team", "--format", "json"))["rows"]
    assert {r["team"] for r in teams} - {None} == set(TEAMS)
    got: dict = {}
    for scope, team in CASES:
        start, end, p_start, p_end, _words = SCOPES[scope]
        path = folder / f"{scope}-{team or 'centre'}.json"
        cli("--db", db, "report", "-o", path, "--from", start, "--to", end, *where(team))
        report = json.loads(path.read_text(encoding="utf-8"))
        ids = [r["id"] for r in report["sections"][0]["tables"][0]["rows"]]

        def kpi(a: date, b: date, ids=ids, team=team) -> dict:
            return json.loads(cli("--db", db, "kpi", *ids, "--from", a, "--to", b, *where(team),
                                  "--format", "json"))["rows"][0]

        got[scope, team] = {"report": report, "now": kpi(start, end), "before": kpi(p_start, p_end)}
    gc.collect()   # the CLI's DuckDB connections are gone before the server opens the file

    from telekpi.web.app import create_app
    from telekpi.web.auth import Users

    users = Users.beside(db)
    users.add("boss", "correct horse", "admin")
    token = users.new_token("boss", "same-number")
    users.close()
    app = create_app(db)
    try:
        with TestClient(app) as c:
            for scope, team in CASES:
                start, end = SCOPES[scope][:2]
                params = {"from": start.isoformat(), "to": end.isoformat()} | ({"team": team} if team else {})
                r = c.get("/api/v1/overview", params=params, headers={"Authorization": f"Bearer {token}"})
                assert r.status_code == 200, r.text
                got[scope, team]["api"] = r.json()
    finally:
        app.state.web.close()
        del app.state.web, app.state.templates
        gc.collect()
    return got


@pytest.mark.parametrize(("scope", "team"), CASES, ids=[f"{s}-{g or 'centre'}" for s, g in CASES])
def test_cards_report_and_kpi_give_the_same_numbers(surfaces, scope, team):
    s = surfaces[scope, team]
    headline = {r["id"]: r for r in s["report"]["sections"][0]["tables"][0]["rows"]}
    assert {"calls", "call_conversion_rate", "revenue", "profit"} <= set(headline)
    wrong = []
    for mid, row in headline.items():
        if (row["value"], row["previous"]) != (s["now"][mid], s["before"][mid]):
            wrong.append(f"{mid}: report {row['value']} / {row['previous']}, "
                         f"kpi {s['now'][mid]} / {s['before'][mid]}")
    cards, hidden = s["api"]["cards"], s["api"]["hidden"]
    assert [c["id"] for c in cards] == list(DASHBOARD) and {c["id"] for c in cards} <= set(headline)
    # A metric with no value for the scope (a team's drop rate) is "—" with the same reason
    # on the card and in the report, and null in `telekpi kpi`: never a 0.
    assert set(hidden) == {c["id"] for c in cards if c["reason"]}
    assert team or not hidden, "the centre's overview shows every headline metric"
    assert not team or {"drop_rate", "abandonment_rate"} <= set(hidden)
    for mid, row in headline.items():
        if row["reason"] or mid in hidden:
            card = next((c for c in cards if c["id"] == mid), None)
            assert row["value"] is None and s["now"][mid] is None, mid
            assert card is None or card["reason"] == row["reason"], mid
    for c in cards:
        row = headline[c["id"]]
        band = c["band"]["label"] if c["band"] else ""
        if (c["value"], c["previous"], c["change"], band) != (row["value"], row["previous"],
                                                             row["change"], row["band"]):
            wrong.append(f"{c['id']}: card {c['value']} / {c['previous']} ({band!r}), "
                         f"report {row['value']} / {row['previous']} ({row['band']!r})")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("scope", "team"), CASES, ids=[f"{s}-{g or 'centre'}" for s, g in CASES])
def test_every_surface_compares_with_the_same_previous_window(surfaces, scope, team):
    start, end, p_start, p_end, words = SCOPES[scope]
    s = surfaces[scope, team]
    previous = {"from": p_start.isoformat(), "to": p_end.isoformat(),
                "days": (p_end - p_start).days + 1, "words": words}
    report, api = s["report"], s["api"]
    assert report["previous_window"] == api["previous_window"] == previous
    assert all(c["previous_window"] == previous for c in api["cards"])
    assert report["versus"] == api["versus"] == f"vs {words}"
    for answer in (report["scope"], api["window"]):
        assert (answer["from"], answer["to"]) == (start.isoformat(), end.isoformat())
    assert report["scope"]["where"] == api["where"] == ({"team": [team]} if team else {})


@pytest.mark.parametrize(("scope", "team"), CASES, ids=[f"{s}-{g or 'centre'}" for s, g in CASES])
def test_the_report_s_alerts_carry_its_window(surfaces, scope, team):
    start, end, p_start, p_end, _words = SCOPES[scope]
    report = surfaces[scope, team]["report"]
    alerts = next(s for s in report["sections"] if s["id"] == "alerts")
    rows = [r for t in alerts["tables"] for r in t["rows"]]
    assert rows or team, "the demo centre fires alerts"
    for r in rows:
        assert (r["from"], r["to"]) == (start.isoformat(), end.isoformat()), r["rule"]
        if r["previous_from"] is not None:
            assert (r["previous_from"], r["previous_to"]) == (p_start.isoformat(), p_end.isoformat())
    headline = {r["id"]: r["value"] for r in report["sections"][0]["tables"][0]["rows"]}
    for r in rows:
        if r["rule"] == "over-contacted-leads":
            assert r["value"] == headline["overcontacted_leads"]


@pytest.mark.parametrize(("scope", "team"), CASES, ids=[f"{s}-{g or 'centre'}" for s, g in CASES])
def test_the_projection_is_the_month_so_far_at_its_pace(surfaces, scope, team):
    """The overview's month so far is `telekpi kpi` over the same days (both windows start on
    1 November), and its projection that value at the pace of the working days elapsed."""
    pace = surfaces[scope, team]["api"]["pace"]
    now = surfaces[scope, team]["now"]
    assert pace["month"] == {"from": "2026-11-01", "to": "2026-11-30"}
    assert pace["as_of"] == SCOPES[scope][1].isoformat()
    assert pace["items"], "the demo's templates give the headline targets"
    for item in pace["items"]:
        if item["metric"] in now:
            assert item["so_far"] == now[item["metric"]], item["metric"]
        if item["additive"]:
            assert item["projected"] == pytest.approx(
                item["so_far"] / pace["elapsed_days"] * pace["month_days"]), item["metric"]
        else:
            assert item["projected"] == item["so_far"], item["metric"]
