"""What every fuzzed import must hold, whatever it was fed: no error but one located
sentence (InputError); the counts add up; a re-import changes nothing; the warehouse
still answers the headline KPIs and the dashboard's pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

from telekpi.engine.request import Request
from telekpi.errors import InputError
from telekpi.web.pages import HEADLINE
from telekpi.workspace import Workspace

WRITTEN = ("calls", "agent_states", "quarantine", "connector_state")
PAGES = ("/", "/funnel", "/agents", "/campaigns", "/revenue", "/care", "/best-time", "/wallboard",
         "/leads", "/alerts", "/scorecards", "/import",
         "/api/v1/overview", "/api/v1/kpi?metric=" + ",".join(HEADLINE) + "&by=agent",
         "/api/v1/funnel", "/api/v1/diagnose")
WIDE = "from=2000-01-01&to=2100-12-31"


def snapshot(ws: Workspace) -> dict[str, list[str]]:
    """Every stored row of the tables an import writes (as text, so NaN equals NaN)."""
    con = ws.warehouse.con
    return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in WRITTEN}


def one_sentence(err: InputError) -> None:
    text = str(err)
    assert text.strip() and "Traceback" not in text, text
    assert "\n" not in text.strip() or err.file, text   # a raw line quoted may carry a newline
    assert not re.search(r"\b(duckdb|pyarrow|arrow|openpyxl|KeyError|TypeError|ValueError)\b", err.message,
                         re.I), err.message


def import_checked(ws: Workspace, table: str, path: Path, fmt: str | None) -> list | None:
    """Import ``path`` and check the counts and that a second import moves nothing; None when
    the file was refused (with the warehouse left exactly as it was)."""
    before = snapshot(ws)
    try:
        results = ws.import_file(table, path, fmt=fmt)
    except InputError as e:
        one_sentence(e)
        assert snapshot(ws) == before, "a refused file changed the warehouse"
        return None
    for r in results:
        c = r.counts
        assert c.rows_read == c.inserted + c.updated + c.unchanged + c.skipped + c.quarantined, (r.table, c)
        assert min(vars(c).values()) >= 0, c
    stored = snapshot(ws)
    assert len(stored["quarantine"]) >= sum(r.counts.quarantined for r in results) - sum(
        1 for r in results if r.counts.quarantined == 0)
    again = ws.import_file(table, path, fmt=fmt)
    for r in again:
        assert (r.counts.inserted, r.counts.updated) == (0, 0), (r.table, r.counts)
    assert snapshot(ws) == stored, "a re-import changed the warehouse"
    return results


def kpis_answer(ws: Workspace) -> None:
    result = ws.query(Request(HEADLINE))
    json.dumps(result.to_json(ws.catalog), allow_nan=False)
    result = ws.query(Request(("calls", "aht", "connection_rate"), by=("agent",), period="day"))
    json.dumps(result.to_json(ws.catalog), allow_nan=False)


def pages_answer(db: Path) -> None:
    """Every main page and API read answers (no 500) for an admin over ``db``."""
    import gc

    from fastapi.testclient import TestClient

    from telekpi.web.app import create_app
    from telekpi.web.auth import Users

    users = Users.beside(db)
    if not users.list():
        users.add("boss", "correct horse", "admin")
    token = users.new_token("boss")
    users.close()
    app = create_app(db)
    try:
        with TestClient(app) as c:
            c.headers["authorization"] = f"Bearer {token}"
            for page in PAGES:
                url = page + ("&" if "?" in page else "?") + WIDE
                r = c.get(url)
                assert r.status_code < 500, (url, r.status_code, r.text[:2000])
                assert r.status_code == 200 or page.startswith("/api/v1/diagnose"), (url, r.status_code)
    finally:
        app.state.web.close()
        del app.state.web, app.state.templates
        gc.collect()
