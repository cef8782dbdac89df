"""The demo's synthesized recordings (qa/demo_audio.py): calls spoken by espeak-ng, imported
as `telekpi import recordings` imports, their transcripts timed to the audio; nothing at all
without espeak-ng."""

from __future__ import annotations

import random

import pytest

from telekpi.audio import synth
from telekpi.ingest.recordings import options
from telekpi.qa import demo_audio
from telekpi.qa.demo_words import add_to_demo, transcript
from telekpi.store.warehouse import Warehouse
from telekpi.workspace import Workspace

from .reviewed import build

needs_espeak = pytest.mark.skipif(not synth.available(), reason="espeak-ng is not installed (./dev test installs it)")


def test_without_espeak_the_demo_writes_no_audio(tmp_path, monkeypatch):
    db = build(tmp_path)
    monkeypatch.setattr(demo_audio, "available", lambda: False)
    with Warehouse(db) as wh:
        counts = add_to_demo(wh, 1, share=1.0, audio_dir=tmp_path / "audio")
        assert counts["transcripts"] > 0 and wh.count("recordings") == 0
    assert not (tmp_path / "audio").exists()


def test_pick_takes_the_languages_in_turn():
    calls = [(f"V{i}", "vi") for i in range(10)] + [("E1", "en"), ("E2", "en")]
    chosen = demo_audio.pick(calls, random.Random(1), 6)
    assert len(chosen) == 6 and {c for c in chosen if c.startswith("E")} == {"E1", "E2"}


@pytest.mark.slow
@needs_espeak
def test_spoken_calls_are_imported_and_their_transcripts_follow_the_audio(tmp_path):
    db = build(tmp_path)     # calls C01…C10, agents A1–A3
    rnd = random.Random(3)
    calls = {"C01": ("en", transcript(rnd, "en", "A1", "Lan", True)),
             "C02": ("vi", transcript(rnd, "vi", "A1", "Lan", False))}
    (tmp_path / "telekpi.toml").write_text('[recording_sources.demo]\nmatch = "C02"\nagent_channel = "right"\n')
    with Workspace(db, read_only=False) as ws:
        laid, files = demo_audio.write(calls, tmp_path / "audio", 1, options(ws.settings).channel_for)
        assert [f.name for f in files] == ["C01.wav", "C02.wav"]
        counts = ws.import_recordings([tmp_path / "audio"])
        assert counts.linked == 2 and counts.quarantined == 0
        con = ws.warehouse.con
        rec = dict(con.execute("SELECT call_id, agent_channel FROM recordings ORDER BY 1").fetchall())
        assert rec == {"C01": "left", "C02": "right"}
        for call_id, lines in laid.items():
            assert len(lines) == len(calls[call_id][1])       # every line spoken
            agent = con.execute("SELECT start_s, end_s FROM speech_segments WHERE call_id = ? AND "
                                "speaker = 'agent' ORDER BY start_s", [call_id]).fetchall()
            first = next(line for line in lines if line[0] == "agent")
            # the agent's first words are where the laid-out transcript says (the right channel too)
            assert agent[0][0] == pytest.approx(first[1], abs=0.15), call_id
            talk = sum(e - s for s, e in agent)
            said = sum(b - a for who, a, b, _ in lines if who == "agent")
            assert talk == pytest.approx(said, abs=0.25 * len(lines)), call_id


@pytest.mark.slow
@needs_espeak
def test_telekpi_demo_has_recordings_to_play_and_a_demo_still_replaces_a_demo(tmp_path, run):
    db = tmp_path / "telekpi.duckdb"
    for seed in ("3", "4"):        # the demo's recordings are not an import: a demo replaces a demo
        code, out, err = run("--db", db, "demo", "--seed", seed)
        assert code == 0, err
        assert f"{demo_audio.RECORDINGS} recordings" in out
    with Warehouse(db) as wh:
        rows = wh.con.execute("SELECT r.path, s.layout, s.agent_talk_s, s.vad FROM recordings r "
                              "JOIN call_speech s USING (call_id)").fetchall()
        assert wh.con.execute("SELECT count(*) FROM imports").fetchall()[0][0] == 0
    assert len(rows) == demo_audio.RECORDINGS
    assert all(path.startswith(str(tmp_path / demo_audio.FOLDER)) and layout == "stereo" and talk > 3
               and vad == "webrtc" for path, layout, talk, vad in rows)
