"""The demo's speech analytics: figures for most connected calls, as `telekpi import
recordings` would have found them (docs/call-analysis.md), without audio.

Drawn from a random stream of their own (the rest of the demo stays as it was) and
consistent with each call's talk time: the recording lasts the talk; speech, silence and
overtalk add up (agent talk + customer talk − overtalk = speech; speech + silence ≤ the
recording). Each agent has a habit: how much of the talking they do and how often they
interrupt, so the speech metrics differ between agents as they would. One recording in ten
is mono: speech and silence only.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

ANALYSED = 0.8        # the share of connected calls with an analysed recording
MONO = 0.1


def speech_table(rng: np.random.Generator, call_ids: pa.Array, talk: np.ndarray, agent: np.ndarray,
                 n_agents: int, habits: np.ndarray) -> pa.Table:
    """The call_speech rows of the connected calls among ``call_ids`` (talk > 0)."""
    sel = np.flatnonzero((talk > 5) & (rng.random(talk.size) < ANALYSED))
    n = sel.size
    duration = talk[sel].astype(np.float64)
    ag = np.maximum(agent[sel], 0)
    share, interrupt = habits[ag, 0], habits[ag, 1]
    speech = duration * rng.uniform(0.72, 0.93, n)
    silence = (duration - speech) * rng.uniform(0.5, 0.95, n)
    overtalk = speech * rng.uniform(0.01, 0.06, n)
    party = speech + overtalk
    ratio = np.clip(rng.normal(share, 0.07, n), 0.15, 0.95)
    agent_talk = party * ratio
    mono = rng.random(n) < MONO
    minutes = duration / 60

    def stereo(values, digits=1):
        v = np.round(values, digits)
        return pa.array(v, mask=mono)

    return pa.table({
        "call_id": call_ids.take(pa.array(sel)),
        "layout": pa.array(np.where(mono, "mono", "stereo"), pa.string()),
        "duration_s": duration.round(1), "speech_s": speech.round(1), "silence_s": silence.round(1),
        "longest_silence_s": (silence * rng.uniform(0.15, 0.6, n)).round(1),
        "agent_talk_s": stereo(agent_talk), "customer_talk_s": stereo(party - agent_talk),
        "agent_talk_ratio": stereo(ratio, 3), "overtalk_s": stereo(overtalk),
        "agent_interruptions": pa.array(rng.poisson(interrupt * minutes), pa.int64(), mask=mono),
        "customer_interruptions": pa.array(rng.poisson(0.4 * minutes), pa.int64(), mask=mono),
        "longest_monologue_s": stereo(agent_talk * rng.uniform(0.15, 0.45, n)),
        "first_words_s": stereo(rng.uniform(0.3, 3.5, n)),
        "switches_per_min": stereo(rng.uniform(4, 14, n)),
        "vad": pa.array(["webrtc"] * n, pa.string()),
    })


def agent_habits(rng: np.random.Generator, n_agents: int) -> np.ndarray:
    """Per agent: the share of the talking they do, and interruptions per minute."""
    return np.column_stack([rng.uniform(0.45, 0.75, n_agents), rng.gamma(2.0, 0.25, n_agents)])
