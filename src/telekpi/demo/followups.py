"""What happens after an inbound call of the demo (docs/operations.md): a caller who abandoned
tries again or is called back (or neither), and a callback promised is kept on time, late or
never. Drawn from a random stream of their own, seeded by the calls' numbers, so the rest of
the centre stays as it was."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from telekpi.demo.sink import ids, local_ts, pick

# Of the callers who abandoned: share who call again, share we call back (the rest: neither).
RETRY, CALL_BACK = 0.35, 0.4
# Of the callbacks promised: kept on time, late (the rest are never kept).
ON_TIME, LATE = 0.6, 0.25
# Of the callers answered: share who call again about the same thing (against first-contact
# resolution), a couple of days later.
REPEAT = 0.12
# Of the callers answered: share whose call first rang another agent who did not answer it (a
# missed call, then their call again), and of those the share that agent rejected.
RANG_FIRST, REJECTED = 0.06, 0.3


def followups(first_call: int, t: np.ndarray, abandoned: np.ndarray, callback: np.ndarray,
              numbers: list[str], care_agents: np.ndarray, agent_ids, campaign: str, did: str,
              period_s: float, base_us: int) -> tuple[pa.Table, int]:
    """The follow-up calls of the inbound calls starting at ``t`` (seconds after the demo's
    start; ``abandoned``, ``callback``: masks), numbered from ``first_call``; and how many."""
    rng = np.random.default_rng(first_call + 27)
    n = t.size
    u = rng.random(n)
    retry = abandoned & (u < RETRY)
    ours = abandoned & (u >= RETRY) & (u < RETRY + CALL_BACK)
    v = rng.random(n)
    due = t + 24 * 3600
    kept_at = np.where(v < ON_TIME, due + rng.uniform(-2 * 3600, 600, n),
                       due + rng.uniform(3600, 24 * 3600, n))
    kept = callback & (v < ON_TIME + LATE)
    again = ~abandoned & (rng.random(n) < REPEAT)
    # (time, direction 0 in / 1 out, answered, index of the call followed)
    at = np.concatenate([t[retry] + rng.exponential(900, n)[retry] + 1,
                         t[again] + rng.exponential(2 * 86400, n)[again],
                         t[ours] + rng.exponential(3 * 3600, n)[ours], kept_at[kept]])
    out = np.concatenate([np.zeros(retry.sum() + again.sum(), int),
                          np.ones(ours.sum() + kept.sum(), int)])
    answered = np.concatenate([np.ones(retry.sum() + again.sum(), bool),
                               rng.random(ours.sum()) < 0.7, rng.random(kept.sum()) < 0.6])
    of = np.concatenate([np.flatnonzero(retry), np.flatnonzero(again), np.flatnonzero(ours),
                         np.flatnonzero(kept)])
    at = _in_hours(at)
    keep = at < period_s
    at, out, answered, of = at[keep], out[keep], answered[keep], of[keep]
    m = at.size
    agent = rng.choice(care_agents, m)
    talk = np.where(answered, rng.lognormal(np.log(150), 0.5, m), 0).round()
    line = pa.array([did] * m, pa.string())
    table = pa.table({
        "call_id": ids("C", first_call + np.arange(m)), "started_at": local_ts(base_us, at),
        "agent_id": pick(agent_ids, agent), "campaign_id": pa.array([campaign] * m, pa.string()),
        "lead_id": pa.array([None] * m, pa.string()),
        "direction": pick(("inbound", "outbound"), out),
        "status": pick(("answered", "no_answer"), np.where(answered, 0, 1)),
        "disposition": pick(("RESOLVED",), np.where(answered, 0, -1)),
        "ring_s": np.zeros(m), "wait_s": pa.array(rng.exponential(15, m).round(), pa.float64(), mask=out != 0),
        "talk_s": talk, "hold_s": np.zeros(m), "wrap_s": np.where(answered, 30.0, 0.0),
        "queue": pick(("care",), np.where(out == 0, 0, -1)),
        "queued_at": local_ts(base_us, np.where(out == 0, at, np.nan)),
        "caller_number": pa.array([numbers[i] if o == 0 else did for i, o in zip(of, out, strict=True)],
                                  pa.string()),
        "called_number": pa.array([did if o == 0 else numbers[i] for i, o in zip(of, out, strict=True)],
                                  pa.string()),
        "line": line,
        "recording_url": pa.array([f"https://recordings.example.vn/C{first_call + k}.mp3"
                                   if answered[k] and out[k] else None for k in range(m)],
                                  pa.string())})
    missed, k = _missed_first(rng, first_call + m, t, abandoned, numbers, care_agents, agent_ids, campaign,
                              did, base_us)
    return pa.concat_tables([table, missed], promote_options="default"), m + k


def _missed_first(rng, first_call: int, t: np.ndarray, abandoned: np.ndarray, numbers: list[str],
                  care_agents: np.ndarray, agent_ids, campaign: str, did: str,
                  base_us: int) -> tuple[pa.Table, int]:
    """Calls that rang an agent who let them ring (or rejected them: hung up while they rang)
    a minute before the caller's answered call: missed calls, won back by that call."""
    first = np.flatnonzero(~abandoned & (rng.random(t.size) < RANG_FIRST))
    k = first.size
    rejected = rng.random(k) < REJECTED
    ring = np.where(rejected, rng.uniform(1, 4, k), rng.uniform(15, 30, k)).round()
    at = t[first] - 60 - ring
    table = pa.table({
        "call_id": ids("C", first_call + np.arange(k)), "started_at": local_ts(base_us, at),
        "agent_id": pick(agent_ids, rng.choice(care_agents, k)),
        "campaign_id": pa.array([campaign] * k, pa.string()), "lead_id": pa.array([None] * k, pa.string()),
        "direction": pa.array(["inbound"] * k, pa.string()), "status": pa.array(["no_answer"] * k, pa.string()),
        "disposition": pa.array([None] * k, pa.string()), "ring_s": ring, "wait_s": np.full(k, 5.0),
        "talk_s": np.zeros(k), "hold_s": np.zeros(k), "wrap_s": np.zeros(k),
        "queue": pa.array(["care"] * k, pa.string()), "queued_at": local_ts(base_us, at),
        "caller_number": pa.array([numbers[i] for i in first], pa.string()),
        "called_number": pa.array([did] * k, pa.string()), "line": pa.array([did] * k, pa.string()),
        "hangup_by": pick(("agent", "customer"), np.where(rejected, 0, 1))})
    return table, k


def _in_hours(t: np.ndarray) -> np.ndarray:
    """A time outside the centre's hours (08:00–20:00) moved to the next opening."""
    day, sec = np.floor(t / 86400), np.mod(t, 86400)
    opening = 8 * 3600 + np.mod(sec, 1800)
    return np.where(sec < 8 * 3600, day * 86400 + opening,
                    np.where(sec >= 20 * 3600, (day + 1) * 86400 + opening, t))


# Of the outbound calls ending in a callback, the share the dialer scheduled (VICIdial's
# callback list, docs/connectors/vicidial.md), and of those the share anyone may make.
SCHEDULED, ANYONE = 0.5, 0.2


def scheduled_callbacks(call_no: np.ndarray, t: np.ndarray, talk: np.ndarray, callback: np.ndarray,
                        lead_ids: pa.Array, campaign_ids: pa.Array, agent_ids: pa.Array,
                        period_s: float, base_us: int) -> pa.Table:
    """The callbacks the dialer scheduled after outbound calls ending in CALLBACK (``callback``):
    set as the call ended, due the next day at the same time, by the agent (or for anyone on
    the campaign); open while due within the demo's last day. The calls that keep them are the
    centre's own next calls to the lead (demo/simulate.py), so some are kept late or never."""
    if not call_no.size:
        return pa.table({})
    rng = np.random.default_rng(int(call_no[0]) + 31)
    pick_ = callback & (rng.random(call_no.size) < SCHEDULED)
    rows = np.flatnonzero(pick_)
    set_at = t[rows] + talk[rows]
    due = t[rows] + 86400
    anyone = rng.random(rows.size) < ANYONE
    take = pa.array(rows)
    return pa.table({
        "callback_id": pa.array([f"CB{n}" for n in call_no[rows]], pa.string()),
        "scheduled_at": local_ts(base_us, set_at), "due_at": local_ts(base_us, due),
        "lead_id": lead_ids.take(take), "campaign_id": campaign_ids.take(take),
        "agent_id": agent_ids.take(take),
        "recipient": pick(("agent", "anyone"), anyone.astype(int)),
        "status": pick(("closed", "open"), (due > period_s - 86400).astype(int))})
