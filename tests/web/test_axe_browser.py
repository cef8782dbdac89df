"""Accessibility by axe-core (the copy the axe-playwright-python package ships, run in the
page): no serious or critical violation on any page, for an admin, a supervisor and an
agent, in English and, for the pages whose words change most, in Thai and Chinese (the
``lang`` of the page and of each language's name in the switcher is part of it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from telekpi.engine.lookup import EVERYONE, Lookup, Scope

from .conftest import PASSWORD
from .look import DRAWN, PAGES, SIZES, concrete, sample_call, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Each role's pages: an agent's are their own day and pages; a supervisor's every page but
# the import (an admin's); the agent of team T1 is the supervisor's to open.
ROLE_PAGES = {
    "boss": [r for r, who in PAGES.items() if who == "boss"],
    "sup1": [r for r, who in PAGES.items() if who == "boss" and r != "/import"],
    "agent3": ["/my-day", "/scorecards", "/leads", "/leads/{lead_id:path}", "/alerts", "/tokens",
               "/agents/{agent_id:path}"],
}
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module")
def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def samples(look_server) -> dict[str, tuple[str, str, str]]:
    """A lead and an agent each user may open: the supervisor's in team T1, the agent's own;
    and a call QA scored, of agent A003 (team T1)."""
    with look_server[1].state.web.workspace.session() as engine:
        look = Lookup(engine)
        call = sample_call(engine)
        return {user: (look.search_leads("L", scope, limit=1)[0]["lead_id"], agent, call)
                for user, scope, agent in [
                    ("boss", EVERYONE, "A003"), ("agent3", Scope(agent="A003"), "A003"),
                    ("sup1", Scope(teams=("T1",)), next(a["agent_id"] for a in look.agents(
                        [f"A{i:03d}" for i in range(1, 40)]) if a["team_id"] == "T1"))]}


@pytest.fixture(scope="module")
def signed_in(browser, look_server):
    opened = {}

    def _page(user: str, lang: str, size: str = "desktop"):
        if (user, lang, size) not in opened:
            width, height = SIZES[size]
            context = browser.new_context(viewport={"width": width, "height": height})
            opened[user, lang, size] = (context, sign_in(context, look_server[0], user, PASSWORD, lang))
        return opened[user, lang, size][1]

    yield _page
    for context, _pg in opened.values():
        context.close()


def violations(pg, axe_source: str) -> list[str]:
    """axe-core's serious and critical findings on the open page, one line each."""
    pg.evaluate(axe_source)   # evaluated by the browser's debugger protocol: the page's CSP allows no inline script
    found = pg.evaluate("() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
                        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
                        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)})))")
    return [f"{v['impact']} {v['id']} ({v['help']}): {v['nodes']}" for v in found if v["impact"] in SERIOUS]


def scan(signed_in, base: str, user: str, path: str, lang: str, axe_source: str,
         size: str = "desktop") -> list[str]:
    pg = signed_in(user, lang, size)
    response = pg.goto(f"{base}{path}?lang={lang}")
    assert response.status == 200, (path, response.status)
    pg.wait_for_function(DRAWN, timeout=20_000)
    return violations(pg, axe_source)


@pytest.mark.parametrize("user, route", [(u, r) for u, routes in ROLE_PAGES.items() for r in routes])
def test_no_serious_violation(signed_in, look_server, samples, axe_source, user, route):
    lead, agent, call = samples[user]
    path = concrete(route, lead, call).replace("/agents/A003", f"/agents/{agent}")
    found = scan(signed_in, look_server[0], user, path, "en", axe_source)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("lang", ["th", "zh_Hant", "vi"])
@pytest.mark.parametrize("route", ["/", "/agents", "/funnel", "/wallboard", "/login"])
def test_no_serious_violation_in_other_languages(signed_in, look_server, axe_source, route, lang):
    found = scan(signed_in, look_server[0], "boss", route, lang, axe_source)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("size", ["phone", "wall"])
@pytest.mark.parametrize("user, path", [("boss", "/"), ("boss", "/wallboard"), ("agent3", "/my-day")])
def test_no_serious_violation_on_a_phone_or_a_wall(signed_in, look_server, axe_source, user, path, size):
    """The phone's layout (the menu, smaller tiles) and the dark wall screen have their own
    colours and sizes: the band tiles' white labels are small on a phone."""
    found = scan(signed_in, look_server[0], user, path, "en", axe_source, size)
    assert found == [], "\n".join(found)
