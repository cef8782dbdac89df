"""The demo centre's telesales operations (issue 27, docs/operations-compliance.md): each
outbound call's called number (its lead's phone) and caller ID, and the stop list.

Each campaign dials from three numbers of its own, and K1 and K2 share one more. From day
``BAD_FROM`` K1's third number has been labelled as spam: people stop picking up when it
calls (the calls it places are given more of the unanswered dials and fewer of the picked up,
so the centre's totals do not change). About one lead in 250 asks to stop: a complaint or the
national register, some time after the lead arrived; calls placed after it break the stop list.
The centre dials 08:00-20:00, so its evening calls fall outside Vietnam's 08:00-17:00 for
advertising calls (Decree 91/2020/ND-CP): the calling-window check has breaches to show.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from telekpi.demo.sink import ids, local_ts, pick
from telekpi.demo.world import BASE_US, CAMPAIGNS

SHARED_DID = "+842873009000"
BAD_FROM = 60 * 86400.0   # seconds from the start: 30 October
STOP_SHARE = 0.004
STOP_SOURCES = ("complaint", "national register")


def lines_of(campaign: int) -> list[str]:
    """The caller IDs campaign ``campaign`` dials from: three of its own, then K1's and K2's
    shared number."""
    own = [f"+8428730{campaign + 1:02d}1{k:02d}" for k in range(1, 4)]
    return own + ([SHARED_DID] if campaign in (0, 1) else [])


def write_outbound_calls(centre, phone: np.ndarray, created: np.ndarray) -> None:
    """Write the chunk's outbound calls the simulation kept back, with their numbers, and the
    chunk's stop requests. ``phone``: the chunk's leads' national numbers (9 then 8 digits)."""
    rng = centre.ops_rng
    for table, lead, t, status, camp in centre.pending_calls:
        m = lead.size
        picked = (status == 0) | (status == 5)
        line = np.empty(m, object)
        for ci in range(len(CAMPAIGNS)):
            idx = np.flatnonzero(camp == ci)
            options = lines_of(ci)
            choice = rng.integers(0, len(options), idx.size)
            if ci == 0:   # K1's third number gone bad: it keeps few of the calls picked up
                late = t[idx] >= BAD_FROM
                bad = (choice == 2) & late & picked[idx] & (rng.random(idx.size) < 0.7)
                choice[bad] = rng.choice([0, 1, 3], bad.sum())
                unpicked = late & ~picked[idx] & (rng.random(idx.size) < 0.2)
                choice[unpicked] = 2
            line[idx] = np.array(options, object)[choice]
        table = table.append_column("called_number", ids("+849", phone[lead]))
        table = table.append_column("line", pa.array(line, pa.string()))
        centre.sink.write("calls", table)
    centre.pending_calls.clear()
    n = phone.size
    asked = np.flatnonzero(rng.random(n) < STOP_SHARE)
    if asked.size:
        at = created[asked] + rng.uniform(3600, 5 * 86400, asked.size)
        centre.sink.write("dnc", pa.table({
            "number": ids("+849", phone[asked]), "requested_at": local_ts(BASE_US, at),
            "source": pick(STOP_SOURCES, rng.integers(0, 2, asked.size))}))
