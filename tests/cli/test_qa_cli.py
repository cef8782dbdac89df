"""`telekpi import transcripts`, `telekpi qa` and `telekpi csat-model` through the real
entry point: counts, exit codes, one sentence for what is wrong."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "telekpi" / "qa" / "examples"
VTT = """WEBVTT

00:01.000 --> 00:04.000
<v Agent>Good morning, thank you for calling. This call may be recorded.

00:05.000 --> 00:07.000
<v Customer>My internet is not working, I'm very disappointed.
"""


def test_import_score_and_learn(tiny_db, tmp_path, run, run_json):
    d = tmp_path / "words"
    d.mkdir()
    (d / "c1.vtt").write_text(VTT)
    (d / "c3.vtt").write_text(VTT.replace("Good morning", "Hello"))
    (d / "c9.srt").write_text("no cues here")
    code, out, err = run("--db", tiny_db, "import", "transcripts", d)
    assert code == 1, err   # a file was quarantined
    assert "c9.srt: quarantined: " in out and "3 files: 2 new, 0 replaced, 0 unchanged, 1 quarantined" in out
    code, out, err = run("--db", tiny_db, "import", "transcripts", d / "c1.vtt", d / "c3.vtt")
    assert code == 0 and "2 unchanged" in out
    form = tmp_path / "care.yaml"
    care = (EXAMPLES / "inbound-care-en.yaml").read_text()
    form.write_text(care.replace("direction: inbound", "direction: outbound"))   # tiny_db's calls are outbound
    code, out, err = run("--db", tiny_db, "qa", form, "--since", "2026-02-01")
    assert code == 0, err
    assert "1 transcribed calls; 1 scored now" in out and "speech items not scored" in err
    data = run_json("--db", tiny_db, "qa", form)
    assert (data["calls"], data["scored"], data["unchanged"]) == (2, 1, 1)
    kpi = run_json("--db", tiny_db, "kpi", "qa_score", "negative_sentiment_rate", "--by", "agent")
    assert {r["agent"] for r in kpi["rows"]} == {"a1", "a2"}
    assert all(r["negative_sentiment_rate"] == 1.0 for r in kpi["rows"])
    code, out, err = run("--db", tiny_db, "csat-model")
    assert code == 2 and "not enough surveys to learn from (0, need 40" in err and "Traceback" not in err


def test_bad_input_is_one_sentence(tiny_db, tmp_path, run):
    code, _, err = run("--db", tiny_db, "import", "transcripts", tmp_path / "absent.json")
    assert code == 2 and "absent.json: cannot read the file" in err
    (tmp_path / "c1.json").write_text("{}")
    code, _, err = run("--db", tiny_db, "import", "transcripts", tmp_path / "c1.json", "--pattern", "(")
    assert code == 2 and "--pattern is not a regular expression" in err
    code, _, err = run("--db", tiny_db, "import", "transcripts", tmp_path / "c1.json", "--format", "mp3")
    assert code == 2 and "--format 'mp3' is not one of: whisper, aws" in err
    code, _, err = run("--db", tiny_db, "qa", tmp_path / "none.yaml")
    assert code == 2 and "cannot read the QA form" in err
    code, _, err = run("--db", tiny_db, "qa", EXAMPLES / "inbound-care-en.yaml", "--since", "yesterday")
    assert code == 2 and "--since 'yesterday' is not a date" in err
