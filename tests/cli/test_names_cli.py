"""CLI tables name agents, teams and campaigns (issue 24); ``--ids`` shows the ids; CSV and
JSON keep the ids, CSV with a name column beside each (formula-looking names neutralised)."""

from __future__ import annotations

import csv
import io

import pytest

from telekpi.store.warehouse import Warehouse


@pytest.fixture
def named_db(tiny_db):
    with Warehouse(tiny_db) as wh:
        wh.con.execute("UPDATE agents SET name = 'Nguyễn Minh Sơn' WHERE agent_id = 'a1'")
        wh.con.execute("UPDATE agents SET name = '=2+3' WHERE agent_id = 'a2'")
        wh.con.execute("INSERT INTO teams (team_id, name) VALUES ('t1', 'Hà Nội Sales')")
        wh.con.execute("INSERT INTO campaigns (campaign_id, name) VALUES ('k1', 'Flash sale điện máy')")
    return tiny_db


def test_kpi_by_agent_shows_names_and_ids_with_ids(named_db, run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    code, out, err = run("--db", named_db, "--lang", "en", "kpi", "calls", "--by", "agent")
    assert code == 0, err
    assert "Nguyễn Minh Sơn" in out and "=2+3" in out and "a1 " not in out
    code, out, err = run("--db", named_db, "--lang", "en", "kpi", "calls", "--by", "agent", "--ids")
    assert code == 0, err
    assert "a1" in out and "a2" in out and "Nguyễn Minh Sơn" not in out


def test_a_value_with_no_name_is_its_id(named_db, run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    code, out, _ = run("--db", named_db, "--lang", "en", "kpi", "calls", "--by", "team")
    assert code == 0 and "Hà Nội Sales" in out and "t2" in out   # t2 has no row in teams


def test_csv_keeps_ids_and_adds_names(named_db, run):
    code, out, err = run("--db", named_db, "kpi", "calls", "--by", "agent", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0])[:2] == ["agent", "agent_name"]
    by = {r["agent"]: r["agent_name"] for r in rows}
    assert by["a1"] == "Nguyễn Minh Sơn" and by["a2"] == "'=2+3" and by[""] == ""
    code, out, _ = run("--db", named_db, "kpi", "calls", "--by", "campaign", "--format", "csv")
    assert "k1,Flash sale điện máy," in out


def test_json_keeps_the_ids(named_db, run_json):
    data = run_json("--db", named_db, "kpi", "calls", "--by", "agent")
    assert {r["agent"] for r in data["rows"]} == {"a1", "a2", None}
