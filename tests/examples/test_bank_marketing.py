"""examples/bank-marketing: the README's commands, run through the real CLI on the real
file, print the facts published with the data set (45,211 clients, 11.70 % subscribed),
and the by-month and by-channel numbers match a plain-Python count over the CSV."""

from __future__ import annotations

import collections
import contextlib
import csv
import io
import json
import os
import re
import shlex
from pathlib import Path
from unittest import mock

import pytest

from telekpi.cli.app import main

pytestmark = pytest.mark.slow   # imports 45,211 real rows

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "bank-marketing"
README = EXAMPLE / "README.md"
DATA = EXAMPLE / "bank-full.csv"
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def readme_commands() -> list[list[str]]:
    """The `telekpi ...` lines of the README's sh blocks, split as the shell would."""
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.DOTALL)
    return [shlex.split(line) for b in blocks for line in b.splitlines() if line.startswith("telekpi ")]


def cli(args: list[str], db: Path) -> tuple[int, str]:
    """One README command through the real entry point, against ``db``, from the example folder."""
    assert args[:3] == ["telekpi", "--db", "bank.duckdb"], args
    argv = ["--db", str(db)] + args[3:]
    out = io.StringIO()
    # piped output is 160 columns wide, as in the README, whatever COLUMNS the runner has
    with contextlib.chdir(EXAMPLE), contextlib.redirect_stdout(out), \
            mock.patch.dict(os.environ, {"COLUMNS": "160"}):
        code = main(argv)
    return code, out.getvalue()


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    """The warehouse after the README's import commands; also returns their output."""
    db = tmp_path_factory.mktemp("bank") / "bank.duckdb"
    outputs = []
    for args in readme_commands():
        if args[3] == "import":
            code, out = cli(args, db)
            assert code == 0, out
            outputs.append(out)
    return db, outputs


@pytest.fixture(scope="module")
def truth():
    """Counts and subscriptions per month and per contact channel, with csv over the file."""
    with open(DATA, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    by = {"month": collections.defaultdict(lambda: [0, 0]), "contact": collections.defaultdict(lambda: [0, 0])}
    for r in rows:
        for key in by:
            by[key][r[key]][0] += 1
            by[key][r[key]][1] += r["y"] == "yes"
    durations = [int(r["duration"]) for r in rows]
    return {"rows": len(rows), "yes": sum(r["y"] == "yes" for r in rows), "by": by,
            "talk": sum(durations), "answered": sum(d > 0 for d in durations)}


def kpi_json(db: Path, *args: str) -> list[dict]:
    code, out = cli(["telekpi", "--db", "bank.duckdb", "kpi", *args, "--format", "json"], db)
    assert code == 0, out
    return json.loads(out)["rows"]


def test_readme_imports_every_row(bank):
    _, outputs = bank
    assert len(outputs) == 2
    for out, table in zip(outputs, ("calls", "leads"), strict=True):
        assert f"→ {table} (csv): 45,211 rows read: 45,211 inserted" in out
        assert " 0 quarantined" in out


def test_every_readme_command_runs_and_prints_what_the_readme_shows(bank):
    db, _ = bank
    readme = README.read_text(encoding="utf-8")
    commands = [a for a in readme_commands() if a[3] != "import"]
    assert len(commands) >= 6
    for args in commands:
        code, out = cli(args, db)
        assert code == 0, (args, out)
        assert out.strip(), args
        # Each printed line (trailing spaces aside) is pasted in the README.
        for line in out.splitlines():
            if line.strip():
                assert line.rstrip() in readme, (args, line)


def test_published_facts(bank, truth):
    db, _ = bank
    assert truth["rows"] == 45_211
    [row] = kpi_json(db, "leads_attempted", "leads_won", "lead_conversion_rate",
                     "call_conversion_rate", "calls", "leads")
    assert row["leads_attempted"] == row["calls"] == row["leads"] == 45_211
    assert row["leads_won"] == truth["yes"] == 5_289
    assert f"{row['lead_conversion_rate']:.2%}" == "11.70%"
    assert row["call_conversion_rate"] == pytest.approx(row["lead_conversion_rate"])


def test_conversion_by_month_matches_the_file(bank, truth):
    db, _ = bank
    rows = kpi_json(db, "leads_attempted", "lead_conversion_rate", "--period", "month")
    got = {MONTHS[int(r["period"][5:7]) - 1]: r for r in rows}
    assert all(r["period"].startswith("2008-") for r in rows)   # the nominal year
    assert set(got) == set(truth["by"]["month"])
    for month, (n, yes) in truth["by"]["month"].items():
        assert got[month]["leads_attempted"] == n
        assert got[month]["lead_conversion_rate"] == pytest.approx(yes / n)
    assert got["may"]["leads_attempted"] == 13_766
    assert f"{got['may']['lead_conversion_rate']:.2%}" == "6.72%"
    assert f"{got['mar']['lead_conversion_rate']:.2%}" == "51.99%"


def test_conversion_by_channel_matches_the_file(bank, truth):
    db, _ = bank
    got = {r["lead_source"]: r for r in kpi_json(db, "leads_attempted", "lead_conversion_rate",
                                                  "--by", "lead_source")}
    assert set(got) == {"cellular", "telephone", "unknown"}
    for channel, (n, yes) in truth["by"]["contact"].items():
        assert got[channel]["leads_attempted"] == n
        assert got[channel]["lead_conversion_rate"] == pytest.approx(yes / n)
    assert f"{got['cellular']['lead_conversion_rate']:.2%}" == "14.92%"


def test_talk_time_and_calls_per_client(bank, truth):
    db, _ = bank
    [row] = kpi_json(db, "connected_calls", "talk_time", "avg_talk_time", "aht", "attempts_per_lead")
    assert row["connected_calls"] == truth["answered"] == 45_208   # 3 rows have duration 0
    assert row["talk_time"] == truth["talk"]
    assert row["avg_talk_time"] == pytest.approx(truth["talk"] / truth["answered"])
    assert row["aht"] == pytest.approx(row["avg_talk_time"])
    assert row["attempts_per_lead"] == 1   # only the last call is in the file
    seg = {r["segment"]: r["leads_attempted"] for r in kpi_json(db, "leads_attempted", "--by", "segment")}
    assert seg["01"] == 17_544 and seg["02"] == 12_505
    assert sum(seg.values()) == 45_211
