"""Numbers as people read them, by unit: rates as %, seconds as m:ss, money grouped.

Shared by every front end (CLI tables, web pages, alert messages), in the language
in use (``telekpi.i18n``) and the workspace's currency: a front end that opens a
workspace says which (``set_currency``, ``money_in``), so an amount in VND is written
with VND's decimals (none: "0", not "0.00") wherever it is shown."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import TYPE_CHECKING

from telekpi.i18n import current

if TYPE_CHECKING:
    from telekpi.i18n.numbers import Formatter

_currency: ContextVar[str] = ContextVar("telekpi_currency", default="USD")


@cache
def formatter(lang: str, currency: str = "USD") -> Formatter:
    # Babel is imported with the first number shown, not with every command (start-up).
    from telekpi.i18n.numbers import Formatter

    return Formatter(lang, currency)


def currency() -> str:
    """The ISO 4217 code money is shown in: the workspace's ``currency`` setting."""
    return _currency.get()


def set_currency(code: str) -> None:
    _currency.set(code)


@contextmanager
def money_in(code: str) -> Iterator[None]:
    """Show money in ``code`` inside the block (a web request, a report)."""
    token = _currency.set(code)
    try:
        yield
    finally:
        _currency.reset(token)


def human(value, unit: str | None) -> str:
    return formatter(current(), _currency.get()).value(value, unit)
