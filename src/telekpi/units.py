"""Numbers as people read them, by unit: rates as %, seconds as m:ss, money grouped.

Shared by every front end (CLI tables, web pages, alert messages), in the language
in use (``telekpi.i18n``)."""

from __future__ import annotations

from functools import cache

from telekpi.i18n import current
from telekpi.i18n.numbers import Formatter


@cache
def formatter(lang: str, currency: str = "USD") -> Formatter:
    return Formatter(lang, currency)


def human(value, unit: str | None) -> str:
    return formatter(current()).value(value, unit)
