"""The Operations page and its API (docs/operations.md) on the demo (small, seed 7), by role:
an admin sees every lost call and callback, a supervisor their teams' and the lost calls that
reached no agent, an agent is sent to their own day and sees only their own in the API."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow   # the demo warehouse of tests/web/conftest.py


def test_the_page_has_its_three_sections_for_an_admin(as_user):
    page = as_user("boss").get("/operations")
    assert page.status_code == 200
    for section in ('id="lost"', 'id="callbacks"', 'id="fcr"', "Lost calls not won back",
                    "Callbacks overdue", "First-contact resolution", 'href="/operations'):
        assert section in page.text, section
    assert 'data-metric="lost_call_recovery_rate"' in page.text


def test_an_agent_is_sent_to_their_own_day(as_user):
    r = as_user("agent3").get("/operations", follow_redirects=False)
    assert r.status_code in (303, 307) and "/my-day" in r.headers["location"]


def test_the_lists_by_role(as_user):
    everyone = as_user("boss").get("/api/v1/operations/lost?from=2020-01-01").json()
    team = as_user("sup1").get("/api/v1/operations/lost?from=2020-01-01").json()
    own = as_user("agent3").get("/api/v1/operations/lost?from=2020-01-01").json()
    assert everyone["total"] > 0 and everyone["items"]
    assert everyone["total"] >= team["total"] >= own["total"]
    assert all(i["agent_id"] in (None, "A003") for i in own["items"])
    starts = [i["started_at"] for i in everyone["items"]]
    assert starts == sorted(starts)                                    # oldest first
    cb = as_user("boss").get("/api/v1/operations/callbacks?limit=5").json()
    assert cb["total"] > 0 and len(cb["items"]) == 5
    mine = as_user("agent3").get("/api/v1/operations/callbacks").json()
    assert all(i["agent_id"] == "A003" for i in mine["items"])


def test_a_bad_date_is_one_sentence(as_user):
    r = as_user("boss").get("/api/v1/operations/lost?from=2026-13-01")
    assert r.status_code in (400, 422) and "error" in r.json()


def test_the_wallboard_has_the_lost_call_tiles_for_the_centre(as_user):
    wall = as_user("boss").get("/wallboard").text
    assert 'data-metric="lost_calls"' in wall and 'data-tile="oldest-lost"' in wall
    assert 'href="/operations#lost"' in wall
    assert 'data-tile="oldest-lost"' not in as_user("sup1").get("/wallboard").text   # the centre's
