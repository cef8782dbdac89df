"""Requests and responses: who is asking (session or API token), errors as one sentence in
JSON or a page, and rendering a template."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from telekpi.errors import (
    AccessError,
    AuthRequired,
    InputError,
    NotFoundError,
    TelekpiError,
    UsageError,
)
from telekpi.i18n import N_, _, translate
from telekpi.web.auth import TOKEN_PREFIX, User
from telekpi.web.state import WebState

SESSION_COOKIE = "telekpi_session"


def authenticate(request: Request) -> tuple[User, str | None]:
    """The user of a request and its session's CSRF token (None for an API token)."""
    state: WebState = request.app.state.web
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        user = state.users.token_user(token) if token.startswith(TOKEN_PREFIX) else None
        if not user:
            raise AuthRequired(_("the API token is not valid"))
        return user, None
    sid = request.cookies.get(SESSION_COOKIE)
    found = state.users.session(sid) if sid else None
    if not found:
        raise AuthRequired(_("log in first"))
    return found


STATUS = {AuthRequired: 401, AccessError: 403, NotFoundError: 404, UsageError: 400,
          InputError: 400}


def status_of(e: TelekpiError) -> int:
    for cls, code in STATUS.items():
        if isinstance(e, cls):
            return code
    return 500 if not isinstance(e, TelekpiError) else 422


def wants_json(request: Request) -> bool:
    return (request.url.path.startswith("/api/")
            or "application/json" in request.headers.get("accept", "")
            and "text/html" not in request.headers.get("accept", ""))


def error_response(request: Request, status: int, message: str,
                   headers: dict | None = None) -> Response:
    if wants_json(request):
        return JSONResponse({"error": {"status": status, "message": message}}, status_code=status,
                            headers=headers)
    if status == 401:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
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


def validation_message(e: RequestValidationError) -> str:
    """FastAPI's validation errors as one sentence, like every other error."""
    err = e.errors()[0]
    loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "body", "path")]
    name = loc[0] if loc else "request"
    got = err.get("input")
    if name in ("from", "to") and err.get("type") == "string_pattern_mismatch":
        return _("{name} {value} is not a date; expected YYYY-MM-DD").format(name=name, value=repr(got))
    if err.get("type") == "missing":
        return _("{name} is required").format(name=name)
    ctx = err.get("ctx") or {}
    problem = err.get("msg") or _("not valid")
    if err.get("type") in PYDANTIC:
        problem = translate(PYDANTIC[err["type"]]).format(
            pattern=f"'{ctx.get('pattern', '')}'", expected=ctx.get("expected", ""))
    if isinstance(got, str | int | float):
        return _("{name}: {problem} (got {value})").format(name=name, problem=problem, value=repr(got))
    return _("{name}: {problem}").format(name=name, problem=problem)


def http_message(e: StarletteHTTPException) -> str:
    """An HTTP exception's detail; Starlette's bare status phrases in the language in use."""
    detail = str(e.detail)
    phrase = HTTP_PHRASES.get(e.status_code)
    return translate(phrase) if phrase and detail == phrase else detail


def html(request: Request, template: str, context: dict, status: int = 200) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status)
