"""Speech analytics of 8 kHz stereo calls: speed and accuracy of each voice detector, side by side.

    python bench/call_analysis_bench.py [--minutes 5] [--repeat 3]

Speed: a call of ``--minutes`` (synthesized with espeak-ng: the four scripts of
telekpi.audio.synth one after another, in vi, th, zh and en, until it is long enough),
written as a WAV file, then per detector: decoding, the detector itself on both channels,
the figures, and the whole (``ingest.recordings.analyse_file``, what `telekpi import
recordings` runs per file), best of ``--repeat``; the ratio is audio seconds per second.
The target is 200× real time (a 5-minute call in 1.5 s) on 2 cores.

Accuracy: each script as its own 24 s call at 20, 15 and 10 dB SNR; per call the detected
agent talk, customer talk, silence and overtalk minus the construction's (in seconds).
Needs espeak-ng.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from telekpi.audio import synth, vad
from telekpi.audio.decode import decode
from telekpi.audio.speech import figures
from telekpi.ingest.recordings import Options, analyse_file

FIGURES = ("agent_talk_s", "customer_talk_s", "silence_s", "overtalk_s")


def long_call(minutes: float):
    turns, t, langs = [], 0.0, list(synth.SCRIPTS)
    while t < minutes * 60 - synth.SCRIPT_SECONDS:
        for turn in synth.SCRIPTS[langs[int(t // synth.SCRIPT_SECONDS) % len(langs)]]:
            turns.append(synth.Turn(turn.speaker, t + turn.start_s, turn.text, turn.lang))
        t += synth.SCRIPT_SECONDS
    return synth.render(turns, minutes * 60, snr_db=20)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def speed(minutes: float, repeat: int) -> None:
    pcm, _truth = long_call(minutes)
    seconds = minutes * 60
    with tempfile.TemporaryDirectory() as tmp:
        wav = synth.write_wav(Path(tmp) / "call.wav", pcm)
        audio = decode(wav)
        t_decode = best(lambda: decode(wav), repeat)
        print(f"{minutes:g}-minute 8 kHz stereo call ({wav.stat().st_size / 1e6:.1f} MB WAV): "
              f"decode {t_decode:.3f} s ({seconds / t_decode:,.0f}× real time)")
        print(f"{'vad':8} {'detector s':>10} {'×RT':>8} {'figures s':>10} {'whole s':>8} {'×RT':>8}")
        for name in vad.VADS:
            t_vad = best(lambda name=name: vad.detect(audio.samples, 8000, name), repeat)
            agent, customer = vad.detect(audio.samples, 8000, name)
            t_fig = best(lambda agent=agent, customer=customer: figures(seconds, agent, customer), repeat)
            opts = Options(agent_channel="left", vad=name, interruption_min_s=0.5)
            t_all = best(lambda opts=opts: analyse_file(wav, opts), repeat)
            print(f"{name:8} {t_vad:10.3f} {seconds / t_vad:8,.0f} {t_fig:10.4f} {t_all:8.3f} "
                  f"{seconds / t_all:8,.0f}")


def accuracy() -> None:
    print(f"\nerror per call (detected − constructed, s): {', '.join(FIGURES)}")
    worst: dict[tuple[str, float], float] = {}
    for snr in (20.0, 15.0, 10.0):
        for i, (lang, turns) in enumerate(synth.SCRIPTS.items()):
            pcm, truth = synth.render(turns, synth.SCRIPT_SECONDS, snr_db=snr, seed=i)
            want = figures(synth.SCRIPT_SECONDS, truth["agent"], truth["customer"])
            cells = []
            for name in vad.VADS:
                a, c = vad.detect(pcm, 8000, name)
                got = figures(synth.SCRIPT_SECONDS, a, c)
                errs = [getattr(got, f) - getattr(want, f) for f in FIGURES]
                worst[name, snr] = max(worst.get((name, snr), 0.0), *map(abs, errs))
                cells.append(f"{name} " + " ".join(f"{e:+.2f}" for e in errs))
            print(f"  {snr:4.0f} dB {lang}: " + "   ".join(cells))
    for (name, snr), w in sorted(worst.items()):
        print(f"  {name} at {snr:.0f} dB: worst error {w:.2f} s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not synth.available():
        print("espeak-ng is not installed (./dev test installs it)", file=sys.stderr)
        return 2
    speed(args.minutes, args.repeat)
    accuracy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
