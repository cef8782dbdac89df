"""The leads page's "waiting for a first call" list holds the leads that arrived in the view's
local days: from midnight of the first day in the workspace's zone to midnight after the last.
It once began at midnight UTC (seven hours late in Ho Chi Minh City) and had no end."""

import gc

from fastapi.testclient import TestClient

from telekpi.store.warehouse import Warehouse
from telekpi.web.app import create_app
from telekpi.web.auth import Users

LEADS = [("EARLY", "2026-02-28 18:30:00+00"),    # 01:30 on 1 March in Ho Chi Minh City
         ("LATE", "2026-03-01 17:30:00+00"),     # 00:30 on 2 March there: the next day
         ("BEFORE", "2026-02-28 16:30:00+00")]   # 23:30 on 28 February there


def test_slow_leads_are_those_of_the_views_local_days(tmp_path):
    (tmp_path / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\n', encoding="utf-8")
    db = tmp_path / "telekpi.duckdb"
    with Warehouse(db) as wh:
        for lead_id, at in LEADS:
            wh.con.execute("INSERT INTO leads (lead_id, created_at) VALUES (?, ?::TIMESTAMPTZ)", [lead_id, at])
    users = Users.beside(db)
    users.add("boss", "correct horse", "admin", (), None)
    token = users.new_token("boss", "test")
    users.close()
    app = create_app(db)
    try:
        with TestClient(app) as c:
            page = c.get("/leads", params={"from": "2026-03-01", "to": "2026-03-01"},
                         headers={"Authorization": f"Bearer {token}"})
            assert page.status_code == 200
            assert "EARLY" in page.text
            assert "LATE" not in page.text and "BEFORE" not in page.text
    finally:
        app.state.web.close()
        del app
        gc.collect()
