"""The QA review tables in the lake (`telekpi export-lake`): ``qa_reviews`` and
``qa_calibration`` go with the canonical tables, by month, for other tools to read."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import pyarrow.dataset as ds

from telekpi.engine.backends import DuckDBBackend
from telekpi.qa.forms import load_form
from telekpi.qa.review import save
from telekpi.settings import Settings
from telekpi.store import review_store
from telekpi.store.lake import MANIFEST, META, export_lake
from telekpi.store.warehouse import Warehouse

from ..qa.reviewed import build


def test_reviews_and_calibration_calls_are_in_the_lake(tmp_path):
    db = build(tmp_path)
    form = load_form(tmp_path / "qa-forms" / "care.yaml")
    with Warehouse(db) as wh:
        # 31 March 23:30 UTC is 1 April in Ho Chi Minh City: the month is the local one
        save(wh, form, "C01", "sup1", {"tone": "pass"}, "Warm.", datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
        save(wh, form, "C01", "boss", {"tone": "fail"}, None, datetime(2026, 3, 20, 9, tzinfo=UTC))
        review_store.mark_calibration(wh, "C01", "care", "sup1", datetime(2026, 3, 20, 8, tzinfo=UTC))
        counts = export_lake(wh, tmp_path / "lake", Settings(timezone="Asia/Ho_Chi_Minh"))
    assert counts["qa_reviews"] == 2 and counts["qa_calibration"] == 1
    reviews = ds.dataset(tmp_path / "lake" / "qa_reviews", format="parquet", partitioning="hive").to_table()
    by_reviewer = {r["reviewer"]: r for r in reviews.to_pylist()}
    assert by_reviewer["sup1"]["month"] == "2026-04" and by_reviewer["boss"]["month"] == "2026-03"
    assert json.loads(by_reviewer["sup1"]["items"]) == {"tone": "pass"} and by_reviewer["sup1"]["comment"] == "Warm."
    marks = ds.dataset(tmp_path / "lake" / "qa_calibration", format="parquet", partitioning="hive").to_table()
    assert marks.column("marked_by").to_pylist() == ["sup1"]
    manifest = json.loads((tmp_path / "lake" / META / MANIFEST).read_text())
    assert manifest["tables"]["qa_reviews"] == {"rows": 2, "time": "reviewed_at"}
    backend = DuckDBBackend.over_lake(tmp_path / "lake")     # the lake engine reads them as tables
    assert backend.con.execute("SELECT count(*) FROM qa_reviews").fetchone()[0] == 2
    backend.con.close()


def test_a_lake_written_before_the_review_tables_still_opens(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        export_lake(wh, tmp_path / "lake", Settings())
    path = tmp_path / "lake" / META / MANIFEST
    manifest = json.loads(path.read_text())
    for name in ("qa_reviews", "qa_calibration"):
        del manifest["tables"][name]
        shutil.rmtree(tmp_path / "lake" / name)
    path.write_text(json.dumps(manifest))
    backend = DuckDBBackend.over_lake(tmp_path / "lake")
    assert backend.con.execute("SELECT count(*) FROM calls").fetchone()[0] == 0
    backend.con.close()
