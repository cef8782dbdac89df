"""`import --follow`: growing logs, half-written lines, restarts, rotation, truncation."""

import signal
import subprocess
import sys
import threading
import time
from contextlib import nullcontext
from itertools import pairwise
from pathlib import Path

import pytest

from telekpi.errors import UsageError
from telekpi.ingest.follow import Follower
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)

HERE = Path(__file__).parent / "fixtures" / "asterisk"
LOG = (HERE / "queue_log").read_text().splitlines(keepends=True) + \
    (HERE / "queue_log.1").read_text().splitlines(keepends=True)


def follow_once(db, path, **kw):
    with Warehouse(db) as wh:
        f = Follower(path, "calls", Settings(), lambda: nullcontext(wh), **kw)
        results = f.poll()
        return results, f.notes


def state(db):
    with Warehouse(db) as wh:
        calls = wh.con.execute("SELECT call_id, status, talk_s FROM calls ORDER BY 1").fetchall()
        states = wh.con.execute("SELECT count(*) FROM agent_states").fetchall()[0][0]
        imported = wh.con.execute("SELECT \"table\", sum(rows_read) FROM imports GROUP BY 1 ORDER BY 1").fetchall()
    return calls, states, imported


def whole(tmp_path):
    p = tmp_path / "whole" / "queue_log"
    p.parent.mkdir()
    p.write_text("".join(LOG))
    follow_once(tmp_path / "whole" / "w.duckdb", p)
    return state(tmp_path / "whole" / "w.duckdb")


def test_growing_log_with_a_half_written_line_and_restarts(tmp_path):
    expected = whole(tmp_path)
    log, db = tmp_path / "queue_log", tmp_path / "w.duckdb"
    text = "".join(LOG)
    cuts = [0, 180, 181, 700, 701, 1111, len(text)]   # some cut inside a line
    for a, b in pairwise(cuts):
        with open(log, "a") as f:
            f.write(text[a:b])
        follow_once(db, log)        # a new Follower each time: a restart
    assert state(db)[:2] == expected[:2]
    assert len(expected[0]) == 6
    # every row was imported exactly once over all the rounds
    assert state(db)[2] == expected[2]


def test_rotation_by_rename_reads_the_rest_of_the_old_file_first(tmp_path):
    expected = whole(tmp_path)
    log, db = tmp_path / "queue_log", tmp_path / "w.duckdb"
    log.write_text("".join(LOG[:10]))
    follow_once(db, log)
    with open(log, "a") as f:
        f.write("".join(LOG[10:15]))
    log.rename(tmp_path / "queue_log.1")          # logrotate: the old file keeps its inode
    log.write_text("".join(LOG[15:]))
    results, notes = follow_once(db, log)
    assert {r.path.name for r in results} == {"queue_log.1", "queue_log"}
    assert notes == []
    assert state(db)[:2] == expected[:2]


def test_truncated_in_place_is_read_again_from_the_start(tmp_path):
    log, db = tmp_path / "queue_log", tmp_path / "w.duckdb"
    log.write_text("".join(LOG[:10]))
    follow_once(db, log)
    log.write_text("".join(LOG[10:12]))            # copytruncate, then two new lines
    _, notes = follow_once(db, log)
    assert any("truncated" in n for n in notes)
    with Warehouse(db) as wh:
        assert wh.con.execute('SELECT "offset", line FROM follow_offsets WHERE "table" = \'calls\'').fetchall() == [
            (len("".join(LOG[10:12]).encode()), 2)]


def test_rotated_file_gone_is_said(tmp_path):
    log, db = tmp_path / "queue_log", tmp_path / "w.duckdb"
    log.write_text("".join(LOG[:10]))
    follow_once(db, log)
    log.unlink()
    log.write_text("".join(LOG[10:]))
    _, notes = follow_once(db, log)
    # The new file may even get the old inode back; then its first bytes tell it apart.
    assert any("no longer in" in n or "replaced" in n for n in notes)
    with Warehouse(db) as wh:
        assert wh.con.execute('SELECT line FROM follow_offsets WHERE "table" = \'calls\'').fetchall() == [
            (len(LOG) - 10,)]


def test_follows_a_master_csv(tmp_path):
    lab = (HERE / "asterisk-cdr-custom-lab.csv").read_text().splitlines(keepends=True)
    log, db = tmp_path / "Master.csv", tmp_path / "w.duckdb"
    log.write_text("".join(lab[:5]) + lab[5][:30])
    follow_once(db, log)
    with Warehouse(db) as wh:
        assert wh.count("calls") == 5
    with open(log, "a") as f:
        f.write(lab[5][30:] + "".join(lab[6:]))
    follow_once(db, log)
    with Warehouse(db) as wh:
        assert wh.count("calls") == 14
        assert wh.con.execute("SELECT sum(rows_read) FROM imports").fetchall()[0][0] == 14


def test_quarantine_keeps_lines_of_the_whole_file(tmp_path):
    log, db = tmp_path / "queue_log", tmp_path / "w.duckdb"
    log.write_text("".join(LOG[:3]) + "garbage|x\n")
    follow_once(db, log)
    with open(log, "a") as f:
        f.write("".join(LOG[3:6]) + "1700000100|z|q|NONE|NOSUCHEVENT|\n")
    follow_once(db, log)
    with Warehouse(db) as wh:
        q = wh.con.execute("SELECT source, line FROM quarantine ORDER BY line").fetchall()
    assert q == [(str(log.resolve()), 4), (str(log.resolve()), 8)]


def test_a_file_read_whole_cannot_be_followed(tmp_path):
    p = tmp_path / "calls.csv"
    p.write_text("call_id,started_at,status\n1,2026-01-01 10:00,answered\n")
    with pytest.raises(UsageError, match="--follow"):
        follow_once(tmp_path / "w.duckdb", p, fmt="csv")


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_the_cli_follows_until_ctrl_c_or_sigterm(tmp_path, sig):
    log, db = tmp_path / "queue_log", tmp_path / "w.duckdb"
    log.write_text("".join(LOG[:9]))
    exe = Path(sys.executable).parent / "telekpi"
    proc = subprocess.Popen([str(exe), "--db", str(db), "import", "calls", "--follow", str(log),
                             "--interval", "0.2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out: list[str] = []
    errs: list[str] = []
    readers = [threading.Thread(target=lambda: out.extend(iter(proc.stdout.readline, "")), daemon=True),
               threading.Thread(target=lambda: errs.extend(iter(proc.stderr.readline, "")), daemon=True)]
    for r in readers:
        r.start()

    def wait_for(n: int) -> None:
        deadline = time.monotonic() + 60
        while sum("→ calls" in x for x in out) < n and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)

    try:
        wait_for(1)                # the first nine lines are in
        with open(log, "a") as f:
            f.write("".join(LOG[9:]))
        wait_for(2)                # and the rest, in a later round
    finally:
        proc.send_signal(sig)
        proc.wait(timeout=60)
        for r in readers:
            r.join(timeout=10)
        proc.stderr.close()
        proc.stdout.close()
    err = "".join(errs)
    assert proc.returncode == 0, err
    assert "stopped" in err and "Traceback" not in err
    assert sum("→ calls" in x for x in out) >= 2
    with Warehouse(db) as wh:
        assert wh.count("calls") == 6
