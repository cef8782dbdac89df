"""`telekpi demo`: generate a realistic centre, load it, and print what a manager sees first."""

from __future__ import annotations

import time
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from telekpi.cli.output import human, metric_labels, print_table, show_names
from telekpi.cli.query_cmds import print_funnel, remainder_rows
from telekpi.cli.root import app, db_path
from telekpi.engine.request import Request
from telekpi.errors import UsageError
from telekpi.i18n import _, translate
from telekpi.i18n.words import band_text
from telekpi.settings import CONFIG_FILE
from telekpi.units import set_currency

if TYPE_CHECKING:
    from telekpi.engine.engine import Engine
    from telekpi.workspace import Workspace

HEADLINE = ("calls", "connection_rate", "aht", "abandonment_rate", "drop_rate",
            "call_conversion_rate", "leads", "speed_to_lead", "speed_to_lead_5m_rate",
            "overcontacted_leads", "revenue", "orders", "aov", "cost", "profit", "pnl_ratio",
            "cost_benefit_ratio", "csat", "occupancy")
AGENT_KPIS = ("calls", "connection_rate", "aht", "call_conversion_rate", "revenue", "csat")
DEMO_TOML = """# Workspace settings written by `telekpi demo`; see docs/settings.md.
timezone = "Asia/Ho_Chi_Minh"
currency = "VND"
locale = "en"      # en, vi, th, zh_Hans, zh_Hant (or --lang on any command)
min_sample = 30
"""


class Size(str, Enum):
    small = "small"
    medium = "medium"
    large = "large"


def _fresh_workspace(path: Path, force: bool = False) -> Workspace:
    """The workspace with a new warehouse file. One already there is replaced only if it holds
    nothing but a demo's data (no import ever wrote to it), or with ``force``."""
    from telekpi.workspace import Workspace

    if path.exists():
        if not force:
            with Workspace.open(path) as old:
                demo = old.warehouse.only_demo()
            if not demo:
                raise UsageError(_("{path} holds data the demo did not generate; run the demo elsewhere "
                                   "with --out DIR, or replace that data with --force").format(path=path))
        path.unlink()
        Path(str(path) + ".wal").unlink(missing_ok=True)
    ws = Workspace(path)
    ws.warehouse.mark_demo()
    return ws


@app.command("demo")
def demo_cmd(
    ctx: typer.Context,
    seed: int = typer.Option(42, "--seed", help="Random seed; the same seed gives the same centre."),
    size: Size = typer.Option(Size.small, "--size", help="small (~60k calls), medium (~1M), large (~10M)."),
    out: Path = typer.Option(None, "--out", help="Workspace folder for the demo warehouse "
                             "[default: the --db file's folder]."),
    force: bool = typer.Option(False, "--force", help="Replace the warehouse even if it holds data "
                               "the demo did not generate (imported files, rows, logs)."),
) -> None:
    """Generate a realistic sample centre, load it, and print the headline KPIs, funnel and agents."""
    path = (out / "telekpi.duckdb") if out else db_path(ctx)
    workspace = path.resolve().parent
    workspace.mkdir(parents=True, exist_ok=True)
    if not (workspace / CONFIG_FILE).exists():
        (workspace / CONFIG_FILE).write_text(DEMO_TOML, encoding="utf-8")
    copy_example_templates(workspace)
    copy_example_templates(workspace, "telekpi.qa", "qa-forms")   # the QA forms the demo's calls are scored on
    t0 = time.perf_counter()
    ws = _fresh_workspace(path, force)
    settings = ws.settings
    set_currency(settings.currency)   # the demo's own workspace, not --db's
    counts = ws.generate_demo(seed=seed, size=size.value)
    generated = {
        "small": _("Generated a small centre (seed {seed}) into {path} in {seconds} s: {counts}"),
        "medium": _("Generated a medium centre (seed {seed}) into {path} in {seconds} s: {counts}"),
        "large": _("Generated a large centre (seed {seed}) into {path} in {seconds} s: {counts}"),
    }[size.value]
    typer.echo(generated.format(seed=seed, path=path, seconds=f"{time.perf_counter() - t0:.1f}",
                                counts=", ".join(f"{n:,} {t}" for t, n in counts.items())))
    engine = ws.engine()
    summary(engine, settings)
    from telekpi.reports.build import build_report
    from telekpi.reports.write import write_report

    report = write_report(build_report(engine), workspace / "report.html")
    typer.echo("\n" + _("The manager's report: {path} (telekpi report -o FILE.xlsx|.pdf for the others)").format(
        path=report))
    typer.echo("\n" + _("Next: {first}\n      {second}").format(
        first=f"telekpi --db {path} kpi call_conversion_rate --by team --period month",
        second=f"telekpi --db {path} scorecard {workspace / 'scorecards' / 'in-house-sales.yaml'}"))


def first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def copy_example_templates(workspace: Path, package: str = "telekpi.targets", into: str = "scorecards") -> None:
    """The shipped KPI templates (or QA forms), into the workspace's scorecards/ (qa-forms/)
    folder (kept if edited)."""
    from importlib import resources

    folder = workspace / into
    folder.mkdir(exist_ok=True)
    for f in resources.files(package).joinpath("examples").iterdir():
        if f.name.endswith(".yaml") and not (folder / f.name).exists():
            (folder / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")


def summary(engine: Engine, settings) -> None:
    from telekpi.analysis.funnel import summary
    from telekpi.analysis.ranking import rank

    cat = engine.catalog.metrics
    head = engine.query(Request(HEADLINE)).rows[0]
    rows = []
    for mid in HEADLINE:
        band = cat[mid].band(head[mid])
        rows.append({"metric": translate(cat[mid].name), "id": mid, "value": head[mid],
                     "band": band_text(band) if band else "", "unit": cat[mid].unit})
    typer.echo("")
    print_table(["metric", "id", "value", "band"],
                [{**r, "value": human(r["value"], r["unit"])} for r in rows], {},
                title=_("Headline KPIs") + f" ({settings.currency}, {settings.timezone})",
                labels={"metric": _("KPI"), "value": _("Value"), "band": _("Band")})
    conv = [r for r in engine.query(Request(("calls", "call_conversion_rate"),
                                            by=("industry",))).rows
            if r["industry"] is not None]   # calls outside any campaign: inbound care
    for r in conv:
        band = cat["call_conversion_rate"].band(r["call_conversion_rate"], r["industry"])
        r["band"] = band_text(band) if band else _("no band for this industry")
    columns = ["industry", "calls", "call_conversion_rate", "band"]
    print_table(columns, conv, {"calls": "count", "call_conversion_rate": "rate"},
                title=_("Call conversion by industry, against each industry's bands"),
                labels={**metric_labels(engine.catalog, columns), "band": _("Band")})
    typer.echo("")
    from telekpi.engine.lookup import Lookup
    from telekpi.engine.names import Names

    names = Names(Lookup(engine))   # agents and teams by name: "Hà Nội Sales", not T1
    data = summary(engine, Request(()), names=names)
    print_funnel(data, Request(()), data["headline"])
    for g in data["breakdown"]["groups"]:
        if g["team"] is not None:   # a team that works no leads (inbound care) has no funnel
            typer.echo("  " + _("team {team}: {message}").format(team=names.of("team", g["team"]),
                                                                  message=g["bottleneck"]["message"]))
    sites = remainder_rows(engine.query(Request(AGENT_KPIS + ("cost", "profit"), by=("site",))))
    typer.echo("")
    columns = ["site"] + list(AGENT_KPIS) + ["cost", "profit"]
    print_table(columns, sites, {m: cat[m].unit for m in AGENT_KPIS + ("cost", "profit")},
                title=_("In-house and outsourced"), labels=metric_labels(engine.catalog, columns))
    # Like with like: agents are ranked only among agents of their kind of work (that of the
    # campaigns most of their calls are on), and only on the KPIs that apply to it.
    from telekpi.catalog.applies import applicable, like_with_like
    from telekpi.i18n.words import KINDS, word

    kinds = Lookup(engine).kinds("agent")
    agents = [a for a in engine.query(Request(AGENT_KPIS, by=("agent",))).rows if a["agent"] is not None]
    present = [k for k in KINDS if any(kinds.get(a["agent"]) == k for a in agents)]
    typer.echo("\n" + like_with_like(engine.catalog, AGENT_KPIS, present))
    for kind in present:
        shown = applicable(engine.catalog, AGENT_KPIS, kind)
        key = next(m for m in ("call_conversion_rate", "csat", "aht") if m in shown)
        ranking = rank([a for a in agents if kinds.get(a["agent"]) == kind], key,
                       cat[key].better, sample="calls", min_sample=settings.min_sample)
        units = {m: cat[m].unit for m in shown}
        labels = metric_labels(engine.catalog, ["agent"] + shown)
        what = {"kind": word(KINDS, kind), "metric": translate(cat[key].name)}
        typer.echo("")
        if len(ranking.ranked) > 5:
            print_table(["agent"] + shown, show_names(names, ranking.ranked[:5], ["agent"]), units,
                        title=_("Best {kind} agents by {metric}").format(**what),
                        labels=labels)
            print_table(["agent"] + shown, show_names(names, ranking.ranked[-5:][::-1], ["agent"]), units,
                        title=_("Worst {kind} agents by {metric}").format(**what),
                        labels=labels)
        elif ranking.ranked:
            print_table(["agent"] + shown, show_names(names, ranking.ranked, ["agent"]), units,
                        title=first_upper(_("{kind} agents by {metric}").format(**what)),
                        labels=labels)
        if ranking.too_few:
            typer.echo(_("Too few to judge (< {n} calls, not ranked): ").format(n=settings.min_sample)
                       + ", ".join(_("{agent} ({n} calls)").format(agent=names.of("agent", a["agent"]), n=a["calls"])
                                   for a in ranking.too_few))
