"""Benchmark: the decode floor, a cold build, a no-change rebuild and an appended day.

    python bench/run.py                      # ~80k trades over 60 trading days
    python bench/run.py --days 750 --per-day 1400 --half   # the 1M-trade run

Every measurement runs `python -m sitegen` in a fresh process on the same files, and
reports wall seconds, peak RSS (the process and, separately, its worker processes),
and the files it read and wrote (from the build's structured log line). The data is
made once with `sitegen demo-data` and kept in bench/data/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable

# Runs a command in-process and reports its peak RSS and its children's (workers').
_WRAPPER = """
import resource, runpy, sys, time
sys.argv = {argv!r}
t = time.perf_counter()
code = 0
try:
    runpy.run_module({module!r}, run_name="__main__")
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
wall = time.perf_counter() - t
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("BENCH", wall, own, kids, code, file=sys.stderr)
"""

# The floor decodes into its own struct (bench/floor.py), not sitegen's.
_FLOOR = """
import sys, time, pathlib, msgspec
sys.path.insert(0, sys.argv[2])
from floor import Trade

decoder = msgspec.json.Decoder(Trade)
n = 0
t = time.perf_counter()
for path in sorted(pathlib.Path(sys.argv[1]).glob("????-??-??.jsonl")):
    n += len(decoder.decode_lines(path.read_bytes()))
print("LINES", n, time.perf_counter() - t, file=sys.stderr)
"""

# sitegen's own ingest of one file (read, validate, digest), in-process.
_DAY_INGEST = """
import sys, time, pathlib, datetime
from sitegen.scan import scan_and_digest
path = pathlib.Path(sys.argv[1])
t = time.perf_counter()
scan_and_digest(path, datetime.date.fromisoformat(path.stem), "UTC")
print("INGEST", time.perf_counter() - t, file=sys.stderr)
"""


def run(argv: list[str], cwd: Path, *, module: str = "sitegen") -> dict:
    """Run ``python -m module argv`` in a fresh process; wall time, RSS, log fields."""
    code = _WRAPPER.format(argv=[module, *argv], module=module)
    began = time.perf_counter()
    proc = subprocess.run([PY, "-c", code], cwd=cwd, capture_output=True, text=True, check=False)
    outer = time.perf_counter() - began
    out: dict = {"outer": outer, "stderr": proc.stderr}
    for line in proc.stderr.splitlines():
        if line.startswith("BENCH "):
            _, wall, own, kids, status = line.split()
            out.update(wall=float(wall), rss_mb=int(own) / 1024, kids_mb=int(kids) / 1024)
            out["code"] = int(status)
        elif '"event":"build"' in line:
            out["log"] = json.loads(line[line.index("{") :])
    if "wall" not in out:
        raise SystemExit(f"benchmark command failed: {argv}\n{proc.stderr[-2000:]}")
    return out


def run_floor(logs: Path) -> dict:
    """Decode every line, one process; ``secs`` excludes the interpreter's start."""
    proc = subprocess.run(
        [PY, "-c", _FLOOR, str(logs), str(HERE)], capture_output=True, text=True, check=True
    )
    _, lines, secs = proc.stderr.split()[-3:]
    return {"secs": float(secs), "lines": int(lines)}


def day_ingest(path: Path) -> float:
    proc = subprocess.run(
        [PY, "-c", _DAY_INGEST, str(path)], capture_output=True, text=True, check=True
    )
    return float(proc.stderr.split()[-1])


def startup(
    cwd: Path, repeat: int = 7, argv: tuple[str, ...] = ("-m", "sitegen", "--help")
) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        subprocess.run([PY, *argv], cwd=cwd, capture_output=True, check=True)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


#: what a build that has work to do loads before doing any: the engine and the pages
_BUILD_IMPORTS = ("-c", "import sitegen.cli, sitegen.pipeline, sitegen.render")


def make_data(days: int, per_day: int, seed: int) -> tuple[Path, Path]:
    """bench/data/<days>x<per_day>: logs/ without its last day, and that day aside."""
    root = HERE / "data" / f"{days}x{per_day}-s{seed}"
    logs, spare = root / "logs", root / "spare"
    if not (logs.is_dir() and spare.is_dir() and any(spare.iterdir())):
        shutil.rmtree(root, ignore_errors=True)
        logs.mkdir(parents=True)
        subprocess.run(
            [
                PY,
                "-m",
                "sitegen",
                "demo-data",
                "--out",
                str(logs),
                "--days",
                str(days),
                "--per-day",
                str(per_day),
                "--seed",
                str(seed),
            ],
            check=True,
            capture_output=True,
        )
        spare.mkdir()
        last = sorted(logs.glob("????-??-??.jsonl"))[-1]
        shutil.move(last, spare / last.name)
    return logs, next(spare.iterdir())


def measure(days: int, per_day: int, seed: int) -> dict:
    logs, extra = make_data(days, per_day, seed)
    work = HERE / "out" / logs.parent.name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    live = work / "logs"
    shutil.copytree(logs, live)
    opts = [
        "--logs",
        str(live),
        "--artifacts",
        str(work / "artifacts"),
        "--out",
        str(work / "site"),
        "-v",  # the build's structured line (read below) is printed with -v
    ]
    results: dict = {"trades": None}
    results["startup"] = startup(work)
    results["imports"] = startup(work, argv=_BUILD_IMPORTS)
    results["floor"] = run_floor(live)
    results["cold"] = run(["build", *opts], work)
    results["trades"] = results["cold"]["log"]["trades"]
    # a no-change build takes about as long as starting Python: take the median of a few
    runs = sorted((run(["build", *opts], work) for _ in range(7)), key=lambda r: r["outer"])
    results["nochange"] = runs[len(runs) // 2]
    one_day = extra.stat().st_size
    shutil.copy(extra, live / extra.name)
    results["append"] = run(["build", *opts], work)
    results["day_ingest"] = day_ingest(extra)
    results["bytes"] = sum(p.stat().st_size for p in live.glob("????-??-??.jsonl"))
    results["one_day_bytes"] = one_day
    return results


def table(res: dict, half: dict | None) -> str:
    floor = res["floor"]["secs"]
    start = res["startup"]
    lines = [
        "| step | seconds | × floor | × start-up | peak RSS MB (main / workers) | files |",
        "|---|---:|---:|---:|---:|---|",
        f"| `sitegen --help` (start-up) | {start:.3f} | | 1.00 | | |",
        f"| start-up and imports of a build with work to do (no work) | {res['imports']:.3f} "
        f"| | {res['imports'] / start:.2f} | | |",
        f"| floor: msgspec decode of every line, one process | {floor:.3f} | 1.00 | | | |",
    ]

    def row(name: str, r: dict) -> str:
        log = r.get("log") or {}
        files = (
            f"{log.get('files_read', 0)} read, {log.get('artifacts_written', 0)} artifacts + "
            f"{log.get('pages_rendered', 0)} pages written"
        )
        secs = r["outer"]
        return (
            f"| {name} | {secs:.3f} | {secs / floor:.2f} | {secs / start:.2f} | "
            f"{r['rss_mb']:.0f} / {r['kids_mb']:.0f} | {files} |"
        )

    lines += [
        row("cold build (artifacts + site)", res["cold"]),
        row("no-change rebuild", res["nochange"]),
        row("append one day, rebuild", res["append"]),
    ]
    if half:
        lines.append(row(f"cold build at half size ({half['trades']} trades)", half["cold"]))
    lines += ["", "Seconds per stage (from the build's log line):", ""]
    runs = [("cold", res["cold"]), ("no-change", res["nochange"]), ("append", res["append"])]
    if half:
        runs.append(("cold, half size", half["cold"]))
    names = sorted({k for _, r in runs for k in (r.get("log") or {}).get("stages_ms", {})})
    order = ["scan", "summaries", "artifacts", "pages", "index"]
    names = [n for n in order if n in names] + [n for n in names if n not in order]
    lines += ["| build | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for label, r in runs:
        stages = (r.get("log") or {}).get("stages_ms", {})
        cells = [f"{stages[n] / 1000:.2f}" if n in stages else "" for n in names]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def compile_package() -> None:
    """Byte-compile sitegen as `pip install` does, so an editable checkout (or an
    environment with PYTHONDONTWRITEBYTECODE set) is not timed compiling its sources."""
    import compileall

    import sitegen

    compileall.compile_dir(Path(sitegen.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--per-day", type=int, default=1333)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--half", action="store_true", help="also a cold build at half size")
    args = parser.parse_args()
    compile_package()
    res = measure(args.days, args.per_day, args.seed)
    half = measure(args.days // 2, args.per_day, args.seed) if args.half else None
    print(
        f"{res['trades']} trades in {args.days} trading days "
        f"({res['bytes'] / 1e6:.0f} MB of logs; one day {res['one_day_bytes'] / 1e6:.1f} MB); "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores, {platform.machine()}"
    )
    print(table(res, half))
    start, day = res["startup"], res["day_ingest"]
    print(
        f"\nno-change rebuild / start-up: {res['nochange']['outer'] / start:.2f} (goal ≤ 2)\n"
        f"append one day / (2 × one day's ingest + start-up): "
        f"{res['append']['outer'] / (2 * day + start):.2f} (goal ≤ 1; one day's ingest "
        f"{day:.3f} s)\n  of which a build's start-up and imports alone: "
        f"{res['imports'] / (2 * day + start):.2f}\n"
        f"cold build / floor: {res['cold']['outer'] / res['floor']['secs']:.2f}"
    )
    if half:
        print(f"peak RSS full / half: {res['cold']['rss_mb'] / half['cold']['rss_mb']:.2f}")


if __name__ == "__main__":
    main()
