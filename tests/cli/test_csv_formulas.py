"""`--format csv` is opened in spreadsheets: a name that is a formula is written so that none
runs it (a leading quote, as OWASP recommends); `--format json`, read by programs, stays exact."""

import csv
import io
import json

from ..conftest import EVIL_AGENT, EVIL_CAMPAIGN


def test_kpi_csv_quotes_formula_like_dimension_values(hostile_db, run):
    code, out, err = run("--db", hostile_db, "kpi", "calls", "--by", "agent", "--from", "2026-03-01",
                         "--to", "2026-03-31", "--format", "csv")
    assert code == 0, err
    agents = {r["agent"] for r in csv.DictReader(io.StringIO(out))}
    assert "'" + EVIL_AGENT in agents and EVIL_AGENT not in agents
    assert not any(line.startswith(("=", "+", "-", "@")) for line in out.splitlines())
    code, out, err = run("--db", hostile_db, "kpi", "calls", "--by", "campaign", "--from", "2026-03-01",
                         "--to", "2026-03-31", "--format", "csv")
    assert code == 0, err
    assert out.splitlines()[1].startswith("'" + EVIL_CAMPAIGN + ",")


def test_kpi_json_keeps_the_values_exact(hostile_db, run):
    code, out, err = run("--db", hostile_db, "kpi", "calls", "--by", "agent", "--from", "2026-03-01",
                         "--to", "2026-03-31", "--format", "json")
    assert code == 0, err
    assert EVIL_AGENT in {r["agent"] for r in json.loads(out)["rows"]}
