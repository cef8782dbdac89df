"""The run-time .po reader (i18n/catalogs.py) translates exactly as Babel's compiled catalog."""

from __future__ import annotations

import gettext
import io

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from telekpi.i18n import LANGS
from telekpi.i18n.catalogs import mo_bytes, po_messages, read_catalog, translations


def babel_translations(po_text: str, locale: str = "vi") -> gettext.GNUTranslations:
    buf = io.BytesIO()
    write_mo(buf, read_po(io.StringIO(po_text), locale=locale), use_fuzzy=False)
    return gettext.GNUTranslations(io.BytesIO(buf.getvalue()))


def ours(po_text: str) -> gettext.GNUTranslations:
    return gettext.GNUTranslations(io.BytesIO(mo_bytes(po_messages(po_text))))


def messages(t: gettext.GNUTranslations) -> dict:
    """What a compiled catalog maps, without the header (Babel writes its own)."""
    return {k: v for k, v in t._catalog.items() if k != ""}


@pytest.mark.parametrize("lang", LANGS[1:])
def test_each_language_compiles_as_babel_compiles_it(lang):
    reference = io.BytesIO()
    write_mo(reference, read_catalog(lang), use_fuzzy=False)
    babel = gettext.GNUTranslations(io.BytesIO(reference.getvalue()))
    mine = translations(lang)
    assert isinstance(mine, gettext.GNUTranslations)
    assert messages(mine) == messages(babel)
    assert [mine.plural(n) for n in range(12)] == [babel.plural(n) for n in range(12)]


EDGES = r'''# A header Babel writes, fuzzy as always.
#, fuzzy
msgid ""
msgstr ""
"Language: vi\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"
"Content-Type: text/plain; charset=utf-8\n"

#: a.py:1
msgid "plain"
msgstr "thường"

#, fuzzy, python-brace-format
msgid "fuzzy {n}"
msgstr "mờ {n}"

msgid "untranslated"
msgstr ""

#. a comment for translators
msgid ""
"long line "
"continued"
msgstr ""
"dòng dài "
"tiếp"

msgid "escapes \"quoted\"\tand\\ back\nslash"
msgstr "thoát \"trích\"\tvà\\ ngược\nchéo"

msgctxt "menu"
msgid "Open"
msgstr "Mở"
msgid "next without a blank line"
msgstr "tiếp theo"

msgid "{n} call"
msgid_plural "{n} calls"
msgstr[0] "{n} cuộc gọi"
msgstr[1] ""

#~ msgid "obsolete"
#~ msgstr "cũ"
'''


def test_edge_cases_read_as_babel_reads_them():
    mine, babel = ours(EDGES), babel_translations(EDGES)
    assert messages(mine) == messages(babel)
    assert mine.gettext("plain") == "thường"
    assert mine.gettext("fuzzy {n}") == "fuzzy {n}"          # fuzzy: English
    assert mine.gettext("long line continued") == "dòng dài tiếp"
    assert mine.pgettext("menu", "Open") == "Mở"
    assert mine.gettext("next without a blank line") == "tiếp theo"
    assert mine.ngettext("{n} call", "{n} calls", 5) == babel.ngettext("{n} call", "{n} calls", 5)
    assert mine.gettext("obsolete") == "obsolete"
