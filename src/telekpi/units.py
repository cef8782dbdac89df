"""Numbers as people read them, by unit: rates as %, seconds as m:ss, money grouped.

Shared by every front end (CLI tables, web pages, alert messages), in the language
in use (``telekpi.i18n``)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from telekpi.i18n import current

if TYPE_CHECKING:
    from telekpi.i18n.numbers import Formatter


@cache
def formatter(lang: str, currency: str = "USD") -> Formatter:
    # Babel is imported with the first number shown, not with every command (start-up).
    from telekpi.i18n.numbers import Formatter

    return Formatter(lang, currency)


def human(value, unit: str | None) -> str:
    return formatter(current()).value(value, unit)
