"""The call a recording belongs to, read from its file name (docs/call-analysis.md,
"Recordings"), and of a transcript (``transcripts/load.py``).

``--pattern`` is a regular expression with a named group ``call_id``, searched in the file's
name (without its folder). The default tries, in order:

1. an Asterisk uniqueid (``1709262900.123``: epoch seconds, a dot, a sequence number), the id
   the Asterisk CDR connector stores as ``call_id``; FreePBX's MixMonitor names files
   ``out-0901234567-1001-20260301-101500-1709262900.123.wav``;
2. a UUID (``${uuid}.wav`` from FreeSWITCH's ``record_session``), the id of its CDR;
3. the name up to its first dot (``CALL-000123.mp3``; ``C000123.whisper.json``, a
   transcript named after its recording).
"""

from __future__ import annotations

import re
from pathlib import Path

from telekpi.errors import UsageError
from telekpi.i18n import _

UNIQUEID = r"(?<![\d.])(?P<call_id>\d{9,11}\.\d{1,9})(?![\d])"
UUID = r"(?P<call_id>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
DEFAULT_PATTERNS = (re.compile(UNIQUEID), re.compile(UUID))
# The sources known by how they name files: an Asterisk uniqueid is MixMonitor's (FreePBX),
# a UUID FreeSWITCH's record_session (their stereo layouts: docs/call-analysis.md).
CONVENTIONS = {"mixmonitor": DEFAULT_PATTERNS[0], "freeswitch": DEFAULT_PATTERNS[1]}
# The audio files `import recordings` looks for in a folder (other files there are left alone).
AUDIO_SUFFIXES = (".wav", ".mp3", ".ogg", ".oga", ".opus", ".gsm", ".flac", ".raw", ".sln", ".m4a", ".wma")


def compile_pattern(pattern: str | None) -> re.Pattern | None:
    """The user's ``--pattern``, checked: a valid expression with a group ``call_id``."""
    if pattern is None:
        return None
    try:
        rx = re.compile(pattern)
    except re.error as e:
        raise UsageError(_("--pattern is not a regular expression ({error})").format(error=e),
                         field="pattern", value=pattern) from None
    if "call_id" not in rx.groupindex:
        raise UsageError(_("--pattern needs a named group call_id, such as (?P<call_id>\\d+\\.\\d+)"),
                         field="pattern", value=pattern)
    return rx


def convention_of(path: Path) -> str | None:
    """The source whose naming ``path``'s file name follows (a CONVENTIONS key), if any."""
    for name, rx in CONVENTIONS.items():
        if rx.search(path.name):
            return name
    return None


def call_id_of(path: Path, pattern: re.Pattern | None = None) -> str | None:
    """The call id in ``path``'s name; None when ``pattern`` does not match it."""
    name = path.name
    if pattern is not None:
        m = pattern.search(name)
        return m.group("call_id") if m and m.group("call_id") else None
    for rx in DEFAULT_PATTERNS:
        if m := rx.search(name):
            return m.group("call_id")
    return name.split(".", 1)[0] or None
