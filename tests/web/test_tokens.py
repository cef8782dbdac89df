"""Issue 22, tokens: they could not be revoked and never expired. Now each has an id, an
optional expiry, its last use and a revocation; expired and revoked ones get 401 with
one sentence; the API tokens page lists them with last use and makes and revokes them;
a store made before these columns still loads and its tokens still work."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from telekpi.errors import NotFoundError, UsageError
from telekpi.web.auth import LAST_USE_EVERY, Users, expiry, token_id

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)

UTC = ZoneInfo("UTC")


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def users(tmp_path):
    store = Users(tmp_path / Users.FILE, clock=Clock())
    store.add("boss", "correct horse", "admin")
    store.add("ann", "correct horse", "agent", agent_id="A001")
    yield store
    store.close()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# -- the store ---------------------------------------------------------------------------
def test_tokens_are_listed_by_id_never_by_secret(users):
    secret = users.new_token("boss", "dialer", users.clock() + 86400)
    users.clock.now += 1
    users.new_token("ann")
    listed = users.tokens()
    assert [t.name for t in listed] == ["boss", "ann"]
    assert listed[0].id == token_id(secret) and len(listed[0].id) == 12 and listed[0].id not in secret
    assert listed[0].label == "dialer" and listed[0].expires_at == listed[0].created_at + 86400
    assert [t.name for t in users.tokens("ann")] == ["ann"]
    raw = sqlite3.connect(users.path).execute("SELECT * FROM tokens").fetchall()
    assert secret not in repr(raw)


def test_expiry_revocation_and_status(users):
    clock = users.clock
    secret = users.new_token("boss", None, clock() + 3600)
    assert users.token(secret).status(clock()) == "active"
    clock.now += 3600
    assert users.token(secret).status(clock()) == "expired"
    other = users.new_token("boss")
    users.revoke(token_id(other))
    assert users.token(other).status(clock()) == "revoked"
    again = users.revoke(token_id(other))                       # revoking twice changes nothing
    assert again.revoked_at == users.token(other).revoked_at


def test_revoking_someone_elses_token_or_no_token_is_not_found(users):
    secret = users.new_token("boss")
    with pytest.raises(NotFoundError, match="no API token"):
        users.revoke(token_id(secret), "ann")
    with pytest.raises(NotFoundError, match="no API token 'nothex'"):
        users.revoke("nothex")
    assert users.token(secret).revoked_at is None


def test_last_use_is_written_at_most_once_a_minute(users):
    secret = users.new_token("boss")
    users.used(users.token(secret))
    first = users.token(secret).last_used_at
    assert first == users.clock()
    users.clock.now += LAST_USE_EVERY - 1
    users.used(users.token(secret))
    assert users.token(secret).last_used_at == first
    users.clock.now += 1
    users.used(users.token(secret))
    assert users.token(secret).last_used_at == users.clock()


def test_expires_takes_days_hours_or_a_last_day():
    now = datetime(2026, 3, 10, 12, tzinfo=UTC).timestamp()
    assert expiry("30d", UTC, now) == now + 30 * 86400
    assert expiry("12h", UTC, now) == now + 12 * 3600
    assert expiry(None, UTC, now) is None and expiry("  ", UTC, now) is None
    hcm = ZoneInfo("Asia/Ho_Chi_Minh")       # the last day, to its end, in the workspace's zone
    assert expiry("2026-03-31", hcm, now) == datetime(2026, 4, 1, tzinfo=hcm).timestamp()
    for bad in ("30", "0d", "soon", "2026-02-30", "9999-12-31"):
        with pytest.raises(UsageError, match="takes a number of days such as 30d"):
            expiry(bad, UTC, now)
    with pytest.raises(UsageError, match="2026-03-09 is in the past"):
        expiry("2026-03-09", UTC, now)


def test_a_store_made_before_expiry_still_loads_and_its_tokens_work(tmp_path):
    """The first release's tokens table had no expiry, last use or revocation."""
    path = tmp_path / Users.FILE
    old = Users(path)
    old.add("boss", "correct horse", "admin")
    old.close()
    con = sqlite3.connect(path)
    con.executescript("""
        DROP TABLE tokens;
        CREATE TABLE tokens (digest TEXT PRIMARY KEY, name TEXT NOT NULL, label TEXT,
                             created_at REAL NOT NULL);""")
    import hashlib
    secret = "tk_made-by-the-first-release"
    con.execute("INSERT INTO tokens VALUES (?, 'boss', 'legacy', 1700000000.0)",
                (hashlib.sha256(secret.encode()).hexdigest(),))
    con.commit()
    con.close()
    store = Users(path)
    try:
        token = store.token(secret)
        assert token is not None and token.label == "legacy" and token.status(store.clock()) == "active"
        assert token.expires_at is None and token.last_used_at is None
        assert [t.id for t in store.tokens("boss")] == [token_id(secret)]
        store.revoke(token.id)
        assert store.token(secret).status(store.clock()) == "revoked"
    finally:
        store.close()
    assert Users(path).token(secret).revoked_at is not None     # opened again: no second migration


# -- the API -----------------------------------------------------------------------------
@pytest.fixture
def web_users(app, monkeypatch):
    """The app's user store on a clock the test moves."""
    clock = Clock(app.state.web.users.clock())
    monkeypatch.setattr(app.state.web.users, "clock", clock)
    return app.state.web.users


def test_expired_and_revoked_tokens_get_401_with_one_sentence(client, web_users):
    expiring = web_users.new_token("boss", "expiring", web_users.clock() + 3600)
    assert client.get("/api/v1/me", headers=bearer(expiring)).status_code == 200
    web_users.clock.now += 3600
    r = client.get("/api/v1/me", headers=bearer(expiring))
    assert r.status_code == 401
    message = r.json()["error"]["message"]
    assert message.startswith("this API token expired on ") and message.endswith("; ask for a new one")
    revoked = web_users.new_token("boss", "revoked")
    assert client.get("/api/v1/me", headers=bearer(revoked)).status_code == 200
    web_users.revoke(token_id(revoked))
    r = client.get("/api/v1/me", headers=bearer(revoked))
    assert r.status_code == 401
    assert r.json()["error"] == {"status": 401, "message": "this API token was revoked; ask for a new one"}


def test_a_request_notes_the_tokens_last_use(client, web_users):
    secret = web_users.new_token("sup1", "last use")
    assert web_users.token(secret).last_used_at is None
    assert client.get("/api/v1/me", headers=bearer(secret)).json()["name"] == "sup1"
    assert web_users.token(secret).last_used_at == web_users.clock()


# -- the page ----------------------------------------------------------------------------
def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_the_page_shows_last_use_and_revokes_ones_own_token(as_user, web_users):
    secret = web_users.new_token("agent3", "my script")
    tid = token_id(secret)
    c = as_user("agent3")
    row = re.search(rf'<tr data-token="{tid}">.*?</tr>', c.get("/tokens").text, re.S).group(0)
    assert "my script" in row and re.search(r'class="last-used">not yet<', row)
    assert secret not in c.get("/tokens").text
    c.get("/api/v1/me", headers=bearer(secret))
    page = c.get("/tokens").text
    row = re.search(rf'<tr data-token="{tid}">.*?</tr>', page, re.S).group(0)
    used = datetime.fromtimestamp(web_users.clock(), ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M")
    assert re.search(r'class="last-used">([^<]+)<', row).group(1) == used
    assert c.post(f"/tokens/{tid}/revoke", data={"csrf": "forged"}).status_code == 403
    assert web_users.token(secret).revoked_at is None
    r = c.post(f"/tokens/{tid}/revoke", data={"csrf": _csrf(page)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/tokens"
    assert web_users.token(secret).status(web_users.clock()) == "revoked"
    assert c.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_only_an_admin_sees_and_revokes_other_peoples_tokens(as_user, web_users):
    secret = web_users.new_token("sup1", "sup's script")
    tid = token_id(secret)
    agent = as_user("agent3")
    assert tid not in agent.get("/tokens").text
    page = agent.get("/tokens").text
    assert agent.post(f"/tokens/{tid}/revoke", data={"csrf": _csrf(page)}).status_code == 404
    assert web_users.token(secret).revoked_at is None
    boss = as_user("boss")
    page = boss.get("/tokens").text
    assert tid in page and "sup&#39;s script" in page
    assert boss.post(f"/tokens/{tid}/revoke", data={"csrf": _csrf(page)}).status_code == 200
    assert web_users.token(secret).revoked_at is not None


def test_the_page_makes_a_token_with_an_expiry_and_shows_it_once(as_user, web_users):
    c = as_user("sup1")
    page = c.get("/tokens").text
    r = c.post("/tokens", data={"csrf": _csrf(page), "label": "nightly export", "expires": "30d"})
    assert r.status_code == 201 and r.headers["cache-control"] == "no-store"
    secret = re.search(r'<code class="secret">(tk_[^<]+)</code>', r.text).group(1)
    token = web_users.token(secret)
    assert token.name == "sup1" and token.label == "nightly export"
    assert token.expires_at == pytest.approx(web_users.clock() + 30 * 86400)
    assert c.get("/api/v1/me", headers=bearer(secret)).json()["name"] == "sup1"
    assert secret not in c.get("/tokens").text                  # shown once
    bad = c.post("/tokens", data={"csrf": _csrf(page), "expires": "next week"})
    assert bad.status_code == 400
    assert "expires= takes a number of days such as 30d" in bad.text
    assert c.post("/tokens", data={"csrf": "forged", "expires": ""}).status_code == 403


def test_a_token_cannot_use_the_pages_forms(client, web_users):
    secret = web_users.new_token("boss", "script")
    r = client.post("/tokens", data={"csrf": "guessed", "label": "x"}, headers=bearer(secret))
    assert r.status_code == 403
    assert all(t.label != "x" for t in web_users.tokens("boss"))
