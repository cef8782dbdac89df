"""Start-up: commands a person types, timed as whole processes, side by side in one run.

    python bench/startup_bench.py [--repeat 11] [--size medium] [--baseline OTHER/src]

Times `telekpi --help`, `telekpi kpi --help`, `telekpi --lang vi --help`,
`telekpi metrics` and `telekpi kpi calls connection_rate --by team` on a demo centre
(generated once into bench/out/startup-<size>/ with `telekpi demo`), together with a
bare `python -c pass` and `python -c "import duckdb"` as yardsticks of the same
machine at the same moment. The runs go round-robin (every command once, then again),
so a machine that gets busier slows all of them alike; each figure is the minimum and
median of --repeat runs, after one warm-up run of each that writes the bytecode and
the kept catalog. Wall time is what a person waits; CPU time (user + system) is less
disturbed by other work on the machine.

--baseline SRC times the same telekpi commands with another checkout's ``src`` folder
(say, main's, from `git worktree add`) in the same rounds, and prints this one's median
over that one's. No thresholds: the figures are for people to read.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
# What the `telekpi` console script runs.
ENTRY = "import sys; from telekpi.cli.app import main; sys.exit(main())"


def environment(src: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(src), env.get("PYTHONPATH", "")) if p)
    env.pop("PYTHONDONTWRITEBYTECODE", None)   # a real install has its bytecode
    env.pop("TELEKPI_LANG", None)
    env["TELEKPI_CACHE_DIR"] = str(OUT / "cache")
    env["COLUMNS"] = "160"
    return env


def ensure_demo(size: str, env: dict[str, str]) -> Path:
    folder = OUT / f"startup-{size}"
    db = folder / "telekpi.duckdb"
    if not db.exists():
        print(f"generating the {size} demo into {folder} (once) …", flush=True)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", ENTRY, "demo", "--size", size, "--out", str(folder)],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        print(f"  done in {time.perf_counter() - t0:.0f} s", flush=True)
    return db


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one process; its output goes to a pipe."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr.decode()}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=11, help="counted runs of each command")
    ap.add_argument("--size", default="medium", choices=["small", "medium", "large"])
    ap.add_argument("--baseline", type=Path, help="another checkout's src folder, timed alongside")
    args = ap.parse_args()

    env = environment(ROOT / "src")
    db = ensure_demo(args.size, env)
    py = [sys.executable]
    telekpi = [*py, "-c", ENTRY]
    on_db = ["--db", str(db)]
    commands: dict[str, tuple[list[str], dict[str, str]]] = {
        "python -c pass": ([*py, "-c", "pass"], env),
        'python -c "import duckdb"': ([*py, "-c", "import duckdb"], env),
        "telekpi --help": ([*telekpi, "--help"], env),
        "telekpi kpi --help": ([*telekpi, *on_db, "kpi", "--help"], env),
        "telekpi --lang vi --help": ([*telekpi, "--lang", "vi", "--help"], env),
        "telekpi metrics": ([*telekpi, *on_db, "metrics"], env),
        "telekpi kpi calls connection_rate --by team": (
            [*telekpi, *on_db, "kpi", "calls", "connection_rate", "--by", "team"], env),
    }
    if args.baseline:
        base_env = environment(args.baseline.resolve())
        for name, (argv, _) in list(commands.items()):
            if name.startswith("telekpi"):
                commands[f"{name}  [baseline]"] = (argv, base_env)

    for argv, e in commands.values():   # warm-up: bytecode, the kept catalog, the OS's file cache
        run(argv, e)
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, (argv, e) in commands.items():
            wall, cpu = run(argv, e)
            walls[name].append(wall)
            cpus[name].append(cpu)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nstart-up, whole processes, {args.repeat} runs each round-robin after one warm-up; "
          f"{args.size} demo; Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average {load:.1f} at the end")
    bare = statistics.median(walls["python -c pass"])
    duck = statistics.median(walls['python -c "import duckdb"'])
    print(f"\n{'command':<58} {'wall min':>9} {'median':>8} {'cpu med':>8} {'÷ bare':>7} {'÷ duckdb':>8}"
          + ("  ÷ baseline" if args.baseline else ""))
    for name in commands:
        w, c = walls[name], cpus[name]
        med = statistics.median(w)
        line = (f"{name:<58} {min(w):8.3f}s {med:7.3f}s {statistics.median(c):7.3f}s "
                f"{med / bare:6.1f}× {med / duck:7.2f}×")
        if args.baseline and f"{name}  [baseline]" in walls:
            line += f"  {med / statistics.median(walls[f'{name}  [baseline]']):10.2f}×"
        print(line)


if __name__ == "__main__":
    main()
