"""Every command, option and metric is documented, and the generated docs are current."""

import subprocess
import sys
from pathlib import Path

import typer.main

from telekpi.catalog.loader import load_catalog
from telekpi.catalog.models import DIMENSIONS
from telekpi.cli.app import app, register
from telekpi.settings import declared

ROOT = Path(__file__).resolve().parents[2]


def test_generated_docs_are_current():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_command_and_option_documented():
    register()
    cli_md = (ROOT / "docs" / "cli.md").read_text()
    group = typer.main.get_command(app)
    commands = dict(group.commands)
    for name, cmd in group.commands.items():
        commands.update({f"{name} {s}": c for s, c in (getattr(cmd, "commands", None) or {}).items()})
    for name, cmd in commands.items():
        assert f"## telekpi {name}" in cli_md
        assert cmd.help, f"command {name} has no help"
        for p in cmd.params:
            assert p.help or p.param_type_name == "argument", f"{name} {p.name} has no help"
            for opt in getattr(p, "opts", []):
                if opt.startswith("--"):
                    assert opt in cli_md, f"{name} {opt}"


def test_every_metric_dimension_and_setting_documented():
    metrics_md = (ROOT / "docs" / "metrics.md").read_text()
    for mid, m in load_catalog(None).metrics.items():
        assert f"`{mid}`" in metrics_md
        assert m.name and m.description
    for d in DIMENSIONS:
        assert f"`{d}`" in metrics_md
    settings_md = (ROOT / "docs" / "settings.md").read_text()
    for s in declared():
        assert f"`{s.name}`" in settings_md


def test_every_table_column_and_mapping_key_documented():
    from telekpi.ingest import mapping
    from telekpi.model.tables import TABLES
    from telekpi.yaml_lines import KEY_LINES, LINE

    tables_md = (ROOT / "docs" / "tables.md").read_text()
    for t in TABLES.values():
        assert f"## `{t.name}`" in tables_md
        for c in t.columns:
            assert f"| `{c.name}` |" in tables_md
    import_md = (ROOT / "docs" / "import.md").read_text()
    for key in (mapping._TOP_KEYS | mapping._COLUMN_KEYS | mapping._CSV_KEYS) - {LINE, KEY_LINES}:
        assert f"`{key}`" in import_md, key
