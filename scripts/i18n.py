"""Keep the message catalogs in step with the code.

  python scripts/i18n.py extract   write src/telekpi/locale/telekpi.pot from the sources
  python scripts/i18n.py update    extract, then merge into every language's .po (new messages empty)
  python scripts/i18n.py check     list the messages each language does not translate; exit 1 if any
"""

from __future__ import annotations

import sys

from babel.messages.pofile import write_po

from telekpi.cli.app import root_command
from telekpi.cli.help_text import texts
from telekpi.i18n import DOMAIN, LANGS
from telekpi.i18n.catalogs import LOCALE_DIR, extract, missing, po_path, read_catalog


def _write(catalog, path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        write_po(f, catalog, width=100, sort_output=False, include_previous=False, omit_header=False,
                 no_location=False)


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "check"
    template = extract(texts(root_command()))
    if cmd == "extract":
        _write(template, LOCALE_DIR / f"{DOMAIN}.pot")
        print(f"{len(template)} messages")
        return 0
    if cmd == "update":
        _write(template, LOCALE_DIR / f"{DOMAIN}.pot")
        for lang in LANGS[1:]:
            path = po_path(lang)
            if path.exists():
                catalog = read_catalog(lang)
            else:
                from babel.messages.catalog import Catalog
                catalog = Catalog(locale=lang, project="telekpi", domain=DOMAIN)
            catalog.update(template, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            _write(catalog, path)
            print(f"{lang}: {len(missing(lang, template))} of {len(template)} untranslated")
        return 0
    if cmd == "check":
        bad = 0
        for lang in LANGS[1:]:
            gaps = missing(lang, template)
            bad += len(gaps)
            for m in gaps:
                print(f"{lang}: {m!r}")
        return 1 if bad else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
