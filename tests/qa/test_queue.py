"""The review queue's sample: per agent per ISO week, fair (each call of a week as likely as
any other), stable (the same draw on every look and in every process: a hash, not a random
state) and it never drops an auto-failed call."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from telekpi.qa.queue import counts, iso_week, queue, sample

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 3, 2, 2, tzinfo=UTC)   # 09:00 in Ho Chi Minh City


def calls(agent: str, n: int, week: int = 0, prefix: str = "") -> list[dict]:
    return [{"call_id": f"{prefix}{agent}-{week}-{i}", "agent_id": agent,
             "started_at": MONDAY + timedelta(days=7 * week + i % 5, minutes=i)} for i in range(n)]


def row(c: dict, compliant: int = 1, **kw) -> dict:
    return {**c, "form_id": "care", "compliant": compliant, "calibration": False, "response": None,
            "reviews": 0, "mine": False, "first_reviewer": None, **kw}


def test_per_agent_per_week_and_all_of_a_short_week():
    given = calls("A1", 30) + calls("A1", 30, week=1) + calls("A2", 1)
    drawn = sample(given, 2, ZONE)
    per = Counter((c["agent_id"], iso_week(c["started_at"], ZONE)) for c in given if c["call_id"] in drawn)
    assert per == {("A1", "2026-W10"): 2, ("A1", "2026-W11"): 2, ("A2", "2026-W10"): 1}
    assert sample(given, 0, ZONE) == set()


def test_the_week_is_the_local_iso_week():
    # Sunday 23:30 in Ho Chi Minh City is Sunday 16:30 UTC: still the week before, either way;
    # Monday 00:30 local is Sunday 17:30 UTC: the new week locally
    assert iso_week(datetime(2026, 3, 8, 17, 30, tzinfo=UTC), ZONE) == "2026-W11"
    assert iso_week(datetime(2026, 3, 8, 17, 30, tzinfo=UTC), ZoneInfo("UTC")) == "2026-W10"


def test_the_draw_is_the_same_on_every_look_and_in_another_process():
    given = calls("A1", 40)
    first = sample(given, 3, ZONE)
    assert sample(list(reversed(given)), 3, ZONE) == first
    code = ("from datetime import UTC, datetime, timedelta; from zoneinfo import ZoneInfo; "
            "from telekpi.qa.queue import sample; "
            f"m = datetime({MONDAY.year}, {MONDAY.month}, {MONDAY.day}, {MONDAY.hour}, tzinfo=UTC); "
            "c = [{'call_id': f'A1-0-{i}', 'agent_id': 'A1', 'started_at': m + timedelta(days=i % 5, minutes=i)} "
            "for i in range(40)]; print(sorted(sample(c, 3, ZoneInfo('Asia/Ho_Chi_Minh'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONHASHSEED": "123", "PYTHONPATH": ":".join(sys.path)}).stdout
    assert out.strip() == str(sorted(first))
    # a call added to the week leaves the others drawn unless it ranks among the lowest
    more = sample(given + calls("A1", 1, prefix="late-"), 3, ZONE)
    assert len(more & first) >= 2


def test_the_draw_is_fair():
    """Over 400 weeks of 10 calls, each call position is drawn about 2 / 10 of the time."""
    hits: Counter[int] = Counter()
    for week in range(400):
        given = calls("A1", 10, week=week)
        for c in given:
            if c["call_id"] in sample(given, 2, ZONE):
                hits[int(c["call_id"].rsplit("-", 1)[1])] += 1
    assert sum(hits.values()) == 800
    assert all(50 <= hits[i] <= 110 for i in range(10)), hits   # expected 80 each


def test_every_auto_failed_call_is_in_the_queue_newest_first():
    given = calls("A1", 20)
    failed = {c["call_id"] for c in given[::4]}
    rows = [row(c, compliant=0 if c["call_id"] in failed else 1) for c in given]
    got = queue(rows, 2, ZONE)
    ids = [r["call_id"] for r in got]
    assert failed <= set(ids)
    assert len(ids) <= len(failed) + 2
    assert [r["started_at"] for r in got] == sorted((r["started_at"] for r in got), reverse=True)
    assert all("auto_failed" in r["why"] for r in got if r["call_id"] in failed)


def test_calibration_and_disputed_calls_join_and_the_counts_say_what_is_pending():
    given = calls("A1", 20)
    drawn = sample(given, 2, ZONE)
    rest = [c for c in given if c["call_id"] not in drawn]
    rows = [row(c) for c in given if c["call_id"] in drawn]
    rows += [row(rest[0], calibration=True, reviews=1, first_reviewer="boss"),
             row(rest[1], response="disputed", reviews=1, first_reviewer="sup1"),
             row(rest[2], compliant=0), row(rest[3])]
    got = {r["call_id"]: r for r in queue(rows, 2, ZONE)}
    assert rest[3]["call_id"] not in got
    assert got[rest[0]["call_id"]]["why"] == ["calibration"] and got[rest[0]["call_id"]]["state"] == "reviewed"
    assert got[rest[1]["call_id"]]["state"] == "disputed"
    assert counts(list(got.values())) == {"to_review": 3, "auto_failed": 1, "disputed": 1, "calibration": 1}
