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

    group = typer.main.get_command(app)
    names = [None]
    for name in sorted(group.commands):
        names.append(name)
        sub = getattr(group.commands[name], "commands", None)
        names += [f"{name} {s}" for s in sorted(sub or {})]
    for name in names:
        args = (name.split() if name else []) + ["--help"]
        text = runner.invoke(app, args, prog_name="telekpi", env={"COLUMNS": "100", "NO_COLOR": "1",
                                                                   "TERM": "dumb"}).output
        out += [f"## telekpi {name}" if name else "## telekpi", "", "```", text.rstrip(), "```", ""]
    return "\n".join(out)


def metrics_doc() -> str:
    from telekpi.catalog.loader import load_catalog
    from telekpi.catalog.models import DIMENSIONS, MODELS

    cat = load_catalog(None)
    out = ["# Metric reference", "",
           "Generated from the built-in catalog (`src/telekpi/catalog/builtin/`) by "
           "`scripts/gen_docs.py`; do not edit by hand. METRICS.md gives the reasoning.", ""]
    section = None
    for m in cat.metrics.values():
        src = Path(m.where.file).stem.split("_", 1)[-1]
        if src != section:
            section = src
            out += [f"## {section.replace('_', ' ').title()}", "",
                    "| id | name | unit | better | definition | bands | kinds of work | no value by |",
                    "|---|---|---|---|---|---|---|---|"]
        bands = "; ".join(f"{b.label or b.level}: {b.describe()}" for b in m.bands)
        for ind, bs in m.bands_by_industry.items():
            bands += ("; " if bands else "") + f"{ind} " + ", ".join(f"{b.level} {b.describe()}" for b in bs)
        split = cat.applies[m.id]
        out.append(f"| `{m.id}` | {m.name} | {m.unit} | {m.better or ''} | "
                   f"{m.description.replace('|', '/')} | {bands} | {', '.join(m.kinds) or 'all'} | "
                   f"{', '.join(split.not_by)} |")
    out += ["", "## Dimensions", "",
            "A metric has a value by a dimension that every model it reads carries (below), unless "
            "its events cannot belong to it: the *no value by* column above (abandoned calls reach "
            "no agent, so they belong to no agent, team, site or vendor). Split or filtered by a "
            "dimension it has no value by, a metric is null with the reason, on every surface "
            "(`telekpi kpi`, the API's `reasons`, the dashboard, the reports), never a 0. "
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
           "(a number or a duration such as 0:01:30), `money` (decimal), `double`, `string`.", ""]
    for t in TABLES.values():
        out += [f"## `{t.name}`", "", (t.help + ". " if t.help else "")
                + f"Natural key: {', '.join(f'`{k}`' for k in t.key)} (a re-import with the same key "
                "updates the row).", "", "| column | type | required | allowed values / default | notes |",
                "|---|---|---|---|---|"]
        for c in t.columns:
            allowed = ", ".join(c.choices) if c.choices else ""
            if c.default is not None:
                allowed += f" (default {c.default})"
            limits = []
            if c.min is not None:
                limits.append(f"≥ {c.min:g}")
            if c.max is not None:
                limits.append(f"≤ {c.max:g}")
            note = "; ".join(x for x in (" ".join(limits), c.help) if x)
            out.append(f"| `{c.name}` | {c.type} | {'yes' if c.required else ''} | {allowed.strip()} | {note} |")
        out.append("")
    out += ["## Input formats", "", "| format | reads | extensions |", "|---|---|---|"]
    for f in sorted(formats().values(), key=lambda f: f.name):
        out.append(f"| `{f.name}` | {f.help} | {', '.join(f.extensions)} |")
    return "\n".join(out) + "\n"


def settings_doc() -> str:
    from telekpi.model.dispositions import DEFAULT_MAP, FLAGS
    from telekpi.settings import declared

    out = ["# Workspace settings (`telekpi.toml`)", "",
           "Generated from `src/telekpi/settings.py` by `scripts/gen_docs.py`; do not edit by hand.", "",
           "The workspace is the folder that holds the warehouse file (`--db`, default",
           "`./telekpi.duckdb`). Its optional `telekpi.toml` sets:", "",
           "| setting | type | default | unit | allowed values | meaning |", "|---|---|---|---|---|---|"]
    for s in declared():
        default = f"{s.default:g}" if isinstance(s.default, float) else str(s.default)
        allowed = ", ".join(f"`{c}`" for c in s.choices) if s.choices else ""
        kind = {str: "string", int: "integer", float: "number"}[s.type]
        out.append(f"| `{s.name}` | {kind} | `{default}` | {s.unit or ''} | {allowed} | {s.help} |")
    out += ["", "## Dispositions", "",
            "Each disposition code maps to flags (" + ", ".join(f"`{f}`" for f in FLAGS) + "). Codes",
            "match case-insensitively; unknown codes carry no flag. A `[dispositions]` table",
            "adds codes or replaces the flags of a default one:", "", "```toml",
            'timezone = "Asia/Ho_Chi_Minh"', 'currency = "VND"', "", "[dispositions]",
            'CHOT_DON = ["human_answered", "decision_maker", "qualified", "sale", "success"]',
            'HEN_GOI_LAI = ["human_answered", "decision_maker", "callback"]',
            "GATEKEEPER = []          # count gatekeepers as nothing at all", "```", "",
            "Default map: " + ", ".join(DEFAULT_MAP) + " (see DESIGN.md)."]
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
