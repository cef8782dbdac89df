"""`telekpi import transcripts`: transcript files → the ``transcripts`` table, every file
accounted for (imported, unchanged, replaced or quarantined with its reason).

The call id comes from the file name as a recording's does (``audio/naming.py``: an Asterisk
uniqueid, a UUID, else the name up to its first dot: ``C000123.whisper.json``) or a
``--pattern`` regex with a group ``call_id``; without ``--pattern``, an AWS Transcribe job's
``jobName`` is its call id (the vendor carries it). A file is read again only when its content changed (sha256): the
same file twice changes nothing; a changed one replaces the call's transcript."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from telekpi.audio.naming import call_id_of, compile_pattern
from telekpi.errors import InputError, UsageError
from telekpi.i18n import _
from telekpi.store import transcript_store as store
from telekpi.store.warehouse import Warehouse
from telekpi.transcripts.formats import FORMATS
from telekpi.transcripts.read import parse
from telekpi.transcripts.speakers import roles

SUFFIXES = (".json", ".vtt", ".srt")


@dataclass
class Outcome:
    path: str
    status: str                 # inserted | updated | unchanged | quarantined
    call_id: str | None = None
    format: str | None = None
    utterances: int = 0
    reason: str | None = None


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)
    unknown_calls: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


def files_in(paths: list[Path]) -> list[Path]:
    """Files as given, and the transcript files under folders given (sorted)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
        else:
            out.append(p)
    return out


def call_id_for(path: Path, rx: re.Pattern | None, vendor_id: str | None) -> str:
    if rx is None and vendor_id:
        return vendor_id
    call_id = call_id_of(path, rx)
    if not call_id:
        raise InputError(_("no call id in the file name (pattern {pattern})").format(
            pattern=rx.pattern if rx else "default"), file=str(path))
    return call_id


def import_transcripts(wh: Warehouse, paths: list[Path], *, agent: str = "auto", pattern: str | None = None,
                       fmt: str | None = None) -> Summary:
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(_("--format {given} is not one of: {allowed}").format(
            given=repr(fmt), allowed=", ".join(FORMATS)))
    rx = compile_pattern(pattern)
    summary = Summary()
    for path in files_in(paths):
        source = str(path.resolve())
        try:
            data = path.read_bytes()
        except OSError as e:
            raise InputError(_("cannot read the file ({reason})").format(reason=e.strerror or e),
                             file=str(path)) from None
        digest = hashlib.sha256(data).hexdigest()
        try:
            parsed = parse(path, data, fmt)
            call_id = call_id_for(path, rx, parsed.call_id)
            who = roles(parsed, agent, str(path))
        except InputError as e:
            reason = e.message
            store.quarantine_file(wh, source, reason)
            store.log_import(wh, source, fmt or "transcript", 0, 0, 0, 0, 1)
            summary.outcomes.append(Outcome(str(path), "quarantined", format=fmt, reason=reason))
            continue
        before = store.transcript_hash(wh, call_id)
        if before == digest:
            summary.outcomes.append(Outcome(str(path), "unchanged", call_id, parsed.format, len(parsed.utterances)))
            store.log_import(wh, source, parsed.format, len(parsed.utterances), 0, 0, len(parsed.utterances), 0)
            continue
        rows = [(call_id, seq, who.get(u.label, "unknown") if u.label else "unknown", u.start_s, u.end_s,
                 u.text, u.confidence, source) for seq, u in enumerate(parsed.utterances, 1)]
        store.replace_transcript(wh, call_id, rows, source=source, fmt=parsed.format, content_hash=digest)
        status = "inserted" if before is None else "updated"
        store.log_import(wh, source, parsed.format, len(rows), len(rows) if before is None else 0,
                         len(rows) if before is not None else 0, 0, 0)
        summary.outcomes.append(Outcome(str(path), status, call_id, parsed.format, len(rows)))
    ids = {o.call_id for o in summary.outcomes if o.call_id}
    summary.unknown_calls = sorted(ids - store.known_calls(wh, ids))
    return summary
