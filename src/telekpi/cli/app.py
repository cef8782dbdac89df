"""The entry point: the commands registered, ``--lang`` found early, and the one place errors
become messages.

A command run registers only the module that declares it (``COMMANDS``); help, a run
with no command and an unknown name register them all, so the root ``--help`` lists
every command and Click's "no such command" names the real ones (cli/root.py says what
a command module may import at its top)."""

from __future__ import annotations

import gc
import importlib
import os
import sys
from itertools import pairwise
from pathlib import Path
from typing import Any

import typer
import typer.main

from telekpi.cli.coercion import convert_without_pydantic
from telekpi.cli.errors import cli_message
from telekpi.cli.help_text import translate_tree
from telekpi.cli.root import app, output_language
from telekpi.errors import TelekpiError
from telekpi.i18n import _, set_language

# The command modules, in the order `telekpi --help` lists their commands, and the module
# that declares each command (a group, such as `mapping`, by its name).
MODULES = ("alerts_cmd", "demo_cmd", "diagnose_cmd", "import_cmd", "lake_cmd", "mapping_cmd",
           "qa_cmd", "query_cmds", "report_cmd", "rollups_cmd", "schedule_cmd", "scorecard_cmd", "serve_cmd",
           "wfm_cmd", "ops_cmd", "recordings_cmd", "roster_cmd")
COMMANDS = {"alerts": "alerts_cmd", "demo": "demo_cmd", "diagnose": "diagnose_cmd",
            "import": "import_cmd", "quarantine": "import_cmd", "export-lake": "lake_cmd",
            "mapping": "mapping_cmd", "metrics": "query_cmds", "kpi": "query_cmds",
            "funnel": "query_cmds", "report": "report_cmd", "rollups": "rollups_cmd",
            "schedule": "schedule_cmd", "scorecard": "scorecard_cmd", "serve": "serve_cmd",
            "user": "serve_cmd", "forecast": "wfm_cmd", "staff": "wfm_cmd",
            "ops": "ops_cmd", "analyse": "recordings_cmd",
            "adherence": "wfm_cmd", "qa": "qa_cmd", "csat-model": "qa_cmd", "transcribe": "qa_cmd",
            "roster": "roster_cmd"}


def register(command: str | None = None) -> None:
    """Import the module of ``command``, else every command module: each adds its commands
    to ``app``."""
    for module in [COMMANDS[command]] if command in COMMANDS else MODULES:
        importlib.import_module(f"telekpi.cli.{module}")


def root_command(argv: list[str] | None = None) -> Any:
    """The CLI's Click tree: with ``argv``, only what running it needs (``command_name``);
    without, every command."""
    register(command_name(argv) if argv is not None else None)
    command = typer.main.get_command(app)
    convert_without_pydantic(command)
    return command


def command_name(argv: list[str]) -> str | None:
    """The command ``argv`` runs, after the global options; None for anything else."""
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--db", "--lang"):
            i += 2
        elif a.startswith(("--db=", "--lang=")):
            i += 1
        else:
            return None if a.startswith("-") else a
    return None


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
    for flag, value in pairwise(argv):
        given = value if flag == "--lang" else given
        db = value if flag == "--db" else db
    given = next((a[7:] for a in argv if a.startswith("--lang=")), given) or os.environ.get("TELEKPI_LANG")
    try:
        set_language(output_language(given, Path(db or os.environ.get("TELEKPI_DB") or "telekpi.duckdb")))
    except TelekpiError:
        set_language("en")


def main(argv: list[str] | None = None) -> int:
    """The `telekpi` command with ``argv`` (by default the process's own) → its exit code."""
    code = run(hoist_lang(list(sys.argv[1:] if argv is None else argv)))
    if argv is None:
        # The process ends with this command: what is left in reference cycles is left to
        # the operating system, not to the interpreter's last garbage collections over every
        # class and function of sqlglot, pydantic and DuckDB (about 70 ms of each command).
        # Nothing written is lost: DuckDB commits each write as it is made (a warehouse left
        # open is reopened from its log, as after any exit), files are closed by the
        # commands, and atexit handlers still run.
        gc.freeze()
    return code


def run(argv: list[str]) -> int:
    from telekpi.units import currency, money_in

    with money_in(currency()):   # the workspace's currency (set by --db) ends with its command
        return _run(argv)


def _run(argv: list[str]) -> int:
    try:
        command = root_command(argv)
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
