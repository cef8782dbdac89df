"""The web app: one FastAPI application serving the dashboard pages and ``/api/v1``.

Pages and API ask the engine (``Engine.query``, ``funnel``, ``Lookup``) and never
write SQL. Each request works on its own DuckDB cursor; writes (ingestion,
uploads) take one lock, since DuckDB has one writer. Errors become one shape:
``{"error": {"status", "message"}}`` for the API (with ``field``, ``value`` and
``allowed`` when a parameter is wrong) and the same message on an HTML page for
people (datasette's ``handle_exception``); the status is the error class's.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from telekpi.errors import TelekpiError
from telekpi.i18n import _, language
from telekpi.web.auth import Users
from telekpi.web.http import (
    error_response,
    http_message,
    telekpi_error_response,
    validation_error,
)
from telekpi.web.language import LanguageMiddleware
from telekpi.web.state import WebState

HERE = Path(__file__).resolve().parent


def create_app(db: str | Path, *, users: Users | None = None,
               secure_cookies: bool = False) -> FastAPI:
    from telekpi.web import (
        api,
        pages,
        pages_alerts,
        pages_business,
        pages_import,
        pages_scorecards,
        pages_tokens,
    )

    app = FastAPI(title="telekpi", version="1",
                  description="Telesales and call-center KPIs: the catalog, KPI queries, the "
                              "lead funnel, leads and their timelines, and ingestion.",
                  docs_url="/api/v1/docs", openapi_url="/api/v1/openapi.json", redoc_url=None)
    app.state.web = WebState(Path(db), users, secure_cookies)
    app.state.templates = Jinja2Templates(directory=str(HERE / "templates"))
    pages.setup_templates(app.state.templates, app.state.web.workspace)
    app.add_middleware(LanguageMiddleware, default=lambda: app.state.web.workspace.settings.locale,
                       currency=lambda: app.state.web.workspace.settings.currency)

    @app.exception_handler(TelekpiError)
    async def _telekpi_error(request: Request, e: TelekpiError):
        return telekpi_error_response(request, e)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError):
        return telekpi_error_response(request, validation_error(e))

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
    app.include_router(pages_tokens.router)
    return app
