"""The operations rows (docs/operations.md), read independently of the engine: plain Python
over the world's rows. For each lost inbound call, whether, when and by whom the customer was
reached again; for each callback promised, whether it was kept on time, late or never; for
each handled inbound contact, whether the customer came back within the window and whether it
repeats an earlier one. ``reference.py`` aggregates them like any other source."""

from __future__ import annotations

import datetime as dt


def epoch(t: dt.datetime) -> float:
    return t.timestamp()


def customer_number(c: dict) -> str | None:
    """The customer's number of a call (the caller's inbound, the dialled one else), when it is
    a full international number."""
    n = c.get("caller_number") if c.get("direction") == "inbound" else c.get("called_number")
    return n if n is not None and n.startswith("+") else None


def same_customer(a: dict, b: dict) -> bool:
    return ((a.get("lead_id") is not None and a.get("lead_id") == b.get("lead_id"))
            or (customer_number(a) is not None and customer_number(a) == customer_number(b)))


def _reached_us(c: dict) -> bool:
    return (c.get("queued_at") is not None or c.get("queue") is not None
            or c.get("agent_id") is not None)


class Customers:
    """The calls of each customer: by lead and by number (a call is found under both)."""

    def __init__(self, calls):
        self.by_lead: dict = {}
        self.by_number: dict = {}
        for c in calls:
            if c.get("lead_id") is not None:
                self.by_lead.setdefault(c["lead_id"], []).append(c)
            if customer_number(c) is not None:
                self.by_number.setdefault(customer_number(c), []).append(c)

    def of(self, c: dict) -> list[dict]:
        """The calls of ``c``'s customer (``same_customer``), each once."""
        found = {id(x): x for x in self.by_lead.get(c.get("lead_id"), [])
                 if c.get("lead_id") is not None}
        if customer_number(c) is not None:
            found.update({id(x): x for x in self.by_number.get(customer_number(c), [])})
        return list(found.values())


def _first(calls):
    return min(calls, key=lambda c: (c["started_at"], c["call_id"]), default=None)


def lost_rows(calls, orders, flag, short_abandon_s: float, window_h: float) -> list[dict]:
    out = []
    answered = Customers([c for c in calls if c["status"] == "answered"])
    for lost in calls:
        if not (lost.get("direction") == "inbound" and lost["status"] != "answered"
                and _reached_us(lost)):
            continue
        if (lost["status"] == "abandoned" and lost.get("wait_s") is not None
                and lost["wait_s"] < short_abandon_s):
            continue
        t = epoch(lost["started_at"])
        r = _first([c for c in answered.of(lost) if c["started_at"] > lost["started_at"]
                    and epoch(c["started_at"]) - t <= window_h * 3600 and same_customer(lost, c)])
        row = {**lost, "lost_how": "missed" if lost.get("agent_id") is not None else "abandoned",
               "recovered": r is not None, "recovery_s": None, "recovered_sale": False}
        if r is not None:
            rt = epoch(r["started_at"])
            sold = any(o["status"] == "completed" and (
                o.get("call_id") == r["call_id"]
                or (lost.get("lead_id") is not None and o.get("lead_id") == lost["lead_id"]
                    and o["ordered_at"] >= r["started_at"]
                    and epoch(o["ordered_at"]) - rt <= window_h * 3600)) for o in orders)
            row.update(recovery_s=rt - t,
                       recovered_sale=flag(r.get("disposition"), "sale") or sold)
        out.append(row)
    return out


def callback_rows(calls, flag, due_h: float, tolerance_min: float, now: dt.datetime) -> list[dict]:
    out = []
    outbound = Customers([c for c in calls if c.get("direction") == "outbound"])
    for b in calls:
        if not flag(b.get("disposition"), "callback"):
            continue
        due = epoch(b["started_at"]) + due_h * 3600
        k = _first([c for c in outbound.of(b) if c["started_at"] > b["started_at"]
                    and same_customer(b, c)])
        if k is not None:
            outcome = "on_time" if epoch(k["started_at"]) - due <= tolerance_min * 60 else "late"
        else:
            outcome = "never" if epoch(now) - due > tolerance_min * 60 else "pending"
        out.append({**b, "outcome": outcome})
    return out


def contact_rows(calls, window_days: float) -> list[dict]:
    base = [c for c in calls if c.get("direction") == "inbound"
            and (c["status"] == "answered" or _reached_us(c))]
    limit = window_days * 86400

    def within(a, b):
        return (b["started_at"] > a["started_at"]
                and epoch(b["started_at"]) - epoch(a["started_at"]) <= limit and same_customer(a, b))

    contacts = [c for c in base if c["status"] == "answered"]
    everyone, handled = Customers(base), Customers(contacts)
    return [{**c, "repeated": any(within(c, b) for b in everyone.of(c)),
             "is_repeat": any(within(a, c) for a in handled.of(c))} for c in contacts]
