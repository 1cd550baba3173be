"""Self-checks of the reference oracle (tests/oracle.py) on hand-computed fixtures.

Every expected number below is worked out by hand in the comments; none of it
comes from the oracle or from sitegen.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

try:
    import oracle
except ImportError:  # tests/ became a package
    from tests import oracle


def trade(ts: str, symbol: str, outcome: str, pnl: str | None = None, **extra) -> dict:
    record = {"timestamp": ts, "symbol": symbol, "outcome": outcome}
    if pnl is not None:
        record["profit_loss"] = pnl
    record.update(extra)
    return record


def write_log(logs: Path, day: str, lines: list, tail: str | None = None) -> None:
    """One line per item (dicts as JSON), each ending in \\n; ``tail`` without newline."""
    text = "".join((json.dumps(x) if isinstance(x, dict) else x) + "\n" for x in lines)
    if tail is not None:
        text += tail
    (logs / f"{day}.jsonl").write_text(text, encoding="utf-8")


def assert_fields(summary: dict, **expected) -> None:
    for key, value in expected.items():
        assert summary[key] == value, f"{key}: {summary[key]!r} != {value!r}"


def assert_well_formatted(result: dict) -> None:
    for key, summary in result.items():
        assert oracle.check_format(summary) == [], key


# ---------------------------------------------------------------------------
# Core metrics on one day
# ---------------------------------------------------------------------------


@pytest.fixture
def core_logs(tmp_path: Path) -> Path:
    d = "2025-10-06T"  # a Monday
    t1 = trade(
        d + "13:00:00Z", "AAPL", "win", "100.00", exit_timestamp=d + "14:01:00Z",
        price="100", stop_loss="99", quantity=50, risk_reward_ratio=2.0,
        strategy_name="s1", commission="1.00", slippage="0.02", order_id="o1",
    )  # fmt: skip
    # t2 is entered before t1 but exits after it: order is by exit time.
    t2 = trade(
        d + "12:00:00Z", "AAPL", "loss", "-50.00", exit_timestamp=d + "14:02:00Z",
        price="100", stop_loss="99", quantity=50, risk_reward_ratio="1.5",
        strategy_name="s1", commission="1.00", order_id="o2",
    )  # fmt: skip
    t3 = trade(
        d + "13:03:00Z", "MSFT", "loss", "-30.00", exit_timestamp=d + "14:03:00Z",
        price="50", stop_loss="49.5", quantity=60, strategy_name="s1", commission="1.00",
    )  # fmt: skip
    t4 = trade(
        d + "13:04:00Z", "MSFT", "breakeven", "0.00", exit_timestamp=d + "14:04:00Z",
        price="10", stop_loss="9", quantity=10, strategy_name="s2", commission="0.50",
    )  # fmt: skip
    t5 = trade(
        d + "13:05:00Z", "NVDA", "win", "201.00", net_profit_loss="200.00",
        exit_timestamp=d + "14:05:00Z", price="20", stop_loss="19", quantity=100,
        risk_reward_ratio=3, strategy_name="s2", commission="1.00", slippage="0.03",
    )  # fmt: skip
    t6 = trade(
        d + "13:06:00Z", "NVDA", "win", "20.00", exit_timestamp=d + "14:06:00Z",
        price="20", quantity=10, strategy_name="s2", commission="1.00",
    )  # fmt: skip
    t7 = trade(
        d + "13:07:00Z", "TSLA", "loss", "-40.00", exit_timestamp=d + "14:07:00Z",
        price="30", stop_loss="30", quantity=10, commission="1.00",
    )  # fmt: skip
    t8 = trade(
        d + "14:08:00Z", "AMD", "open", "15.50", risk_reward_ratio=4,
        strategy_name="s1", commission="9.99", price="5", stop_loss="4", quantity=1,
    )  # fmt: skip
    # Lines deliberately out of time order.
    write_log(tmp_path, "2025-10-06", [t3, t1, t8, t2, t5, t4, t7, t6])
    # Files that are not trade logs are never read.
    (tmp_path / "performance-alerts.jsonl").write_text(json.dumps(t1) + "\n")
    (tmp_path / "2025-10-07.jsonl.bak").write_text(json.dumps(t1) + "\n")
    (tmp_path / "2025-13-45.jsonl").write_text(json.dumps(t1) + "\n")
    return tmp_path


def test_core_metrics(core_logs: Path) -> None:
    result = oracle.compute(core_logs)
    assert set(result) == {
        ("daily", "2025-10-06"),
        ("weekly", "2025-W41"),
        ("monthly", "2025-10"),
        ("all", "all"),
    }
    assert_well_formatted(result)
    s = result[("daily", "2025-10-06")]
    # Closed in exit order: t1 +100 W, t2 -50 L, t3 -30 L, t4 0 B, t5 +200 W (net),
    # t6 +20 W, t7 -40 L; t8 open.
    assert_fields(
        s,
        schema_version=1,
        window="daily",
        period="2025-10-06",
        start="2025-10-06",
        end="2025-10-06",
        timezone="UTC",
        partial=False,
        missing_days=[],
        small_sample=True,
        note=None,
        trades_total=8,
        trades_closed=7,
        trades_open=1,
        wins=3,
        losses=3,
        breakevens=1,
        win_rate="0.428571",  # 3/7
        net_pnl="200.00",  # 100-50-30+0+200+20-40
        gross_profit="320.00",
        gross_loss="-120.00",
        profit_factor="2.666667",  # 320/120
        avg_win="106.666667",  # 320/3
        avg_loss="-40.000000",  # -120/3
        largest_win="200.00",
        largest_loss="-50.00",
        payoff_ratio="2.666667",  # (320/3)/40
        expectancy="28.571429",  # 200/7
        avg_risk_reward="2.166667",  # (2 + 1.5 + 3)/3; the open trade's 4 is ignored
        # R: t1 100/(1*50)=2, t2 -1, t3 -30/(0.5*60)=-1, t4 0, t5 200/(1*100)=2;
        # t6 has no stop, t7 price == stop.
        r_trades=5,
        no_stop_trades=2,
        avg_r_multiple="0.400000",
        # mean 0.4, sample var (1.6²+1.4²+1.4²+0.4²+1.6²)/4 = 2.3,
        # sqn = √5 · 0.4 / √2.3 = 0.58976782...
        sqn="0.589768",
        commission_total="6.50",  # 6 × 1.00 + 0.50 (open trade excluded)
        slippage_total="0.05",
        unrealized_pnl="15.50",
        # W L L (B) W W L
        current_streak={"type": "loss", "count": 1},
        max_win_streak=2,
        max_loss_streak=2,
        # equity 100 50 20 20 220 240 200, peak 100 100 100 100 220 240 240
        max_drawdown="-80.00",
        max_drawdown_duration_trades=3,  # t2, t3, t4 below the peak of 100
        best_day="200.00",
        worst_day="200.00",
        best_day_date="2025-10-06",
        worst_day_date="2025-10-06",
        winning_days=1,
        losing_days=0,
        sharpe=None,  # one day
        sortino=None,  # no negative day
    )
    assert "daily_pnl" not in s
    # 95% intervals, worked out independently at 50 digits (Wilson, z = 1.959964;
    # mean ± t · s / √n with t(0.975, 1) = 12.706204736, t(0.975, 2) = 4.302652730)
    one = dict.fromkeys(("expectancy_low", "expectancy_high"), "fewer than 2 closed trades")

    def row(key, n, wins, rate, net, wilson, t_interval) -> dict:
        return {
            "key": key,
            "trades_closed": n,
            "wins": wins,
            "win_rate": rate,
            "win_rate_low": wilson[0],
            "win_rate_high": wilson[1],
            "net_pnl": net,
            "expectancy": f"{Decimal(net) / n:.6f}",  # exact here: n divides into 6 places
            "expectancy_low": t_interval[0] if t_interval else None,
            "expectancy_high": t_interval[1] if t_interval else None,
            "undefined_reasons": {} if t_interval else one,
        }

    assert s["by_symbol"] == [
        # 200, 20 | 100, -50 | -30, 0 | -40
        row("NVDA", 2, 2, "1.000000", "220.00", ("0.342380", "1.000000"),
            ("-1033.558426", "1253.558426")),
        row("AAPL", 2, 1, "0.500000", "50.00", ("0.094531", "0.905469"),
            ("-927.965355", "977.965355")),
        row("MSFT", 2, 0, "0.000000", "-30.00", ("0.000000", "0.657620"),
            ("-205.593071", "175.593071")),
        row("TSLA", 1, 0, "0.000000", "-40.00", ("0.000000", "0.793451"), None),
    ]  # fmt: skip
    assert s["by_strategy"] == [
        # 0, 200, 20 | 100, -50, -30 | -40
        row("s2", 3, 2, "0.666667", "220.00", ("0.207660", "0.938508"),
            ("-200.297941", "346.964607")),
        row("s1", 3, 1, "0.333333", "20.00", ("0.061492", "0.792340"),
            ("-195.654620", "208.987954")),
        row("(none)", 1, 0, "0.000000", "-40.00", ("0.000000", "0.793451"), None),
    ]  # fmt: skip

    week = result[("weekly", "2025-W41")]
    assert week["start"] == "2025-10-06" and week["end"] == "2025-10-12"
    # Data range is the single day 2025-10-06: no other day of the week is listed.
    assert week["daily_pnl"] == {"2025-10-06": "200.00"}
    assert week["net_pnl"] == "200.00" and week["max_drawdown"] == "-80.00"
    month = result[("monthly", "2025-10")]
    assert (month["start"], month["end"]) == ("2025-10-01", "2025-10-31")
    everything = result[("all", "all")]
    assert (everything["start"], everything["end"]) == ("2025-10-06", "2025-10-06")
    # Same trades, same metrics in every window.
    for other in (week, month, everything):
        for key in ("trades_total", "win_rate", "sqn", "by_symbol", "current_streak"):
            assert other[key] == s[key]


def test_sorting_ties_in_by_symbol(tmp_path: Path) -> None:
    # B and A both net 5.00 -> key order; C 7.00 first.
    write_log(
        tmp_path,
        "2025-10-06",
        [
            trade("2025-10-06T10:00:00Z", "B", "win", "5.00"),
            trade("2025-10-06T10:01:00Z", "C", "win", "7.00"),
            trade("2025-10-06T10:02:00Z", "A", "win", "5"),
        ],
    )
    rows = oracle.compute(tmp_path)[("daily", "2025-10-06")]["by_symbol"]
    assert [row["key"] for row in rows] == ["C", "A", "B"]


# ---------------------------------------------------------------------------
# Daily P&L series, Sharpe, Sortino, empty day
# ---------------------------------------------------------------------------


@pytest.fixture
def week_logs(tmp_path: Path) -> Path:
    write_log(tmp_path, "2025-10-06", [trade("2025-10-06T15:00:00Z", "AAPL", "win", "100.00")])
    write_log(tmp_path, "2025-10-07", [trade("2025-10-07T15:00:00Z", "AAPL", "loss", "-50.00")])
    write_log(tmp_path, "2025-10-08", [])  # file present, no trades
    write_log(tmp_path, "2025-10-09", [trade("2025-10-09T15:00:00Z", "MSFT", "win", "30.00")])
    write_log(tmp_path, "2025-10-10", [trade("2025-10-10T15:00:00Z", "MSFT", "loss", "-20.00")])
    write_log(tmp_path, "2025-10-11", [trade("2025-10-11T15:00:00Z", "MSFT", "win", "40.00")])
    return tmp_path


def test_weekly_series_sharpe_sortino(week_logs: Path) -> None:
    result = oracle.compute(week_logs)
    assert_well_formatted(result)
    days = [f"2025-10-{d:02d}" for d in range(6, 12)]
    assert set(result) == {("daily", d) for d in days} | {
        ("weekly", "2025-W41"),
        ("monthly", "2025-10"),
        ("all", "all"),
    }
    week = result[("weekly", "2025-W41")]
    # Mon..Fri are trading days in range; Saturday has a closed trade; Sunday is
    # outside the data range (and not a trading day).
    series = {
        "2025-10-06": "100.00",
        "2025-10-07": "-50.00",
        "2025-10-08": "0",
        "2025-10-09": "30.00",
        "2025-10-10": "-20.00",
        "2025-10-11": "40.00",
    }
    assert week["daily_pnl"] == series
    assert list(week["daily_pnl"]) == list(series)
    # mean 100/6; sample stdev 52.4086...; sharpe = mean/stdev·√252 = 5.0483103
    # downside √((2500+400)/6) = 21.98484; sortino = 16.6667/21.98484·√252 = 12.0344334
    assert_fields(
        week,
        net_pnl="100.00",
        best_day="100.00",
        best_day_date="2025-10-06",
        worst_day="-50.00",
        worst_day_date="2025-10-07",
        winning_days=3,
        losing_days=2,
        sharpe="5.048310",
        sortino="12.034433",
        # equity 100 50 80 60 100 (peak 100): Tue, Thu, Fri below the peak
        max_drawdown="-50.00",
        max_drawdown_duration_trades=3,
        current_streak={"type": "win", "count": 1},
        max_win_streak=1,
        max_loss_streak=1,
        partial=False,
        missing_days=[],
    )
    month = result[("monthly", "2025-10")]
    assert month["daily_pnl"] == series
    assert month["sharpe"] == "5.048310"
    assert result[("all", "all")]["daily_pnl"] == series
    assert (result[("all", "all")]["start"], result[("all", "all")]["end"]) == (
        "2025-10-06",
        "2025-10-11",
    )


def test_empty_weekday_window(week_logs: Path) -> None:
    wed = oracle.compute(week_logs)[("daily", "2025-10-08")]
    assert_fields(
        wed,
        trades_total=0,
        trades_closed=0,
        trades_open=0,
        note="No trades in window",
        small_sample=True,
        partial=False,
        win_rate=None,
        net_pnl="0",
        gross_profit="0",
        gross_loss="0",
        profit_factor=None,
        avg_win=None,
        avg_loss=None,
        largest_win=None,
        largest_loss=None,
        payoff_ratio=None,
        expectancy=None,
        avg_risk_reward=None,
        avg_r_multiple=None,
        sqn=None,
        r_trades=0,
        no_stop_trades=0,
        unrealized_pnl="0",
        current_streak={"type": "none", "count": 0},
        max_win_streak=0,
        max_loss_streak=0,
        max_drawdown="0",
        max_drawdown_duration_trades=0,
        # the series is the one trading day, valued 0
        best_day="0",
        worst_day="0",
        best_day_date="2025-10-08",
        winning_days=0,
        losing_days=0,
        sharpe=None,
        sortino=None,
        by_symbol=[],
        by_strategy=[],
    )


def test_daily_sortino_on_one_losing_day(week_logs: Path) -> None:
    tue = oracle.compute(week_logs)[("daily", "2025-10-07")]
    # mean -50 / √(2500/1) · √252 = -√252 = -15.8745078...
    assert_fields(tue, sortino="-15.874508", sharpe=None, losing_days=1, worst_day="-50.00")


# ---------------------------------------------------------------------------
# Identity resolution
# ---------------------------------------------------------------------------


def test_identity_supersede_across_files(tmp_path: Path) -> None:
    write_log(
        tmp_path,
        "2025-10-06",
        [
            trade("2025-10-06T15:00:00Z", "AAPL", "open", "5.00", order_id="o1"),
            trade("2025-10-06T16:00:00Z", "MSFT", "win", "10.00"),  # no order_id ...
            trade("2025-10-06T16:00:00Z", "MSFT", "win", "10.00"),  # ... so both count
            trade("2025-10-06T17:00:00Z", "NVDA", "win", "7.00", order_id="o2"),
            trade("2025-10-06T17:00:00Z", "NVDA", "loss", "-3.00", order_id="o2"),  # wins
            trade("2025-10-06T18:00:00Z", "AMD", "open", "1.00", order_id=99),
        ],
    )
    write_log(
        tmp_path,
        "2025-10-07",
        [
            trade(
                "2025-10-06T15:00:00Z",
                "AAPL",
                "win",
                "25.00",
                order_id="o1",
                exit_timestamp="2025-10-07T14:00:00Z",
            ),
            trade("2025-10-07T15:00:00Z", "AMD", "win", "1.00", order_id=99),
            trade("2025-10-07T16:00:00Z", "TSLA", "loss", "-1.00", order_id=""),
            trade("2025-10-07T16:00:00Z", "TSLA", "loss", "-1.00", order_id=""),
        ],
    )
    result = oracle.compute(tmp_path)
    mon = result[("daily", "2025-10-06")]
    # MSFT 10 + MSFT 10 + o2 (-3); o1 and 99 moved to Tuesday as closed trades.
    assert_fields(
        mon, trades_total=3, trades_open=0, wins=2, losses=1, net_pnl="17.00", unrealized_pnl="0"
    )
    tue = result[("daily", "2025-10-07")]
    # o1 25 + 99 1 + two distinct "" records -1 each
    assert_fields(tue, trades_total=4, trades_closed=4, wins=2, losses=2, net_pnl="24.00")
    everything = result[("all", "all")]
    assert_fields(everything, trades_total=7, trades_closed=7, trades_open=0, net_pnl="41.00")


# ---------------------------------------------------------------------------
# Time zones
# ---------------------------------------------------------------------------


@pytest.fixture
def tz_logs(tmp_path: Path) -> Path:
    write_log(
        tmp_path,
        "2025-10-07",
        [
            # exit at 02:00Z = 22:00 EDT on Monday 6 October
            trade(
                "2025-10-07T01:00:00Z",
                "AAPL",
                "win",
                "10.00",
                exit_timestamp="2025-10-07T02:00:00Z",
            ),
            # no offset = UTC: 03:00Z = 23:00 EDT on the 6th
            trade("2025-10-07T03:00:00", "AMD", "open", "2.50"),
            # 10:30-04:00 = 14:30Z: the 7th everywhere
            trade(
                "2025-10-07T13:00:00Z",
                "MSFT",
                "loss",
                "-4.00",
                exit_timestamp="2025-10-07T10:30:00-04:00",
            ),
            # 01:30+02:00 = 23:30Z on the 7th = 19:30 EDT on the 7th
            trade(
                "2025-10-07T20:00:00Z",
                "NVDA",
                "win",
                "6.00",
                exit_timestamp="2025-10-08T01:30:00+02:00",
            ),
        ],
    )
    return tmp_path


def test_previous_day_in_new_york(tz_logs: Path) -> None:
    result = oracle.compute(tz_logs, tz="America/New_York")
    assert set(result) == {
        ("daily", "2025-10-06"),
        ("daily", "2025-10-07"),
        ("weekly", "2025-W41"),
        ("monthly", "2025-10"),
        ("all", "all"),
    }
    mon = result[("daily", "2025-10-06")]
    assert_fields(
        mon,
        timezone="America/New_York",
        trades_total=2,
        trades_closed=1,
        trades_open=1,
        net_pnl="10.00",
        unrealized_pnl="2.50",
        partial=False,
        missing_days=[],
    )
    tue = result[("daily", "2025-10-07")]
    assert_fields(tue, trades_total=2, net_pnl="2.00", current_streak={"type": "win", "count": 1})
    week = result[("weekly", "2025-W41")]
    assert week["daily_pnl"] == {"2025-10-06": "10.00", "2025-10-07": "2.00"}
    assert result[("all", "all")]["start"] == "2025-10-06"

    utc = oracle.compute(tz_logs)
    assert [k for k in utc if k[0] == "daily"] == [("daily", "2025-10-07")]
    assert_fields(utc[("daily", "2025-10-07")], trades_total=4, net_pnl="12.00")


# ---------------------------------------------------------------------------
# Missing days, holidays, partial windows
# ---------------------------------------------------------------------------


@pytest.fixture
def gap_logs(tmp_path: Path) -> Path:
    for day in ("2025-10-06", "2025-10-08", "2025-10-10"):
        write_log(tmp_path, day, [trade(day + "T15:00:00Z", "AAPL", "win", "1.00")])
    return tmp_path


def test_missing_day_makes_windows_partial(gap_logs: Path) -> None:
    result = oracle.compute(gap_logs, holidays=frozenset({date(2025, 10, 9)}))
    tue = result[("daily", "2025-10-07")]
    assert_fields(
        tue,
        partial=True,
        missing_days=["2025-10-07"],
        trades_total=0,
        best_day="0",
        best_day_date="2025-10-07",
    )
    assert_fields(result[("daily", "2025-10-06")], partial=False, missing_days=[])
    # Thursday is a holiday without trades: not missing, empty daily series.
    thu = result[("daily", "2025-10-09")]
    assert_fields(
        thu,
        partial=False,
        missing_days=[],
        best_day=None,
        worst_day=None,
        best_day_date=None,
        winning_days=0,
        sortino=None,
    )
    week = result[("weekly", "2025-W41")]
    assert_fields(week, partial=True, missing_days=["2025-10-07"])
    assert week["daily_pnl"] == {
        "2025-10-06": "1.00",
        "2025-10-07": "0",
        "2025-10-08": "1.00",
        "2025-10-10": "1.00",
    }
    assert result[("all", "all")]["partial"] is True

    no_holidays = oracle.compute(gap_logs)
    assert no_holidays[("weekly", "2025-W41")]["missing_days"] == ["2025-10-07", "2025-10-09"]
    assert no_holidays[("daily", "2025-10-09")]["best_day"] == "0"


def test_holiday_with_closed_trade_is_in_series(tmp_path: Path) -> None:
    write_log(
        tmp_path,
        "2025-10-08",
        [
            trade("2025-10-08T15:00:00Z", "A", "win", "1.00"),
            trade("2025-10-08T16:00:00Z", "A", "win", "2.00", exit_timestamp="2025-10-09T15:00Z"),
        ],
    )
    result = oracle.compute(tmp_path, holidays=frozenset({date(2025, 10, 9)}))
    assert result[("weekly", "2025-W41")]["daily_pnl"] == {
        "2025-10-08": "1.00",
        "2025-10-09": "2.00",
    }
    assert result[("daily", "2025-10-09")]["best_day"] == "2.00"


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


def test_bad_lines_and_write_in_progress(tmp_path: Path) -> None:
    ts = "2025-10-06T15:00:00Z"
    write_log(
        tmp_path,
        "2025-10-06",
        [
            trade(ts, "AAPL", "win", "5.00", order_id="o5"),
            "not json",
            "[1, 2]",
            json.dumps({"timestamp": ts, "outcome": "win"}),  # no symbol
            json.dumps(trade(ts, "AAPL", "WIN", "1")),  # outcome case
            json.dumps(trade(ts, "AAPL", "win", "1", price="NaN")),
            '{"timestamp": "' + ts + '", "symbol": "A", "outcome": "win", "profit_loss": NaN}',
            json.dumps(trade(ts, "AAPL", "win", "1000000000000000")),  # 10^15
            json.dumps(trade(ts, "AAPL", "win", "1", commission=[1])),
            "",
            "   ",
            json.dumps(trade("yesterday", "AAPL", "win", "1")),
            json.dumps(trade(ts, "AAPL", "win", "1", exit_timestamp="soon")),
            trade("2025-10-06T16:00:00Z", "MSFT", "loss", "-2.00"),
        ],
        tail=json.dumps(trade(ts, "AAPL", "win", "100.00")),  # no newline: not counted
    )
    # Only an in-progress last line beyond one good line: not partial; the
    # unfinished record does not supersede o5.
    write_log(
        tmp_path,
        "2025-10-07",
        [trade("2025-10-07T15:00:00Z", "AAPL", "win", "1.00")],
        tail=json.dumps(trade("2025-10-07T16:00:00Z", "AAPL", "loss", "-100", order_id="o5")),
    )
    # BOM and CRLF are fine.
    crlf = "".join(
        json.dumps(trade(f"2025-10-08T1{i}:00:00Z", "AAPL", "win", "2.00")) + "\r\n"
        for i in range(2)
    )
    (tmp_path / "2025-10-08.jsonl").write_bytes(("\ufeff" + crlf).encode("utf-8"))
    # Non-UTF-8 file: skipped entirely, reported as a problem.
    bad = json.dumps(trade("2025-10-09T15:00:00Z", "AAPL", "win", "9.00")) + "\n"
    (tmp_path / "2025-10-09.jsonl").write_bytes(bad.encode("utf-8") + b"\xff\xfe\n")

    result = oracle.compute(tmp_path)
    mon = result[("daily", "2025-10-06")]
    assert_fields(mon, trades_total=2, net_pnl="3.00", partial=True, missing_days=[])
    tue = result[("daily", "2025-10-07")]
    assert_fields(tue, trades_total=1, net_pnl="1.00", partial=False)
    wed = result[("daily", "2025-10-08")]
    assert_fields(wed, trades_total=2, net_pnl="4.00", partial=False)
    # the all-bad file is reported (its week is partial) but does not stretch the range
    assert ("daily", "2025-10-09") not in result
    assert result[("weekly", "2025-W41")]["partial"] is True
    assert result[("all", "all")]["end"] == "2025-10-08"
    assert result[("all", "all")]["net_pnl"] == "8.00"  # o5 5.00 stays a win

    data = oracle.load(tmp_path)
    assert [(p.file_date.day, p.line) for p in data.problems] == [
        (6, line) for line in range(2, 14)
    ] + [(9, 0)]
    assert data.in_progress == [(date(2025, 10, 6), 15), (date(2025, 10, 7), 2)]


# ---------------------------------------------------------------------------
# Exactness, formatting, ordering rules
# ---------------------------------------------------------------------------


def test_exact_money_and_no_negative_zero(tmp_path: Path) -> None:
    lines = [
        '{"timestamp":"2025-10-06T10:00:00Z","symbol":"A","outcome":"win","profit_loss":0.1}',
        '{"timestamp":"2025-10-06T10:01:00Z","symbol":"A","outcome":"win","profit_loss":0.2}',
        json.dumps(trade("2025-10-06T10:02:00Z", "A", "breakeven", "-0.00")),
        json.dumps(trade("2025-10-06T10:03:00Z", "A", "loss", "-0.30")),
        json.dumps(trade("2025-10-06T10:04:00Z", "A", "win")),  # no P&L: counts as 0
    ]
    write_log(tmp_path, "2025-10-06", lines)
    result = oracle.compute(tmp_path)
    assert_well_formatted(result)
    s = result[("daily", "2025-10-06")]
    # equity 0.1 0.3 0.30 0.00 0.00; peak 0.3 from the second trade
    assert_fields(
        s,
        trades_closed=5,
        net_pnl="0.00",
        gross_profit="0.3",
        gross_loss="-0.30",
        expectancy="0.000000",
        largest_win="0.2",
        max_drawdown="-0.30",
        max_drawdown_duration_trades=2,
        best_day="0.00",
        winning_days=0,
        losing_days=0,
        profit_factor="1.000000",
    )


def test_time_ties_by_file_then_line(tmp_path: Path) -> None:
    at = "2025-10-07T10:00:00Z"
    write_log(
        tmp_path, "2025-10-06", [trade("2025-10-06T09:00Z", "X", "loss", "-10", exit_timestamp=at)]
    )
    write_log(
        tmp_path,
        "2025-10-07",
        [
            trade("2025-10-07T09:00Z", "X", "win", "10", exit_timestamp=at),
            trade("2025-10-07T09:00Z", "X", "win", "5", exit_timestamp=at),
            trade("2025-10-07T09:00Z", "X", "loss", "-1", exit_timestamp=at),
        ],
    )  # fmt: skip
    s = oracle.compute(tmp_path)[("daily", "2025-10-07")]
    # L W W L; equity -10 0 5 4, peak 0 0 5 5
    assert_fields(
        s,
        current_streak={"type": "loss", "count": 1},
        max_win_streak=2,
        max_loss_streak=1,
        max_drawdown="-10",
        max_drawdown_duration_trades=1,
    )


def test_breakevens_neither_extend_nor_break_streaks(tmp_path: Path) -> None:
    pnls = [("win", "5"), ("breakeven", "0"), ("win", "5"), ("breakeven", "0"),
            ("loss", "-3"), ("loss", "-3"), ("breakeven", "0")]  # fmt: skip
    write_log(
        tmp_path,
        "2025-10-06",
        [trade(f"2025-10-06T10:0{i}:00Z", "A", o, p) for i, (o, p) in enumerate(pnls)],
    )
    s = oracle.compute(tmp_path)[("daily", "2025-10-06")]
    # equity 5 5 10 10 7 4 4, peak 5 5 10 10 10 10 10
    assert_fields(
        s,
        current_streak={"type": "loss", "count": 2},
        max_win_streak=2,
        max_loss_streak=2,
        max_drawdown="-6",
        max_drawdown_duration_trades=3,
        breakevens=3,
        win_rate="0.285714",  # 2/7
    )


def test_empty_logs_dir(tmp_path: Path) -> None:
    assert oracle.compute(tmp_path) == {}


def test_sqn_exact_when_root_is_rational(tmp_path: Path) -> None:
    # R = 1, 3 (risk 1 each): mean 2, sample var 2, sqn = √2·2/√2 = 2 exactly.
    write_log(
        tmp_path,
        "2025-10-06",
        [
            trade("2025-10-06T10:00:00Z", "A", "win", "1", price="2", stop_loss="1", quantity=1),
            trade("2025-10-06T10:01:00Z", "A", "win", "3", price="1", stop_loss="2", quantity=1),
        ],
    )
    assert oracle.compute(tmp_path)[("daily", "2025-10-06")]["sqn"] == "2.000000"


# ---------------------------------------------------------------------------
# diff / equal / check_format
# ---------------------------------------------------------------------------


def test_diff_helper(core_logs: Path) -> None:
    expected = oracle.compute(core_logs)[("weekly", "2025-W41")]
    actual = json.loads(json.dumps(expected))
    actual["targets"] = {}  # extra top-level fields are ignored
    actual["profit_factor"] = "2.6666670"  # same decimal value
    actual["net_pnl"] = "200"
    assert oracle.equal(expected, actual)
    assert oracle.diff(expected, actual) == []

    actual["win_rate"] = "0.428572"
    actual["by_symbol"][1]["net_pnl"] = "51.00"
    actual["trades_total"] = True
    del actual["sqn"]
    actual["daily_pnl"] = {"2025-10-06": "200.0", "2025-10-07": "0"}
    problems = oracle.diff(expected, actual)
    joined = "\n".join(problems)
    assert "win_rate: expected '0.428571', actual '0.428572'" in joined
    assert "by_symbol[1].net_pnl: expected '50.00', actual '51.00'" in joined
    assert "trades_total: expected 8, actual True" in joined
    assert "sqn: missing in actual" in joined
    assert "daily_pnl.2025-10-07: unexpected in actual" in joined
    assert len(problems) == 5
    assert not oracle.equal(expected, actual)

    # undefined_reasons must name exactly the null metrics
    reasons = {"sharpe": "fewer than 2 days", "sortino": "no losing day"}
    fine = dict(expected, undefined_reasons=reasons)
    assert oracle.diff(expected, fine) == []
    assert oracle.diff(expected, dict(expected, undefined_reasons={"sharpe": "x"})) == [
        "undefined_reasons.sortino: missing for null metric"
    ]

    assert oracle.check_format(dict(expected, win_rate="0.43", net_pnl="-0.00")) == [
        "win_rate: badly formatted '0.43'",
        "net_pnl: negative zero '-0.00'",
    ]


# ---------------------------------------------------------------------------
# Internal consistency on a random data set
# ---------------------------------------------------------------------------


def test_invariants_on_random_logs(tmp_path: Path) -> None:
    rng = random.Random(20251010)
    start = datetime(2025, 9, 25, tzinfo=UTC)
    for day_index in range(26):
        day = start + timedelta(days=day_index)
        if rng.random() < 0.15:
            continue  # some days have no file at all
        records = []
        for _ in range(rng.randint(0, 12)):
            ts = day + timedelta(minutes=rng.randint(0, 24 * 60 - 1))
            outcome = rng.choice(["win", "loss", "breakeven", "open"])
            pnl = {"win": 1, "loss": -1, "breakeven": 0, "open": rng.choice([1, -1])}[outcome]
            record = trade(
                ts.isoformat().replace("+00:00", "Z"),
                rng.choice(["AAPL", "MSFT", "NVDA"]),
                outcome,
                f"{pnl * rng.randint(0, 50000) / 100:.2f}",
                order_id=f"o{rng.randint(0, 150)}" if rng.random() < 0.7 else None,
                price="100",
                stop_loss=rng.choice(["99", "98.5", None]),
                quantity=rng.randint(1, 20),
            )
            if outcome != "open":
                record["exit_timestamp"] = (ts + timedelta(minutes=rng.randint(1, 600))).isoformat()
            records.append(record)
        write_log(tmp_path, day.date().isoformat(), records)

    result = oracle.compute(tmp_path, tz="America/New_York")
    assert_well_formatted(result)
    everything = result[("all", "all")]
    assert everything["trades_total"] > 50
    for window in ("daily", "weekly", "monthly"):
        parts = [s for (w, _), s in result.items() if w == window]
        for field in ("trades_total", "trades_closed", "wins", "losses", "r_trades"):
            assert sum(s[field] for s in parts) == everything[field], (window, field)
        assert sum(Decimal(s["net_pnl"]) for s in parts) == Decimal(everything["net_pnl"])
    for (window, period), s in result.items():
        assert s["wins"] + s["losses"] + s["breakevens"] == s["trades_closed"]
        assert s["trades_closed"] + s["trades_open"] == s["trades_total"]
        assert s["r_trades"] + s["no_stop_trades"] == s["trades_closed"]
        assert Decimal(s["max_drawdown"]) <= 0
        net = Decimal(s["net_pnl"])
        assert sum(Decimal(r["net_pnl"]) for r in s["by_symbol"]) == net
        assert sum(r["trades_closed"] for r in s["by_strategy"]) == s["trades_closed"]
        if window != "daily":
            assert sum(Decimal(v) for v in s["daily_pnl"].values()) == net, period
            assert list(s["daily_pnl"]) == sorted(s["daily_pnl"])
        elif s["best_day"] is not None:
            assert Decimal(s["best_day"]) == net
