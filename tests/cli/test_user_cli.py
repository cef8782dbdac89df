"""`telekpi user token`: make one with a label and an expiry (printed once, alone on stdout,
so a script can keep it), list them without their secrets, revoke one; the old form
`telekpi user token NAME` still makes one. The user store stays readable by its owner only."""

from __future__ import annotations

import re
import stat

import pytest

from telekpi.web.auth import Users


@pytest.fixture
def db(tmp_path, run):
    path = tmp_path / "telekpi.duckdb"
    code, _, err = run("--db", path, "user", "add", "boss", "--role", "admin", "--password", "correct horse")
    assert code == 0, err
    return path


def test_make_list_and_revoke_tokens(db, run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    code, out, err = run("--db", db, "user", "token", "boss", "--label", "dialer", "--expires", "30d")
    assert code == 0, err
    secret = out.strip()
    assert re.fullmatch(r"tk_[\w-]{40,}", secret)                   # alone on stdout
    tid = re.search(r"token ([0-9a-f]{12}) for boss, expires ", err).group(1)
    assert "it is not shown again" in err
    code, out, err = run("--db", db, "user", "token", "create", "boss")   # the explicit form
    assert code == 0 and "never expires" in err
    code, out, _ = run("--db", db, "user", "token", "list")
    assert code == 0 and "2 API tokens" in out
    assert tid in out and "dialer" in out and "no expiry" in out and "not yet" in out and "active" in out
    assert "tk_" not in out
    code, out, _ = run("--db", db, "user", "token", "revoke", tid)
    assert code == 0 and out.strip() == f"revoked token {tid} of boss"
    code, out, _ = run("--db", db, "user", "token", "revoke", tid)
    assert code == 0 and f"token {tid} of boss was revoked already" in out
    code, out, _ = run("--db", db, "user", "token", "list", "boss")
    line = next(line for line in out.splitlines() if tid in line)
    assert "revoked" in line
    users = Users.beside(db)
    try:
        assert users.token(secret).status(users.clock()) == "revoked"
    finally:
        users.close()


def test_bad_expiry_user_or_id_is_one_sentence(db, run):
    code, _, err = run("--db", db, "user", "token", "boss", "--expires", "next week")
    assert code == 2 and err.strip() == ("telekpi: --expires takes a number of days such as 30d or "
                                         "a last day such as 2026-12-31, not 'next week'")
    code, _, err = run("--db", db, "user", "token", "boss", "--expires", "2001-01-01")
    assert code == 2 and err.strip() == "telekpi: --expires 2001-01-01 is in the past"
    code, _, err = run("--db", db, "user", "token", "list", "nobody")
    assert code == 2 and "no user 'nobody'" in err
    code, _, err = run("--db", db, "user", "token", "revoke", "0123456789ab")
    assert code == 1 and err.strip() == "telekpi: no API token '0123456789ab'"
    assert "Traceback" not in err


def test_the_user_store_is_readable_by_its_owner_only(db):
    assert stat.S_IMODE((db.parent / Users.FILE).stat().st_mode) == 0o600
