"""`telekpi mapping suggest`: a first mapping file for an export, every guess explained."""

from __future__ import annotations

from pathlib import Path

import typer

from telekpi.cli.root import app
from telekpi.errors import UsageError
from telekpi.i18n import _
from telekpi.model.tables import TABLES

mapping_app = typer.Typer(help="Mapping files (docs/import.md): propose one for an export.",
                          no_args_is_help=True)
app.add_typer(mapping_app, name="mapping")


@mapping_app.command("suggest")
def suggest_cmd(
    file: Path = typer.Argument(..., help="The export: CSV, Parquet or a workbook."),
    table: str = typer.Option(None, "--table", help="Canonical table to map onto: {tables} "
                              "[default: guessed from the columns]."),
    output: Path = typer.Option(None, "--output", "-o", help="Write the mapping to this file "
                                "[default: print it]."),
    encoding: str = typer.Option(None, "--encoding", help="Text encoding of a CSV file "
                                 "[default: UTF-8, else guessed]."),
    force: bool = typer.Option(False, "--force", help="Overwrite the --output file if it exists."),
) -> None:
    """Propose a mapping for FILE from its header and sample values: columns, time format,
    duration unit and status codes, with a comment on each guess and TODO lines for what is missing."""
    from telekpi.ingest.suggest import suggest

    if table is not None and table not in TABLES:
        raise UsageError(_("unknown table {table}; expected one of: {tables}").format(
            table=repr(table), tables=", ".join(TABLES)))
    if output is not None and output.exists() and not force:
        raise UsageError(_("{path} exists; pass --force to overwrite it").format(path=output))
    s = suggest(file, table, encoding)
    text = s.yaml(file.name)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        raise UsageError(_("cannot write {path} ({error})").format(path=output, error=e.strerror or e)) from None
    todo = list(s.missing) + [g.target for g in s.guesses if g.todo]
    text = (_("wrote {path}: {n} column(s) of {table} mapped; check the TODO lines for {todo}; then: {command}")
            if todo else _("wrote {path}: {n} column(s) of {table} mapped; then: {command}"))
    typer.echo(text.format(path=output, n=len(s.guesses), table=s.table, todo=", ".join(todo),
                           command=f"telekpi import {s.table} {file} --mapping {output}"))
