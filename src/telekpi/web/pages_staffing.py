"""The Staffing page and ``/api/v1/staffing``: per interval of the day over the chosen days,
calls offered against the forecast made before them, agents required (Erlang A, then the
measured shrinkage) against agents scheduled and agents logged in, and shrinkage by reason
(``wfm/board.py``). The queue is the centre's: admins and supervisors see it, agents do not."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from telekpi.errors import AccessError, UsageError
from telekpi.i18n import N_, _
from telekpi.presentation import line
from telekpi.web.auth import User
from telekpi.web.pages import Page, PageDep

router = APIRouter(include_in_schema=False)
INTERVALS = (15, 30, 60)


def _check(user: User) -> None:
    if user.role == "agent":
        raise AccessError(_("Staffing is the centre's queue; ask a supervisor or an admin."))


def _minutes(text: str | None) -> int:
    try:
        minutes = int((text or "60").rstrip("m"))
    except ValueError:
        minutes = 0
    if minutes not in INTERVALS:
        raise UsageError(N_("{given} is not an interval; use 15m, 30m or 60m"), field="interval", value=text)
    return minutes


def board_for(p: Page, interval: str | None) -> dict:
    from telekpi.wfm.board import staffing_board, suggested_shifts
    from telekpi.wfm.shifts import SHIFTS_FILE

    _check(p.user)
    board = staffing_board(p.engine, p.filters.start, p.filters.end, _minutes(interval))
    patterns = p.workspace.file(SHIFTS_FILE)
    board["suggested"] = suggested_shifts(board, patterns if patterns.exists() else None)
    return board


def chart(board: dict) -> dict:
    rows = board["rows"]
    xs = [r["interval"] for r in rows]
    fig = line(_("Agents by interval: required, scheduled, logged in"), xs, {
        _("required (to schedule)"): [r["required_scheduled"] for r in rows],
        _("required (on the phones)"): [r["required"] for r in rows],
        _("scheduled"): [r["scheduled"] for r in rows],
        _("logged in"): [r["logged_in"] for r in rows]})
    return fig


def calls_chart(board: dict) -> dict:
    rows = board["rows"]
    return line(_("Calls offered and the forecast"), [r["interval"] for r in rows], {
        _("offered"): [r["offered"] for r in rows], _("forecast"): [r["forecast"] for r in rows]})


@router.get("/staffing")
def staffing_page(p: PageDep, interval: str | None = None) -> HTMLResponse:
    board = board_for(p, interval)
    return p.render("staffing.html", board=board, chart=chart(board), calls=calls_chart(board),
                    interval=board["interval_minutes"], intervals=INTERVALS)
