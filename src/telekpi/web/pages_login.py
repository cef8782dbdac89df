"""Signing in and out of the dashboard: the login form (its messages shown only by code, never
from the URL), the password check with its throttle (a locked account or address is told
when to try again), the session cookie, and the redirect back to where the user was going,
kept to this site."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from telekpi.errors import AccessError, TooManySignIns
from telekpi.i18n import N_, _, current, translate
from telekpi.web.http import SESSION_COOKIE, authenticate, check_csrf, client_address, html
from telekpi.web.state import WebState

router = APIRouter(include_in_schema=False)
LOGIN_CSRF = "telekpi_login_csrf"   # the login form's own CSRF cookie (no session yet)


LOGIN_ERRORS = {"credentials": N_("wrong name or password"),
                "expired": N_("your session has ended; log in again")}


def safe_next(target: str) -> str:
    """Where to go after logging in: a path on this site, else the overview ("//host" and
    "/\\host" are other sites to a browser)."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"


@router.get("/login")
def login_form(request: Request, next: str = "/", error: str | None = None) -> HTMLResponse:
    """The login page; ``error`` is a code of LOGIN_ERRORS (any other text is not shown: the
    query string is the visitor's to write)."""
    message = translate(LOGIN_ERRORS[error]) if error in LOGIN_ERRORS else None
    return login_page(request, next, message)


def login_page(request: Request, next: str, message: str | None) -> HTMLResponse:
    """The login form with ``message``, a sentence of the server's own."""
    token = secrets.token_urlsafe(24)
    resp = html(request, "login.html", {"user": None, "next": safe_next(next), "error": message,
                                        "login_csrf": token, "lang": current()})
    resp.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict",
                    secure=request.app.state.web.secure_cookies)
    return resp


@router.post("/login")
def login(request: Request, name: Annotated[str, Form()], password: Annotated[str, Form()],
          csrf: Annotated[str, Form()], next: Annotated[str, Form()] = "/"):
    state: WebState = request.app.state.web
    if not secrets.compare_digest(csrf, request.cookies.get(LOGIN_CSRF, "")):
        raise AccessError(_("the login form expired; reload the page and try again"))
    address = client_address(request)
    refused = state.throttle.refusal(address, name)   # the password is not even checked
    if refused:
        return locked(request, next, refused)
    user = state.users.check_password(name, password)
    if not user:
        refused = state.throttle.failed(address, name)
        return locked(request, next, refused) if refused else login_page(
            request, next, translate(LOGIN_ERRORS["credentials"]))
    state.throttle.succeeded(name)
    sid, __ = state.users.new_session(user)
    resp = RedirectResponse(safe_next(next), status_code=303)
    resp.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="lax",
                    secure=state.secure_cookies, max_age=12 * 3600)
    resp.delete_cookie(LOGIN_CSRF)
    return resp


def locked(request: Request, next: str, refused: TooManySignIns) -> HTMLResponse:
    """The login form again, with 429, ``Retry-After`` and when to try again."""
    resp = login_page(request, next, refused.user_message())
    resp.status_code = refused.http_status
    resp.headers["Retry-After"] = str(refused.retry_after)
    return resp


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()]):
    _user, token = authenticate(request)
    check_csrf(token, csrf)
    request.app.state.web.users.end_session(request.cookies.get(SESSION_COOKIE, ""))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE)
    return resp
