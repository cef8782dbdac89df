"""schemathesis against the app's own OpenAPI schema: every endpoint with generated inputs;
responses conform to the schema, and no input makes the server fail (5xx).

The schema is loaded when the module is imported (schemathesis' pytest plugin needs it
then), from an app over its own small demo warehouse.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from telekpi.demo.generate import generate
from telekpi.store.warehouse import Warehouse
from telekpi.web.app import create_app
from telekpi.web.auth import Users

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)


_DIR = Path(tempfile.mkdtemp(prefix="telekpi-schema-"))
with Warehouse(_DIR / "telekpi.duckdb") as _wh:
    generate(_wh.con, size="small", seed=3)
del _wh
_users = Users.beside(_DIR / "telekpi.duckdb")
_users.add("boss", "correct horse", "admin")
TOKEN = _users.new_token("boss", "schemathesis")
APP = create_app(_DIR / "telekpi.duckdb", users=_users)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@schema.include(method="GET").parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_get_endpoints_conform(case):
    # Schema-valid but unanswerable requests (a metric the data cannot split by a dimension,
    # a date like 2026-02-30) are documented 400s, so positive-data acceptance is not checked.
    # Nor is negative-data rejection: in a query string a "number" or a one-item "array" is
    # just text, which a text filter (team=, agent=) rightly accepts; bad dates and unknown
    # metrics are refused, as tests/web/test_api.py checks one by one.
    case.call_and_validate(headers=AUTH, excluded_checks=[positive_data_acceptance, negative_data_rejection])


@schema.include(method="POST").parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_ingest_never_fails_the_server(case):
    response = case.call(headers=AUTH)
    assert response.status_code < 500, response.text


def teardown_module() -> None:
    import gc

    APP.state.web.close()
    # No DuckDB object may outlive the interpreter's teardown (nanobind reports it as a
    # leak): the app state and the template filters that close over it go.
    del APP.state.web, APP.state.templates
    gc.collect()
