"""Bounded work on any input: no line, file or file name makes a build crash, hang, or
do (or write) more than its size calls for. Each case is one hostile input, checked
where it would hurt: the reader, the history, and a whole build through the CLI."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
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
    assert result.output.splitlines()[-1].endswith("1 bad lines")


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
