"""Message catalogs: loading the ``.po`` files, and extracting what must be in them.

The ``.po`` files are the source of truth and ship with the package; they are
compiled in memory on first use, so there is no build step and no stale ``.mo`` to
forget. At run time a command reads its language's ``.po`` with the small reader
below (about 5 ms) and hands it to the standard library's ``gettext``; Babel, which
takes longer to import than that to read, is only used by the tools:
``scripts/i18n.py`` extracts and merges the catalogs, and tests hold the reader to
Babel's own compilation.
"""

from __future__ import annotations

import array
import gettext
import io
import re
import struct
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from telekpi.i18n import DOMAIN, LANGS

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

PACKAGE = Path(__file__).resolve().parent.parent
LOCALE_DIR = PACKAGE / "locale"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "pgettext": ((1, "c"), 2)}
METHODS = [
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
    ("**/catalog/builtin/**.yaml", "telekpi.i18n.catalogs:extract_catalog_yaml"),
    ("**/alerts/default_rules.yaml", "ignore"),
]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
# Words shown by the metric catalog's YAML: names, descriptions, band labels and the reasons
# a metric has no value by a dimension.
YAML_KEYS = ("name", "description", "label", "reason")


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _po_text(lang: str) -> str:
    return resources.files("telekpi").joinpath(f"locale/{lang}/LC_MESSAGES/{DOMAIN}.po").read_text("utf-8")


def read_catalog(lang: str) -> Catalog:
    """The ``.po`` file of ``lang`` as a Babel catalog (for the tools: extraction, checks)."""
    from babel.messages.pofile import read_po

    return read_po(io.StringIO(_po_text(lang)),
                   locale=lang.replace("zh_Hans", "zh_Hans_CN").replace("zh_Hant", "zh_Hant_TW"))


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang``; untranslated and fuzzy messages fall back to English."""
    if lang not in LANGS or lang == "en" or not po_path(lang).exists():
        return gettext.NullTranslations()
    return gettext.GNUTranslations(io.BytesIO(mo_bytes(po_messages(_po_text(lang)))))


# -- the .po reader -------------------------------------------------------------------------
# What Babel's read_po and write_mo(use_fuzzy=False) keep, for the .po files Babel writes:
# the header, every translated message that is not fuzzy, obsolete (#~) entries left out,
# plural messages always (an empty plural form falls back to the English id, as Babel's).
_ESCAPE = re.compile(r'\\([\\abfnrtv"])')
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _unquote(text: str) -> str:
    text = text.strip()[1:-1]
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), text) if "\\" in text else text


def po_messages(text: str) -> Iterator[tuple[bytes, bytes]]:
    """Each message a ``.mo`` file holds, as (key, translation): the context joined to the id
    by EOT, plural ids and forms joined by NUL."""
    entry: dict[str, str] = {}
    fuzzy = False
    key = ""

    def done() -> Iterator[tuple[bytes, bytes]]:
        if "msgid" not in entry:
            return
        if "msgid_plural" in entry:
            ids = (entry["msgid"], entry["msgid_plural"])
            forms = [entry[k] or ids[min(int(k[7:-1]), 1)]
                     for k in sorted((k for k in entry if k.startswith("msgstr[")), key=lambda k: int(k[7:-1]))]
            msgid, msgstr = "\0".join(ids), "\0".join(forms)
        elif entry["msgid"] and (fuzzy or not entry.get("msgstr")):
            return
        else:
            msgid, msgstr = entry["msgid"], entry.get("msgstr", "")
        if "msgctxt" in entry:
            msgid = entry["msgctxt"] + "\x04" + msgid
        yield msgid.encode(), msgstr.encode()

    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith('"'):
            entry[key] += _unquote(line)
            continue
        complete = any(k.startswith("msgstr") for k in entry)
        if line.startswith("#") or (complete and line.split(None, 1)[0] in ("msgctxt", "msgid")):
            if complete:
                yield from done()
                entry, fuzzy = {}, False
            if line.startswith("#,") and "fuzzy" in (f.strip() for f in line[2:].split(",")):
                fuzzy = True
            if line.startswith("#"):
                continue
        key, _, rest = line.partition(" ")
        entry[key] = _unquote(rest)
    yield from done()


def mo_bytes(messages: Iterable[tuple[bytes, bytes]]) -> bytes:
    """A GNU ``.mo`` file of ``messages``: keys sorted, no hash table, as Babel writes one."""
    pairs = sorted(messages)
    n = len(pairs)
    keys = b"".join(k + b"\0" for k, _ in pairs)
    values = b"".join(v + b"\0" for _, v in pairs)
    key_at, value_at = 28 + 16 * n, 28 + 16 * n + len(keys)   # after the header and both indexes
    key_index: list[int] = []
    value_index: list[int] = []
    for k, v in pairs:
        key_index += [len(k), key_at]
        value_index += [len(v), value_at]
        key_at += len(k) + 1
        value_at += len(v) + 1
    header = struct.pack("Iiiiiii", 0x950412DE, 0, n, 28, 28 + 8 * n, 0, 0)
    return header + array.array("i", key_index + value_index).tobytes() + keys + values


def extract_catalog_yaml(fileobj, keywords, comment_tags, options):
    """Babel extractor for the metric catalog: each name, description and band label."""
    import yaml

    root = yaml.compose(fileobj.read().decode("utf-8"))

    def walk(node):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value in YAML_KEYS and isinstance(value, yaml.ScalarNode) and value.value:
                    yield value.start_mark.line + 1, "_", value.value, [f"catalog {key.value}"]
                else:
                    yield from walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                yield from walk(item)

    if root is not None:
        yield from walk(root)


def extract(help_texts: Iterable[str] = ()) -> Catalog:
    """Every message the package shows, as the template (``.pot``) catalog; ``help_texts``:
    the CLI's ``--help`` texts, which live in docstrings and ``help=`` arguments rather than
    in ``_()`` calls (``scripts/i18n.py`` collects them from the CLI)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    catalog = Catalog(project="telekpi", domain=DOMAIN, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
            str(PACKAGE), METHODS, OPTIONS, keywords=KEYWORDS, comment_tags=("Translators:",),
            strip_comment_tags=True):
        msg = catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
        msg.flags.discard("python-format")   # "3 % cap" is not a %-format; messages use {name}
    for text in help_texts:
        catalog.add(text, None, [("telekpi/cli", 0)], auto_comments=["--help"])
    return catalog


def missing(lang: str, template: Catalog) -> list[str]:
    """Messages of the template that ``lang`` does not translate (absent, empty or fuzzy)."""
    have = read_catalog(lang)
    out = []
    for msg in template:
        if not msg.id:
            continue
        got = have.get(msg.id, context=msg.context)
        strings = got.string if got is not None else None
        empty = not all(strings) if isinstance(strings, tuple) else not strings
        if got is None or empty or got.fuzzy:
            out.append(msg.id if isinstance(msg.id, str) else msg.id[0])
    return out
