"""`sitegen export trades` and `Tracker.trades`: one row per analysed trade, open ones
too, in attribution order, exactly the documented columns; money exact; CSV safe to
open in a spreadsheet (formula-like text neutralised), JSONL as it is."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import sitegen
from sitegen.cli import main
from sitegen.trade_export import COLUMNS, csv_safe
from tests.conftest import trade, write_log

FORMULA = '=HYPERLINK("http://x","click")'


@pytest.fixture
def logs(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)
    logs = tmp_path / "logs"
    write_log(
        logs,
        "2025-10-06",
        [
            trade(
                "2025-10-06T14:00:00Z",
                "NVDA",
                "win",
                "298.56",
                exit="2025-10-06T14:31:02.500Z",
                order_id="o-1",
                price="182.40",
                stop="180.55",
                qty=120,
                commission="0.24",
                slippage="0.02",
                exit_reasoning="target hit",
                execution_mode="LIVE",
                bot_version="1.4.2",
                config_hash="abc123",
            ),
            trade("2025-10-06T15:00:00Z", FORMULA, "loss", "-40.10", order_id="@SUM(A1)"),
            trade("2025-10-06T16:00:00Z", "MSFT", "open", order_id="o-3", profit="-5.00"),
        ],
    )
    write_log(
        logs,
        "2025-10-07",
        [
            trade("2025-10-07T14:00:00Z", "AAPL", "breakeven", "0.00"),
            # closes o-3, opened the day before: it counts once, on its exit day
            trade(
                "2025-10-06T16:00:00Z",
                "MSFT",
                "win",
                "12.34",
                exit="2025-10-07T15:00:00Z",
                order_id="o-3",
                hold_duration_seconds=82800,
            ),
            trade("2025-10-07T16:00:00Z", "-minus", "win", "1.00", strategy="+plus"),
        ],
    )
    return logs


def export(*args: str) -> str:
    result = CliRunner().invoke(main, ["export", "trades", "--logs", "logs", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_rows_are_the_analysed_trades_with_exact_pnl_summing_to_the_all_summary(logs):
    rows = list(csv.DictReader(io.StringIO(export())))
    summary = sitegen.Tracker(sitegen.load_config(logs_dir=logs)).get_summary("all")
    assert len(rows) == summary["trades_total"] == 5  # o-3 once, closed
    closed = [r for r in rows if r["outcome"] != "open"]
    assert sum(Decimal(r["pnl"]) for r in closed) == Decimal(summary["net_pnl"])
    assert [(r["day"], r["symbol"]) for r in rows] == [
        ("2025-10-06", "NVDA"),
        ("2025-10-06", "'" + FORMULA),
        ("2025-10-07", "AAPL"),
        ("2025-10-07", "MSFT"),
        ("2025-10-07", "'-minus"),
    ]


def test_columns_and_values_of_a_closed_trade(logs):
    text = export()
    assert text.splitlines()[0] == ",".join(COLUMNS)
    nvda = next(csv.DictReader(io.StringIO(text)))
    assert nvda == {
        "day": "2025-10-06",
        "entry_time": "2025-10-06T14:00:00+00:00",
        "exit_time": "2025-10-06T14:31:02.500000+00:00",
        "symbol": "NVDA",
        "strategy": "A",
        "side": "BUY",
        "quantity": "120",
        "price": "182.40",
        "stop_loss": "180.55",
        "outcome": "win",
        "pnl": "298.56",
        "commission": "0.24",
        "slippage": "0.02",
        "r_multiple": "1.344865",  # 298.56 / (1.85 × 120)
        "hold_seconds": "1862.5",  # exit − entry: no hold_duration_seconds
        "exit_reason": "target hit",
        "order_id": "o-1",
        "mode": "LIVE",
        "version": "1.4.2 · abc123",
        "file": "2025-10-06.jsonl",
        "line": "1",
    }


def test_a_time_zone_gives_local_times_and_days(logs):
    Path("sitegen.yaml").write_text("timezone: America/New_York\n")
    rows = [
        json.loads(x)
        for x in export("--config", "sitegen.yaml", "--format", "jsonl").split("\n")
        if x
    ]
    assert rows[0]["entry_time"] == "2025-10-06T10:00:00-04:00"
    assert rows[0]["day"] == "2025-10-06"


def test_csv_neutralises_formulas_and_jsonl_keeps_values_as_they_are(logs):
    rows = list(csv.DictReader(io.StringIO(export())))
    hostile = rows[1]
    assert hostile["symbol"] == "'" + FORMULA and hostile["order_id"] == "'@SUM(A1)"
    assert hostile["pnl"] == "-40.10"  # a number of ours: never touched
    assert rows[4]["strategy"] == "'+plus"
    jsonl = [json.loads(line) for line in export("--format", "jsonl").splitlines()]
    assert jsonl[1]["symbol"] == FORMULA and jsonl[1]["order_id"] == "@SUM(A1)"
    assert list(jsonl[0]) == list(COLUMNS)
    assert jsonl[0]["line"] == 1 and jsonl[2]["r_multiple"] is None
    assert csv_safe("\tx") == "'\tx" and csv_safe("ok") == "ok" and csv_safe("") == ""


def test_open_trades_and_absent_values(tmp_path, logs):
    write_log(logs, "2025-10-08", [trade("2025-10-08T14:00:00Z", "QQQ", "open", profit="-2.50")])
    rows = [
        json.loads(x) for x in export("--format", "jsonl", "--start", "2025-10-08").splitlines()
    ]
    assert len(rows) == 1
    (qqq,) = rows
    assert qqq["outcome"] == "open" and qqq["pnl"] == "-2.50"
    assert qqq["exit_time"] is None and qqq["hold_seconds"] is None and qqq["order_id"] is None
    assert qqq["mode"] == "UNKNOWN" and qqq["version"] == "unknown · unknown"


def test_start_end_and_the_library_give_the_same_rows(logs):
    jsonl = [json.loads(x) for x in export("--format", "jsonl", "--end", "2025-10-06").splitlines()]
    tracker = sitegen.Tracker(sitegen.load_config(logs_dir=logs))
    assert list(tracker.trades(end="2025-10-06")) == jsonl
    assert [r["day"] for r in jsonl] == ["2025-10-06", "2025-10-06"]
    assert next(tracker.trades("2025-10-07", "2025-10-07"))["symbol"] == "AAPL"
    with pytest.raises(sitegen.SitegenError, match="after end"):
        tracker.trades("2025-10-08", "2025-10-07")
    with pytest.raises(sitegen.SitegenError, match="not a date"):
        tracker.trades("yesterday")


def test_mode_selects_the_books(logs):
    live = [json.loads(x) for x in export("--format", "jsonl", "--mode", "LIVE").splitlines()]
    assert [r["symbol"] for r in live] == ["NVDA"]


def test_output_file_is_written_whole_and_never_into_the_logs(logs):
    result = CliRunner().invoke(
        main, ["export", "trades", "--logs", "logs", "-o", "out/trades.csv"]
    )
    assert result.exit_code == 0, result.output
    assert Path("out/trades.csv").read_text("utf-8").startswith("day,entry_time,")
    before = {p.name: p.read_bytes() for p in logs.iterdir()}
    result = CliRunner().invoke(
        main, ["export", "trades", "--logs", "logs", "-o", "logs/2025-10-06.jsonl"]
    )
    assert result.exit_code == 1 and "never writes there" in result.output
    assert {p.name: p.read_bytes() for p in logs.iterdir()} == before
