"""Recordings for the demo, where espeak-ng is installed (``./dev test`` installs it): a few
of the demo's transcribed calls spoken by espeak-ng in their own language (Vietnamese sales,
English care), each party on its own channel, 8 kHz stereo WAV in the telephone band with a
little line noise (``audio/synth.py``), written under the workspace and imported by
``Workspace.import_recordings``, the code `telekpi import recordings` runs. The recordings
table, the speech figures of those calls and the review page's player then have real audio.

Every line of a chosen call is spoken. A transcript's times come from a template; the
audio's are what espeak-ng says, so the chosen calls' lines are laid out again from the
spoken lengths (the pauses between lines kept, now and then the customer cutting in), and
their transcripts take those times: the transcript follows the audio on the review page.
Without espeak-ng nothing is written and the demo is as it was.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from telekpi.audio import synth

RECORDINGS = 16          # calls given a recording: enough to play, quick to make (2-3 s)
FOLDER = "demo-recordings"
SNR_DB = 25.0
CUT_IN = 0.12            # the share of customer lines that start before the agent has finished

Said = list[tuple[str, float, float, str]]   # (speaker, start_s, end_s, text), as demo_words makes


def available() -> bool:
    return synth.available()


def pick(calls: list[tuple[str, str]], rnd: random.Random, n: int = RECORDINGS) -> list[str]:
    """``n`` of ``calls`` ((call_id, language)), the languages taking turns."""
    by_language: dict[str, list[str]] = {}
    for call_id, language in calls:
        by_language.setdefault(language, []).append(call_id)
    pools = [rnd.sample(ids, min(len(ids), n)) for _, ids in sorted(by_language.items())]
    out: list[str] = []
    while len(out) < n and any(pools):
        for pool in pools:
            if pool and len(out) < n:
                out.append(pool.pop())
    return out


def lay_out(said: Said, language: str, rnd: random.Random) -> tuple[Said, float]:
    """The call's lines at the times espeak-ng speaks them: each line as long as its
    audio, the pauses between lines as the transcript had them, a customer now and then
    cutting in; the lines and the recording's length."""
    out: Said = []
    t = said[0][1] if said else 0.5
    for i, (speaker, _start, end, text) in enumerate(said):
        length = len(synth.speak(text, synth_language(language))) / synth.RATE
        if out and speaker == "customer" and out[-1][0] == "agent" and rnd.random() < CUT_IN:
            t = max(out[-1][1] + 0.5, out[-1][2] - min(0.8, length / 2))
        out.append((speaker, round(t, 2), round(t + length, 2), text))
        pause = said[i + 1][1] - end if i + 1 < len(said) else 0.0
        t += length + min(1.5, max(0.25, pause))
    return out, round((out[-1][2] if out else 0.0) + 1.0, 2)


def synth_language(language: str) -> str:
    return "zh" if language.startswith("zh") else language


def write(calls: dict[str, tuple[str, Said]], folder: Path, seed: int,
          channel_for: Callable[[Path], str]) -> tuple[dict[str, Said], list[Path]]:
    """Speak and write each of ``calls`` (call_id → (language, what was said)) as
    ``folder/CALL_ID.wav``, the agent on the channel ``channel_for(path)`` says; the calls'
    lines as laid out, and the files written."""
    unique = {(text, synth_language(lang)) for lang, said in calls.values() for *_, text in said}
    with ThreadPoolExecutor(max_workers=2) as pool:   # espeak-ng runs as a process: two at a time
        list(pool.map(lambda line: synth.speak(*line), sorted(unique)))
    folder.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(seed * 13 + 7)
    lines: dict[str, Said] = {}
    files = []
    for n, (call_id, (language, said)) in enumerate(sorted(calls.items())):
        laid, seconds = lay_out(said, language, rnd)
        turns = [synth.Turn(s, a, text, synth_language(language)) for s, a, _b, text in laid]
        pcm, _truth = synth.render(turns, seconds, snr_db=SNR_DB, seed=seed + n)
        path = folder / f"{call_id}.wav"
        synth.write_wav(path, pcm if channel_for(path) == "left" else pcm[::-1])
        lines[call_id] = laid
        files.append(path)
    return lines, files
