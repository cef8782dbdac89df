"""Message catalogs: loading the ``.po`` files, and extracting what must be in them.

The ``.po`` files are the source of truth and ship with the package; they are
compiled in memory on first use (a few milliseconds), so there is no build step
and no stale ``.mo`` to forget. ``scripts/i18n.py`` extracts and merges them.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from telekpi.i18n import DOMAIN, LANGS

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
# Words shown by the metric catalog's YAML: names, descriptions and band labels.
YAML_KEYS = ("name", "description", "label")


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str) -> Catalog:
    with resources.files("telekpi").joinpath(f"locale/{lang}/LC_MESSAGES/{DOMAIN}.po").open("rb") as f:
        return read_po(f, locale=lang.replace("zh_Hans", "zh_Hans_CN").replace("zh_Hant", "zh_Hant_TW"))


@cache
def translations(lang: str) -> Translations:
    """The compiled catalog of ``lang``; untranslated and fuzzy messages fall back to English."""
    if lang not in LANGS or lang == "en" or not po_path(lang).exists():
        return Translations()
    buf = io.BytesIO()
    write_mo(buf, read_catalog(lang), use_fuzzy=False)
    buf.seek(0)
    return Translations(fp=buf, domain=DOMAIN)


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
        if isinstance(strings, tuple):
            empty = not all(strings)
        else:
            empty = not strings
        if got is None or empty or got.fuzzy:
            out.append(msg.id if isinstance(msg.id, str) else msg.id[0])
    return out
