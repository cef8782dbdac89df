"""The entry point: every command registered, ``--lang`` found early, and the one place errors
become messages."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer
import typer.main

from telekpi.cli.errors import cli_message
from telekpi.cli.help_text import translate_tree
from telekpi.cli.root import app, output_language
from telekpi.errors import TelekpiError
from telekpi.i18n import _, set_language


def register() -> None:
    """Import every command module: each adds its commands to ``app``."""
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


def root_command() -> Any:
    """The CLI's Click tree, every command registered."""
    register()
    return typer.main.get_command(app)


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
    argv = hoist_lang(list(sys.argv[1:] if argv is None else argv))
    try:
        command = root_command()
        _early_language(argv)
        translate_tree(command)
        command.main(args=argv, prog_name="telekpi", standalone_mode=True)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except TelekpiError as e:
        typer.echo(f"telekpi: {cli_message(e)}", err=True)
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
