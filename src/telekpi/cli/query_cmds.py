"""`telekpi metrics`, `kpi` and `funnel`: requests built here, answered by the engine."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import typer

from telekpi.cli.app import app, db_path
from telekpi.cli.output import human, print_csv, print_json, print_table
from telekpi.engine.engine import Engine
from telekpi.engine.funnel import funnel as run_funnel
from telekpi.engine.request import PERIODS, Request, parse_where
from telekpi.errors import UsageError


class Fmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


Period = Enum("Period", {p: p for p in PERIODS}, type=str)


def _date(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise UsageError(f"{flag} {value!r} is not a date; expected YYYY-MM-DD") from None


def _where(items: list[str]) -> tuple[tuple[str, str], ...]:
    return parse_where(items)


def _engine(ctx: typer.Context) -> Engine:
    return Engine.open(db_path(ctx))


ByOpt = typer.Option([], "--by", help="Split by a dimension (repeatable): agent, team, site, "
                     "vendor, campaign, industry, product, lead_source, segment, script, direction, "
                     "disposition, status, hour, weekday.")
PeriodOpt = typer.Option(None, "--period", help="Group by day, week (Monday), month, quarter or year.")
FromOpt = typer.Option(None, "--from", help="First day, inclusive (YYYY-MM-DD, workspace timezone).")
ToOpt = typer.Option(None, "--to", help="Last day, inclusive (YYYY-MM-DD, workspace timezone).")
WhereOpt = typer.Option([], "--where", help="Keep only DIM=VALUE (repeatable; same DIM = any of).")
FmtOpt = typer.Option(Fmt.table, "--format", help="Output: table, json or csv.")


@app.command("metrics")
def metrics_cmd(ctx: typer.Context, fmt: Fmt = FmtOpt) -> None:
    """List the metric catalog: id, name, unit, formula, direction, bands."""
    from telekpi.catalog.loader import load_catalog
    from telekpi.store.warehouse import Warehouse

    db = db_path(ctx)
    catalog = load_catalog(Warehouse(db, read_only=True).workspace if db.exists() else db.resolve().parent)
    rows = []
    for m in catalog.metrics.values():
        bands = "; ".join(f"{b.level} {b.describe()}" for b in m.bands)
        for ind, bs in m.bands_by_industry.items():
            bands += ("; " if bands else "") + f"{ind}: " + ", ".join(f"{b.level} {b.describe()}" for b in bs)
        rows.append({"id": m.id, "name": m.name, "unit": m.unit, "type": m.type,
                     "formula": m.description, "better": m.better, "bands": bands or None,
                     "source": str(m.where)})
    cols = ["id", "name", "unit", "formula", "better", "bands"]
    if fmt == Fmt.json:
        print_json(rows)
    elif fmt == Fmt.csv:
        print_csv(cols + ["type", "source"], rows)
    else:
        print_table(cols, rows, {}, title=f"{len(rows)} metrics")


@app.command("kpi")
def kpi_cmd(
    ctx: typer.Context,
    metrics: list[str] = typer.Argument(..., help="Metric ids (see `telekpi metrics`)."),
    by: list[str] = ByOpt, period: Period = PeriodOpt,
    start: str = FromOpt, end: str = ToOpt, where: list[str] = WhereOpt,
    fmt: Fmt = FmtOpt,
    ci: bool = typer.Option(False, "--ci", help="Add 95 % Wilson intervals to rates."),
    explain: bool = typer.Option(False, "--explain", help="Print the SQL the engine runs, not the numbers."),
) -> None:
    """Compute KPIs, optionally split by dimensions and periods."""
    req = Request(tuple(metrics), tuple(by), period.value if period else None,
                  _date(start, "--from"), _date(end, "--to"), _where(where), ci)
    engine = _engine(ctx)
    if explain:
        typer.echo(engine.explain(req))
        return
    result = engine.query(req)
    columns = list(result.by) + (["period"] if req.period else [])
    for mid in result.metrics:
        columns.append(mid)
        if ci and f"{mid}_ci_low" in (result.rows[0] if result.rows else {}):
            columns += [f"{mid}_ci_low", f"{mid}_ci_high"]
    if fmt == Fmt.json:
        print_json(result.to_json())
        return
    if fmt == Fmt.csv:
        print_csv(columns, result.rows)
        return
    units = {}
    for mid in result.metrics:
        units[mid] = engine.catalog.metrics[mid].unit
        units[f"{mid}_ci_low"] = units[f"{mid}_ci_high"] = units[mid]
    for row in result.rows:
        for mid in result.metrics:
            band = engine.catalog.metrics[mid].band(row[mid])
            if band:
                row[f"__note_{mid}"] = band.label or band.level
    print_table(columns, result.rows, units, notes=True)


@app.command("funnel")
def funnel_cmd(
    ctx: typer.Context, by: list[str] = ByOpt, period: Period = PeriodOpt,
    start: str = FromOpt, end: str = ToOpt, where: list[str] = WhereOpt, fmt: Fmt = FmtOpt,
) -> None:
    """The lead funnel: stages, drop-off, rates against their bands, and the bottleneck."""
    req = Request((), tuple(by), period.value if period else None,
                  _date(start, "--from"), _date(end, "--to"), _where(where))
    engine = _engine(ctx)
    data = run_funnel(engine, req)
    if fmt == Fmt.json:
        print_json(data)
        return
    rows = []
    for g in data["groups"]:
        key = {k: g[k] for k in data["by"] + (["period"] if req.period else [])}
        for s in g["stages"]:
            rows.append({**key, "stage": s["stage"], "leads": s["leads"],
                         "step_rate": s["step_rate"], "dropoff": s["dropoff"]})
    if fmt == Fmt.csv:
        print_csv(list(rows[0]) if rows else ["stage"], rows)
        return
    print_funnel(data, req)


def print_funnel(data: dict, req: Request) -> None:
    keys = data["by"] + (["period"] if req.period else [])
    for g in data["groups"]:
        title = "Lead funnel" + (" — " + ", ".join(f"{k}={g[k]}" for k in keys) if keys else "")
        rows = [{"stage": s["stage"], "leads": s["leads"], "step": s["step_rate"],
                 "drop-off": s["dropoff"]} for s in g["stages"]]
        print_table(["stage", "leads", "step", "drop-off"], rows,
                    {"leads": "count", "step": "rate", "drop-off": "rate"}, title=title)
        for r in g["rates"]:
            target = f", target {r['target']:.0%}" if r["target"] else ""
            typer.echo(f"  {r['metric']:<15} {human(r['value'], 'rate'):>7}  "
                       f"{r['label'] or r['band'] or '—'}{target}")
        b = g["bottleneck"]
        typer.echo(f"  Bottleneck: {b['message']}" if b else "")
