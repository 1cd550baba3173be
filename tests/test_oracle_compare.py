"""The engine against the independent oracle (tests/oracle.py): every field of every
daily, weekly, monthly and all-time summary, on demo logs with dirty lines added."""

from __future__ import annotations

import json

import pytest

from sitegen.config import load_config
from sitegen.demo import generate
from sitegen.pipeline import Tracker
from tests import oracle

DIRTY = [
    "not json at all",
    "[1, 2, 3]",
    '{"timestamp":"2025-09-03T15:00:00Z","symbol":"X","outcome":"maybe"}',
    '{"timestamp":"2025-09-03T15:00:00Z","symbol":"X","outcome":"win","net_profit_loss":"NaN"}',
    '{"symbol":"X","outcome":"win"}',
    '{"timestamp":"yesterday","symbol":"X","outcome":"win"}',
    "",
    # valid but tricky: numbers as money, an order updated twice in one file,
    # a closed trade without exit time, a trade with neither P&L field
    '{"timestamp":"2025-09-03T16:00:00Z","symbol":"QQQ","outcome":"open","order_id":"dup-1",'
    '"profit_loss":1.5}',
    '{"timestamp":"2025-09-03T16:00:00Z","symbol":"QQQ","outcome":"loss","order_id":"dup-1",'
    '"exit_timestamp":"2025-09-03T16:30:00+02:00","net_profit_loss":-12.25,"price":10,'
    '"stop_loss":"9.5","quantity":4}',
    '{"timestamp":"2025-09-03T16:45:00","symbol":"QQQ","outcome":"win","order_id":"dup-1",'
    '"exit_timestamp":"2025-09-03T17:00:00Z","profit_loss":"3","risk_reward_ratio":1.25}',
    '{"timestamp":"2025-09-03T18:00:00Z","symbol":"IWM","outcome":"breakeven"}',
]
SATURDAY = [
    '{"timestamp":"2025-09-13T15:00:00Z","symbol":"SPY","outcome":"loss",'
    '"exit_timestamp":"2025-09-13T15:10:00Z","net_profit_loss":"-7.10","strategy_name":"wknd"}',
]


@pytest.fixture(scope="module")
def dirty_logs(tmp_path_factory):
    logs = tmp_path_factory.mktemp("oracle") / "logs"
    paths = generate(logs, days=25, per_day=12, seed=11)
    with open(paths[2], "a", encoding="utf-8") as fp:
        fp.write("\n".join(DIRTY) + "\n")
    (logs / "2025-09-13.jsonl").write_text("\n".join(SATURDAY) + "\n", encoding="utf-8")
    # A write in progress at the end of the last file.
    with open(paths[-1], "a", encoding="utf-8") as fp:
        fp.write('{"timestamp":"2025-10-03T15:00:00Z","symbol":"X","outc')
    return logs


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_every_summary_matches_oracle(dirty_logs, tz, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)
    expected = oracle.compute(dirty_logs, tz)
    tracker = Tracker(load_config(logs_dir=dirty_logs, timezone=tz))
    history = tracker.history()
    compared = 0
    for window in ("daily", "weekly", "monthly", "all"):
        for period in history.periods(window):
            actual = history.summary(window, period)
            # through JSON, exactly as the artifact holds it
            actual = json.loads(json.dumps(actual))
            problems = oracle.diff(expected[(window, period)], actual)
            assert not problems, f"{window} {period}: {problems[:5]}"
            compared += 1
    assert compared > 30


# --- returns, when the account size is known ---------------------------------------


def _compare_every_summary(logs, tz: str, equity: str) -> int:
    expected = oracle.compute(logs, tz, starting_equity=equity)
    history = Tracker(load_config(logs_dir=logs, timezone=tz, starting_equity=equity)).history()
    compared = 0
    for window in ("daily", "weekly", "monthly", "all"):
        for period in history.periods(window):
            actual = json.loads(json.dumps(history.summary(window, period)))
            problems = oracle.diff(expected[(window, period)], actual)
            assert not problems, f"{window} {period}: {problems[:5]}"
            assert "total_return" in expected[(window, period)]  # nothing vacuous
            compared += 1
    return compared


@pytest.mark.parametrize(
    "equity",
    [
        "300",  # the losing first day takes it all: blown on day one
        "1000",  # blown on 2025-10-01, after a month of ups and downs
        "1774.25",  # equity exactly 0 at the close of 2025-10-01
        "2500.50",  # never blown, deep drawdowns
        "100000",
    ],
)
def test_returns_match_oracle(tmp_path, monkeypatch, equity):
    """A losing first day, a week that starts in a drawdown, days with zero P&L (a
    breakeven, an open trade only, missing days), a weekend trade, a blown account."""
    from tests.test_returns import returns_logs

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)
    logs = returns_logs(tmp_path / "logs")
    assert _compare_every_summary(logs, "UTC", equity) > 30


@pytest.mark.parametrize(("tz", "equity"), [("America/New_York", "20000"), ("UTC", "900")])
def test_returns_of_dirty_logs_match_oracle(dirty_logs, tz, equity, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)
    assert _compare_every_summary(dirty_logs, tz, equity) > 30
