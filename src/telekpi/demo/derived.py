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
             ("pause", np.full(ag.size, lunch), "lunch"), ("available", avail / 2, None)]
    t = start.copy()
    parts = []
    for state, dur, reason in spans:
        keep = dur > 0
        parts.append(pa.table({
            "agent_id": pick(centre.agents.ids, ag[keep]), "state": [state] * int(keep.sum()),
            "started_at": local_ts(BASE_US, t[keep]), "ended_at": local_ts(BASE_US, (t + dur)[keep]),
            "reason": pa.array([reason] * int(keep.sum()), pa.string())}))
        t = t + dur
    centre.sink.write("agent_states", pa.concat_tables(parts))


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
