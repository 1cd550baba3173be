"""A wider check than tests/test_oracle_compare.py (about 2 minutes, not part of the
suite): demo logs for several seeds, with corrections of closed trades written in the
next day's file and bad lines, compared field by field with the independent oracle in
five time zones (two with DST changes inside the data, one at +05:30, one at +13:00).

    python -m tests.oracle_sweep
"""

from __future__ import annotations

import datetime as dt
import json
import random
import tempfile
from pathlib import Path

from sitegen.config import load_config
from sitegen.demo import generate
from sitegen.pipeline import Tracker
from tests import oracle

ZONES = ("UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Pacific/Auckland")


def dirty_logs(root: Path, seed: int) -> Path:
    logs = root / f"logs{seed}"
    paths = generate(logs, days=70, per_day=25, seed=seed, start=dt.date(2025, 9, 15))
    rng = random.Random(seed)
    for path in rng.sample(paths, 5):
        record = json.loads(rng.choice(path.read_text().splitlines()))
        record["outcome"], record["net_profit_loss"] = "loss", "-12.34"
        following = paths[min(len(paths) - 1, paths.index(path) + 1)]
        with open(following, "a", encoding="utf-8") as fp:
            fp.write(json.dumps(record) + "\n")  # the bot corrects a closed trade
            fp.write("garbage\n")
    return logs


def main() -> int:
    mismatches = 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed in (1, 2, 3):
            logs = dirty_logs(Path(tmp), seed)
            for tz in ZONES:
                expected = oracle.compute(logs, tz)
                history = Tracker(load_config(logs_dir=logs, timezone=tz)).history()
                compared = 0
                for window in ("daily", "weekly", "monthly", "all"):
                    for period in history.periods(window):
                        actual = json.loads(json.dumps(history.summary(window, period)))
                        problems = oracle.diff(expected[(window, period)], actual)
                        compared += 1
                        if problems:
                            mismatches += 1
                            print(seed, tz, window, period, problems[:3])
                print(f"seed {seed} {tz}: {compared} summaries compared", flush=True)
    print(f"{mismatches} mismatching summaries")
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
