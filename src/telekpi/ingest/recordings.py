"""`telekpi import recordings`: audio files linked to calls and analysed as they come in
(docs/call-analysis.md, "Recordings").

A file's name gives the call id (``audio/naming.py``) and the call must be in the
warehouse; the file is hashed, and when the call's stored recording has that content and was
analysed the way the workspace asks now, it is skipped (an import run again changes nothing;
a run that was killed goes on where it stopped, since each file is saved in its own
transaction). Otherwise the file is decoded, its channels' speech found and the call's
figures computed and saved, replacing the call's earlier recording. A file that
names no call, names a call not imported, or cannot be decoded is quarantined with its
reason. Every file is counted once: linked (a call's first recording), updated (the call's
recording replaced, or analysed again), unchanged, or quarantined.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from telekpi.audio.decode import decode, sha256
from telekpi.audio.naming import AUDIO_SUFFIXES, call_id_of, convention_of
from telekpi.audio.speech import figures
from telekpi.audio.vad import detect
from telekpi.errors import InputError, UsageError
from telekpi.i18n import _
from telekpi.settings import RecordingSource, Settings
from telekpi.store import recordings as store
from telekpi.store.warehouse import Warehouse

CHANNELS = ("left", "right")
# At most this many quarantined files are named in the summary (the rest: `telekpi quarantine`).
EXAMPLES = 10


@dataclass
class RecordingCounts:
    files: int = 0
    linked: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    audio_s: float = 0.0         # seconds of audio analysed
    seconds: float = 0.0         # wall time
    examples: list[tuple[str, str]] = field(default_factory=list)   # (file, reason)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("files", "linked", "updated", "unchanged", "quarantined")}


@dataclass(frozen=True)
class Options:
    agent_channel: str                  # the workspace's default (recording_agent_channel)
    vad: str
    interruption_min_s: float
    pattern: re.Pattern | None = None
    forced: bool = False                # --agent-channel given: every file takes agent_channel
    sources: tuple[RecordingSource, ...] = ()

    def channel_for(self, path: Path) -> str:
        """The agent's channel in ``path``: --agent-channel; else the first
        [recording_sources.NAME] whose match finds the path, or that names the source whose
        file naming the name follows (mixmonitor, freeswitch); else the default."""
        if self.forced:
            return self.agent_channel
        convention = convention_of(path)
        for src in self.sources:
            if (re.search(src.match, str(path)) if src.match is not None else src.name == convention):
                return src.agent_channel
        return self.agent_channel

    def analysis_for(self, path: Path) -> str:
        """What decides a stereo call's figures: a file analysed otherwise is analysed again."""
        return f"{self.mono_analysis};agent={self.channel_for(path)}"

    @property
    def mono_analysis(self) -> str:
        """What decides a mono call's figures (no agent channel)."""
        return f"vad={self.vad};interruption_min_s={self.interruption_min_s:g}"


def options(settings: Settings, *, agent_channel: str | None = None, vad: str | None = None,
            pattern: re.Pattern | None = None) -> Options:
    channel = agent_channel or settings.recording_agent_channel
    if channel not in CHANNELS:
        raise UsageError(_("--agent-channel must be left or right, not {value}").format(value=repr(channel)),
                         field="agent_channel", value=channel, allowed=CHANNELS)
    return Options(agent_channel=channel, vad=vad or settings.vad,
                   interruption_min_s=settings.interruption_min_s, pattern=pattern,
                   forced=agent_channel is not None, sources=settings.recording_sources)


def audio_files(paths: Iterable[Path]) -> list[Path]:
    """The files to import: each file given, and the audio files under each folder given
    (by extension, recursively), absolute and in order, each once."""
    out: dict[Path, None] = {}
    for p in paths:
        if p.is_dir():
            for root, _dirs, names in os.walk(p):
                for name in sorted(names):
                    if Path(name).suffix.lower() in AUDIO_SUFFIXES:
                        out[Path(root, name).resolve()] = None
        elif p.exists():
            out[p.resolve()] = None
        else:
            raise InputError(_("no such file or folder"), file=str(p))
    return sorted(out)


def analyse_file(path: Path, opts: Options) -> tuple[dict, dict, list[tuple[str, float, float]]]:
    """Decode and analyse one file: (recording columns, call_speech figures, segments)."""
    audio = decode(path)
    found = detect(audio.samples, audio.rate, opts.vad)
    channel = opts.channel_for(path)
    if len(found) >= 2:
        a = 0 if channel == "left" else 1
        agent, customer = found[a], found[1 - a]
        figs = figures(audio.duration_s, agent, customer, interruption_min_s=opts.interruption_min_s)
        segs = [("agent", s, e) for s, e in agent] + [("customer", s, e) for s, e in customer]
    else:
        figs = figures(audio.duration_s, None, mono=found[0], interruption_min_s=opts.interruption_min_s)
        segs = [("speech", s, e) for s, e in found[0]]
    recording = {"duration_s": round(audio.duration_s, 3), "channels": audio.channels,
                 "sample_rate": audio.file_rate, "codec": audio.codec,
                 "agent_channel": channel if len(found) >= 2 else None}
    return recording, {**figs.row(), "vad": opts.vad}, sorted(segs, key=lambda x: (x[1], x[0]))


def import_recordings(wh: Warehouse, paths: Iterable[Path], opts: Options, *,
                      progress: Callable[[int, int], None] | None = None,
                      source: str | None = None, log: bool = True) -> RecordingCounts:
    """Link and analyse the audio files under ``paths``; ``progress(done, total)`` after each.
    The run is logged in ``imports`` unless ``log`` is false (the demo's own recordings: a
    warehouse with nothing imported stays one `telekpi demo` may replace)."""
    import time

    t0 = time.perf_counter()
    files = audio_files(paths)
    counts = RecordingCounts(files=len(files))
    con = wh.con
    for i, path in enumerate(files):
        _one(con, path, opts, counts)
        if progress:
            progress(i + 1, len(files))
    counts.seconds = time.perf_counter() - t0
    if files and log:
        store.log_import(con, source or str(files[0]), counts.as_dict())
    return counts


def _one(con, path: Path, opts: Options, counts: RecordingCounts) -> None:
    def reject(reason: str) -> None:
        store.quarantine(con, str(path), reason)
        counts.quarantined += 1
        if len(counts.examples) < EXAMPLES:
            counts.examples.append((str(path), reason))

    named = call_id_of(path, opts.pattern)
    if named is None:
        reject(_("its name holds no call id that --pattern finds"))
        return
    call_id = store.find_call(con, named)
    if call_id is None:
        reject(_("names call {call_id}, which is not in the warehouse: import the calls, then the "
                 "recordings again").format(call_id=named))
        return
    try:
        digest = sha256(path)
    except OSError as e:
        reject(_("cannot be read ({error})").format(error=e.strerror or type(e).__name__))
        return
    known = store.stored(con, call_id)
    if known and known["sha256"] == digest and known["analysis"] in (opts.analysis_for(path), opts.mono_analysis):
        if known["path"] != str(path):
            store.move(con, call_id, str(path))
        store.clear_quarantine(con, str(path))
        counts.unchanged += 1
        return
    try:
        recording, figs, segs = analyse_file(path, opts)
    except InputError as e:
        reject(e.message if hasattr(e, "message") else str(e))
        return
    replaced = known is not None
    recording.update(call_id=call_id, sha256=digest, path=str(path), bytes=path.stat().st_size,
                     analysis=opts.analysis_for(path) if recording["agent_channel"] else opts.mono_analysis,
                     imported_at=datetime.now(UTC))
    store.save(con, recording, figs, segs)
    store.clear_quarantine(con, str(path))
    counts.audio_s += recording["duration_s"]
    if replaced:
        counts.updated += 1
    else:
        counts.linked += 1


def reanalyse(wh: Warehouse, opts: Options, **kw) -> RecordingCounts:
    """Analyse again the stored recordings whose file changed or whose analysis differs from
    ``opts`` (the others are unchanged); files no longer there are quarantined."""
    paths = [Path(p) for p in store.stored_paths(wh.con)]
    present = [p for p in paths if p.exists()]
    counts = import_recordings(wh, present, opts, **kw)
    for p in paths:
        if not p.exists():
            store.quarantine(wh.con, str(p), _("the recording is no longer there"))
            counts.files += 1
            counts.quarantined += 1
    return counts
