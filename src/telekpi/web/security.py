"""What every response carries and what no request may exceed.

Headers (``SecurityHeaders``, around everything): a Content-Security-Policy that lets a page
run only the app's own scripts (``/static/app.js``, ``/static/plotly.min.js``: no inline
script, no event-handler attribute, no ``eval``), load nothing from elsewhere, and be framed
by no one; ``X-Content-Type-Options: nosniff``; ``Referrer-Policy: same-origin`` (a page's
URL, which holds its filters, is never sent to another site). docs/security.md gives the
policy and why each part is there.

Request size (``BodyLimit``): a body larger than the workspace's ``max_request_mb`` (a
JSON batch, a form) or, for an upload to the Import page, ``max_upload_mb`` is refused
with 413 and one sentence naming the limit: at once when its Content-Length says so, else
(a chunked body) as soon as the bytes received pass it, so it is never held in memory.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from telekpi.i18n import _

# Plotly writes style attributes and a <style> element of its own as it draws (measured in
# Chromium: under style-src 'self' both are refused, and plotly.js warns that it cannot add
# its style rules), so style-src allows inline styles; a style cannot run code. Scripts, the real
# danger, get no such allowance: the app's own files only.
POLICY = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "media-src 'self' https: http:",   # call recordings, on the PBX's or the dialer's own host
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
))
HEADERS = {
    "content-security-policy": POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",   # frame-ancestors for browsers that predate CSP 2
}
MB = 1 << 20


def security_headers() -> list[tuple[bytes, bytes]]:
    return [(k.encode(), v.encode()) for k, v in HEADERS.items()]


class SecurityHeaders:
    """Adds ``HEADERS`` to every HTTP response; a response that sets its own policy (the API
    docs page, which loads Swagger UI from its CDN) keeps it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                present = {k.lower() for k, _v in headers}
                headers.extend((k, v) for k, v in security_headers() if k not in present)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class TooLarge(HTTPException):
    """A request body over the limit: 413, the limit in the sentence."""

    def __init__(self, message: str):
        super().__init__(413, message)


def too_large(limit_mb: float, upload: bool) -> TooLarge:
    if upload:
        return TooLarge(_("the file is larger than {limit} MB, the most this server accepts for an "
                          "upload (setting max_upload_mb); import it with `telekpi import`").format(
                              limit=f"{limit_mb:g}"))
    return TooLarge(_("the request is larger than {limit} MB, the most this server accepts "
                      "(setting max_request_mb)").format(limit=f"{limit_mb:g}"))


class BodyLimit:
    """Refuses request bodies over the limit ``limits(upload)`` gives in MB (``upload``: a POST
    to ``/import``). Inside the language middleware, so the refusal is in the user's language."""

    def __init__(self, app, limits: Callable[[bool], float], respond: Callable[[Request, TooLarge], Response]):
        self.app, self.limits, self.respond = app, limits, respond

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        upload = scope["path"] == "/import" and scope["method"] == "POST"
        limit_mb = self.limits(upload)
        limit = int(limit_mb * MB)
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            response = self.respond(Request(scope, receive), too_large(limit_mb, upload))
            return await response(scope, receive, send)
        received = 0

        async def counted():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large(limit_mb, upload)
            return message

        await self.app(scope, counted, send)
