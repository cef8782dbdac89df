"""Writes the small committed recordings of tests/audio/fixtures and their truth (run by
hand when the synthesis changes: `python tests/audio/make_fixtures.py`; needs espeak-ng and
ffmpeg). Each is a short call whose who-speaks-when is known by construction."""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from telekpi.audio import synth

HERE = Path(__file__).parent / "fixtures"
CALL = [synth.Turn("agent", 0.4, "Hello this is Anna from Sunrise", "en"),
        synth.Turn("customer", 2.6, "Yes hello", "en"),
        synth.Turn("agent", 3.4, "Can I tell you about our plan", "en"),
        synth.Turn("customer", 4.4, "No thank you I am busy", "en")]
SECONDS = 7.0


def main() -> None:
    pcm, truth = synth.render(CALL, SECONDS, snr_db=25, seed=7)
    with tempfile.TemporaryDirectory() as tmp:
        wav = synth.write_wav(Path(tmp) / "call.wav", pcm)
        mono = synth.write_wav(Path(tmp) / "mono.wav", pcm[:1])
        stereo = HERE / "out-0901234567-1001-20260301-101500-1709262900.123.ogg"
        subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-i", wav, "-c:a", "libvorbis", "-q:a", "0",
                        stereo], check=True)
        subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-i", mono, "-ar", "8000", "-c:a", "gsm",
                        "-f", "gsm", HERE / "CALL-MONO-2.gsm"], check=True)
    (HERE / "truth.json").write_text(json.dumps({"seconds": SECONDS, **truth}, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
