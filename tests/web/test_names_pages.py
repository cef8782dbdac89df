"""Names on every page, ids on hover (issue 24), only within the user's scope; the language
switch keeps the filters; long lists a page at a time with their totals."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape

import pytest

from telekpi.engine.lookup import Lookup

PERIOD = "from=2026-01-01&to=2026-12-31"


@pytest.fixture(scope="module")
def known(app):
    """Every agent's, team's and campaign's name, and the agents of team T1."""
    with app.state.web.workspace.session() as engine:
        look = Lookup(engine)
        t1 = [a["agent_id"] for a in engine.rows(*_agents_of(look, "T1"))]
        return {d: look.names(d) for d in ("agent", "team", "campaign")} | {"t1": t1}


def _agents_of(look, team):
    from telekpi.engine.lookup import view

    return view("SELECT agent_id FROM agents WHERE team_id = $t ORDER BY agent_id"), {"t": team}


def named(html: str, dim_id: str, name: str) -> bool:
    """Is ``name`` shown with ``dim_id`` on hover?"""
    return f'title="{dim_id}">{name}<' in unescape(html)


def test_the_leaderboard_shows_agents_by_name_with_the_id_on_hover(as_user, known):
    html = as_user("boss").get(f"/agents?{PERIOD}").text
    for agent in ("A010", "A011"):
        assert named(html, agent, known["agent"][agent])
    teams = as_user("boss").get(f"/agents?group=team&{PERIOD}").text
    assert named(teams, "T1", known["team"]["T1"])


def test_pages_show_teams_and_campaigns_by_name(as_user, known):
    boss = as_user("boss")
    campaigns = boss.get(f"/campaigns?{PERIOD}").text
    assert named(campaigns, "K1", known["campaign"]["K1"])
    figure = json.loads(unescape(re.search(r"data-figure='([^']*)'", campaigns).group(1)))
    assert known["campaign"]["K1"] in figure["data"][0]["x"] and "K1" not in figure["data"][0]["x"]
    care = boss.get(f"/care?{PERIOD}").text
    assert named(care, "T4", known["team"]["T4"])
    # the filters' lists: the id is the value sent, the name is what is read
    overview = boss.get("/").text
    assert f'<option value="K1" title="K1">{known["campaign"]["K1"]}</option>' in unescape(overview)


def test_the_agent_page_is_titled_by_name(as_user, known):
    html = as_user("boss").get(f"/agents/A010?{PERIOD}").text
    name = known["agent"]["A010"]
    assert f"<title>Agent {name} · telekpi</title>" in unescape(html)
    assert f"<h1>{name} <small>A010" in unescape(html)


def test_a_supervisor_sees_the_names_of_their_teams_only(as_user, known):
    sup = as_user("sup1")
    html = unescape(sup.get(f"/agents?{PERIOD}").text)
    mine = known["t1"]
    assert all(named(html, a, known["agent"][a]) for a in mine if a in html)
    assert any(named(html, a, known["agent"][a]) for a in mine)
    others = [n for a, n in known["agent"].items() if a not in mine]
    overview = unescape(sup.get("/").text)
    for page in (html, overview):
        assert not any(n in page for n in others)   # not even in the filters' lists
        assert known["team"]["T1"] in page and known["team"]["T2"] not in page


def test_an_agent_sees_their_own_name_and_no_one_elses(as_user, known):
    html = unescape(as_user("agent3").get(f"/agents/A003?{PERIOD}").text)
    assert known["agent"]["A003"] in html
    assert not any(n in html for a, n in known["agent"].items() if a != "A003")


def test_the_language_switch_keeps_the_filters(as_user):
    html = as_user("boss").get("/agents?from=2026-11-01&to=2026-11-15&team=T1&group=team").text
    links = re.findall(r'href="\?([^"]*)" hreflang="vi"', html)
    assert links and all(p in unescape(links[0]) for p in
                         ("from=2026-11-01", "to=2026-11-15", "team=T1", "group=team", "lang=vi"))
    assert "lang=en" not in unescape(links[0])


def test_recent_calls_say_how_many_and_page(as_user, app):
    """The calls of the view's days (all three months of the demo here), a page at a time."""
    with app.state.web.workspace.session() as engine:
        every = Lookup(engine).recent_calls("A010", 1000, 0, date(2026, 1, 1), date(2026, 11, 30))
    c = as_user("boss")
    first = unescape(c.get("/agents/A010?from=2026-01-01&to=2026-11-30").text)
    total = f"{every.total:,}"
    assert f"1–100 of {total}" in first and 'rel="next"' in first and 'rel="prev"' not in first
    second = unescape(c.get("/agents/A010?from=2026-01-01&to=2026-11-30&page=2").text)
    assert f"101–200 of {total}" in second and "from=2026-01-01" in re.search(
        r'rel="prev" href="\?([^"]*)"', second).group(1)
    ids = set(re.findall(r'href="/leads/([^"]+)"', second.split("Recent calls")[1]))
    page2 = {r["lead_id"] for r in every.rows[100:200] if r["lead_id"]}
    assert ids == page2


def test_the_stop_list_pages_and_the_api_says_its_total(as_user):
    c = as_user("boss")
    body = c.get("/api/v1/stop-list", params={"limit": 5, "offset": 5}).json()
    assert body["total"] > 10 and body["offset"] == 5 and len(body["items"]) == 5
    first = c.get("/api/v1/stop-list", params={"limit": 10}).json()["items"]
    assert [r["lead_id"] for r in first[5:]] == [r["lead_id"] for r in body["items"]]
    html = unescape(c.get("/leads?stop_page=2").text)
    assert f"101–{min(200, body['total']):,} of {body['total']:,}" in html


def test_a_page_number_that_is_not_one_is_one_sentence(as_user):
    r = as_user("boss").get("/agents/A010?page=abc")
    assert r.status_code == 400 and "is not a page number" in r.text


def test_a_lead_search_that_finds_more_than_a_page_says_so(as_user):
    html = unescape(as_user("boss").get("/leads", params={"q": "L"}).text)   # every lead id
    assert "more than 100 found; the first 100 are shown" in html
    found = html.split("more than 100 found")[1].split("</table>")[0]
    assert found.count('<tr><td><a href="/leads/') == 100


def test_an_agents_calls_are_the_views_days(as_user, app):
    """A day clicked in the agent's daily chart opens the page over that day: its calls are
    that day's (local time), counted as such, not the agent's latest whatever the view."""
    from zoneinfo import ZoneInfo

    with app.state.web.workspace.session() as engine:
        look = Lookup(engine)
        day = look.recent_calls("A010", 1, 0, None, date(2026, 11, 30)).rows[0]["started_at"]
        zone = ZoneInfo(engine.settings.timezone)
        local = day.astimezone(zone).date()
        that_day = look.recent_calls("A010", 1000, 0, local, local)
        whole = look.recent_calls("A010", 1000)
    assert 0 < that_day.total < whole.total
    assert {r["started_at"].astimezone(zone).date() for r in that_day.rows} == {local}
    page = unescape(as_user("boss").get(f"/agents/A010?from={local}&to={local}").text)
    assert f"of {that_day.total:,}" in page.split('id="calls"')[1]
