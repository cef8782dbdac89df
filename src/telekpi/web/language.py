"""The language of each request: ``?lang=`` (then remembered in a cookie), else the
cookie, else the browser's Accept-Language, else the workspace's ``locale``.

A pure ASGI middleware sets the language context variable for the request, so pages,
charts and error pages translate with the same ``_()`` the CLI uses; it sets the
workspace's currency the same way, so amounts are written as the CLI writes them."""

from __future__ import annotations

import contextlib
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from telekpi.i18n import language, negotiate, normalize
from telekpi.units import money_in

COOKIE = "telekpi_lang"


def choose(scope, default: str) -> tuple[str, str | None]:
    """(language, language to remember in the cookie or None)."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    asked = normalize((query.get("lang") or [""])[0])
    if asked:
        return asked, asked
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    cookie = SimpleCookie()
    with contextlib.suppress(Exception):   # a malformed Cookie header is ignored, as browsers do
        cookie.load(headers.get("cookie", ""))
    kept = normalize(cookie[COOKIE].value) if COOKIE in cookie else None
    return kept or negotiate(headers.get("accept-language")) or default, None


class LanguageMiddleware:
    """The request's language, and the workspace's currency (``currency``: a callable) that
    its amounts are shown in."""

    def __init__(self, app, default, currency=lambda: "USD"):
        self.app, self.default, self.currency = app, default, currency

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        lang, remember = choose(scope, self.default())
        scope.setdefault("state", {})["lang"] = lang

        async def send_with_cookie(message):
            if remember and message["type"] == "http.response.start":
                value = f"{COOKIE}={remember}; Path=/; Max-Age=31536000; SameSite=Lax"
                message.setdefault("headers", []).append((b"set-cookie", value.encode("latin-1")))
            await send(message)

        with language(lang), money_in(self.currency()):
            await self.app(scope, receive, send_with_cookie)
