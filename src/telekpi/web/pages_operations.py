"""The Operations page (docs/operations.md): lost calls won back, callbacks kept, first-contact
resolution — each a section with its totals, breakdowns and the list to act on, in the user's
scope (a supervisor: their teams' agents, and the lost calls that reached no agent; an agent
does not have the page).

The page is a list of sections (``SECTIONS``): each a ``Section`` whose ``build`` gathers its
data for a page and whose partial template (``templates/operations/<id>.html``) shows it. A
module of more operations (compliance, caller-ID health) adds its own sections and partials
and lists them in ``SECTIONS``; nothing else here changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from telekpi.days import day_bounds
from telekpi.engine.operations import OperationsLists
from telekpi.i18n import N_, translate
from telekpi.web.access import scope_of
from telekpi.web.pages import Page, PageDep
from telekpi.web.paging import offset_of

router = APIRouter(include_in_schema=False)

LOST = ("lost_calls", "missed_calls", "rejected_calls", "lost_calls_recovered", "lost_call_recovery_rate",
        "recovery_time", "recovered_sales")
CALLBACKS = ("callbacks_due", "callback_on_time_rate", "callbacks_late", "callbacks_never")
FCR = ("fcr_rate", "repeat_contact_rate")
# Rows per page of the page's lists: three sections on one page, each list kept short.
LIST_SIZE = 25


@dataclass(frozen=True)
class Section:
    """One section of the page: its anchor, title, partial template and what it shows."""

    id: str
    title: str                                  # N_(): translated when shown
    template: str
    build: Callable[[Page], dict[str, Any]]


def _bounds(p: Page) -> tuple[datetime | None, datetime | None]:
    """The filters' days as instants (local midnights), for the lists."""
    return day_bounds(p.filters.start, p.filters.end, p.engine.settings.tz)


def _by(p: Page, metrics: list[str], dim: str) -> list[dict]:
    if not metrics or not p.engine.supports(metrics[0], [dim, *(d for d, _ in p.where)]):
        return []
    return p.engine.query(p.request_for(metrics, by=(dim,))).rows


def _totals(p: Page, metrics: list[str]) -> dict:
    return p.engine.query(p.request_for(metrics)).rows[0] if metrics else {}


def lost_section(p: Page) -> dict[str, Any]:
    metrics = p.allowed(LOST)
    since, until = _bounds(p)
    missed = [r for r in _by(p, [m for m in metrics if m in ("missed_calls", "rejected_calls")], "agent")
              if r["agent"] is not None and r.get("missed_calls")]
    return {"metrics": metrics, "total": _totals(p, metrics), "by_queue": _by(p, metrics, "queue"),
            "missed": missed,
            "waiting": OperationsLists(p.engine).lost_not_recovered(
                scope_of(p.user), since, until, LIST_SIZE,
                offset_of(p.request.query_params, "lost_page", LIST_SIZE)),
            "window_h": p.engine.settings.recovery_window_h}


def callbacks_section(p: Page) -> dict[str, Any]:
    metrics = p.allowed(CALLBACKS)
    since, until = _bounds(p)
    return {"metrics": metrics, "total": _totals(p, metrics), "by_team": _by(p, metrics, "team"),
            "by_agent": [r for r in _by(p, metrics, "agent") if r["agent"] is not None],
            "overdue": OperationsLists(p.engine).overdue_callbacks(
                scope_of(p.user), since, until, LIST_SIZE,
                offset_of(p.request.query_params, "cb_page", LIST_SIZE)),
            "due_h": p.engine.settings.callback_due_h,
            "tolerance_min": p.engine.settings.callback_tolerance_min}


def fcr_section(p: Page) -> dict[str, Any]:
    metrics = p.allowed(FCR)
    return {"metrics": metrics, "total": _totals(p, metrics), "by_queue": _by(p, metrics, "queue"),
            "by_agent": [r for r in _by(p, metrics, "agent") if r["agent"] is not None],
            "by_disposition": _by(p, metrics, "disposition"),
            "window_days": p.engine.settings.fcr_window_days}


SECTIONS: tuple[Section, ...] = (
    Section("lost", N_("Lost calls won back"), "operations/lost.html", lost_section),
    Section("callbacks", N_("Callbacks kept"), "operations/callbacks.html", callbacks_section),
    Section("fcr", N_("First-contact resolution"), "operations/fcr.html", fcr_section),
)


@router.get("/operations")
def operations(p: PageDep) -> HTMLResponse:
    shown = [(s, translate(s.title), s.build(p)) for s in SECTIONS]
    return p.render("operations.html", sections=shown)
