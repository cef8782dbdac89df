"""A warehouse written before values were checked (NaN seconds, calls in years 0, 9999 and
10000) is served without a 500 for any role; dates outside the days telekpi answers for get
a 400 with one sentence; JSON rows with NaN, infinities or impossible times are quarantined;
and correcting an impossible time through the API leaves the server's rollups current."""

from __future__ import annotations

import json

import duckdb
import pytest
from fastapi.testclient import TestClient

from telekpi.web.app import create_app
from telekpi.web.auth import Users

from .conftest import PASSWORD, USERS, login

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)

PAGES = ["/", "/funnel", "/agents", "/campaigns", "/scorecards", "/revenue", "/care", "/leads",
         "/best-time", "/alerts", "/wallboard", "/staffing"]
POISON = [  # call, what an old telekpi stored
    ("OLD-NAN", "talk_s = 'NaN'::DOUBLE, hold_s = 'Infinity'::DOUBLE"),
    ("OLD-Y10000", "started_at = TIMESTAMPTZ '10000-01-01 03:00:00+00'"),
    ("OLD-Y9999", "started_at = TIMESTAMPTZ '9999-12-31 23:00:00+00'"),
    ("OLD-Y0", "started_at = TIMESTAMPTZ '0000-01-01 03:00:00+00'"),
]


@pytest.fixture(scope="module")
def old_db(tmp_path_factory, small_demo):
    path = small_demo(tmp_path_factory.mktemp("old") / "telekpi.duckdb", 3)
    from telekpi.cli.demo_cmd import copy_example_templates

    copy_example_templates(path.parent)
    con = duckdb.connect(str(path))
    agent = con.execute("SELECT agent_id FROM agents WHERE agent_id = 'A003'").fetchone()[0]
    for call_id, values in POISON:
        con.execute("INSERT INTO calls (call_id, started_at, agent_id, status, talk_s) "
                    "VALUES (?, TIMESTAMPTZ '2026-10-05 03:00:00+00', ?, 'answered', 60)", [call_id, agent])
        con.execute(f"UPDATE calls SET {values} WHERE call_id = ?", [call_id])
    con.close()
    users = Users.beside(path)
    for name, (role, teams, agent_id) in USERS.items():
        users.add(name, PASSWORD, role, teams, agent_id)
    users.close()
    return path


@pytest.fixture(scope="module")
def old_app(old_db):
    import gc

    application = create_app(old_db)
    yield application
    application.state.web.close()
    del application.state.web, application.state.templates
    gc.collect()


@pytest.fixture
def as_old(old_app):
    clients = []

    def _as(name: str) -> TestClient:
        c = TestClient(old_app)
        c.__enter__()
        clients.append(c)
        assert login(c, name).status_code == 303
        return c

    yield _as
    for c in clients:
        c.__exit__(None, None, None)


@pytest.mark.parametrize("user", list(USERS))
def test_every_page_answers_for_every_role_over_an_old_warehouse(as_old, user):
    c = as_old(user)
    for page in PAGES:
        r = c.get(page)
        assert r.status_code == 200, (page, r.status_code, r.text[:300])


def test_the_api_answers_nan_as_null_in_valid_json(as_old):
    c = as_old("boss")
    r = c.get("/api/v1/kpi", params={"metric": "aht,talk_time,calls", "by": "agent"})
    assert r.status_code == 200, r.text
    body = json.loads(r.text, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    a003 = next(row for row in body["rows"] if row["agent"] == "A003")
    assert a003["talk_time"] is None and a003["aht"] is None   # NaN seconds: unknown


@pytest.mark.parametrize("params, field, value", [
    ({"metric": "calls", "to": "9999-12-31"}, "to", "9999-12-31"),
    ({"metric": "calls", "from": "0001-01-01"}, "from", "0001-01-01"),
    ({"metric": "revenue_growth", "period": "month", "from": "0001-01-01", "to": "0001-03-31"},
     "from", "0001-01-01"),
    ({"metric": "calls", "from": "1969-12-31"}, "from", "1969-12-31"),
    ({"metric": "calls", "to": "3000-01-01"}, "to", "3000-01-01"),
])
def test_query_dates_outside_the_range_are_a_400_with_one_sentence(as_old, params, field, value):
    r = as_old("boss").get("/api/v1/kpi", params=params)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["message"] == (f"{field}={value} is outside the days telekpi answers for, "
                                "1970-01-01 to 2999-12-31")
    assert (error["field"], error["value"]) == (field, value)


@pytest.mark.parametrize("query", ["to=9999-12-31", "from=0001-01-01", "from=0001-01-01&to=0001-01-31"])
@pytest.mark.parametrize("page", ["/", "/agents", "/scorecards", "/revenue"])
def test_pages_refuse_dates_outside_the_range_with_a_400(as_old, page, query):
    r = as_old("sup1").get(f"{page}?{query}")
    assert r.status_code == 400, (page, r.status_code)
    assert "is outside the days telekpi answers for, 1970-01-01 to 2999-12-31" in r.text


def test_the_edges_of_the_range_are_answered(as_old):
    c = as_old("boss")
    for params in ({"metric": "calls,revenue", "from": "1970-01-01", "to": "2999-12-31"},
                   {"metric": "revenue_growth", "period": "year", "from": "1970-01-01", "to": "1971-12-31"},
                   {"metric": "revenue_growth", "period": "month", "from": "2999-11-01", "to": "2999-12-31"}):
        assert c.get("/api/v1/kpi", params=params).status_code == 200, params
    assert c.get("/?from=1970-01-01&to=1970-01-31").status_code == 200
    assert c.get("/?from=2999-12-01&to=2999-12-31").status_code == 200


def test_json_rows_with_non_finite_numbers_and_impossible_times_are_quarantined(as_old):
    body = ('[{"call_id": "J1", "started_at": "2026-10-05 10:00", "status": "answered", "talk_s": NaN},'
            ' {"call_id": "J2", "started_at": "2026-10-05 10:00", "status": "answered", "talk_s": Infinity},'
            ' {"call_id": "J3", "started_at": "2026-10-05 10:00", "status": "answered", "wait_s": 1e309},'
            ' {"call_id": "J4", "started_at": "2026-10-05 10:00", "status": "answered", "hold_s": -Infinity},'
            ' {"call_id": "J5", "started_at": "0000-01-01 10:00", "status": "answered"},'
            ' {"call_id": "J6", "started_at": "2026-10-05 10:00+99:99", "status": "answered"},'
            ' {"call_id": "J7", "started_at": "2026-10-05 10:00", "status": "answered", "wait_s": 84912345678},'
            ' {"call_id": "J8", "started_at": "2026-10-05 10:00", "status": "answered", "talk_s": 30}]')
    r = as_old("boss").post("/api/v1/ingest/calls", content=body,
                            headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["rows_read"], got["inserted"], got["quarantined"]) == (8, 1, 7)
    reasons = {x["row"]: x["reason"] for x in got["reasons"]}
    assert reasons[1] == "talk_s: 'nan' is not a finite number"
    assert reasons[2] == "talk_s: 'inf' is not a finite number"
    assert reasons[3] == "wait_s: 'inf' is not a finite number"
    assert reasons[4] == "hold_s: '-inf' is not a finite number"
    assert reasons[5] == "started_at: '0000-01-01 10:00' is before 1970-01-01"
    assert reasons[6] == "started_at: '2026-10-05 10:00+99:99' has a UTC offset beyond ±14:00"
    assert "more than 86400 seconds" in reasons[7]


def test_correcting_an_impossible_time_through_the_api_keeps_the_rollups(as_old, old_app):
    c = as_old("boss")
    ws = old_app.state.web.workspace
    ws.refresh_rollups()
    fixed = [{"call_id": call_id, "started_at": "2026-10-06 09:00:00", "status": "answered",
              "talk_s": 60, "agent_id": "A003"} for call_id, _ in POISON]
    r = c.post("/api/v1/ingest/calls", json=fixed)
    assert r.status_code == 200 and r.json()["updated"] == len(POISON), r.text
    ws.refresh_rollups()   # what the server's background thread runs once writes pause
    assert {"calls", "leads", "surveys"} <= set(ws.rollups())
    assert {"calls", "leads", "surveys"} <= set(c.get("/api/v1/health").json()["rollups"])
