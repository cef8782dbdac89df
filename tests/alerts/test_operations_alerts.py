"""The compliance and caller-ID alert kinds (alerts/evaluate.py): a breach of each kind fires
once, naming the calls; a campaign over the abandonment cap fires; a number gone bad fires with
the numbers to use instead; a clean day fires nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from telekpi.alerts.evaluate import evaluate
from telekpi.alerts.rules import load_rules
from telekpi.catalog.loader import load_catalog
from telekpi.engine.engine import Engine
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AT = datetime(2026, 3, 10, 23, 0, tzinfo=TZ)
RULES = "rules:\n  - {id: kept, kind: compliance, window: today}\n  - {id: ids, kind: caller_ids}\n"


@pytest.fixture
def rules(tmp_path):
    p = tmp_path / "alerts.yaml"
    p.write_text(RULES)
    return load_rules(p, load_catalog(None))


def fill(con, campaign, line, calls, picked, status_left="no_answer", hour_utc="03"):
    con.execute("INSERT INTO calls (call_id, started_at, campaign_id, direction, status, line, called_number) "
                "SELECT ? || '-' || i, CAST(? AS TIMESTAMPTZ), ?, 'outbound', "
                "CASE WHEN i < ? THEN 'answered' ELSE ? END, ?, '+8497' || (4000000 + i) FROM range(?) t(i)",
                [f"{campaign}{line}", f"2026-03-10 {hour_utc}:00:00+00", campaign, picked, status_left, line, calls])


def test_each_breach_fires_once_and_names_what_to_do(tmp_path, rules):
    wh = Warehouse(tmp_path / "telekpi.duckdb")
    fill(wh.con, "K1", "+84280000001", 100, 40)
    fill(wh.con, "K1", "+84280000002", 100, 40)
    fill(wh.con, "K1", "+84280000003", 100, 8)
    # a late call (19:30 local: past Vietnam's 17:00) and a dialer drop over the 3 % cap
    wh.con.execute("INSERT INTO calls (call_id, started_at, campaign_id, direction, status, called_number) "
                   "VALUES ('late', TIMESTAMPTZ '2026-03-10 12:30:00+00', 'K2', 'outbound', 'abandoned', "
                   "'+84974442778')")
    engine = Engine(wh, Settings(timezone="Asia/Ho_Chi_Minh"))
    alerts = {a.key: a for a in evaluate(engine, rules, AT)}
    assert set(alerts) == {"kept|outside_window", "kept|campaign K2", "ids|K1|+84280000003"}
    assert "1 calls outside the permitted calling window (late)" in alerts["kept|outside_window"].message
    assert "above the 3.0% cap" in alerts["kept|campaign K2"].message
    assert alerts["ids|K1|+84280000003"].message.startswith(
        "number +84280000003 of campaign K1: 8.0% picked up on 2026-03-10 against 40.0%")
    assert "use +84280000001, +84280000002" in alerts["ids|K1|+84280000003"].message
    wh.close()


def test_a_clean_day_fires_nothing(tmp_path, rules):
    wh = Warehouse(tmp_path / "telekpi.duckdb")
    fill(wh.con, "K1", "+84280000001", 100, 40)
    fill(wh.con, "K1", "+84280000002", 100, 41)
    engine = Engine(wh, Settings(timezone="Asia/Ho_Chi_Minh"))
    assert evaluate(engine, rules, AT) == []
    wh.close()
