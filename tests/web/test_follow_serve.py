"""`serve --follow`: the server imports a growing log through its one writer, and answers change."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)


LOG = (Path(__file__).parents[1] / "ingest" / "fixtures" / "asterisk" / "queue_log").read_text().splitlines(True)


def test_followed_calls_reach_the_api_within_a_round(tmp_path, empty_server):
    app, token = empty_server
    state, log = app.state.web, tmp_path / "queue_log"
    ws = state.workspace
    follower = ws.follower("calls", log, writer=ws.write)
    auth = {"Authorization": f"Bearer {token}"}
    url = "/api/v1/kpi?metric=calls&metric=abandoned_calls&from=2023-11-14&to=2023-11-15"
    with TestClient(app) as client:
        log.write_text("".join(LOG[:12]))
        follower.poll()
        first = client.get(url, headers=auth).json()["rows"][0]
        with open(log, "a") as f:
            f.write("".join(LOG[12:]))
        follower.poll()
        second = client.get(url, headers=auth).json()["rows"][0]
    assert (first["calls"], first["abandoned_calls"]) == (2, 1)
    assert (second["calls"], second["abandoned_calls"]) == (5, 1)   # one call is still talking
