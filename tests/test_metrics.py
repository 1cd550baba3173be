"""Every row of the metrics table (docs/summary-format.md), on a fixture computed by hand.

The fixture (P&L per closed trade, in time order):

  #1  10-06 14:30Z  AAPL A  win        +20.00  R  2     (risk 1×10)   rr 2.0
  #2  10-06 15:20Z  MSFT B  loss       -10.00  R -1     (risk 2×5)    rr 1.5
  #3  10-06 16:10Z  AAPL A  breakeven   -0.50  R -0.05 (risk 1×10)
  #4  10-06 17:30Z  MSFT B  loss       -30.00  R -1.5  (risk 2×10)   rr 3.0
  #10 10-07 02:30Z  SPY  A  win         +5.00  no stop               (NY: 10-06 22:30)
  #6  10-07 14:00Z  TSLA C  win        +40.00  R  1     (risk 4×10)   rr 2.0
      (ord-5: opened 10-06 in the first file, closed in the second: counts once)
  #7  10-07 15:05Z  AAPL A  win        +10.00  no stop
  #8  10-08 00:30Z  AAPL B  loss        -5.00  R -1     (risk 5×1)    rr 1.0
                                                (NY: 10-07 20:30)
  open: ord-9 NVDA, profit_loss -3.00; one bad line in the 10-07 file.

Equity: 20, 10, 9.5, -20.5, -15.5, 24.5, 34.5, 29.5 → max drawdown -40.50
(peak 20, valley -20.5), longest stretch below the peak 4 trades (#2 .. #10).
Runs (breakevens skipped): W, LL, WWW, L.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from sitegen import Tracker, load_config
from tests.conftest import trade, write_log

FIRST_DAY = [
    trade(
        "2025-10-06T14:00:00Z",
        "AAPL",
        "win",
        "20.00",
        exit="2025-10-06T14:30:00Z",
        price="100",
        stop="99",
        qty=10,
        rr=2.0,
        commission="1.00",
        slippage="0.10",
    ),
    trade(
        "2025-10-06T15:00:00Z",
        "MSFT",
        "loss",
        "-10.00",
        exit="2025-10-06T15:20:00Z",
        strategy="B",
        price="200",
        stop="198",
        qty=5,
        rr=1.5,
        commission="1.00",
        slippage="0.20",
    ),
    trade(
        "2025-10-06T16:00:00Z",
        "AAPL",
        "breakeven",
        "-0.50",
        exit="2025-10-06T16:10:00Z",
        price="50",
        stop="49",
        qty=10,
        commission="0.50",
        profit="0.00",
    ),
    trade(
        "2025-10-06T17:00:00Z",
        "MSFT",
        "loss",
        "-30.00",
        exit="2025-10-06T17:30:00Z",
        strategy="B",
        price="100",
        stop="98",
        qty=10,
        rr=3.0,
        commission="1.00",
    ),
    trade(
        "2025-10-06T18:00:00Z",
        "TSLA",
        "open",
        None,
        order_id="ord-5",
        strategy="C",
        price="100",
        stop="96",
        qty=10,
        profit="12.00",
    ),
]
SECOND_DAY = [
    trade(
        "2025-10-07T02:00:00Z",
        "SPY",
        "win",
        "5.00",
        exit="2025-10-07T02:30:00Z",
        qty=1,
        price="10",
        commission="0.00",
    ),
    trade(
        "2025-10-06T18:00:00Z",
        "TSLA",
        "win",
        "40.00",
        exit="2025-10-07T14:00:00Z",
        order_id="ord-5",
        strategy="C",
        price="100",
        stop="96",
        qty=10,
        rr=2.0,
        commission="1.00",
    ),
    trade(
        "2025-10-07T15:00:00Z",
        "AAPL",
        "win",
        "10.00",
        exit="2025-10-07T15:05:00Z",
        commission="1.00",
    ),
    "this line is not JSON",
    trade("2025-10-07T16:00:00Z", "NVDA", "open", None, order_id="ord-9", profit="-3.00"),
    trade(
        "2025-10-07T23:30:00Z",
        "AAPL",
        "loss",
        "-5.00",
        exit="2025-10-08T00:30:00Z",
        strategy="B",
        price="10",
        stop="5",
        qty=1,
        rr=1.0,
        commission="0.00",
    ),
]


@pytest.fixture
def tracker(logs, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)
    write_log(logs, "2025-10-06", FIRST_DAY)
    write_log(logs, "2025-10-07", SECOND_DAY)

    def make(tz: str = "UTC") -> Tracker:
        return Tracker(load_config(logs_dir=logs, timezone=tz))

    return make


# Fields that do not depend on the time zone for the week.
WEEK_COMMON = {
    "trades_total": 9,
    "trades_closed": 8,
    "trades_open": 1,
    "wins": 4,
    "losses": 3,
    "breakevens": 1,
    "win_rate": "0.500000",
    "net_pnl": "29.50",
    "gross_profit": "75.00",
    "gross_loss": "-45.00",
    "profit_factor": "1.666667",
    "avg_win": "18.750000",
    "avg_loss": "-15.000000",
    "largest_win": "40.00",
    "largest_loss": "-30.00",
    "payoff_ratio": "1.250000",
    "expectancy": "3.687500",
    "avg_risk_reward": "1.900000",
    "avg_r_multiple": "-0.091667",
    "sqn": "-0.165512",
    "r_trades": 6,
    "no_stop_trades": 2,
    "commission_total": "5.50",
    "slippage_total": "0.30",
    "unrealized_pnl": "-3.00",
    "current_streak": {"type": "loss", "count": 1},
    "max_win_streak": 3,
    "max_loss_streak": 2,
    "max_drawdown": "-40.50",
    "max_drawdown_duration_trades": 4,
    "small_sample": True,
    "partial": True,
    "missing_days": [],
    "note": None,
}


def test_weekly_utc_every_metric(tracker):
    s = tracker("UTC").get_summary("weekly", "2025-W41")
    for key, value in WEEK_COMMON.items():
        assert s[key] == value, key
    assert s["start"] == "2025-10-06" and s["end"] == "2025-10-12"
    assert s["daily_pnl"] == {"2025-10-06": "-20.50", "2025-10-07": "55.00", "2025-10-08": "-5.00"}
    assert s["best_day"] == "55.00" and s["best_day_date"] == "2025-10-07"
    assert s["worst_day"] == "-20.50" and s["worst_day_date"] == "2025-10-06"
    assert (s["winning_days"], s["losing_days"]) == (1, 2)
    assert s["sharpe"] == "3.914633"
    assert s["sortino"] == "12.813262"
    # Wilson 95% intervals (z = 1.959964) and expectancy ± t(0.975, n − 1) · s / √n,
    # worked out independently at 50 digits: AAPL 20, -0.50, 10, -5 (mean 6.125, s²
    # 133.729167, t(3) = 3.182446305); MSFT -10, -30 (mean -20, s / √2 = 10, t(1) =
    # 12.706204736); one trade has no spread, so no expectancy interval.
    one = dict.fromkeys(("expectancy_low", "expectancy_high"), "fewer than 2 closed trades")
    assert s["by_symbol"] == [
        {
            "key": "TSLA",
            "trades_closed": 1,
            "wins": 1,
            "win_rate": "1.000000",
            "win_rate_low": "0.206549",
            "win_rate_high": "1.000000",
            "net_pnl": "40.00",
            "expectancy": "40.000000",
            "expectancy_low": None,
            "expectancy_high": None,
            "undefined_reasons": one,
        },
        {
            "key": "AAPL",
            "trades_closed": 4,
            "wins": 2,
            "win_rate": "0.500000",
            "win_rate_low": "0.150039",
            "win_rate_high": "0.849961",
            "net_pnl": "24.50",
            "expectancy": "6.125000",
            "expectancy_low": "-11.669863",
            "expectancy_high": "23.919863",
            "undefined_reasons": {},
        },
        {
            "key": "SPY",
            "trades_closed": 1,
            "wins": 1,
            "win_rate": "1.000000",
            "win_rate_low": "0.206549",
            "win_rate_high": "1.000000",
            "net_pnl": "5.00",
            "expectancy": "5.000000",
            "expectancy_low": None,
            "expectancy_high": None,
            "undefined_reasons": one,
        },
        {
            "key": "MSFT",
            "trades_closed": 2,
            "wins": 0,
            "win_rate": "0.000000",
            "win_rate_low": "0.000000",
            "win_rate_high": "0.657620",
            "net_pnl": "-40.00",
            "expectancy": "-20.000000",
            "expectancy_low": "-147.062047",
            "expectancy_high": "107.062047",
            "undefined_reasons": {},
        },
    ]
    assert [(r["key"], r["net_pnl"]) for r in s["by_strategy"]] == [
        ("C", "40.00"),
        ("A", "34.50"),
        ("B", "-45.00"),
    ]
    dq = s["data_quality"]
    assert dq["skipped_lines"] == 1
    assert dq["problems"][0]["file"] == "2025-10-07.jsonl"
    assert dq["problems"][0]["line"] == 4
    assert dq["superseded"] == 1
    assert s["undefined_reasons"] == {}


def test_weekly_new_york_moves_midnight_trades(tracker):
    s = tracker("America/New_York").get_summary("weekly", "2025-W41")
    for key, value in WEEK_COMMON.items():
        assert s[key] == value, key
    # #10 (02:30Z) lands on 10-06 and #8 (00:30Z on 10-08) on 10-07, local time.
    assert s["daily_pnl"] == {"2025-10-06": "-15.50", "2025-10-07": "45.00"}
    assert s["sharpe"] == "5.473334"
    assert s["sortino"] == "21.363657"
    assert s["timezone"] == "America/New_York"


def test_daily_utc(tracker):
    t = tracker("UTC")
    monday = t.get_summary("daily", "2025-10-06")
    assert (monday["trades_total"], monday["wins"], monday["losses"], monday["breakevens"]) == (
        4,
        1,
        2,
        1,
    )
    assert monday["net_pnl"] == "-20.50"
    assert monday["max_drawdown"] == "-40.50"
    assert monday["current_streak"] == {"type": "loss", "count": 2}
    assert "daily_pnl" not in monday
    assert monday["best_day"] == monday["worst_day"] == "-20.50"
    assert monday["sharpe"] is None
    assert monday["undefined_reasons"]["sharpe"] == "fewer than 2 days in the daily P&L series"
    assert monday["sortino"] == "-15.874508"
    assert monday["partial"] is False
    wednesday = t.get_summary("daily", "2025-10-08")
    assert wednesday["trades_total"] == 1 and wednesday["net_pnl"] == "-5.00"
    assert t.get_summary("daily") == wednesday  # latest period


def test_daily_new_york(tracker):
    t = tracker("America/New_York")
    monday = t.get_summary("daily", "2025-10-06")
    assert monday["trades_closed"] == 5 and monday["net_pnl"] == "-15.50"
    assert monday["current_streak"] == {"type": "win", "count": 1}
    tuesday = t.get_summary("daily", "2025-10-07")
    # Tuesday: #6 +40, #7 +10, #8 -5, and the open NVDA trade.
    assert (tuesday["trades_total"], tuesday["trades_open"]) == (4, 1)
    assert tuesday["net_pnl"] == "45.00"
    assert tuesday["max_drawdown"] == "-5.00"
    assert tuesday["max_drawdown_duration_trades"] == 1
    assert tuesday["partial"] is True  # the bad line is in the 10-07 file
    assert t.get_summary("daily") == tuesday  # no 10-08 in New York


def test_empty_window(tracker, logs):
    # a day inside the data range without trades (no log file: a missing day); a day
    # outside the range has no summary at all (tests/test_summary_cli.py)
    write_log(logs, "2025-10-10", [trade("2025-10-10T14:00:00Z", net="1.00")])
    s = tracker("UTC").get_summary("daily", "2025-10-09")
    assert s["note"] == "No trades in window"
    assert s["missing_days"] == ["2025-10-09"]
    assert s["trades_total"] == 0 and s["net_pnl"] == "0"
    for key in (
        "win_rate",
        "profit_factor",
        "expectancy",
        "avg_win",
        "avg_loss",
        "sqn",
        "payoff_ratio",
        "avg_risk_reward",
        "avg_r_multiple",
        "sharpe",
        "sortino",
    ):
        assert s[key] is None, key
        assert key in s["undefined_reasons"], key
    assert s["current_streak"] == {"type": "none", "count": 0}
    assert s["max_drawdown"] == "0"


def test_monthly_and_all_agree(tracker):
    t = tracker("UTC")
    month = t.get_summary("monthly", "2025-10")
    everything = t.get_summary("all")
    for key in WEEK_COMMON:
        if key not in ("missing_days",):
            assert month[key] == everything[key] == WEEK_COMMON[key], key
    assert everything["start"] == "2025-10-06" and everything["end"] == "2025-10-08"
    # The month's series covers the trading days inside the data range only.
    assert list(month["daily_pnl"]) == ["2025-10-06", "2025-10-07", "2025-10-08"]


def test_targets_variance(tracker):
    s = tracker("UTC").get_summary("weekly", "2025-W41")
    targets = s["targets"]
    assert targets["win_rate_target"] == {
        "metric": "win_rate",
        "actual": "50.000000",
        "target": "50",
        "variance": "0.000000",
        "met": True,
    }
    # 29.50 over the 3 days of the series
    assert targets["daily_pl_target"]["actual"] == "9.833333"
    assert targets["max_drawdown_target"]["met"] is True
    assert targets["avg_risk_reward_target"]["variance"] == "0.400000"


def test_missing_day_makes_windows_partial(logs, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_log(logs, "2025-10-06", FIRST_DAY[:1])
    write_log(logs, "2025-10-08", FIRST_DAY[1:2])  # 10-07 (a Tuesday) has no file
    t = Tracker(load_config(logs_dir=logs))
    week = t.get_summary("weekly", "2025-W41")
    assert week["partial"] is True and week["missing_days"] == ["2025-10-07"]
    assert t.get_summary("daily", "2025-10-07")["missing_days"] == ["2025-10-07"]
    assert t.get_summary("daily", "2025-10-06")["partial"] is False


def test_holiday_is_not_missing(logs, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_log(logs, "2025-10-06", FIRST_DAY[:1])
    write_log(logs, "2025-10-08", FIRST_DAY[1:2])
    t = Tracker(load_config(logs_dir=logs, holidays=["2025-10-07"]))
    week = t.get_summary("weekly", "2025-W41")
    assert week["partial"] is False
    assert list(week["daily_pnl"]) == ["2025-10-06", "2025-10-08"]


def test_closed_trade_without_pnl_counts_zero(logs, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_log(logs, "2025-10-06", [trade("2025-10-06T14:00:00Z", outcome="loss", net=None)])
    s = Tracker(load_config(logs_dir=logs)).get_summary("daily", "2025-10-06")
    assert s["losses"] == 1 and s["net_pnl"] == "0" and s["largest_loss"] == "0"
    assert s["data_quality"]["missing_pnl"] == [
        {"file": "2025-10-06.jsonl", "line": 1, "order_id": None}
    ]


def test_profit_loss_used_when_net_missing(logs, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    record = trade("2025-10-06T14:00:00Z", net=None, profit="7.25")
    write_log(logs, "2025-10-06", [record])
    s = Tracker(load_config(logs_dir=logs)).get_summary("daily", "2025-10-06")
    assert s["net_pnl"] == "7.25" and s["data_quality"]["missing_pnl"] == []


def test_json_numbers_are_exact(logs, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lines = [
        '{"timestamp":"2025-10-06T14:00:00Z","symbol":"X","outcome":"win","net_profit_loss":0.1}',
        '{"timestamp":"2025-10-06T15:00:00Z","symbol":"X","outcome":"win","net_profit_loss":0.2}',
    ]
    write_log(logs, "2025-10-06", lines)
    s = Tracker(load_config(logs_dir=logs)).get_summary("daily", "2025-10-06")
    assert Decimal(s["net_pnl"]) == Decimal("0.3")
    assert s["net_pnl"] == "0.3"


def test_profit_factor_reason_without_losses(logs, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_log(logs, "2025-10-06", [trade("2025-10-06T14:00:00Z", net="5")])
    s = Tracker(load_config(logs_dir=logs)).get_summary("daily", "2025-10-06")
    assert s["profit_factor"] is None
    assert s["undefined_reasons"]["profit_factor"] == "no losing trades"
    assert s["undefined_reasons"]["avg_loss"] == "no losing trades"
