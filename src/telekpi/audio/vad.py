"""Voice activity per channel: which stretches of a channel hold speech.

Two detectors, measured side by side on synthesized calls (``bench/call_analysis_bench.py``,
docs/call-analysis.md "VAD choice"):

- ``webrtc``: the WebRTC project's GMM detector (webrtcvad-wheels), 20 ms frames, in C;
- ``silero``: Silero VAD's neural network (MIT licence, ``models/silero_vad.onnx`` as its
  wheel ships it, run with onnxruntime so torch is not needed), 32 ms frames at 8 kHz.

Both give one decision per frame; ``segments`` turns the frames into speech segments the same
way for both: gaps shorter than ``MERGE_GAP_S`` are closed (the pauses between words are
talk), then segments shorter than ``MIN_SPEECH_S`` are dropped (clicks, a breath).

A detector's frames do not start and stop where the speech does, and each errs its own way
(measured against synthesized calls, docs/call-analysis.md "How far to trust them"), so
``detect`` corrects each detector's segments by its ``Edges``:

- WebRTC loses the quiet ends of syllables, the more so in noise: a pause of 0.2 s between
  words reads as 0.3–0.4 s, which the 0.3 s rule then leaves open, cutting a sentence in two
  (the largest error, up to 0.9 s of talk per call). It closes gaps under 0.4 s (the 0.3 s of
  the definition plus the 0.1 s its edges lose) and keeps 60 ms after each segment (its fade).
- Silero's probability stays over the threshold for a frame after speech ends (its ends were
  late by 0.1 s on average): at a threshold of 0.6 each segment ends one 32 ms frame earlier.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

VADS = ("webrtc", "silero")
MERGE_GAP_S = 0.3
MIN_SPEECH_S = 0.15
# WebRTC: 20 ms frames (measured closer to the truth than 30 ms) at its most aggressive
# mode (3: fewest noise frames taken for speech).
WEBRTC_FRAME_S = 0.02
WEBRTC_MODE = 3
# Silero: a frame is speech from this probability (the model's own default); the channel is
# cut into pieces of PIECE_S seconds run as one batch, each piece from a fresh state.
SILERO_THRESHOLD = 0.6
SILERO_PIECE_S = 30.0
SILERO_CONTEXT = {8000: 32, 16000: 64}
SILERO_FRAME = {8000: 256, 16000: 512}

Segment = tuple[float, float]


@dataclass(frozen=True)
class Edges:
    """A detector's correction: the gaps it widens closed up to ``merge_gap_s``, its ends
    moved by ``end_s``."""
    merge_gap_s: float = MERGE_GAP_S
    end_s: float = 0.0


EDGES = {"webrtc": Edges(merge_gap_s=0.4, end_s=0.06), "silero": Edges(end_s=-0.032)}


def detect(samples: np.ndarray, rate: int, vad: str = "webrtc") -> list[list[Segment]]:
    """Speech segments (start, end) in seconds for each channel of ``samples`` (int16,
    shape (channels, n)); ``rate`` 8000 or 16000."""
    frames, frame_s = FRAME_DETECTORS[vad](samples, rate)
    return [segments(f, frame_s, EDGES[vad]) for f in frames]


def segments(speech: np.ndarray, frame_s: float, edges: Edges = Edges()) -> list[Segment]:
    """Frame decisions → segments: gaps under ``MERGE_GAP_S`` closed, segments under
    ``MIN_SPEECH_S`` dropped, then the detector's ``edges``: gaps under its ``merge_gap_s``
    closed and each end moved by its ``end_s``."""
    if not speech.any():
        return []
    padded = np.concatenate(([False], speech.astype(bool), [False]))
    cuts = np.flatnonzero(padded[1:] != padded[:-1])
    starts, ends = cuts[0::2] * frame_s, cuts[1::2] * frame_s
    merged: list[list[float]] = []
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        if merged and s - merged[-1][1] < MERGE_GAP_S:
            merged[-1][1] = e
        else:
            merged.append([s, e])
    out: list[list[float]] = []
    for s, e in merged:   # a click is dropped before the detector's wider gap could join it
        if e - s < MIN_SPEECH_S:
            continue
        if out and s - out[-1][1] < max(edges.merge_gap_s, -edges.end_s):
            out[-1][1] = e
        else:
            out.append([s, e])
    out = [[s, e + edges.end_s] for s, e in out]
    return [(round(s, 3), round(e, 3)) for s, e in out]


def webrtc_frames(samples: np.ndarray, rate: int) -> tuple[list[np.ndarray], float]:
    import webrtcvad

    vad = webrtcvad.Vad(WEBRTC_MODE)
    step = int(rate * WEBRTC_FRAME_S)
    out = []
    for channel in samples:
        n = len(channel) // step
        data = np.ascontiguousarray(channel[: n * step], dtype="<i2").tobytes()
        width = step * 2
        out.append(np.fromiter((vad.is_speech(data[i * width:(i + 1) * width], rate) for i in range(n)),
                               dtype=bool, count=n))
    return out, WEBRTC_FRAME_S


@lru_cache(maxsize=1)
def _silero_session():
    import onnxruntime

    opts = onnxruntime.SessionOptions()
    opts.inter_op_num_threads = 1
    opts.intra_op_num_threads = 1   # measured: one thread per call beats two on small batches
    model = resources.files("telekpi.audio").joinpath("models/silero_vad.onnx").read_bytes()
    return onnxruntime.InferenceSession(model, sess_options=opts, providers=["CPUExecutionProvider"])


def silero_frames(samples: np.ndarray, rate: int) -> tuple[list[np.ndarray], float]:
    session = _silero_session()
    frame, context = SILERO_FRAME[rate], SILERO_CONTEXT[rate]
    channels, n = samples.shape
    frames_n = -(-n // frame)
    per_piece = min(max(1, int(SILERO_PIECE_S * rate) // frame), frames_n) * frame
    pieces = max(1, -(-n // per_piece))
    # every channel's pieces side by side in one batch: (channels * pieces, per_piece)
    audio = np.zeros((channels, pieces * per_piece), np.float32)
    audio[:, :n] = samples.astype(np.float32) / 32768.0
    batch = audio.reshape(channels * pieces, per_piece)
    state = np.zeros((2, batch.shape[0], 128), np.float32)
    ctx = np.zeros((batch.shape[0], context), np.float32)
    sr = np.array(rate, dtype=np.int64)
    steps = per_piece // frame
    probs = np.empty((batch.shape[0], steps), np.float32)
    for i in range(steps):
        x = np.concatenate([ctx, batch[:, i * frame:(i + 1) * frame]], axis=1)
        out, state = session.run(None, {"input": x, "state": state, "sr": sr})
        probs[:, i] = out[:, 0]
        ctx = x[:, -context:]
    speech = (probs.reshape(channels, pieces * steps) >= SILERO_THRESHOLD)[:, :frames_n]
    return list(speech), frame / rate


FRAME_DETECTORS: dict[str, Callable[[np.ndarray, int], tuple[list[np.ndarray], float]]] = {
    "webrtc": webrtc_frames, "silero": silero_frames}
