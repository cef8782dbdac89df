"""`telekpi rollups`: the daily rollups the engine reads instead of the rows, and their state."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from telekpi.catalog.loader import load_catalog
from telekpi.cli.output import print_table
from telekpi.cli.root import app, db_path
from telekpi.engine.rollups import refresh, rollup_lake, status
from telekpi.engine.rollups.upkeep import RollupUpkeep
from telekpi.i18n import _
from telekpi.settings import load_settings
from telekpi.store.warehouse import Warehouse


def update_rollups(wh: Warehouse, upkeep: RollupUpkeep | None = None) -> None:
    """After an import: fold in what it logged (``upkeep``'s catalog and settings, else the
    workspace's) and rebuild the rollups it made stale, and say so."""
    t0 = time.perf_counter()
    catalog, settings = ((upkeep.catalog, upkeep.settings) if upkeep else
                         (load_catalog(wh.workspace), load_settings(wh.workspace)))
    done = refresh(wh.con, catalog, settings)
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
        from telekpi.store.lake import lake_workspace, read_manifest

        read_manifest(lake)
        workspace = lake_workspace(lake)
        entries = rollup_lake(lake, load_catalog(workspace), load_settings(workspace))
        rows = [{"model": m, "rows": e["rows"], "seconds": e["seconds"], "state": _("current")}
                for m, e in entries.items()]
    else:
        with Warehouse(db_path(ctx)) as wh:
            catalog, settings = load_catalog(wh.workspace), load_settings(wh.workspace)
            refresh(wh.con, catalog, settings, force=rebuild)
            rows = [{**r, "state": _("current") if r["current"] else _("stale")}
                    for r in status(wh.con, catalog, settings)]
    print_table(["model", "rows", "seconds", "state"], rows, {"rows": "count", "seconds": "number"},
                title=_("Daily rollups"),
                labels={"model": _("Model"), "rows": _("Rows"), "seconds": _("Build time (s)"),
                        "state": _("State")})
