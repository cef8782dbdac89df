# ruff: noqa: RUF001  (the Chinese script is written with Chinese punctuation)
"""Test calls built from synthesized speech, where who speaks when is known by construction:
the accuracy tests, the benchmark and the demo's recordings use them (docs/call-analysis.md).

Each utterance is spoken by espeak-ng (in the call's languages: vi, th, zh, en), resampled
to 8 kHz, band-limited to the telephone band (300–3400 Hz), trimmed to where it is audible
(so its extent is the truth) and placed on its speaker's channel at its start time; noise
is added to both channels at ``snr_db``. A script is a list of ``Turn``\\ s.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

RATE = 8000
# A 10 ms frame of clean speech is audible from this RMS, relative to an utterance's peak of
# 0.5 (about -46 dBFS): the construction's truth of when someone speaks.
AUDIBLE = 0.01
# espeak-ng's voices for the languages telekpi speaks.
VOICES = {"en": "en-us", "vi": "vi", "th": "th", "zh": "cmn"}


@dataclass(frozen=True)
class Turn:
    speaker: str      # agent or customer
    start_s: float
    text: str
    lang: str = "en"


def available() -> bool:
    """Is espeak-ng installed (``./dev test`` installs it)?"""
    return shutil.which("espeak-ng") is not None


@lru_cache(maxsize=512)
def speak(text: str, lang: str, speed: int = 160) -> np.ndarray:
    """``text`` spoken, float32 at 8 kHz in the telephone band, trimmed to its audible part."""
    from scipy.signal import butter, resample_poly, sosfilt

    out = subprocess.run(["espeak-ng", "-v", VOICES[lang], "-s", str(speed), "--stdout", text],
                         capture_output=True, check=True).stdout
    rate = int.from_bytes(out[24:28], "little")
    pcm = np.frombuffer(out[44:], dtype="<i2").astype(np.float32) / 32768.0
    x = resample_poly(pcm, RATE, rate).astype(np.float32)
    x = sosfilt(butter(4, [300, 3400], btype="band", fs=RATE, output="sos"), x).astype(np.float32)
    loud = np.flatnonzero(np.abs(x) > 0.02 * np.abs(x).max())
    return x[loud[0]:loud[-1] + 1] if len(loud) else x[:0]


def render(turns: list[Turn], duration_s: float, *, snr_db: float = 20.0, seed: int = 0
           ) -> tuple[np.ndarray, dict[str, list[tuple[float, float]]]]:
    """The call as int16 (2, n): agent left, customer right; and the truth: when each
    speaker's clean signal (before the noise) is audible, by 10 ms frames joined as the
    detectors join theirs (``vad.segments``)."""
    from telekpi.audio.vad import segments

    n = int(duration_s * RATE)
    chans = {"agent": np.zeros(n, np.float32), "customer": np.zeros(n, np.float32)}
    for t in turns:
        x = speak(t.text, t.lang)
        i = int(t.start_s * RATE)
        x = x[: max(0, n - i)]
        chans[t.speaker][i:i + len(x)] += 0.5 * x / max(1e-6, float(np.abs(x).max()))
    out = np.stack([chans["agent"], chans["customer"]])
    step = RATE // 100
    truth = {}
    for who, x in chans.items():
        rms = np.sqrt(np.mean(x[: len(x) // step * step].reshape(-1, step) ** 2, axis=1))
        truth[who] = segments(rms > AUDIBLE * 0.5, step / RATE)
    rng = np.random.default_rng(seed)
    speech_rms = float(np.sqrt(np.mean(out[out != 0] ** 2)))
    noise = rng.normal(0, speech_rms / (10 ** (snr_db / 20)), out.shape).astype(np.float32)
    pcm = np.clip((out + noise) * 32767, -32768, 32767).astype(np.int16)
    return pcm, truth


def write_wav(path: Path, pcm: np.ndarray, rate: int = RATE) -> Path:
    """``pcm`` int16 (channels, n) as a 16-bit WAV file."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(pcm.shape[0])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.ascontiguousarray(pcm.T).tobytes())
    return path


# A sales call in four languages: greeting, overlap (the customer interrupts), dead air.
SCRIPTS: dict[str, list[Turn]] = {
    "en": [Turn("agent", 0.8, "Good morning, this is Anna from Sunrise Insurance", "en"),
           Turn("customer", 4.6, "Yes hello, who is this", "en"),
           Turn("agent", 7.0, "I am calling about your health plan renewal this month", "en"),
           Turn("customer", 9.6, "I already told you I am not interested", "en"),
           Turn("agent", 16.5, "I understand, may I send you the details by email", "en"),
           Turn("customer", 20.8, "Fine send it", "en")],
    "vi": [Turn("agent", 0.5, "Xin chào anh, em là Lan gọi từ công ty bảo hiểm", "vi"),
           Turn("customer", 4.2, "Vâng chào em, có việc gì không", "vi"),
           Turn("agent", 6.6, "Em gọi để giới thiệu gói bảo hiểm sức khỏe mới", "vi"),
           Turn("customer", 8.9, "Anh đang bận lắm em ơi", "vi"),
           Turn("agent", 15.0, "Dạ vâng, em gửi thông tin qua tin nhắn được không ạ", "vi"),
           Turn("customer", 19.5, "Được em gửi đi", "vi")],
    "th": [Turn("agent", 0.6, "สวัสดีค่ะ ดิฉันชื่อมาลี โทรจากบริษัทประกันภัย", "th"),
           Turn("customer", 4.5, "ครับ สวัสดีครับ มีอะไรครับ", "th"),
           Turn("agent", 7.0, "ดิฉันโทรมาแนะนำประกันสุขภาพแบบใหม่ค่ะ", "th"),
           Turn("customer", 9.2, "ผมไม่สนใจครับ ขอบคุณครับ", "th"),
           Turn("agent", 15.5, "ขอส่งรายละเอียดทางข้อความได้ไหมคะ", "th"),
           Turn("customer", 19.8, "ได้ครับ", "th")],
    "zh": [Turn("agent", 0.7, "您好，我是阳光保险公司的小李", "zh"),
           Turn("customer", 4.0, "你好，有什么事吗", "zh"),
           Turn("agent", 6.9, "我打电话是想介绍我们新的健康保险", "zh"),
           Turn("customer", 8.3, "我现在很忙，没有时间", "zh"),
           Turn("agent", 14.5, "好的，我可以把资料发短信给您吗", "zh"),
           Turn("customer", 18.6, "可以，发吧", "zh")],
}
SCRIPT_SECONDS = 24.0
