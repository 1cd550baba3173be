"""Per-trade cost of each step a cold build does for one log file, in one process.

    python bench/stages.py                       # a file of the 80k-trade benchmark
    python bench/stages.py path/to/2025-10-09.jsonl [--timezone America/New_York]

Each step is timed on its own (best of 7 runs) and divided by the file's lines: the
floor's decode, sitegen's decode and validation, the day digest (attribution, the
day partials), and the daily page's trade rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import timeit
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from sitegen.digest import digest, kept_records, to_trade  # noqa: E402
from sitegen.ingest import _decoder, scan_bytes  # noqa: E402
from sitegen.rows import make_fragments  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = HERE / "data" / "60x1333-s7" / "logs" / "2025-10-09.jsonl"
    parser.add_argument("file", nargs="?", type=Path, default=default)
    parser.add_argument("--timezone", default="UTC")
    args = parser.parse_args()
    if not args.file.is_file():
        raise SystemExit(f"{args.file}: no such file (run `python bench/run.py` once to make it)")
    data = args.file.read_bytes()
    day = dt.date.fromisoformat(args.file.stem)
    tz = ZoneInfo(args.timezone)
    scan = scan_bytes(data, args.file.name, day)
    records = kept_records(scan)
    _, pairs = digest(scan, tz)
    lines = data.count(b"\n")

    steps = [
        ("decode (msgspec, TradeRecord)", lambda: _decoder.decode_lines(data)),
        ("decode + validate (scan_bytes)", lambda: scan_bytes(data, args.file.name, day)),
        ("to_trade (attribution)", lambda: [to_trade(r, 0, tz) for r in records]),
        ("digest (to_trade + day partials)", lambda: digest(scan, tz)),
        ("trade rows (HTML fragments)", lambda: make_fragments(pairs, "key", tz)),
    ]
    print(f"{args.file.name}: {lines} lines, time zone {args.timezone}")
    for name, step in steps:
        best = min(timeit.repeat(step, number=1, repeat=7))
        print(f"{name:36s} {best * 1e3:8.2f} ms {best / lines * 1e6:8.2f} µs/line")


if __name__ == "__main__":
    main()
