"""Rules kept (docs/operations-compliance.md): calls outside the permitted calling window in
the called person's local time, calls to numbers after they asked to stop, and each
campaign's outbound abandonment rate over a rolling window against its cap, with the day it
will cross at today's pace. Data for ``telekpi ops compliance``, the API, the page, the
alerts and ``diagnose``.

Recording disclosure comes from call analysis: a QA form's item with the id
``recording_disclosure`` (``DISCLOSURE_ITEM``; the shipped example forms have one) that failed
on a call is a breach of kind ``disclosure``; calls no form judged are not counted either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from telekpi.days import day_start
from telekpi.engine.lookup import EVERYONE, Scope
from telekpi.engine.operations_rows import OperationsRows
from telekpi.model.calling_windows import judge, parse_windows

# Days of the current pace, for the crossing date: the last week (or the window, if shorter).
PACE_DAYS = 7
# The kinds of breach.
KINDS = ("outside_window", "dnc", "disclosure", "abandon_cap")
# The QA form item (`telekpi qa`, docs/call-analysis.md) that checks the recording disclosure.
DISCLOSURE_ITEM = "recording_disclosure"


@dataclass(frozen=True)
class Days:
    """Local days ``start``…``end`` (inclusive) of the workspace, and their instants."""

    start: date
    end: date
    tz: tzinfo

    @property
    def since(self) -> datetime:
        return day_start(self.start, self.tz)

    @property
    def until(self) -> datetime:
        return day_start(self.end + timedelta(days=1), self.tz)


def last_day(engine) -> date:
    """The workspace's last day with a call (today when there are none): the default end."""
    last = OperationsRows(engine).data_range()[1]
    tz = engine.settings.tz
    return last.astimezone(tz).date() if last else datetime.now(tz).date()


def outside_window(engine, days: Days, scope: Scope = EVERYONE) -> list[dict]:
    """Outbound calls placed outside the calling window of the called number's country, in the
    called person's local time (the strictest zone of a number that may be in several): each
    call's id, start and number, with the verdict (``compliance`` adds who placed the calls it
    lists)."""
    settings = engine.settings
    rules = parse_windows(settings.calling_windows)
    out = []
    for r in OperationsRows(engine).outbound_calls(days.since, days.until, scope):
        verdict = judge(r["called_number"], r["started_at"], rules, settings.timezone)
        if verdict is None or not verdict.outside:
            continue
        out.append({**r, "kind": "outside_window", "region": verdict.region, "zone": verdict.zone,
                    "local_time": verdict.local.replace(tzinfo=None).isoformat(timespec="minutes"),
                    "window": verdict.window, "zone_known": verdict.zone_known})
    return out


def dnc_violations(engine, days: Days, scope: Scope = EVERYONE, limit: int = 1000) -> tuple[list[dict], int]:
    """Calls to numbers after they asked to stop (newest first, at most ``limit``), and how many
    there are in all."""
    page = OperationsRows(engine).dnc_violations(days.since, days.until, scope, limit=limit)
    return [{**r, "kind": "dnc"} for r in page.rows], page.total


def rolling_abandonment(engine, as_of: date, scope: Scope = EVERYONE) -> list[dict]:
    """Each campaign's outbound abandonment rate over the ``abandon_window_days`` local days to
    ``as_of``: abandoned / picked up by a person (TCPA's "calls answered live by a person",
    the abandons among them), against ``abandon_cap``. ``crosses_on``: the first day the rolling
    rate would pass the cap if every day from tomorrow were like the average of the last
    ``PACE_DAYS`` (the window moving on, dropping its oldest days); None when it does not within
    a window's length, or is over already (``over``).

    The rate is the campaign's: a dialer drop reaches no agent, so a scoped user (a supervisor)
    sees the whole rate of each campaign their agents called for in the window."""
    settings = engine.settings
    window, cap = settings.abandon_window_days, settings.abandon_cap
    days = Days(as_of - timedelta(days=window - 1), as_of, settings.tz)
    by_campaign: dict[str | None, dict[date, tuple[int, int]]] = {}
    rows = OperationsRows(engine)
    shown = None if scope == EVERYONE else rows.campaigns_called(days.since, days.until, scope)
    for r in rows.abandonment_by_day(days.since, days.until):
        if shown is None or r["campaign_id"] in shown:
            by_campaign.setdefault(r["campaign_id"], {})[r["day"]] = (int(r["abandoned"]), int(r["live"]))
    out = []
    pace_days = min(PACE_DAYS, window)
    for campaign, daily in sorted(by_campaign.items(), key=lambda kv: str(kv[0])):
        abandoned = sum(a for a, _ in daily.values())
        live = sum(n for _, n in daily.values())
        rate = abandoned / live if live else None
        recent = [daily.get(as_of - timedelta(days=k), (0, 0)) for k in range(pace_days)]
        pace = (sum(a for a, _ in recent) / pace_days, sum(n for _, n in recent) / pace_days)
        over = rate is not None and rate > cap
        crosses = None if over else _crossing(daily, as_of, window, cap, pace)
        out.append({"campaign_id": campaign, "abandoned": abandoned, "live": live, "rate": rate,
                    "cap": cap, "window_days": window, "from": days.start, "to": as_of,
                    "headroom_points": None if rate is None else (cap - rate) * 100,
                    "over": over, "pace_rate": pace[0] / pace[1] if pace[1] else None,
                    "crosses_on": crosses})
    return out


def _crossing(daily: dict[date, tuple[int, int]], as_of: date, window: int, cap: float,
              pace: tuple[float, float]) -> date | None:
    """The first day after ``as_of`` whose rolling window's rate is over ``cap``, when each day
    after ``as_of`` adds ``pace`` (abandoned, live) and the window drops its oldest day."""
    for k in range(1, window + 1):
        kept = [v for d, v in daily.items() if d > as_of - timedelta(days=window - k)]
        abandoned = sum(a for a, _ in kept) + k * pace[0]
        live = sum(n for _, n in kept) + k * pace[1]
        if live and abandoned / live > cap:
            return as_of + timedelta(days=k)
    return None


def compliance(engine, days: Days, scope: Scope = EVERYONE, limit: int = 1000) -> dict:
    """Everything ``ops compliance`` shows: the breaches of each kind (calls, newest first, at
    most ``limit`` of each), their counts, and the campaigns' rolling abandonment."""
    tz = engine.settings.tz
    every = outside_window(engine, days, scope)
    outside = sorted(every, key=lambda r: (r["started_at"], r["call_id"]), reverse=True)[:limit]
    details = OperationsRows(engine).calls_by_id([r["call_id"] for r in outside]) if outside else {}
    outside = [{**r, **details.get(r["call_id"], {})} for r in outside]
    dnc, dnc_total = dnc_violations(engine, days, scope, limit)
    rows = OperationsRows(engine)
    undisclosed = rows.disclosure_failures(DISCLOSURE_ITEM, days.since, days.until, scope, limit=limit)
    disclosed_checked = rows.disclosure_checked(DISCLOSURE_ITEM, days.since, days.until, scope)
    for r in (*outside, *dnc, *undisclosed.rows):   # the workspace's clock, as every other list shows times
        for key in ("started_at", "stop_at"):
            if isinstance(r.get(key), datetime):
                r[key] = r[key].astimezone(tz)
    abandon = rolling_abandonment(engine, days.end, scope)
    return {
        "from": days.start, "to": days.end,
        "windows": engine.settings.calling_windows,
        "counts": {"outside_window": len(every), "dnc": dnc_total, "disclosure": undisclosed.total,
                   "abandon_cap": sum(1 for a in abandon if a["over"])},
        "outside_window": outside,
        "dnc": dnc,
        "disclosure": [{**r, "kind": "disclosure"} for r in undisclosed.rows],
        "disclosure_checked": disclosed_checked,   # calls a QA form judged for it
        "abandonment": abandon,
    }
