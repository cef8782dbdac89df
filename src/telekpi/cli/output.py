"""Render results as a table (rich), JSON or CSV, with units people read.

Tables are for people: their headers are words in the language in use (a metric's name, not
its id; ``--ids`` puts the ids back), and they fit the terminal by wrapping cells between
words, never by cutting a header or a number short (``fit``). JSON and CSV keep the ids.
Agents, teams and campaigns are shown by name (``show_names``; ``--ids``: by id); CSV adds a
``<dim>_name`` column beside each id (``with_name_columns``)."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from telekpi.i18n import _, translate
from telekpi.i18n.words import dim_name
from telekpi.model.tables import NAMED
from telekpi.spreadsheet import csv_text
from telekpi.units import human

if TYPE_CHECKING:
    from rich.console import Console

    from telekpi.catalog.loader import Catalog
    from telekpi.engine.names import Names

CALENDAR = {"date", "datetime", "month", "quarter", "year", "weekday"}

FORMATS = ("table", "json", "csv")


def console() -> Console:
    """The terminal's width; piped output gets 160 columns unless COLUMNS says otherwise."""
    from rich.console import Console

    wide = sys.stdout.isatty() or os.environ.get("COLUMNS", "").strip().isdigit()
    return Console(soft_wrap=False, width=None if wide else max(Console().width, 160))


def width(text: str) -> int:
    """How many terminal columns ``text`` takes: East Asian wide characters count 2, combining
    marks (Thai vowels and tone marks, Vietnamese accents written apart) count 0."""
    from wcwidth import wcswidth

    w = wcswidth(text)
    return w if w >= 0 else len(text)   # a control character: wcswidth gives up


def pad(text: str, cells: int, right: bool = False) -> str:
    """``text`` padded with spaces to ``cells`` terminal columns (``str.ljust`` counts code
    points, which puts Thai and Chinese out of line)."""
    fill = " " * max(0, cells - width(text))
    return fill + text if right else text + fill


def headline(text: str) -> str:
    """A header: the first letter capitalised where the language has capitals."""
    return text[:1].upper() + text[1:]


def metric_labels(catalog: Catalog, columns: list[str], ids: bool = False) -> dict[str, str]:
    """Headers for a table's columns: each metric's name in the language in use (and its 95 %
    interval's, ``<id>_ci_low``), each dimension's word; ``ids`` keeps the metric ids."""
    out: dict[str, str] = {}
    metrics = catalog.metrics
    for c in columns:
        if c.endswith("_ci_low") and c[:-7] in metrics:   # the interval, shown in one column
            mid = c[:-7]
            out[c] = _("{metric}: 95 % interval").format(metric=mid if ids else translate(metrics[mid].name))
        elif c in metrics:
            if not ids:
                out[c] = translate(metrics[c].name)
        elif c == "period":
            out[c] = _("Period")
        else:
            out[c] = headline(dim_name(c))
    return out


def names_for(engine) -> Names:
    """The names of ``engine``'s agents, teams and campaigns, read when first asked (the
    lookups load the SQL builder, which a command's --help does not need)."""
    from telekpi.engine.names import Names

    return Names.whole_centre(engine)


def show_names(names: Names, rows: list[dict], dims, ids: bool = False) -> list[dict]:
    """Rows for a table: each agent, team and campaign by its name (``--ids``: by its id)."""
    if ids:
        return rows
    dims = [d for d in dims if d in NAMED]
    return [{**r, **{d: names.of(d, r[d]) for d in dims if r.get(d) is not None}} for r in rows]


def with_name_columns(columns: list[str], dims) -> list[str]:
    """CSV columns with ``<dim>_name`` after each named dimension's id column."""
    out: list[str] = []
    for c in columns:
        out.append(c)
        if c in dims and c in NAMED:
            out.append(f"{c}_name")
    return out


def print_json(obj) -> None:
    """``obj`` as JSON; a number that is not finite as null (JSON has no NaN)."""
    sys.stdout.write(json.dumps(_finite(obj), ensure_ascii=False, indent=2, default=str,
                                allow_nan=False) + "\n")


def _finite(obj):
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def print_csv(columns: list[str], rows: list[dict]) -> None:
    """CSV for a spreadsheet as much as for a program: a cell that a spreadsheet would run as a
    formula (a name ``=2+3``) is written with a leading quote (``telekpi.spreadsheet``)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if v is None else csv_text(v)) for k, v in r.items()})
    sys.stdout.write(buf.getvalue())


def print_table(columns: list[str], rows: list[dict], units: dict[str, str],
                title: str | None = None, notes: bool = False, labels: dict[str, str] | None = None) -> None:
    """``labels`` shows (translated) headers for some columns; keys stay the row keys."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    headers = [(labels or {}).get(c, c) for c in columns]
    body = []
    for r in rows:
        cells = []
        for c in columns:
            v = r.get(c)
            if c in units:
                text = human(v, units[c])
            elif isinstance(v, date):     # periods and days, as the language writes dates
                text = human(v, "datetime" if isinstance(v, datetime) else "date")
            else:
                text = "—" if v is None else str(v)
            if notes and r.get(f"__note_{c}"):
                text += f" ({r[f'__note_{c}']})"
            cells.append(text)
        body.append(cells)
    out = console()
    columns_text = [(h, [row[i] for row in body]) for i, h in enumerate(headers)]
    n = len(columns)
    # The heavy box (a rule at each edge and between columns, a space each side of a cell); a
    # table too wide for it drops the rules and keeps two spaces between columns, and long text
    # wraps over more lines.
    heavy, bare = out.width - (n + 1) - 2 * n, out.width - 2 * (n - 1)
    compact: dict[str, Any] = {"box": box.SIMPLE_HEAD, "show_edge": False, "pad_edge": False,
                               "padding": (0, 1, 0, 0)}
    widths: list[int] | None = None
    style: dict[str, Any] = {}
    for room, lines, look in ((heavy, LINES, {}), (bare, LINES, compact), (bare, 3 * LINES, compact),
                              (bare, 0, compact)):
        widths, style = fit(columns_text, room, lines), look
        if widths is not None:
            break
    t = Table(title=title, show_lines=False, header_style="bold", **style)
    for i, (c, h) in enumerate(zip(columns, headers, strict=True)):
        numeric = c in units and units[c] not in CALENDAR
        t.add_column(Text(h, overflow="fold"), justify="right" if numeric else "left",
                     width=widths[i] if widths else None, overflow="ellipsis" if widths is not None else "fold")
    for cells in body:
        t.add_row(*cells)
    out.print(t)


LINES = 3   # a cell wraps over at most this many lines when the table is squeezed (if it can)
FOLD = 6    # a word of a script written without spaces (Thai, Chinese) folds, into pieces this wide at least


def fit(columns: list[tuple[str, list[str]]], room: int, lines: int = LINES) -> list[int] | None:
    """Widths for columns of text (each a header and its cells) that fit ``room`` terminal
    columns; ``[]`` when they fit as they are, None when they cannot.

    Room is taken from the widest columns first, and no column gets narrower than its longest
    word or than it takes to wrap each of its cells over ``lines`` lines (0: any number):
    cells wrap between words, and no header or number is cut to "…". A header's words in
    Thai or Chinese, which are written without spaces, may fold.
    (rich's own squeeze takes the widest columns down to one width, whatever they hold, and
    cuts what no longer fits.)"""
    from rich.cells import cell_len

    widest = [max((cell_len(line) for text in [header, *cells] for line in text.split("\n")), default=0)
              for header, cells in columns]
    if sum(widest) <= room:
        return []
    least = [max([_narrowest(header, lines, fold=True)] + [_narrowest(c, lines) for c in set(cells)])
             for header, cells in columns]
    if sum(least) > room:
        return None
    widths = list(widest)
    while sum(widths) > room:
        # the widest columns that can still give, down to the next width or what is missing
        top = max(w for w, m in zip(widths, least, strict=True) if w > m)
        tops = [i for i, (w, m) in enumerate(zip(widths, least, strict=True)) if w == top and w > m]
        floor = max([w for w, m in zip(widths, least, strict=True) if m < w < top] + [max(least[i] for i in tops)])
        step = max(1, min(top - floor, -(-(sum(widths) - room) // len(tops))))
        for i in tops:
            widths[i] = max(least[i], widths[i] - step)
    return widths


def _narrowest(text: str, lines: int = LINES, fold: bool = False) -> int:
    """The least width that wraps ``text`` over at most ``lines`` lines (per line it has;
    0: any number), between words; with ``fold``, a word of a script written without spaces
    may also break between its letters, into pieces at least ``FOLD`` wide."""
    from rich.cells import cell_len

    # (width, glued): a piece glued to the one before it takes no space between them
    tokens: list[tuple[int, bool]] = []
    least = 0
    for word in text.split():
        if fold and any("\u0e00" <= ch <= "\u0e7f" or cell_len(ch) == 2 for ch in word):   # Thai, CJK
            letters = _letters(word)
            tokens += [(cell_len(p), i > 0) for i, p in enumerate(letters)]
            least = max(least, min(FOLD, cell_len(word)))
        else:
            tokens.append((cell_len(word), False))
            least = max(least, cell_len(word))
    if not tokens or not lines:
        return least
    most = lines * (text.count("\n") + 1)
    total = sum(w for w, _ in tokens) + len(tokens)
    for width in range(least, total + 1):
        used, count = 0, 1
        for w, glued in tokens:
            need = w + (0 if glued or not used else 1)
            if used + need > width:
                count, used = count + 1, w
            else:
                used += need
        if count <= most:
            return width
    return total


def _letters(word: str) -> list[str]:
    """A word's letters, each with the combining marks (Thai vowels and tones) written on it."""
    from rich.cells import cell_len

    out: list[str] = []
    for ch in word:
        if out and cell_len(ch) == 0:
            out[-1] += ch
        else:
            out.append(ch)
    return out
