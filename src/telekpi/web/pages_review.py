"""People in the loop of QA (docs/call-analysis.md, "Reviewing calls"): the review queue
(admins and supervisors, their teams' calls), a call's review page (the recording with a
player, who spoke when in speaker lanes, the transcript following the audio, the form's
items to score), the agent's answer (acknowledge or dispute) to the review of their own
call, calibration, the recording served to those who may hear it, and the API."""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Body, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from telekpi.engine.call_view import call_analysis
from telekpi.engine.lookup import Lookup
from telekpi.engine.review_view import calibration_marks, calibration_reviews, queue_candidates, reviews
from telekpi.errors import AccessError, NotFoundError, UsageError
from telekpi.i18n import _
from telekpi.qa.calibration import calibration
from telekpi.qa.queue import counts, queue
from telekpi.web.access import scope_of
from telekpi.web.api import ERRORS, EngineDep, UserDep
from telekpi.web.auth import User
from telekpi.web.http import check_csrf
from telekpi.web.pages import Page, PageDep

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1/qa", tags=["api"], responses=ERRORS)
QUEUE_LIMIT = 300


def may_review(user: User) -> None:
    if user.role == "agent":
        raise AccessError(_("reviewing calls is for supervisors and admins; an agent answers the reviews of "
                            "their own calls on My day"))


def review_queue(look: Lookup, user: User, start, end) -> list[dict]:
    """The queue of the days ``start``…``end``: drawn from whole ISO weeks, so the sample of a
    week is the same whatever days of it are shown."""
    zone = look.engine.settings.tz
    rows = queue_candidates(look, scope_of(user), start - timedelta(days=start.weekday()),
                            end + timedelta(days=6 - end.weekday()), user.name)
    drawn = queue(rows, look.engine.settings.review_sample_per_week, zone)
    return [r for r in drawn if start <= r["started_at"].astimezone(zone).date() <= end]


@router.get("/qa/review")
def queue_page(p: PageDep) -> HTMLResponse:
    may_review(p.user)
    rows = review_queue(p.look, p.user, p.filters.start, p.filters.end)
    shown = p.request.query_params.get("state", "")
    listed = [r for r in rows if not shown or r["state"] == shown or shown in r["why"]]
    return p.render("review_queue.html", rows=listed[:QUEUE_LIMIT], total=len(listed), counts=counts(rows),
                    per_week=p.engine.settings.review_sample_per_week, shown=shown)


def lanes(found: dict) -> dict:
    """Who spoke when, for the speaker lanes: the recording's speech segments, else the
    transcript's utterances; and the length of the call they span."""
    segs = [s for s in found["segments"] if s["speaker"] in ("agent", "customer")]
    source = "segments"
    if not segs:
        source = "transcript"
        segs = [{"speaker": u["speaker"], "start_s": u["start_s"], "end_s": u["end_s"]} for u in found["transcript"]
                if u["speaker"] in ("agent", "customer") and u["start_s"] is not None and u["end_s"] is not None]
    rec = found["recording"]
    length = max([float(rec["duration_s"] or 0) if rec else 0.0, *(float(s["end_s"]) for s in segs), 1.0])
    return {"source": source, "length": length,
            "agent": [s for s in segs if s["speaker"] == "agent"],
            "customer": [s for s in segs if s["speaker"] == "customer"]}


def _review_context(p: Page, call_id: str) -> dict:
    scope = scope_of(p.user)
    found = call_analysis(p.look, call_id, scope)
    if found is None:
        raise NotFoundError(_("no call {call} that you may see").format(call=repr(call_id)))
    agent = p.user.role == "agent"
    done = reviews(p.look, scope, call_id=call_id, first_only=agent)
    forms = p.workspace.qa_forms()
    qa = []
    for q in found["qa"]:
        form = forms.get(q["form_id"])
        names = {i.id: i.name for i in form.items} if form else {}
        scales = {i.id: i.scale for i in form.items if i.scale} if form else {}
        of_form = sorted((r for r in done if r["form_id"] == q["form_id"]), key=lambda r: r["reviewed_at"])
        mine = next((r for r in of_form if r["reviewer"] == p.user.name), None)
        qa.append({**q, "form": form, "names": names, "scales": scales, "reviews": of_form, "mine": mine,
                   "first": of_form[0] if of_form else None})
    marked = {r["form_id"] for r in calibration_marks(p.look, call_id)} if not agent else set()
    return {**found, "qa": qa, "lanes": lanes(found), "calibration": marked, "reviewer": not agent}


@router.get("/qa/review/{call_id:path}")
def review_page(call_id: str, p: PageDep) -> HTMLResponse:
    return p.render("review.html", **_review_context(p, call_id), saved=p.request.query_params.get("saved"))


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.post("/qa/review/{call_id:path}")
async def save_review_page(call_id: str, request: Request, p: PageDep):
    """The review form: ``item:ID`` = pass | fail per item (a mark 0..scale on an item on a
    scale), ``form_id``, ``comment``."""
    data = await _form(request)
    check_csrf(p.csrf, data.get("csrf", ""))
    may_review(p.user)
    items = {k[5:]: v for k, v in data.items() if k.startswith("item:")}
    try:
        _save(request, p.user, call_id, data.get("form_id", ""), items, data.get("comment"))
    except (UsageError, NotFoundError) as e:
        resp = p.render("review.html", **_review_context(p, call_id), form_error=str(e))
        resp.status_code = e.http_status
        return resp
    return RedirectResponse(f"/qa/review/{quote(call_id, safe='')}?saved=1", status_code=303)


def _save(request: Request, user: User, call_id: str, form_id: str, items: Mapping[str, str | int],
          comment: str | None):
    """Save a review if the call is one the user may see; the workspace's one writer writes."""
    ws = request.app.state.web.workspace
    with ws.session() as engine:
        if call_analysis(Lookup(engine), call_id, scope_of(user)) is None:
            raise NotFoundError(_("no call {call} that you may see").format(call=repr(call_id)))
    with ws.write() as cur:
        return ws.save_review(call_id, form_id, user.name, items, comment, warehouse=cur)


@router.post("/qa/respond/{call_id:path}")
async def respond_page(call_id: str, request: Request, p: PageDep):
    """The agent's answer: ``response`` = acknowledged | disputed, ``form_id``, ``comment``."""
    data = await _form(request)
    check_csrf(p.csrf, data.get("csrf", ""))
    if p.user.role != "agent" or not p.user.agent_id:
        raise AccessError(_("only the call's agent answers its review"))
    ws = p.workspace
    try:
        with ws.write() as cur:
            ws.respond_review(call_id, data.get("form_id", ""), p.user.agent_id, data.get("response", ""),
                              data.get("comment"), warehouse=cur)
    except (UsageError, NotFoundError) as e:
        resp = p.render("review.html", **_review_context(p, call_id), form_error=str(e))
        resp.status_code = e.http_status
        return resp
    back = data.get("back", "")
    return RedirectResponse(back if back.startswith("/") and not back.startswith("//")
                            else f"/qa/review/{quote(call_id, safe='')}", status_code=303)


@router.post("/qa/calibrate/{call_id:path}")
async def calibrate_page(call_id: str, request: Request, p: PageDep):
    """A supervisor puts the call up for calibration on ``form_id`` (``on`` = 1) or takes it down."""
    data = await _form(request)
    check_csrf(p.csrf, data.get("csrf", ""))
    may_review(p.user)
    found = call_analysis(p.look, call_id, scope_of(p.user))
    if found is None or data.get("form_id") not in {q["form_id"] for q in found["qa"]}:
        raise NotFoundError(_("no call {call} scored on that form that you may see").format(call=repr(call_id)))
    ws = p.workspace
    with ws.write() as cur:
        ws.mark_calibration(call_id, data["form_id"], p.user.name, data.get("on", "1") == "1", warehouse=cur)
    return RedirectResponse(f"/qa/review/{quote(call_id, safe='')}", status_code=303)


@router.get("/qa/recording/{call_id:path}")
def recording(call_id: str, p: PageDep) -> FileResponse:
    """The call's recording, to those who may see the call; byte ranges (seeking) as asked."""
    found = call_analysis(p.look, call_id, scope_of(p.user))
    rec = found["recording"] if found else None
    if rec is None:
        raise NotFoundError(_("no recording of call {call} that you may hear").format(call=repr(call_id)))
    path = Path(rec["path"])
    if not path.is_file():
        raise NotFoundError(_("the recording of call {call} is no longer at {path}").format(
            call=repr(call_id), path=path.name))
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if kind == "audio/x-wav":
        kind = "audio/wav"
    return FileResponse(path, media_type=kind, headers={"Cache-Control": "private, no-store"})


@router.get("/qa/calibration")
def calibration_page(p: PageDep) -> HTMLResponse:
    may_review(p.user)
    rows, human = calibration_reviews(p.look, scope_of(p.user), p.filters.start, p.filters.end)
    return p.render("calibration.html", data=calibration(rows, human))


# -- API --------------------------------------------------------------------------------------
class ReviewIn(BaseModel):
    call_id: str = Field(min_length=1, max_length=500)
    form_id: str = Field(min_length=1, max_length=200)
    items: dict[str, str | int] = Field(description="item id → pass | fail: every human item, and any "
                                        "automatic item the reviewer overrules; an item on a scale "
                                        "(scale: 5 in the form) takes a whole number from 0 to its scale")
    comment: str | None = Field(None, max_length=4000)


@api_router.get("/reviews")
def api_reviews(user: UserDep, e: EngineDep, call_id: str | None = None, limit: int = 200) -> dict:
    """Reviews of calls the user may see, latest first (an agent: the review of each of their
    own calls, with their answer)."""
    limit = max(1, min(limit, 1000))
    rows = reviews(Lookup(e), scope_of(user), call_id=call_id, first_only=user.role == "agent", limit=limit)
    return {"items": rows}


@api_router.post("/reviews", status_code=201)
def api_save_review(request: Request, user: UserDep, body: Annotated[ReviewIn, Body()]) -> dict:
    """Save the user's review of a call (supervisors in their teams, admins): as the review
    page does; the first review of a call becomes its QA result."""
    may_review(user)
    saved = _save(request, user, body.call_id, body.form_id, body.items, body.comment)
    return {"call_id": saved.call_id, "form_id": saved.form_id, "reviewer": saved.reviewer,
            "calibration": saved.calibration, "score": saved.score, "passed": saved.passed,
            "compliant": saved.compliant}
