"""How close to the decode floor can any CPython build get? The cheapest form of the
per-trade steps the report requires, added one at a time, each timed on the same files.

    python bench/bound.py                                   # the 1M-trade files, 100 of them
    python bench/bound.py bench/data/60x1333-s7/logs --files 0   # every file of a history

Not sitegen's code: each step is the least a build can do for it (no validation, no
identity, no breakdowns, no summaries, no files written), in one process, best of 3.
The floor is bench/run.py's: msgspec decoding each line into a struct of the fields
the analytics read. Dividing a step's time by the cores gives what a perfectly
parallel build would need for that step alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec
from markupsafe import escape

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from floor import Trade as Floor  # noqa: E402


class Shown(Floor, gc=False):
    """... and what a daily page's trade row shows besides."""

    decision_reasoning: str | None = None
    exit_reasoning: str | None = None


_floor = msgspec.json.Decoder(Floor).decode_lines
_shown = msgspec.json.Decoder(Shown).decode_lines


def steps(tz: ZoneInfo) -> list[tuple[str, Callable[[bytes], object]]]:
    def floor(data: bytes) -> object:
        return _floor(data)

    def shown(data: bytes) -> object:
        return _shown(data)

    def attributed(data: bytes) -> object:
        return [
            dt.datetime.fromisoformat(r.exit_timestamp or r.timestamp).astimezone(tz).date()
            for r in _shown(data)
        ]

    def row(r: Shown) -> tuple[dt.datetime, str]:
        when = dt.datetime.fromisoformat(r.exit_timestamp or r.timestamp).astimezone(tz)
        return when, (
            f"<tr><td>{when.time().isoformat('seconds')}</td><th>{escape(r.symbol)}</th>"
            f"<td>{r.action}</td><td>{r.quantity}</td><td>{r.price}</td><td>{r.outcome}</td>"
            f"<td>{r.net_profit_loss}</td><td>{escape(r.strategy_name or '')}</td>"
            f"<td>{escape(r.decision_reasoning or '')}</td></tr>"
        )

    def rows(data: bytes) -> object:
        return "".join([row(r)[1] for r in _shown(data)])

    def summed(data: bytes) -> object:
        out = []
        sums: dict[tuple[dt.date, str], Decimal] = {}
        for r in _shown(data):
            when, html = row(r)
            out.append(html)
            key = (when.date(), r.symbol)
            sums[key] = sums.get(key, Decimal(0)) + (r.net_profit_loss or 0)
        return "".join(out), sums

    return [
        ("floor: decode into the analytics' fields", floor),
        ("decode with the fields a trade row shows", shown),
        ("+ each trade's local date", attributed),
        ("+ one escaped HTML row per trade", rows),
        ("+ one exact P&L sum per (day, symbol)", summed),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logs", nargs="?", type=Path, default=HERE / "data/750x1400-s7/logs")
    parser.add_argument("--files", type=int, default=100, help="how many files (0: all)")
    parser.add_argument("--timezone", default="America/New_York")
    args = parser.parse_args()
    files = sorted(args.logs.glob("????-??-??.jsonl"))[: args.files or None]
    if not files:
        sys.exit(f"{args.logs}: no log files (run `python bench/run.py` once to make them)")
    datas = [f.read_bytes() for f in files]
    lines = sum(d.count(b"\n") for d in datas)
    cores = os.cpu_count() or 1
    print(f"{lines} lines in {len(files)} files, time zone {args.timezone}, {cores} cores")
    print("| step (one process) | seconds | µs per line | × floor | × floor on all cores |")
    print("|---|---:|---:|---:|---:|")
    base = None
    for name, step in steps(ZoneInfo(args.timezone)):
        best = float("inf")
        for _ in range(3):
            began = time.perf_counter()
            for data in datas:
                step(data)
            best = min(best, time.perf_counter() - began)
        base = base or best
        print(
            f"| {name} | {best:.3f} | {best / lines * 1e6:.2f} | {best / base:.2f} "
            f"| {best / base / cores:.2f} |"
        )


if __name__ == "__main__":
    main()
