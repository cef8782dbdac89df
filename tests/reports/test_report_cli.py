"""`telekpi report` through the real entry point: file types, languages and clear errors."""

from __future__ import annotations

import openpyxl
import pytest

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)


def test_report_writes_each_type(centre, tmp_path, run):
    for ext in ("html", "xlsx"):
        code, out, err = run("--db", centre, "report", "-o", tmp_path / f"r.{ext}", "--from", "2026-11-01",
                             "--to", "2026-11-07")
        assert code == 0, err
        assert (tmp_path / f"r.{ext}").stat().st_size > 10_000
        assert "2026-11-01 – 2026-11-07" in out
    assert not list(tmp_path.glob(".r-*"))          # no temporary file left behind


def test_lang_after_the_command_and_template(centre, tmp_path, run):
    code, out, err = run("--db", centre, "report", "--lang", "vi", "-o", tmp_path / "r.xlsx",
                         "--template", centre.parent / "scorecards" / "in-house-sales.yaml")
    assert code == 0, err
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert any("t_scorecard" in ws.tables for ws in wb)


def test_report_errors_are_one_sentence(centre, tmp_path, run):
    cases = [
        (("-o", tmp_path / "r.docx"), "must end in .html, .xlsx, .pdf"),
        (("-o", tmp_path / "nowhere" / "r.html"), "does not exist"),
        (("-o", tmp_path / "r.html", "--from", "2026-13-01"), "--from '2026-13-01' is not a date"),
        (("-o", tmp_path / "r.html", "--template", tmp_path / "none.yaml"), "none.yaml"),
    ]
    for args, text in cases:
        code, out, err = run("--db", centre, "report", *args)
        assert code == 2, (args, err)
        assert text in err and "Traceback" not in err and err.count("\n") == 1, err
    code, out, err = run("--db", centre, "--lang", "klingon", "report", "-o", tmp_path / "r.html")
    assert code == 2 and "--lang 'klingon'" in err
