"""Benchmark: `sitegen export trades` streams. Its peak RSS must not grow with the number
of trades: exported to a file, the same number of trades per day over few and over many
days should cost the same memory, and time in proportion.

    python bench/export.py                          # 20 and 150 days of 1,333 trades
    python bench/export.py --days 60 750 --per-day 1400   # up to 1M trades

Each export runs in a fresh process (bench/run.py's wrapper: wall seconds, peak RSS);
the data is made once with `sitegen demo-data` in bench/data/.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from run import make_data, run  # bench/ is on sys.path when run as a script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, nargs="+", default=[20, 150])
    parser.add_argument("--per-day", type=int, default=1333)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--format", default="csv", choices=("csv", "jsonl"))
    args = parser.parse_args()
    print(f"{'days':>6} {'trades':>9} {'seconds':>8} {'peak RSS MB':>12} {'rows/s':>9}")
    for days in args.days:
        logs, _ = make_data(days, args.per_day, args.seed)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / f"trades.{args.format}"
            argv = ["export", "trades", "--logs", str(logs), "--format", args.format]
            result = run([*argv, "-o", str(out), "-q"], Path(tmp))
            rows = sum(1 for _ in out.open("rb")) - (args.format == "csv")
        print(
            f"{days:>6} {rows:>9,} {result['wall']:>8.1f} {result['rss_mb']:>12.1f} "
            f"{rows / result['wall']:>9,.0f}"
        )


if __name__ == "__main__":
    main()
