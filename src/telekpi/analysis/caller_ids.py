"""Caller-ID health (docs/operations-compliance.md): the pick-up rate of each outbound number
(``line``, the caller ID a call presented) against the other numbers of its campaign, day by
day. A number that carriers or phones have started to label as spam shows it first as people
no longer picking up: its rate falls well below its peers' on the same day, same campaign,
same leads, while theirs holds.

A number is flagged on a day when it placed at least ``number_health_min_calls`` calls, its
pick-up rate is below its peers' by at least ``RELATIVE_DROP`` of theirs, and the two-sided
two-proportion z-test puts the gap beyond chance (p < ``ALPHA``). The drop comes with its 95 %
interval (Newcombe's hybrid score interval, from the two Wilson intervals). A number used by
two campaigns is judged in each against that campaign's numbers: the leads differ.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from telekpi.analysis.compliance import Days
from telekpi.engine.lookup import EVERYONE, Scope
from telekpi.engine.operations_rows import OperationsRows
from telekpi.stats import two_proportion_test, wilson

ALPHA = 0.01
RELATIVE_DROP = 0.25
HISTORY_DAYS = 14


def drop_interval(x1: float, n1: float, x2: float, n2: float) -> tuple[float, float]:
    """95 % interval of p2 − p1 (how far the number's rate p1 is below its peers' p2), by
    Newcombe's hybrid score method (method 10, Newcombe 1998) from the Wilson intervals."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1)
    l2, u2 = wilson(x2, n2)
    assert l1 is not None and u1 is not None and l2 is not None and u2 is not None
    d = p2 - p1
    return (d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2),
            d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2))


def number_health(engine, as_of: date, scope: Scope = EVERYONE, days: int = HISTORY_DAYS) -> dict:
    """Each campaign's outbound numbers on ``as_of`` against their peers, with their daily rates
    over the ``days`` before, and rotation advice: the flagged numbers to rest and the healthy
    ones to move their calls to."""
    settings = engine.settings
    span = Days(as_of - timedelta(days=days - 1), as_of, settings.tz)
    grid: dict[str | None, dict[str, dict[date, tuple[int, int]]]] = {}
    for r in OperationsRows(engine).pickups_by_line(span.since, span.until, scope):
        grid.setdefault(r["campaign_id"], {}).setdefault(r["line"], {})[r["day"]] = (
            int(r["calls"]), int(r["picked_up"]))
    campaigns = []
    for campaign, lines in sorted(grid.items(), key=lambda kv: str(kv[0])):
        numbers = [_judge(line, lines, as_of, settings.number_health_min_calls, span.start)
                   for line in sorted(lines)]
        flagged = [n["line"] for n in numbers if n["flagged"]]
        healthy = [n["line"] for n in sorted(numbers, key=lambda n: -(n["rate"] or 0))
                   if not n["flagged"] and n["calls"] >= settings.number_health_min_calls]
        campaigns.append({"campaign_id": campaign, "numbers": numbers, "flagged": flagged,
                          "healthy": healthy, "advice": {"rest": flagged, "use": healthy}
                          if flagged else None})
    return {"as_of": as_of, "from": span.start, "min_calls": settings.number_health_min_calls,
            "alpha": ALPHA, "relative_drop": RELATIVE_DROP, "campaigns": campaigns}


def _rate(day: tuple[int, int]) -> float | None:
    calls, picked = day
    return picked / calls if calls else None


def _judge(line: str, lines: dict[str, dict[date, tuple[int, int]]], as_of: date,
           min_calls: int, start: date) -> dict:
    calls, picked = lines[line].get(as_of, (0, 0))
    peer_calls = sum(d.get(as_of, (0, 0))[0] for other, d in lines.items() if other != line)
    peer_picked = sum(d.get(as_of, (0, 0))[1] for other, d in lines.items() if other != line)
    before = [v for day, v in lines[line].items() if day < as_of]
    base_calls, base_picked = sum(c for c, _ in before), sum(p for _, p in before)
    out: dict = {
        "line": line, "calls": calls, "picked_up": picked,
        "rate": picked / calls if calls else None,
        "peer_calls": peer_calls, "peer_rate": peer_picked / peer_calls if peer_calls else None,
        "own_baseline": base_picked / base_calls if base_calls else None,
        "history": [{"day": start + timedelta(days=k),
                     "rate": _rate(lines[line].get(start + timedelta(days=k), (0, 0)))}
                    for k in range((as_of - start).days + 1)],
        "drop": None, "drop_low": None, "drop_high": None, "p": None, "flagged": False,
        "enough": calls >= min_calls and peer_calls >= min_calls,
    }
    if not out["enough"]:
        return out
    out["drop"] = out["peer_rate"] - out["rate"]
    out["drop_low"], out["drop_high"] = drop_interval(picked, calls, peer_picked, peer_calls)
    test = two_proportion_test(picked, calls, peer_picked, peer_calls)
    out["p"] = test[1] if test else None
    out["flagged"] = bool(test and test[1] < ALPHA and out["peer_rate"] > 0
                          and out["drop"] >= RELATIVE_DROP * out["peer_rate"])
    return out
