"""The Typer app every command adds itself to, and its global options (--db, --lang).

Start-up: every command module is imported to build the command tree (``app.py``),
for `telekpi --help` and for every command run, so a command module imports at its top
only what declaring its commands needs: typer, the standard library, ``telekpi.cli``,
``telekpi.i18n``, ``telekpi.errors`` and plain declarations (``model.tables``,
``engine.request``, ``settings``). What a command works with (the workspace, engine,
analysis, ingest, reports, and DuckDB, Arrow, sqlglot, Babel, rich, PyYAML, FastAPI
under them) is imported inside the command's function, and a helper's annotations
name those types under ``TYPE_CHECKING``. So `telekpi --help` loads none of them and
`telekpi kpi` only what a query needs; ``tests/cli/test_startup.py`` fails when a
heavy library creeps back into the help path, and ``./dev bench startup`` times it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from telekpi.cli.help_text import translate_tree
from telekpi.errors import TelekpiError, UsageError
from telekpi.i18n import _, set_language
from telekpi.units import set_currency

if TYPE_CHECKING:
    from telekpi.settings import Settings
    from telekpi.workspace import Workspace

app = typer.Typer(
    name="telekpi",
    help="Telesales and call-center KPIs from what the dialer, PBX and CRM already record.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class State:
    """Global options, handed to commands through the Typer context."""

    db: Path = Path("telekpi.duckdb")


@app.callback()
def _global(
    ctx: typer.Context,
    db: Path = typer.Option(
        None, "--db", envvar="TELEKPI_DB", help="Warehouse file [default: ./telekpi.duckdb]."),
    lang: str = typer.Option(
        None, "--lang", envvar="TELEKPI_LANG", help="Language of output: en, vi, th, zh_Hans or zh_Hant "
        "[default: the workspace's locale, else en]."),
) -> None:
    state = State()
    state.db = db or Path("telekpi.duckdb")
    ctx.obj = state
    set_language(output_language(lang, state.db))
    set_currency(workspace_currency(state.db))
    translate_tree(ctx.find_root().command)


def output_language(given: str | None, db: Path) -> str:
    """--lang, else the workspace's ``locale`` setting, else English."""
    from telekpi.i18n import LANGS, normalize

    if given:
        lang = normalize(given)
        if lang is None:
            raise UsageError(_("--lang {given} is not a language telekpi speaks; use one of {langs}").format(
                given=repr(given), langs=", ".join(LANGS)))
        return lang
    settings = workspace_settings(db)
    return settings.locale if settings else "en"   # the command itself reports a broken telekpi.toml


def workspace_currency(db: Path) -> str:
    """The workspace's ``currency`` setting, in which every amount is shown (USD by default)."""
    settings = workspace_settings(db)
    return settings.currency if settings else "USD"   # the command itself reports a broken telekpi.toml


def workspace_settings(db: Path) -> Settings | None:
    """The settings the language and currency are chosen from before a command runs: read once
    per version of telekpi.toml (its size and time), not once per question; None when the file
    is broken, which the command itself then reports."""
    from telekpi.settings import CONFIG_FILE

    folder = db.resolve().parent
    try:
        stat = (folder / CONFIG_FILE).stat()
        version: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        version = None
    return _read_settings(folder, version)


@lru_cache(maxsize=8)
def _read_settings(folder: Path, version: tuple[int, int] | None) -> Settings | None:
    from telekpi.settings import load_settings

    try:
        return load_settings(folder)
    except TelekpiError:
        return None


def db_path(ctx: typer.Context) -> Path:
    return ctx.find_root().obj.db


def open_workspace(ctx: typer.Context, *, read_only: bool = True, memory_limit: str | None = None) -> Workspace:
    """The workspace of --db: the one object a command asks for settings, metrics and data."""
    from telekpi.workspace import Workspace

    return Workspace(db_path(ctx), read_only=read_only, memory_limit=memory_limit)


def fail(message: str, code: int = 2) -> None:
    """Print one clear sentence to stderr and exit."""
    typer.echo(f"telekpi: {message}", err=True)
    raise typer.Exit(code)
