"""What a user's own commands leave in a workspace is theirs: `telekpi demo` replaces only a
warehouse that holds nothing but a demo's data (else it refuses in one sentence, and --force
overrides), the files are kept out of git, and the users' password hashes are the owner's
alone to read."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from telekpi.store.warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[2]


def calls_in(db: Path, call_id: str) -> int:
    with Warehouse(db) as wh:
        return wh.con.execute("SELECT count(*) FROM calls WHERE call_id = ?", [call_id]).fetchall()[0][0]


@pytest.mark.slow
def test_demo_never_replaces_data_it_did_not_generate(demo5, tmp_path, run):
    db = demo5                                                  # `demo --seed 5` made it (a copy)
    code, _, err = run("--db", db, "demo", "--seed", "4")     # a demo replaces a demo
    assert code == 0, err
    mine = tmp_path / "mine.csv"
    mine.write_text("call_id,started_at,status,talk_s\nMINE-1,2026-02-01 09:00:00,answered,30\n")
    code, _, err = run("--db", db, "import", "calls", mine, "--quiet")
    assert code == 0, err
    code, out, err = run("--db", db, "demo", "--seed", "5")
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "did not generate" in err and "--force" in err
    assert calls_in(db, "MINE-1") == 1                         # the imported call is still there
    code, _, err = run("--db", db, "demo", "--seed", "5", "--force")
    assert code == 0, err
    assert calls_in(db, "MINE-1") == 0


def test_demo_refuses_a_warehouse_it_did_not_make(tmp_path, run):
    db = tmp_path / "telekpi.duckdb"
    Warehouse(db).close()
    code, _, err = run("--db", db, "demo")
    assert code == 2 and "did not generate" in err and "Traceback" not in err


@pytest.mark.skipif(not shutil.which("git") or not (ROOT / ".git").exists(), reason="not a git checkout")
@pytest.mark.parametrize("path", ["telekpi.toml", "scorecards/in-house-sales.yaml", "uploads/20260101-calls.csv",
                                  "report.html", "telekpi-users.sqlite", "telekpi-users.sqlite-wal",
                                  "telekpi-alerts.sqlite", "telekpi-schedule.sqlite-shm", "telekpi.duckdb",
                                  "examples/bank-marketing/telekpi.toml", "demo/scorecards/x.yaml",
                                  "demo/demo-recordings/C000001.wav"])
def test_workspace_files_are_kept_out_of_git(path):
    r = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT, check=False)
    assert r.returncode == 0, f"{path} is not in .gitignore"


@pytest.mark.skipif(not shutil.which("git") or not (ROOT / ".git").exists(), reason="not a git checkout")
def test_the_projects_own_files_are_not_ignored():
    tracked = ["src/telekpi/reports/templates/report.html", "pyproject.toml", "src/telekpi/settings.py"]
    r = subprocess.run(["git", "check-ignore", "--no-index", *tracked], cwd=ROOT, capture_output=True,
                       text=True, check=False)
    assert r.stdout.strip() == ""


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_the_users_database_is_its_owners_alone(tmp_path):
    from telekpi.web.auth import Users

    old = os.umask(0o022)
    try:
        users = Users.beside(tmp_path / "telekpi.duckdb")
        users.add("boss", "correct horse", "admin", (), None)
        files = [p for p in tmp_path.iterdir() if p.name.startswith(Users.FILE)]
        assert {p.name for p in files} >= {Users.FILE}
        for p in files:                                        # the database, and its -wal and -shm
            assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0, (p.name, oct(p.stat().st_mode))
        users.close()
        loose = tmp_path / "old" / Users.FILE                  # one made before: tightened
        loose.parent.mkdir()
        loose.touch(mode=0o644)
        Users(loose).close()
        assert stat.S_IMODE(loose.stat().st_mode) == 0o600
    finally:
        os.umask(old)
