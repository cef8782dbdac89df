"""`telekpi transcribe`: audio files (or the recordings imported, each with the agent channel
it was imported with) → ``transcripts``, by ``stt.py``; the call id from the file name as for
recordings (``audio/naming.py``). A file already transcribed
by the same engine (the same content and engine: its hash) is skipped unless ``force``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from telekpi.audio.naming import AUDIO_SUFFIXES, compile_pattern
from telekpi.errors import InputError
from telekpi.i18n import _
from telekpi.store import transcript_store as store
from telekpi.store.warehouse import Warehouse
from telekpi.transcripts.load import call_id_for
from telekpi.transcripts.stt import recogniser, transcribe


def recorded(wh: Warehouse) -> list[tuple[str, Path, str | None]]:
    """(call id, path, agent channel) of the imported recordings."""
    rows = wh.con.execute("SELECT call_id, path, agent_channel FROM recordings ORDER BY call_id").fetchall()
    return [(c, Path(p), a) for c, p, a in rows]


def transcribe_files(wh: Warehouse, files: list[Path], *, engine: str, model_dir: Path | None,
                     language: str | None, agent_channel: str, pattern: str | None, force: bool,
                     vad: str = "webrtc", channel_for: Callable[[Path], str] | None = None) -> list[dict]:
    """Transcribe ``files`` (else every imported recording, with the channel it was imported
    with); a file given takes ``channel_for(path)`` (the workspace's recording sources) when
    given, else ``agent_channel``."""
    rx = compile_pattern(pattern)
    jobs: list[tuple[str | None, Path, str | None]] = []
    for f in files:
        if f.is_dir():
            jobs += [(None, p, None) for p in sorted(f.rglob("*")) if p.suffix.lower() in AUDIO_SUFFIXES]
        else:
            jobs.append((None, f, None))
    if not files:
        jobs = [*recorded(wh)]
        if not jobs:
            raise InputError(_("no recordings to transcribe: give audio files, or import recordings first "
                               "(telekpi import recordings)"))
    recognise = recogniser(engine, model_dir, language)
    out: list[dict] = []
    for call_id, path, channel in jobs:
        try:
            call_id = call_id or call_id_for(path, rx, None)
            digest = hashlib.sha256(path.read_bytes() + engine.encode()).hexdigest()
        except OSError as e:
            out.append({"path": str(path), "status": "failed", "reason": e.strerror or str(e)})
            continue
        except InputError as e:
            out.append({"path": str(path), "status": "failed", "reason": e.message})
            continue
        if not force and store.transcript_hash(wh, call_id) == digest:
            out.append({"path": str(path), "call_id": call_id, "status": "unchanged"})
            continue
        try:
            heard = transcribe(path, recognise, channel or (channel_for(path) if channel_for else agent_channel), vad)
        except InputError as e:
            store.quarantine_file(wh, str(path.resolve()), e.message)
            out.append({"path": str(path), "call_id": call_id, "status": "failed", "reason": e.message})
            continue
        source = str(path.resolve())
        rows = [(call_id, n, h.speaker, h.start_s, h.end_s, h.text, h.confidence, source)
                for n, h in enumerate(heard, 1)]
        store.replace_transcript(wh, call_id, rows, source=source, fmt=engine, content_hash=digest)
        out.append({"path": str(path), "call_id": call_id, "status": "transcribed", "utterances": len(rows)})
    return out
