"""Long lists on the dashboard's pages, a page at a time: ``?page=2`` (a page's own parameter
where it shows two lists, ``?stop_page=2``), read by the engine with LIMIT/OFFSET and the
whole list's size (``Lookup`` returns a ``Slice``), shown as "101–200 of 2,345" with links to
the pages before and after that keep every other filter (``page_query``)."""

from __future__ import annotations

from urllib.parse import urlencode

from jinja2 import pass_context

from telekpi.errors import UsageError
from telekpi.i18n import _

PAGE_SIZE = 100
MAX_PAGE = 1_000_000
MAX_OFFSET = 10**12   # the API's ``offset``: past any list, within the engine's 64-bit OFFSET


def page_number(params, name: str = "page") -> int:
    """The page asked for (1 when none), a whole number from 1."""
    raw = (params.get(name) or "").strip()
    if not raw:
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise UsageError(_("{name} {value} is not a page number; expected a whole number from 1").format(
            name=name, value=repr(raw[:40])))
    return int(raw)


def offset_of(params, name: str = "page", size: int = PAGE_SIZE) -> int:
    return (page_number(params, name) - 1) * size


@pass_context
def page_query(ctx, name: str, number: int) -> str:
    """This page's query string with page ``name`` set to ``number`` (the first page: none)."""
    request = ctx.get("request")
    pairs = [(k, v) for k, v in (request.query_params.multi_items() if request else []) if k != name]
    return urlencode(pairs + ([(name, str(number))] if number > 1 else []))
