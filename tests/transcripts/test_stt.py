"""Local speech-to-text, for real: English speech synthesised by espeak-ng, PocketSphinx
with the model its package ships, gated by voice activity (silence gives no words)."""

from __future__ import annotations

import shutil
import subprocess
import wave

import numpy as np
import pytest

from telekpi.errors import InputError, MissingDependencyError, UsageError
from telekpi.transcripts.stt import RATE, PocketSphinx, Whisper, speech_spans, transcribe

ESPEAK = shutil.which("espeak-ng")


def write_wav(path, channels: list[np.ndarray]) -> None:
    n = max(len(c) for c in channels)
    data = np.zeros((n, len(channels)), dtype=np.int16)
    for i, c in enumerate(channels):
        data[:len(c), i] = c
    with wave.open(str(path), "wb") as w:
        w.setnchannels(len(channels))
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(data.tobytes())


def speech(tmp_path, text: str) -> np.ndarray:
    raw = tmp_path / "say.wav"
    subprocess.run([ESPEAK, "-v", "en-us", "-s", "130", "-w", str(raw), text], check=True)
    with wave.open(str(raw)) as w:
        rate, frames = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    from scipy.signal import resample_poly

    return resample_poly(frames.astype(float), RATE, rate).astype(np.int16)


def test_silence_and_noise_are_not_speech():
    rng = np.random.default_rng(0)
    assert speech_spans(np.zeros(RATE * 3, dtype=np.int16)) == []
    assert speech_spans((rng.normal(0, 30, RATE * 3)).astype(np.int16)) == []   # a quiet line's hiss


@pytest.mark.slow   # PocketSphinx loads its model and decodes: seconds
@pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed (./dev test installs it)")
def test_pocketsphinx_hears_english_words_where_there_is_speech(tmp_path):
    voice = speech(tmp_path, "Hello. Thank you for calling. Can you tell me your account number?")
    gap = np.zeros(RATE * 2, dtype=np.int16)
    agent = np.concatenate([gap, voice, gap])
    customer = np.zeros(len(agent), dtype=np.int16)   # the customer says nothing
    f = tmp_path / "C1.wav"
    write_wav(f, [agent, customer])
    heard = transcribe(f, PocketSphinx(), "left")
    assert heard and {h.speaker for h in heard} == {"agent"}
    words = " ".join(h.text for h in heard).split()
    assert {"you", "your", "number", "account", "calling", "hello", "thank", "for"} & set(words), words
    assert heard[0].start_s >= 1.5 and heard[-1].end_s <= 2 + len(voice) / RATE + 0.5


def test_clear_sentences(tmp_path):
    with pytest.raises(UsageError, match="needs --model-dir"):
        Whisper(None, None)
    with pytest.raises(InputError, match="not a faster-whisper model folder"):
        Whisper(tmp_path, None)
    (tmp_path / "model.bin").write_bytes(b"")
    try:
        import faster_whisper  # noqa: F401
    except ImportError:
        with pytest.raises(MissingDependencyError, match=r"pip install 'telekpi\[whisper\]'"):
            Whisper(tmp_path, None)
    bad = tmp_path / "C2.wav"
    bad.write_bytes(b"RIFF not audio")
    with pytest.raises(InputError, match="cannot be decoded as audio"):
        transcribe(bad, lambda s: ("", None))


def test_files_given_to_transcribe_take_their_recording_sources_channel(tmp_path, monkeypatch):
    """`telekpi transcribe FILE…`: the agent's channel of a file given is --agent-channel, else
    its [recording_sources.NAME], else recording_agent_channel (the recognizer is stubbed: this is
    about which channel it is told is the agent's)."""
    from telekpi.transcripts import transcribe as module
    from telekpi.workspace import Workspace

    told = {}
    monkeypatch.setattr(module, "recogniser", lambda *a: None)
    monkeypatch.setattr(module, "transcribe", lambda path, rec, channel, vad: told.setdefault(path.name, channel)
                        and [])
    (tmp_path / "telekpi.toml").write_text('[recording_sources.inbound]\nmatch = "/inbound/"\n'
                                           'agent_channel = "right"\n')
    for folder in ("inbound", "outbound"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"{folder.upper()}-1.wav").write_bytes(b"RIFF")
    with Workspace(tmp_path / "telekpi.duckdb", read_only=False) as ws:
        ws.transcribe([tmp_path / "inbound", tmp_path / "outbound"])
        assert told == {"INBOUND-1.wav": "right", "OUTBOUND-1.wav": "left"}
        told.clear()
        ws.transcribe([tmp_path / "inbound"], agent_channel="left", force=True)
        assert told == {"INBOUND-1.wav": "left"}
