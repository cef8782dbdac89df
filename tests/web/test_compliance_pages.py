"""The Compliance pages and API on the demo (web/pages_compliance.py): admins and supervisors
see the breaches, the numbers and the attempts; an agent is refused; the API answers JSON."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow   # the session's demo warehouse

PERIOD = "from=2026-11-01&to=2026-11-30"


def test_an_admin_sees_the_breaches_the_numbers_and_the_caps(as_user):
    boss = as_user("boss")
    page = boss.get(f"/operations/compliance?{PERIOD}")
    assert page.status_code == 200, page.text
    for words in ("calls outside the calling window", "Calls after a stop request", "Outbound abandonment",
                  "Calls without the recording disclosure"):
        assert words in page.text
    assert 'href="/operations/compliance?' in page.text   # a tab of Operations
    numbers = boss.get(f"/operations/numbers?{PERIOD}")
    assert numbers.status_code == 200 and "+842873001103" in numbers.text
    attempts = boss.get(f"/operations/attempts?{PERIOD}")
    assert attempts.status_code == 200 and "Recommended cap" in attempts.text


def test_a_supervisor_sees_their_teams_calls_only(as_user):
    every = as_user("boss").get(f"/api/v1/operations/compliance?{PERIOD}").json()
    theirs = as_user("sup1").get(f"/api/v1/operations/compliance?{PERIOD}").json()
    assert 0 < theirs["counts"]["outside_window"] < every["counts"]["outside_window"]


def test_an_agent_is_refused(as_user):
    agent = as_user("agent3")
    assert agent.get(f"/api/v1/operations/compliance?{PERIOD}").status_code == 403
    page = agent.get(f"/operations/compliance?{PERIOD}", follow_redirects=False)
    assert page.status_code in (303, 403)
    assert "/operations/compliance" not in agent.get("/my-day").text


def test_the_api_gives_each_list_as_json(as_user):
    boss = as_user("boss")
    # The demo's K1 number gone bad is flagged most days of its last week, and no other often
    flagged: dict[str, int] = {}
    for day in range(24, 31):
        health = boss.get(f"/api/v1/operations/numbers?to=2026-11-{day}").json()
        for c in health["campaigns"]:
            for line in c["flagged"]:
                flagged[line] = flagged.get(line, 0) + 1
                assert c["advice"]["use"] and line not in c["advice"]["use"]
    assert flagged.pop("+842873001103", 0) >= 4 and all(n <= 2 for n in flagged.values()), flagged
    groups = boss.get(f"/api/v1/operations/attempts?{PERIOD}").json()["groups"]
    assert any(g["recommended_cap"] for g in groups)
    bad = boss.get("/api/v1/operations/compliance?from=2026-13-01")
    assert bad.status_code == 422 or bad.status_code == 400
