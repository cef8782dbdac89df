"""What the demo centre derives from its calls at the end: agent states and costs.

Both read the totals the simulation accumulated (talk, wrap and calls per agent
and day; talk and calls per campaign and day; leads bought or advertised per
campaign and month), so they stay consistent with the calls whatever the size.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from telekpi.demo.sink import local_ts, pick
from telekpi.demo.world import BASE_US, CAMPAIGNS, START, TEAMS


def write_agent_states(centre) -> None:
    """Per agent and worked day: available, on call, wrap, lunch, available again."""
    ag, day = np.nonzero(centre.calls)
    talk, wrap = centre.talk[ag, day], centre.wrap[ag, day]
    start = day * 86400.0 + 8 * 3600 + centre.rng.uniform(-900, 900, ag.size)
    lunch = 3600.0
    # Between calls: dialling, ringing and waiting for the next connect.
    avail = np.maximum((talk + wrap) * centre.rng.uniform(0.25, 0.6, ag.size), 600)
    spans = [("available", avail / 2, None), ("on_call", talk, None), ("wrap", wrap, None),
             *pause_reasons(ag.size, lunch), ("available", avail / 2, None)]
    t = start.copy()
    parts = []
    for state, dur, reason in spans:
        keep = dur > 0
        parts.append(pa.table({
            "agent_id": pick(centre.agents.ids, ag[keep]), "state": [state] * int(keep.sum()),
            "started_at": local_ts(BASE_US, t[keep]), "ended_at": local_ts(BASE_US, (t + dur)[keep]),
            "reason": pa.array([reason] * int(keep.sum()), pa.string())}))
        t = t + dur
    if ag.size:
        parts.append(live_tail(centre, np.unique(ag[day == day.max()]), int(day.max())))
    centre.sink.write("agent_states", pa.concat_tables(parts))
    write_schedules(centre, ag, day, start + avail / 2 + talk + wrap, t)


def write_schedules(centre, ag: np.ndarray, day: np.ndarray, lunch_at: np.ndarray, end: np.ndarray) -> None:
    """The rota the demo's agents were given for each worked day: work from 08:00, an hour's
    lunch and work until the end of the day, on the half hour nearest what they then did —
    so the start (±15 min) and the drift of the day show as adherence lost. The agents on the
    floor at the demo's "now" are scheduled to work until 21:00, so the wallboard has someone
    out of adherence when they pause or log out."""
    half = 1800.0
    begin = day * 86400.0 + 8 * 3600
    lunch = np.maximum(np.round(lunch_at / half) * half, begin + half)
    back = lunch + 3600
    until = np.maximum(np.round(end / half) * half, back + half)
    rows = [(begin, lunch, "work"), (lunch, back, "lunch"), (back, until, "work")]
    if ag.size:
        last = np.unique(ag[day == day.max()])
        evening = np.full(last.size, day.max() * 86400.0 + 19 * 3600)
        rows.append((evening, evening + 2 * 3600, "work"))
    parts = []
    for k, (a, b, activity) in enumerate(rows):
        who = ag if k < 3 else last
        parts.append(pa.table({"agent_id": pick(centre.agents.ids, who), "starts_at": local_ts(BASE_US, a),
                               "ends_at": local_ts(BASE_US, b), "activity": [activity] * len(who)}))
    centre.sink.write("schedules", pa.concat_tables(parts))


def pause_reasons(n: int, total: float) -> list[tuple[str, np.ndarray, str]]:
    """A worked day's ``total`` seconds of pause split by reason: a 15-minute break, a
    training session on some days, after-call pauses, a missed-ring auto-pause now and then,
    and lunch the rest — so logged-in, occupancy and every other figure stay as they were.
    Its own random stream, so the rest of the demo stays put."""
    rng = np.random.default_rng(20261207)
    brk = np.full(n, 900.0)
    training = np.where(rng.random(n) < 0.1, 1200.0, 0.0)
    after = np.where(rng.random(n) < 0.4, rng.uniform(60, 300, n), 0.0)
    missed = np.where(rng.random(n) < 0.25, rng.uniform(10, 60, n), 0.0)
    lunch = total - brk - training - after - missed
    return [("pause", brk, "break"), ("pause", missed, "missed ring"), ("pause", lunch, "lunch"),
            ("pause", after, "after-call"), ("pause", training, "training")]


# The demo's "now": its last worked day at 19:59 local, when its last calls are made. The wallboard
# shows the floor as of the latest data, so the agents who worked that day end it in a state:
# on a call, in wrap-up, paused, available, or logged out a little before.
NOW_S = 19 * 3600 + 59 * 60
LIVE = (("on_call", 0.45, (20, 420)), ("wrap", 0.15, (5, 60)), ("pause", 0.12, (60, 900)),
        ("available", 0.2, (5, 120)), ("offline", 0.08, (600, 2400)))
PAUSES = ("break", "coaching", "meeting")


def live_tail(centre, agents: np.ndarray, last_day: int) -> pa.Table:
    """The last half hour of each of ``agents`` (worked the last day): calls, wrap-ups and
    waits, ending at "now" in a state. Its own random stream, so the rest of the demo stays put."""
    rng = np.random.default_rng(20261130)
    now = last_day * 86400.0 + NOW_S
    rows: dict[str, list] = {"agent_id": [], "state": [], "started_at": [], "ended_at": [], "reason": []}

    def add(agent, state, start, end, reason=None):
        for k, v in zip(rows, (centre.agents.ids[agent], state, start, end, reason), strict=True):
            rows[k].append(v)

    for agent in agents:
        pick_ = rng.choice(len(LIVE), p=[w for _s, w, _r in LIVE])
        state, _w, (lo, hi) = LIVE[pick_]
        span = rng.uniform(lo, hi)
        end = now - span if state == "offline" else now   # logged out: the last state ended then
        if state != "offline":
            add(agent, state, end - span, end, rng.choice(PAUSES) if state == "pause" else None)
            end -= span
        cycle = ("wrap", "on_call", "available") if state in ("on_call", "available", "pause") \
            else ("on_call", "available", "wrap")
        i, first = 0, end - 1800
        while end > first:
            s = cycle[i % 3]
            length = {"on_call": rng.uniform(30, 400), "wrap": rng.uniform(10, 60),
                      "available": rng.uniform(5, 90)}[s]
            add(agent, s, end - length, end)
            end -= length
            i += 1
    return pa.table({"agent_id": pa.array(rows["agent_id"], pa.string()),
                     "state": pa.array(rows["state"], pa.string()),
                     "started_at": local_ts(BASE_US, np.array(rows["started_at"])),
                     "ended_at": local_ts(BASE_US, np.array(rows["ended_at"])),
                     "reason": pa.array(rows["reason"], pa.string())})


def write_costs(centre) -> None:
    """Monthly salaries (in-house), the vendor's monthly fee, software seats, bought data and
    ads per campaign and month, each booked on the 1st and covering its month (period_end),
    and telco per campaign and day from talk minutes and dials, covering its own day."""
    a = centre.agents
    months = [START.replace(day=1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)]
    rows: dict[str, list] = {k: [] for k in ("cost_id", "incurred_on", "amount", "category", "agent_id",
                                             "team_id", "campaign_id", "period_end")}

    def add(cid, on, amount, cat, agent=None, team=None, camp=None, until=None):
        for k, v in zip(rows, (cid, on, float(round(amount)), cat, agent, team, camp, until), strict=True):
            rows[k].append(v)

    for mi, m in enumerate(months):
        last = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        for i, aid in enumerate(a.ids):
            t = TEAMS[a.team[i]]
            if t.site == "in_house" and a.hired_on[i] <= m.replace(day=28):
                add(f"S-{aid}-{m:%Y%m}", m, 13e6 if a.level[i] == "senior" else 9e6, "salary",
                    aid, t.id, until=last)
        n_out = int(np.sum(a.team == 4))
        add(f"OUT-{m:%Y%m}", m, n_out * 14e6, "outsourcing", team=TEAMS[4].id, until=last)
        add(f"SW-{m:%Y%m}", m, 2e6 * len(a.ids), "software", until=last)
        for ci, c in enumerate(CAMPAIGNS):
            add(f"DATA-{c.id}-{m:%Y%m}", m, centre.purchased[ci, mi] * c.data_cost, "data", camp=c.id,
                until=last)
            add(f"ADS-{c.id}-{m:%Y%m}", m, centre.advertised[ci, mi] * c.ad_cost, "other", camp=c.id,
                until=last)
    for ci, c in enumerate(CAMPAIGNS):
        for d in np.flatnonzero(centre.camp_calls[ci]):
            on = START + dt.timedelta(days=int(d))
            add(f"TEL-{c.id}-{on:%Y%m%d}", on, centre.camp_talk[ci, d] / 60 * 700
                + centre.camp_calls[ci, d] * 150, "telco", camp=c.id)
    table = pa.table({**rows, "incurred_on": pa.array(rows["incurred_on"], pa.date32()),
                      "period_end": pa.array(rows["period_end"], pa.date32())})
    centre.sink.write("costs", table)
