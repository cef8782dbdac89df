"""Issue 22, brute force: 30 wrong passwords in 8 s went through with no slowdown and the
right one then worked. Failed sign-ins now lock the name (5 in 15 min) and the address
(20, whatever the name) with 429 and Retry-After, a right password too, and the lock is
logged. The clock is injected: nothing sleeps."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from telekpi.errors import TooManySignIns
from telekpi.settings import settings_from_dict
from telekpi.web.throttle import SignInThrottle

from .conftest import PASSWORD, login


class Clock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app, monkeypatch):
    """The app's throttle, fresh (default limits), on a clock the test moves."""
    c = Clock()
    monkeypatch.setattr(app.state.web, "throttle", SignInThrottle(clock=c))
    return c


@pytest.mark.slow
def test_thirty_wrong_passwords_then_the_right_one_is_refused_until_the_lock_ends(client, clock):
    statuses = []
    for i in range(30):
        clock.now += 8 / 30
        statuses.append(login(client, "boss", f"guess {i}").status_code)
    assert statuses[:4] == [200] * 4             # "wrong name or password", the form again
    assert set(statuses[4:]) == {429}            # the fifth failure locks the name
    r = login(client, "boss", PASSWORD)          # the right password, during the lock
    assert r.status_code == 429
    assert "telekpi_session" not in r.headers.get("set-cookie", "")
    retry = int(r.headers["Retry-After"])
    assert 880 <= retry <= 900
    assert "Too many failed sign-ins; try again in 15 minutes." in r.text
    assert 'name="password"' in r.text           # the login page, with the sentence on it
    clock.now += retry
    assert login(client, "boss", PASSWORD).status_code == 303


@pytest.mark.slow
def test_a_success_clears_the_names_failures(client, clock):
    for _ in range(4):
        assert login(client, "boss", "wrong").status_code == 200
    assert login(client, "boss").status_code == 303
    for _ in range(4):                            # four more: not locked, the count began again
        assert login(client, "boss", "wrong").status_code == 200
    assert login(client, "boss").status_code == 303


@pytest.mark.slow
def test_failures_outside_the_window_are_forgotten(client, clock):
    for _ in range(4):
        assert login(client, "boss", "wrong").status_code == 200
    clock.now += 901
    assert login(client, "boss", "wrong").status_code == 200   # 1 in the window, not 5


@pytest.mark.slow
def test_one_address_trying_many_names_is_locked_whatever_the_name(client, clock):
    names = [f"user{i}" for i in range(19)]
    for name in names:                           # 19 names, once each: no name reaches 5
        assert login(client, name, "wrong").status_code == 200
    r = login(client, "sup1", "wrong")          # the 20th failure from this address
    assert r.status_code == 429 and "Retry-After" in r.headers
    assert login(client, "agent3", PASSWORD).status_code == 429   # a right password too
    other = TestClient(client.app, client=("203.0.113.9", 4000))  # another address is not locked
    with other:
        assert login(other, "agent3").status_code == 303


@pytest.mark.slow
def test_a_success_does_not_wash_the_address(client, app, monkeypatch):
    """One account the guesser owns must not reset their address's count."""
    monkeypatch.setattr(app.state.web, "throttle", SignInThrottle(address_failures=6, clock=Clock()))
    for i in range(5):
        assert login(client, f"x{i}", "wrong").status_code == 200
        assert login(client, "agent3").status_code == 303
    assert login(client, "x99", "wrong").status_code == 429


def test_each_lock_is_logged_with_name_and_address_never_the_password(client, clock, caplog):
    with caplog.at_level(logging.WARNING, logger="telekpi.signin"):
        for _ in range(7):
            login(client, "boss", "hunter2-secret")
    locks = [r for r in caplog.records if r.name == "telekpi.signin"]
    assert len(locks) == 1                       # once, as the lock starts; not per refusal
    text = locks[0].getMessage()
    assert "'boss'" in text and "testclient" in text and "900 s" in text
    assert "hunter2" not in caplog.text


def test_bad_api_tokens_lock_the_address(client, clock, app, caplog):
    token = app.state.web.users.new_token("boss", "throttle")
    bad = {"Authorization": "Bearer tk_forged"}
    with caplog.at_level(logging.WARNING, logger="telekpi.signin"):
        codes = [client.get("/api/v1/me", headers=bad).status_code for _ in range(21)]
    assert [r.getMessage() for r in caplog.records if r.name == "telekpi.signin"] == [
        "sign-in locked: address testclient after 20 failed sign-ins or API tokens within 900 s "
        "(the last an API token); refused for 900 s"]
    assert codes[:19] == [401] * 19 and codes[19:] == [429, 429]
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert r.json()["error"] == {"status": 429, "message": "Too many failed sign-ins; try again in 15 minutes."}
    assert login(client, "boss").status_code == 429   # the address, for the form too
    clock.now += 900
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_the_lock_sentence_is_translated(client, clock):
    for _ in range(5):
        form = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
        r = client.post("/login?lang=vi", data={"name": "boss", "password": "wrong", "csrf": form,
                                                "next": "/"}, follow_redirects=False)
    assert r.status_code == 429
    assert "Quá nhiều lần đăng nhập thất bại; hãy thử lại sau 15 phút." in r.text


def test_forwarded_for_counts_only_behind_a_trusted_proxy():
    from starlette.requests import Request

    from telekpi.web.http import client_address

    class Web:
        def __init__(self, settings):
            self.workspace = type("W", (), {"settings": settings})()

    def address(peer: str, forwarded: str | None, trusted: str) -> str:
        app = type("App", (), {})()
        app.state = type("S", (), {"web": Web(settings_from_dict({"trusted_proxies": trusted}))})()
        headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
        return client_address(Request({"type": "http", "app": app, "client": (peer, 1),
                                       "headers": headers}))

    assert address("198.51.100.7", "203.0.113.5", "") == "198.51.100.7"            # not trusted
    assert address("10.0.0.2", "203.0.113.5", "10.0.0.2") == "203.0.113.5"
    # A client's own X-Forwarded-For comes first; the proxy appends the real one: the last
    # address before the proxies is taken, so a forged header changes nothing.
    assert address("10.0.0.2", "1.2.3.4, 203.0.113.5", "10.0.0.2") == "203.0.113.5"
    assert address("10.0.0.2", "203.0.113.5, 10.0.0.3", "10.0.0.2, 10.0.0.3") == "203.0.113.5"
    assert address("10.0.0.2", "not an address", "10.0.0.2") == "10.0.0.2"
    assert address("10.0.0.2", None, "10.0.0.2") == "10.0.0.2"


def test_trusted_proxies_must_be_addresses():
    from telekpi.errors import ConfigError

    with pytest.raises(ConfigError, match=r"'proxy\.local' is not an IP address"):
        settings_from_dict({"trusted_proxies": "10.0.0.2, proxy.local"})


def test_the_tables_stay_bounded_under_a_spray_of_names():
    t = SignInThrottle(capacity=100, clock=Clock())
    for i in range(5000):
        t.failed(f"198.51.100.{i % 250}", f"name{i}")
    assert len(t.accounts.records) <= 100 and len(t.addresses.records) <= 100


def test_zero_means_never_locked():
    t = SignInThrottle(account_failures=0, address_failures=0, clock=Clock())
    for _ in range(100):
        assert t.failed("198.51.100.1", "boss") is None


def test_a_refusal_carries_whole_seconds_and_minutes():
    c = Clock()
    t = SignInThrottle(account_failures=1, lockout_s=61, clock=c)
    refusal = t.failed("198.51.100.1", "boss")
    assert isinstance(refusal, TooManySignIns) and refusal.retry_after == 61
    assert refusal.user_message() == "Too many failed sign-ins; try again in 2 minutes."
    c.now += 60.5
    assert t.refusal("198.51.100.1", "boss").retry_after == 1
    assert t.refusal("198.51.100.1", "boss").user_message().endswith("in 1 minute.")


def test_the_limits_are_the_workspaces_settings():
    settings = settings_from_dict({"signin_account_failures": 2, "signin_address_failures": 3,
                                   "signin_window_s": 60, "signin_lockout_s": 120})
    c = Clock()
    t = SignInThrottle.from_settings(settings, clock=c)
    assert t.failed("198.51.100.1", "boss") is None
    assert t.failed("198.51.100.1", "boss").retry_after == 120      # the 2nd locks the name
    assert t.failed("198.51.100.2", "ann") is None
    assert t.failed("198.51.100.2", "bob") is None
    assert t.failed("198.51.100.2", "cy").retry_after == 120        # the 3rd locks the address
    c.now += 61
    assert t.failed("198.51.100.3", "dee") is None                  # others' failures age out
