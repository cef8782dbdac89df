"""The web app: one FastAPI application serving the dashboard pages and ``/api/v1``.

Pages and API ask the engine (``Engine.query``, ``funnel``, ``Lookup``) and never
write SQL. Each request works on its own DuckDB cursor; writes (ingestion,
uploads) take one lock, since DuckDB has one writer. Errors become one shape:
``{"error": {"status", "message"}}`` for the API and the same message on an
HTML page for people (datasette's ``handle_exception``).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from telekpi.catalog.loader import Catalog, load_catalog
from telekpi.engine.engine import Engine, ResultCache
from telekpi.engine.rollup_upkeep import RollupUpkeep
from telekpi.engine.rollups import available, refresh
from telekpi.errors import (
    AccessError,
    InputError,
    NotFoundError,
    TelekpiError,
    UsageError,
)
from telekpi.i18n import N_, _, language, translate
from telekpi.settings import Settings, load_settings
from telekpi.web.language import LanguageMiddleware
from telekpi.store.warehouse import Warehouse
from telekpi.web.auth import TOKEN_PREFIX, User, Users

SESSION_COOKIE = "telekpi_session"
HERE = Path(__file__).resolve().parent


class AuthRequired(TelekpiError):
    """No valid session or token (HTTP 401; pages redirect to the login form)."""


@dataclass
class Cursor:
    """A Warehouse-shaped view on one DuckDB cursor, for one request."""

    con: object
    path: Path

    @property
    def workspace(self) -> Path:
        return self.path.resolve().parent


class WebState:
    def __init__(self, db: Path, users: Users | None = None, secure_cookies: bool = False):
        self.warehouse = Warehouse(db)
        self.settings: Settings = load_settings(self.warehouse.workspace)
        self.catalog: Catalog = load_catalog(self.warehouse.workspace)
        self.users = users or Users.beside(db)
        self.write_lock = threading.Lock()
        self.secure_cookies = secure_cookies
        self.cache = ResultCache()
        self.warmed = threading.Event()
        self._rollups: dict | None = None
        # logs each write for the rollups, in its transaction (under the write lock)
        self.upkeep = RollupUpkeep(self.catalog, self.settings)
        self._refresh_due = threading.Event()
        self._urgent = threading.Event()     # a view waits: fold the logs now, not after quiet
        self._settled = threading.Event()    # no write since the last refresh
        self._settled.set()
        self._refresher: threading.Thread | None = None
        self._closed = False
        from telekpi.alerts.state import AlertState

        self.alerts = AlertState.beside(db)

    def data_changed(self) -> None:
        """Call after every write: cached answers are dropped, and the writes logged for the
        daily rollups are folded in (stale ones rebuilt) in the background once the writes
        pause, or at once when a view asks for them."""
        self._settled.clear()
        self.cache.clear()
        self._rollups = None
        if self._refresher is None:
            self._refresher = threading.Thread(target=self._refresh_loop, daemon=True,
                                               name="telekpi-rollups")
            self._refresher.start()
        self._refresh_due.set()

    SETTLE_WAIT_S = 2.0

    def rollups(self) -> dict:
        """The rollups current for the warehouse as it is now (remembered until a write).
        After a write, a view first waits (a little) for the writes to be folded in: that
        takes a fraction of a second, reading the rows of 10M calls takes seconds."""
        found = self._rollups
        if found is None and not self._settled.is_set() and self._refresher is not None:
            self._urgent.set()
            self._refresh_due.set()
            self._settled.wait(self.SETTLE_WAIT_S)
            found = self._rollups
        if found is None:
            cur = self._cursor()
            try:
                found = self._rollups = available(cur.con, self.settings)
            finally:
                cur.con.close()
        return found

    def refresh_rollups(self) -> list[dict]:
        """Fold the logged writes into the rollups and rebuild stale ones, through the one
        writer; answers cached from a stale rollup are dropped with them."""
        with self.write_lock:
            cur = self._cursor()
            try:
                done = refresh(cur.con, self.catalog, self.settings)
            finally:
                cur.con.close()
            self._rollups = None
            if done:
                self.cache.clear()
        return done

    REFRESH_QUIET_S = 1.0   # views do not wait for it: they ask for the fold

    def _refresh_loop(self) -> None:
        while not self._closed:
            self._refresh_due.wait()
            while not self._urgent.is_set():   # a burst of writes (API batches) first
                self._refresh_due.clear()
                if not self._refresh_due.wait(self.REFRESH_QUIET_S) or self._closed:
                    break
            if self._closed:
                return
            self._urgent.clear()
            self._refresh_due.clear()
            try:
                self.refresh_rollups()
            except Exception as e:   # queries keep reading the rows; the next write retries
                print("telekpi: " + _("the daily rollups were not rebuilt: {error}").format(error=e),
                      file=sys.stderr)
            if not self._refresh_due.is_set():
                self._settled.set()

    def _cursor(self) -> Cursor:
        cur = Cursor(self.warehouse.con.cursor(), self.warehouse.path)
        cur.con.execute("SET TimeZone = 'UTC'")
        return cur

    @contextmanager
    def session(self) -> Iterator[Engine]:
        """An engine on its own DuckDB cursor, closed afterwards: one per request or task."""
        cur = self._cursor()
        try:
            yield Engine(cur, self.settings, self.catalog, self.cache,   # type: ignore[arg-type]
                         rollups=self.rollups())
        finally:
            cur.con.close()

    @contextmanager
    def write(self) -> Iterator[Cursor]:
        """The one writer: a cursor under the write lock; cached answers are dropped after."""
        with self.write_lock:
            cur = self._cursor()
            try:
                yield cur
            finally:
                cur.con.close()
                self.data_changed()

    def check_alerts(self, now=None) -> list:
        """One round of the alert rules (the workspace's alerts.yaml, else the built-in ones):
        record what fires for the dashboard, send what is new. Returns what fires."""
        from datetime import datetime
        from zoneinfo import ZoneInfo

        from telekpi.alerts.channels import deliver
        from telekpi.alerts.evaluate import evaluate
        from telekpi.alerts.rules import load_rules

        own = self.warehouse.workspace / "alerts.yaml"
        rules = load_rules(own if own.exists() else None, self.catalog)
        with self.session() as engine:
            firing = evaluate(engine, rules, now or datetime.now(ZoneInfo(self.settings.timezone)))
        self.alerts.update(firing)
        deliver(rules, self.alerts, firing)
        return firing

    def close(self) -> None:
        self._closed = True
        self._refresh_due.set()
        if self._refresher is not None:
            self._refresher.join(timeout=60)
        self.warehouse.close()
        self.users.close()
        self.alerts.close()


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


def create_app(db: str | Path, *, users: Users | None = None,
               secure_cookies: bool = False) -> FastAPI:
    from telekpi.web import (
        api,
        pages,
        pages_alerts,
        pages_business,
        pages_import,
        pages_scorecards,
    )

    app = FastAPI(title="telekpi", version="1",
                  description="Telesales and call-center KPIs: the catalog, KPI queries, the "
                              "lead funnel, leads and their timelines, and ingestion.",
                  docs_url="/api/v1/docs", openapi_url="/api/v1/openapi.json", redoc_url=None)
    app.state.web = WebState(Path(db), users, secure_cookies)
    app.state.templates = Jinja2Templates(directory=str(HERE / "templates"))
    pages.setup_templates(app.state.templates, app.state.web)
    app.add_middleware(LanguageMiddleware, default=lambda: app.state.web.settings.locale)

    @app.exception_handler(TelekpiError)
    async def _telekpi_error(request: Request, e: TelekpiError):
        return error_response(request, status_of(e), e.user_message())

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError):
        return error_response(request, 400, validation_message(e))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, e: StarletteHTTPException):
        return error_response(request, e.status_code, http_message(e), getattr(e, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, e: Exception):
        # This handler runs outside the middleware that set the request's language: set it again.
        with language(request.scope.get("state", {}).get("lang") or "en"):
            return error_response(request, 500, _("internal error: {kind}").format(kind=type(e).__name__))

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        import plotly

        path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        return Response(path.read_bytes(), media_type="application/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/static/app.css", include_in_schema=False)
    def css() -> Response:
        return Response((HERE / "static" / "app.css").read_bytes(), media_type="text/css")

    @app.get("/static/app.js", include_in_schema=False)
    def js() -> Response:
        return Response((HERE / "static" / "app.js").read_bytes(),
                        media_type="application/javascript")

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(pages_business.router)
    app.include_router(pages_import.router)
    app.include_router(pages_scorecards.router)
    app.include_router(pages_alerts.router)
    return app


def html(request: Request, template: str, context: dict, status: int = 200) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status)
