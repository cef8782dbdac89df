"""A small demo centre (seed 5, Ho Chi Minh, VND) and its reports, written once per session."""

from __future__ import annotations

from datetime import date

import pytest

from telekpi.engine.engine import Engine

START, END = date(2026, 11, 1), date(2026, 11, 20)


@pytest.fixture(scope="session")
def centre(tmp_path_factory, small_demo):
    ws = tmp_path_factory.mktemp("reports")
    (ws / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\ncurrency = "VND"\nmin_sample = 30\n',
                                     encoding="utf-8")
    db = small_demo(ws / "telekpi.duckdb", 5)
    from telekpi.cli.demo_cmd import copy_example_templates

    copy_example_templates(ws)
    return db


@pytest.fixture
def engine(centre):
    e = Engine.open(centre)
    yield e
    e.close()
