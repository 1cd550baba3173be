"""`sitegen export trades` and `Tracker.trades`: one row per analysed trade, open ones
too, in attribution order, exactly the documented columns; money exact; CSV safe to
open in a spreadsheet (formula-like text neutralised), JSONL as it is."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import sitegen
from sitegen.cli import main
from sitegen.pipeline import ScanCache, load_history
from sitegen.report import BuildReport
from sitegen.trade_export import COLUMNS, csv_safe, trade_rows
from sitegen.windows import zone
from tests import oracle
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


def test_a_tracker_summarises_the_same_after_streaming_its_trades(logs):
    """The export digests files without their per-day parts and keeps none of them:
    the tracker's kept digests still make every summary."""
    config = sitegen.load_config(logs_dir=logs)
    tracker = sitegen.Tracker(config)
    rows = list(tracker.trades())
    assert tracker.get_summary("all") == sitegen.Tracker(config).get_summary("all")
    assert list(tracker.trades()) == rows  # now through the digests the summary kept
    assert tracker.last_report.files_total == 2 and tracker.last_report.files_read == 0


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


# ------------------------------------------------------------- identity, the stream's way
#
# The export resolves identity without assembling any day (pipeline.load_trades ->
# history.resolve_identity); the rows must be exactly those a whole history reads back
# (pipeline.load_history), and those of the independent oracle.


def _assembled_rows(config) -> list[dict]:
    """The rows the way a build would read them: through a whole History."""
    history = load_history(config, ScanCache(), BuildReport())
    return list(trade_rows(history, zone(config.timezone)))


def _oracle_keys(logs: Path, tz: str, modes: frozenset[str] | None) -> list[tuple]:
    """(day, file, line, outcome, pnl, order id, mode) of each analysed trade, from the
    oracle's own identity resolution and attribution order."""
    return [
        (
            t.local_date.isoformat(),
            f"{t.file_date.isoformat()}.jsonl",
            t.line,
            t.outcome,
            str(t.pnl) if t.closed else (None if t.profit_loss is None else str(t.profit_loss)),
            None if t.order_key is None else t.order_key[1],
            t.mode,
        )
        for t in oracle.load(logs, tz).trades
        if modes is None or t.mode in modes
    ]


def _keys(rows: list[dict]) -> list[tuple]:
    return [
        (r["day"], r["file"], r["line"], r["outcome"], r["pnl"], r["order_id"], r["mode"])
        for r in rows
    ]


def _check_streamed_rows(logs: Path, tz: str, modes: frozenset[str] | None) -> list[dict]:
    config = sitegen.load_config(logs_dir=logs, timezone=tz, modes=modes)
    streamed = list(sitegen.Tracker(config).trades())
    assert streamed == _assembled_rows(config)
    assert _keys(streamed) == _oracle_keys(logs, tz, modes)
    return streamed


@pytest.fixture
def tangled(tmp_path) -> Path:
    """Records superseded across files (open -> closed, closed -> closed, across modes),
    a rewrite within a file, and days whose trades come from interleaving files."""
    logs = tmp_path / "tangled"
    live, paper = {"execution_mode": "LIVE"}, {"execution_mode": "PAPER"}
    write_log(
        logs,
        "2025-10-06",
        [
            trade("2025-10-06T14:00:00Z", "A", "open", order_id="o-1", profit="-1.00", **live),
            trade("2025-10-06T15:00:00Z", "B", "win", "5.00", order_id="o-2", **live),
            # exits after midnight: day 10-07, between two trades of the 10-07 file
            trade(
                "2025-10-06T23:00:00Z",
                "C",
                "loss",
                "-3.00",
                exit="2025-10-07T01:00:00Z",
                order_id="o-4",
                **paper,
            ),
            trade("2025-10-06T15:10:00Z", "D", "win", "1.00", **live),
            trade("2025-10-06T17:00:00Z", "E", "open", order_id="o-5", **paper),
            trade("2025-10-06T18:00:00Z", "F", "win", "2.00", order_id="o-6", **live),
            trade("2025-10-06T18:00:00Z", "F", "loss", "-2.00", order_id="o-6", **live),
        ],
    )
    write_log(
        logs,
        "2025-10-07",
        [
            # o-1 closes, in another book: it counts once, closed, as PAPER
            trade(
                "2025-10-06T14:00:00Z",
                "A",
                "win",
                "7.00",
                exit="2025-10-07T00:30:00Z",
                order_id="o-1",
                **paper,
            ),
            trade(
                "2025-10-07T01:30:00Z",
                "G",
                "win",
                "4.00",
                exit="2025-10-07T02:00:00Z",
                order_id="o-7",
                **live,
            ),
            # o-5 (PAPER, open) closes as LIVE
            trade(
                "2025-10-06T17:00:00Z",
                "E",
                "win",
                "6.00",
                exit="2025-10-07T14:00:00Z",
                order_id="o-5",
                **live,
            ),
            trade("2025-10-07T15:00:00Z", "H", "open", order_id="o-8", **live),
        ],
    )
    write_log(
        logs,
        "2025-10-08",
        [
            # o-2 rewritten a file later: the 10-06 record no longer counts; its day is
            # still 10-06, where it now sits between that file's trades
            trade(
                "2025-10-06T15:00:00Z",
                "B",
                "loss",
                "-8.00",
                exit="2025-10-06T15:30:00Z",
                order_id="o-2",
                **live,
            ),
            trade("2025-10-08T14:00:00Z", "I", "breakeven", "0.00", order_id="o-9"),
            "not json",
        ],
    )
    return logs


@pytest.mark.parametrize("modes", [None, frozenset({"LIVE"}), frozenset({"PAPER", "UNKNOWN"})])
@pytest.mark.parametrize("tz", ["UTC", "America/New_York"])
def test_streamed_rows_equal_the_assembled_history_and_the_oracle(tangled, tz, modes):
    rows = _check_streamed_rows(tangled, tz, modes)
    if tz == "UTC" and modes is None:
        # the cases it means to hold: closed and open records superseded from a later
        # file, and days assembled from files whose trades interleave
        whole = load_history(sitegen.load_config(logs_dir=tangled), ScanCache(), BuildReport())
        assert whole.excluded and whole.replaced_opens and len(whole.assembled) == 2
        assert [
            (r["day"][-2:], r["order_id"], r["outcome"], r["file"][8:10], r["line"]) for r in rows
        ] == [
            ("06", None, "win", "06", 4),
            ("06", "o-2", "loss", "08", 1),  # the 10-06 file's o-2 is superseded
            ("06", "o-6", "loss", "06", 7),  # the file's last line of o-6
            ("07", "o-1", "win", "07", 1),  # closed as PAPER: the LIVE open is gone
            ("07", "o-4", "loss", "06", 3),
            ("07", "o-7", "win", "07", 2),
            ("07", "o-5", "win", "07", 3),  # closed as LIVE: the PAPER open is gone
            ("07", "o-8", "open", "07", 4),
            ("08", "o-9", "breakeven", "08", 2),
        ]


@pytest.mark.parametrize("seed", range(6))
def test_streamed_rows_equal_the_assembled_history_on_random_rewrites(tmp_path, seed):
    """Random logs where ids recur across files and modes and trades cross midnight
    (seed 0's files hold more trades of a day than a digest keeps, so a day whose files
    interleave is read back to be assembled)."""
    rnd = random.Random(seed)
    logs = tmp_path / "logs"
    start = dt.datetime(2025, 10, 6, tzinfo=dt.UTC)
    per_file, ids = ((200, 220), 3000) if seed == 0 else ((5, 15), 25)
    for f in range(6):
        day = start + dt.timedelta(days=f)
        records = []
        for _ in range(rnd.randint(*per_file)):
            entry = day + dt.timedelta(minutes=rnd.randrange(24 * 60))
            outcome = rnd.choice(["win", "loss", "breakeven", "open"])
            exit_ = entry + dt.timedelta(minutes=rnd.randrange(30 * 60))
            records.append(
                trade(
                    entry.isoformat(),
                    rnd.choice("XYZ"),
                    outcome,
                    f"{rnd.randint(-500, 500) / 100:.2f}",
                    exit=None if outcome == "open" else exit_.isoformat(),
                    order_id=rnd.choice([None, *(f"o-{i}" for i in range(ids))]),
                    execution_mode=rnd.choice(["LIVE", "PAPER", None]),
                )
            )
        write_log(logs, day.date().isoformat(), records)
    for modes in (None, frozenset({"LIVE"})):
        _check_streamed_rows(logs, "UTC" if seed % 2 else "America/New_York", modes)
