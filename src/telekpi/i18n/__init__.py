"""Languages: which one is in use, and the gettext functions that read it.

The language is a context variable, so a CLI run, a web request and a scheduled
report each translate in their own language without passing it everywhere.
Messages live in standard gettext catalogs (``telekpi/locale/<lang>/LC_MESSAGES``);
English is the source language and needs no catalog.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar

LANGS = ("en", "vi", "th", "zh_Hans", "zh_Hant")
NAMES = {"en": "English", "vi": "Tiếng Việt", "th": "ภาษาไทย", "zh_Hans": "简体中文",
         "zh_Hant": "繁體中文"}
DOMAIN = "telekpi"

_current: ContextVar[str] = ContextVar("telekpi_lang", default="en")
_TRADITIONAL = ("tw", "hk", "mo", "hant")


def normalize(tag: str | None) -> str | None:
    """A supported language for a tag such as ``vi-VN``, ``zh_TW`` or ``zh-Hans-CN``; else None."""
    if not tag:
        return None
    parts = [p.lower() for p in re.split(r"[-_.@]", tag.strip()) if p]
    if not parts:
        return None
    if parts[0] == "zh":
        return "zh_Hant" if any(p in _TRADITIONAL for p in parts[1:]) else "zh_Hans"
    return parts[0] if parts[0] in LANGS else None


def negotiate(accept_language: str | None) -> str | None:
    """The best supported language of an HTTP Accept-Language header, or None."""
    ranked = []
    for i, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        q = 1.0
        m = re.search(r"q\s*=\s*([^;,\s]*)", params)
        if m:
            try:
                q = float(m.group(1))
            except ValueError:
                q = 0.0
        lang = normalize(tag)
        if lang and q > 0:
            ranked.append((-q, i, lang))
    return min(ranked)[2] if ranked else None


def current() -> str:
    return _current.get()


def set_language(lang: str) -> None:
    _current.set(lang)


@contextmanager
def language(lang: str):
    """Translate in ``lang`` inside the block."""
    token = _current.set(lang)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    lang = _current.get()
    if lang == "en" or not message:
        return message
    from telekpi.i18n.catalogs import translations
    return translations(lang).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    lang = _current.get()
    if lang == "en":
        return singular if n == 1 else plural
    from telekpi.i18n.catalogs import translations
    return translations(lang).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def pieces(message: str, **values) -> list:
    """``message`` cut at its ``{name}`` placeholders, for a sentence put together outside
    Python (in SQL, in Arrow), row by row: text values are filled in, any other value (an
    SQL expression, an array) stands alone in its place; unknown placeholders stay as
    written. Translators still see one whole sentence."""
    out: list = []
    for i, piece in enumerate(PLACEHOLDER.split(message)):
        value = values.get(piece, "{" + piece + "}") if i % 2 else piece
        if not isinstance(value, str):
            out.append(value)
        elif out and isinstance(out[-1], str):
            out[-1] += value
        elif value:
            out.append(value)
    return out


PLACEHOLDER = re.compile(r"\{(\w+)\}")
_ = gettext
# For messages marked elsewhere (N_, the metric catalog): the extractor does not look for it.
translate = gettext
