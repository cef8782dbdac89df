"""`telekpi metrics`, `kpi`, `funnel` through the real entry point."""

import json
import subprocess
import sys

import pytest

from telekpi.catalog.loader import load_catalog


def test_kpi_json_contract(tiny_db, run_json):
    data = run_json("--db", tiny_db, "kpi", "calls", "connection_rate", "revenue",
                    "--by", "agent", "--period", "month")
    assert data["metrics"] == ["calls", "connection_rate", "revenue"]
    assert data["by"] == ["agent"] and data["period"] == "month"
    rows = {(r["agent"], r["period"]): r for r in data["rows"]}
    # c1 (16:30 UTC on 31 Jan = 23:30 local) and c2 (00:30 local on 1 Feb) split across months.
    assert rows[("a1", "2026-01-01")]["calls"] == 1
    assert rows[("a1", "2026-02-01")]["calls"] == 1
    assert rows[("a1", "2026-01-01")]["revenue"] == 1000
    assert rows[("a1", "2026-02-01")]["revenue"] == 0  # the cancelled order counts zero
    assert rows[(None, "2026-02-01")]["connection_rate"] == 0.0
    assert all(isinstance(k, str) for r in data["rows"] for k in (r["period"],))


def test_kpi_null_on_zero_denominator(tiny_db, run_json):
    data = run_json("--db", tiny_db, "kpi", "aht", "csat", "--by", "agent")
    by_agent = {r["agent"]: r for r in data["rows"]}
    assert by_agent[None]["aht"] is None          # no connected call
    assert by_agent["a1"]["csat"] is None         # no survey
    assert by_agent["a1"]["aht"] == 130.0


def test_kpi_from_to_are_local_and_inclusive(tiny_db, run_json):
    data = run_json("--db", tiny_db, "kpi", "calls", "--from", "2026-01-31", "--to", "2026-01-31")
    assert data["rows"] == [{"calls": 1}]
    data = run_json("--db", tiny_db, "kpi", "calls", "--from", "2026-02-01")
    assert data["rows"] == [{"calls": 3}]


def test_kpi_where_and_ci(tiny_db, run_json):
    data = run_json("--db", tiny_db, "kpi", "connection_rate", "--where", "team=t1", "--ci")
    row = data["rows"][0]
    assert row["connection_rate"] == 0.5
    assert 0 < row["connection_rate_ci_low"] < 0.5 < row["connection_rate_ci_high"] < 1


def test_kpi_csv_and_table(tiny_db, run):
    code, out, _ = run("--db", tiny_db, "kpi", "calls", "drop_rate", "--by", "site", "--format", "csv")
    assert code == 0
    assert out.splitlines()[0] == "site,calls,drop_rate"
    code, out, _ = run("--db", tiny_db, "kpi", "calls", "aht", "drop_rate")
    assert code == 0 and "1:22" in out and "33.3%" in out and "above the 3 % regulatory cap" in out


def test_kpi_explain_shows_sql(tiny_db, run):
    code, out, _ = run("--db", tiny_db, "kpi", "connection_rate", "--by", "team", "--explain")
    assert code == 0
    assert "SELECT" in out and "LEFT JOIN agents AS a" in out and "-- step:" in out


def test_bad_usage_is_one_sentence_exit_2(tiny_db, run):
    """The engine's errors name the options and arguments as typed here (the API's own
    words, ``by=``, are tested in tests/web/test_api.py)."""
    for args, needle in [
        (["kpi", "nope"], "unknown metric 'nope'; `telekpi metrics` lists the ids"),
        (["kpi", "calls", "--by", "colour"], "unknown dimension 'colour' in --by; expected one of: agent,"),
        (["kpi", "calls", "--where", "colour=red"], "unknown dimension 'colour' in --where"),
        (["kpi", "calls", "--by", "team", "--by", "team"], "dimension 'team' is given twice in --by"),
        (["kpi", "revenue", "--by", "status"], "cannot be split or filtered by 'status'"),
        (["kpi", "revenue_growth"], "add --period (month for month-over-month"),
        (["kpi", "calls", "--from", "31/01/2026"], "expected YYYY-MM-DD"),
        (["kpi", "calls", "--where", "team"], "--where team must look like DIM=VALUE"),
        (["kpi", "calls", "--from", "2026-02-02", "--to", "2026-02-01"],
         "--from 2026-02-02 is after --to 2026-02-01"),
    ]:
        code, _, err = run("--db", tiny_db, *args)
        assert code == 2, (args, err)
        assert needle in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1
        assert "=" not in err.replace("DIM=VALUE", "").replace("team=T1", ""), err


@pytest.mark.parametrize("request_, cli, plain", [
    ({"metrics": ("calls",), "period": "fortnight"},
     "--period fortnight is not one of: day, week, month, quarter, year",
     "period fortnight is not one of: day, week, month, quarter, year"),
    ({"metrics": ()}, "name at least one metric; `telekpi metrics` lists them",
     "name at least one metric; the metric catalog lists them"),
    ({"metrics": ("calls",), "by": ("agent",), "where": (("colour", "red"),)},
     "unknown dimension 'colour' in --where;", "unknown dimension 'colour' in where;"),
])
def test_what_click_does_not_check_is_worded_as_options_too(request_, cli, plain):
    """Errors the engine finds in a request that Click let through (or a Python caller
    built): the CLI words them as its options; with no front end they name plain fields."""
    from telekpi.cli.errors import cli_message
    from telekpi.engine.planner import Planner
    from telekpi.engine.request import Request
    from telekpi.errors import QueryError
    from telekpi.settings import Settings

    with pytest.raises(QueryError) as e:
        Planner(load_catalog(None), Settings()).plan(Request(**request_))
    assert cli in cli_message(e.value)
    assert plain in e.value.user_message() and str(e.value) == e.value.user_message()


def test_missing_warehouse(tmp_path, run):
    code, _, err = run("--db", tmp_path / "none.duckdb", "kpi", "calls")
    assert code == 2 and "no warehouse here yet" in err


def test_funnel_json(tiny_db, run_json):
    data = run_json("--db", tiny_db, "funnel")
    g = data["groups"][0]
    assert [s["stage"] for s in g["stages"]] == ["attempted", "connected", "decision_maker",
                                                  "qualified", "won"]
    assert [s["leads"] for s in g["stages"]] == [3, 2, 1, 1, 1]
    assert g["bottleneck"]["metric"] is None and "too few to judge" in g["bottleneck"]["message"]


def test_metrics_lists_catalog(tmp_path, run_json):
    rows = run_json("--db", tmp_path / "x.duckdb", "metrics")
    assert {r["id"] for r in rows} == set(load_catalog(None).metrics)


def test_user_metric_error_names_file_and_line(tmp_path, run):
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "mine.yaml").write_text(
        "metrics:\n  - id: x\n    name: X\n    description: d\n    measure: nope\n")
    code, _, err = run("--db", tmp_path / "x.duckdb", "metrics")
    assert code == 2
    assert "mine.yaml:5" in err and "'nope' is not a measure" in err


def test_real_executable(tiny_db):
    proc = subprocess.run([sys.executable, "-m", "telekpi", "--db", str(tiny_db), "kpi", "calls",
                           "--format", "json"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["rows"] == [{"calls": 4}]


def test_zero_in_a_currency_without_cents_prints_0(tiny_db, run):
    """The workspace is in VND: the outsourced site's revenue of nothing is "0", not "0.00"."""
    import re

    code, out, err = run("--db", tiny_db, "--lang", "en", "kpi", "revenue", "calls", "--by", "site")
    assert code == 0, err
    assert re.search(r"outsourced\s*│\s*0\s*│", out) and "0.00" not in out
    assert re.search(r"in_house\s*│\s*1,000\s*│", out)
