"""`telekpi scorecard TEMPLATE.yaml`: actual, target and attainment per item, the weighted
score, the tier and the reward, per agent, team and vendor."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from telekpi.cli.output import human, metric_labels, names_for, print_csv, print_json, print_table, show_names
from telekpi.cli.query_cmds import (
    ClickHouseUrlOpt,
    EngineName,
    EngineOpt,
    Fmt,
    FmtOpt,
    IdsOpt,
    LakeOpt,
    SparkConfOpt,
    SparkMasterOpt,
    open_engine,
)
from telekpi.cli.root import app
from telekpi.i18n import _, translate
from telekpi.model.tables import NAMED


class Level(str, Enum):
    agent = "agent"
    team = "team"
    vendor = "vendor"


def flat(row: dict, key: str) -> dict:
    """One table row: each item as 'actual / target (attainment %)'. Someone with too few calls
    to judge gets no tier; the table's note says why."""
    out = {key: row[key], "calls": row["calls"]}
    for k in ("team", "level"):
        if k in row and key == "agent":
            out[k] = row[k]
    for i in row["items"]:
        att = i["target_attainment"]
        if not i.get("applies", True):   # not this agent's kind of work: shown, not judged
            out[i["metric"]] = _("{actual} (not judged)").format(actual=human(i["actual"], i["unit"]))
            continue
        out[i["metric"]] = (f"{human(i['actual'], i['unit'])} / {human(i['target'], i['unit'])}"
                            + ("" if att is None else f" ({human(att, 'attainment')})"))
    out["score"] = None if row["score"] is None else human(row["score"], "attainment")
    out["tier"] = row.get("tier") or "—"
    out["reward"] = row.get("reward")
    return out


@app.command("scorecard")
def scorecard_cmd(
    ctx: typer.Context,
    template: Path = typer.Argument(..., help="KPI template (YAML): goal, period, items, targets, reward."),
    by: Level = typer.Option(Level.agent, "--by", help="Score agents, teams or vendors."),
    as_of: str = typer.Option(None, "--as-of", help="Review the period so far, to this day "
                              "(YYYY-MM-DD): targets of counts and money are pro-rated."),
    fmt: Fmt = FmtOpt, ids: bool = IdsOpt,
    engine_name: EngineName = EngineOpt, lake: str = LakeOpt, spark_master: str = SparkMasterOpt,
    spark_conf: list[str] = SparkConfOpt, clickhouse_url: str = ClickHouseUrlOpt,
) -> None:
    """Score agents (and teams, vendors) against a KPI template: attainment, score, tier, reward."""
    from telekpi.cli.query_cmds import date_option
    from telekpi.targets.scorecard import scorecard
    from telekpi.targets.template import load_template

    engine = open_engine(ctx, engine_name, lake, spark_master, spark_conf, clickhouse_url)
    try:
        t = load_template(template, engine.catalog)
        data = scorecard(engine, t, date_option(as_of, "--as-of"))
    finally:
        engine.close()
    if fmt == Fmt.json:
        print_json(data)
        return
    rows = data[{"agent": "agents", "team": "teams", "vendor": "vendors"}[by.value]]
    key = by.value
    table = [flat(r, key) for r in rows]
    items = [i.metric for i in t.items]
    columns = [key] + (["team", "level"] if key == "agent" else []) + ["calls"] + items + [
        "score", "tier", "reward"]
    names = names_for(engine)
    if fmt == Fmt.csv:   # the ids stay; names beside them
        out = []
        for r in rows:
            d = {key: r[key], f"{key}_name": names.of(key, r[key]) if key in NAMED else None,
                 "calls": r["calls"], "score": r["score"], "tier": r.get("tier"), "reward": r.get("reward")}
            if key == "agent":
                d.update(team=r["team"], level=r["level"])
            for i in r["items"]:
                d[i["metric"]] = i["actual"]
                d[f"{i['metric']}_target"] = i["target"]
                d[f"{i['metric']}_attainment"] = i["target_attainment"]
            out.append(d)
        extra = [f"{m}{s}" for m in items for s in ("", "_target", "_attainment")]
        print_csv([key] + ([f"{key}_name"] if key in NAMED else [])
                  + (["team", "level"] if key == "agent" else []) + ["calls"] + extra
                  + ["score", "tier", "reward"], out)
        return
    cadence = translate(t.cadence.replace("_", " "))   # marked in telekpi.i18n.words.CADENCES
    typer.echo(f"{t.name} — {t.goal}\n"
               + _("{start} – {end}, reviewed {cadence}").format(start=t.start, end=t.end, cadence=cadence)
               + (_(", supervisor {name}").format(name=t.supervisor) if t.supervisor else "")
               + ("\n" + _("So far: to {day} ({share} of the period)").format(
                   day=data["as_of"], share=f"{data['elapsed']:.0%}") if data["elapsed"] < 1 else "")
               + (_("; next review {day}").format(day=data["next_review"]) if data["next_review"] else ""))
    title = {"agent": _("Scorecard by agent (actual / target (attainment))"),
             "team": _("Scorecard by team (actual / target (attainment))"),
             "vendor": _("Scorecard by vendor (actual / target (attainment))")}[key]
    labels = metric_labels(engine.catalog, columns, ids)
    labels.update(level=_("Level"), calls=_("Calls"), score=_("Score"), tier=_("Tier"), reward=_("Reward"))
    table = show_names(names, table, [key, "team"], ids)
    print_table(columns, table, {"calls": "count", "reward": "money"}, title=title, labels=labels)
    few = [r for r in rows if r.get("note")]
    if few:
        typer.echo(_("Too few to judge (< {n} calls, no tier or reward): ").format(n=engine.settings.min_sample)
                   + ", ".join(_("{agent} ({n} calls)").format(
                       agent=r[key] if ids else names.of(key, r[key]), n=r["calls"]) for r in few))
    if data["compared"]:   # items left out of some scores, and why
        typer.echo(data["compared"])
