"""`GET /api/v1/overview`: the dashboard overview's cards as data, computed by the page's own
code, so the API, the page and a user's role agree on every card."""

from __future__ import annotations

import html
import re

import pytest

from telekpi.i18n import language
from telekpi.i18n.numbers import Formatter
from telekpi.units import human

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)


def articles(page: str) -> dict[str, str]:
    """The overview page's cards: metric id -> the card's HTML."""
    return {m.group(1): m.group(2) for m in re.finditer(
        r'<article class="card(?: na)?" data-metric="([a-z_0-9]+)".*?>(.*?)</article>', page, re.DOTALL)}


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_api_gives_the_cards_the_page_shows(as_user, lang):
    c = as_user("boss")
    query = {"from": "2026-11-01", "to": "2026-11-20", "team": "T2", "lang": lang}
    api = c.get("/api/v1/overview", params=query).json()
    page = articles(c.get("/", params=query).text)
    assert [x["id"] for x in api["cards"]] == list(page)
    fmt = Formatter(lang, "VND")
    with language(lang):
        for card in api["cards"]:
            shown = html.unescape(page[card["id"]])
            assert card["name"] in shown
            if card["reason"]:   # no value for this scope: "—" and why, never a 0
                assert card["value"] is None and card["reason"] in shown and "—" in shown
                continue
            assert human(card["value"], card["unit"]) in shown, card["id"]
            assert (card["band"]["label"] if card["band"] else "") in shown
            if card["change"] is not None:   # the change as the reports write it
                assert fmt.change(card["change"]) in shown, (card["id"], shown)
                assert human(card["previous"], card["unit"]) in shown


def test_default_window_and_the_previous_one(as_user):
    c = as_user("boss")
    d = c.get("/api/v1/overview").json()      # month to date of the last call: all of November
    assert (d["window"]["from"], d["window"]["to"]) == ("2026-11-01", "2026-11-30")
    assert d["previous_window"] == {"from": "2026-10-01", "to": "2026-10-31", "days": 31,
                                    "words": "October 2026"}
    assert d["versus"] == "vs October 2026" and d["where"] == {} and d["hidden"] == []
    part = c.get("/api/v1/overview?from=2026-11-01&to=2026-11-20").json()
    assert (part["previous_window"]["from"], part["previous_window"]["to"]) == ("2026-10-12", "2026-10-31")
    calls = next(x for x in part["cards"] if x["id"] == "calls")
    assert calls["previous_window"] == part["previous_window"]
    kpi = c.get("/api/v1/kpi?metric=calls&from=2026-10-12&to=2026-10-31").json()["rows"][0]
    assert calls["previous"] == kpi["calls"] and isinstance(calls["value"], int)


def test_a_supervisor_sees_their_teams_and_an_agent_themselves(as_user):
    boss = as_user("boss").get("/api/v1/overview?team=T1").json()
    sup = as_user("sup1").get("/api/v1/overview").json()
    assert sup["where"] == {"team": ["T1"]} and sup["cards"] == boss["cards"]
    assert sup["hidden"] and {x["id"] for x in sup["cards"] if x["reason"]} == set(sup["hidden"])
    assert all(x["value"] is None and x["previous"] is None for x in sup["cards"] if x["reason"])
    agent = as_user("agent3").get("/api/v1/overview").json()
    assert agent["where"] == {"agent": ["A003"]}
    assert next(x for x in agent["cards"] if x["id"] == "calls")["value"] > 0
    for who, query in (("sup1", "team=T2"), ("agent3", "agent=A004")):
        r = as_user(who).get(f"/api/v1/overview?{query}")
        assert r.status_code == 403 and set(r.json()) == {"error"}


def test_a_bad_window_is_one_sentence(as_user):
    r = as_user("boss").get("/api/v1/overview?from=2026-11-20&to=2026-11-01")
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "from 2026-11-20 is after to 2026-11-01"
