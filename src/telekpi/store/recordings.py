"""Recordings linked to calls, and the speech segments found in them (docs/call-analysis.md).

``recordings`` holds one row per call that has a recording: the file, its content hash (a
file imported again unchanged is skipped), what it holds and how it was
analysed (``analysis``: the detector and the options; a change re-analyses it).
``speech_segments`` holds who spoke when; the per-call figures are in the canonical table
``call_speech``. A call's three are replaced together, in one transaction per file, so an
import killed half way leaves every call either as it was or fully analysed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from telekpi.store.warehouse import touch

RECORDING_COLUMNS = ("call_id", "sha256", "path", "bytes", "duration_s", "channels", "sample_rate",
                     "codec", "agent_channel", "analysis", "imported_at")
SPEAKERS = ("agent", "customer", "speech")


def stored(con, call_id: str) -> dict | None:
    """The call's stored recording: its file, content hash and analysis."""
    row = con.execute("SELECT sha256, path, analysis FROM recordings WHERE call_id = ?", [call_id]).fetchone()
    return dict(zip(("sha256", "path", "analysis"), row, strict=True)) if row else None


def stored_paths(con) -> list[str]:
    """The files of the stored recordings, in order."""
    return [r[0] for r in con.execute("SELECT path FROM recordings ORDER BY path").fetchall()]


def find_call(con, call_id: str) -> str | None:
    """The stored call ``call_id`` names: itself, else (an Asterisk uniqueid, whose CDR
    records carry a sequence: ``uniqueid#sequence``) its answered leg with the longest talk."""
    if con.execute("SELECT 1 FROM calls WHERE call_id = ?", [call_id]).fetchall():
        return call_id
    row = con.execute("SELECT call_id FROM calls WHERE starts_with(call_id, ?) ORDER BY status = "
                      "'answered' DESC, talk_s DESC NULLS LAST, call_id LIMIT 1", [call_id + "#"]).fetchone()
    return row[0] if row else None


def move(con, call_id: str, path: str) -> None:
    """The call's recording found at another path: remember where it is now."""
    con.execute("UPDATE recordings SET path = ? WHERE call_id = ?", [path, call_id])


def save(con, recording: dict, figures: dict, segments: list[tuple[str, float, float]]) -> None:
    """Replace the call's recording, figures and segments, in one transaction."""
    from telekpi.model.tables import TABLES

    call_id = recording["call_id"]
    speech_cols = TABLES["call_speech"].names
    con.begin()
    try:
        for table in ("recordings", "speech_segments", "call_speech"):
            con.execute(f"DELETE FROM {table} WHERE call_id = ?", [call_id])
        con.execute(f"INSERT INTO recordings ({', '.join(RECORDING_COLUMNS)}) VALUES "
                    f"({', '.join('?' * len(RECORDING_COLUMNS))})",
                    [recording.get(c) for c in RECORDING_COLUMNS])
        row = {**figures, "call_id": call_id}
        con.execute(f"INSERT INTO call_speech ({', '.join(speech_cols)}) VALUES "
                    f"({', '.join('?' * len(speech_cols))})", [row.get(c) for c in speech_cols])
        if segments:
            con.executemany("INSERT INTO speech_segments VALUES (?, ?, ?, ?)",
                            [(call_id, who, s, e) for who, s, e in segments])
        touch(con, ["call_speech"])
        con.commit()
    except BaseException:
        con.rollback()
        raise


def quarantine(con, source: str, reason: str) -> None:
    """A file that was not linked: kept in the quarantine with its reason (the file's earlier
    entries replaced, so a file quarantined again is listed once)."""
    con.execute("DELETE FROM quarantine WHERE source = ? AND \"table\" = 'recordings'", [source])
    con.execute("INSERT INTO quarantine VALUES (?, NULL, 'recordings', NULL, NULL, ?, ?)",
                [source, reason, datetime.now(UTC)])


def clear_quarantine(con, source: str) -> None:
    con.execute("DELETE FROM quarantine WHERE source = ? AND \"table\" = 'recordings'", [source])


def log_import(con, source: str, counts: dict) -> None:
    """One line in ``imports`` for a run of `import recordings`."""
    con.execute('INSERT INTO imports (source, "table", format, rows_read, inserted, updated, unchanged, '
                "quarantined, imported_at, skipped) VALUES (?, 'recordings', 'audio', ?, ?, ?, ?, ?, ?, 0)",
                [source, counts["files"], counts["linked"], counts["updated"], counts["unchanged"],
                 counts["quarantined"], datetime.now(UTC)])
