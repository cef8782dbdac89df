"""Requests and responses: who is asking (session or API token) and from which address,
errors as one sentence in JSON or a page (a request's parameters named as the URL writes
them: ``by=``, ``period=month``), and rendering a template."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from telekpi.errors import (
    NOT_ONE_OF,
    AccessError,
    AuthRequired,
    NotForRole,
    TelekpiError,
    TooManySignIns,
    UsageError,
    Wording,
)
from telekpi.i18n import N_, _, translate
from telekpi.settings import is_address
from telekpi.units import human
from telekpi.web.auth import TOKEN_PREFIX, User
from telekpi.web.state import WebState

SESSION_COOKIE = "telekpi_session"


def authenticate(request: Request) -> tuple[User, str | None]:
    """The user of a request and its session's CSRF token (None for an API token)."""
    state: WebState = request.app.state.web
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return token_user(request, header[7:].strip()), None
    sid = request.cookies.get(SESSION_COOKIE)
    found = state.users.session(sid) if sid else None
    if not found:
        raise AuthRequired(_("log in first"))
    return found


def token_user(request: Request, secret: str) -> User:
    """The user an API token acts as; 401 for one that is not valid, expired or revoked (a
    token that is none counts as a failed sign-in from the address), 429 from a locked address."""
    state: WebState = request.app.state.web
    address = client_address(request)
    refused = state.throttle.refusal(address)
    if refused:
        raise refused
    token = state.users.token(secret) if secret.startswith(TOKEN_PREFIX) else None
    user = state.users.get(token.name) if token else None
    if token is None or user is None:
        raise state.throttle.failed(address) or AuthRequired(_("the API token is not valid"))
    status = token.status(state.users.clock())
    if status == "revoked":
        raise AuthRequired(_("this API token was revoked; ask for a new one"))
    if status == "expired" and token.expires_at is not None:
        when = datetime.fromtimestamp(token.expires_at, state.workspace.settings.tz)
        raise AuthRequired(_("this API token expired on {when}; ask for a new one").format(
            when=human(when, "datetime")))
    state.users.used(token)
    return user


def client_address(request: Request) -> str:
    """The address a request comes from, as sign-in throttling counts it: the peer's, or, when
    the peer is one of the ``trusted_proxies``, the last address before them that the
    proxies' ``X-Forwarded-For`` names (a header from anyone else is ignored: it is free text)."""
    peer = request.client.host if request.client else "unknown"
    proxies = request.app.state.web.workspace.settings.proxies
    if peer not in proxies:
        return peer
    hops = [h.strip() for line in request.headers.getlist("x-forwarded-for") for h in line.split(",")]
    for hop in reversed([h for h in hops if h]):
        if hop not in proxies:
            return hop if is_address(hop) else peer
    return peer


def check_csrf(expected: str | None, given: str) -> None:
    """403 unless a form's CSRF field is its session's token (an API token has none)."""
    if not expected or not secrets.compare_digest(given, expected):
        raise AccessError(_("the form's security token does not match; reload the page"))


# Parameters the URL names otherwise: the metric ids are ``metric=`` (repeatable).
ALIASES = {"metrics": "metric"}
FIELDS = {alias: field for field, alias in ALIASES.items()}


class WebWording(Wording):
    catalog = "GET /api/v1/catalog"

    def param(self, field: str) -> str:
        return ALIASES.get(field, field) + "="

    def given(self, field: str, value: Any) -> str:
        return f"{self.param(field)}{value}"


WEB = WebWording()


def web_message(e: TelekpiError) -> str:
    """``e`` as one sentence for an API client or a page."""
    return e.user_message(WEB)


def error_fields(e: TelekpiError) -> dict:
    """What a usage error is about, for the JSON body: ``field`` (the parameter's neutral
    name), ``value`` and, where there is a list, ``allowed``."""
    if not isinstance(e, UsageError) or e.field is None:
        return {}
    value = e.value if e.value is None or isinstance(e.value, str | int | float) else str(e.value)
    return {"field": e.field, "value": value} | ({"allowed": list(e.allowed)} if e.allowed else {})


def telekpi_error_response(request: Request, e: TelekpiError) -> Response:
    if isinstance(e, NotForRole) and not wants_json(request):
        return RedirectResponse(e.home, status_code=303)
    headers = {"Retry-After": str(e.retry_after)} if isinstance(e, TooManySignIns) else None
    return error_response(request, e.http_status, web_message(e), headers, detail=error_fields(e))


def wants_json(request: Request) -> bool:
    return (request.url.path.startswith("/api/")
            or ("application/json" in request.headers.get("accept", "")
                and "text/html" not in request.headers.get("accept", "")))


def error_response(request: Request, status: int, message: str,
                   headers: dict | None = None, detail: dict | None = None) -> Response:
    """The one error shape: ``{"error": {"status", "message", …detail}}`` for the API, the
    message on a page for people (a 401 page sends them to the login form)."""
    if wants_json(request):
        return JSONResponse({"error": {"status": status, "message": message, **(detail or {})}},
                            status_code=status, headers=headers)
    if status == 401:   # to the login form, back here after it; a session that has ended says so
        asked = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        query = {"next": asked} | ({"error": "expired"} if request.cookies.get(SESSION_COOKIE) else {})
        return RedirectResponse(f"/login?{urlencode(query)}", status_code=303)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, "error.html",
                                      {"status": status, "message": message, "user": None},
                                      status_code=status, headers=headers)


# Pydantic's words for the errors a request can make, in the language in use; the English
# is Pydantic's own. Other errors keep Pydantic's (English) message.
PYDANTIC = {
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "string_pattern_mismatch": N_("String should match pattern {pattern}"),
    "literal_error": N_("Input should be {expected}"),
}
# Starlette's own refusals (an unknown page, a wrong method), which carry the status's phrase.
HTTP_PHRASES = {404: N_("Not Found"), 405: N_("Method Not Allowed")}


CHOICE = re.compile(r"'([^']*)'")   # the choices in Pydantic's "'day', 'week' or 'year'"


def validation_error(e: RequestValidationError) -> UsageError:
    """FastAPI's first validation error as a usage error about its parameter, worded and
    shaped like every other; a value outside a list of choices carries the list."""
    err = e.errors()[0]
    loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "body", "path")]
    if not loc:
        return UsageError(_("{name}: {problem}").format(name="request", problem=err.get("msg")))
    name, got, kind = loc[0], err.get("input"), err.get("type")
    about: dict[str, Any] = {"field": FIELDS.get(name, name), "name": name}
    if kind == "literal_error" and isinstance(got, str):
        return UsageError(NOT_ONE_OF, value=got, allowed=CHOICE.findall(
            str((err.get("ctx") or {}).get("expected", ""))), **about)
    if name in ("from", "to") and kind == "string_pattern_mismatch":
        return UsageError(N_("{name} {value} is not a date; expected YYYY-MM-DD"), value=got, **about)
    if kind == "missing":
        return UsageError(N_("{name} is required"), **about)
    ctx = err.get("ctx") or {}
    problem = err.get("msg") or _("not valid")
    if kind in PYDANTIC:
        problem = translate(PYDANTIC[kind]).format(
            pattern=f"'{ctx.get('pattern', '')}'", expected=ctx.get("expected", ""))
    if isinstance(got, str | int | float):
        return UsageError(N_("{name}: {problem} (got {value})"), value=got, problem=problem, **about)
    return UsageError(N_("{name}: {problem}"), problem=problem, **about)


def allowed_methods(app, path: str) -> str | None:
    """The ``Allow`` of a 405 on an API path: every method its OpenAPI schema lists (a path
    may have one route per method, and Starlette names only the first route's); None for a
    path the schema does not hold."""
    import re

    for template, item in app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\\{[^}:]+:path\\\}", ".+", re.escape(template))
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
        if re.fullmatch(pattern, path):
            methods = {m.upper() for m in item if m.lower() in ("get", "post", "put", "patch", "delete")}
            return ", ".join(sorted(methods | ({"HEAD"} if "GET" in methods else set())))
    return None


def http_message(e: StarletteHTTPException) -> str:
    """An HTTP exception's detail; Starlette's bare status phrases in the language in use."""
    detail = str(e.detail)
    phrase = HTTP_PHRASES.get(e.status_code)
    return translate(phrase) if phrase and detail == phrase else detail


def html(request: Request, template: str, context: dict, status: int = 200) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status)
