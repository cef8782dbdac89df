"""`telekpi metrics`, `kpi` and `funnel`: requests built here, answered by the engine."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING

import typer

from telekpi.cli.output import (
    human,
    metric_labels,
    names_for,
    print_csv,
    print_json,
    print_table,
    show_names,
    with_name_columns,
)
from telekpi.cli.root import app, open_workspace
from telekpi.engine.request import PERIODS, Request, check_day, parse_where
from telekpi.errors import UsageError
from telekpi.i18n import _, ngettext, translate
from telekpi.i18n.words import BETTER, KINDS, UNITS, band_text, dim_name, level_name, remainder_label, stage_name, word

if TYPE_CHECKING:
    from telekpi.engine.engine import Engine


class Fmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


# Typer's choices, from the one list of periods (mypy cannot follow a functional Enum's members)
Period = Enum("Period", {p: p for p in PERIODS}, type=str)  # type: ignore[misc]


def date_option(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise UsageError(_("{name} {value} is not a date; expected YYYY-MM-DD").format(
            name=flag, value=repr(value))) from None
    return check_day(day, flag.lstrip("-").replace("-", "_"))


def where_option(items: list[str]) -> tuple[tuple[str, str], ...]:
    return parse_where(items)


class EngineName(str, Enum):
    duckdb = "duckdb"
    spark = "spark"
    clickhouse = "clickhouse"


EngineOpt = typer.Option(EngineName.duckdb, "--engine", help="Where the query runs: duckdb (the "
                         "warehouse, or --lake), spark or clickhouse (over --lake; see docs/scale-out.md).")
LakeOpt = typer.Option(None, "--lake", help="A Parquet lake written by `telekpi export-lake` "
                       "(a folder, or a path Spark can read such as s3a://bucket/lake).")
SparkMasterOpt = typer.Option(None, "--spark-master", help="Spark master URL [default: Spark's "
                              "configuration, else local[*]].")
SparkConfOpt = typer.Option([], "--spark-conf", help="Spark setting KEY=VALUE (repeatable).")
ClickHouseUrlOpt = typer.Option(None, "--clickhouse-url", envvar="TELEKPI_CLICKHOUSE_URL",
                                help="A ClickHouse server (clickhouse://user:pass@host:8123/db) "
                                "whose database holds the canonical tables [default: embedded chdb over --lake].")


def open_engine(ctx: typer.Context, engine: EngineName = EngineName.duckdb, lake: str | None = None,
                spark_master: str | None = None, spark_conf: list[str] | None = None,
                clickhouse_url: str | None = None) -> Engine:
    """The warehouse engine, or one over a lake on the engine --engine names."""
    ws = open_workspace(ctx)
    if engine == EngineName.duckdb and not lake:
        return ws.engine()
    if lake and "://" not in lake:
        from pathlib import Path

        lake = str(Path(lake).resolve())
    return ws.lake_engine(lake, engine.value, spark_master=spark_master,
                          spark_conf=dict(parse_where(spark_conf or [], "--spark-conf")),
                          clickhouse_url=clickhouse_url)


ByOpt = typer.Option([], "--by", help="Split by a dimension (repeatable): agent, team, site, "
                     "vendor, campaign, industry, product, lead_source, segment, script, direction, "
                     "disposition, status, hour, weekday.")
PeriodOpt = typer.Option(None, "--period", help="Group by day, week (Monday), month, quarter or year.")
FromOpt = typer.Option(None, "--from", help="First day, inclusive (YYYY-MM-DD, workspace timezone).")
ToOpt = typer.Option(None, "--to", help="Last day, inclusive (YYYY-MM-DD, workspace timezone).")
WhereOpt = typer.Option([], "--where", help="Keep only DIM=VALUE (repeatable; same DIM = any of).")
FmtOpt = typer.Option(Fmt.table, "--format", help="Output: table, json or csv.")
IdsOpt = typer.Option(False, "--ids", help="Show metric, agent, team and campaign ids in the table, "
                      "not names (JSON and CSV always keep the ids; CSV adds the names beside them).")


@app.command("metrics")
def metrics_cmd(ctx: typer.Context, fmt: Fmt = FmtOpt) -> None:
    """List the metric catalog: id, name, unit, formula, direction, bands, dimensions, kinds of work."""
    catalog = open_workspace(ctx).catalog
    rows = []
    shown = fmt == Fmt.table
    level = level_name if shown else str
    reasons: dict[str, list[str]] = {}
    for m in catalog.metrics.values():
        bands = "; ".join(f"{level(b.level)} {text}" for b, text in m.band_ranges())
        for ind, bs in m.bands_by_industry.items():
            bands += ("; " if bands else "") + f"{ind}: " + ", ".join(
                f"{level(b.level)} {text}" for b, text in m.band_ranges(bs))
        split = catalog.applies.get(m.id) or _applies(catalog, m.id)   # kept with the catalog
        if split.reason:
            reasons.setdefault(translate(split.reason), []).append(m.id)
        row = {"id": m.id, "name": translate(m.name) if shown else m.name,
               "unit": word(UNITS, m.unit) if shown else m.unit, "type": m.type,
               "formula": translate(m.description) if shown else m.description,
               "better": word(BETTER, m.better) if shown else m.better, "bands": bands or None,
               "dimensions": list(split.dimensions), "not_by": list(split.not_by),
               "reason": split.reason, "kinds": list(m.kinds) or None, "source": str(m.where)}
        if shown:
            row["dimensions"] = split_by_text(split.dimensions, split.missing)
            row["kinds"] = ", ".join(word(KINDS, k) for k in m.kinds) or _("every kind")
        rows.append(row)
    cols = ["id", "name", "unit", "formula", "better", "bands"]
    if fmt == Fmt.json:
        print_json(rows)
    elif fmt == Fmt.csv:
        for r in rows:
            r.update({k: " ".join(r[k] or []) for k in ("dimensions", "not_by", "kinds")})
        print_csv(cols + ["dimensions", "not_by", "reason", "kinds", "type", "source"], rows)
    else:
        print_table(cols + ["dimensions", "kinds"], rows, {},
                    title=ngettext("{n} metric", "{n} metrics", len(rows)).format(n=len(rows)),
                    labels={"name": _("name"), "unit": _("unit"), "formula": _("formula"),
                            "better": _("better"), "bands": _("bands"),
                            "dimensions": _("split by"), "kinds": _("applies to")})
        for reason, ids in reasons.items():   # why "all but …": the events cannot carry it
            typer.echo("— " + ", ".join(ids) + ": " + reason)


def _applies(catalog, metric_id: str):
    from telekpi.catalog.applies import applies

    return applies(catalog, metric_id)


def split_by_text(dims, left) -> str:
    """The dimensions a metric can be split by, shortly: all, all but a few (``left``), or
    the list."""
    if not left:
        return _("all")
    if len(left) < len(dims):
        return _("all but {dimensions}").format(dimensions=", ".join(dim_name(d) for d in left))
    return ", ".join(dim_name(d) for d in dims)


@app.command("kpi")
def kpi_cmd(
    ctx: typer.Context,
    metrics: list[str] = typer.Argument(..., help="Metric ids (see `telekpi metrics`)."),
    by: list[str] = ByOpt, period: Period = PeriodOpt,
    start: str = FromOpt, end: str = ToOpt, where: list[str] = WhereOpt,
    fmt: Fmt = FmtOpt, ids: bool = IdsOpt,
    ci: bool = typer.Option(False, "--ci", help="Add 95 % Wilson intervals to rates."),
    explain: bool = typer.Option(False, "--explain", help="Print the SQL the engine runs (in its "
                                 "dialect), not the numbers."),
    engine_name: EngineName = EngineOpt, lake: str = LakeOpt, spark_master: str = SparkMasterOpt,
    spark_conf: list[str] = SparkConfOpt, clickhouse_url: str = ClickHouseUrlOpt,
) -> None:
    """Compute KPIs, optionally split by dimensions and periods."""
    req = Request(tuple(metrics), tuple(by), period.value if period else None,
                  date_option(start, "--from"), date_option(end, "--to"), where_option(where), ci)
    if explain and engine_name != EngineName.duckdb:
        # Showing the SQL starts no engine: it is planned with the lake's (or workspace's) catalog.
        typer.echo(open_workspace(ctx).planner_only(engine_name.value, lake).explain(req))
        return
    engine = open_engine(ctx, engine_name, lake, spark_master, spark_conf, clickhouse_url)
    try:
        _kpi_out(engine, req, fmt, ci, explain, ids)
    finally:
        engine.close()


def _kpi_out(engine: Engine, req: Request, fmt: Fmt, ci: bool, explain: bool, ids: bool = False) -> None:
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
        print_json(result.to_json(engine.catalog))
        return
    names = names_for(engine)
    if fmt == Fmt.csv:   # the ids stay; a name column beside each
        print_csv(with_name_columns(columns, result.by), names.add_columns(result.rows, result.by))
        for reason in result.reasons(engine.catalog).values():   # the empty cells, said once
            typer.echo(reason, err=True)
        return
    units = {"period": {"day": "date", "week": "date"}.get(req.period, req.period)} if req.period else {}
    shown = [c for c in columns if not c.endswith("_ci_high")]
    for mid in result.metrics:
        units[mid] = engine.catalog.metrics[mid].unit
    for row in result.rows:
        for mid in result.metrics:
            band = engine.catalog.metrics[mid].band(row[mid])
            if band:
                row[f"__note_{mid}"] = band_text(band)
            if f"{mid}_ci_low" in shown:   # one column: "33.1% – 34.8%"
                row[f"{mid}_ci_low"] = (None if row[f"{mid}_ci_low"] is None else
                                        f"{human(row[f'{mid}_ci_low'], units[mid])} – "
                                        f"{human(row[f'{mid}_ci_high'], units[mid])}")
    print_table(shown, show_names(names, remainder_rows(result), result.by, ids), units, notes=True,
                labels=metric_labels(engine.catalog, shown, ids))
    print_not_meaningful(engine, result)


def remainder_rows(result) -> list[dict]:
    """The rows with the row that no value of a dimension carries labelled in words."""
    return [{**r, **{d: remainder_label(d) for d in result.by if r.get(d) is None}}
            for r in result.rows]


def print_not_meaningful(engine: Engine, result) -> None:
    """Why a metric has no value in these rows, one sentence each."""
    for why in result.not_meaningful.values():
        typer.echo(why.text(engine.catalog))


@app.command("funnel")
def funnel_cmd(
    ctx: typer.Context, by: list[str] = ByOpt, period: Period = PeriodOpt,
    start: str = FromOpt, end: str = ToOpt, where: list[str] = WhereOpt, fmt: Fmt = FmtOpt,
    engine_name: EngineName = EngineOpt, lake: str = LakeOpt, spark_master: str = SparkMasterOpt,
    spark_conf: list[str] = SparkConfOpt, clickhouse_url: str = ClickHouseUrlOpt,
) -> None:
    """The lead funnel: stages, drop-off, rates against their bands, and the bottleneck."""
    from telekpi.analysis.funnel import funnel as run_funnel
    from telekpi.analysis.funnel import summary

    req = Request((), tuple(by), period.value if period else None,
                  date_option(start, "--from"), date_option(end, "--to"), where_option(where))
    engine = open_engine(ctx, engine_name, lake, spark_master, spark_conf, clickhouse_url)
    try:   # the whole scope says which teams fall short; a --by or --period is its own breakdown
        data = run_funnel(engine, req) if by or period else summary(engine, req, names=names_for(engine))
    finally:
        engine.close()
    if fmt == Fmt.json:
        print_json(data)
        return
    rows = []
    for g in data["groups"]:
        key = {k: g[k] for k in data["by"] + (["period"] if req.period else [])}
        for s in g["stages"]:
            rows.append({**key, "stage": s["stage"], "leads": s["leads"],
                         "step_rate": s["step_rate"], "dropoff": s["dropoff"],
                         "of_attempted": s["of_attempted"]})
    if fmt == Fmt.csv:
        print_csv(list(rows[0]) if rows else ["stage"], rows)
        return
    print_funnel(data, req, data.get("headline"))


def print_funnel(data: dict, req: Request, headline: str | None = None) -> None:
    """Each group's stages (each rate named by what it is a share of), its banded rates with
    what they divide, and its bottleneck; ``headline`` (the whole scope with its breakdown,
    ``analysis.funnel.headline``) in place of the bottleneck of a funnel without --by."""
    from telekpi.analysis.funnel import verdict

    keys = data["by"] + (["period"] if req.period else [])
    for g in data["groups"]:
        title = _("Lead funnel") + (" — " + ", ".join(
            f"{k}={'—' if g[k] is None else g[k]}" for k in keys) if keys else "")
        rows = [{"stage": stage_name(s["stage"]), "leads": s["leads"], "step": s["step_rate"],
                 "drop-off": s["dropoff"], "of": s["of_attempted"]} for s in g["stages"]]
        print_table(["stage", "leads", "step", "drop-off", "of"], rows,
                    {"leads": "count", "step": "rate", "drop-off": "rate", "of": "rate"}, title=title,
                    labels={"stage": _("Stage"), "leads": _("Leads"), "step": _("% of the stage before"),
                            "drop-off": _("Drop-off"), "of": _("% of leads attempted")})
        rates = [{"rate": translate(r["name"]), "basis": r["basis"], "value": r["value"],
                  "band": (translate(r["label"]) if r["label"] else level_name(r["band"])) if r["band"] else "—",
                  "target": r["target"]} for r in g["rates"]]
        print_table(["rate", "basis", "value", "band", "target"], rates, {"value": "rate", "target": "rate"},
                    labels={"rate": _("Rate"), "basis": _("Formula"), "value": _("Value"),
                            "band": _("Band"), "target": _("Target")})
        typer.echo("  " + (headline if headline and not keys else verdict(g)))
