"""Transcript files as vendors write them → utterances (who, when, what, how sure).

Each reader follows its vendor's documentation (the tests name the page):

- Whisper JSON (``openai-whisper``'s ``--output_format json``, faster-whisper's segments
  written out): ``segments[]`` with ``start``, ``end``, ``text``, ``avg_logprob``; no speakers.
- AWS Transcribe batch JSON: ``results.items[]`` (words with ``start_time``/``end_time`` as
  text, ``alternatives[0].content``/``confidence``, ``type`` pronunciation or punctuation),
  labelled by ``speaker_label`` (diarization) or ``channel_label`` (channel identification,
  also ``results.channel_labels.channels[].items``); ``jobName`` may carry the call id.
- Google Speech-to-Text v1 JSON: ``results[].alternatives[0].words[]`` with
  ``startTime``/``endTime`` (``"1.300s"``), ``speakerTag`` (diarization: the last result
  repeats every word with its tag) and ``results[].channelTag``.
- Deepgram JSON: ``results.utterances[]`` (``speaker``, ``channel``) when asked for, else
  ``results.channels[i].alternatives[0].words[]`` with ``speaker``.
- WebVTT and SRT captions (``captions.py``).

``read.py`` tells them apart and words what is wrong with a file as one sentence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

FORMATS = ("whisper", "aws", "google", "deepgram", "webvtt", "srt")
# Words further apart than this start a new utterance even when the same voice says them.
UTTERANCE_GAP_S = 1.5


@dataclass(frozen=True)
class Utterance:
    label: str | None          # the speaker or channel as the file names it; None: not said
    start_s: float | None
    end_s: float | None
    text: str
    confidence: float | None = None


@dataclass
class Parsed:
    format: str
    utterances: list[Utterance]
    call_id: str | None = None              # the vendor's own id for the call, when it carries one
    labels: list[str] = field(default_factory=list)   # speakers/channels in the file's order
    label_kind: str | None = None           # channel | speaker | name


class Broken(Exception):
    """A file that is not what its format says: the reason, worded by ``parse``."""


def _num(v: Any, what: str) -> float | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        raise Broken(what)
    if isinstance(v, str):
        v = v.strip().removesuffix("s")
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise Broken(what) from None
    if not math.isfinite(f) or f < 0:
        raise Broken(what)
    return f


def _conf(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) and 0 <= f <= 1 else None


def _list(v: Any, what: str) -> list:
    if v is None:
        return []
    if not isinstance(v, list):
        raise Broken(what)
    return v


def _dict(v: Any, what: str) -> dict:
    if not isinstance(v, dict):
        raise Broken(what)
    return v


def _join(words: list[str]) -> str:
    """Words as a line: punctuation sticks to the word before it."""
    out = ""
    for w in words:
        w = w.strip()
        if not w:
            continue
        out += w if (not out or w[0] in ".,!?;:…\u3002\uff0c\uff01\uff1f\u3001") else " " + w   # and CJK marks
    return out


def words_to_utterances(words: list[tuple[str | None, float | None, float | None, str, float | None]]
                        ) -> list[Utterance]:
    """(label, start, end, word, confidence) in order → utterances: a new one when the voice
    changes or after a pause longer than ``UTTERANCE_GAP_S``."""
    out: list[Utterance] = []
    cur: list = []

    def flush() -> None:
        if not cur:
            return
        confs = [c for *_, c in cur if c is not None]
        starts = [s for _, s, *_ in cur if s is not None]
        ends = [e for _, _, e, *_ in cur if e is not None]
        text = _join([w for *_, w, _ in cur])
        if text:
            out.append(Utterance(cur[0][0], min(starts) if starts else None, max(ends) if ends else None,
                                 text, round(sum(confs) / len(confs), 4) if confs else None))
        cur.clear()

    for w in words:
        if cur and (w[0] != cur[-1][0] or (w[1] is not None and cur[-1][2] is not None
                                           and w[1] - cur[-1][2] > UTTERANCE_GAP_S)):
            flush()
        cur.append(w)
    flush()
    return out


def whisper(data: dict) -> Parsed:
    segs = _list(data.get("segments"), "segments is not a list")
    out = []
    for s in segs:
        s = _dict(s, "a segment is not an object")
        text = s.get("text")
        if not isinstance(text, str):
            raise Broken("a segment has no text")
        lp = s.get("avg_logprob")
        conf = _conf(math.exp(lp)) if isinstance(lp, int | float) and not isinstance(lp, bool) \
            and math.isfinite(lp) and lp <= 0 else None
        label = s.get("speaker") if isinstance(s.get("speaker"), str) else None   # WhisperX adds one
        if text.strip():
            out.append(Utterance(label, _num(s.get("start"), "a segment's start is not a time"),
                                 _num(s.get("end"), "a segment's end is not a time"), text.strip(), conf))
    labels = list(dict.fromkeys(u.label for u in out if u.label))
    return Parsed("whisper", out, labels=labels, label_kind="speaker" if labels else None)


def aws(data: dict) -> Parsed:
    results = _dict(data.get("results"), "results is not an object")
    items = _list(results.get("items"), "results.items is not a list")
    if not items and isinstance(results.get("channel_labels"), dict):
        for ch in _list(results["channel_labels"].get("channels"), "channel_labels.channels is not a list"):
            ch = _dict(ch, "a channel is not an object")
            items += [dict(i, channel_label=ch.get("channel_label")) if isinstance(i, dict) else i
                      for i in _list(ch.get("items"), "a channel's items are not a list")]
        items.sort(key=lambda i: _num(i.get("start_time"), "a start_time is not a time") or 0.0
                   if isinstance(i, dict) else 0.0)
    words: list = []
    kind = None
    last: tuple | None = None
    for i in items:
        i = _dict(i, "an item is not an object")
        alts = _list(i.get("alternatives"), "an item's alternatives are not a list")
        if not alts:
            continue
        alt = _dict(alts[0], "an alternative is not an object")
        content = alt.get("content")
        if not isinstance(content, str):
            raise Broken("an item has no content")
        if i.get("type") == "punctuation":
            if last is not None:   # punctuation carries no time: it goes with the word before
                words.append((last[0], None, None, content, None))
            continue
        label = i.get("channel_label") or i.get("speaker_label")
        kind = "channel" if i.get("channel_label") else "speaker" if i.get("speaker_label") else kind
        w = (str(label) if label is not None else None, _num(i.get("start_time"), "a start_time is not a time"),
             _num(i.get("end_time"), "an end_time is not a time"), content, _conf(alt.get("confidence")))
        words.append(w)
        last = w
    if not words:
        texts = _list(results.get("transcripts"), "results.transcripts is not a list")
        text = " ".join(t.get("transcript", "") for t in texts if isinstance(t, dict)
                        and isinstance(t.get("transcript"), str)).strip()
        utt = [Utterance(None, None, None, text)] if text else []
    else:
        utt = words_to_utterances(words)
    job = data.get("jobName")
    return Parsed("aws", utt, call_id=job if isinstance(job, str) and job else None,
                  labels=sorted({u.label for u in utt if u.label}), label_kind=kind)


def _google_time(v: Any, what: str) -> float | None:
    if isinstance(v, dict):   # the client libraries' Duration: seconds and nanos
        return (_num(v.get("seconds", 0), what) or 0.0) + (_num(v.get("nanos", 0), what) or 0.0) / 1e9
    return _num(v, what)


def google(data: dict) -> Parsed:
    results = _list(data.get("results"), "results is not a list")
    per_result = []
    for r in results:
        r = _dict(r, "a result is not an object")
        alts = _list(r.get("alternatives"), "a result's alternatives are not a list")
        if not alts:
            continue
        alt = _dict(alts[0], "an alternative is not an object")
        ch = r.get("channelTag", r.get("channel_tag"))
        words = []
        for w in _list(alt.get("words"), "an alternative's words are not a list"):
            w = _dict(w, "a word is not an object")
            text = w.get("word")
            if not isinstance(text, str):
                raise Broken("a word has no text")
            tag = w.get("speakerTag", w.get("speaker_tag", w.get("speakerLabel")))
            words.append((tag, _google_time(w.get("startTime", w.get("start_time", w.get("startOffset"))),
                                            "a word's startTime is not a time"),
                          _google_time(w.get("endTime", w.get("end_time", w.get("endOffset"))),
                                       "a word's endTime is not a time"), text, _conf(w.get("confidence"))))
        transcript: str = alt["transcript"] if isinstance(alt.get("transcript"), str) else ""
        per_result.append((ch, words, transcript, _conf(alt.get("confidence"))))
    tagged = [p for p in per_result if any(w[0] not in (None, 0) for w in p[1])]
    if tagged:   # diarization: the last result holds every word so far, each with its speaker
        words = [(str(w[0]), *w[1:]) for w in tagged[-1][1]]
        utt, kind = words_to_utterances(words), "speaker"
    else:
        utt, kind = [], None
        for ch, words, transcript, conf in per_result:
            label = str(ch) if ch is not None else None
            kind = "channel" if ch is not None else kind
            if words:
                utt += words_to_utterances([(label, *w[1:]) for w in words])
            elif transcript.strip():
                utt.append(Utterance(label, None, None, transcript.strip(), conf))
        utt.sort(key=lambda u: (u.start_s is None, u.start_s or 0.0))
    return Parsed("google", utt, labels=sorted({u.label for u in utt if u.label}, key=_label_order),
                  label_kind=kind)


def _label_order(label: str) -> tuple:
    return (0, int(label), "") if label.isdigit() else (1, 0, label)


def deepgram(data: dict) -> Parsed:
    results = _dict(data.get("results"), "results is not an object")
    utts = results.get("utterances")
    channels = _list(results.get("channels"), "results.channels is not a list")
    out: list[Utterance] = []
    kind = None
    if isinstance(utts, list) and utts:
        multi = len(channels) > 1
        for u in utts:
            u = _dict(u, "an utterance is not an object")
            text = u.get("transcript")
            if not isinstance(text, str):
                raise Broken("an utterance has no transcript")
            who = u.get("channel") if multi else u.get("speaker")
            kind = "channel" if multi else "speaker" if u.get("speaker") is not None else kind
            if text.strip():
                out.append(Utterance(None if who is None else str(who), _num(u.get("start"), "a start is not a time"),
                                     _num(u.get("end"), "an end is not a time"), text.strip(),
                                     _conf(u.get("confidence"))))
    else:
        for n, ch in enumerate(channels):
            ch = _dict(ch, "a channel is not an object")
            alts = _list(ch.get("alternatives"), "a channel's alternatives are not a list")
            if not alts:
                continue
            words = []
            for w in _list(_dict(alts[0], "an alternative is not an object").get("words"),
                           "an alternative's words are not a list"):
                w = _dict(w, "a word is not an object")
                text = w.get("punctuated_word") or w.get("word")
                if not isinstance(text, str):
                    raise Broken("a word has no text")
                who = n if len(channels) > 1 else w.get("speaker")
                words.append((None if who is None else str(who), _num(w.get("start"), "a start is not a time"),
                              _num(w.get("end"), "an end is not a time"), text, _conf(w.get("confidence"))))
            kind = "channel" if len(channels) > 1 else "speaker" if any(w[0] for w in words) else kind
            out += words_to_utterances(words)
        out.sort(key=lambda u: (u.start_s is None, u.start_s or 0.0))
    return Parsed("deepgram", out, labels=sorted({u.label for u in out if u.label}, key=_label_order),
                  label_kind=kind)


JSON_READERS = {"whisper": whisper, "aws": aws, "google": google, "deepgram": deepgram}


def detect_json(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    results = data.get("results")
    if isinstance(results, dict) and ("transcripts" in results or "jobName" in data or "items" in results):
        return "aws"
    if isinstance(results, dict) and ("channels" in results or "utterances" in results):
        return "deepgram"
    if isinstance(results, list):
        return "google"
    if "segments" in data:
        return "whisper"
    return None
