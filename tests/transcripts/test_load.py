"""`Workspace.import_transcripts`: every file accounted for, idempotent by content, the
call id from the name, the pattern or the vendor, who spoke from the option or setting."""

from __future__ import annotations

import json

import pytest

from telekpi.errors import UsageError
from telekpi.store.warehouse import Warehouse
from telekpi.transcripts.load import import_transcripts

from .test_formats import AWS_CHANNELS, WEBVTT, WHISPER


@pytest.fixture
def wh(tmp_path):
    w = Warehouse(tmp_path / "telekpi.duckdb")
    w.con.execute("INSERT INTO calls (call_id, started_at, agent_id, status) VALUES "
                  "('C1', '2026-03-01 09:00:00+00', 'a1', 'answered'), "
                  "('C42', '2026-03-01 10:00:00+00', 'a2', 'answered')")
    yield w
    w.close()


def rows(wh, call_id):
    return wh.con.execute("SELECT seq, speaker, text FROM transcripts WHERE call_id = ? ORDER BY seq",
                          [call_id]).fetchall()


def test_import_is_idempotent_and_replaces_a_changed_file(wh, tmp_path):
    f = tmp_path / "C1.vtt"
    f.write_text(WEBVTT)
    s = import_transcripts(wh, [f])
    assert [(o.status, o.call_id, o.utterances) for o in s.outcomes] == [("inserted", "C1", 2)]
    assert rows(wh, "C1") == [(1, "agent", "Good morning, this call may be recorded."),
                              (2, "customer", "I want a refund!")]
    assert import_transcripts(wh, [f]).outcomes[0].status == "unchanged"
    assert wh.count("transcripts") == 2
    f.write_text(WEBVTT.replace("refund", "discount"))
    assert import_transcripts(wh, [f]).outcomes[0].status == "updated"
    assert rows(wh, "C1")[1][2] == "I want a discount!" and wh.count("transcripts") == 2
    logged = wh.con.execute('SELECT inserted, updated, unchanged, quarantined FROM imports '
                            'WHERE "table" = \'transcripts\' ORDER BY imported_at').fetchall()
    assert logged == [(2, 0, 0, 0), (0, 0, 2, 0), (0, 2, 0, 0)]


def test_folders_quarantine_and_counts_add_up(wh, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "C1.whisper.json").write_text(json.dumps(WHISPER))
    (d / "C7.srt").write_text("not a caption at all")
    (d / "C8.json").write_text('{"segments": "nope"}')
    (d / "notes.txt").write_text("ignored: not a transcript's suffix")
    s = import_transcripts(wh, [d])
    assert len(s.outcomes) == 3
    assert sum(s.count(k) for k in ("inserted", "updated", "unchanged", "quarantined")) == 3
    assert s.count("inserted") == 1 and s.count("quarantined") == 2
    q = wh.con.execute("SELECT source, reason FROM quarantine WHERE \"table\" = 'transcripts' ORDER BY source"
                       ).fetchall()
    assert [src.rsplit("/", 1)[1] for src, _ in q] == ["C7.srt", "C8.json"]
    assert "segments is not a list" in q[1][1] and not q[1][1].startswith("/")
    assert rows(wh, "C1")[0][1] == "unknown"   # Whisper says nothing of speakers


def test_call_id_from_pattern_or_vendor(wh, tmp_path):
    f = tmp_path / "rec-2026-C1-agent.json"
    f.write_text(json.dumps(WHISPER))
    assert import_transcripts(wh, [f], pattern=r"-(?P<call_id>C\d+)-").outcomes[0].call_id == "C1"
    aws = tmp_path / "job-output.json"
    aws.write_text(json.dumps(AWS_CHANNELS))
    s = import_transcripts(wh, [aws], agent="ch_1")
    assert s.outcomes[0].call_id == "C42" and s.unknown_calls == []
    assert [r[1] for r in rows(wh, "C42")] == ["agent", "customer"]
    with pytest.raises(UsageError, match="needs a named group call_id"):
        import_transcripts(wh, [f], pattern=r"C\d+")
    with pytest.raises(UsageError, match="is not a regular expression"):
        import_transcripts(wh, [f], pattern=r"(?P<call_id>")


def test_a_missing_label_and_unknown_calls(wh, tmp_path):
    f = tmp_path / "C99.json"
    f.write_text(json.dumps(AWS_CHANNELS).replace('"jobName": "C42", ', ""))
    s = import_transcripts(wh, [f], agent="spk_3")
    assert s.outcomes[0].status == "quarantined" and "'spk_3' is not in the transcript" in s.outcomes[0].reason
    s = import_transcripts(wh, [f])
    assert s.outcomes[0].call_id == "C99" and s.unknown_calls == ["C99"]
