"""Telesales operations, part 2 (docs/operations-compliance.md): the Compliance page (calls
outside the calling window, calls after a stop request, the rolling abandonment cap), the
caller-ID health page and the attempts page, and their API. Admins and supervisors (their
teams' calls); an agent is sent to their own day."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from telekpi.analysis.attempts import attempts
from telekpi.analysis.caller_ids import number_health
from telekpi.analysis.compliance import Days, compliance
from telekpi.errors import AccessError
from telekpi.i18n import _, current
from telekpi.units import formatter
from telekpi.web.access import scope_of
from telekpi.web.api import ERRORS, EngineDep, FromQ, ToQ, UserDep
from telekpi.web.auth import User
from telekpi.web.pages import PageDep

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1/operations", tags=["api"], responses=ERRORS)
LIST_LIMIT = 200


def _may_see(user: User) -> None:
    if user.role == "agent":
        raise AccessError(_("compliance, caller IDs and attempts are for supervisors and admins"))


def _days(engine, start: date | None, end: date | None, default_days: int) -> Days:
    from datetime import timedelta

    from telekpi.analysis.compliance import last_day

    last = end or last_day(engine)
    return Days(start or last - timedelta(days=default_days - 1), last, engine.settings.tz)


@router.get("/operations/compliance")
def compliance_page(p: PageDep) -> HTMLResponse:
    _may_see(p.user)
    days = Days(p.filters.start, p.filters.end, p.engine.settings.tz)
    data = compliance(p.engine, days, scope_of(p.user), limit=LIST_LIMIT)
    fmt = formatter(current())
    for a in data["abandonment"]:   # points as the language writes a number (1,5 in Vietnamese)
        a["points"] = None if a["headroom_points"] is None else fmt.number(a["headroom_points"], 1)
    return p.render("compliance.html", data=data,
                    window_days=p.engine.settings.abandon_window_days)


@router.get("/operations/numbers")
def numbers_page(p: PageDep) -> HTMLResponse:
    _may_see(p.user)
    data = number_health(p.engine, p.filters.end, scope_of(p.user))
    return p.render("compliance_numbers.html", data=data)


@router.get("/operations/attempts")
def attempts_page(p: PageDep) -> HTMLResponse:
    _may_see(p.user)
    data = attempts(p.engine, Days(p.filters.start, p.filters.end, p.engine.settings.tz), scope_of(p.user))
    return p.render("compliance_attempts.html", data=data)


def _day(value: str | None, field: str) -> date | None:
    from telekpi.web.filters import parse_date

    return parse_date(value, field)


LimitQ = Annotated[int, Query(ge=1, le=5000, description="Calls of each kind listed.")]


@api_router.get("/compliance")
def compliance_api(user: UserDep, e: EngineDep, start: FromQ = None, end: ToQ = None,
                   limit: LimitQ = 1000) -> dict:
    """Calls outside the permitted calling window (the called person's local time), calls after
    a stop request, and each campaign's rolling outbound abandonment against its cap."""
    _may_see(user)
    days = _days(e, _day(start, "from"), _day(end, "to"), e.settings.abandon_window_days)
    return compliance(e, days, scope_of(user), limit=limit)


@api_router.get("/numbers")
def numbers_api(user: UserDep, e: EngineDep, end: ToQ = None) -> dict:
    """Each outbound number's pick-up rate on a day against its campaign's other numbers."""
    _may_see(user)
    return number_health(e, _days(e, None, _day(end, "to"), 1).end, scope_of(user))


@api_router.get("/attempts")
def attempts_api(user: UserDep, e: EngineDep, start: FromQ = None, end: ToQ = None) -> dict:
    """Conversion and cost per sale by attempt number and lead source; the recommended cap."""
    _may_see(user)
    return attempts(e, _days(e, _day(start, "from"), _day(end, "to"), 90), scope_of(user))
