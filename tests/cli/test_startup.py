"""Start-up: the command line's help, in every language, loads none of the heavy libraries.

`telekpi --help` once took 0.67 s, most of it importing DuckDB, Arrow, sqlglot and the web
stack to build the command tree (cli/root.py says how command modules keep them out).
Each check runs in a fresh interpreter, so what an earlier test imported does not count.
No timings here: `./dev bench startup` measures them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import telekpi

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)

# What a command loads when it needs it, never to show help.
HEAVY = ("duckdb", "pyarrow", "numpy", "sqlglot", "fastapi", "starlette", "uvicorn", "pandas",
         "jinja2", "babel", "rich", "yaml", "openpyxl", "pydantic")


def imported_after(code: str) -> list[str]:
    """The heavy top-level packages in ``sys.modules`` after running ``code`` in a new process."""
    src = str(Path(telekpi.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    env.pop("TELEKPI_LANG", None)
    probe = code + f"\nimport json, sys\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_building_and_translating_the_help_tree_imports_nothing_heavy():
    """Every command's and option's help, written in English and in Vietnamese."""
    code = """
import typer
from telekpi.cli.app import root_command
from telekpi.cli.help_text import translate_tree
from telekpi.i18n import set_language

root = root_command()

def walk(cmd, ctx):
    yield cmd, ctx
    for name, sub in (getattr(cmd, "commands", None) or {}).items():
        yield from walk(sub, typer.Context(sub, info_name=name, parent=ctx))

for lang in ("en", "vi"):
    set_language(lang)
    translate_tree(root)
    for cmd, ctx in walk(root, typer.Context(root, info_name="telekpi")):
        assert cmd.get_help(ctx)
"""
    assert imported_after(code) == []


@pytest.mark.parametrize("args", [["--help"], ["--lang", "th", "--help"], ["mapping", "--help"]])
def test_help_through_the_entry_point_imports_nothing_heavy(args, tmp_path):
    code = f"""
import os, sys
os.chdir({str(tmp_path)!r})
from telekpi.cli.app import main
code = main({args!r})
assert code == 0, code
"""
    assert imported_after(code) == []


def test_a_command_s_help_imports_nothing_heavy(tmp_path):
    """Typer converts the global options before a command's --help: without pydantic
    (cli/coercion.py), and nothing of telekpi's own heavy libraries is loaded."""
    code = f"""
import os
os.chdir({str(tmp_path)!r})
from telekpi.cli.app import main
assert main(["--lang", "vi", "kpi", "--help"]) == 0
"""
    assert imported_after(code) == []


def test_metrics_needs_neither_duckdb_nor_sqlglot_once_the_catalog_is_kept(tmp_path):
    """`telekpi metrics` reads the catalog, kept validated between commands, and prints it."""
    setup = f"""
import os
os.environ["TELEKPI_CACHE_DIR"] = {str(tmp_path / "cache")!r}
os.chdir({str(tmp_path)!r})
"""
    imported_after(setup + "from telekpi.catalog.loader import load_catalog\n"
                   f"load_catalog({str(tmp_path)!r})")   # validates (sqlglot) and keeps it
    loaded = imported_after(setup + "from telekpi.cli.app import main\n"
                            "assert main(['metrics', '--format', 'json']) == 0")
    assert [m for m in loaded if m in ("duckdb", "pyarrow", "sqlglot", "yaml")] == []


def test_each_command_is_declared_by_the_module_a_run_registers():
    """`telekpi NAME …` imports only ``COMMANDS[NAME]``: that module must declare NAME."""
    from telekpi.cli.app import COMMANDS, MODULES, root_command

    root = root_command()
    assert set(root.commands) == set(COMMANDS) and set(COMMANDS.values()) == set(MODULES)

    def leaves(cmd):
        """The commands that run something, under groups and subgroups (`user token list`)."""
        subs = (getattr(cmd, "commands", None) or {}).values()
        return [leaf for sub in subs for leaf in leaves(sub)] if subs else [cmd]

    for name, cmd in root.commands.items():
        callbacks = [c.callback for c in leaves(cmd)]
        assert {f.__module__ for f in callbacks} == {f"telekpi.cli.{COMMANDS[name]}"}, name


def test_a_command_run_builds_only_its_own_commands(tmp_path):
    code = f"""
import os, sys
os.chdir({str(tmp_path)!r})
from telekpi.cli.app import main
assert main(["kpi", "--help"]) == 0
loaded = sorted(m for m in sys.modules if m.endswith(("_cmd", "_cmds")))
assert loaded == ["telekpi.cli.query_cmds"], loaded
"""
    imported_after(code)


def test_a_query_asked_before_needs_no_sqlglot(tmp_path):
    """`telekpi kpi` plans a request once; asked again (a new process), it runs the kept plan
    (engine/kept_plans.py) and gives the same answer without sqlglot or pydantic."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "datagen", Path(__file__).resolve().parents[1] / "reference" / "datagen.py")
    datagen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(datagen)
    db = tmp_path / "telekpi.duckdb"
    datagen.load_world(datagen.make_world(3, "UTC", n_calls=60), db).close()
    code = f"""
import os
os.environ["TELEKPI_CACHE_DIR"] = {str(tmp_path / "cache")!r}
os.environ["COLUMNS"] = "120"
from telekpi.cli.app import main
assert main(["--db", {str(db)!r}, "kpi", "calls", "connection_rate", "--by", "team"]) == 0
"""
    env = {**os.environ, "PYTHONPATH": str(Path(telekpi.__file__).resolve().parents[1])}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    loaded = imported_after(code)
    assert "sqlglot" not in loaded and "pydantic" not in loaded, loaded
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert again.stdout == first.stdout
    assert "t1" in first.stdout.lower()
