"""The web app: one FastAPI application serving the dashboard pages and ``/api/v1``.

Pages and API ask the engine (``Engine.query``, ``funnel``, ``Lookup``) and never
write SQL. Each request works on its own DuckDB cursor; writes (ingestion,
uploads) take one lock, since DuckDB has one writer. Errors become one shape:
``{"error": {"status", "message"}}`` for the API (with ``field``, ``value`` and
``allowed`` when a parameter is wrong) and the same message on an HTML page for
people (datasette's ``handle_exception``); the status is the error class's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from telekpi.errors import TelekpiError
from telekpi.i18n import _, language
from telekpi.presentation import css_variables, inline_scripts, script_hash
from telekpi.web.auth import Users
from telekpi.web.http import (
    allowed_methods,
    error_response,
    http_message,
    telekpi_error_response,
    validation_error,
)
from telekpi.web.language import LanguageMiddleware
from telekpi.web.security import BodyLimit, SecurityHeaders, security_headers
from telekpi.web.state import WebState

HERE = Path(__file__).resolve().parent
SWAGGER_CDN = "https://cdn.jsdelivr.net"


def create_app(db: str | Path, *, users: Users | None = None, secure_cookies: bool = False,
               clock: Callable[[], datetime] | None = None) -> FastAPI:
    """The app over the warehouse ``db``; ``clock`` (an aware "now") pins the time the pages
    say it is (the screenshot tests), the system clock otherwise."""
    from telekpi.web import (
        api,
        pages,
        pages_agent,
        pages_alerts,
        pages_business,
        pages_compliance,
        pages_import,
        pages_login,
        pages_operations,
        pages_overview,
        pages_people,
        pages_qa,
        pages_review,
        pages_scorecards,
        pages_staffing,
        pages_tokens,
        pages_wallboard,
    )

    app = FastAPI(title="telekpi", version="1",
                  description="Telesales and call-center KPIs: the catalog, KPI queries, the "
                              "lead funnel, leads and their timelines, and ingestion.",
                  docs_url=None, openapi_url="/api/v1/openapi.json", redoc_url=None)
    app.state.web = WebState(Path(db), users, secure_cookies, clock)
    app.state.templates = Jinja2Templates(directory=str(HERE / "templates"))
    pages.setup_templates(app.state.templates, app.state.web.workspace)

    def settings():
        return app.state.web.workspace.settings

    # The last added runs first: headers on every response, then the language, then the size.
    app.add_middleware(BodyLimit, limits=lambda upload: (
        settings().max_upload_mb if upload else settings().max_request_mb),
        respond=lambda request, e: error_response(request, e.status_code, e.detail))
    app.add_middleware(LanguageMiddleware, default=lambda: settings().locale,
                       currency=lambda: settings().currency)
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(TelekpiError)
    async def _telekpi_error(request: Request, e: TelekpiError):
        return telekpi_error_response(request, e)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError):
        return telekpi_error_response(request, validation_error(e))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, e: StarletteHTTPException):
        headers = getattr(e, "headers", None)
        allow = allowed_methods(app, request.url.path) if e.status_code == 405 else None
        if allow:   # every method of the path, not only its first route's
            headers = {**(headers or {}), "Allow": allow}
        return error_response(request, e.status_code, http_message(e), headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, e: Exception):
        # This handler runs outside the middleware that set the request's language: set it again.
        with language(request.scope.get("state", {}).get("lang") or "en"):
            return error_response(request, 500, _("internal error: {kind}").format(kind=type(e).__name__),
                                  headers={k.decode(): v.decode() for k, v in security_headers()})

    @app.get("/api/v1/docs", include_in_schema=False)
    def docs() -> Response:
        """Swagger UI, which comes from its CDN with one inline script: its own policy allows
        that CDN and that script (by its hash), nothing else."""
        page = get_swagger_ui_html(openapi_url="/api/v1/openapi.json", title="telekpi API")
        scripts = " ".join(script_hash(s) for s in inline_scripts(bytes(page.body).decode()))
        page.headers["content-security-policy"] = (
            f"default-src 'none'; script-src {SWAGGER_CDN} {scripts}; style-src {SWAGGER_CDN}; "
            "img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")
        return page

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        import plotly

        path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        return Response(path.read_bytes(), media_type="application/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/static/app.css", include_in_schema=False)
    def css() -> Response:
        # The band colours, defined once in presentation.BAND_COLOURS, as CSS variables first.
        return Response(css_variables() + (HERE / "static" / "app.css").read_text(encoding="utf-8"),
                        media_type="text/css")

    @app.get("/static/pages.css", include_in_schema=False)
    def pages_css() -> Response:   # the overview's, the wallboard's and My day's own styles
        return Response((HERE / "static" / "pages.css").read_bytes(), media_type="text/css")

    @app.get("/static/review.js", include_in_schema=False)
    def review_js() -> Response:   # the review page's player, lanes and transcript
        return Response((HERE / "static" / "review.js").read_bytes(), media_type="application/javascript")

    @app.get("/static/app.js", include_in_schema=False)
    def js() -> Response:
        return Response((HERE / "static" / "app.js").read_bytes(),
                        media_type="application/javascript")

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(pages_login.router)
    app.include_router(pages_people.router)
    app.include_router(pages_overview.router)
    app.include_router(pages_wallboard.router)
    app.include_router(pages_staffing.router)
    app.include_router(pages_agent.router)
    app.include_router(pages_business.router)
    app.include_router(pages_import.router)
    app.include_router(pages_scorecards.router)
    app.include_router(pages_qa.router)
    app.include_router(pages_review.router)
    app.include_router(pages_review.api_router)
    app.include_router(pages_alerts.router)
    app.include_router(pages_tokens.router)
    app.include_router(pages_compliance.router)
    app.include_router(pages_compliance.api_router)
    app.include_router(pages_operations.router)
    return app
