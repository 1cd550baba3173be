"""The command line, sqlite-utils style: CliRunner in a temporary folder, checking the
exit code, the files written and the exact text of messages that are part of the contract."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen.cli import main

ENV_TZ = "PERFORMANCE_SUMMARY_TIMEZONE"
ENV_ROLLING = "PERFORMANCE_ALERT_ROLLING_WINDOW"
# Targets no data can miss, so that alerts (exit 2) stay out of tests about other things.
LAX_TARGETS = (
    "win_rate_target: 0\n"
    "daily_pl_target: -1000000\n"
    "trades_per_day_target: 0\n"
    "max_drawdown_target: -100000000\n"
    "avg_risk_reward_target: 0\n"
)
BUILT = re.compile(
    r"^Built (\d+) summaries from (\d+) trades in (\d+) log files: "
    r"(\d+) files written, (\d+) unchanged, in logs/performance/$",
    re.MULTILINE,
)


@pytest.fixture(autouse=True)
def workdir(tmp_path, monkeypatch):
    """An empty working folder, no sitegen variables, and the logger put back afterwards
    (each command installs its own stderr handler on the "sitegen" logger)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_TZ, raising=False)
    monkeypatch.delenv(ENV_ROLLING, raising=False)
    logger = logging.getLogger("sitegen")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield tmp_path
    logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]


def run(*args: str, code: int | None = 0):
    result = CliRunner().invoke(main, list(args))
    if code is not None:
        assert result.exit_code == code, (result.output, result.exception)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def demo(workdir) -> Path:
    """Ten trading days of demo logs in logs/ (one day missing) and lax targets."""
    run("demo-data", "--out", "logs", "--days", "10", "--per-day", "5")
    Path("config").mkdir()
    Path("config/dashboard-targets.yaml").write_text(LAX_TARGETS)
    return workdir / "logs"


def write_log(day: str, *records: dict | str) -> Path:
    logs = Path("logs")
    logs.mkdir(exist_ok=True)
    path = logs / f"{day}.jsonl"
    with path.open("a", encoding="utf-8") as fp:
        for rec in records:
            fp.write((rec if isinstance(rec, str) else json.dumps(rec)) + "\n")
    return path


def trade(ts: str, outcome: str, pnl: str, order_id: str, symbol: str = "NVDA") -> dict:
    return {
        "timestamp": ts,
        "symbol": symbol,
        "outcome": outcome,
        "net_profit_loss": pnl,
        "order_id": order_id,
    }


def small_logs() -> None:
    """Two trading days, three trades, hand-countable."""
    write_log(
        "2025-10-06",
        trade("2025-10-06T14:00:00Z", "win", "100.00", "o1"),
        trade("2025-10-06T15:00:00Z", "loss", "-40.00", "o2", "AAPL"),
    )
    write_log("2025-10-07", trade("2025-10-07T14:00:00Z", "win", "10.00", "o3"))


def artifacts() -> dict[str, int]:
    """Artifact file name -> mtime_ns (the cache index is not an artifact)."""
    folder = Path("logs/performance")
    return {
        p.name: p.stat().st_mtime_ns
        for p in sorted(folder.iterdir())
        if p.suffix in (".json", ".md") and p.name != "performance-index.json"
    }


# --------------------------------------------------------------------------- help


def test_every_command_has_help_text():
    top = run("--help")
    assert top.output.startswith("Usage: main [OPTIONS] COMMAND [ARGS]...")
    assert set(main.commands) >= {"build", "summary", "validate", "demo-data", "alerts", "ack"}
    for name, command in main.commands.items():
        assert command.help, f"{name} has no help text"
        first_line = command.help.strip().splitlines()[0]
        result = run(name, "--help")
        assert result.output.startswith(f"Usage: main {name} [OPTIONS]")
        assert " ".join(first_line.split()) in " ".join(result.output.split())
        assert name in top.output
        for param in command.params:
            if param.param_type_name == "option" and param.name != "help":
                assert param.help, f"{name} {param.opts} has no help text"


def test_short_help_flag_and_version():
    assert run("-h").output == run("--help").output
    assert run("--version").output.startswith("main, version ")


def test_python_m_sitegen_is_the_same_program():
    proc = subprocess.run(
        [sys.executable, "-m", "sitegen", "--help"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    for name in ("build", "summary", "validate", "demo-data"):
        assert name in proc.stdout


def test_unknown_command_is_a_usage_error_exit_1_not_the_alerts_code():
    result = run("bulid", code=1)
    assert "No such command 'bulid'" in result.output


# --------------------------------------------------------------------------- demo-data


def test_demo_data_writes_log_files(workdir):
    result = run("demo-data", "--out", "trades", "--days", "6", "--per-day", "3", "--seed", "1")
    names = sorted(p.name for p in (workdir / "trades").iterdir())
    assert result.output == f"Wrote {len(names)} log files to trades/\n"
    assert len(names) == 5  # one trading day of the range is left out as a missing day
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}\.jsonl", name) for name in names)
    first = (workdir / "trades" / names[0]).read_text().splitlines()[0]
    assert {"timestamp", "symbol", "outcome", "order_id"} <= set(json.loads(first))


def test_demo_data_is_deterministic(workdir):
    run("demo-data", "--out", "a", "--days", "5", "--seed", "3")
    run("demo-data", "--out", "b", "--days", "5", "--seed", "3")
    a = {p.name: p.read_bytes() for p in (workdir / "a").iterdir()}
    b = {p.name: p.read_bytes() for p in (workdir / "b").iterdir()}
    assert a == b


def test_demo_data_rejects_zero_days():
    result = run("demo-data", "--days", "0", code=1)
    assert "Invalid value for '--days'" in result.output


# --------------------------------------------------------------------------- build


def test_build_on_demo_logs_writes_every_window(demo):
    result = run("build", "--no-site")
    logs = sorted(p.name for p in demo.glob("*.jsonl") if p.name[0].isdigit())
    names = set(artifacts())
    kinds = {name.split("-summary")[0] for name in names}
    assert kinds == {"daily", "weekly", "monthly", "all"}
    for name in names:  # JSON and Markdown for every summary
        stem = name.rsplit(".", 1)[0]
        assert {f"{stem}.json", f"{stem}.md"} <= names
    for log in logs:
        assert f"daily-summary-{log.removesuffix('.jsonl')}.json" in names
    assert "weekly-summary-2025-W36.json" in names
    assert "monthly-summary-2025-09.json" in names
    assert "all-summary.json" in names
    summary = json.loads(Path("logs/performance/all-summary.json").read_text())
    assert summary["window"] == "all"

    (match,) = BUILT.finditer(result.stdout)
    summaries, trades, files, written, unchanged = map(int, match.groups())
    assert files == len(logs)
    assert summaries * 2 == written == len(names)
    assert unchanged == 0
    assert trades == summary["trades_total"]
    assert result.stdout == match.group(0) + "\n"


def test_build_prints_exact_counts():
    small_logs()
    Path("targets.yaml").write_text(LAX_TARGETS)
    result = run("build", "--targets", "targets.yaml", "--no-site")
    assert result.stdout == (
        "Built 5 summaries from 3 trades in 2 log files: 10 files written, 0 unchanged, "
        "in logs/performance/\n"
    )
    assert sorted(artifacts()) == sorted(
        f"{stem}.{ext}"
        for stem in (
            "daily-summary-2025-10-06",
            "daily-summary-2025-10-07",
            "weekly-summary-2025-W41",
            "monthly-summary-2025-10",
            "all-summary",
        )
        for ext in ("json", "md")
    )


def test_second_build_changes_nothing(demo):
    run("build")
    before = artifacts()
    result = run("build")
    assert result.stdout.startswith("Up to date: none of the 9 log files changed")
    assert artifacts() == before  # not rewritten: mtimes unchanged
    result = run("build", "--full")  # recomputes everything, and rewrites nothing
    (match,) = BUILT.finditer(result.stdout)
    summaries, _, _, written, unchanged = map(int, match.groups())
    assert (written, unchanged) == (0, summaries * 2)
    assert artifacts() == before


def test_quiet_build_prints_nothing(demo):
    result = run("build", "-q")
    assert result.stdout == ""
    assert result.stderr == ""


def test_build_with_missing_logs_dir():
    result = run("build", "--logs", "missing_dir", code=1)
    assert result.stderr == (
        "Error: logs dir missing_dir does not exist; pass --logs DIR or set logs_dir in "
        "config/sitegen.yaml (or run `sitegen demo-data --out logs` for sample logs)\n"
    )
    assert result.stdout == ""


def test_build_with_bad_timezone_from_environment(demo, monkeypatch):
    monkeypatch.setenv(ENV_TZ, "Mars/Olympus_Mons")
    result = run("build", code=1)
    assert result.stderr == (
        f"Error: environment {ENV_TZ}: timezone: unknown time zone 'Mars/Olympus_Mons'; "
        "use an IANA name such as 'UTC' or 'America/New_York'\n"
    )
    assert not Path("logs/performance").exists()


def test_build_with_bad_rolling_window_from_environment(demo, monkeypatch):
    monkeypatch.setenv(ENV_ROLLING, "0")
    result = run("build", code=1)
    assert f"Error: environment {ENV_ROLLING}: rolling_window: " in result.stderr


def test_build_with_missing_config_file(demo):
    result = run("build", "--config", "nope.yaml", code=1)
    assert result.stderr == "Error: --config: file nope.yaml does not exist\n"


def test_build_with_missing_targets_file(demo):
    result = run("build", "--targets", "nope.yaml", code=1)
    assert result.stderr == "Error: --targets: file nope.yaml does not exist\n"


def test_build_with_invalid_targets_file_names_the_key(demo):
    Path("config/dashboard-targets.yaml").write_text("win_rate_target: 150\n")
    result = run("build", code=1)
    assert result.stderr == (
        "Error: config/dashboard-targets.yaml: win_rate_target: 150 is not valid; "
        "expected a percentage from 0 to 100\n"
    )


def test_build_with_bad_holiday_in_config_names_the_key(demo):
    Path("config/sitegen.yaml").write_text("holidays: [2025-13-01]\n")
    result = run("build", code=1)
    assert result.stderr == (
        "Error: config/sitegen.yaml: holidays: '2025-13-01' is not a date (YYYY-MM-DD)\n"
    )


def test_build_window_weekly_only_writes_weekly_files(demo):
    run("build", "--window", "weekly")
    assert sorted(artifacts()) == [
        "weekly-summary-2025-W36.json",
        "weekly-summary-2025-W36.md",
        "weekly-summary-2025-W37.json",
        "weekly-summary-2025-W37.md",
    ]


def test_build_window_must_be_a_known_kind(demo):
    result = run("build", "--window", "yearly", code=1)
    assert "Invalid value for '--window'" in result.output


def test_build_start_and_end_narrow_the_periods(demo):
    run("build", "--start", "2025-09-09", "--end", "2025-09-10")
    assert sorted(artifacts()) == sorted(
        f"{stem}.{ext}"
        for stem in (
            "daily-summary-2025-09-09",
            "daily-summary-2025-09-10",
            "weekly-summary-2025-W37",
            "monthly-summary-2025-09",
            "all-summary",
        )
        for ext in ("json", "md")
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2025-13-01"], "Error: --start: '2025-13-01' is not a date (YYYY-MM-DD)\n"),
        (["--end", "yesterday"], "Error: --end: 'yesterday' is not a date (YYYY-MM-DD)\n"),
        (
            ["--start", "2025-09-10", "--end", "2025-09-09"],
            "Error: --start 2025-09-10 is after --end 2025-09-09\n",
        ),
    ],
)
def test_build_bad_start_or_end(demo, args, message):
    assert run("build", *args, code=1).stderr == message


def test_build_backfill_writes_the_last_days(demo):
    run("build", "--backfill", "3")
    daily = sorted(name for name in artifacts() if name.startswith("daily-"))
    last = max(p.stem for p in demo.glob("2025-*.jsonl"))
    assert daily[-2:] == [f"daily-summary-{last}.json", f"daily-summary-{last}.md"]
    assert len(daily) == 6  # three days, JSON + Markdown
    assert "all-summary.json" in artifacts()


def test_build_backfill_must_be_positive(demo):
    result = run("build", "--backfill", "0", code=1)
    assert "Invalid value for '--backfill'" in result.output


def test_build_strict_fails_on_a_bad_line(demo):
    last = max(demo.glob("2025-*.jsonl"))
    lines = last.read_text().count("\n")
    with last.open("a") as fp:
        fp.write("this is not json\n")
    result = run("build", "--strict", code=1)
    assert f"skipped {last.name}:{lines + 1}: not JSON (" in result.stderr
    assert result.stderr.endswith("Error: --strict: 1 log line skipped (see above)\n")
    assert BUILT.search(result.stdout)  # the summaries are still written
    assert run("build").exit_code == 0  # without --strict a bad line is not fatal


def test_build_demo_fills_an_empty_logs_dir(workdir):
    Path("logs").mkdir()
    Path("logs/notes.txt").write_text("not a trade log")
    Path("config").mkdir()
    Path("config/dashboard-targets.yaml").write_text(LAX_TARGETS)
    result = run("build", "--demo", "--no-site")
    written = sorted(p.name for p in Path("logs").glob("2*.jsonl"))
    assert written
    assert result.stdout.startswith(
        f"No trade logs in logs/: wrote {len(written)} days of demo logs.\n"
    )
    assert BUILT.search(result.stdout)
    assert "all-summary.json" in artifacts()


def test_build_demo_leaves_existing_logs_alone():
    small_logs()
    Path("targets.yaml").write_text(LAX_TARGETS)
    result = run("build", "--demo", "--targets", "targets.yaml")
    assert "demo logs" not in result.stdout
    assert sorted(p.name for p in Path("logs").glob("*.jsonl")) == [
        "2025-10-06.jsonl",
        "2025-10-07.jsonl",
    ]


def test_build_exits_2_on_an_unacknowledged_breach_until_acked():
    small_logs()
    write_log("2025-10-07", trade("2025-10-07T16:00:00Z", "loss", "-5000.00", "o4"))
    result = run("build", code=2)
    assert result.stderr.endswith(
        "1 open incident (1 unacknowledged alert) in the latest day, week or month: "
        "run `sitegen alerts` to see them and `sitegen ack ID` to acknowledge.\n"
    )
    listed = run("alerts")
    assert "drawdown_breach:daily:2025-10-07" in listed.output
    acked = run("ack", "drawdown_breach:daily:2025-10-07")
    assert acked.output.startswith("Acknowledged 1 alert in 1 incident at ")
    run("build", code=0)
    assert run("alerts").output == "No open alerts.\n"


def test_ack_of_an_unknown_id():
    small_logs()
    result = run("ack", "nope", code=1)
    assert result.stderr.startswith("Error: no alert or incident with id 'nope' in ")


# --------------------------------------------------------------------------- summary


def test_summary_prints_metrics_and_targets(demo):
    """Labels and formats as the site has them (tests/test_summary_cli.py has the
    exact lines on a hand-made fixture)."""
    result = run("summary", "--window", "weekly")
    out = result.stdout
    assert out.startswith("Week 2025-W37 (2025-09-08 – 2025-09-14, UTC)\n")
    for label in ("Trades ", "Win rate ", "Net P&L ", "Max drawdown ", "Targets\n"):
        assert label in out
    for label in ("Net P&L per day (mean)", "Trades per day (mean)", "Avg planned R:R"):
        assert label in out
    for field in ("trades_total", "win_rate", "net_pnl", "_target"):  # no raw field names
        assert field not in out


def test_summary_json_is_the_artifact(demo):
    run("build", "-q")
    result = run("summary", "--window", "weekly", "--period", "2025-W36", "--json")
    data = json.loads(result.stdout)
    assert (data["window"], data["period"]) == ("weekly", "2025-W36")
    artifact = Path("logs/performance/weekly-summary-2025-W36.json").read_text()
    assert result.stdout == artifact


def test_summary_of_all_history(demo):
    data = json.loads(run("summary", "--window", "all", "--json").stdout)
    assert (data["window"], data["period"]) == ("all", "all")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2025-13"], "Error: period: '2025-13' is not a daily period id"),
        (
            ["--window", "monthly", "--period", "2025-13"],
            "Error: period: '2025-13' is not a monthly period id (for example 2025-10); "
            "the logs cover 2025-09-01 to 2025-09-12\n",
        ),
        (["--window", "weekly", "--period", "2025-W54"], "Error: period: '2025-W54' is not a"),
    ],
)
def test_summary_bad_period_is_a_clear_error(demo, args, message):
    result = run("summary", *args, code=1)
    assert result.stderr.startswith(message)
    assert result.stdout == ""


def test_summary_without_logs():
    Path("logs").mkdir()
    result = run("summary", code=1)
    assert result.stderr == "Error: no trade logs found in logs/\n"


# --------------------------------------------------------------------------- validate


def test_validate_clean_demo_logs(demo):
    result = run("validate")
    files = len(list(demo.glob("2025-*.jsonl")))
    lines = sum(p.read_text().count("\n") for p in demo.glob("2025-*.jsonl"))
    assert result.stdout == f"{files} files, {lines} lines, {lines} valid records, 0 bad lines\n"


def test_validate_lists_bad_lines_and_exits_1(demo):
    last = max(demo.glob("2025-*.jsonl"))
    n = last.read_text().count("\n")
    with last.open("a") as fp:
        fp.write('{"timestamp":"2025-09-12T15:00:00Z","symbol":"NVDA","outcome":"WIN"}\n')
        fp.write('{"timestamp":"2025-09-12T15:00:00Z","symbol":"NVDA"')  # in progress
    result = run("validate", code=1)
    out = result.stdout.splitlines()
    assert out[0] == (
        f"{last.name}:{n + 1}: invalid outcome 'WIN' (expected win, loss, breakeven or open)"
    )
    assert out[1] == (
        f"{last.name}:{n + 2}: last line has no newline (a write in progress; not counted yet)"
    )
    assert out[2].split(", ")[-1] == "1 bad line"
    assert len(out) == 3


def test_validate_reports_unreadable_and_non_utf8_files():
    """A FIFO named like a log cannot be read by anyone, root included (CI runs as
    root, so a chmod-000 file would be read there and prove nothing)."""
    write_log("2025-10-06", trade("2025-10-06T14:00:00Z", "win", "1.00", "o1"))
    Path("logs/2025-10-07.jsonl").write_bytes(b'{"symbol":"\xe9"}\n')
    os.mkfifo("logs/2025-10-08.jsonl")
    result = run("validate", code=1)
    assert result.stdout.splitlines() == [
        "2025-10-07.jsonl:1: file is not valid UTF-8 (byte 0xe9); whole file skipped: "
        "re-save it as UTF-8",
        "2025-10-08.jsonl: is a named pipe (FIFO), not a log file; not read: move or rename it",
        "3 files, 2 lines, 1 valid record, 2 bad lines",
    ]


def test_validate_with_missing_logs_dir():
    result = run("validate", "--logs", "nowhere", code=1)
    assert result.stderr.startswith("Error: logs dir nowhere does not exist; ")


def test_every_log_reading_command_takes_the_common_options():
    common = {"--config", "--logs", "--artifacts", "--out", "--targets"}
    for name in ("build", "summary", "alerts", "ack", "validate"):
        opts = {opt for param in main.commands[name].params for opt in param.opts}
        assert common <= opts, name


def test_summary_over_a_date_range(demo):
    result = run(
        "summary", "--window", "daily", "--start", "2025-09-02", "--end", "2025-09-03", "--json"
    )
    assert [s["period"] for s in json.loads(result.stdout)] == ["2025-09-02", "2025-09-03"]
    result = run("summary", "--window", "weekly", "--start", "2025-09-02", "--end", "2025-09-03")
    assert result.stdout.startswith("Week 2025-W36 (2025-09-01 – 2025-09-07, UTC)\n")
    assert [line.split()[1] for line in result.stdout.splitlines() if "│ 2025-" in line] == [
        "2025-W36"
    ]
    result = run("summary", "--period", "2025-09-02", "--start", "2025-09-02", code=1)
    assert "either --period or --start/--end" in result.output


def test_the_library_build_stays_callable_after_the_cli_is_imported():
    """``sitegen.build`` is the function even once the modules behind the command line
    are loaded (a module named like it would replace it on the package)."""
    import importlib
    import importlib.util

    import sitegen

    importlib.import_module("sitegen.cli")
    importlib.import_module("sitegen.pipeline")
    assert callable(sitegen.build) and sitegen.build.__name__ == "build"
    clashes = [n for n in sitegen.__all__ if importlib.util.find_spec(f"sitegen.{n}") is not None]
    assert clashes == []
    assert sitegen.Tracker.__name__ == "Tracker"


# --------------------------------------------------------------------------- console


def _strict_demo() -> None:
    """Thirty days of demo logs, strict targets (alerts on many days), a bad line and
    a missing day (partial windows)."""
    run("demo-data", "--out", "logs", "--days", "30", "--per-day", "8", "--seed", "5")
    Path("config").mkdir()
    Path("config/dashboard-targets.yaml").write_text("win_rate_target: 70\n")
    first = sorted(Path("logs").iterdir())[0]
    with first.open("a") as fp:
        fp.write("not json\n")


def test_a_default_build_prints_a_handful_of_lines(workdir, caplog):
    """What was built, where to open it, and a count per kind of problem: no line per
    alert or window (those go to the library's logger, and to the console with -v)."""
    _strict_demo()
    with caplog.at_level(logging.DEBUG, logger="sitegen"):
        result = run("build", code=2)
    lines = result.output.splitlines()
    assert len(lines) <= 7, lines
    assert not [line for line in lines if "WARNING: alert" in line or "is partial" in line]
    assert "1 log line skipped (not valid trade records)" in result.stderr
    partial = r"^\d+ partial windows \(missing days or skipped lines\): "
    assert re.search(partial, result.stderr, re.M)
    assert "Open file://" in result.stdout
    # the library's logger still had every line, the structured one included
    messages = [r.getMessage() for r in caplog.records]
    raised = [m for m in messages if m.startswith("alert ")]
    assert len(raised) >= 5
    assert any(m.startswith('{"event":"build"') for m in messages)


def test_verbose_prints_a_line_per_alert_window_and_bad_line_and_the_build_line(workdir):
    _strict_demo()
    result = run("build", "-v", code=2)
    assert result.stderr.count("WARNING: alert ") >= 5
    assert "is partial: " in result.stderr
    assert re.search(r"^skipped \d{4}-\d\d-\d\d\.jsonl:\d+: not JSON", result.stderr, re.M)
    assert 'INFO: {"event":"build"' in result.stderr


def test_quiet_prints_only_errors(workdir):
    _strict_demo()
    assert run("build", "-q", code=2).output == ""
    Path("config/dashboard-targets.yaml").write_text("win_rate_target: [\n")
    result = run("build", "-q", code=1)
    assert result.output.startswith("Error: ") and "dashboard-targets.yaml" in result.output
