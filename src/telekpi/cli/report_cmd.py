"""`telekpi report`: the manager's report for a period, as HTML, XLSX or PDF."""

from __future__ import annotations

from pathlib import Path

import typer

from telekpi.cli.query_cmds import FromOpt, ToOpt, WhereOpt, date_option, where_option
from telekpi.cli.root import app, open_workspace
from telekpi.i18n import _


@app.command("report")
def report_cmd(
    ctx: typer.Context,
    out: Path = typer.Option(..., "-o", "--out", help="The file to write: .html (one self-contained "
                             "page), .xlsx (Excel) or .pdf (printed by Chromium, Chrome or Edge)."),
    start: str = FromOpt, end: str = ToOpt, where: list[str] = WhereOpt,
    template: Path = typer.Option(None, "--template", help="A KPI template (YAML): adds its scorecard "
                                  "to the agents section."),
    rules: Path = typer.Option(None, "--rules", help="Alert rules (YAML) for the alerts section "
                               "[default: ./alerts.yaml beside the warehouse, else the built-in rules]."),
    title: str = typer.Option(None, "--title", help="The report's title."),
) -> None:
    """Write the manager's report: headline KPIs, funnel, agents and teams, in-house vs outsourced,
    revenue and P&L, CSAT and care, alerts [default period: month to date of the last call]."""
    from telekpi.reports.build import build_report
    from telekpi.reports.write import write_report, writer
    from telekpi.targets.template import load_template

    writer(out)   # a wrong file type fails before any work
    with open_workspace(ctx) as ws:
        engine = ws.engine()
        t = load_template(template, ws.catalog) if template else None
        r = ws.alert_rules(rules)
        report = build_report(engine, date_option(start, "--from"), date_option(end, "--to"), where_option(where),
                              template=t, rules=r, title=title)
    path = write_report(report, out)
    typer.echo(_("Wrote {path} ({start} – {end}).").format(path=path, start=report.start, end=report.end))
