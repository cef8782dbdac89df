"""A call's speech figures from who speaks when (docs/call-analysis.md, "Speech analytics").

Input: the agent's and the customer's speech segments (start, end) in seconds, each list
sorted and without overlaps of its own (``vad.segments`` makes them so), and the
recording's duration. A mono recording has one list, of anyone's speech, and gives speech
and silence only: the figures that need to know who spoke are None and ``layout`` says
``mono``.

- talk: the length of a speaker's segments; ``speech_s``: when anyone speaks.
- agent talk ratio: agent talk / (agent talk + customer talk).
- silence (dead air): neither speaks, between the first and the last speech of the call
  (the ring before the first word and the hang-up after the last are not dead air).
- overtalk: both speak at once.
- an interruption: a speaker starts while the other is speaking and both go on together for
  at least ``interruption_min_s`` (the setting, 0.5 s by default); the one who started
  later interrupted the other.
- monologue: the agent's segments joined across pauses shorter than ``MONOLOGUE_GAP_S`` in
  which the customer says nothing; the longest, from its first word to its last.
- first words: when the agent's first segment starts, from the start of the recording.
- switches per minute: how often the speaker changes from one segment to the next (in
  order of start), per minute of recording.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from itertools import pairwise
from typing import Any

Segment = tuple[float, float]
MONOLOGUE_GAP_S = 2.0
DEFAULT_INTERRUPTION_MIN_S = 0.5


@dataclass(frozen=True)
class SpeechFigures:
    layout: str                     # stereo (agent and customer apart) or mono
    duration_s: float
    speech_s: float
    silence_s: float
    longest_silence_s: float
    agent_talk_s: float | None = None
    customer_talk_s: float | None = None
    agent_talk_ratio: float | None = None
    overtalk_s: float | None = None
    agent_interruptions: int | None = None
    customer_interruptions: int | None = None
    longest_monologue_s: float | None = None
    first_words_s: float | None = None
    switches_per_min: float | None = None

    def row(self) -> dict:
        return asdict(self)


def total(segs: list[Segment]) -> float:
    return sum(e - s for s, e in segs)


def union(a: list[Segment], b: list[Segment]) -> list[Segment]:
    """The stretches when either list speaks, sorted and disjoint."""
    out: list[list[float]] = []
    for s, e in sorted([*a, *b]):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def intersection(a: list[Segment], b: list[Segment]) -> list[Segment]:
    """The stretches when both lists speak."""
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        s, e = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if s < e:
            out.append((s, e))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def gaps(speech: list[Segment]) -> list[float]:
    """The silences between consecutive stretches of speech."""
    return [b[0] - a[1] for a, b in pairwise(speech) if b[0] > a[1]]


def interruptions(by: list[Segment], of: list[Segment], min_s: float) -> int:
    """How often ``by`` starts while ``of`` speaks and both go on for ``min_s`` or more."""
    n = 0
    for s, e in by:
        for os_, oe in of:
            if os_ < s < oe and min(e, oe) - s >= min_s:
                n += 1
                break
    return n


def longest_monologue(agent: list[Segment], customer: list[Segment]) -> float:
    best, start, end = 0.0, 0.0, None
    for s, e in agent:
        joined = (end is not None and s - end < MONOLOGUE_GAP_S
                  and not any(cs < s and ce > end for cs, ce in customer))
        if not joined:
            start = s
        end = e
        best = max(best, end - start)
    return best


def switches(agent: list[Segment], customer: list[Segment]) -> int:
    order = sorted([(s, "a") for s, _e in agent] + [(s, "c") for s, _e in customer])
    return sum(1 for x, y in pairwise(order) if x[1] != y[1])


def _r(x: float) -> float:
    return round(x, 3)


def figures(duration_s: float, agent: list[Segment] | None, customer: list[Segment] | None = None,
            *, mono: list[Segment] | None = None,
            interruption_min_s: float = DEFAULT_INTERRUPTION_MIN_S) -> SpeechFigures:
    """The figures of one call: stereo from ``agent`` and ``customer``, mono from ``mono``."""
    speech = union(agent or [], customer or []) if mono is None else list(mono)
    silences = gaps(speech)
    common: dict[str, Any] = dict(duration_s=_r(duration_s), speech_s=_r(total(speech)),
                                  silence_s=_r(sum(silences)), longest_silence_s=_r(max(silences, default=0.0)))
    if mono is not None:
        return SpeechFigures(layout="mono", **common)
    agent, customer = agent or [], customer or []
    a, c = total(agent), total(customer)
    minutes = duration_s / 60
    return SpeechFigures(
        layout="stereo", **common, agent_talk_s=_r(a), customer_talk_s=_r(c),
        agent_talk_ratio=_r(a / (a + c)) if a + c else None,
        overtalk_s=_r(total(intersection(agent, customer))),
        agent_interruptions=interruptions(agent, customer, interruption_min_s),
        customer_interruptions=interruptions(customer, agent, interruption_min_s),
        longest_monologue_s=_r(longest_monologue(agent, customer)),
        first_words_s=_r(agent[0][0]) if agent else None,
        switches_per_min=_r(switches(agent, customer) / minutes) if minutes else None)
