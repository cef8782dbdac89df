"""The Typer app, its global options, and the one place errors become messages."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from telekpi.cli.help_text import root_command, translate_tree
from telekpi.errors import TelekpiError, UsageError
from telekpi.i18n import _, set_language

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
    from telekpi.settings import load_settings

    try:
        return load_settings(db.resolve().parent).locale
    except TelekpiError:
        return "en"   # the command itself reports a broken telekpi.toml


def db_path(ctx: typer.Context) -> Path:
    return ctx.find_root().obj.db


def fail(message: str, code: int = 2) -> None:
    """Print one clear sentence to stderr and exit."""
    typer.echo(f"telekpi: {message}", err=True)
    raise typer.Exit(code)


def _register() -> None:
    from telekpi.cli import (  # noqa: F401 - they add commands to app
        alerts_cmd,
        demo_cmd,
        diagnose_cmd,
        import_cmd,
        lake_cmd,
        mapping_cmd,
        query_cmds,
        report_cmd,
        rollups_cmd,
        schedule_cmd,
        scorecard_cmd,
        serve_cmd,
    )


def hoist_lang(argv: list[str]) -> list[str]:
    """--lang is global, but people write it after the command too: move it to the front."""
    out, front, i = [], [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            out += argv[i:]
            break
        if a == "--lang" and i + 1 < len(argv):
            front += argv[i:i + 2]
            i += 2
            continue
        if a.startswith("--lang="):
            front.append(a)
        else:
            out.append(a)
        i += 1
    return front + out


def _early_language(argv: list[str]) -> None:
    """The language for a ``--help`` that Click writes before the global options are
    handled: as ``_global`` will choose it; a bad --lang is reported there, not here."""
    given = db = None
    for flag, value in zip(argv, argv[1:]):
        given = value if flag == "--lang" else given
        db = value if flag == "--db" else db
    given = next((a[7:] for a in argv if a.startswith("--lang=")), given) or os.environ.get("TELEKPI_LANG")
    try:
        set_language(output_language(given, Path(db or os.environ.get("TELEKPI_DB") or "telekpi.duckdb")))
    except TelekpiError:
        set_language("en")


def main(argv: list[str] | None = None) -> int:
    _register()
    argv = hoist_lang(list(sys.argv[1:] if argv is None else argv))
    try:
        command = root_command()
        _early_language(argv)
        translate_tree(command)
        command.main(args=argv, prog_name="telekpi", standalone_mode=True)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except TelekpiError as e:
        typer.echo(f"telekpi: {e.user_message()}", err=True)
        return e.exit_code
    except KeyboardInterrupt:
        typer.echo("telekpi: " + _("interrupted; nothing of the unfinished file was kept"), err=True)
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except Exception as e:  # the last edge: never a traceback unless asked
        if os.environ.get("TELEKPI_DEBUG"):
            raise
        typer.echo("telekpi: " + _("internal error: {error} (set TELEKPI_DEBUG=1 for the traceback)").format(
            error=f"{type(e).__name__}: {e}"), err=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
