"""The lost_calls alert kind (docs/operations.md): lost inbound calls not won back, waiting
longer than the rule's minutes while they still may be won back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telekpi.alerts.evaluate import evaluate
from telekpi.alerts.rules import load_rules
from telekpi.catalog.loader import load_catalog
from telekpi.engine.engine import Engine
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse

from ..reference.datagen import insert_rows


def _call(call_id, started_at, status="abandoned", number="+84974442778", **kw):
    return {"call_id": call_id, "started_at": started_at, "status": status, "direction": "inbound",
            "queue": "care", "queued_at": started_at, "wait_s": 60.0, "caller_number": number, **kw}


def test_lost_calls_waiting_longer_than_the_rule_fire_oldest_first(tmp_path):
    now = datetime.now(UTC).replace(microsecond=0)
    calls = [
        _call("OLD", now - timedelta(hours=2), number="+84974440001"),     # waiting 2 h: fires
        _call("NEW", now - timedelta(minutes=10), number="+84974440002"),  # 10 min: not yet
        _call("WON", now - timedelta(hours=3), number="+84974440003"),     # won back by a retry
        _call("RETRY", now - timedelta(hours=3) + timedelta(minutes=2), "answered",
              number="+84974440003", agent_id="A1"),
        _call("GONE", now - timedelta(hours=30), number="+84974440004"),   # past the 24 h window
    ]
    rules_file = tmp_path / "alerts.yaml"
    rules_file.write_text("rules:\n  - {id: lost, kind: lost_calls, minutes: 30, "
                          "window: last_7_days}\n")
    wh = Warehouse(tmp_path / "w.duckdb")
    try:
        insert_rows(wh, {"calls": calls})
        engine = Engine(wh, Settings())
        (alert,) = evaluate(engine, load_rules(rules_file, load_catalog(None)), now)
        assert alert.rule == "lost" and alert.value == 1
        assert "+84974440001" in alert.message and "30 minutes" in alert.message
        rules_file.write_text("rules:\n  - {id: lost, kind: lost_calls, minutes: 5, "
                              "window: last_7_days}\n")
        (alert,) = evaluate(engine, load_rules(rules_file, load_catalog(None)), now)
        assert alert.value == 2 and alert.message.index("+84974440001") < alert.message.index(
            "+84974440002")
    finally:
        wh.close()


def test_the_built_in_rules_watch_lost_calls():
    rules = load_rules(None, load_catalog(None))
    assert any(r.kind == "lost_calls" for r in rules.rules)
