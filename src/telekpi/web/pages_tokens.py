"""The API tokens page: a user's tokens (an admin's: everyone's) with their expiry and last
use; making one with an optional expiry (shown once, on the page that made it) and
revoking one. Forms carry the session's CSRF token; an API token cannot use them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse

from telekpi.errors import UsageError
from telekpi.web.auth import Token, expiry, token_id
from telekpi.web.http import check_csrf, web_message
from telekpi.web.pages import Page, PageDep

router = APIRouter(include_in_schema=False)


def _render(p: Page, status: int = 200, **extra) -> HTMLResponse:
    users = p.request.app.state.web.users
    now = users.clock()
    listed: tuple[Token, ...] = users.tokens(None if p.user.is_admin else p.user.name)
    rows = [{"token": t, "status": t.status(now)} for t in reversed(listed)]   # newest first
    resp = p.render("tokens.html", rows=rows, **extra)
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"   # a new token is on the page once
    return resp


@router.get("/tokens")
def tokens_page(p: PageDep) -> HTMLResponse:
    return _render(p)


@router.post("/tokens")
def create_token(p: PageDep, csrf: Annotated[str, Form()], label: Annotated[str, Form()] = "",
                 expires: Annotated[str, Form()] = "") -> HTMLResponse:
    check_csrf(p.csrf, csrf)
    users = p.request.app.state.web.users
    try:
        until = expiry(expires, p.engine.settings.tz, users.clock())
    except UsageError as e:
        return _render(p, 400, form_error=web_message(e))
    secret = users.new_token(p.user.name, label[:200], until)
    return _render(p, 201, new_token=secret, new_id=token_id(secret))


@router.post("/tokens/{tid}/revoke")
def revoke_token(tid: str, p: PageDep, csrf: Annotated[str, Form()]) -> RedirectResponse:
    """Users revoke their own tokens; an admin anyone's (another's is "not found" to others)."""
    check_csrf(p.csrf, csrf)
    p.request.app.state.web.users.revoke(tid, None if p.user.is_admin else p.user.name)
    return RedirectResponse("/tokens", status_code=303)
