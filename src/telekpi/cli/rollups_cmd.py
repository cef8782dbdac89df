"""`telekpi rollups`: the daily rollups the engine reads instead of the rows, and their state."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from telekpi.cli.output import print_table
from telekpi.cli.root import app, open_workspace
from telekpi.i18n import _

if TYPE_CHECKING:
    from telekpi.workspace import Workspace


def update_rollups(ws: Workspace) -> None:
    """After an import: fold in what it logged and rebuild the rollups it made stale, and say so."""
    t0 = time.perf_counter()
    done = ws.refresh_rollups()
    if done:
        typer.echo(_("daily rollups brought up to date in {seconds} s ({models})").format(
            seconds=f"{time.perf_counter() - t0:.1f}", models=", ".join(d["model"] for d in done)))


@app.command("rollups")
def rollups_cmd(
    ctx: typer.Context,
    rebuild: bool = typer.Option(False, "--rebuild", help="Build every rollup again, even a current one."),
    lake: Path = typer.Option(None, "--lake", help="Compute the rollups of this Parquet lake (one "
                              "written by other tools, or before it had them) and record them in it."),
) -> None:
    """Show the daily rollups (per day, agent, campaign …: every count and sum of a model) that
    answer KPIs without reading every row, and bring them up to date. `telekpi import` and
    the server keep them current themselves."""
    if lake is not None:
        from telekpi.engine.rollups import rollup_lake
        from telekpi.store.lake import lake_workspace, read_manifest
        from telekpi.workspace import Workspace

        read_manifest(lake)
        of_lake = Workspace(lake_workspace(lake) / "telekpi.duckdb")   # its settings and metrics
        entries = rollup_lake(lake, of_lake.catalog, of_lake.settings)
        rows = [{"model": m, "rows": e["rows"], "seconds": e["seconds"], "state": _("current")}
                for m, e in entries.items()]
    else:
        with open_workspace(ctx, read_only=False) as ws:
            ws.refresh_rollups(force=rebuild)
            rows = [{**r, "state": _("current") if r["current"] else _("stale")}
                    for r in ws.rollup_status()]
    print_table(["model", "rows", "seconds", "state"], rows, {"rows": "count", "seconds": "number"},
                title=_("Daily rollups"),
                labels={"model": _("Model"), "rows": _("Rows"), "seconds": _("Build time (s)"),
                        "state": _("State")})
