"""Bounded work on any input: no line, file or file name makes a build crash, hang, or
do (or write) more than its size calls for. Each case is one hostile input, checked
where it would hurt: the reader, the history, and a whole build through the CLI."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen import ingest
from sitegen.cli import main
from sitegen.ingest import MAX_DEPTH, MAX_FIELDS, MAX_LINE_BYTES, scan_bytes
from tests import oracle
from tests.conftest import trade, write_log

DAY = dt.date(2025, 10, 10)
NAME = "2025-10-10.jsonl"
GOOD = json.dumps(trade("2025-10-10T14:00:00Z", net="1.00")).encode()
LAX_TARGETS = (
    "win_rate_target: 0\ndaily_pl_target: -1000000\ntrades_per_day_target: 0\n"
    "max_drawdown_target: -100000000\navg_risk_reward_target: 0\n"
)


@pytest.fixture(autouse=True)
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)
    monkeypatch.delenv("PERFORMANCE_ALERT_ROLLING_WINDOW", raising=False)
    Path("lax.yaml").write_text(LAX_TARGETS)
    logger = logging.getLogger("sitegen")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield tmp_path
    logger.handlers[:], logger.level, logger.propagate = saved


def run(*args: str, code: int | None = 0):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if code is not None:
        assert result.exit_code == code, result.output
    return result


def build(*extra: str):
    return run(
        "build", "--logs", "logs", "--artifacts", "art", "--out", "site",
        "--targets", "lax.yaml", "-v", *extra,
    )  # fmt: skip


def scan(*lines: bytes):
    return scan_bytes(b"".join(raw + b"\n" for raw in lines), NAME, DAY)


def with_field(value: str) -> bytes:
    """GOOD with one more (unknown, so ignored) field holding ``value`` as raw JSON."""
    return GOOD[:-1] + b', "extra": ' + value.encode() + b"}"


def nested_list(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_object(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


# --------------------------------------------------------------------------- one line


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(with_field(nested_list(1000)).decode(), id="list-1000"),
        pytest.param(with_field(nested_object(1000)).decode(), id="object-1000"),
        pytest.param(nested_object(1000), id="bare-object-1000"),
        pytest.param(with_field(nested_list(100_000)).decode(), id="list-100000"),
        pytest.param(with_field(nested_list(MAX_DEPTH)).decode(), id="just-over-the-limit"),
    ],
)
def test_a_deeply_nested_line_is_one_bad_line_with_a_reason(raw):
    result = scan(GOOD, raw.encode(), GOOD)
    assert [r.line for r in result.records] == [1, 3]
    assert [p.line for p in result.problems] == [2]
    assert "nested" in result.problems[0].reason
    assert f"the limit is {MAX_DEPTH}" in result.problems[0].reason


def test_nesting_up_to_the_limit_is_read():
    # the record is one level, so its field may hold MAX_DEPTH - 1 more
    result = scan(with_field(nested_list(MAX_DEPTH - 1)), with_field(nested_object(MAX_DEPTH - 1)))
    assert [r.line for r in result.records] == [1, 2]
    assert result.problems == ()


def test_brackets_inside_strings_are_not_nesting():
    text = json.dumps("[{" * 5000)
    result = scan(with_field(text), with_field(f'{{"a": {text}}}'))
    assert [r.line for r in result.records] == [1, 2]


def test_a_line_longer_than_the_limit_is_one_bad_line_with_a_reason():
    big = json.dumps(trade("2025-10-10T14:00:00Z", net="1.00", padding="x" * MAX_LINE_BYTES))
    result = scan(GOOD, big.encode(), GOOD)
    assert [r.line for r in result.records] == [1, 3]
    [problem] = result.problems
    assert problem.line == 2
    assert problem.reason == (
        f"line is {len(big):,} bytes long (the limit is {MAX_LINE_BYTES:,}); not read"
    )


def test_a_line_at_the_length_limit_is_read():
    head = json.dumps(trade("2025-10-10T14:00:00Z", net="1.00", padding=""))
    raw = head.replace('"padding": ""', '"padding": "' + "x" * (MAX_LINE_BYTES - len(head)) + '"')
    assert len(raw) == MAX_LINE_BYTES
    result = scan(raw.encode())
    assert [r.line for r in result.records] == [1]


def test_a_line_with_too_many_fields_is_one_bad_line_with_a_reason():
    many = {f"f{i}": i for i in range(MAX_FIELDS)}  # with the record's own: over the limit
    inner = {"x": {f"f{i}": i for i in range(MAX_FIELDS + 1)}}  # at any depth
    fine = {f"f{i}": i for i in range(MAX_FIELDS - 20)}
    result = scan(
        json.dumps(trade("2025-10-10T14:00:00Z", net="1", **many)).encode(),
        json.dumps(trade("2025-10-10T14:00:00Z", net="1", **inner)).encode(),
        json.dumps({**trade("2025-10-10T14:00:00Z", net="1"), **fine}).encode(),
    )
    assert [r.line for r in result.records] == [3]
    assert [p.line for p in result.problems] == [1, 2]
    assert all(f"(the limit is {MAX_FIELDS})" in p.reason for p in result.problems)
    assert result.problems[0].reason.startswith(f"has {MAX_FIELDS + 15} fields")


def test_colons_inside_strings_are_not_fields():
    result = scan(with_field(json.dumps(":" * 5000)))
    assert [r.line for r in result.records] == [1]


def test_a_line_of_msgspec_errors_keeps_its_reason():
    """Limits apply to lines that are JSON: a broken line says what is wrong with it."""
    result = scan(b"[" * 100_000, b'{"a": "' + b"[" * 1000)
    assert [p.reason for p in result.problems] == [
        "not a JSON object (got `array`)",
        "not JSON (Input data was truncated)",
    ]


def test_a_nested_line_is_reported_with_file_and_line_by_build_and_validate(workdir):
    write_log(Path("logs"), "2025-10-09", [trade("2025-10-09T14:00:00Z", net="2.00")])
    Path("logs/2025-10-10.jsonl").write_bytes(
        GOOD + b"\n" + with_field(nested_object(1000)) + b"\n" + nested_list(5000).encode() + b"\n"
    )
    result = build()
    assert f"{NAME}:2: nested" in result.output
    summary = json.loads(Path("art/all-summary.json").read_text())
    assert summary["trades_total"] == 2
    assert summary["data_quality"]["skipped_lines"] == 2
    result = run("validate", "--logs", "logs", code=1)
    assert f"{NAME}:2: nested" in result.output
    assert f"{NAME}:3: not a JSON object" in result.output
    assert result.output.splitlines()[-1] == "2 files, 4 lines, 2 valid records, 2 bad lines"
    monthly = json.loads(Path("art/monthly-summary-2025-10.json").read_text())
    assert monthly["trades_total"] == 2


def test_limits_cost_nothing_on_a_clean_file(monkeypatch):
    """The exact checks run only on lines a cheap count cannot clear."""
    checked = []
    monkeypatch.setattr(ingest, "_shape", lambda raw: checked.append(raw) or (1, 1))
    result = scan(*([GOOD] * 100))
    assert len(result.records) == 100
    assert checked == []


# --------------------------------------------------------------------------- line endings


def test_a_file_with_cr_only_line_endings_is_read_line_by_line():
    """Classic Mac line endings: each CR ends a line, as in an editor or str.splitlines."""
    result = scan_bytes(GOOD + b"\r" + b"nope\r" + GOOD + b"\r", NAME, DAY)
    assert [r.line for r in result.records] == [1, 3]
    assert [(p.line, p.reason.startswith("not JSON")) for p in result.problems] == [(2, True)]
    assert (result.lines, result.in_progress_line) == (3, None)


def test_cr_only_mixed_with_crlf_and_lf_and_a_last_line_being_written():
    data = GOOD + b"\r\n" + GOOD + b"\r" + b"[1]\n" + GOOD + b"\r" + GOOD[:20]
    result = scan_bytes(data, NAME, DAY)
    assert [r.line for r in result.records] == [1, 2, 4]
    assert [p.line for p in result.problems] == [3]
    assert (result.lines, result.in_progress_line) == (4, 5)


def test_crlf_files_read_as_before():
    result = scan_bytes(GOOD + b"\r\n\r\n" + GOOD + b"\r\n", NAME, DAY)
    assert [r.line for r in result.records] == [1, 3]
    assert [(p.line, p.reason) for p in result.problems] == [(2, "not JSON: empty line")]


def test_a_cr_only_log_builds_its_trades(workdir):
    Path("logs").mkdir()
    Path("logs/2025-10-10.jsonl").write_bytes(GOOD + b"\r" + GOOD + b"\r")
    build()
    summary = json.loads(Path("art/daily-summary-2025-10-10.json").read_text())
    assert summary["trades_total"] == 2
    assert summary["data_quality"]["in_progress"] == []
    assert not oracle.diff(oracle.compute(Path("logs"))[("daily", "2025-10-10")], summary)


# --------------------------------------------------------------------------- odd entries


@pytest.fixture
def no_hang():
    """Fails a test that blocks (a FIFO opened for reading waits for a writer)."""

    def stop(signum, frame):
        raise TimeoutError("blocked for 60 s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def make_entry(kind: str, path: Path) -> str:
    """An entry named like a log that no one, root included, can read as one; the
    start of the reason reported for it."""
    if kind == "symlink-loop":
        path.symlink_to(path.name)
        return "is a symbolic link loop"
    if kind == "dangling-symlink":
        path.symlink_to("nowhere.jsonl")
        return "is a symbolic link to a missing file"
    if kind == "directory":
        path.mkdir()
        return "is a directory, not a log file"
    if kind == "fifo":
        os.mkfifo(path)
        return "is a named pipe (FIFO), not a log file"
    raise AssertionError(kind)


ENTRIES = ["symlink-loop", "dangling-symlink", "directory", "fifo"]


@pytest.mark.parametrize("kind", ENTRIES)
def test_an_entry_that_is_no_log_file_is_one_reported_problem(workdir, no_hang, kind):
    logs = Path("logs")
    write_log(logs, "2025-10-09", [trade("2025-10-09T14:00:00Z", net="2.00")])
    write_log(logs, "2025-10-13", [trade("2025-10-13T14:00:00Z", net="3.00")])
    reason = make_entry(kind, logs / NAME)
    for _ in range(2):  # a first build, then one from the index
        result = build()
        [line] = [line for line in result.output.splitlines() if NAME in line]
        assert line.startswith(f"skipped {NAME}: {reason}")
        everything = json.loads(Path("art/all-summary.json").read_text())
        assert everything["trades_total"] == 2
        [problem] = everything["data_quality"]["problems"]
        assert (problem["file"], problem["line"]) == (NAME, 0)
        assert problem["reason"].startswith(reason)
        day = json.loads(Path("art/daily-summary-2025-10-10.json").read_text())
        assert day["partial"] and day["missing_days"] == []
    result = run("validate", "--logs", "logs", code=1)
    assert f"{NAME}: {reason}" in result.output
    assert result.output.splitlines()[-1].endswith("1 bad line")


@pytest.mark.parametrize("kind", ENTRIES)
def test_reading_an_entry_that_is_no_log_file_never_blocks_or_raises(tmp_path, no_hang, kind):
    path = tmp_path / NAME
    reason = make_entry(kind, path)
    result = ingest.read_log_file(path, DAY)
    assert result.records == ()
    [problem] = result.problems
    assert (problem.file, problem.line) == (NAME, 0)
    assert problem.reason.startswith(reason)
    assert [name for _, name in ingest.list_log_files(tmp_path)] == [path]


# --------------------------------------------------------------------------- bad-line reports


def test_a_file_of_many_bad_lines_keeps_100_reports_and_an_exact_count(workdir):
    bad = 20_000
    write_log(Path("logs"), "2025-10-09", [trade("2025-10-09T14:00:00Z", net="2.00")])
    lines = [json.dumps(trade("2025-10-10T14:00:00Z", net="1.00")), *(["nope"] * bad)]
    Path("logs", NAME).write_text("\n".join(lines) + "\n")
    build()
    index = Path("art/performance-index.json")
    assert index.stat().st_size < 50_000  # a report per bad line would be megabytes
    Path("logs", "2025-10-09.jsonl").touch()  # a second build, with this file from the index
    for _ in range(2):
        for name in ("all-summary", "daily-summary-2025-10-10", "monthly-summary-2025-10"):
            quality = json.loads(Path(f"art/{name}.json").read_text())["data_quality"]
            assert quality["skipped_lines"] == bad
            assert [p["line"] for p in quality["problems"]] == list(range(2, 102))
        build("--full")


def test_a_digest_keeps_the_first_100_problems_and_counts_the_rest():
    from sitegen.digest import MAX_KEPT_PROBLEMS, digest
    from sitegen.history import build_history
    from sitegen.windows import zone

    result = scan(GOOD, *([b"nope"] * 250))
    dg, _ = digest(result, zone("UTC"))
    assert [p.line for p in dg.problems] == list(range(2, 2 + MAX_KEPT_PROBLEMS))
    assert dg.more_problems == 250 - MAX_KEPT_PROBLEMS
    assert dg.skipped_lines == 250
    other = scan_bytes(b"[]\n" * 3, "2025-10-11.jsonl", dt.date(2025, 10, 11))
    history = build_history([dg, digest(other, zone("UTC"))[0]], zone("UTC"), "UTC", frozenset())
    assert history.data_quality(DAY, DAY)["skipped_lines"] == 250
    quality = history.data_quality(DAY, DAY + dt.timedelta(days=1))
    assert quality["skipped_lines"] == 253
    assert len(quality["problems"]) == 100
    assert history.skipped_lines == 253


def test_a_scan_keeps_the_first_100_bad_lines_of_every_kind_and_counts_the_rest():
    from sitegen.ingest import MAX_KEPT_PROBLEMS

    wrong = json.dumps(trade("2025-10-10T14:00:00Z", outcome="maybe")).encode()
    deep = with_field(nested_list(MAX_DEPTH))
    lines = [b"nope", wrong, deep, GOOD] * 100
    result = scan(*lines)
    assert [p.line for p in result.problems] == [n for n in range(1, 134) if n % 4]
    assert len(result.problems) == MAX_KEPT_PROBLEMS
    assert result.more_problems == 300 - MAX_KEPT_PROBLEMS
    assert len(result.records) == 100
    everything = scan_bytes(b"".join(raw + b"\n" for raw in lines), NAME, DAY, keep=None)
    assert (len(everything.problems), everything.more_problems) == (300, 0)
    assert everything.problems[:100] == result.problems


def test_bad_lines_cost_no_more_memory_than_the_lines_themselves():
    data = b"nope\n" * 50_000
    tracemalloc.start()
    try:
        result = scan_bytes(data, NAME, DAY)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.more_problems == 50_000 - 100
    assert peak < 20 * len(data)  # the lines as bytes objects; a report each made it 50 times


# --------------------------------------------------------------------------- the data range


def history_of(tz: str = "UTC"):
    from sitegen.config import load_config
    from sitegen.pipeline import BuildReport, ScanCache, load_history

    config = load_config(logs_dir="logs", timezone=tz)
    return load_history(config, ScanCache(), BuildReport(), use_index=False)


def agrees_with_oracle(history, tz: str = "UTC") -> dict:
    expected = oracle.compute(Path("logs"), tz)
    for window in ("daily", "weekly", "monthly", "all"):
        for period in history.periods(window):
            actual = json.loads(json.dumps(history.summary(window, period)))
            assert not oracle.diff(expected[(window, period)], actual), (window, period)
    # ... and no period lies only in a gap, for either
    for window in ("weekly", "monthly"):
        assert history.periods(window) == [p for w, p in expected if w == window]
    return expected


def week(*days: int, month: int = 10, year: int = 2025) -> None:
    for n in days:
        day = f"{year}-{month:02d}-{n:02d}"
        write_log(Path("logs"), day, [trade(f"{day}T14:00:00Z", net=f"{n}.00")])


def dates(first: str, last: str) -> list[str]:
    a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return [(a + dt.timedelta(days=i)).isoformat() for i in range((b - a).days + 1)]


@pytest.mark.parametrize("name", ["9999-12-31.jsonl", "0001-01-01.jsonl", "2015-09-02.jsonl"])
def test_an_empty_or_all_bad_file_far_away_stretches_nothing(workdir, no_hang, name):
    week(6, 7, 8, 9, 10)
    Path("logs", name).write_text("")
    history = history_of()
    assert (history.first, history.last) == (dt.date(2025, 10, 6), dt.date(2025, 10, 10))
    assert history.gaps == ()
    assert history.periods("daily") == dates("2025-10-06", "2025-10-10")
    assert history.periods("monthly") == ["2025-10"]
    agrees_with_oracle(history)
    Path("logs", name).write_text("nope\n")
    build()
    assert sorted(p.name for p in Path("site/daily").iterdir()) == [
        f"{d}.html" for d in dates("2025-10-06", "2025-10-10")
    ]
    everything = json.loads(Path("art/all-summary.json").read_text())
    assert (everything["start"], everything["end"]) == ("2025-10-06", "2025-10-10")
    assert everything["data_quality"]["problems"] == [
        {
            "file": name,
            "line": 1,
            "reason": "not JSON (JSON is malformed: invalid character (byte 4))",
        }
    ]
    assert everything["partial"] is True


@pytest.mark.parametrize(
    ("name", "records"),
    [
        ("9999-12-31.jsonl", []),  # was an OverflowError
        ("0001-01-01.jsonl", []),  # was minutes of work on 2,000 years of missing days
        ("2015-09-02.jsonl", [trade("2015-09-02T14:00:00Z", net="1.00")]),  # was 2,600 empty pages
    ],
)
def test_a_mis_dated_file_costs_its_own_size(workdir, no_hang, name, records):
    week(6, 7, 8, 9, 10)
    write_log(Path("logs"), name[:10], records)
    build()
    pages = {p.name for p in Path("site/daily").iterdir()}
    expected = {f"{d}.html" for d in dates("2025-10-06", "2025-10-10")}
    assert pages == expected | ({"2015-09-02.html"} if records else set())
    assert len(list(Path("art").glob("monthly-summary-*.json"))) == (2 if records else 1)


def test_a_year_typo_is_a_span_of_its_own_with_a_reported_gap(workdir):
    week(6, 7, 8, 9, 10)
    week(2, month=9, year=2015)  # 2025-09-02, typed 2015
    history = history_of()
    assert history.gaps == ((dt.date(2015, 9, 3), dt.date(2025, 10, 5)),)
    assert history.spans == (
        (dt.date(2015, 9, 2), dt.date(2015, 9, 2)),
        (dt.date(2025, 10, 6), dt.date(2025, 10, 10)),
    )
    assert history.periods("daily") == ["2015-09-02", *dates("2025-10-06", "2025-10-10")]
    assert history.periods("weekly") == ["2015-W36", "2025-W41"]
    assert history.periods("monthly") == ["2015-09", "2025-10"]
    assert history.missing == ()
    everything = history.summary("all", "all")
    assert list(everything["daily_pnl"]) == ["2015-09-02", *dates("2025-10-06", "2025-10-10")]
    assert everything["missing_days"] == [] and everything["partial"] is False
    assert everything["winning_days"] == 6 and everything["sharpe"] is not None
    assert list(history.summary("weekly", "2015-W36")["daily_pnl"]) == ["2015-09-02"]
    agrees_with_oracle(history)
    agrees_with_oracle(history_of("Asia/Kolkata"), "Asia/Kolkata")
    result = build()
    assert len(list(Path("site/daily").iterdir())) == 6
    assert len(list(Path("art").glob("*-summary-*.json"))) == 6 + 2 + 2
    # the gap is reported: on the console, in the all summary, its Markdown and page
    gap = "2015-09-03 to 2025-10-05 (3686 days)"
    assert f"with no pages inside: {gap}" in result.output
    everything = json.loads(Path("art/all-summary.json").read_text())
    assert everything["data_quality"]["gaps"] == [
        {"first": "2015-09-03", "last": "2025-10-05", "days": 3686}
    ]
    assert f"- {gap}" in Path("art/all-summary.md").read_text()
    assert f"<li>{gap}</li>" in Path("site/index.html").read_text()
    # a period beside the gap lists the part of it that lies inside the period
    september = json.loads(Path("art/monthly-summary-2015-09.json").read_text())
    assert september["data_quality"]["gaps"] == [
        {"first": "2015-09-03", "last": "2015-09-30", "days": 28}
    ]
    daily = json.loads(Path("art/daily-summary-2025-10-06.json").read_text())
    assert daily["data_quality"]["gaps"] == []


def test_more_than_31_days_without_a_log_or_a_trade_is_a_gap(workdir):
    week(1, 2, month=9)
    week(3, month=10)  # 31 days between: one span, with missing days
    history = history_of()
    assert history.gaps == ()
    assert len(history.missing) == len([d for d in dates("2025-09-03", "2025-10-02")]) - 8
    agrees_with_oracle(history)
    Path("logs/2025-10-03.jsonl").rename("logs/2025-10-06.jsonl.tmp")
    week(6)  # 2025-09-02 .. 2025-10-06: 33 days between
    Path("logs/2025-10-06.jsonl.tmp").unlink()
    history = history_of()
    assert history.gaps == ((dt.date(2025, 9, 3), dt.date(2025, 10, 5)),)
    assert history.missing == ()
    assert history.periods("daily") == ["2025-09-01", "2025-09-02", "2025-10-06"]
    assert history.periods("weekly") == ["2025-W36", "2025-W41"]
    summary = history.summary("monthly", "2025-09")
    assert list(summary["daily_pnl"]) == ["2025-09-01", "2025-09-02"]
    assert summary["missing_days"] == [] and summary["partial"] is False
    agrees_with_oracle(history)


def test_a_gap_is_measured_between_log_dates_and_days_with_trades(workdir):
    """A trade may lie up to 31 days from its file's date: its day counts like a log date."""
    write_log(Path("logs"), "2025-09-01", [])  # empty: no log date
    write_log(Path("logs"), "2025-10-01", [trade("2025-10-01T14:00:00Z", net="1.00")])
    write_log(Path("logs"), "2025-11-20", [trade("2025-10-25T14:00:00Z", net="2.00")])
    history = history_of()
    assert history.spans == ((dt.date(2025, 10, 1), dt.date(2025, 11, 20)),)
    assert history.gaps == ()
    assert history.missing[0] == dt.date(2025, 10, 2)
    agrees_with_oracle(history)
    Path("logs/2025-11-20.jsonl").unlink()
    write_log(Path("logs"), "2025-11-20", [trade("2025-11-20T14:00:00Z", net="2.00")])
    history = history_of()
    assert history.gaps == ((dt.date(2025, 10, 2), dt.date(2025, 11, 19)),)
    agrees_with_oracle(history)


def test_dates_at_the_ends_of_the_calendar_are_spans_of_their_own(workdir, no_hang):
    week(9, 10)
    write_log(Path("logs"), "0001-01-02", [trade("0001-01-02T12:00:00Z", net="1.00")])
    write_log(Path("logs"), "9999-12-31", [trade("9999-12-29T12:00:00Z", net="1.00")])
    history = history_of()
    assert [first for first, _ in history.spans] == [
        dt.date(1, 1, 2),
        dt.date(2025, 10, 9),
        dt.date(9999, 12, 29),
    ]
    assert history.periods("daily") == [
        "0001-01-02",
        "2025-10-09",
        "2025-10-10",
        "9999-12-29",
        "9999-12-30",
        "9999-12-31",
    ]
    assert history.periods("weekly") == ["0001-W01", "2025-W41", "9999-W52"]
    assert history.summary("weekly", "9999-W52")["end"] == "9999-12-31"
    assert list(history.summary("all", "all")["daily_pnl"]) == history.periods("daily")
    agrees_with_oracle(history)


def outputs(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".sitegen-cache" not in p.parts and p.name != "performance-index.json"
    }


@pytest.mark.parametrize("change", ["bridge", "split"])
def test_a_gap_closed_or_opened_between_builds_is_built_as_from_scratch(workdir, change):
    """A week beside a gap gains (or loses) its days in the gap: a plain build redoes it."""
    week(1, 2, 3, month=9)
    week(20, 21)
    if change == "split":
        week(1)
    build()
    if change == "bridge":
        week(1)
    else:
        Path("logs/2025-10-01.jsonl").unlink()
    build()
    gaps = history_of().gaps
    assert gaps == (() if change == "bridge" else ((dt.date(2025, 9, 4), dt.date(2025, 10, 19)),))
    fresh = workdir / "fresh"
    fresh.mkdir()
    for path in Path("logs").glob("*-*-*.jsonl"):
        (fresh / path.name).write_bytes(path.read_bytes())
    run(
        "build", "--logs", str(fresh), "--artifacts", "art2", "--out", "site2",
        "--targets", "lax.yaml", "--full",
    )  # fmt: skip
    assert outputs(Path("art")) == outputs(Path("art2"))
    assert outputs(Path("site")) == outputs(Path("site2"))


def test_a_build_counts_every_skipped_line_beyond_the_kept_reports(tmp_path):
    """The index keeps 100 reports a file; the build's count (its log line, the CLI's
    "... and N more", --strict) still counts every bad line."""
    import json as _json

    from click.testing import CliRunner

    from sitegen.cli import main as cli_main
    from sitegen.config import load_config
    from sitegen.pipeline import build as run_build

    logs = tmp_path / "logs"
    logs.mkdir()
    good = _json.dumps(
        {
            "timestamp": "2025-10-06T14:00:00Z",
            "symbol": "A",
            "outcome": "win",
            "net_profit_loss": "1",
        }
    )
    (logs / "2025-10-06.jsonl").write_text(good + "\n" + "not json\n" * 150)
    report = run_build(load_config(logs_dir=logs, site_dir=tmp_path / "site"), site=False)
    assert report.skipped_lines == 150 and len(report.bad_lines) == 100
    assert report.log_fields()["bad_lines"] == 150
    result = CliRunner().invoke(
        cli_main,
        ["build", "--logs", str(logs), "--out", str(tmp_path / "s2"), "--full", "--strict"],
    )
    assert result.stderr.count("skipped 2025-10-06.jsonl:") == 100  # the kept reports
    assert "150 log lines skipped (not valid trade records): `sitegen validate`" in result.stderr
    assert "--strict: 150 log lines skipped" in result.output and result.exit_code == 1
