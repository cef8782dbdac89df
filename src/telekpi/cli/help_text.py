"""``--help`` in the language in use: every command's and option's help text.

Typer takes help from docstrings and ``help=`` when the commands are declared, in
English; those English texts are the msgids. The catalog's extraction walks the same
Click tree (``texts``), so a help text without a translation fails the catalog test
like any other message. At run time the live tree is translated in place
(``translate_tree``) once the language is known, before Click writes any help.

A help text that lists what grows as telekpi does (the canonical tables) says ``{tables}``
and is filled after translation, so a new table is not a new message in five languages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from telekpi.i18n import translate
from telekpi.model.tables import TABLES

ORIGINAL = "_telekpi_msgid"


def _objects(cmd: Any) -> Iterator[Any]:
    """A command, its options and arguments, then its subcommands' (Typer's own Click)."""
    yield cmd
    yield from (p for p in cmd.params if getattr(p, "help", None))
    for sub in (getattr(cmd, "commands", None) or {}).values():
        yield from _objects(sub)


def texts(cmd: Any) -> Iterator[str]:
    """The English help texts of ``cmd``, its options and its subcommands."""
    for obj in _objects(cmd):
        text = getattr(obj, ORIGINAL, None) or getattr(obj, "help", None)
        if text:
            yield text


def translate_tree(cmd: Any) -> None:
    """Put the help texts of the whole tree into the language in use (again if it changed)."""
    for obj in _objects(cmd):
        original = getattr(obj, ORIGINAL, None)
        if original is None:
            original = getattr(obj, "help", None)
            if not original:
                continue
            setattr(obj, ORIGINAL, original)
        obj.help = fill(translate(original))


def fill(text: str) -> str:
    """A help text with its lists filled in (the same in every language: they are names)."""
    return text.replace("{tables}", ", ".join(TABLES))
