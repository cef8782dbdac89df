"""Regenerate docs/cli.md (--help), docs/metrics.md (the catalog), docs/tables.md (the tables)
and docs/settings.md (the fields of ``telekpi.settings.Settings``).

    python scripts/gen_docs.py          write the files
    python scripts/gen_docs.py --check  exit 1 if they are stale (the test suite runs this)
"""

from __future__ import annotations

import sys
from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent


def cli_doc() -> str:
    from telekpi.cli.app import app, register

    register()
    runner = CliRunner()
    out = ["# Command-line reference", "",
           "Generated from `--help` by `scripts/gen_docs.py`; do not edit by hand.", ""]
    import typer.main

    def walk(cmd, prefix: str) -> list[str]:
        """Every command under ``cmd``, subgroups' commands too (`user token list`)."""
        out: list[str] = []
        for name in sorted(getattr(cmd, "commands", None) or {}):
            path = f"{prefix} {name}".strip()
            out += [path, *walk(cmd.commands[name], path)]
        return out

    names = [None, *walk(typer.main.get_command(app), "")]
    for name in names:
        args = (name.split() if name else []) + ["--help"]
        text = runner.invoke(app, args, prog_name="telekpi", env={"COLUMNS": "100", "NO_COLOR": "1",
                                                                   "TERM": "dumb"}).output
        out += [f"## telekpi {name}" if name else "## telekpi", "", "```", text.rstrip(), "```", ""]
    return "\n".join(out)


COSTS_DOC = """
## Costs over time, and breakdowns that add up

**A cost is an amount for a period.** A cost covers the days from its `incurred_on` to its
`period_end` (both included); a cost without a `period_end` covers its own day, or, with the
setting `monthly_costs_on_first = true`, its calendar month when it is booked on the 1st.
Each day it covers carries an even share (in 0.0001s of the currency, the first day also
carrying what the division leaves over, so the days add up to the amount exactly). So a
day, a week or part of a month carries its share of a month's salaries, fees and data,
the daily P&L shows no loss on the 1st, and any window covering a whole period gives the
whole amount: a month's totals do not change. The days are workspace days, as for every
other date. `cost_allocation = by_talk_time` shares a team's or campaign's cost day by
day among the agents who talked in that team or campaign in the day's month.

**Breakdowns add up, or say why not.** A cost booked to an agent is attributable to the
agent, their team, site and vendor; to a team, to that team, its site and vendor; to a
campaign, to that campaign, its industry and product; a cost with none of them is the
centre's. What no value of a dimension carries (the campaigns' data and ads by site; the
salaries by campaign; the centre's software by anything) is the last row of a breakdown,
in words: *not attributable to any site*. So `cost`, `profit` and `revenue` by any
dimension add up, row by row with that row, to the total; no cost is dropped. A ratio over
costs (`pnl_ratio`, `cost_benefit_ratio`, `cost_per_sale`, and any workspace metric that
divides by or into a cost) cannot carry that row's cost on the others: by a dimension
where part of the cost in scope is on that row it is **not meaningful** and shows no
number on any row, with one sentence saying how much of the cost is not attributable
(JSON: `not_meaningful`). Where every cost in scope is attributable (salaried agents by
agent; with `cost_allocation = by_talk_time`, teams' and campaigns' costs by agent), it
is shown as usual.
"""


def metrics_doc() -> str:
    from telekpi.catalog.loader import load_catalog
    from telekpi.catalog.models import DIMENSIONS, MODELS

    cat = load_catalog(None)
    out = ["# Metric reference", "",
           "Generated from the built-in catalog (`src/telekpi/catalog/builtin/`) by "
           "`scripts/gen_docs.py`; do not edit by hand. METRICS.md gives the reasoning.", "",
           "**Bands.** One rule for every band, built-in or a workspace's: a band holds "
           "`min ≤ value < max`, its lower edge and not its upper one, so a value on an edge "
           "belongs to the band above it (a CSAT of exactly 80 % is *very good*, a drop rate of "
           "exactly 3 % is *at or above the cap*). An open end has no min or no max; when every "
           "band of a metric has a max, the top one also holds its max (a rate of 100 %). Bands "
           "never overlap (the catalog refuses ones that do). Each range is written the same way "
           "everywhere (`telekpi metrics`, the dashboard, this page), in the metric's unit: "
           "`≥ 80%`, `< 3%`, `≥ 70% and < 80%`. A band is decided on the exact value, not on "
           "the value as rounded for display.", ""]
    section = None
    for m in cat.metrics.values():
        src = Path(m.where.file).stem.split("_", 1)[-1]
        if src != section:
            section = src
            out += [f"## {section.replace('_', ' ').title()}", "",
                    "| id | name | unit | better | definition | bands | kinds of work | no value by |",
                    "|---|---|---|---|---|---|---|---|"]
        bands = "; ".join(f"{b.label or b.level}: {text}" for b, text in m.band_ranges())
        for ind, bs in m.bands_by_industry.items():
            bands += ("; " if bands else "") + f"{ind} " + ", ".join(
                f"{b.level} {text}" for b, text in m.band_ranges(bs))
        split = cat.applies[m.id]
        out.append(f"| `{m.id}` | {m.name} | {m.unit} | {m.better or ''} | "
                   f"{m.description.replace('|', '/')} | {bands} | {', '.join(m.kinds) or 'all'} | "
                   f"{', '.join(split.not_by)} |")
    out += ["", COSTS_DOC.strip()]
    out += ["", "## Dimensions", "",
            "A metric has a value by a dimension that every model it reads carries (below), unless "
            "its events cannot belong to it: the *no value by* column above (abandoned calls reach "
            "no agent, so they belong to no agent, team, site or vendor). Split or filtered by a "
            "dimension it has no value by, a metric is null with the reason, on every surface "
            "(`telekpi kpi`, the API's `not_meaningful`, the dashboard, the reports), never a 0. "
            "`telekpi metrics` lists the dimensions of each metric, and the kinds of work "
            "(campaign kinds) it judges agents on.", "",
            "| dimension | meaning | available on models |", "|---|---|---|"]
    for d, help_ in DIMENSIONS.items():
        models = ", ".join(n for n, mo in MODELS.items() if d in mo.dims)
        out.append(f"| `{d}` | {help_} | {models} |")
    out += ["", "## Models (what measures aggregate over)", ""]
    for n, mo in MODELS.items():
        out.append(f"- `{n}`: {mo.help}; time column `{mo.time.split('.')[-1]}`; columns: "
                   + ", ".join(f"`{c}`" for c in mo.columns))
    return "\n".join(out) + "\n"


def tables_doc() -> str:
    from telekpi.ingest.registry import formats
    from telekpi.model.tables import TABLES

    out = ["# Canonical tables", "",
           "Generated from `src/telekpi/model/tables.py` by `scripts/gen_docs.py`; do not edit by hand.",
           "`telekpi import TABLE FILE` fills one of these; docs/import.md explains mapping files.", "",
           "Types: `timestamp` (a naive time means the workspace timezone), `date`, `seconds` "
           "(a number or a duration such as 0:01:30), `money` (decimal), `double`, `string`.", "",
           "The range column gives the plausible values (docs/import.md, \"Plausibility ranges\"); "
           "a value outside it is quarantined. Names in `code` are settings (docs/settings.md), "
           "shown with their defaults.", ""]
    for t in TABLES.values():
        out += [f"## `{t.name}`", "", (t.help + ". " if t.help else "")
                + f"Natural key: {', '.join(f'`{k}`' for k in t.key)} (a re-import with the same key "
                "updates the row).", "",
                "| column | type | required | allowed values / default | range | notes |",
                "|---|---|---|---|---|---|"]
        for c in t.columns:
            allowed = ", ".join(c.choices) if c.choices else ""
            if c.default is not None:
                allowed += f" (default {c.default})"
            out.append(f"| `{c.name}` | {c.type} | {'yes' if c.required else ''} | {allowed.strip()} "
                       f"| {plausible_range(c)} | {c.help} |")
        out.append("")
    out += ["## Input formats", "", "| format | reads | extensions |", "|---|---|---|"]
    for f in sorted(formats().values(), key=lambda f: f.name):
        out.append(f"| `{f.name}` | {f.help} | {', '.join(f.extensions)} |")
    return "\n".join(out) + "\n"


def plausible_range(c) -> str:
    """A column's plausible values in words (quality/plausible.py), settings with their defaults."""
    from telekpi.model.tables import EARLIEST, LATEST
    from telekpi.settings import Settings

    d = Settings()
    if c.type in ("seconds", "double", "int"):
        low = f"{c.min:g}" if c.min is not None else None
        high = (f"`max_duration_s` ({d.max_duration_s:g})" if c.type == "seconds"
                else f"{c.max:g}" if c.max is not None else None)
        bounds = (f"{low} … {high}" if low and high else f"≥ {low}" if low else f"≤ {high}" if high else "")
        return ("finite, " + bounds) if bounds else "finite"
    if c.type in ("timestamp", "date"):
        offset = "; offset within ±14:00" if c.type == "timestamp" else ""
        return (f"{EARLIEST} … today + `future_horizon_days` ({d.future_horizon_days}), at most "
                f"{LATEST}{offset}")
    if c.type == "string":
        return f"≤ `max_field_chars` ({d.max_field_chars}) characters"
    return ""


def settings_doc() -> str:
    from telekpi.model.dispositions import DEFAULT_MAP, FLAGS
    from telekpi.settings import declared

    out = ["# Workspace settings (`telekpi.toml`)", "",
           "Generated from `src/telekpi/settings.py` by `scripts/gen_docs.py`; do not edit by hand.", "",
           "The workspace is the folder that holds the warehouse file (`--db`, default",
           "`./telekpi.duckdb`). Its optional `telekpi.toml` sets:", "",
           "| setting | type | default | unit | allowed values | meaning |", "|---|---|---|---|---|---|"]
    for s in declared():
        default = (f"{s.default:g}" if isinstance(s.default, float) else
                   str(s.default).lower() if isinstance(s.default, bool) else str(s.default))
        allowed = ", ".join(f"`{c}`" for c in s.choices) if s.choices else \
            "`true`, `false`" if s.type is bool else ""
        kind = {str: "string", int: "integer", float: "number", bool: "boolean"}[s.type]
        out.append(f"| `{s.name}` | {kind} | `{default}` | {s.unit or ''} | {allowed} | {s.help} |")
    out += ["", "## Dispositions", "",
            "Each disposition code maps to flags (" + ", ".join(f"`{f}`" for f in FLAGS) + "). Codes",
            "match case-insensitively; unknown codes carry no flag. A `[dispositions]` table",
            "adds codes or replaces the flags of a default one:", "", "```toml",
            'timezone = "Asia/Ho_Chi_Minh"', 'currency = "VND"', "", "[dispositions]",
            'CHOT_DON = ["human_answered", "decision_maker", "qualified", "sale", "success"]',
            'HEN_GOI_LAI = ["human_answered", "decision_maker", "callback"]',
            "GATEKEEPER = []          # count gatekeepers as nothing at all", "```", "",
            "Default map: " + ", ".join(DEFAULT_MAP) + " (see DESIGN.md).", "",
            "## Recording sources", "",
            "Which channel of a stereo recording holds the agent, per source of recordings",
            "(docs/call-analysis.md, \"Which channel is the agent\"). Each `[recording_sources.NAME]`",
            "table gives `agent_channel` (`left` or `right`) to the files whose path its `match` (a",
            "regular expression) finds; `mixmonitor` and `freeswitch` need no `match`: they are the",
            "files named by an Asterisk uniqueid and by a UUID. The first table that takes a file",
            "decides; files no table takes have `recording_agent_channel`; `--agent-channel` decides",
            "for every file of one import.", "", "```toml",
            "[recording_sources.freeswitch]       # ${uuid}.wav, inbound calls bridged to agents",
            'agent_channel = "right"', "", "[recording_sources.outbound]",
            'match = "/outbound/"', 'agent_channel = "left"', "```"]
    return "\n".join(out) + "\n"


FILES = {"docs/cli.md": cli_doc, "docs/metrics.md": metrics_doc, "docs/tables.md": tables_doc,
         "docs/settings.md": settings_doc}


def main(argv: list[str]) -> int:
    stale = []
    for rel, fn in FILES.items():
        text = fn()
        path = ROOT / rel
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(rel)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print("stale: " + ", ".join(stale) + " (run python scripts/gen_docs.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
