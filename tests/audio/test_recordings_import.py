"""`telekpi import recordings` and `telekpi analyse`: files linked to calls, every file
accounted for, idempotent, resumable, bad files quarantined."""

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from telekpi.audio.speech import figures
from telekpi.ingest import recordings as ingest_recordings
from telekpi.store.warehouse import Warehouse
from telekpi.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures"
STEREO = "out-0901234567-1001-20260301-101500-1709262900.123.ogg"
MONO = "CALL-MONO-2.gsm"
CALLS = ("call_id,started_at,agent_id,status,talk_s\n"
         "1709262900.123#1,2026-03-01 10:15:00,A1,answered,7\n"
         "CALL-MONO-2,2026-03-01 11:00:00,A2,answered,7\n"
         "CALL-BROKEN,2026-03-01 12:00:00,A2,answered,7\n")


@pytest.fixture
def centre(tmp_path):
    db = tmp_path / "w.duckdb"
    with Warehouse(db) as wh:   # the calls by hand: quicker than an import
        for line in CALLS.splitlines()[1:]:
            wh.con.execute("INSERT INTO calls (call_id, started_at, agent_id, status, talk_s) "
                           "VALUES (?, ?, ?, ?, ?)", line.split(","))
    rec = tmp_path / "rec"
    rec.mkdir()
    for name in (STEREO, MONO):
        shutil.copy(FIXTURES / name, rec / name)
    (rec / "CALL-BROKEN.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio")
    (rec / "CALL-UNKNOWN.wav").write_bytes((rec / MONO).read_bytes())
    (rec / "notes.txt").write_text("not audio, not looked at")
    return db, rec


def rows(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_import_links_analyses_and_accounts_for_every_file(centre, run):
    db, rec = centre
    code, out, err = run("--db", db, "import", "recordings", rec)
    assert code == 0, err
    assert "4 files: 2 linked, 0 updated, 0 unchanged, 2 quarantined" in out
    assert "CALL-BROKEN.wav: cannot be decoded as audio" in out
    assert "names call CALL-UNKNOWN, which is not in the warehouse" in out
    recs = {r["call_id"]: r for r in rows(db, "SELECT * FROM recordings")}
    # the uniqueid in the file name finds the CDR's leg uniqueid#sequence
    assert set(recs) == {"1709262900.123#1", "CALL-MONO-2"}
    stereo, mono = recs["1709262900.123#1"], recs["CALL-MONO-2"]
    assert (stereo["channels"], stereo["sample_rate"], stereo["codec"], stereo["agent_channel"]) == \
        (2, 8000, "vorbis", "left")
    assert (mono["channels"], mono["codec"], mono["agent_channel"]) == (1, "gsm", None)
    assert stereo["duration_s"] == pytest.approx(7.0, abs=0.05) and len(stereo["sha256"]) == 64
    q = rows(db, "SELECT source, reason FROM quarantine WHERE \"table\" = 'recordings' ORDER BY source")
    assert [Path(r["source"]).name for r in q] == ["CALL-BROKEN.wav", "CALL-UNKNOWN.wav"]
    speech = {r["call_id"]: r for r in rows(db, "SELECT * FROM call_speech")}
    assert speech["CALL-MONO-2"]["layout"] == "mono" and speech["CALL-MONO-2"]["agent_talk_s"] is None
    assert speech["CALL-MONO-2"]["speech_s"] > 0
    segs = rows(db, "SELECT DISTINCT speaker FROM speech_segments ORDER BY 1")
    assert [s["speaker"] for s in segs] == ["agent", "customer", "speech"]


def test_stereo_fixture_within_tolerance_of_its_construction(centre, run):
    db, rec = centre
    run("--db", db, "import", "recordings", rec / STEREO)
    truth = json.loads((FIXTURES / "truth.json").read_text())
    want = figures(truth["seconds"], [tuple(s) for s in truth["agent"]], [tuple(s) for s in truth["customer"]])
    got = rows(db, "SELECT * FROM call_speech")[0]
    # Silero holds on after speech ends (docs/call-analysis.md, "VAD choice"): here 0.3 s per
    # segment, 0.6 s over the agent's two
    for name in ("agent_talk_s", "customer_talk_s", "silence_s", "overtalk_s"):
        assert got[name] == pytest.approx(getattr(want, name), abs=0.7), name
    assert got["agent_talk_s"] > want.agent_talk_s
    assert got["first_words_s"] == pytest.approx(want.first_words_s, abs=0.1)


def test_import_again_changes_nothing_and_right_channel_reanalyses(centre, run):
    db, rec = centre
    run("--db", db, "import", "recordings", rec)
    before = rows(db, "SELECT * FROM call_speech ORDER BY call_id")
    code, out, _ = run("--db", db, "import", "recordings", rec)
    assert "4 files: 0 linked, 0 updated, 2 unchanged, 2 quarantined" in out
    assert rows(db, "SELECT * FROM call_speech ORDER BY call_id") == before
    assert rows(db, "SELECT count(*) AS n FROM quarantine")[0]["n"] == 2     # listed once each
    # the agent on the right: the stereo call is analysed again, its talk swapped; mono is not
    code, out, _ = run("--db", db, "import", "recordings", "--agent-channel", "right", rec)
    assert "0 linked, 1 updated, 1 unchanged, 2 quarantined" in out
    after = {r["call_id"]: r for r in rows(db, "SELECT * FROM call_speech")}
    first = {r["call_id"]: r for r in before}
    assert after["1709262900.123#1"]["agent_talk_s"] == first["1709262900.123#1"]["customer_talk_s"]


def test_analyse_redoes_only_changed_files(centre, run):
    db, rec = centre
    run("--db", db, "import", "recordings", rec)
    assert "2 files: 0 linked, 0 updated, 2 unchanged, 0 quarantined" in run("--db", db, "analyse")[1]
    (rec / MONO).write_bytes((FIXTURES / MONO).read_bytes()[:33 * 100])   # cut to 100 GSM frames: 2 s
    code, out, _ = run("--db", db, "analyse")
    assert "2 files: 0 linked, 1 updated, 1 unchanged, 0 quarantined" in out
    assert rows(db, "SELECT duration_s FROM call_speech WHERE call_id = 'CALL-MONO-2'")[0]["duration_s"] == 2.0
    (rec / STEREO).unlink()
    assert "1 quarantined" in run("--db", db, "analyse")[1]


def test_a_killed_import_goes_on_where_it_stopped(centre, monkeypatch):
    db, rec = centre
    done = []

    def killed_after_two(i, total):   # files in order: CALL-BROKEN.wav, CALL-MONO-2.gsm, …
        done.append(i)
        if i == 2:
            raise KeyboardInterrupt
    with Workspace(db, read_only=False) as ws, pytest.raises(KeyboardInterrupt):
        ws.import_recordings([rec], progress=killed_after_two)
    analysed = []
    real = ingest_recordings.analyse_file
    monkeypatch.setattr(ingest_recordings, "analyse_file", lambda p, o: analysed.append(p.name) or real(p, o))
    with Workspace(db, read_only=False) as ws:
        counts = ws.import_recordings([rec])
    assert MONO not in analysed and STEREO in analysed   # saved before the kill: not decoded again
    assert counts.unchanged == 1
    assert counts.files == counts.linked + counts.updated + counts.unchanged + counts.quarantined == 4


def test_options_are_checked(centre, run):
    db, rec = centre
    code, _, err = run("--db", db, "import", "recordings", "--agent-channel", "middle", rec)
    assert code == 2 and "left or right" in err
    code, _, err = run("--db", db, "import", "recordings", "--pattern", "(x", rec)
    assert code == 2 and "--pattern" in err and "Traceback" not in err
    code, _, err = run("--db", db, "import", "calls", "--pattern", "x", rec)
    assert code == 2 and "recordings" in err
    code, _, err = run("--db", db, "import", "recordings", rec / "missing")
    assert code == 2 and "no such file or folder" in err
    (rec.parent / "empty").mkdir()
    code, _, err = run("--db", db, "import", "recordings", rec.parent / "empty")
    assert code == 1 and "no audio files there" in err


def test_the_call_view_has_recording_figures_and_segments(centre):
    from telekpi.engine.lookup import Lookup, Scope

    db, rec = centre
    with Workspace(db, read_only=False) as ws:
        ws.import_recordings([rec / STEREO])
        found = Lookup(ws.engine()).call_analysis("1709262900.123#1")
        assert Lookup(ws.engine()).call_analysis("1709262900.123#1", Scope(agent="A2")) is None
    assert found["recording"]["codec"] == "vorbis" and found["speech"]["layout"] == "stereo"
    speakers = [s["speaker"] for s in found["segments"]]
    assert speakers[0] == "agent" and set(speakers) == {"agent", "customer"}
    assert [s["start_s"] for s in found["segments"]] == sorted(s["start_s"] for s in found["segments"])


def test_changing_the_detector_in_settings_reanalyses_with_it(centre, run):
    db, rec = centre
    run("--db", db, "import", "recordings", rec / STEREO)
    (db.parent / "telekpi.toml").write_text('vad = "silero"\n')
    code, out, _ = run("--db", db, "analyse")
    assert "1 files: 0 linked, 1 updated" in out
    got = rows(db, "SELECT * FROM call_speech")[0]
    assert got["vad"] == "silero"
    truth = json.loads((FIXTURES / "truth.json").read_text())
    want = figures(truth["seconds"], [tuple(s) for s in truth["agent"]], [tuple(s) for s in truth["customer"]])
    # Silero holds on after speech ends (docs/call-analysis.md, "VAD choice"): here 0.3 s per
    # segment, 0.6 s over the agent's two
    for name in ("agent_talk_s", "customer_talk_s", "silence_s", "overtalk_s"):
        assert got[name] == pytest.approx(getattr(want, name), abs=0.7), name
    assert got["agent_talk_s"] > want.agent_talk_s


def test_the_agent_channel_per_source_and_the_option_over_it(centre, run):
    """[recording_sources.NAME] in telekpi.toml: the MixMonitor file (named by its Asterisk
    uniqueid) has the agent on the right; --agent-channel still decides for one import."""
    db, rec = centre
    run("--db", db, "import", "recordings", rec)
    left = {r["call_id"]: r for r in rows(db, "SELECT * FROM call_speech")}["1709262900.123#1"]
    (Path(db).parent / "telekpi.toml").write_text('[recording_sources.mixmonitor]\nagent_channel = "right"\n')
    code, out, _ = run("--db", db, "import", "recordings", rec)
    assert "0 linked, 1 updated, 1 unchanged, 2 quarantined" in out    # its analysis changed
    stored = rows(db, "SELECT agent_channel FROM recordings WHERE call_id = '1709262900.123#1'")[0]
    assert stored["agent_channel"] == "right"
    right = {r["call_id"]: r for r in rows(db, "SELECT * FROM call_speech")}["1709262900.123#1"]
    assert right["agent_talk_s"] == left["customer_talk_s"]
    code, out, _ = run("--db", db, "import", "recordings", "--agent-channel", "left", rec)
    assert "0 linked, 1 updated, 1 unchanged" in out
    assert rows(db, "SELECT agent_channel FROM recordings WHERE call_id = '1709262900.123#1'")[0][
        "agent_channel"] == "left"


def test_a_source_matched_by_its_path_comes_before_the_naming(tmp_path):
    from telekpi.settings import settings_from_dict

    s = settings_from_dict({"recording_agent_channel": "left", "recording_sources": {
        "inbound": {"match": "/inbound/", "agent_channel": "right"},
        "freeswitch": {"agent_channel": "right"}}})
    opts = ingest_recordings.options(s)
    uuid = "0b6cc3b2-6f43-4d4d-9f45-2a8c1b1e7f10.wav"
    assert opts.channel_for(Path("/rec/inbound/CALL-1.wav")) == "right"      # its path
    assert opts.channel_for(Path("/rec/out/CALL-1.wav")) == "left"           # the default
    assert opts.channel_for(Path(f"/rec/{uuid}")) == "right"                 # FreeSWITCH naming
    assert opts.channel_for(Path("/rec/out-1-20260301-1709262900.123.wav")) == "left"   # MixMonitor
    forced = ingest_recordings.options(s, agent_channel="left")
    assert forced.channel_for(Path("/rec/inbound/CALL-1.wav")) == "left"


@pytest.mark.parametrize(("table", "says"), [
    ({"x": {"agent_channel": "left"}}, "needs match"),
    ({"x": {"match": "(", "agent_channel": "left"}}, "not a regular expression"),
    ({"mixmonitor": {"agent_channel": "middle"}}, "left or right"),
    ({"mixmonitor": {"agent_channel": "left", "colour": 1}}, "match and agent_channel only"),
    ("left", "must be tables"),
])
def test_a_bad_recording_source_is_one_clear_sentence(table, says):
    from telekpi.errors import ConfigError
    from telekpi.settings import settings_from_dict

    with pytest.raises(ConfigError, match=says):
        settings_from_dict({"recording_sources": table})
