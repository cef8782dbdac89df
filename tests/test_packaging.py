"""Packaging: what `src/telekpi` imports is what a plain `pip install .` brings, and the
base-install smoke run (scripts/smoke.py) runs every command `telekpi --help` lists."""

from __future__ import annotations

import ast
import functools
import importlib.util
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "telekpi"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

# Modules only an extra installs, with the extra: each is imported inside a function, under
# `except ImportError` (which raises MissingDependencyError naming the extra).
OPTIONAL = {"pyspark": "spark", "chdb": "clickhouse", "clickhouse_connect": "clickhouse", "statsmodels": "wfm",
            "faster_whisper": "whisper"}

# Optional modules the test environment does not install (faster-whisper pulls CTranslate2,
# hundreds of MB, for one command's second engine); their distribution is their name.
NOT_INSTALLED_HERE = {"faster_whisper"}

# Dependencies no module of telekpi imports by name, and why they are there all the same.
UNIMPORTED = {
    "tzdata": "zoneinfo's time zones on a system without its own",
    "pytz": "DuckDB hands TIMESTAMPTZ values to Python through it",
    "python-multipart": "FastAPI reads the login form with it",
}


@functools.cache
def imports() -> dict[str, list[tuple[str, ast.stmt, list[ast.AST]]]]:
    """Every absolute import in src/telekpi, by top-level module: (file:line, node, ancestors)."""
    found: dict[str, list] = {}

    def visit(node: ast.AST, path: Path, ancestors: list[ast.AST]) -> None:
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
        for name in names:
            found.setdefault(name.partition(".")[0], []).append(
                (f"{path.relative_to(ROOT)}:{node.lineno}", node, ancestors))
        for child in ast.iter_child_nodes(node):
            visit(child, path, [*ancestors, node])

    for path in sorted(SRC.rglob("*.py")):
        visit(ast.parse(path.read_text(), str(path)), path, [])
    return found


@functools.cache
def providers() -> dict[str, list[str]]:
    """Top-level module -> the installed distributions that provide it."""
    return packages_distributions()


def names(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def third_party() -> dict[str, list]:
    return {m: where for m, where in imports().items()
            if m not in sys.stdlib_module_names and m != "telekpi"}


def test_every_module_the_base_install_imports_is_a_dependency():
    declared = names(PROJECT["dependencies"])
    undeclared = []
    for module, where in sorted(third_party().items()):
        if module in OPTIONAL:
            continue
        dists = {canonicalize_name(d) for d in providers().get(module, ())}
        if not dists & declared:
            undeclared.append(f"{module} (from {', '.join(sorted(dists)) or 'no installed distribution'};"
                              f" imported at {where[0][0]})")
    assert not undeclared, "imported but not in [project] dependencies: " + "; ".join(undeclared)


def test_every_dependency_is_imported_or_said_why():
    imported = {canonicalize_name(d) for m in third_party() for d in providers().get(m, ())}
    unused = names(PROJECT["dependencies"]) - imported - set(UNIMPORTED)
    assert not unused, f"in dependencies but imported nowhere in src/telekpi: {sorted(unused)}"


@pytest.mark.parametrize("module", sorted(OPTIONAL))
def test_an_optional_module_belongs_to_its_extra_and_is_imported_only_where_it_is_caught(module):
    extra = PROJECT["optional-dependencies"][OPTIONAL[module]]
    dists = {canonicalize_name(d) for d in providers().get(module, ())}
    if module in NOT_INSTALLED_HERE and not dists:   # the distribution is its import name, hyphenated
        dists = {canonicalize_name(module)}
    assert dists & names(extra), f"{module} is not provided by the {OPTIONAL[module]} extra ({extra})"
    for where, node, ancestors in imports().get(module, []):
        assert any(isinstance(a, ast.FunctionDef) for a in ancestors), f"{where}: imported at load time"
        assert any(isinstance(a, ast.Try) and node in a.body and any(
            "ImportError" in ast.unparse(h.type or ast.Name("BaseException")) for h in a.handlers)
            for a in ancestors), f"{where}: not under `except ImportError`"


# -- the smoke run ------------------------------------------------------------------------

def smoke_module():
    spec = importlib.util.spec_from_file_location("telekpi_smoke", ROOT / "scripts" / "smoke.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module   # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def cli_commands() -> set[tuple[str, ...]]:
    """Every command a person can run, as its words: groups' subcommands, not the groups."""
    from telekpi.cli.app import root_command

    def walk(command, path: tuple[str, ...]):
        subcommands = getattr(command, "commands", None)
        if not subcommands:
            yield path
            return
        for name, sub in subcommands.items():
            yield from walk(sub, (*path, name))

    return set(walk(root_command(), ()))


def test_the_smoke_run_covers_every_command():
    commands = cli_commands()
    assert ("kpi",) in commands and ("user", "add") in commands
    covered = smoke_module().covered_commands()
    assert not commands - covered, f"commands the smoke run never runs: {sorted(commands - covered)}"
    assert not covered - commands, f"the smoke run names unknown commands: {sorted(covered - commands)}"


def test_the_smoke_run_needs_only_the_standard_library():
    """It runs with any python3, before any venv exists."""
    tree = ast.parse((ROOT / "scripts" / "smoke.py").read_text())
    modules = {a.name.partition(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module.partition(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert modules <= set(sys.stdlib_module_names) | {"__future__"}, modules - set(sys.stdlib_module_names)
