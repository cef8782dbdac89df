"""Fuzzing the ingestion API: any body posted to /api/v1/ingest/TABLE — JSON or not, any
values, NaN and infinity as JSON numbers, deep nesting, odd keys — gets an answer below 500;
an accepted batch's counts add up, and the same batch again changes nothing."""

from __future__ import annotations

import gc
import json

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telekpi.store.warehouse import Warehouse
from telekpi.web.app import create_app
from telekpi.web.auth import Users

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
                    st.sampled_from(["NaN", "1e309", "9999-12-31 23:59:59", "0000-01-01", "+99:99",
                                     "2026-03-02 09:00:00+14:00", "\x00", "x" * 5000]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)
ROW = st.one_of(
    st.builds(lambda base, extra: {**base, **extra},
              st.fixed_dictionaries({"call_id": st.sampled_from(["f1", "f2", "f3"]) | SCALARS,
                                     "started_at": st.sampled_from(["2026-03-02 09:00:00", "9999-12-31"])
                                     | SCALARS,
                                     "status": st.sampled_from(["answered", "busy"]) | SCALARS}),
              st.dictionaries(st.text(max_size=12) | st.sampled_from(["talk_s", "wait_s", "__line"]),
                              VALUES, max_size=4)),
    VALUES)
BODY = st.one_of(
    st.lists(ROW, max_size=6).map(lambda rows: json.dumps(rows, allow_nan=True).encode()),
    VALUES.map(lambda v: json.dumps(v, allow_nan=True).encode()),
    st.binary(max_size=200),
    st.sampled_from([b"", b"[", b"[{]", b"[" * 5000 + b"]" * 5000, b'[{"call_id": NaN}]',
                     b'[{"call_id": "f9", "started_at": "2026-03-02 09:00", "status": "busy", "talk_s": Infinity}]',
                     b"\xef\xbb\xbf[]", b"[{\"call_id\": \"\\ud800\"}]"]),
)


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    folder = tmp_path_factory.mktemp("api")
    (folder / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\n', encoding="utf-8")
    db = folder / "telekpi.duckdb"
    Warehouse(db).close()
    users = Users.beside(db)
    users.add("boss", "correct horse", "admin")
    token = users.new_token("boss")
    users.close()
    app = create_app(db)
    with TestClient(app) as c:
        c.headers["authorization"] = f"Bearer {token}"
        yield c
    app.state.web.close()
    del app.state.web, app.state.templates
    gc.collect()


@pytest.mark.slow
@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=BODY, table=st.sampled_from(["calls", "agent_states", "orders", "nope"]))
def test_any_body_gets_an_answer_below_500_and_counts_add_up(api, body, table):
    r = api.post(f"/api/v1/ingest/{table}", content=body, headers={"content-type": "application/json"})
    assert r.status_code < 500, (r.status_code, r.text[:1000])
    assert "Traceback" not in r.text
    if r.status_code != 200:
        assert r.json()   # a JSON answer that says what was wrong
        return
    c = r.json()
    assert c["rows_read"] == c["inserted"] + c["updated"] + c["unchanged"] + c["quarantined"], c
    again = api.post(f"/api/v1/ingest/{table}", content=body,
                     headers={"content-type": "application/json"}).json()
    assert (again["inserted"], again["updated"]) == (0, 0), again
    assert api.get("/api/v1/kpi?metric=calls,aht,connection_rate&from=2000-01-01&to=2100-12-31").status_code == 200
