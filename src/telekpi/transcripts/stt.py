"""Local speech-to-text (`telekpi transcribe`): PocketSphinx with the US English model its
package ships, or faster-whisper with a model directory the user provides (never a
download). Only the speech a voice-activity detector finds is transcribed, per channel (a
stereo recording's agent channel is ``agent_channel``), so silence and line noise are not
turned into invented words.

Audio is decoded and its speech found as the speech analytics of recordings do it
(``audio/decode.py``: WAV, MP3, OGG, GSM, …; ``audio/vad.py``: the workspace's ``vad``,
WebRTC by default), so a recording's words and its speech figures come from the same
segments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from telekpi.errors import InputError, MissingDependencyError, UsageError
from telekpi.i18n import _

RATE = 16000
ENGINES = ("pocketsphinx", "whisper")


@dataclass(frozen=True)
class Heard:
    speaker: str              # agent | customer | unknown
    start_s: float
    end_s: float
    text: str
    confidence: float | None


def read_audio(path: Path):
    """(channels × samples int16 array at 16 kHz); InputError when it cannot be decoded."""
    import numpy as np
    from scipy.signal import resample_poly

    from telekpi.audio.decode import decode

    audio = decode(path)
    if not audio.samples.shape[1]:
        raise InputError(_("the audio is empty"), file=str(path))
    if audio.rate == RATE:
        return audio.samples
    channels = resample_poly(audio.samples.astype(np.float64), RATE, audio.rate, axis=1)
    return np.clip(channels, -32768, 32767).astype(np.int16)


def speech_spans(samples, vad: str = "webrtc") -> list[tuple[float, float]]:
    """(start_s, end_s) of the speech in 16 kHz int16 mono ``samples``."""
    from telekpi.audio.vad import detect

    return detect(samples[None, :], RATE, vad)[0]


class PocketSphinx:
    name = "pocketsphinx"

    def __init__(self) -> None:
        from pocketsphinx import Decoder

        self.decoder = Decoder(samprate=RATE, loglevel="FATAL")

    def __call__(self, samples) -> tuple[str, float | None]:
        d = self.decoder
        d.start_utt()
        d.process_raw(samples.tobytes(), full_utt=True)
        d.end_utt()
        hyp = d.hyp()
        return (hyp.hypstr.strip(), None) if hyp else ("", None)


class Whisper:
    name = "whisper"

    def __init__(self, model_dir: Path | None, language: str | None) -> None:
        if model_dir is None:
            raise UsageError(_("--engine whisper needs --model-dir, a faster-whisper model folder you "
                               "downloaded (telekpi never downloads one)"))
        if not (Path(model_dir) / "model.bin").is_file():
            raise InputError(_("not a faster-whisper model folder (no model.bin in it)"), file=str(model_dir))
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise MissingDependencyError("--engine whisper", "whisper") from None  # i18n: keep an option
        self.model = WhisperModel(str(model_dir), device="cpu", compute_type="int8")
        self.language = language

    def __call__(self, samples) -> tuple[str, float | None]:
        import math

        segments, _info = self.model.transcribe(samples.astype("float32") / 32768.0, language=self.language,
                                                vad_filter=False, beam_size=1)
        segs = list(segments)
        text = " ".join(s.text.strip() for s in segs).strip()
        probs = [math.exp(s.avg_logprob) for s in segs]
        return text, (round(sum(probs) / len(probs), 4) if probs else None)


def recogniser(engine: str, model_dir: Path | None = None, language: str | None = None):
    if engine not in ENGINES:
        raise UsageError(_("--engine {given} is not one of: {allowed}").format(
            given=repr(engine), allowed=", ".join(ENGINES)))
    return PocketSphinx() if engine == "pocketsphinx" else Whisper(model_dir, language)


def transcribe(path: Path, recognise, agent_channel: str = "left", vad: str = "webrtc") -> list[Heard]:
    """The speech of each channel, transcribed span by span, in time order. Mono: one
    speaker, unknown; stereo: ``agent_channel`` (left or right) is the agent."""
    if agent_channel not in ("left", "right"):
        raise UsageError(_("--agent-channel must be left or right"))
    channels = read_audio(path)
    out: list[Heard] = []
    for n, samples in enumerate(channels[:2]):
        speaker = "unknown" if len(channels) == 1 else \
            ("agent" if (n == 0) == (agent_channel == "left") else "customer")
        for start, end in speech_spans(samples, vad):
            text, conf = recognise(samples[int(start * RATE):int(end * RATE)])
            if text:
                out.append(Heard(speaker, start, end, text, conf))
    return sorted(out, key=lambda h: h.start_s)
