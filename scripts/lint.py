"""The static checks CI runs before the tests: ruff, lint-imports and mypy (`./dev lint`).

    python scripts/lint.py          (or ./dev lint; ./dev test runs it first)

Each tool reads its settings from pyproject.toml. Any ruff finding, any broken import
contract and any mypy error fails the run (exit 1).

Runs the tools of the interpreter's own environment (the project's .venv).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUFF_PATHS = ["src", "tests", "scripts", "bench"]

MESSAGE = re.compile(r"^(?P<file>[^:\s]+\.py):\d+: (?P<kind>error|note): ")


def tool(name: str) -> str:
    """The tool beside this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        sys.exit(f"lint: {name} is not installed (pip install -e '.[test]')")
    return found


def run(title: str, argv: list[str]) -> subprocess.CompletedProcess[str]:
    print(f"== {title}: {' '.join([Path(argv[0]).name, *argv[1:]])}", flush=True)
    return subprocess.run(argv, cwd=ROOT, text=True, capture_output=True)


def ruff() -> bool:
    p = run("ruff", [tool("ruff"), "check", *RUFF_PATHS])
    print(p.stdout + p.stderr, end="")
    return p.returncode == 0


def import_contracts() -> bool:
    p = run("import contracts", [tool("lint-imports"), "--no-cache"])
    out = p.stdout + p.stderr
    # When kept, only the verdict: the full report lists every contract.
    print(out if p.returncode else next((ln for ln in out.splitlines() if ln.startswith("Contracts:")), out))
    return p.returncode == 0


def types() -> bool:
    p = run("mypy", [tool("mypy")])
    out = p.stdout + p.stderr
    found = [ln for ln in out.splitlines() if MESSAGE.match(ln)]
    if p.returncode not in (0, 1) or (p.returncode == 1 and not found):   # mypy could not run: say why
        print(out, end="")
        return False
    if found:
        print("\n".join(found))
    errors = sum(1 for ln in found if ": error: " in ln)
    print(f"mypy: {errors} error{'' if errors == 1 else 's'}")
    return errors == 0


def main() -> int:
    results = {"ruff": ruff(), "import contracts": import_contracts(), "mypy": types()}
    failed = [name for name, ok in results.items() if not ok]
    print("lint: " + ("failed: " + ", ".join(failed) if failed else "all checks passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
