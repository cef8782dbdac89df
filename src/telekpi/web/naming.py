"""Names on the dashboard's pages: a dimension value shown by its name (``engine.names``), its
id on hover (``title``). The request's ``Names`` (its user's scope, read once per request) is
set around the rendering of a page (``showing``), so templates and macros imported without
context (``macros.html``) show names through the same two globals:

- ``named(dim, value)``: HTML, the name with the id in ``title`` (escaped: names are data);
- ``name_of(dim, value)``: the name as plain text (option labels, titles, chart labels)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from markupsafe import Markup, escape

from telekpi.engine.names import NO_NAMES, Names

_names: ContextVar[Names] = ContextVar("telekpi_page_names", default=NO_NAMES)


@contextmanager
def showing(names: Names) -> Iterator[None]:
    token = _names.set(names)
    try:
        yield
    finally:
        _names.reset(token)


def name_of(dim: str, value) -> str:
    return _names.get().of(dim, value)


def scope_named(scope: str) -> Markup:
    """An alert's scope ("agent A010") with its value named."""
    dim, _sep, value = scope.partition(" ")
    return escape(dim) + Markup(" ") + named(dim, value) if value else escape(scope)


def named(dim: str, value) -> Markup:
    """``<span title="A010">Lê Minh Long</span>``; the id alone where it has no name."""
    names = _names.get()
    if not names.named(dim, value):
        return escape("" if value is None else str(value))
    return Markup('<span class="named" title="{}">{}</span>').format(str(value), names.of(dim, value))
