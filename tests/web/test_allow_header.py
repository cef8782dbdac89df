"""A 405 names every method of the path in ``Allow`` (RFC 9110 §15.5.6): a path served by one
route per method (GET and POST /api/v1/qa/reviews) is not reported as GET-only."""

import gc

from fastapi.testclient import TestClient

from telekpi.store.warehouse import Warehouse
from telekpi.web.app import create_app


def test_a_405_lists_every_method_of_the_path(tmp_path):
    db = tmp_path / "telekpi.duckdb"
    Warehouse(db).close()
    app = create_app(db)
    with TestClient(app) as c:
        r = c.request("DELETE", "/api/v1/qa/reviews")
        assert r.status_code == 405
        assert r.headers["allow"] == "GET, HEAD, POST"
        assert c.request("PUT", "/api/v1/kpi").headers["allow"] == "GET, HEAD"
    app.state.web.close()
    del app
    gc.collect()
