"""Report depth pinned on small fixtures computed by hand: the breakdown grid, hold-time
and R buckets on their boundaries, costs, planned R:R against realised R, and the
drawdowns of end-of-day equity with the edge cases that bit other tools.

The week fixture (UTC, ISO week 2025-W41; P&L = net_profit_loss):

  day  #  side    symbol  outcome    P&L    gross   R  planned  hold (s)       costs
  Mon  1  BUY     AAPL    win      +30.00  31.00   3  3.0      299 (exit)     comm 1.00
  Mon  2  SELL    AAPL    loss     -10.00  -9.50  -1  2.0      86400 (field)  comm 0.50
  Mon  3  SELL    MSFT    win       +5.00   5.00   -  -        unknown        -
  Mon  4  (none)  MSFT    breakeven  0.00   0.00   0  -        7199.5 (field) slip 0.25
  Tue  5  BUY     AAPL    loss     -20.00 -20.00  -2  1.0      300 (exit)     comm 1.00
  Tue  6  BUY     AAPL    win      +12.00  12.00   3  3.0      7200 (exit)    -
  Wed  7  SELL    MSFT    win       +8.00   8.00   4  5.0      60 (exit)      -
  Thu  8  SELL    MSFT    loss      -3.00  -3.00   -  -        3600 (exit)    -
  Fri  9  BUY     AAPL    win      +30.00  30.00   -  -        600 (exit)     -

#4's hold_duration_seconds (7199.5) wins over its exit time (which says 1200 s).

Entry hours (UTC): 13, 13, 14, 14, 09, 10, 15, 15, 10.
Daily P&L: 25, -8, 8, -3, 30 → end-of-day equity 25, 17, 25, 22, 52: two drawdowns,
-8 (peak Mon, valley Tue, recovered Wed) and -3 (peak Wed, valley Thu, recovered Fri).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal

import pytest

from sitegen import Tracker, load_config
from sitegen.depth import drawdown_tables, drawdowns_of, r_histogram
from sitegen.export import summary_markdown, validate_summary
from sitegen.metrics import money
from sitegen.partials import HOLD_KEYS, HOLD_UNKNOWN, R_EDGES, hold_bucket, r_bucket
from sitegen.registry import DEFINITIONS
from tests.conftest import trade, write_log
from tests.test_metrics import FIRST_DAY, SECOND_DAY

D = Decimal

WEEK = {
    "2025-10-06": [
        trade(
            "2025-10-06T13:00:00Z",
            "AAPL",
            "win",
            "30.00",
            exit="2025-10-06T13:04:59Z",
            price="100",
            stop="99",
            qty=10,
            rr=3.0,
            commission="1.00",
            profit="31.00",
        ),
        trade(
            "2025-10-06T13:10:00Z",
            "AAPL",
            "loss",
            "-10.00",
            price="50",
            stop="51",
            qty=10,
            rr=2.0,
            commission="0.50",
            profit="-9.50",
            action="SELL",
            hold_duration_seconds=86400,
        ),
        trade("2025-10-06T14:00:00Z", "MSFT", "win", "5.00", action="SELL"),
        trade(
            "2025-10-06T14:00:00Z",
            "MSFT",
            "breakeven",
            "0.00",
            exit="2025-10-06T14:20:00Z",
            price="10",
            stop="9",
            qty=5,
            slippage="0.25",
            action=None,
            hold_duration_seconds="7199.5",
        ),
    ],
    "2025-10-07": [
        trade(
            "2025-10-07T09:00:00Z",
            "AAPL",
            "loss",
            "-20.00",
            exit="2025-10-07T09:05:00Z",
            price="100",
            stop="98",
            qty=5,
            rr=1.0,
            commission="1.00",
        ),
        trade(
            "2025-10-07T10:00:00Z",
            "AAPL",
            "win",
            "12.00",
            exit="2025-10-07T12:00:00Z",
            price="100",
            stop="99",
            qty=4,
            rr=3.0,
        ),
    ],
    "2025-10-08": [
        trade(
            "2025-10-08T15:00:00Z",
            "MSFT",
            "win",
            "8.00",
            exit="2025-10-08T15:01:00Z",
            price="20",
            stop="19",
            qty=2,
            rr=5.0,
            action="SELL",
        ),
    ],
    "2025-10-09": [
        trade(
            "2025-10-09T15:00:00Z",
            "MSFT",
            "loss",
            "-3.00",
            exit="2025-10-09T16:00:00Z",
            action="SELL",
        ),
    ],
    "2025-10-10": [
        trade("2025-10-10T10:00:00Z", "AAPL", "win", "30.00", exit="2025-10-10T10:10:00Z"),
    ],
}


@pytest.fixture
def week(logs, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)
    for day, records in WEEK.items():
        write_log(logs, day, records)

    def make(window: str = "weekly", period: str = "2025-W41", tz: str = "UTC") -> dict:
        summary = Tracker(load_config(logs_dir=logs, timezone=tz)).get_summary(window, period)
        return json.loads(json.dumps(summary))  # exactly as the artifact holds it

    return make


def _row(**fields) -> dict:
    """A breakdown cell with the defaults of a cell without costs or undefined values."""
    row = {
        "key": None,
        "trades_closed": 0,
        "wins": 0,
        "losses": 0,
        "win_rate": None,
        "win_rate_low": None,
        "win_rate_high": None,
        "profit_factor": None,
        "expectancy": None,
        "expectancy_low": None,
        "expectancy_high": None,
        "net_pnl": None,
        "gross_profit": "0",
        "gross_loss": "0",
        "avg_r_multiple": None,
        "r_trades": 0,
        "commission": "0",
        "slippage": "0",
        "costs": "0",
        "costs_share": None,
        "undefined_reasons": {},
    }
    row.update(fields)
    return row


# --- the window's new figures ------------------------------------------------------


def test_costs_gross_and_r_figures(week):
    s = week()
    validate_summary(s)
    assert (s["trades_closed"], s["wins"], s["losses"], s["breakevens"]) == (9, 5, 3, 1)
    assert s["net_pnl"] == "52.00"
    assert s["gross_pnl"] == "53.50"  # Σ profit_loss: 31 - 9.5 + 5 + 0 - 20 + 12 + 8 - 3 + 30
    assert s["gross_profit"] == "85.00"
    assert (s["commission_total"], s["slippage_total"], s["costs_total"]) == (
        "2.50",
        "0.25",
        "2.75",
    )
    assert s["commission_share"] == "0.029412"  # 2.50 / 85
    assert s["slippage_share"] == "0.002941"  # 0.25 / 85
    assert s["costs_share"] == "0.032353"  # 2.75 / 85
    assert (s["r_trades"], s["no_stop_trades"]) == (6, 3)
    assert s["avg_r_multiple"] == "1.166667"  # (3 - 1 + 0 - 2 + 3 + 4) / 6
    assert [b["trades"] for b in s["r_histogram"]] == [1, 1, 1, 0, 0, 2, 1]
    # #1 and #6 reach their planned 3.0 exactly (R = 3); #2, #5 and #7 do not
    assert (s["planned_rr_trades"], s["planned_rr_reached"]) == (5, 2)
    assert s["planned_rr_reached_rate"] == "0.400000"
    for key in ("commission_share", "costs_share", "planned_rr_reached_rate"):
        assert key not in s["undefined_reasons"]


def test_r_histogram_names_its_edges():
    buckets = r_histogram([1, 2, 3, 4, 5, 6, 7])
    assert [b["key"] for b in buckets] == [
        "<=-2",
        "(-2,-1]",
        "(-1,0]",
        "(0,1]",
        "(1,2]",
        "(2,3]",
        ">3",
    ]
    assert buckets[0] == {"key": "<=-2", "low": None, "high": "-2", "trades": 1}
    assert buckets[3] == {"key": "(0,1]", "low": "0", "high": "1", "trades": 4}
    assert buckets[-1] == {"key": ">3", "low": "3", "high": None, "trades": 7}


@pytest.mark.parametrize(
    ("r", "bucket"),
    [
        ("-7", 0),
        ("-2", 0),  # buckets are right-closed: -2 is in "<= -2"
        ("-1.999999999999999999", 1),
        ("-1", 1),
        ("-0.5", 2),
        ("0", 2),  # 0 is in (-1, 0]
        ("0.000000000000000001", 3),
        ("1", 3),
        ("2", 4),
        ("3", 5),
        ("3.000000000000000001", 6),
    ],
)
def test_r_bucket_boundaries(r, bucket):
    assert r_bucket(D(r)) == bucket
    assert len(R_EDGES) + 1 == 7


def test_undefined_shares_and_planned_rate_have_reasons(week):
    # Thursday: one loss, no gross profit, no planned R:R
    s = week("daily", "2025-10-09")
    for key in ("commission_share", "slippage_share", "costs_share"):
        assert s[key] is None
        assert s["undefined_reasons"][key] == "gross profit is 0"
    assert s["planned_rr_reached_rate"] is None
    assert s["undefined_reasons"]["planned_rr_reached_rate"] == (
        "no closed trades with both a usable stop and a risk_reward_ratio"
    )
    assert s["r_histogram"][0]["trades"] == 0 and s["no_stop_trades"] == 1
    # daily summaries carry no grid and no drawdown table
    for key in ("breakdowns", "drawdowns", "drawdown_count", "current_drawdown"):
        assert key not in s


# --- the breakdown grid ------------------------------------------------------------


def test_breakdown_by_side(week):
    # The 95% intervals were worked out independently at 50 digits: Wilson with z =
    # 1.959964; expectancy ± t(0.975, 3) · s / √4, t(0.975, 3) = 3.182446305.
    # BUY: 30, -20, 12, 30: mean 13, s² = 1668 / 3. SELL: -10, 5, 8, -3: mean 0, s² = 66.
    grid = week()["breakdowns"]
    assert grid["side"] == [
        _row(
            key="BUY",
            trades_closed=4,
            wins=3,
            losses=1,
            win_rate="0.750000",
            win_rate_low="0.300642",
            win_rate_high="0.954413",
            profit_factor="3.600000",  # 72 / 20
            expectancy="13.000000",
            expectancy_low="-24.520489",
            expectancy_high="50.520489",
            net_pnl="52.00",
            gross_profit="72.00",
            gross_loss="-20.00",
            avg_r_multiple="1.333333",  # (3 - 2 + 3) / 3; #9 has no stop
            r_trades=3,
            commission="2.00",
            costs="2.00",
            costs_share="0.027778",  # 2 / 72
        ),
        # (none) and SELL both net 0.00: by key, "(" sorts before "S"
        _row(
            key="(none)",
            trades_closed=1,
            win_rate="0.000000",
            win_rate_low="0.000000",
            win_rate_high="0.793451",  # z² / (1 + z²)
            expectancy="0.000000",
            net_pnl="0.00",
            avg_r_multiple="0.000000",
            r_trades=1,
            slippage="0.25",
            costs="0.25",
            undefined_reasons={
                "profit_factor": "no losing trades",
                "costs_share": "gross profit is 0",
                "expectancy_low": "fewer than 2 closed trades",
                "expectancy_high": "fewer than 2 closed trades",
            },
        ),
        _row(
            key="SELL",
            trades_closed=4,
            wins=2,
            losses=2,
            win_rate="0.500000",
            win_rate_low="0.150039",
            win_rate_high="0.849961",
            profit_factor="1.000000",
            expectancy="0.000000",
            expectancy_low="-12.927158",
            expectancy_high="12.927158",
            net_pnl="0.00",
            gross_profit="13.00",
            gross_loss="-13.00",
            avg_r_multiple="1.500000",  # (-1 + 4) / 2
            r_trades=2,
            commission="0.50",
            costs="0.50",
            costs_share="0.038462",  # 0.50 / 13
        ),
    ]


def test_breakdown_by_hold_time_on_the_boundaries(week):
    rows = week()["breakdowns"]["hold_time"]
    # 299 s and 60 s | exactly 300 s and 600 s | 7199.5 s (field beats exit) and 3600 s
    # | exactly 7200 s | exactly 86400 s | neither field nor exit
    assert [(r["key"], r["trades_closed"], r["net_pnl"]) for r in rows] == [
        ("<5m", 2, "38.00"),
        ("5m-30m", 2, "10.00"),
        ("30m-2h", 2, "-3.00"),
        ("2h-1d", 1, "12.00"),
        (">=1d", 1, "-10.00"),
        ("unknown", 1, "5.00"),
    ]
    assert rows[1]["wins"] == 1 and rows[1]["losses"] == 1 and rows[1]["win_rate"] == "0.500000"


@pytest.mark.parametrize(
    ("seconds", "key"),
    [
        (0, "<5m"),
        (D("299.999999"), "<5m"),
        (300, "5m-30m"),  # every bucket includes its lower bound ...
        (1799, "5m-30m"),
        (1800, "30m-2h"),  # ... and excludes its upper bound
        (D("7199.5"), "30m-2h"),
        (7200, "2h-1d"),
        (86_399, "2h-1d"),
        (86_400, ">=1d"),
        (10**9, ">=1d"),
        (299.0, "<5m"),  # exit − entry arrives as float seconds
        (300.0, "5m-30m"),
        (None, "unknown"),
        (-1, "unknown"),
    ],
)
def test_hold_bucket_boundaries(seconds, key):
    assert HOLD_KEYS[hold_bucket(seconds)] == key
    assert HOLD_KEYS[HOLD_UNKNOWN] == "unknown"


def test_breakdown_by_entry_hour_and_weekday(week):
    grid = week()["breakdowns"]
    assert [(r["key"], r["trades_closed"]) for r in grid["entry_hour"]] == [
        ("09", 1),
        ("10", 2),
        ("13", 2),
        ("14", 2),
        ("15", 2),
    ]
    assert [(r["key"], r["trades_closed"]) for r in grid["entry_weekday"]] == [
        ("Mon", 4),
        ("Tue", 2),
        ("Wed", 1),
        ("Thu", 1),
        ("Fri", 1),
    ]
    # the same trades in New York (UTC-4): entry hours move, dates do not
    ny = week(tz="America/New_York")["breakdowns"]["entry_hour"]
    assert [(r["key"], r["trades_closed"]) for r in ny] == [
        ("05", 1),
        ("06", 2),
        ("09", 2),
        ("10", 2),
        ("11", 2),
    ]


@pytest.fixture
def metrics_week(logs, tmp_path, monkeypatch):
    """The fixture of tests/test_metrics.py (see its docstring)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)
    write_log(logs, "2025-10-06", FIRST_DAY)
    write_log(logs, "2025-10-07", SECOND_DAY)

    def make(tz: str = "UTC") -> dict:
        config = load_config(logs_dir=logs, timezone=tz)
        return json.loads(json.dumps(Tracker(config).get_summary("weekly", "2025-W41")))

    return make


def test_entry_weekday_follows_the_time_zone(metrics_week):
    # #10 SPY entered 2025-10-07T02:00Z: Tuesday 02:00 in UTC, Monday 22:00 in New York
    utc = metrics_week("UTC")["breakdowns"]
    ny = metrics_week("America/New_York")["breakdowns"]
    assert [(r["key"], r["trades_closed"]) for r in utc["entry_weekday"]] == [
        ("Mon", 5),
        ("Tue", 3),
    ]
    assert [(r["key"], r["trades_closed"]) for r in ny["entry_weekday"]] == [
        ("Mon", 6),
        ("Tue", 2),
    ]
    assert "02" in [r["key"] for r in utc["entry_hour"]]
    assert "22" in [r["key"] for r in ny["entry_hour"]]


def test_breakdown_by_symbol_matches_the_hand_computed_cell(metrics_week):
    s = metrics_week()
    aapl = next(r for r in s["breakdowns"]["symbol"] if r["key"] == "AAPL")
    # #1 +20 (R 2), #3 -0.50 breakeven (R -0.05), #7 +10 (no stop), #8 -5 (R -1)
    assert aapl == _row(
        key="AAPL",
        trades_closed=4,
        wins=2,
        losses=1,
        win_rate="0.500000",
        win_rate_low="0.150039",
        win_rate_high="0.849961",
        profit_factor="6.000000",
        expectancy="6.125000",
        expectancy_low="-11.669863",  # t(0.975, 3) = 3.182446305, s² = 133.729167
        expectancy_high="23.919863",
        net_pnl="24.50",
        gross_profit="30.00",
        gross_loss="-5.00",
        avg_r_multiple="0.316667",  # 0.95 / 3
        r_trades=3,
        commission="2.50",
        slippage="0.10",
        costs="2.60",
        costs_share="0.086667",  # 2.60 / 30.00
    )
    # the grid's symbol and strategy keys are those of by_symbol / by_strategy
    assert [r["key"] for r in s["breakdowns"]["symbol"]] == [r["key"] for r in s["by_symbol"]]
    assert [r["key"] for r in s["breakdowns"]["strategy"]] == [r["key"] for r in s["by_strategy"]]
    assert s["gross_pnl"] == "30.00"  # #3 has profit_loss 0.00 and net -0.50
    assert s["costs_share"] == "0.077333"  # 5.80 / 75.00
    assert [b["trades"] for b in s["r_histogram"]] == [0, 3, 1, 1, 1, 0, 0]
    assert (s["planned_rr_trades"], s["planned_rr_reached"]) == (5, 1)


# --- drawdowns on end-of-day equity ------------------------------------------------


def test_drawdowns_of_the_week(week):
    s = week()
    assert s["drawdowns"] == [
        {
            "peak_day": "2025-10-06",
            "start_day": "2025-10-07",
            "valley_day": "2025-10-07",
            "recovery_day": "2025-10-08",
            "depth": "-8.00",
            "days": 2,
            "trades": 3,  # Tue 2 + Wed 1
            "recovered": True,
        },
        {
            "peak_day": "2025-10-08",
            "start_day": "2025-10-09",
            "valley_day": "2025-10-09",
            "recovery_day": "2025-10-10",
            "depth": "-3.00",
            "days": 2,
            "trades": 2,
            "recovered": True,
        },
    ]
    assert s["drawdown_count"] == 2
    assert s["current_drawdown"] == {
        "depth": "0.00",  # 52.00 − 52.00, exact
        "peak_day": "2025-10-10",
        "days": 0,
        "trades": 0,
        "recovered": True,
    }


def test_loss_on_the_first_day_and_drawdown_to_the_end(metrics_week):
    # daily P&L -20.50, +55.00, -5.00: equity -20.50, 34.50, 29.50
    s = metrics_week()
    assert s["drawdowns"] == [
        {
            "peak_day": None,  # the starting equity of 0, before the first day
            "start_day": "2025-10-06",
            "valley_day": "2025-10-06",
            "recovery_day": "2025-10-07",
            "depth": "-20.50",
            "days": 2,
            "trades": 7,  # 4 closed on Monday, 3 on Tuesday
            "recovered": True,
        },
        {
            "peak_day": "2025-10-07",
            "start_day": "2025-10-08",
            "valley_day": "2025-10-08",
            "recovery_day": None,
            "depth": "-5.00",
            "days": 1,
            "trades": 1,
            "recovered": False,
        },
    ]
    assert s["current_drawdown"] == {
        "depth": "-5.00",
        "peak_day": "2025-10-07",
        "days": 1,
        "trades": 1,
        "recovered": False,
    }


DAYS = [dt.date(2025, 9, 1) + dt.timedelta(days=i) for i in range(12)]


def _tables(values, closed=None):
    days = DAYS[: len(values)]
    counts = dict(zip(days, closed or [1] * len(values), strict=True))
    return drawdown_tables(days, [D(v) for v in values], counts, money)


def test_no_losing_days_means_no_drawdown():
    t = _tables(["1", "0", "2"])
    assert t["drawdowns"] == [] and t["drawdown_count"] == 0
    assert t["current_drawdown"] == {
        "depth": "0",
        "peak_day": "2025-09-03",
        "days": 0,
        "trades": 0,
        "recovered": True,
    }
    empty = drawdown_tables([], [], {}, money)
    assert empty["drawdowns"] == [] and empty["current_drawdown"]["peak_day"] is None


def test_loss_on_the_very_first_day_never_recovered():
    # equity -5, -2, -3: below the starting 0 from the first day to the last
    t = _tables(["-5", "3", "-1"], closed=[2, 1, 4])
    assert t["drawdowns"] == [
        {
            "peak_day": None,
            "start_day": "2025-09-01",
            "valley_day": "2025-09-01",
            "recovery_day": None,
            "depth": "-5",
            "days": 3,
            "trades": 7,
            "recovered": False,
        }
    ]
    assert t["current_drawdown"] == {
        "depth": "-3",
        "peak_day": None,
        "days": 3,
        "trades": 7,
        "recovered": False,
    }


def test_equal_depths_order_by_start_and_deepest_first():
    # equity 5, 3, 5, 6, 4, 6, -1, 0: two drawdowns of -2, then one of -7 to the end
    t = _tables(["5", "-2", "2", "1", "-2", "2", "-7", "1"])
    rows = t["drawdowns"]
    assert [(r["depth"], r["start_day"]) for r in rows] == [
        ("-7", "2025-09-07"),
        ("-2", "2025-09-02"),
        ("-2", "2025-09-05"),
    ]
    assert rows[0]["peak_day"] == "2025-09-06" and rows[0]["recovery_day"] is None
    assert rows[1]["recovery_day"] == "2025-09-03" and rows[1]["days"] == 2


def test_a_day_back_at_the_peak_recovers_and_moves_the_peak():
    # equity 5, 5, 4, 5, 3: the flat day 2 is the new peak day; day 4 (= peak) recovers
    found, current, peak_at = drawdowns_of([D(5), D(0), D(-1), D(1), D(-2)])
    assert [(d.peak, d.start, d.valley, d.recovery, d.depth) for d in found] == [
        (1, 2, 2, 3, D(-1)),
        (3, 4, 4, None, D(-2)),
    ]
    assert (current, peak_at) == (D(-2), 3)


def test_only_the_five_deepest_are_listed():
    # six drawdowns of depth -1 .. -6, each recovered the next day
    values = []
    for depth in range(1, 7):
        values += [str(-depth), str(depth)]
    t = _tables(values)
    assert t["drawdown_count"] == 6
    assert [r["depth"] for r in t["drawdowns"]] == ["-6", "-5", "-4", "-3", "-2"]


# --- definitions and artifacts -----------------------------------------------------


def test_every_new_field_is_defined(week):
    s = week()
    for key in (
        "gross_pnl",
        "costs_total",
        "commission_share",
        "slippage_share",
        "costs_share",
        "r_histogram",
        "planned_rr_trades",
        "planned_rr_reached",
        "planned_rr_reached_rate",
        "drawdowns",
        "drawdown_count",
        "current_drawdown",
        "breakdowns",
        "r_trades",
        "no_stop_trades",
    ):
        assert key in s and key in DEFINITIONS, key
    assert "hold_time" in DEFINITIONS and "300 ≤ d < 1800 s" in DEFINITIONS["hold_time"]


def test_markdown_carries_grid_and_drawdowns_escaped(logs, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    records = [
        trade(
            "2025-10-06T14:00:00Z",
            "X|Y",
            "loss",
            "-4.00",
            exit="2025-10-06T14:01:00Z",
            action="<b>SELL</b>\nshort",
        ),
        trade("2025-10-07T14:00:00Z", "X|Y", "win", "6.00", exit="2025-10-07T14:01:00Z"),
    ]
    write_log(logs, "2025-10-06", records[:1])
    write_log(logs, "2025-10-07", records[1:])
    s = Tracker(load_config(logs_dir=logs)).get_summary("weekly", "2025-W41")
    text = summary_markdown(s)
    assert "<b>" not in text
    assert (
        "| &lt;b&gt;SELL&lt;/b&gt; short | 1\\* | 0.00% (0.0–79.3) | 0.000000 | -4.000000 | -4.00 |"
        in text
    )
    # -4 and 6: 1 ± t(0.975, 1) · 5, t = 12.706204736
    assert (
        "| X\\|Y | 2\\* | 50.00% (9.5–90.5) | 1.500000 | 1.000000 (-62.53 to 64.53) | 2.00 |"
        in text
    )
    assert "### By hold time" in text and "| under 5 min | 2\\* |" in text
    assert "### By entry hour (UTC)" in text and "| 14:00 | 2\\* |" in text
    assert "## Drawdowns (end-of-day equity)" in text
    assert "| 1 | start | 2025-10-06 | 2025-10-07 | -4.00 | 2 | 2 |" in text
    assert "- Current drawdown: none (equity at its peak)" in text
    assert "| −2 < R ≤ −1 | 0 |" in text


def test_docs_weekly_example_is_this_fixture(week):
    """docs/examples/weekly-summary-2025-W41.json is the engine's output for WEEK."""
    from pathlib import Path

    from sitegen.export import summary_json

    example = Path(__file__).resolve().parent.parent / "docs" / "examples"
    if os.environ.get("SITEGEN_WRITE_DOCS") == "1":  # as tests/test_registry.py does
        (example / "weekly-summary-2025-W41.json").write_bytes(summary_json(week()))
    assert summary_json(week()) == (example / "weekly-summary-2025-W41.json").read_bytes()


def test_page_names_a_drawdown_not_yet_recovered(metrics_week):
    from sitegen.site.depth import drawdowns

    section = drawdowns(metrics_week(), "../", frozenset({"2025-10-07"}))
    assert section is not None and section.count == 2
    assert (section.current.text, section.current.cls) == ("-5.00", "neg")
    assert section.current_text == (
        "Not yet recovered: below the peak of 2025-10-07 for 1 day and 1 closed trade."
    )
    first, second = section.rows
    assert (first.peak.text, first.peak.href) == ("window start", None)
    assert first.recovery is not None and first.recovery.href == "../daily/2025-10-07.html"
    assert second.recovery is None  # shown as "not recovered"


def test_the_two_drawdowns_of_a_page_name_their_curve(week):
    """Trade by trade, Tuesday's first trade takes the equity from its peak of 30 (after
    Monday's first trade) to 5: -25.00, 7 trades under water. End of day, Monday closes
    at 25 and Tuesday at 17: -8.00. A week's page shows both; each says its curve."""
    from sitegen.site.depth import drawdowns
    from sitegen.site.home import glance
    from sitegen.site.pages import period_charts
    from sitegen.site.parts import headline, metric_groups

    s = week()
    assert (s["max_drawdown"], s["max_drawdown_duration_trades"]) == ("-25.00", 7)
    assert s["drawdowns"][0]["depth"] == "-8.00"

    card = next(c for c in headline(s) if c.anchor == "max_drawdown")
    assert (card.label, card.value.text) == ("Max drawdown", "-25.00")
    assert card.detail == "trade by trade, 7 trades under water"
    rows = {r.anchor: r for g in metric_groups(s, "../") for r in g.rows}
    assert rows["max_drawdown"].label == "Max drawdown (trade by trade)"
    assert (
        rows["max_drawdown_duration_trades"].label == "Longest drawdown in trades (trade by trade)"
    )
    assert dict(glance("This week", s).stats)["Max drawdown (trade by trade)"].text == "-25.00"

    section = drawdowns(s, "../", frozenset())
    assert section is not None and section.rows[0].depth.text == "-8.00"
    assert section.title == "Drawdowns (end of day)"
    assert section.current_label == "Current drawdown (end of day)"
    assert section.basis == (
        "End of day: each day's closing balance. Max drawdown (trade by trade) also "
        "counts falls within a day, so it can be deeper."
    )

    equity, _ = period_charts(s, None, "../", frozenset())
    assert equity.heading == "Equity and drawdown (end of day: each day's closing balance)"
    assert ">Drawdown, end of day</text>" in equity.svg
    assert "deepest drawdown (end of day) -8.00" in equity.svg
    (day,) = period_charts({"window": "daily", "period": "2025-10-07"}, None, "../", frozenset())
    assert day.heading.startswith("Equity and drawdown (trade by trade: ")


def test_definitions_say_why_the_two_drawdowns_differ():
    from sitegen.registry import BY_FIELD, END_OF_DAY, NOTES, TRADE_BY_TRADE

    curves = {
        "max_drawdown": TRADE_BY_TRADE,
        "max_drawdown_duration_trades": TRADE_BY_TRADE,
        "drawdowns": END_OF_DAY,
        "drawdown_count": END_OF_DAY,
        "current_drawdown": END_OF_DAY,
        "max_drawdown_relative": END_OF_DAY,  # with starting_equity
    }
    assert {f for f in BY_FIELD if "drawdown" in f} == set(curves)
    for field, curve in curves.items():
        assert f"({curve})" in BY_FIELD[field].label, field
        assert BY_FIELD[field].definition.lower().startswith(f"{curve}: "), field
    trade_by_trade = DEFINITIONS["max_drawdown"]
    assert "a dip within a day counts" in trade_by_trade
    assert "closing balance" in trade_by_trade and "never shallower" in trade_by_trade
    assert (
        "a fall within a day that is made up by the close is not seen" in DEFINITIONS["drawdowns"]
    )
    (note,) = [n for n in NOTES if n.startswith("Drawdowns are measured on two equity curves")]
    assert "so a fall within a day counts" in note and "closing balance only" in note


def test_exit_reasons_are_a_breakdown_like_the_others(tmp_path, monkeypatch):
    """Closed trades by exit_reasoning (none: unknown), by net P&L then key; open trades
    and their reasons do not count."""
    from sitegen import Tracker, load_config
    from tests.conftest import trade, write_log

    monkeypatch.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)
    logs = tmp_path / "logs"
    write_log(
        logs,
        "2025-10-06",
        [
            trade("2025-10-06T14:00:00Z", "AAPL", "win", "30.00", exit_reasoning="target hit"),
            trade("2025-10-06T15:00:00Z", "AAPL", "loss", "-10.00", exit_reasoning="stop hit"),
            trade("2025-10-06T16:00:00Z", "NVDA", "win", "5.00", exit_reasoning="target hit"),
            trade("2025-10-06T17:00:00Z", "NVDA", "loss", "-2.50"),
            trade("2025-10-06T18:00:00Z", "MSFT", "open", exit_reasoning="not yet"),
        ],
    )
    write_log(
        logs,
        "2025-10-07",
        [trade("2025-10-07T14:00:00Z", "AAPL", "loss", "-1.00", exit_reasoning="stop hit")],
    )
    summary = Tracker(load_config(logs_dir=logs)).get_summary("weekly", "2025-W41")
    rows = summary["breakdowns"]["exit_reason"]
    assert [(r["key"], r["trades_closed"], r["wins"], r["net_pnl"]) for r in rows] == [
        ("target hit", 2, 2, "35.00"),
        ("unknown", 1, 0, "-2.50"),
        ("stop hit", 2, 0, "-11.00"),
    ]
    assert list(summary["breakdowns"])[-1] == "exit_reason"
