"""Tests for sitegen.export: schemas, JSON bytes and the Markdown report.

The summaries below are written by hand, with numbers worked out from the trades
described in each fixture, so these tests do not depend on the metrics engine.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from sitegen.errors import BuildError
from sitegen.export import (
    ALERT_SCHEMA,
    SUMMARY_SCHEMA,
    md_escape,
    summary_json,
    summary_markdown,
    validate_alert,
    validate_summary,
)

ROOT = Path(__file__).resolve().parent.parent
R_KEYS = ("<=-2", "(-2,-1]", "(-1,0]", "(0,1]", "(1,2]", "(2,3]", ">3")
R_EDGES = (None, "-2", "-1", "0", "1", "2", "3", None)


def _histogram(counts: list[int]) -> list[dict]:
    return [
        {"key": key, "low": R_EDGES[i], "high": R_EDGES[i + 1], "trades": n}
        for i, (key, n) in enumerate(zip(R_KEYS, counts, strict=True))
    ]


EXAMPLES = ROOT / "docs" / "examples"
HOSTILE = "A|B\n<script>alert(1)</script>"


def _alert() -> dict:
    return {
        "id": "win_rate_breach:weekly:2025-W41",
        "rule": "win_rate_breach",
        "window": "weekly",
        "period": "2025-W41",
        "metric": "win_rate",
        "actual": "45.000000",
        "target": "55",
        "severity": "WARN",
        "raised_at": "2025-10-10T20:00:00Z",
        "acknowledged_at": None,
        "context": {"rolling_window": 20, "last_symbol": "<b>x</b> | y"},
    }


# The 95% intervals of one closed trade: Wilson of 0 or 1 win in 1; no spread, so no t
# interval of the expectancy.
ONE_LOSS_RATE = {"win_rate_low": "0.000000", "win_rate_high": "0.793451"}
ONE_WIN_RATE = {"win_rate_low": "0.206549", "win_rate_high": "1.000000"}
ONE_TRADE = dict.fromkeys(("expectancy_low", "expectancy_high"), "fewer than 2 closed trades")


def _cell(key: str, **fields) -> dict:
    """A breakdown cell; unspecified sums are "0", an unspecified ratio null."""
    row = {
        "key": key,
        "trades_closed": 1,
        "wins": 0,
        "losses": 0,
        "win_rate": "0.000000",
        **ONE_LOSS_RATE,
        "profit_factor": None,
        "expectancy": "0.000000",
        "expectancy_low": None,
        "expectancy_high": None,
        "net_pnl": "0",
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
    row.update(copy.deepcopy(fields))
    return row


# The three closed trades of the weekly fixture, each as a cell of its own.
NVDA_WIN = {
    "wins": 1,
    "win_rate": "1.000000",
    **ONE_WIN_RATE,
    "expectancy": "298.560000",
    "net_pnl": "298.56",
    "gross_profit": "298.56",
    "avg_r_multiple": "1.344865",
    "r_trades": 1,
    "commission": "0.24",
    "slippage": "0.02",
    "costs": "0.26",
    "costs_share": "0.000871",
    "undefined_reasons": {"profit_factor": "no losing trades", **ONE_TRADE},
}
HOSTILE_WIN = {
    "wins": 1,
    "win_rate": "1.000000",
    **ONE_WIN_RATE,
    "expectancy": "45.100000",
    "net_pnl": "45.10",
    "gross_profit": "45.10",
    "commission": "0.30",
    "slippage": "0.01",
    "costs": "0.31",
    "costs_share": "0.006874",
    "undefined_reasons": {
        "profit_factor": "no losing trades",
        "avg_r_multiple": "no closed trades with a usable stop",
        **ONE_TRADE,
    },
}
NVDA_EVEN = {
    "net_pnl": "0.00",
    "avg_r_multiple": "0.000000",
    "r_trades": 1,
    "undefined_reasons": {
        "profit_factor": "no losing trades",
        "costs_share": "gross profit is 0",
        **ONE_TRADE,
    },
}
# 298.56 and 0.00: Wilson of 1 in 2; 149.28 ± t(0.975, 1) · 149.28 (t = 12.706204736)
NVDA_BOTH = {
    "trades_closed": 2,
    "wins": 1,
    "win_rate": "0.500000",
    "win_rate_low": "0.094531",
    "win_rate_high": "0.905469",
    "expectancy": "149.280000",
    "expectancy_low": "-1747.502243",
    "expectancy_high": "2046.062243",
    "net_pnl": "298.56",
    "gross_profit": "298.56",
    "avg_r_multiple": "0.672432",
    "r_trades": 2,
    "commission": "0.24",
    "slippage": "0.02",
    "costs": "0.26",
    "costs_share": "0.000871",
    "undefined_reasons": {"profit_factor": "no losing trades"},
}


# All three closed trades
ALL_THREE = NVDA_BOTH | {
    "trades_closed": 3,
    "wins": 2,
    "win_rate": "0.666667",
    "win_rate_low": "0.207660",
    "win_rate_high": "0.938508",
    "expectancy": "114.553333",
    "expectancy_low": "-285.248875",
    "expectancy_high": "514.355542",
    "net_pnl": "343.66",
    "gross_profit": "343.66",
    "commission": "0.54",
    "slippage": "0.03",
    "costs": "0.57",
    "costs_share": "0.001659",
}


def _by_key(key: str, cell: dict) -> dict:
    """A by_symbol / by_strategy row: the fields it shares with the breakdown cell."""
    row = _cell(key, **cell)
    fields = ("key", "trades_closed", "wins", "win_rate", "win_rate_low", "win_rate_high")
    fields += ("net_pnl", "expectancy", "expectancy_low", "expectancy_high")
    out = {field: row[field] for field in fields}
    out["undefined_reasons"] = {
        field: reason
        for field, reason in row["undefined_reasons"].items()
        if field.startswith(("win_rate_", "expectancy_"))
    }
    return out


@pytest.fixture
def weekly() -> dict:
    """ISO week 2025-W41 in America/New_York.

    Closed trades, all BUY: NVDA win 298.56 (Mon, entered 10:02, held 1862 s, stop
    180.55 at 182.40 x 120 so R 1.344865, R:R 2.0, profit_loss 298.80, commission 0.24,
    slippage 0.02), HOSTILE win 45.10 (Tue, entered 11:00, held 240 s, no strategy, no
    stop, R:R 1.5, profit_loss 45.40, commission 0.30, slippage 0.01), NVDA breakeven
    0.00 (Thu, entered 15:00, no hold time, stop 99 at 100 x 50 so R 0, R:R 2.5). One
    open AAPL trade with P&L -12.30. Wednesday has no log file (missing day); one bad
    line on Thursday.
    """
    return {
        "schema_version": 1,
        "window": "weekly",
        "period": "2025-W41",
        "start": "2025-10-06",
        "end": "2025-10-12",
        "timezone": "America/New_York",
        "partial": True,
        "missing_days": ["2025-10-08"],
        "small_sample": True,
        "note": None,
        "trades_total": 4,
        "trades_closed": 3,
        "trades_open": 1,
        "wins": 2,
        "losses": 0,
        "breakevens": 1,
        "win_rate": "0.666667",
        "net_pnl": "343.66",
        "gross_pnl": "344.20",
        "gross_profit": "343.66",
        "gross_loss": "0",
        "profit_factor": None,
        "avg_win": "171.830000",
        "avg_loss": None,
        "largest_win": "298.56",
        "largest_loss": None,
        "payoff_ratio": None,
        "expectancy": "114.553333",
        "avg_risk_reward": "2.000000",
        "avg_r_multiple": "0.672432",
        "sqn": "1.000000",
        "r_trades": 2,
        "no_stop_trades": 1,
        "r_histogram": _histogram([0, 0, 1, 0, 1, 0, 0]),
        "planned_rr_trades": 2,
        "planned_rr_reached": 0,
        "planned_rr_reached_rate": "0.000000",
        "commission_total": "0.54",
        "slippage_total": "0.03",
        "costs_total": "0.57",
        "commission_share": "0.001571",
        "slippage_share": "0.000087",
        "costs_share": "0.001659",
        "unrealized_pnl": "-12.30",
        "current_streak": {"type": "win", "count": 2},
        "max_win_streak": 2,
        "max_loss_streak": 0,
        "max_drawdown": "0",
        "max_drawdown_duration_trades": 0,
        "daily_pnl": {
            "2025-10-06": "298.56",
            "2025-10-07": "45.10",
            "2025-10-08": "0",
            "2025-10-09": "0.00",
            "2025-10-10": "0",
        },
        "drawdowns": [],
        "drawdown_count": 0,
        "current_drawdown": {
            "depth": "0.00",
            "peak_day": "2025-10-10",
            "days": 0,
            "trades": 0,
            "recovered": True,
        },
        "best_day": "298.56",
        "worst_day": "0",
        "best_day_date": "2025-10-06",
        "worst_day_date": "2025-10-08",
        "winning_days": 2,
        "losing_days": 0,
        "sharpe": "8.395978",
        "sortino": None,
        "by_symbol": [
            _by_key("NVDA", NVDA_BOTH),
            _by_key(HOSTILE, HOSTILE_WIN),
        ],
        "by_strategy": [
            _by_key("bull-flag-breakout", NVDA_BOTH),
            _by_key("(none)", HOSTILE_WIN),
        ],
        # the build analyses LIVE only (PAPER is excluded, below), one version throughout
        "by_mode": [_by_key("LIVE", ALL_THREE)],
        "by_version": [
            {
                "key": "1.4.2 · abc123",
                "first_day": "2025-10-06",
                "last_day": "2025-10-09",
                **{
                    k: v
                    for k, v in _by_key("", ALL_THREE).items()
                    if k not in ("key", "undefined_reasons")
                },
                "avg_r_multiple": "0.672432",
                "r_trades": 2,
                "sqn": "1.000000",  # n = 2, R 1.344865 and 0: √2 · (r/2) / (r/√2) = 1
                "profit_factor": None,
                "undefined_reasons": {"profit_factor": "no losing trades"},
            }
        ],
        "breakdowns": {
            "symbol": [_cell("NVDA", **NVDA_BOTH), _cell(HOSTILE, **HOSTILE_WIN)],
            "strategy": [
                _cell("bull-flag-breakout", **NVDA_BOTH),
                _cell("(none)", **HOSTILE_WIN),
            ],
            "side": [_cell("BUY", **ALL_THREE)],
            "entry_hour": [
                _cell("10", **NVDA_WIN),
                _cell("11", **HOSTILE_WIN),
                _cell("15", **NVDA_EVEN),
            ],
            "entry_weekday": [
                _cell("Mon", **NVDA_WIN),
                _cell("Tue", **HOSTILE_WIN),
                _cell("Thu", **NVDA_EVEN),
            ],
            "hold_time": [
                _cell("<5m", **HOSTILE_WIN),
                _cell("30m-2h", **NVDA_WIN),
                _cell("unknown", **NVDA_EVEN),
            ],
            "exit_reason": [_cell("unknown", **ALL_THREE)],
        },
        "targets": {
            "win_rate_target": {
                "metric": "win_rate",
                "actual": "66.666667",
                "target": "55",
                "variance": "11.666667",
                "met": True,
            },
            "daily_pl_target": {
                "metric": "net_pnl",
                "actual": "68.732000",
                "target": "100",
                "variance": "-31.268000",
                "met": False,
            },
        },
        "alerts": [_alert()],
        "undefined_reasons": {
            "profit_factor": "no losing trades",
            "avg_loss": "no losing trades",
            "largest_loss": "no losing trades",
            "payoff_ratio": "no losing trades",
            "sortino": "no losing days",
        },
        "data_quality": {
            "skipped_lines": 1,
            "problems": [
                {"file": "2025-10-09.jsonl", "line": 7, "reason": "invalid price: '1|<b>2</b>'"}
            ],
            "in_progress": [{"file": "2025-10-10.jsonl", "line": 12}],
            "missing_pnl": [],
            "superseded": 1,
            "excluded_by_mode": {"PAPER": 3, "x|<b>y</b>": 1},
            "gaps": [],
        },
    }


@pytest.fixture
def daily() -> dict:
    """Monday 2025-10-13, a trading day inside the data range with no trades."""
    return {
        "schema_version": 1,
        "window": "daily",
        "period": "2025-10-13",
        "start": "2025-10-13",
        "end": "2025-10-13",
        "timezone": "UTC",
        "partial": False,
        "missing_days": [],
        "small_sample": True,
        "note": "No trades in window",
        "trades_total": 0,
        "trades_closed": 0,
        "trades_open": 0,
        "wins": 0,
        "losses": 0,
        "breakevens": 0,
        "win_rate": None,
        "net_pnl": "0",
        "gross_pnl": "0",
        "gross_profit": "0",
        "gross_loss": "0",
        "profit_factor": None,
        "avg_win": None,
        "avg_loss": None,
        "largest_win": None,
        "largest_loss": None,
        "payoff_ratio": None,
        "expectancy": None,
        "avg_risk_reward": None,
        "avg_r_multiple": None,
        "sqn": None,
        "r_trades": 0,
        "no_stop_trades": 0,
        "r_histogram": _histogram([0] * 7),
        "planned_rr_trades": 0,
        "planned_rr_reached": 0,
        "planned_rr_reached_rate": None,
        "commission_total": "0",
        "slippage_total": "0",
        "costs_total": "0",
        "commission_share": None,
        "slippage_share": None,
        "costs_share": None,
        "unrealized_pnl": "0",
        "current_streak": {"type": "none", "count": 0},
        "max_win_streak": 0,
        "max_loss_streak": 0,
        "max_drawdown": "0",
        "max_drawdown_duration_trades": 0,
        "best_day": "0",
        "worst_day": "0",
        "best_day_date": "2025-10-13",
        "worst_day_date": "2025-10-13",
        "winning_days": 0,
        "losing_days": 0,
        "sharpe": None,
        "sortino": None,
        "by_symbol": [],
        "by_strategy": [],
        "by_mode": [],
        "targets": {
            "win_rate_target": {
                "metric": "win_rate",
                "actual": None,
                "target": "55",
                "variance": None,
                "met": None,
            }
        },
        "alerts": [],
        "undefined_reasons": {
            "win_rate": "no closed trades",
            "profit_factor": "no losing trades",
            "avg_win": "no winning trades",
            "avg_loss": "no losing trades",
            "largest_win": "no winning trades",
            "largest_loss": "no losing trades",
            "payoff_ratio": "no winning or losing trades",
            "expectancy": "no closed trades",
            "avg_risk_reward": "no closed trades with a risk_reward_ratio",
            "avg_r_multiple": "no closed trades with a usable stop",
            "sqn": "fewer than 2 trades with a usable stop",
            "planned_rr_reached_rate": "no closed trades with both a usable stop and a "
            "risk_reward_ratio",
            "commission_share": "gross profit is 0",
            "slippage_share": "gross profit is 0",
            "costs_share": "gross profit is 0",
            "sharpe": "fewer than 2 days",
            "sortino": "no losing days",
        },
        "data_quality": {
            "skipped_lines": 0,
            "problems": [],
            "in_progress": [],
            "missing_pnl": [],
            "superseded": 0,
            "excluded_by_mode": {},
            "gaps": [],
        },
    }


# --- schemas -------------------------------------------------------------------------


@pytest.mark.parametrize("name", [SUMMARY_SCHEMA, ALERT_SCHEMA])
def test_shipped_schemas_are_valid_draft_2020_12(name):
    schema = json.loads((ROOT / "sitegen" / "schemas" / name).read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_fixtures_validate(weekly, daily):
    validate_summary(weekly)
    validate_summary(daily)


@pytest.mark.parametrize("field", ["net_pnl", "current_streak", "data_quality", "note"])
def test_missing_required_field_is_named(weekly, field):
    del weekly[field]
    with pytest.raises(BuildError, match=f"'{field}' is a required property"):
        validate_summary(weekly)


def test_daily_pnl_required_for_longer_windows(weekly):
    del weekly["daily_pnl"]
    with pytest.raises(BuildError, match="'daily_pnl' is a required property"):
        validate_summary(weekly)


def test_daily_pnl_not_allowed_for_daily_window(daily):
    daily["daily_pnl"] = {"2025-10-13": "0"}
    with pytest.raises(BuildError, match=r"\$\.daily_pnl"):
        validate_summary(daily)


@pytest.mark.parametrize("field", ["breakdowns", "drawdowns", "drawdown_count", "current_drawdown"])
def test_depth_fields_only_for_longer_windows(weekly, daily, field):
    daily[field] = copy.deepcopy(weekly[field])
    with pytest.raises(BuildError, match=rf"at \$\.{field}: "):
        validate_summary(daily)
    del weekly[field]
    with pytest.raises(BuildError, match=f"'{field}' is a required property"):
        validate_summary(weekly)


def test_null_breakdown_cell_needs_a_reason(weekly):
    del weekly["breakdowns"]["side"][0]["undefined_reasons"]["profit_factor"]
    with pytest.raises(BuildError, match=r"breakdowns\.side\[0\]\.undefined_reasons"):
        validate_summary(weekly)
    weekly["breakdowns"]["hold_time"][0]["undefined_reasons"]["win_rate"] = "never"
    with pytest.raises(BuildError, match=r"breakdowns\.hold_time\[0\]\.undefined_reasons"):
        validate_summary(weekly)


def test_depth_shapes_are_checked(weekly):
    for mutate, where in (
        (lambda s: s["r_histogram"].pop(), r"\$\.r_histogram"),
        (lambda s: s["r_histogram"][0].update(key="<=-3"), r"\$\.r_histogram\[0\]\.key"),
        (lambda s: s["breakdowns"].update(hour=[]), r"\$\.breakdowns"),
        (lambda s: s["current_drawdown"].update(depth="-0"), r"\$\.current_drawdown\.depth"),
        (lambda s: s.update(costs_share=None), r"\$\.undefined_reasons"),
        (
            lambda s: s["drawdowns"].append({"peak_day": None, "depth": "-1"}),
            r"\$\.drawdowns\[0\]",
        ),
    ):
        broken = copy.deepcopy(weekly)
        mutate(broken)
        with pytest.raises(BuildError, match=where):
            validate_summary(broken)


@pytest.mark.parametrize(
    ("where", "path"),
    [
        ((), r"\$"),
        (("by_symbol", 0), r"\$\.by_symbol\[0\]"),
        (("current_streak",), r"\$\.current_streak"),
        (("targets", "win_rate_target"), r"\$\.targets\.win_rate_target"),
        (("data_quality",), r"\$\.data_quality"),
        (("data_quality", "problems", 0), r"\$\.data_quality\.problems\[0\]"),
    ],
)
def test_unknown_field_is_named(weekly, where, path):
    target = weekly
    for step in where:
        target = target[step]
    target["surprise"] = 1
    with pytest.raises(BuildError, match=rf"at {path}: .*'surprise' was unexpected"):
        validate_summary(weekly)


def test_extra_fields_are_allowed_in_summary_alerts(weekly):
    weekly["alerts"][0]["message"] = "free text"
    validate_summary(weekly)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("net_pnl", "1e5"),
        ("net_pnl", "1,000.00"),
        ("net_pnl", 343.66),
        ("net_pnl", "-0.00"),
        ("gross_loss", ""),
        ("win_rate", "0.67"),
        ("win_rate", "66.67%"),
        ("sharpe", "NaN"),
        ("largest_win", "Infinity"),
    ],
)
def test_bad_decimal_string_is_named(weekly, field, value):
    weekly[field] = value
    with pytest.raises(BuildError, match=rf"at \$\.{field}: "):
        validate_summary(weekly)


def test_bad_decimal_in_nested_rows_is_named(weekly):
    weekly["by_symbol"][1]["net_pnl"] = "45.1.0"
    weekly["daily_pnl"]["2025-10-07"] = "45,10"
    with pytest.raises(BuildError) as info:
        validate_summary(weekly)
    message = str(info.value)
    assert "$.by_symbol[1].net_pnl" in message
    assert "$.daily_pnl['2025-10-07']" in message


def test_period_must_match_window(weekly):
    weekly["period"] = "2025-10"
    with pytest.raises(BuildError, match=r"at \$\.period: "):
        validate_summary(weekly)


def test_null_metric_needs_a_reason(weekly):
    del weekly["undefined_reasons"]["profit_factor"]
    with pytest.raises(BuildError, match="'profit_factor' is a required property"):
        validate_summary(weekly)


def test_validation_error_names_the_summary(weekly):
    weekly["wins"] = -1
    with pytest.raises(BuildError, match=r"(?s)summary weekly 2025-W41 .*at \$\.wins: "):
        validate_summary(weekly)


def test_alert_schema_accepts_good_event():
    validate_alert(_alert())
    acked = _alert() | {"acknowledged_at": "2025-10-11T09:30:00+02:00", "actual": None}
    validate_alert(acked)


def test_alert_schema_rejects_info_severity():
    with pytest.raises(BuildError, match=r"at \$\.severity: 'INFO' is not one of"):
        validate_alert(_alert() | {"severity": "INFO"})


@pytest.mark.parametrize(
    ("field", "value"),
    [("raised_at", "yesterday"), ("target", None), ("actual", "4.5e1"), ("context", [])],
)
def test_alert_schema_rejects_bad_values(field, value):
    with pytest.raises(BuildError, match=rf"at \$\.{field}: "):
        validate_alert(_alert() | {field: value})


def test_alert_schema_rejects_missing_and_unknown_fields():
    event = _alert()
    del event["acknowledged_at"]
    with pytest.raises(BuildError, match="'acknowledged_at' is a required property"):
        validate_alert(event)
    with pytest.raises(BuildError, match="'extra' was unexpected"):
        validate_alert(_alert() | {"extra": 1})


def test_docs_examples_validate():
    summary = json.loads((EXAMPLES / "daily-summary-2025-10-10.json").read_text("utf-8"))
    validate_summary(summary)
    event = json.loads((EXAMPLES / "performance-alert.json").read_text("utf-8"))
    validate_alert(event)
    for alert in summary["alerts"]:
        validate_alert(alert)
    # The example is written exactly as the exporter would write it.
    assert summary_json(summary) == (EXAMPLES / "daily-summary-2025-10-10.json").read_bytes()
    # The weekly example (the fixture of tests/test_depth.py) shows the breakdown grid
    # and the drawdown table.
    weekly = json.loads((EXAMPLES / "weekly-summary-2025-W41.json").read_text("utf-8"))
    validate_summary(weekly)
    assert summary_json(weekly) == (EXAMPLES / "weekly-summary-2025-W41.json").read_bytes()
    assert weekly["breakdowns"]["hold_time"] and weekly["drawdowns"]


# --- JSON ----------------------------------------------------------------------------


def test_summary_json_is_deterministic_and_round_trips(weekly):
    first = summary_json(weekly)
    assert first == summary_json(copy.deepcopy(weekly))
    assert first.endswith(b"}\n") and not first.endswith(b"\n\n")
    assert json.loads(first) == weekly
    assert list(json.loads(first)) == list(weekly)  # insertion order, not sorted


def test_summary_json_keeps_utf8_and_key_order(weekly):
    weekly["by_symbol"][0]["key"] = "Société Générale"
    text = summary_json(weekly).decode("utf-8")
    assert "Société Générale" in text
    assert text.index('"schema_version"') < text.index('"window"') < text.index('"alerts"')
    assert text.startswith('{\n  "schema_version": 1,\n')


# --- Markdown ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a|b", "a\\|b"),
        ("a\\b", "a\\\\b"),
        ("a\\|b", "a\\\\\\|b"),
        ("line1\nline2\r\nline3\rend", "line1 line2 line3 end"),
        ("<script>&</script>", "&lt;script&gt;&amp;&lt;/script&gt;"),
        ("plain NVDA", "plain NVDA"),
    ],
)
def test_md_escape(raw, escaped):
    assert md_escape(raw) == escaped


SECTIONS = [
    "## Overview",
    "## Metrics",
    "## Targets",
    "## Alerts",
    "## Breakdown",
    "## Data quality",
]


def _section_order(text: str) -> list[int]:
    lines = text.splitlines()
    return [lines.index(heading) for heading in SECTIONS]


def test_markdown_sections_in_order(weekly, daily):
    for summary in (weekly, daily):
        text = summary_markdown(summary)
        order = _section_order(text)
        assert order == sorted(order)
    assert summary_markdown(weekly).startswith("# Weekly summary — 2025-W41\n")
    assert summary_markdown(daily).startswith("# Daily summary — 2025-10-13\n")


def test_markdown_is_deterministic_and_ends_with_one_newline(weekly):
    text = summary_markdown(weekly)
    assert text == summary_markdown(copy.deepcopy(weekly))
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_markdown_escapes_hostile_symbol(weekly):
    text = summary_markdown(weekly)
    assert "<script>" not in text
    assert "<b>" not in text
    rows = [line for line in text.splitlines() if "script" in line]
    assert len(rows) == 1  # no newline inside the row
    row = rows[0]
    assert row.startswith("| A\\|B &lt;script&gt;alert\\(1\\)&lt;/script&gt; |")
    # Only the table's own separators are unescaped pipes: nine columns -> ten.
    unescaped = [i for i, ch in enumerate(row) if ch == "|" and row[i - 1 : i] != "\\"]
    assert len(unescaped) == 10


def test_markdown_escapes_other_log_text(weekly):
    text = summary_markdown(weekly)
    assert "- 2025-10-09.jsonl:7: invalid price: '1\\|&lt;b&gt;2&lt;/b&gt;'" in text
    assert "- 2025-10-10.jsonl:12" in text
    assert "last_symbol=&lt;b&gt;x&lt;/b&gt; \\| y" in text


def test_markdown_values(weekly):
    text = summary_markdown(weekly)
    assert "| Profit factor | n/a (no losing trades) |" in text
    assert "| Win rate | 66.67% |" in text
    # win rate and expectancy with their 95% intervals; fewer than 30 trades: marked
    assert (
        "| NVDA | 2\\* | 50.00% (9.5–90.5) | n/a (no losing trades) | 149.280000 (-1747.50 "
        "to 2046.06) | 298.56 | 0.672432 | 0.26 | 0.09% |" in text
    )
    assert "\n\\* fewer than 30 closed trades: read with care.\n" in text
    assert "| NVDA | 2\\* | 1 | 50.00% (9.5–90.5) | 298.56 |" not in text  # a weekly: grid
    assert "| Gross P&L (before costs) | 344.20 |" in text
    assert "| Costs / gross profit | 0.17% |" in text
    assert "| Planned R:R reached rate | 0.00% |" in text
    assert "### By hold time" in text
    assert (
        "| under 5 min | 1\\* | 100.00% (20.7–100.0) | n/a (no losing trades) | 45.100000 |" in text
    )
    assert "### By entry weekday (America/New_York)" in text
    assert "- Planned R:R reached (R ≥ risk_reward_ratio): 0 of 2 (0.00%)" in text
    assert "| 1 < R ≤ 2 | 1 |" in text
    assert "- Current drawdown: none (equity at its peak)" in text
    assert "No drawdowns." in text
    assert "| Current streak | 2 wins |" in text
    assert "| Best day | 298.56 (2025-10-06) |" in text
    assert "| Net P&L | 343.66 |" in text
    assert "| win_rate_target (win_rate) | 66.666667 | 55 | 11.666667 | yes |" in text
    assert (
        "| WARN | win_rate_breach | win_rate | 45.000000 | 55 | win_rate_breach:weekly:2025-W41 |"
        in text
    )
    assert "### Daily P&L" in text
    assert "| 2025-10-09 | 0.00 |" in text
    assert "Missing days: 2025-10-08" in text


def test_markdown_daily_without_trades(daily):
    text = summary_markdown(daily)
    assert "### Daily P&L" not in text
    assert "No alerts." in text
    assert "- Note: No trades in window" in text
    assert "| Win rate | n/a (no closed trades) |" in text
    assert "| Current streak | none |" in text
    assert "| win_rate_target (win_rate) | n/a | 55 | n/a | n/a |" in text
    assert "No closed trades." in text
    assert "No data quality problems." in text
    assert "| Costs / gross profit | n/a (gross profit is 0) |" in text
    assert "## Drawdowns" not in text and "### By side" not in text
    assert "## R multiples" in text


def test_markdown_renders_without_raw_html(weekly):
    markdown = pytest.importorskip("markdown")
    html = markdown.markdown(summary_markdown(weekly), extensions=["tables"])
    assert "<script>" not in html and "<b>" not in html
    assert "<td>A|B &lt;script&gt;alert(1)&lt;/script&gt;</td>" in html


def test_summary_json_bytes_are_the_stdlib_indented_encoding():
    """summary_json formats with msgspec; the bytes are json.dumps(indent=2)'s."""
    import json

    tricky = {
        "a": 'x\x01\x1f\x7f\u2028é"\\\n\t/<',
        "n": None,
        "t": True,
        "l": [1, {"k": []}, "2.50"],
        "e": {},
        "d": {"2025-10-10": "-1.00"},
    }
    expected = (json.dumps(tricky, indent=2, ensure_ascii=False) + "\n").encode()
    assert summary_json(tricky) == expected
