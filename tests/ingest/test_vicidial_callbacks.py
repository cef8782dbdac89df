"""VICIdial's callback list (vicidial_callbacks) → scheduled_callbacks: detection from the
header, hand-checked rows, every status and recipient, bad rows quarantined with their line,
re-import, the CLI, and a property test."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from telekpi.ingest.pipeline import import_file
from telekpi.ingest.registry import detect_format
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse

from .samples import reimport_changes_nothing

# Written from VICIdial's schema (extras/MySQL_AST_CREATE_tables.sql, CREATE TABLE
# vicidial_callbacks: the 18 columns of current versions, customer_time last).
FIX = Path(__file__).parent / "fixtures" / "vicidial"
CALLBACKS = FIX / "vicidial_callbacks.csv"
UTC = dt.UTC
HEAD = ["callback_id", "lead_id", "list_id", "campaign_id", "status", "entry_time", "callback_time",
        "modify_date", "user", "recipient", "comments", "user_group"]   # an older version's 12


def quarantine(wh, path):
    return wh.con.execute('SELECT line, "column", reason FROM quarantine WHERE source = ? ORDER BY line',
                          [str(Path(path).resolve())]).fetchall()


def test_the_callback_list_is_detected_by_its_header(tmp_path):
    assert detect_format(CALLBACKS).name == "vicidial-callbacks"
    old = tmp_path / "callbacks_12.tsv"        # an older version's columns, tab separated
    old.write_text("\t".join(HEAD) + "\n1\t2\t3\tC\tACTIVE\t2026-01-31 09:00:00\t2026-02-01 09:00:00\t"
                   "2026-01-31 09:00:00\t6001\tUSERONLY\t\tSALES\n")
    assert detect_format(old).name == "vicidial-callbacks"
    other = tmp_path / "leads.csv"              # a lead list with a callback_time is not one
    other.write_text("lead_id,campaign_id,callback_time,phone\n1,C,2026-02-01 09:00,0912\n")
    assert detect_format(other).name == "csv"


def test_callback_list_rows_hand_checked(ws, db, settings, rows_of):
    with Warehouse(db) as wh:
        r = import_file(wh, "scheduled_callbacks", CALLBACKS, settings)
        q = quarantine(wh, CALLBACKS)
    # 10 lines below the header, one blank: 9 rows.
    assert (r.format, r.counts.rows_read, r.counts.inserted, r.counts.quarantined) == (
        "vicidial-callbacks", 9, 4, 5)
    assert [(line, col) for line, col, _ in q] == [
        (4, "callback_id"),    # 503 comes again on line 11 (moved to 16:30), which wins
        (5, "due_at"),         # callback_time 0000-00-00 00:00:00, MySQL's zero date
        (6, "status"),         # PENDING: not a status VICIdial has
        (9, "recipient"),      # EVERYONE: not a recipient VICIdial has
        (10, "scheduled_at")]  # entry_time 'tomorrow'
    assert "'0000-00-00 00:00:00'" in q[1][2] and "'PENDING' is not one of open, closed" in q[2][2]
    rows = {r[0]: r for r in rows_of("scheduled_callbacks", "callback_id, scheduled_at, due_at, lead_id, "
                                     "campaign_id, agent_id, recipient, status, comments")}
    # Line 2: set by 6001 at 09:05:12 Ho Chi Minh time (02:05:12 UTC), for 10:00 on the 2nd.
    assert rows["501"] == ("501", dt.datetime(2026, 1, 31, 2, 5, 12, tzinfo=UTC),
                           dt.datetime(2026, 2, 2, 3, 0, tzinfo=UTC), "1003", "TELESALE", "6001",
                           "agent", "open", "call after payday")
    # Line 3: LIVE (due, on the agent's screen) is still open; ANYONE may make it.
    assert rows["502"][5:8] == ("6002", "anyone", "open")
    # Line 11: INACTIVE is closed; its later line replaced line 4 (the time moved to 16:30).
    assert rows["503"][2] == dt.datetime(2026, 1, 31, 9, 30, tzinfo=UTC)
    assert rows["503"][7:] == ("closed", "moved to 16:30")
    # Line 8: lower-case codes read as VICIdial's; the dialer's own user VDAD is no agent.
    assert rows["506"][5:8] == (None, "anyone", "open")


def test_reimport_changes_nothing(ws, db, settings):
    with Warehouse(db) as wh:
        first = import_file(wh, "scheduled_callbacks", CALLBACKS, settings).counts
        again = reimport_changes_nothing(wh, CALLBACKS, settings, "scheduled_callbacks")
    assert again.unchanged == first.inserted and again.quarantined == first.quarantined


def test_cli_imports_the_callback_list(ws, db, run):
    code, out, err = run("--db", db, "import", "scheduled_callbacks", CALLBACKS)
    assert code == 0, err
    assert "(vicidial-callbacks): 9 rows read: 4 inserted, 0 updated, 0 unchanged, 5 quarantined" in out
    code, out, err = run("--db", db, "import", "calls", CALLBACKS, "--format", "vicidial-callbacks")
    assert code == 2 and "fills scheduled_callbacks, not calls" in err


# --- properties -------------------------------------------------------------------------------

callback_row = st.fixed_dictionaries({
    "callback_id": st.sampled_from(["1", "2", "3", ""]),
    "status": st.sampled_from(["ACTIVE", "LIVE", "INACTIVE", "ARCHIVE", "live", "X", ""]),
    "recipient": st.sampled_from(["USERONLY", "ANYONE", "anyone", "ALL", ""]),
    "entry_time": st.sampled_from(["2026-01-31 09:00:00", "0000-00-00 00:00:00", ""]),
    "callback_time": st.sampled_from(["2026-02-01 10:00:00", "later"]),
    "user": st.sampled_from(["6001", "VDAD", ""]),
})


def callbacks_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEAD)
    for r in rows:
        w.writerow([r["callback_id"], "7", "101", "TELESALE", r["status"], r["entry_time"],
                    r["callback_time"], r["entry_time"], r["user"], r["recipient"], "", "SALES"])
    return buf.getvalue()


def callback_ok(r: dict) -> bool:
    """The import's verdict, restated for these values."""
    return (r["callback_id"] != "" and r["status"].upper() in ("ACTIVE", "LIVE", "INACTIVE", "ARCHIVE", "")
            and r["recipient"].upper() in ("USERONLY", "ANYONE", "")
            and r["entry_time"].startswith("2026") and r["callback_time"].startswith("2026"))


@pytest.mark.slow
@given(st.lists(callback_row, max_size=10))
@hsettings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_property_nothing_lost_and_reimport_is_a_no_op(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("vici")
    p = folder / "vicidial_callbacks.csv"
    p.write_text(callbacks_csv(rows))
    settings = Settings(timezone="Asia/Ho_Chi_Minh")
    with Warehouse(folder / "w.duckdb") as wh:
        first = import_file(wh, "scheduled_callbacks", p, settings, fmt="vicidial-callbacks")
        again = reimport_changes_nothing(wh, p, settings, "scheduled_callbacks", fmt="vicidial-callbacks")
    c = first.counts
    assert c.rows_read == len(rows)
    assert c.inserted + c.updated + c.unchanged + c.quarantined == c.rows_read
    # of the good rows, the last of each id stands
    assert c.inserted == len({r["callback_id"] for r in rows if callback_ok(r)})
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, c.inserted)
