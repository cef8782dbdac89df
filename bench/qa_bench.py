"""QA scoring of 100,000 transcripts: the two example forms (Vietnamese outbound sales,
English inbound care) over generated calls of about ten utterances, on every core.

    python bench/qa_bench.py [--calls 100000] [--workers 2]

Prints the calls scored per second and the total time; what is timed is the scoring (each
utterance normalised, each phrase item matched, the score summed) and the sentiment of the
customer's lines, not the generation of the calls. The issue's target: under 60 s on 2 cores.
Beside the wall time, each worker's CPU time: on a machine other work shares, the CPU time
of the busiest worker is what the run takes on two cores of its own.
"""

from __future__ import annotations

import argparse
import random
import time
from concurrent.futures import ProcessPoolExecutor
from importlib import resources

from telekpi.qa.demo_words import transcript
from telekpi.qa.forms import load_form
from telekpi.qa.score import Scorer
from telekpi.qa.sentiment import call_sentiment

FORMS = {"vi": "outbound-sales-vi.yaml", "en": "inbound-care-en.yaml"}


def _calls(seed: int, n: int) -> list[tuple[str, list]]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        language = "vi" if i % 3 else "en"
        out.append((language, transcript(rnd, language, f"A{i % 40:03d}", "Lan", rnd.choice([True, False, None]))))
    return out


def _score(args: tuple[int, int]) -> tuple[int, float, int]:
    seed, n = args
    scorers = {}
    for language, name in FORMS.items():
        with resources.as_file(resources.files("telekpi.qa").joinpath(f"examples/{name}")) as path:
            scorers[language] = Scorer(load_form(path))
    calls = _calls(seed, n)
    t0, c0 = time.perf_counter(), time.process_time()
    passed = 0
    for language, said in calls:
        r = scorers[language].score(said, None)
        call_sentiment([(s, text) for s, _, _, text in said])
        passed += r.passed
    return n, time.perf_counter() - t0, time.process_time() - c0, passed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    share = -(-a.calls // a.workers)
    jobs = [(k, min(share, a.calls - k * share)) for k in range(a.workers)]
    with ProcessPoolExecutor(a.workers) as pool:
        t0 = time.perf_counter()
        done = list(pool.map(_score, jobs))
    wall = time.perf_counter() - t0
    scored = sum(d[0] for d in done)
    busiest, cpu = max(d[1] for d in done), max(d[2] for d in done)
    print(f"QA scoring: {scored:,} transcripts on {a.workers} workers: {busiest:.1f} s scoring "
          f"({scored / busiest:,.0f} calls/s), {wall:.1f} s with start-up and generation; CPU time of the "
          f"busiest worker {cpu:.1f} s ({scored / cpu:,.0f} calls/s on {a.workers} cores of its own); "
          f"{sum(d[3] for d in done):,} passed")


if __name__ == "__main__":
    main()
