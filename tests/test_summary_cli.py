"""`sitegen summary` as people read it, and periods without data.

A hand-made week (five trades, one bad line) whose figures can be checked by hand:
labels, units and formats as the site shows them, plurals, the title, one table row
per period for a range, `--json`, and an error naming the data range for a period
outside it (before, after, or in a gap), from the command line and the library."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

import sitegen
from sitegen import NoDataError, SitegenError, Tracker, load_config
from sitegen.cli import main
from sitegen.figures import plural

TARGETS = (
    "win_rate_target: 50\n"
    "daily_pl_target: 100\n"
    "trades_per_day_target: 2\n"
    "max_drawdown_target: -1000\n"
    "avg_risk_reward_target: 1.5\n"
)


def record(ts: str, symbol: str, outcome: str, pnl: str, order_id: str) -> str:
    return json.dumps(
        {
            "timestamp": ts,
            "symbol": symbol,
            "outcome": outcome,
            "net_profit_loss": pnl,
            "order_id": order_id,
        }
    )


def write(day: str, *lines: str) -> None:
    Path("logs").mkdir(exist_ok=True)
    Path(f"logs/{day}.jsonl").write_text("".join(line + "\n" for line in lines))


@pytest.fixture(autouse=True)
def week(tmp_path, monkeypatch):
    """Monday: NVDA +1,250.50, AAPL -250.25, NVDA +100.00. Tuesday: AAPL breakeven,
    MSFT -100.00 and a line that is not JSON."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)
    write(
        "2025-10-06",
        record("2025-10-06T14:00:00Z", "NVDA", "win", "1250.50", "o1"),
        record("2025-10-06T15:00:00Z", "AAPL", "loss", "-250.25", "o2"),
        record("2025-10-06T16:00:00Z", "NVDA", "win", "100.00", "o3"),
    )
    write(
        "2025-10-07",
        record("2025-10-07T14:00:00Z", "AAPL", "breakeven", "0.00", "o4"),
        record("2025-10-07T15:00:00Z", "MSFT", "loss", "-100.00", "o5"),
        "not json",
    )
    Path("config").mkdir()
    Path("config/dashboard-targets.yaml").write_text(TARGETS)
    return tmp_path


def run(*args: str, code: int = 0):
    result = CliRunner().invoke(main, ["summary", *args])
    assert result.exit_code == code, (result.output, result.exception)
    assert "Traceback" not in result.output
    return result


def squeezed(text: str) -> list[str]:
    """The lines, each with its runs of spaces made one (alignment is tested apart)."""
    return [" ".join(line.split()) for line in text.splitlines()]


# --- one period ---------------------------------------------------------------------


def test_one_period_reads_like_the_site():
    out = run("--window", "weekly").stdout
    lines = squeezed(out)
    assert lines[:3] == [
        "Week 2025-W41 (2025-10-06 – 2025-10-12, UTC)",
        "Partial: 1 skipped line (`sitegen validate` lists them).",
        "Small sample: 5 closed trades (fewer than 30); read the ratios with care.",
    ]
    for expected in (
        "Trades 5 5 closed · 0 open",
        "Win rate 40.00% 2 wins · 2 losses · 1 breakeven",
        "Net P&L +1,000.25 gross profit 1,350.50 · gross loss -350.25",
        "Profit factor 3.86",
        "Expectancy +200.05 per closed trade",
        "Payoff ratio 3.86 average win 675.25 · average loss -175.12",
        "Max drawdown (trade by trade) -250.25 4 trades under water",
        "Avg planned R:R n/a no closed trades with a risk_reward_ratio",
        "Current streak 1 loss longest: 1 win, 1 loss",
        "Best day +1,100.25 2025-10-06",
        "Worst day -100.00 2025-10-07",
    ):
        assert expected in lines, expected
    # values are aligned on their right edge
    raw = out.splitlines()
    ends = {
        line.index(value) + len(value)
        for line, value in [
            (next(x for x in raw if x.startswith("Win rate")), "40.00%"),
            (next(x for x in raw if x.startswith("Net P&L")), "+1,000.25"),
            (next(x for x in raw if x.startswith("Trades ")), "5"),
        ]
    }
    assert len(ends) == 1
    # no raw field names, 6-place quotients or fractions for rates; no trailing spaces
    for raw_text in ("win_rate", "net_pnl", "0.400000", "3.855675", " 0.4 ", "avg_win"):
        assert raw_text not in out
    assert all(line == line.rstrip() for line in raw)


def test_targets_show_actual_target_variance_and_status():
    lines = squeezed(run("--window", "weekly").stdout)
    rows = [line.strip("│ ").split(" │ ") for line in lines if line.startswith("│")]
    targets = {row[0]: row[1:] for row in rows if len(row) == 5}
    assert targets["Win rate"] == ["40.00%", "50.00%", "-10.00 pts", "missed by 10.00 pts"]
    assert targets["Net P&L per day (mean)"] == ["500.12", "100.00", "+400.12", "met"]
    assert targets["Max drawdown (trade by trade)"] == ["-250.25", "-1,000.00", "+749.75", "met"]
    assert targets["Avg planned R:R"] == [
        "n/a",
        "1.50",
        "—",
        "n/a (no closed trades with a risk_reward_ratio)",
    ]
    # the top symbols, not the whole breakdown grid
    symbols = [row for row in rows if len(row) == 4]
    assert [row[0] for row in symbols] == ["NVDA", "MSFT", "AAPL"]
    assert symbols[0] == ["NVDA", "2", "100.00%", "+1,350.50"]


def test_plurals_on_a_single_day():
    lines = squeezed(run("--period", "2025-10-07").stdout)
    assert lines[0] == "Day 2025-10-07 (2025-10-07 – 2025-10-07, UTC)"
    assert "Win rate 0.00% 0 wins · 1 loss · 1 breakeven" in lines
    assert "Max drawdown (trade by trade) -100.00 1 trade under water" in lines
    assert "Current streak 1 loss longest: 0 wins, 1 loss" in lines
    assert not [line for line in lines if line.startswith(("Sharpe", "Best day"))]


def test_all_time_title():
    out = run("--window", "all").stdout
    assert out.startswith("All time (2025-10-06 – 2025-10-07, UTC)\n")
    assert "all all" not in out


def test_plural():
    assert [plural(n, "loss") for n in (0, 1, 2)] == ["0 losses", "1 loss", "2 losses"]
    assert plural(1204, "trade") == "1,204 trades"
    assert plural(1, "skipped line") == "1 skipped line"


# --- a range -----------------------------------------------------------------------


def test_a_range_is_one_table_with_a_row_per_period():
    out = run("--start", "2025-10-06", "--end", "2025-10-12").stdout
    lines = squeezed(out)
    assert lines[0] == "Days 2025-10-06 to 2025-10-07 (2025-10-06 – 2025-10-07, UTC): 2 periods"
    assert out.count("┏") == 1  # one table
    header = next(line for line in lines if line.startswith("┃"))
    assert header.strip("┃ ").split(" ┃ ") == [
        "Period",
        "Trades",
        "Win rate",
        "Net P&L",
        "Profit factor",
        "Expectancy",
        "Max drawdown (trade by trade)",
        "Notes",
    ]
    rows = [line.strip("│ ").split(" │ ") for line in lines if line.startswith("│")]
    monday = ["2025-10-06", "3", "66.67%", "+1,100.25", "5.40", "+366.75", "-250.25"]
    tuesday = ["2025-10-07", "2", "0.00%", "-100.00", "0.00", "-50.00", "-100.00"]
    assert rows == [[*monday, "small sample"], [*tuesday, "small sample, partial"]]
    assert "Trades 5 5 closed · 0 open" not in lines  # no block per period


def test_json_of_one_period_and_of_a_range():
    one = json.loads(run("--period", "2025-10-06", "--json").stdout)
    assert isinstance(one, dict) and one["period"] == "2025-10-06"
    assert one["win_rate"] == "0.666667"  # the artifact's own values
    many = json.loads(run("--start", "2025-10-06", "--end", "2025-10-07", "--json").stdout)
    assert [s["period"] for s in many] == ["2025-10-06", "2025-10-07"]
    assert many[0] == one
    single = json.loads(run("--start", "2025-10-06", "--end", "2025-10-06", "--json").stdout)
    assert isinstance(single, list) and [s["period"] for s in single] == ["2025-10-06"]


# --- periods without data ----------------------------------------------------------

COVER = "the logs cover 2025-10-06 to 2025-10-07"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--window", "monthly", "--period", "2025-05"], f"no data for monthly 2025-05: {COVER}"),
        (["--period", "2025-10-08"], f"no data for daily 2025-10-08: {COVER}"),
        (["--window", "weekly", "--period", "2025-W40"], f"no data for weekly 2025-W40: {COVER}"),
        (
            ["--window", "monthly", "--period", "2025-13"],
            f"period: '2025-13' is not a monthly period id (for example 2025-10); {COVER}",
        ),
        (["--window", "all", "--period", "2025"], "period: '2025': the all window has one"),
        (
            ["--start", "2025-05-01", "--end", "2025-05-31"],
            f"no daily data between 2025-05-01 and 2025-05-31: {COVER}",
        ),
        (["--start", "2025-11-01"], f"no daily data from 2025-11-01 on: {COVER}"),
        (["--start", "2025-10-07", "--end", "2025-10-06"], "--start 2025-10-07 is after --end"),
    ],
)
def test_a_period_outside_the_data_is_an_error_naming_the_range(args, message):
    result = run(*args, code=1)
    assert result.stderr.startswith(f"Error: {message}")
    assert result.stdout == ""


def test_a_period_in_a_gap_is_outside_the_data():
    write("2025-12-15", record("2025-12-15T14:00:00Z", "NVDA", "win", "5.00", "o9"))
    result = run("--window", "monthly", "--period", "2025-11", code=1)
    assert result.stderr == (
        "Error: no data for monthly 2025-11: it lies in a gap of 68 days without logs or "
        "trades (2025-10-08 to 2025-12-14); the logs cover 2025-10-06 to 2025-10-07 and "
        "2025-12-15 to 2025-12-15\n"
    )
    run("--window", "weekly", "--period", "2025-W47", code=1)
    # the periods around the gap have their summaries; a range skips the gap
    assert "Month 2025-10 (" in run("--window", "monthly", "--period", "2025-10").stdout
    data = json.loads(run("--window", "weekly", "--start", "2025-10-01", "--json").stdout)
    assert [s["period"] for s in data] == ["2025-W41", "2025-W51"]
    out = run("--window", "all").stdout
    assert "No data in 1 gap: 2025-10-08 to 2025-12-14 (68 days)." in out


def test_the_library_raises_a_sitegen_error():
    tracker = Tracker(load_config(logs_dir="logs"))
    with pytest.raises(NoDataError) as caught:
        tracker.get_summary("monthly", "2025-05")
    assert isinstance(caught.value, SitegenError)
    assert str(caught.value) == f"no data for monthly 2025-05: {COVER}"
    with pytest.raises(SitegenError, match=f"not a daily period id .*; {COVER}"):
        tracker.get_summary("daily", "2025-10-32")
    with pytest.raises(NoDataError, match=f"no weekly data between .*: {COVER}"):
        tracker.summaries("weekly", "2025-01-01", "2025-02-01")
    assert tracker.get_summary("daily", "2025-10-06")["trades_total"] == 3
    assert [s["period"] for s in tracker.summaries("daily")] == ["2025-10-06", "2025-10-07"]
    assert sitegen.NoDataError is NoDataError


def test_no_logs_at_all(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    tracker = Tracker(load_config(logs_dir=empty))
    assert tracker.get_summary("daily") is None  # nothing asked, nothing there
    with pytest.raises(NoDataError, match="no data for daily 2025-10-06: there are no trade logs"):
        tracker.get_summary("daily", "2025-10-06")


# --- terminals and pipes -----------------------------------------------------------


def test_colours_on_a_terminal_only():
    from sitegen.console import print_summary

    summary = Tracker(load_config(logs_dir="logs")).get_summary("weekly")
    terminal = Console(file=io.StringIO(), force_terminal=True, color_system="standard")
    print_summary(summary, terminal)
    coloured = terminal.file.getvalue()
    assert "\x1b[32m+1,000.25" in coloured  # a gain in green
    assert "\x1b[31m-250.25" in coloured  # a loss in red
    piped = Console(file=io.StringIO())  # not a terminal: what rich detects for a pipe
    print_summary(summary, piped)
    assert "\x1b" not in piped.file.getvalue()
    assert "+1,000.25" in piped.file.getvalue()


def test_piped_output_has_no_escape_codes(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    env["TERM"] = "xterm-256color"
    env["PYTHONPATH"] = str(Path(sitegen.__file__).resolve().parents[1])
    for args in ([], ["--start", "2025-10-06"]):
        proc = subprocess.run(
            [sys.executable, "-m", "sitegen", "summary", "--window", "weekly", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert proc.returncode == 0, proc.stderr
        assert "Week 2025-W41" in proc.stdout
        assert "\x1b" not in proc.stdout


def test_missing_days_and_days_without_trades():
    # Thursday's file makes Wednesday a missing day inside the range, and a day
    # without trades
    write("2025-10-09", record("2025-10-09T14:00:00Z", "NVDA", "win", "1.00", "o6"))
    lines = squeezed(run("--period", "2025-10-08").stdout)
    assert lines[:2] == [
        "Day 2025-10-08 (2025-10-08 – 2025-10-08, UTC)",
        "No trades in window.",
    ]
    assert "Partial: 1 missing day (2025-10-08)." in lines
    assert "Win rate n/a no closed trades" in lines
    rows = squeezed(run("--start", "2025-10-08", "--end", "2025-10-08").stdout)
    assert "│ 2025-10-08 │ 0 │ n/a │ 0.00 │ n/a │ n/a │ 0.00 │ no trades, partial │" in rows


def test_a_range_split_in_many_runs_is_named_by_its_ends(tmp_path):
    for day in ("2025-01-06", "2025-03-03", "2025-05-05", "2025-07-07"):
        write(day, record(f"{day}T14:00:00Z", "NVDA", "win", "1.00", f"x{day}"))
    with pytest.raises(NoDataError) as caught:
        Tracker(load_config(logs_dir="logs")).get_summary("monthly", "2024-01")
    assert str(caught.value) == (
        "no data for monthly 2024-01: the logs cover 2025-01-06 to 2025-10-07 in 5 runs, "
        "with gaps of more than 31 days without data between them"
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(NoDataError, match="no daily data up to 2025-10-06: there are no trade"):
        Tracker(load_config(logs_dir=empty)).summaries("daily", end="2025-10-06")
