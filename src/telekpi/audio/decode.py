"""Audio files in: WAV, MP3, OGG, GSM (and what else libsndfile or FFmpeg reads).

Two decoders, both with wheels that bundle their library, so a plain ``pip install``
decodes what a PBX writes. libsndfile (soundfile) reads a file in one call and is measured
far quicker (a 5-minute 8 kHz stereo WAV: 0.002 s against PyAV's 0.49 s; an MP3: 0.27 s
against 1.08 s; docs/call-analysis.md): it reads WAV (PCM, μ-law, A-law, GSM 6.10), OGG
Vorbis and Opus, MP3, FLAC. What it cannot read goes to PyAV (FFmpeg): headerless GSM
(Asterisk's ``.gsm``), raw signed-linear (MixMonitor's ``D`` option, ``.raw``/``.sln``),
M4A, WMA. Samples come back as 16-bit integers per channel at a rate the voice detectors
take (8 or 16 kHz), resampled when the file has another rate; what the file itself holds
(rate, channels, codec) is reported as is.
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


# libsndfile's subtypes by FFmpeg's codec names, so both decoders name a codec alike.
SNDFILE_CODECS = {"PCM_16": "pcm_s16le", "PCM_24": "pcm_s24le", "PCM_32": "pcm_s32le", "PCM_U8": "pcm_u8",
                  "PCM_S8": "pcm_s8", "FLOAT": "pcm_f32le", "DOUBLE": "pcm_f64le", "ULAW": "pcm_mulaw",
                  "ALAW": "pcm_alaw", "GSM610": "gsm_ms", "VORBIS": "vorbis", "OPUS": "opus",
                  "MPEG_LAYER_III": "mp3", "MPEG_LAYER_II": "mp2", "IMA_ADPCM": "adpcm_ima_wav",
                  "MS_ADPCM": "adpcm_ms", "G721_32": "g721"}


def decode(path: Path) -> Audio:
    """Decode ``path``; an InputError with one sentence when it is not audio either reads."""
    if path.suffix.lower() not in RAW_FORMATS:
        audio = _sndfile(path)
        if audio is not None:
            return audio
    return _pyav(path)


def _sndfile(path: Path) -> Audio | None:
    """Through libsndfile; None when it does not read the file (PyAV is asked then)."""
    import soundfile

    try:
        info = soundfile.info(str(path))
        data = soundfile.read(str(path), dtype="int16", always_2d=True)[0]
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError):
        return None
    if info.samplerate <= 0 or data.shape[0] == 0:
        return None
    samples = data[:, :2].T
    rate = 8000 if info.samplerate <= 8000 else 16000
    if rate != info.samplerate:
        from scipy.signal import resample_poly

        samples = np.clip(resample_poly(samples.astype(np.float32), rate, info.samplerate, axis=1),
                          -32768, 32767).astype(np.int16)
    codec = "flac" if info.format == "FLAC" else SNDFILE_CODECS.get(info.subtype, info.subtype.lower())
    return Audio(samples=np.ascontiguousarray(samples), rate=rate, file_rate=info.samplerate,
                 channels=info.channels, codec=codec, duration_s=samples.shape[1] / rate)


def _pyav(path: Path) -> Audio:
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
            blocks: list[np.ndarray] = []
            if file_rate == rate and channels <= 2 and stream.format.name in ("s16", "s16p"):
                # 16-bit PCM at a rate the detectors take (most PBX WAV files): as it is
                for frame in container.decode(stream):
                    a = frame.to_ndarray()
                    blocks.append(a if frame.format.is_planar else a.reshape(-1, channels).T)
            else:
                resampler = av.AudioResampler(format="s16p", layout=layout, rate=rate)
                for frame in container.decode(stream):
                    blocks.extend(out.to_ndarray() for out in resampler.resample(frame))
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
