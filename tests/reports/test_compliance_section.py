"""The report's Compliance section (reports/build.py): the breaches counted over the report's
days and each campaign's rolling abandonment against the cap; a filtered report says it is
the whole centre's only."""

from __future__ import annotations

from datetime import date

from telekpi.engine.engine import Engine
from telekpi.reports.build import Builder
from telekpi.reports.operations import compliance
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse


def test_the_section_counts_breaches_and_shows_each_campaigns_cap(tmp_path):
    wh = Warehouse(tmp_path / "telekpi.duckdb")
    wh.con.execute("INSERT INTO calls (call_id, started_at, campaign_id, direction, status, called_number) "
                   "SELECT 'c' || i, TIMESTAMPTZ '2026-03-10 12:30:00+00', 'K1', 'outbound', "
                   "CASE WHEN i < 4 THEN 'abandoned' ELSE 'answered' END, '+84974442778' FROM range(100) t(i)")
    engine = Engine(wh, Settings(timezone="Asia/Ho_Chi_Minh"))
    s = compliance(Builder(engine, date(2026, 3, 1), date(2026, 3, 10)))
    assert s.paragraphs == ["100 calls outside the calling window, 0 calls after a stop request, "
                            "1 campaigns over the abandonment cap."]
    (row,) = s.tables[0].rows
    assert (row["campaign"], row["abandoned"], row["live"], row["rate"], row["crosses_on"]) == (
        "K1", 4, 100, 0.04, "over the cap")
    filtered = compliance(Builder(engine, date(2026, 3, 1), date(2026, 3, 10), (("team", "T1"),)))
    assert filtered.tables == [] and "whole centre" in filtered.paragraphs[0]
    wh.close()
