"""Error messages speak the request's language: pages and API, 403, 404, 401 and 500 alike.

The messages are made (``_()``) while the request's language is set, and the error
handlers render them in it too, including the one for unexpected errors, which runs
outside the language middleware.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from markupsafe import escape

from telekpi.i18n import _, language


def said(lang: str, msgid: str, **values) -> str:
    """``msgid`` in ``lang``; it must be translated (else the test proves nothing)."""
    with language(lang):
        text = _(msgid).format(**values)
    assert text != msgid.format(**values), f"{msgid!r} has no {lang} translation"
    return text


def test_a_404_page_is_in_the_language_asked_for(as_user):
    r = as_user("boss").get("/agents/NOBODY?lang=vi")
    assert r.status_code == 404
    assert str(escape(said("vi", "no agent {agent}", agent="'NOBODY'"))) in r.text


def test_a_403_page_follows_accept_language(as_user):
    r = as_user("sup1").get("/agents?team=T2", headers={"Accept-Language": "vi-VN,vi;q=0.9"})
    assert r.status_code == 403
    assert str(escape(said("vi", "you supervise {teams}, not team {team}", teams="T1", team="T2"))) in r.text


def test_api_errors_are_translated_in_the_json(as_user, client):
    r = as_user("boss").get("/api/v1/leads/no-such-lead?lang=th")
    assert r.status_code == 404
    assert r.json()["error"]["message"] == said("th", "no lead {lead} that you may see", lead="'no-such-lead'")
    r = client.get("/api/v1/kpi?metric=calls", headers={"Accept-Language": "zh-TW"})
    assert r.status_code == 401 and r.json()["error"]["message"] == said("zh_Hant", "log in first")


def test_validation_and_unknown_pages_are_translated_too(as_user):
    c = as_user("boss")
    r = c.get("/api/v1/kpi?metric=calls&from=yesterday&lang=zh_Hans")
    assert r.status_code == 400
    assert r.json()["error"]["message"] == said(
        "zh_Hans", "{name} {value} is not a date; expected YYYY-MM-DD", name="from", value="'yesterday'")
    r = c.get("/no-such-page?lang=vi")
    assert r.status_code == 404 and said("vi", "Not Found") in r.text


def test_an_engine_error_is_worded_for_the_api_in_the_language_asked_for(as_user):
    """The engine raises structure; the sentence is made, translated, when the API answers."""
    from telekpi.catalog.models import DIMENSIONS

    r = as_user("boss").get("/api/v1/kpi?metric=calls&by=colour&lang=zh_Hant")
    assert r.status_code == 400
    assert r.json()["error"]["message"] == said(
        "zh_Hant", "unknown dimension {value} in {param}; expected one of: {allowed}",
        value="'colour'", param="by=", allowed=", ".join(DIMENSIONS))
    r = as_user("boss").get("/api/v1/kpi?metric=nope&lang=th")
    assert r.json()["error"]["message"] == said(
        "th", "unknown metric {value}; {catalog} lists the ids", value="'nope'",
        catalog="GET /api/v1/catalog")


def test_an_unexpected_error_is_reported_in_the_language_too(app, as_user, monkeypatch):
    from telekpi.engine.lookup import Lookup

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(Lookup, "stop_list", broken)
    token = app.state.web.users.new_token("boss", "tests")
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/v1/stop-list?lang=zh_Hans", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 500
    assert r.json()["error"]["message"] == said("zh_Hans", "internal error: {kind}", kind="RuntimeError")


def test_english_stays_as_it_was(as_user):
    r = as_user("boss").get("/agents/NOBODY?lang=en")
    assert "no agent &#39;NOBODY&#39;" in r.text
