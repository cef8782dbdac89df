"""GET /api/v1/calls/{id}: a call with its recording, speech figures and segments, in scope."""

import pytest


def test_a_call_with_its_speech_figures(as_user):
    c = as_user("boss")
    bodies = [c.get(f"/api/v1/calls/C{i}").json() for i in range(60)]   # the demo's first calls
    analysed = [b for b in bodies if b.get("speech") and b["speech"]["layout"] == "stereo"
                and b["call"]["agent_id"] != "A003"]
    assert analysed, "the demo analyses most connected calls"
    body = analysed[0]
    speech = body["speech"]
    assert speech["call_id"] == body["call"]["call_id"]
    assert speech["agent_talk_s"] + speech["customer_talk_s"] - speech["overtalk_s"] == \
        pytest.approx(speech["speech_s"], abs=0.2)
    assert speech["duration_s"] == body["call"]["talk_s"]
    assert body["recording"] is None and body["segments"] == []      # the demo has no audio
    # an agent sees their own calls only: another's is not found, worded as for any missing call
    r = as_user("agent3").get(f"/api/v1/calls/{body['call']['call_id']}")
    assert r.status_code == 404 and "no call" in r.json()["error"]["message"]
    assert c.get("/api/v1/calls/no-such-call").status_code == 404


def test_the_agent_page_shows_speech_beside_the_recording(as_user):
    html = as_user("agent3").get("/agents/A003").text
    assert 'class="speech"' in html and "agent talk" in html and "interruptions" in html
