"""Audio files in: WAV, MP3, OGG, GSM (and what else FFmpeg reads) through PyAV.

PyAV bundles FFmpeg in its wheels, so a plain ``pip install`` decodes every format a PBX
writes, headerless GSM (Asterisk's ``.gsm``) and raw signed-linear (MixMonitor's ``D``
option, ``.raw``/``.sln``) included, which libsndfile cannot read (docs/call-analysis.md,
"Recordings", has the measured comparison). Samples come back as 16-bit integers per
channel at a rate the voice detectors take (8 or 16 kHz), resampled by FFmpeg when the file
has another rate; what the file itself holds (rate, channels, codec) is reported as is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from telekpi.errors import InputError
from telekpi.i18n import _

# The rates both voice detectors take; a file at another rate is resampled to the nearest.
ANALYSIS_RATES = (8000, 16000)
# Headerless files: FFmpeg's demuxer and the options that say what the bytes are. A raw
# MixMonitor recording with the D option is two interleaved channels of 8 kHz 16-bit samples.
RAW_FORMATS = {".gsm": ("gsm", {}), ".raw": ("s16le", {"sample_rate": "8000", "ch_layout": "stereo"}),
               ".sln": ("s16le", {"sample_rate": "8000", "ch_layout": "mono"})}
# Files read in blocks of this many bytes for their hash.
HASH_BLOCK = 1 << 20


@dataclass(frozen=True)
class Audio:
    """A decoded recording: ``samples`` int16 of shape (channels, n) at ``rate``."""

    samples: np.ndarray
    rate: int
    file_rate: int
    channels: int
    codec: str
    duration_s: float


def sha256(path: Path) -> str:
    """The hex SHA-256 of the file's bytes: the recording's identity."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(HASH_BLOCK):
            h.update(block)
    return h.hexdigest()


def decode(path: Path) -> Audio:
    """Decode ``path``; an InputError with one sentence when it is not audio FFmpeg reads."""
    import av

    fmt, options = RAW_FORMATS.get(path.suffix.lower(), (None, {}))
    try:
        with av.open(str(path), format=fmt, options=options) as container:
            if not container.streams.audio:
                raise InputError(_("holds no audio stream"), file=str(path))
            stream = container.streams.audio[0]
            file_rate = int(stream.rate or stream.codec_context.sample_rate or 0)
            channels = int(stream.codec_context.channels or 0)
            codec = stream.codec_context.name
            if not file_rate or channels < 1:
                raise InputError(_("holds no audio stream"), file=str(path))
            rate = 8000 if file_rate <= 8000 else 16000
            layout = "mono" if channels == 1 else "stereo"
            resampler = av.AudioResampler(format="s16p", layout=layout, rate=rate)
            blocks: list[np.ndarray] = []
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    blocks.append(out.to_ndarray())
            blocks.extend(out.to_ndarray() for out in resampler.resample(None))
    except InputError:
        raise
    except (av.FFmpegError, ValueError, OSError, UnicodeDecodeError) as e:
        error = getattr(e, "strerror", None) or (str(e).splitlines()[0] if str(e) else type(e).__name__)
        raise InputError(_("cannot be decoded as audio ({error})").format(error=error), file=str(path)) from None
    samples = np.concatenate(blocks, axis=1) if blocks else np.zeros((min(channels, 2), 0), np.int16)
    if samples.shape[1] == 0:
        raise InputError(_("holds no audio samples"), file=str(path))
    return Audio(samples=np.ascontiguousarray(samples, dtype=np.int16), rate=rate, file_rate=file_rate,
                 channels=channels, codec=codec, duration_s=samples.shape[1] / rate)
