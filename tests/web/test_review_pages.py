"""The QA review pages and API on a small warehouse (tests/qa/reviewed.py): who sees which
calls, reviews saved through the page (CSRF) and the API, the agent's answer on My day,
calibration, and the recording served with byte ranges to those who may hear it."""

from __future__ import annotations

import re
import wave

import pytest
from fastapi.testclient import TestClient

from telekpi.web.app import create_app
from telekpi.web.auth import Users

from ..qa.reviewed import CALLS, build
from .conftest import PASSWORD, login

DAYS = "from=2026-03-01&to=2026-03-31"
PEOPLE = {"boss": ("admin", (), None), "sup1": ("supervisor", ("T1",), None),
          "sup2": ("supervisor", ("T2",), None), "lan": ("agent", (), "A1"), "minh": ("agent", (), "A2")}


def _served(db, people):
    """The app over ``db`` with ``people`` (names in ``PEOPLE``) as its users, closed after."""
    users = Users.beside(db)
    for name in people:
        role, teams, agent = PEOPLE[name]
        users.add(name, PASSWORD, role, teams, agent)
    users.close()
    application = create_app(db)
    yield application
    import gc

    application.state.web.close()
    del application.state.web, application.state.templates
    gc.collect()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One warehouse for the module: each test reviews calls of its own."""
    db = build(tmp_path_factory.mktemp("review"))
    yield from _served(db, PEOPLE)


@pytest.fixture(scope="module")
def as_user(app):
    """A logged-in client per user, signed in once for the module (a sign-in hashes a password)."""
    clients: dict[str, TestClient] = {}

    def _as(name: str) -> TestClient:
        if name not in clients:
            c = clients[name] = TestClient(app)
            c.__enter__()
            assert login(c, name).status_code == 303
        return clients[name]

    yield _as
    for c in clients.values():
        c.__exit__(None, None, None)


def csrf(page) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def review(c: TestClient, call_id: str, **items) -> object:
    page = c.get(f"/qa/review/{call_id}")
    return c.post(f"/qa/review/{call_id}", data={"csrf": csrf(page), "form_id": "care", "comment": "ok",
                                                   **{f"item:{k}": v for k, v in items.items()}},
                  follow_redirects=False)


def test_the_queue_holds_the_supervisors_teams_auto_failed_and_sampled_calls(as_user):
    page = as_user("sup1").get(f"/qa/review?{DAYS}")
    assert page.status_code == 200
    rows = re.findall(r'<tr data-state="(\w+)"><td><a href="/qa/review/(C\d+)"', page.text)
    ids = [cid for _, cid in rows]
    assert "C03" in ids                                  # auto-failed (said "not my problem")
    assert not {"C09", "C10"} & set(ids)                 # team T2's
    day = {cid: d for cid, _, d, _ in CALLS}
    assert ids == sorted(ids, key=lambda c: (day[c], c), reverse=True)   # newest first
    # A1 has 4 calls in week 10 and 2 in week 11, A2 2 in week 10: at most 2 + 2 + 2 drawn, plus C03
    assert 6 <= len(ids) <= 7
    assert all(state == "to_review" for state, _ in rows)
    assert as_user("boss").get(f"/qa/review?{DAYS}").text.count('data-state="to_review"') >= 8


def test_an_agent_has_no_queue_and_no_calibration_page(as_user):
    c = as_user("lan")
    for path in ("/qa/review", "/qa/calibration"):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/my-day")


def test_a_review_saved_on_the_page_scores_the_call_and_the_agent_answers_it_on_my_day(as_user):
    sup = as_user("sup1")
    page = sup.get("/qa/review/C01")
    assert "Tone and courtesy" in page.text and 'name="item:tone"' in page.text
    assert "There is no audio" in page.text or "no audio" in page.text
    assert 'class="seg agent"' in page.text                  # the lanes, from the transcript
    r = review(sup, "C01", tone="fail", greeting="pass", no_blame="pass")
    assert r.status_code == 303 and r.headers["location"] == "/qa/review/C01?saved=1"
    kpi = sup.get("/api/v1/kpi?metric=qa_score&where=agent=A1&from=2026-03-02&to=2026-03-02").json()
    assert kpi["rows"][0]["qa_score"] == pytest.approx(0.6)
    lan = as_user("lan")
    day = lan.get("/my-day?to=2026-03-31")
    assert 'data-call="C01"' in day.text and "Acknowledge" in day.text
    r = lan.post("/qa/respond/C01", data={"csrf": csrf(day), "form_id": "care", "response": "disputed",
                                         "comment": "The customer shouted first.", "back": "/my-day"},
                 follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/my-day"
    queue = sup.get(f"/qa/review?{DAYS}").text
    assert re.search(r'<tr data-state="disputed"><td><a href="/qa/review/C01"', queue)
    disputes = sup.get(f"/qa/review?{DAYS}&state=disputed").text
    assert re.findall(r'<tr data-state="(\w+)"><td><a href="/qa/review/(C\d+)"', disputes) == [("disputed", "C01")]
    assert "The customer shouted first." in sup.get("/qa/review/C01").text
    agent_page = sup.get("/agents/A1?" + DAYS).text   # the agent's page lists their reviews too
    row = re.search(r'<tr data-call="C01">(.*?)</tr>', agent_page, re.S)
    assert row and "disputed: The customer shouted first." in row.group(1)


def test_scope_rules(as_user):
    review(as_user("sup1"), "C05", tone="pass")
    sup2, minh, lan = as_user("sup2"), as_user("minh"), as_user("lan")
    assert sup2.get("/qa/review/C05").status_code == 404
    r = sup2.post("/api/v1/qa/reviews", json={"call_id": "C05", "form_id": "care", "items": {"tone": "fail"}})
    assert r.status_code == 404 and r.json()["error"]["message"] == "no call 'C05' that you may see"
    assert sup2.get("/api/v1/qa/reviews").json()["items"] == []
    assert minh.get("/api/v1/qa/reviews").json()["items"] == []
    assert "C05" in [r["call_id"] for r in lan.get("/api/v1/qa/reviews").json()["items"]]
    assert "C05" in [r["call_id"] for r in as_user("sup1").get("/api/v1/qa/reviews").json()["items"]]
    assert minh.get("/qa/review/C05").status_code == 404
    page = lan.get("/qa/review/C05")
    assert page.status_code == 200 and 'name="item:tone"' not in page.text   # the agent reads, does not score
    r = minh.post("/qa/respond/C05", data={"csrf": csrf(minh.get("/my-day")), "form_id": "care",
                                            "response": "acknowledged"}, follow_redirects=False)
    assert r.status_code == 404
    r = lan.post("/api/v1/qa/reviews", json={"call_id": "C05", "form_id": "care", "items": {"tone": "pass"}})
    assert r.status_code == 403


def test_bad_reviews_get_one_sentence_and_store_nothing(as_user):
    sup = as_user("sup1")
    page = sup.get("/qa/review/C02")
    r = sup.post("/qa/review/C02", data={"csrf": "forged", "form_id": "care", "item:tone": "pass"})
    assert r.status_code == 403
    r = sup.post("/qa/review/C02", data={"csrf": csrf(page), "form_id": "care"})
    assert r.status_code == 400 and "score every item a person scores: tone is not scored" in r.text
    r = sup.post("/api/v1/qa/reviews", json={"call_id": "C02", "form_id": "care", "items": {"tone": "great"}})
    assert r.status_code == 400 and r.json()["error"]["message"] == "item tone: 'great' is not pass or fail"
    r = sup.post("/api/v1/qa/reviews", json={"call_id": "C02", "form_id": "sales", "items": {}})
    assert r.status_code == 404 and "qa-forms" in r.json()["error"]["message"]
    r = sup.post("/api/v1/qa/reviews", json={"call_id": "C02", "items": {}})
    assert r.status_code == 400
    assert "C02" not in [r["call_id"] for r in sup.get("/api/v1/qa/reviews").json()["items"]]


def test_two_reviewers_make_a_calibration_call_and_the_page_shows_their_agreement(as_user):
    sup, boss = as_user("sup1"), as_user("boss")
    page = sup.get("/qa/review/C04")
    r = sup.post("/qa/calibrate/C04", data={"csrf": csrf(page), "form_id": "care", "on": "1"},
                 follow_redirects=False)
    assert r.status_code == 303
    queue = boss.get(f"/qa/review?{DAYS}").text
    row = re.search(r'href="/qa/review/C04">C04</a>(.*?)</tr>', queue, re.S)
    assert row and "tag-calibration" in row.group(1)
    r = sup.post("/api/v1/qa/reviews", json={"call_id": "C04", "form_id": "care", "items": {"tone": "pass"},
                                             "comment": "Warm and clear."})
    assert r.status_code == 201 and r.json()["calibration"] is False
    blind = boss.get("/qa/review/C04").text            # a calibration reviewer scores on their own first
    assert "data-hidden-reviews" in blind and "Warm and clear." not in blind
    r = boss.post("/api/v1/qa/reviews", json={"call_id": "C04", "form_id": "care", "items": {"tone": "fail"}})
    assert r.status_code == 201 and r.json()["calibration"] is True and r.json()["score"] == pytest.approx(0.6)
    assert "Warm and clear." in boss.get("/qa/review/C04").text
    cal = boss.get(f"/qa/calibration?{DAYS}").text
    assert 'href="/qa/review/C04"' in cal and "sup1, boss" in cal
    assert "40 points" in cal                             # 100 % against 60 %


def test_the_recording_is_served_with_ranges_to_those_who_may_hear_it(app, as_user, tmp_path):
    wav = tmp_path / "C01.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x01" * 8000)
    with app.state.web.workspace.write() as cur:
        cur.con.execute("INSERT INTO recordings (call_id, sha256, path, bytes, duration_s, channels, sample_rate, "
                        "codec, imported_at) VALUES ('C01', 'x', ?, 16044, 1.0, 1, 8000, 'pcm_s16le', now())",
                        [str(wav)])
    sup = as_user("sup1")
    r = sup.get("/qa/recording/C01", headers={"Range": "bytes=0-99"})
    assert r.status_code == 206 and r.headers["content-type"] == "audio/wav" and len(r.content) == 100
    assert r.headers["content-range"] == f"bytes 0-99/{wav.stat().st_size}"
    assert '<audio id="player"' in sup.get("/qa/review/C01").text
    assert as_user("lan").get("/qa/recording/C01").status_code == 200    # the agent's own call
    assert as_user("sup2").get("/qa/recording/C01").status_code == 404
    assert sup.get("/qa/recording/C02").status_code == 404
    wav.unlink()
    r = sup.get("/qa/recording/C01")
    assert r.status_code == 404 and "no longer at C01.wav" in r.text


@pytest.fixture(scope="module")
def scaled_app(tmp_path_factory):
    """The same calls, their form's human item on a scale of 5."""
    from ..qa.test_review import SCALED

    folder = tmp_path_factory.mktemp("scaled")
    db = build(folder)
    (folder / "qa-forms" / "care.yaml").write_text(SCALED)
    yield from _served(db, ("boss", "sup1"))


def test_a_reviewer_picks_a_mark_on_a_scale_and_calibration_compares_marks(scaled_app):
    with TestClient(scaled_app) as sup, TestClient(scaled_app) as boss:
        assert login(sup, "sup1").status_code == 303 and login(boss, "boss").status_code == 303
        page = sup.get("/qa/review/C01")
        select = re.search(r'<select name="item:tone"[^>]*data-scale="5"[^>]*>(.*?)</select>', page.text, re.S)
        assert select and re.findall(r'<option value="(\d)"', select.group(1)) == list("543210")
        r = sup.post("/qa/review/C01", data={"csrf": csrf(page), "form_id": "care", "item:tone": "4"},
                     follow_redirects=False)
        assert r.status_code == 303
        again = sup.get("/qa/review/C01").text
        assert re.search(r'<option value="4" selected>', again)
        r = boss.post("/api/v1/qa/reviews", json={"call_id": "C01", "form_id": "care", "items": {"tone": 2}})
        assert r.status_code == 201 and r.json()["score"] == pytest.approx((3 + 2 * 2 / 5) / 5)
        r = boss.post("/api/v1/qa/reviews", json={"call_id": "C01", "form_id": "care", "items": {"tone": 9}})
        assert r.status_code == 400 and r.json()["error"]["message"] == "item tone: 9 is not a mark from 0 to 5"
        cal = boss.get(f"/qa/calibration?{DAYS}").text
        table = re.search(r'data-table="calibration-scaled".*?</table>', cal, re.S).group(0)
        assert "boss · sup1" in table and "2.00" in table      # marks 2 and 4: two apart
