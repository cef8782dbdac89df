"""The API through the real app: same answers as the CLI, one error shape, ingestion."""

from __future__ import annotations

import json

import pytest

from telekpi.cli.app import main, register


def test_kpi_answers_as_the_cli_does(as_user, app, monkeypatch, capsys):
    """Same parameters, same JSON as `telekpi kpi --format json` (the CLI is run in-process on
    the app's own engine: DuckDB lets one process hold the file while it is served)."""
    import telekpi.cli.query_cmds as query_cmds

    c = as_user("boss")
    api = c.get("/api/v1/kpi", params=[("metric", "calls,connection_rate,aht"), ("by", "team"),
                                       ("period", "month"), ("from", "2026-01-01"),
                                       ("to", "2026-12-31")]).json()
    from telekpi.engine.engine import Engine

    with app.state.web.workspace.session() as served:
        # The CLI's own engine on the app's cursor, without the app's answer cache: it
        # computes the numbers again rather than reading what the API just cached.
        cli_engine = Engine(served.warehouse, served.settings, served.catalog)
        register()   # every command module imported with the real open_engine before it is patched
        monkeypatch.setattr(query_cmds, "open_engine", lambda ctx, *a, **k: cli_engine)
        assert main(["kpi", "calls", "connection_rate", "aht", "--by", "team", "--period", "month",
                     "--from", "2026-01-01", "--to", "2026-12-31", "--format", "json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert api == cli
    assert api["rows"], "the demo has calls in 2026"


def test_catalog_lists_every_metric_with_bands(as_user, app):
    c = as_user("boss")
    got = c.get("/api/v1/catalog").json()
    assert {m["id"] for m in got} == set(app.state.web.workspace.catalog.metrics)
    csat = next(m for m in got if m["id"] == "csat")
    assert csat["unit"] == "rate" and csat["bands"]


def test_funnel_has_stages_and_bottleneck(as_user):
    data = as_user("boss").get("/api/v1/funnel").json()
    g = data["groups"][0]
    assert g["stages"][0]["stage"] == "attempted"
    assert "bottleneck" in g
    teams = {t["team"] for t in data["breakdown"]["groups"]} - {None}   # None: leads no agent called
    assert data["headline"] and teams <= {"T1", "T2", "T3", "T5"}
    assert g["rates"][0]["basis"] == "Leads reaching a decision maker / Leads attempted"
    by = as_user("boss").get("/api/v1/funnel?by=campaign").json()
    assert "headline" not in by and None not in [x["campaign"] for x in by["groups"]]


@pytest.mark.parametrize("path, status, words", [
    ("/api/v1/kpi?metric=nope", 400, "unknown metric 'nope'"),
    ("/api/v1/kpi?metric=calls&by=colour", 400, "unknown dimension 'colour'"),
    ("/api/v1/kpi?metric=calls&from=yesterday", 400, "is not a date"),
    ("/api/v1/leads/no-such-lead", 404, "no lead 'no-such-lead'"),
])
def test_errors_have_one_shape(as_user, path, status, words):
    r = as_user("boss").get(path)
    assert r.status_code == status
    body = r.json()
    assert body["error"]["status"] == status and words in body["error"]["message"]


# The same bad request through both front ends: (CLI arguments, API query, what the CLI
# says, what the API says, the parameter the error is about).
SAME_MISTAKE = [
    (["kpi", "calls", "--by", "colour"], "metric=calls&by=colour",
     "unknown dimension 'colour' in --by; expected one of: agent, team",
     "unknown dimension 'colour' in by=; expected one of: agent, team", "by"),
    (["kpi", "nope"], "metric=nope",
     "unknown metric 'nope'; `telekpi metrics` lists the ids",
     "unknown metric 'nope'; GET /api/v1/catalog lists the ids", "metrics"),
    (["kpi", "calls", "--period", "fortnight"], "metric=calls&period=fortnight",
     "'--period'", "period=fortnight is not one of: day, week, month, quarter, year", "period"),
    (["kpi", "calls", "--from", "2026-02-02", "--to", "2026-02-01"],
     "metric=calls&from=2026-02-02&to=2026-02-01",
     "--from 2026-02-02 is after --to 2026-02-01", "from=2026-02-02 is after to=2026-02-01", "from"),
    (["kpi", "revenue_growth"], "metric=revenue_growth",
     "revenue_growth compares with the previous period; add --period (month",
     "revenue_growth compares with the previous period; add period= (month", "period"),
    (["kpi", "calls", "--by", "team", "--by", "team"], "metric=calls&by=team&by=team",
     "dimension 'team' is given twice in --by", "dimension 'team' is given twice in by=", "by"),
]


@pytest.mark.parametrize("args, query, cli, api, field", SAME_MISTAKE)
def test_each_front_end_words_the_mistake_for_its_users(as_user, app, monkeypatch, run, args,
                                                        query, cli, api, field):
    """The engine raises the mistake as structure; the CLI names its options (--by), the
    API its query parameters (by=), and the JSON body carries the structure too."""
    from telekpi.cli import query_cmds
    from telekpi.engine.engine import Engine

    r = as_user("boss").get("/api/v1/kpi?" + query)
    error = r.json()["error"]
    assert r.status_code == error["status"] == 400
    assert api in error["message"] and "--" not in error["message"], error
    assert error["field"] == field
    register()   # every command module imported with the real open_engine before it is patched
    with app.state.web.workspace.session() as served:
        monkeypatch.setattr(query_cmds, "open_engine", lambda ctx, *a, **k: Engine(
            served.warehouse, served.settings, served.catalog))
        code, _, err = run(*args)
    assert code == 2 and cli in err and "Traceback" not in err, err
    assert f"{field}=" not in err


def test_the_json_error_carries_field_value_and_choices(as_user):
    from telekpi.catalog.models import DIMENSIONS
    from telekpi.engine.request import PERIODS

    c = as_user("boss")
    error = c.get("/api/v1/kpi?metric=calls&by=team,colour").json()["error"]
    assert (error["field"], error["value"], error["allowed"]) == ("by", "colour", list(DIMENSIONS))
    error = c.get("/api/v1/kpi?metric=calls&period=fortnight").json()["error"]
    assert (error["field"], error["value"], error["allowed"]) == ("period", "fortnight", list(PERIODS))
    error = c.get("/api/v1/kpi?metric=calls&from=2026-02-02&to=2026-02-01").json()["error"]
    assert (error["field"], error["value"]) == ("from", "2026-02-02") and "allowed" not in error
    error = c.get("/api/v1/kpi?metric=calls&where=team").json()["error"]   # refused by FastAPI
    assert (error["field"], error["value"]) == ("where", "team") and "(got 'team')" in error["message"]
    error = c.get("/api/v1/kpi?by=team").json()["error"]
    assert (error["field"], error["value"], error["message"]) == ("metrics", None, "metric is required")
    error = c.get("/api/v1/leads/no-such-lead").json()["error"]
    assert set(error) == {"status", "message"}, "an error about no parameter has no field"


def test_the_status_is_the_error_class_s(app, monkeypatch):
    """The web takes the HTTP status from the class: a new kind of error needs no table."""
    from fastapi.testclient import TestClient

    from telekpi.engine.lookup import Lookup
    from telekpi.errors import TelekpiError

    class Teapot(TelekpiError):
        http_status = 418

    def refuse(*args, **kwargs):
        raise Teapot("short and stout")

    monkeypatch.setattr(Lookup, "stop_list", refuse)
    token = app.state.web.users.new_token("boss", "tests")
    with TestClient(app) as c:
        r = c.get("/api/v1/stop-list", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 418
    assert r.json() == {"error": {"status": 418, "message": "short and stout"}}


def test_every_error_class_has_its_status():
    from telekpi import errors

    def tree(cls):
        return [cls] + [c for sub in cls.__subclasses__() for c in tree(sub)]

    statuses = {c.__name__: c.http_status for c in tree(errors.TelekpiError)
                if c.__module__ == "telekpi.errors"}
    assert statuses == {
        "TelekpiError": 500, "UsageError": 400, "QueryError": 400, "InputError": 400,
        "ConfigError": 400, "AuthRequired": 401, "AccessError": 403, "NotFoundError": 404, "NotForRole": 404,
        "CatalogError": 500, "MissingDependencyError": 500, "ReportError": 500,
        "TooManySignIns": 429}
    assert {c.__name__: c.exit_code for c in tree(errors.TelekpiError)
            if c.__module__ == "telekpi.errors" and c.exit_code != 1} == {
        "UsageError": 2, "QueryError": 2, "InputError": 2, "ConfigError": 2, "CatalogError": 2}


def test_no_credentials_is_401_and_a_bad_token_too(client):
    r = client.get("/api/v1/kpi?metric=calls")
    assert r.status_code == 401 and r.json()["error"]["message"] == "log in first"
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer tk_forged"})
    assert r.status_code == 401


def test_api_token_acts_as_its_user(client, app):
    token = app.state.web.users.new_token("sup1", "tests")
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.json()["name"] == "sup1" and r.json()["teams"] == ["T1"]


def test_lead_search_and_timeline(as_user):
    c = as_user("boss")
    found = c.get("/api/v1/leads", params={"q": "L1"}).json()
    assert found[0]["lead_id"] == "L1", "an exact id comes first"
    assert all("l1" in f["lead_id"].lower() or "l1" in (f["customer_id"] or "").lower()
               or "l1" in (f["name"] or "").lower() for f in found)
    one = found[0]
    spaced = one["phone"][:4] + " " + one["phone"][4:7] + "-" + one["phone"][7:]
    by_phone = c.get("/api/v1/leads", params={"q": spaced}).json()
    assert "L1" in [f["lead_id"] for f in by_phone]
    by_name = c.get("/api/v1/leads", params={"q": one["name"].split()[-1].lower()}).json()
    assert "L1" in [f["lead_id"] for f in by_name] or len(by_name) == 50
    lead_id = "L1"
    body = c.get(f"/api/v1/leads/{lead_id}").json()
    assert body["lead"]["lead_id"] == lead_id
    kinds = {e["kind"] for e in body["timeline"]}
    assert kinds <= {"call", "order", "survey", "ticket", "engagement"}
    ats = [e["at"] for e in body["timeline"]]
    assert ats == sorted(ats, reverse=True)


def test_ingest_is_idempotent_and_names_bad_rows(as_user, tmp_path):
    c = as_user("boss")
    rows = [{"call_id": "API-1", "started_at": "2026-03-01 09:00:00", "agent_id": "A003",
             "status": "answered", "talk_s": 42},
            {"call_id": "API-2", "started_at": "yesterday", "status": "answered"},
            {"call_id": "API-3", "started_at": "2026-03-01 09:05:00", "status": "busy"}]
    first = c.post("/api/v1/ingest/calls", json=rows).json()
    assert (first["rows_read"], first["inserted"], first["quarantined"]) == (3, 2, 1)
    assert first["reasons"] == [{"row": 2, "column": "started_at",
                                 "reason": first["reasons"][0]["reason"]}]
    assert "'yesterday' is not a time" in first["reasons"][0]["reason"]
    again = c.post("/api/v1/ingest/calls", json=rows).json()
    assert (again["inserted"], again["unchanged"], again["quarantined"]) == (0, 2, 1)
    rows[0]["talk_s"] = 50
    changed = c.post("/api/v1/ingest/calls", json=rows).json()
    assert changed["updated"] == 1


def test_ingest_quarantines_a_value_holding_a_nul_and_keeps_the_other_rows(as_user):
    c = as_user("boss")
    rows = [{"call_id": "A0\u000003", "started_at": "2026-03-01 09:00:00", "status": "answered"},
            {"call_id": "NUL-2", "started_at": "2026-03-01 09:05:00", "status": "busy",
             "disposition": "ok"}]
    body = c.post("/api/v1/ingest/calls", json=rows).json()
    assert (body["rows_read"], body["inserted"], body["quarantined"]) == (2, 1, 1)
    assert body["reasons"] == [{"row": 1, "column": "call_id",
                                "reason": "call_id holds a NUL byte (\\x00), which is not text"}]


def test_ingest_rejects_unknown_tables_and_non_admins(as_user):
    assert as_user("boss").post("/api/v1/ingest/nope", json=[]).status_code == 404
    r = as_user("sup1").post("/api/v1/ingest/calls", json=[{"call_id": "x"}])
    assert r.status_code == 403 and "only an admin" in r.json()["error"]["message"]


def test_answers_after_a_write_are_fresh(as_user):
    """Answers are cached until the server writes: an ingested row shows at once."""
    c = as_user("boss")
    before = c.get("/api/v1/kpi?metric=calls").json()["rows"][0]["calls"]
    assert c.get("/api/v1/leads?q=FRESH-LEAD").json() == []
    c.post("/api/v1/ingest/calls", json=[{"call_id": "FRESH-1", "started_at": "2026-10-01 09:00:00",
                                          "status": "answered"}])
    c.post("/api/v1/ingest/leads", json=[{"lead_id": "FRESH-LEAD", "created_at": "2026-10-01 08:00:00"}])
    assert c.get("/api/v1/kpi?metric=calls").json()["rows"][0]["calls"] == before + 1
    assert [r["lead_id"] for r in c.get("/api/v1/leads?q=FRESH-LEAD").json()] == ["FRESH-LEAD"]
