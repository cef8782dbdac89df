"""The schema step that adds call analysis: an older warehouse gains the tables, and one
opened read-only reads them as empty (the speech metrics answer, the call view too)."""

from pathlib import Path

from telekpi.engine.engine import Engine
from telekpi.engine.lookup import Lookup
from telekpi.engine.request import Request
from telekpi.settings import Settings
from telekpi.store.migrations import SCHEMA_VERSION
from telekpi.store.warehouse import Warehouse

FIXTURES = Path(__file__).parent.parent / "store" / "fixtures"
OLDEST_WITHOUT = FIXTURES / "schema-v4-5cffb0a.sql"
SPEECH = ("agent_talk_ratio", "silence_rate", "overtalk_rate", "interruptions_per_call", "analysed_calls")


def build(path):
    import duckdb

    con = duckdb.connect(str(path))
    con.execute(OLDEST_WITHOUT.read_text())
    con.execute((FIXTURES / "rows.sql").read_text())
    con.close()


def test_read_only_older_warehouse_answers_speech_metrics_empty(tmp_path):
    path = tmp_path / "w.duckdb"
    build(path)
    with Warehouse(path, read_only=True) as wh:
        rows = Engine(wh, Settings()).query(Request(SPEECH)).rows
        assert rows[0]["analysed_calls"] == 0 and rows[0]["agent_talk_ratio"] is None
        found = Lookup(Engine(wh, Settings())).call_analysis("c1")
        assert found is None or (found["speech"] is None and found["segments"] == [])


def test_upgrade_adds_the_tables_and_they_hold_figures(tmp_path):
    path = tmp_path / "w.duckdb"
    build(path)
    with Warehouse(path) as wh:
        assert wh.con.execute("SELECT value FROM telekpi_meta WHERE key = 'schema_version'").fetchone()[0] == \
            str(SCHEMA_VERSION)
        call_id, agent = wh.con.execute("SELECT call_id, agent_id FROM calls WHERE agent_id IS NOT NULL "
                                        "ORDER BY call_id LIMIT 1").fetchone()
        wh.con.execute("INSERT INTO call_speech (call_id, layout, duration_s, speech_s, silence_s, agent_talk_s, "
                       "customer_talk_s, overtalk_s, agent_interruptions) VALUES "
                       "(?, 'stereo', 100, 80, 20, 60, 30, 10, 3)", [call_id])
        wh.con.execute("INSERT INTO speech_segments VALUES (?, 'agent', 0.5, 2.0)", [call_id])
        rows = Engine(wh, Settings(), use_rollups=False).query(Request(SPEECH, by=("agent",))).rows
    row = next(r for r in rows if r["agent"] == agent)
    # by hand: 60 / (60 + 30), 20 / 100, 10 / 100, 3 / 1
    assert (row["agent_talk_ratio"], row["silence_rate"], row["overtalk_rate"], row["interruptions_per_call"]) == \
        (60 / 90, 0.2, 0.1, 3.0)
