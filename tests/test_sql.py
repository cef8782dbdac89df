"""Quoting (telekpi/sql.py) writes what sqlglot renders for DuckDB, and what DuckDB reads back
as the text quoted, without loading sqlglot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
from hypothesis import given
from hypothesis import strategies as st
from sqlglot import exp

import telekpi
from telekpi.sql import identifier, string, value

TRICKY = ["", "it's", 'a"b', "a\\b", "\\'", "''", '""', "a\nb", "\t\r", "\x1b", "é 中 ไทย",
          "{x}", "$1", "--", "/* */", ";DROP TABLE calls", "\u2028", "x" * 300]


@given(st.text())
def test_a_string_literal_is_sqlglot_s(text):
    assert string(text) == exp.Literal.string(text).sql(dialect="duckdb")


@given(st.text(min_size=1))
def test_an_identifier_is_sqlglot_s(name):
    assert identifier(name) == exp.to_identifier(name, quoted=True).sql(dialect="duckdb")


def test_duckdb_reads_each_quoted_text_back():
    con = duckdb.connect()
    for text in TRICKY:
        assert con.execute(f"SELECT {string(text)}").fetchone()[0] == text
        if text and "\x00" not in text:
            assert con.execute(f"SELECT 1 AS {identifier(text)}").description[0][0] == text
    assert value(3) == "3" and value(2.5) == "2.5" and value(True) == "'True'" and value("x") == "'x'"


def test_quoting_loads_no_sqlglot():
    src = str(Path(telekpi.__file__).resolve().parents[1])
    code = ("import json, sys\nfrom telekpi.sql import identifier, string\n"
            "identifier('calls'); string('x')\nprint(json.dumps('sqlglot' in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": src})
    assert json.loads(proc.stdout) is False
