"""The review queue (docs/call-analysis.md, "Reviewing calls"): every auto-failed call, a
fair random sample of each agent's scored calls per ISO week, the calls put up for
calibration and those whose agent disputes their review.

The sample is drawn by hashing: each call's rank is the SHA-256 of its agent, ISO week and
call id, and the ``per_week`` lowest ranks of an agent's week are drawn. Every call of the
week is as likely as any other to be drawn, whatever the others are; the draw is the same
on every page load, in every process, and a call imported later into the week changes it
only if it ranks among the lowest."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo


def iso_week(started_at: datetime, zone: ZoneInfo) -> str:
    """The call's ISO week in workspace time: ``2026-W09``."""
    year, week, _day = started_at.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


def rank(agent_id: str | None, week: str, call_id: str) -> str:
    """The call's place in its agent's week's draw (lowest first)."""
    return hashlib.sha256(f"{agent_id or ''}\x1f{week}\x1f{call_id}".encode()).hexdigest()


def sample(calls: list[dict], per_week: int, zone: ZoneInfo) -> set[str]:
    """The call ids drawn from ``calls`` (each with call_id, agent_id, started_at): ``per_week``
    per agent per ISO week (all of a week with fewer)."""
    weeks: dict[tuple, set[str]] = defaultdict(set)
    for c in calls:
        weeks[(c["agent_id"], iso_week(c["started_at"], zone))].add(c["call_id"])
    drawn: set[str] = set()
    for (agent, week), ids in weeks.items():
        drawn.update(sorted(ids, key=lambda call_id: rank(agent, week, call_id))[:max(0, per_week)])
    return drawn


def queue(rows: list[dict], per_week: int, zone: ZoneInfo) -> list[dict]:
    """The scored calls (``engine/review_view.queue_candidates``'s rows) that belong in the
    queue, newest first, each with ``why`` (auto_failed, sampled, calibration, disputed) and
    ``state`` (to_review, reviewed, acknowledged, disputed)."""
    drawn = sample(rows, per_week, zone)
    out = []
    for r in rows:
        why = [w for w, yes in (("auto_failed", r["compliant"] == 0), ("sampled", r["call_id"] in drawn),
                                ("calibration", bool(r["calibration"])),
                                ("disputed", r["response"] == "disputed")) if yes]
        if not why:
            continue
        state = ("to_review" if not r["reviews"] else r["response"] or "reviewed")
        out.append({**r, "why": why, "state": state})
    out.sort(key=lambda r: (r["started_at"], r["call_id"], r["form_id"]), reverse=True)
    return out


def counts(rows: list[dict]) -> dict[str, int]:
    """What is pending in the queue: calls to review, auto-failed among them, disputes, and
    calibration calls the user has not reviewed yet."""
    return {"to_review": sum(r["state"] == "to_review" for r in rows),
            "auto_failed": sum(r["state"] == "to_review" and "auto_failed" in r["why"] for r in rows),
            "disputed": sum(r["state"] == "disputed" for r in rows),
            "calibration": sum("calibration" in r["why"] and not r["mine"] for r in rows)}
