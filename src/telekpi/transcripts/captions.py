"""WebVTT and SRT captions with their speakers → utterances.

WebVTT (W3C, "WebVTT: The Web Video Text Tracks Format"): a ``WEBVTT`` line, then cues of
an optional identifier, ``00:01.000 --> 00:04.000`` (hours optional) and text lines; the
speaker is a voice span ``<v Agent>…</v>`` (``<v.loud Agent>`` with classes). SRT: a counter,
``00:00:01,000 --> 00:00:04,000`` and text. In either, a line that starts with a speaker's
name and a colon (``AGENT: …``, ``Khách hàng: …``) names the speaker, as subtitle editors and
many recognisers write it."""

from __future__ import annotations

import re

from telekpi.transcripts.formats import Broken, Parsed, Utterance

_TIME = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})$")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]+>")
_PREFIX = re.compile(r"^\s*([^\W\d][\w .'-]{0,30}?)\s*:\s+(.*)$", re.UNICODE)


def _time(text: str) -> float:
    m = _TIME.match(text.strip())
    if not m:
        raise Broken(f"{text.strip()[:40]!r} is not a cue time")
    h, mi, s, ms = m.groups()
    if int(mi) > 59 or int(s) > 59:
        raise Broken(f"{text.strip()[:40]!r} is not a cue time")
    return int(h or 0) * 3600 + int(mi) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000


def _cues(text: str) -> list[Utterance]:
    out: list[Utterance] = []
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    for block in blocks:
        lines = [ln for ln in block.split("\n") if ln.strip()]
        at = next((i for i, ln in enumerate(lines) if "-->" in ln), None)
        if at is None:
            continue   # the header, NOTE, STYLE and REGION blocks, a stray counter
        start_text, _, rest = lines[at].partition("-->")
        start, end = _time(start_text), _time(rest.split()[0] if rest.split() else "")
        if end < start:
            raise Broken(f"a cue ends ({rest.split()[0]}) before it starts ({start_text.strip()})")
        label = None
        words = []
        for ln in lines[at + 1:]:
            v = _VOICE.search(ln)
            if v:
                label = v.group(1).strip()
            plain = _TAG.sub("", ln).strip()
            if label is None:
                p = _PREFIX.match(plain)
                if p:
                    label, plain = p.group(1).strip(), p.group(2).strip()
            if plain:
                words.append(plain)
        if words:
            out.append(Utterance(label, start, end, " ".join(words)))
    return out


def webvtt(text: str) -> Parsed:
    if not text.lstrip("\ufeff").startswith("WEBVTT"):
        raise Broken("a WebVTT file starts with WEBVTT")
    utt = _cues(text.split("\n", 1)[1] if "\n" in text else "")
    return Parsed("webvtt", utt, labels=list(dict.fromkeys(u.label for u in utt if u.label)), label_kind="name")


def srt(text: str) -> Parsed:
    utt = _cues(text)
    if not utt and "-->" not in text:
        raise Broken("no cue (a line such as 00:00:01,000 --> 00:00:04,000)")
    return Parsed("srt", utt, labels=list(dict.fromkeys(u.label for u in utt if u.label)), label_kind="name")
