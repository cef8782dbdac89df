"""An ``offset`` past any list is refused in one sentence (400), not passed to the engine,
whose OFFSET is 64-bit (schemathesis once sent 6.2e25 and got a 500)."""

import gc

import pytest
from fastapi.testclient import TestClient

from telekpi.store.warehouse import Warehouse
from telekpi.web.app import create_app
from telekpi.web.auth import Users
from telekpi.web.paging import MAX_OFFSET


@pytest.mark.slow   # an app per path
@pytest.mark.parametrize("path", ["/api/v1/stop-list", "/api/v1/operations/lost", "/api/v1/operations/callbacks"])
def test_an_offset_past_any_list_is_one_sentence(tmp_path, path):
    db = tmp_path / "telekpi.duckdb"
    Warehouse(db).close()
    users = Users.beside(db)
    users.add("boss", "correct horse", "admin", (), None)
    token = users.new_token("boss", "test")
    users.close()
    app = create_app(db)
    with TestClient(app) as c:
        auth = {"Authorization": f"Bearer {token}"}
        assert c.get(path, params={"offset": MAX_OFFSET}, headers=auth).status_code == 200
        r = c.get(path, params={"offset": "62262434068552064861995008"}, headers=auth)
        assert r.status_code == 400 and "offset" in r.json()["error"]["message"]
    app.state.web.close()
    del app
    gc.collect()
