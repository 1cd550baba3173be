"""Summaries kept encoded (sitegen.packed) read back equal to the dicts stored: every
field of every window, with books, versions, returns and alerts, and hostile text."""

from __future__ import annotations

from sitegen import demo
from sitegen.alerting import attach_alerts
from sitegen.config import load_config
from sitegen.packed import Summaries
from sitegen.pipeline import BuildReport, ScanCache, load_history, select_periods
from tests.conftest import trade, write_log


def test_every_summary_reads_back_equal_to_the_dict_stored(tmp_path) -> None:
    logs = tmp_path / "logs"
    demo.generate(logs, days=12, per_day=15, books=True)
    write_log(logs, "2025-09-05", [trade("2025-09-05T14:00:00Z", "<b>\u202e</b>", "loss", "-1e3")])
    config = load_config(logs_dir=logs, starting_equity="10000")
    history = load_history(config, ScanCache(), BuildReport())
    chosen = select_periods(history, None, None, None, None)
    plain = {key: history.summary(*key, config.targets.specs()) for key in chosen}
    day = chosen[0][1]
    events = [
        {
            "id": "x",
            "rule": "r",
            "window": "daily",
            "period": day,
            "severity": "WARN",
            "metric": "win_rate",
            "actual": "0.1",
            "target": "0.5",
            "raised_at": day,
            "acknowledged_at": None,
            "context": {"since": day, "note": "<i>x</i>"},
        }
    ]
    attach_alerts(history, plain, events)
    kept = Summaries(plain)
    assert list(kept) == list(plain) and len(kept) == len(plain) > 10
    for key, summary in plain.items():
        assert kept[key] == summary, key
        assert kept[key] is not kept[key]  # a fresh dict each time: a change is stored back
    assert Summaries(kept)[chosen[-1]] == plain[chosen[-1]]
    assert ("daily", "1999-01-01") not in kept
