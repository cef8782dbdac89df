"""A transcript file → its utterances, whatever its vendor: detected from its content (or
``--format``), read by ``formats.py`` or ``captions.py``; anything else is one sentence."""

from __future__ import annotations

import json
from pathlib import Path

from telekpi.errors import InputError
from telekpi.i18n import _
from telekpi.transcripts.captions import srt, webvtt
from telekpi.transcripts.formats import JSON_READERS, Broken, Parsed, detect_json


def parse(path: Path, data: bytes, fmt: str | None = None) -> Parsed:
    """The file's utterances; InputError (one sentence, naming the file) when it is not a
    transcript telekpi reads."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(_("not a transcript: the file is not UTF-8 text"), file=str(path)) from None
    stripped = text.lstrip()
    try:
        if fmt in ("webvtt", "srt") or (fmt is None and not stripped.startswith(("{", "["))):
            if fmt == "webvtt" or (fmt is None and stripped.startswith("WEBVTT")):
                return webvtt(text)
            if fmt == "srt" or (fmt is None and "-->" in stripped):
                return srt(text)
            raise InputError(_("not a transcript: expected JSON (Whisper, AWS Transcribe, Google, "
                               "Deepgram), WebVTT or SRT"), file=str(path))
        try:
            obj = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as e:
            raise InputError(_("not a transcript: the JSON is broken ({reason})").format(
                reason=str(e)[:120]), file=str(path)) from None
        found = fmt or detect_json(obj)
        if found is None or found not in JSON_READERS:
            raise InputError(_("not a transcript: the JSON is none of Whisper, AWS Transcribe, Google "
                               "Speech-to-Text or Deepgram (see docs/call-analysis.md)"), file=str(path))
        if not isinstance(obj, dict):
            raise Broken("the file is not a JSON object")
        return JSON_READERS[found](obj)
    except Broken as e:
        reason = str(e.args[0])
        raise InputError(_("not a {format} transcript: {reason}").format(format=fmt, reason=reason) if fmt else
                         _("not a transcript: {reason}").format(reason=reason), file=str(path)) from None
    except RecursionError:
        raise InputError(_("not a transcript: nested too deeply"), file=str(path)) from None
