"""`telekpi diagnose`: the funnel's bottleneck and its likely causes, each agent's weakest
KPIs, the best time to call, and script and campaign A/B tests."""

from __future__ import annotations

from pathlib import Path

import typer

from telekpi.cli.output import human, names_for, print_json, print_table
from telekpi.cli.query_cmds import Fmt, FmtOpt, FromOpt, ToOpt, WhereOpt, date_option, where_option
from telekpi.cli.root import app, open_workspace
from telekpi.engine.request import Request
from telekpi.i18n import _, current, translate
from telekpi.i18n.words import KINDS, word
from telekpi.units import formatter


@app.command("diagnose")
def diagnose_cmd(
    ctx: typer.Context, start: str = FromOpt, end: str = ToOpt, where: list[str] = WhereOpt,
    template: Path = typer.Option(None, "--template", help="Judge agents against this KPI "
                                  "template's targets [default: catalog targets, else the centre's level]."),
    fmt: Fmt = FmtOpt,
    stats: bool = typer.Option(False, "--stats", help="Show the statistics behind each finding: "
                               "95 % intervals, z and p of the A/B tests."),
) -> None:
    """Say what to fix: funnel bottleneck, agents' weakest KPIs, best time to call, A/B tests."""
    from telekpi.analysis.diagnose import MATERIAL, diagnose

    engine = open_workspace(ctx).engine()
    tpl = None
    if template:
        from telekpi.targets.template import load_template

        tpl = load_template(template, engine.catalog)
    req = Request((), start=date_option(start, "--from"), end=date_option(end, "--to"), where=where_option(where))
    data = diagnose(engine, req, tpl)
    if fmt != Fmt.table:
        print_json(data)
        return
    names = names_for(engine)   # agents and teams by name: the JSON above keeps the ids
    b = data["funnel"]["bottleneck"]
    none = _("no stage is below its band")
    typer.echo(_("Funnel: {message}").format(message=b["message"] if b else none))
    for t in data["funnel"]["by_team"]:
        typer.echo("  " + _("team {team}: {message}").format(
            team=names.of("team", t["team"]), message=t["bottleneck"]["message"] if t["bottleneck"] else none))
    rows = []
    for a in data["agents"]:
        if a["weakest"]:
            rows.append({"agent": names.of("agent", a["agent"]), "kind": word(KINDS, a["kind"]), "calls": a["calls"],
                         "weakest KPIs": "; ".join(gap_text(g, stats) for g in a["weakest"])})
    fine = [names.of("agent", a["agent"]) for a in data["agents"] if not a["weakest"]]
    if rows:
        print_table(["agent", "kind", "calls", "weakest KPIs"], rows, {"calls": "count"},
                    title=_("Agents clearly below target or their team"),
                    labels={"agent": _("Agent"), "kind": _("Kind of work"), "calls": _("Calls"),
                            "weakest KPIs": _("Weakest KPIs")})
        if fine:
            typer.echo(_("Not clearly below on any KPI: {agents}").format(agents=", ".join(fine)))
    elif data["agents"]:
        typer.echo(_("No agent is clearly below the team.") if template is None
                   else _("No agent is clearly below their targets."))
    if data["agents"]:
        typer.echo(_("(A KPI is named where the gap is at least {share} and unlikely to be chance; "
                     "--stats shows each agent's 95 % interval.)").format(
            share=formatter(current()).percent(MATERIAL, 0)))
        typer.echo(data["agents_compared"])
    top = data["best_time"]["top"]
    typer.echo(_("Best time to call (connection rate, 95 % interval): {slots}").format(slots=", ".join(
        f"{s['day']} {s['hour']:02d}:00 {s['connection_rate']:.0%} ({s['ci_low']:.0%}–{s['ci_high']:.0%})"
        for s in top)) if top else _("Best time to call: too few calls per slot to say"))
    for key in ("abandon_cap", "followups", "qa_items"):
        for sentence in data.get(key, []):
            typer.echo(sentence)
    for line, tests in ((_("Scripts in {group}: {verdict}"), data["scripts"]),
                        (_("Campaigns in {group}: {verdict}"), data["campaigns"])):
        for t in tests:
            typer.echo(line.format(group=t["group"], verdict=t["verdict"]))
            if stats and t.get("statistics"):
                typer.echo("  " + t["statistics"])


def gap_text(g: dict, stats: bool = False) -> str:
    """One weak KPI: actual against target, where the target comes from, how far off (and,
    with ``stats``, the agent's 95 % interval)."""
    text = (_("{kpi} {actual} vs {target} ({source}; {shortfall} over)") if g["better"] == "lower"
            else _("{kpi} {actual} vs {target} ({source}; {shortfall} short)"))
    out = text.format(kpi=translate(g["name"]), actual=human(g["actual"], g["unit"]),
                      target=human(g["target"], g["unit"]), source=g["target_source"],
                      shortfall=formatter(current()).percent(g["shortfall"], 0))
    if stats and g.get("ci_low") is not None:
        out += " " + _("[95 % interval {low} – {high}]").format(
            low=human(g["ci_low"], g["unit"]), high=human(g["ci_high"], g["unit"]))
    return out
