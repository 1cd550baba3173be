"""Bad-input rules of the log format for the log reader (sitegen.ingest), one case per rule.

Readers take bytes or file objects, so most tests feed ``scan_bytes`` directly; the
file-level cases (unreadable file, directory listing) use ``tmp_path``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import signal
from decimal import Decimal

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sitegen import ingest
from sitegen.cli import main
from sitegen.ingest import (
    Problem,
    list_log_files,
    read_log_file,
    scan_bytes,
    scan_file,
)

DAY = dt.date(2025, 10, 10)
NAME = "2025-10-10.jsonl"
TS = "2025-10-10T14:02:17.412Z"

# A closed record exactly as the bot writes it.
BOT_RECORD = (
    b'{"timestamp":"2025-10-10T14:02:17.412Z","symbol":"NVDA","action":"BUY","quantity":120,'
    b'"price":"182.40","total_value":"21888.00","order_id":"ord-00004117",'
    b'"execution_mode":"PAPER","account_id":null,"strategy_name":"bull-flag-breakout",'
    b'"entry_type":"breakout","stop_loss":"180.55","target":"186.10",'
    b'"decision_reasoning":"flag breakout above 182.10 on volume",'
    b'"indicators_used":["VWAP","EMA-9"],"risk_reward_ratio":2.0,"outcome":"win",'
    b'"profit_loss":"298.80","hold_duration_seconds":1862,'
    b'"exit_timestamp":"2025-10-10T14:33:19.020Z","exit_reasoning":"target hit",'
    b'"slippage":"0.02","commission":"0.24","net_profit_loss":"298.56","session_id":"sess-1",'
    b'"bot_version":"1.4.2","config_hash":"abc123"}'
)

DECIMAL_FIELDS = (
    "quantity",
    "price",
    "stop_loss",
    "risk_reward_ratio",
    "profit_loss",
    "net_profit_loss",
    "commission",
    "slippage",
    "hold_duration_seconds",
)
FINITE_HINT = "(must be a finite decimal below 10^15 with at most 18 decimal places)"


def record(**fields) -> dict:
    """A minimal valid record; ``fields`` override or add keys (``...`` drops a key)."""
    base = {"timestamp": TS, "symbol": "NVDA", "outcome": "win", "net_profit_loss": "1.00"}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not ...}


def line(**fields) -> bytes:
    return json.dumps(record(**fields)).encode()


def with_value(field: str, raw_json: str) -> bytes:
    """A valid record whose ``field`` holds ``raw_json`` verbatim (NaN, 1e400, ...)."""
    return b'{"timestamp":"%s","symbol":"NVDA","outcome":"win","%s":%s}' % (
        TS.encode(),
        field.encode(),
        raw_json.encode(),
    )


GOOD = line()


def scan(*lines: bytes, tail: bytes = b"") -> ingest.FileScan:
    return scan_bytes(b"".join(raw + b"\n" for raw in lines) + tail, NAME, DAY)


# --------------------------------------------------------------------------- bad lines

BAD_LINES = [
    # not JSON
    ("not-json", b"hello", "not JSON (JSON is malformed: invalid character (byte 0))"),
    ("truncated-object", b'{"timestamp":', "not JSON (Input data was truncated)"),
    ("bare-NaN", with_value("profit_loss", "NaN"), None),
    ("bare-Infinity", with_value("profit_loss", "Infinity"), None),
    ("bare-minus-Infinity", with_value("net_profit_loss", "-Infinity"), None),
    ("two-objects", GOOD + GOOD, None),
    # JSON but not an object
    ("array", b"[1, 2]", "not a JSON object (got `array`)"),
    ("empty-array", b"[]", "not a JSON object (got `array`)"),
    ("string", b'"abc"', "not a JSON object (got `str`)"),
    ("int", b"42", "not a JSON object (got `int`)"),
    ("float", b"1.5", "not a JSON object (got `float`)"),
    ("null", b"null", "not a JSON object (got `null`)"),
    ("bool", b"true", "not a JSON object (got `bool`)"),
    # a required field missing
    ("missing-timestamp", line(timestamp=...), "Object missing required field `timestamp`"),
    ("missing-symbol", line(symbol=...), "Object missing required field `symbol`"),
    ("missing-outcome", line(outcome=...), "Object missing required field `outcome`"),
    ("empty-object", b"{}", "Object missing required field `timestamp`"),
    # a required field null or of the wrong type
    ("null-timestamp", line(timestamp=None), "Expected `str`, got `null` - at `$.timestamp`"),
    ("null-symbol", line(symbol=None), "Expected `str`, got `null` - at `$.symbol`"),
    ("null-outcome", line(outcome=None), "Expected `str`, got `null` - at `$.outcome`"),
    ("int-timestamp", line(timestamp=1760104937), "Expected `str`, got `int` - at `$.timestamp`"),
    ("array-symbol", line(symbol=["NVDA"]), "Expected `str`, got `array` - at `$.symbol`"),
    ("bool-outcome", line(outcome=True), "Expected `str`, got `bool` - at `$.outcome`"),
    ("empty-symbol", line(symbol=""), "empty symbol"),
    ("blank-symbol", line(symbol="   "), "empty symbol"),
    # invalid outcome
    (
        "outcome-WIN",
        line(outcome="WIN"),
        "invalid outcome 'WIN' (expected win, loss, breakeven or open)",
    ),
    (
        "outcome-closed",
        line(outcome="closed"),
        "invalid outcome 'closed' (expected win, loss, breakeven or open)",
    ),
    (
        "outcome-empty",
        line(outcome=""),
        "invalid outcome '' (expected win, loss, breakeven or open)",
    ),
    # invalid timestamp / exit_timestamp
    (
        "timestamp-text",
        line(timestamp="yesterday"),
        "invalid timestamp 'yesterday' (expected ISO 8601)",
    ),
    (
        "timestamp-hour-25",
        line(timestamp="2025-10-10T25:00:00Z"),
        "invalid timestamp '2025-10-10T25:00:00Z' (expected ISO 8601)",
    ),
    (
        "timestamp-bad-offset",
        line(timestamp="2025-10-10T14:02:17+25:00"),
        "invalid timestamp '2025-10-10T14:02:17+25:00' (expected ISO 8601)",
    ),
    ("timestamp-empty", line(timestamp=""), "invalid timestamp '' (expected ISO 8601)"),
    (
        "timestamp-year-9999",
        line(timestamp="9999-12-31T23:59:59-05:00"),
        "invalid timestamp '9999-12-31T23:59:59-05:00' (out of range)",
    ),
    (
        "timestamp-year-1",
        line(timestamp="0001-01-01T00:00:00+01:00"),
        "invalid timestamp '0001-01-01T00:00:00+01:00' (out of range)",
    ),
    (
        "exit-month-13",
        line(exit_timestamp="2025-13-01T00:00:00Z"),
        "invalid exit_timestamp '2025-13-01T00:00:00Z' (expected ISO 8601)",
    ),
    (
        "exit-int",
        line(exit_timestamp=123),
        "Expected `str | null`, got `int` - at `$.exit_timestamp`",
    ),
    # money: NaN / Infinity as strings, huge numbers and exponents, wrong types
    ("NaN-string", line(profit_loss="NaN"), f"invalid value for profit_loss: NaN {FINITE_HINT}"),
    ("sNaN-string", line(profit_loss="sNaN"), f"invalid value for profit_loss: sNaN {FINITE_HINT}"),
    (
        "Infinity-string",
        line(net_profit_loss="Infinity"),
        f"invalid value for net_profit_loss: Infinity {FINITE_HINT}",
    ),
    (
        "minus-Infinity-string",
        line(commission="-Infinity"),
        f"invalid value for commission: -Infinity {FINITE_HINT}",
    ),
    (
        "1e400-number",
        with_value("profit_loss", "1e400"),
        f"invalid value for profit_loss: 1E+400 {FINITE_HINT}",
    ),
    (
        "1e999999-string",
        line(profit_loss="1e999999"),
        f"invalid value for profit_loss: 1E+999999 {FINITE_HINT}",
    ),
    (  # abs() of this value raised decimal.Overflow and crashed the build
        "1e1000000-string",
        line(profit_loss="-1e1000000"),
        f"invalid value for profit_loss: -1E+1000000 {FINITE_HINT}",
    ),
    (
        "1e1000000-number",
        with_value("price", "1e1000000"),
        f"invalid value for price: 1E+1000000 {FINITE_HINT}",
    ),
    (
        "exponent-beyond-decimal",
        line(profit_loss="1e99999999999999999999"),
        "Invalid decimal string - at `$.profit_loss`",
    ),
    (
        "400-digit-integer",
        with_value("profit_loss", "9" * 400),
        f"invalid value for profit_loss: {'9' * 40} {FINITE_HINT}",
    ),
    (
        "1e15-limit",
        with_value("profit_loss", "1e15"),
        f"invalid value for profit_loss: 1E+15 {FINITE_HINT}",
    ),
    (
        "too-many-places",
        line(profit_loss="0.0000000000000000001"),
        f"invalid value for profit_loss: 1E-19 {FINITE_HINT}",
    ),
    (
        "bool-money",
        line(profit_loss=True),
        "Expected `decimal | null`, got `bool` - at `$.profit_loss`",
    ),
    (
        "object-money",
        line(net_profit_loss={"amount": "1.00"}),
        "Expected `decimal | null`, got `object` - at `$.net_profit_loss`",
    ),
    (
        "array-money",
        line(commission=[1]),
        "Expected `decimal | null`, got `array` - at `$.commission`",
    ),
    ("text-money", line(slippage="abc"), "Invalid decimal string - at `$.slippage`"),
    ("empty-money", line(profit_loss=""), "Invalid decimal string - at `$.profit_loss`"),
    (
        "float-order-id",
        line(order_id=1.5),
        "Expected `int | str | null`, got `float` - at `$.order_id`",
    ),
    # empty and white-space-only lines
    ("empty-line", b"", "not JSON: empty line"),
    ("whitespace-line", b" \t  ", "not JSON: empty line"),
    ("crlf-empty-line", b"\r", "not JSON: empty line"),
]


@pytest.mark.parametrize(
    ("raw", "reason"), [case[1:] for case in BAD_LINES], ids=[case[0] for case in BAD_LINES]
)
def test_bad_line_is_skipped_with_file_line_and_reason(raw, reason):
    result = scan(GOOD, raw, GOOD)
    assert [r.line for r in result.records] == [1, 3]
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert (problem.file, problem.line) == (NAME, 2)
    if reason is not None:
        assert problem.reason == reason
    else:  # the exact wording comes from the JSON parser; the category is ours
        assert problem.reason.startswith("not JSON (JSON is malformed: ")
    assert result.lines == 3
    assert result.in_progress_line is None


def test_bad_line_alone_in_a_file_gives_no_record():
    result = scan(line(outcome="WIN"))
    assert result.records == ()
    assert result.problems == (
        Problem(NAME, 1, "invalid outcome 'WIN' (expected win, loss, breakeven or open)"),
    )
    assert str(result.problems[0]) == (
        "2025-10-10.jsonl:1: invalid outcome 'WIN' (expected win, loss, breakeven or open)"
    )


@pytest.mark.parametrize("field", DECIMAL_FIELDS)
@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity", "1e999999"])
def test_every_numeric_field_must_be_finite(field, bad):
    result = scan(line(**{field: bad}))
    assert result.records == ()
    (problem,) = result.problems
    assert problem.line == 1
    assert problem.reason.startswith(f"invalid value for {field}: ")
    assert problem.reason.endswith(FINITE_HINT)


@pytest.mark.parametrize("field", DECIMAL_FIELDS)
def test_every_numeric_field_rejects_wrong_types(field):
    result = scan(line(**{field: False}))
    (problem,) = result.problems
    assert problem.reason == f"Expected `decimal | null`, got `bool` - at `$.{field}`"


def test_json_number_and_string_in_a_number_field_both_read_as_decimal():
    result = scan(line(quantity="120"), line(quantity=120))
    assert [r.trade.quantity for r in result.records] == [Decimal(120), Decimal(120)]


# --------------------------------------------------------------------------- good values


@pytest.mark.parametrize(
    ("raw_json", "expected"),
    [
        ("0.1", "0.1"),  # not 0.1000000000000000055511151231257827...
        ("1e2", "1E+2"),
        ("-1414.80", "-1414.80"),  # the scale of the text is kept
        ("298.56", "298.56"),
        ("1862", "1862"),
        ("0.30000000000000004", "0.30000000000000004"),
        ("999999999999999.99", "999999999999999.99"),
        ('"-1414.80"', "-1414.80"),
        ('"0.1"', "0.1"),
        ('"1e2"', "1E+2"),
        ("null", None),
    ],
)
def test_money_is_converted_exactly_from_its_text(raw_json, expected):
    result = scan(with_value("profit_loss", raw_json))
    assert result.problems == ()
    (rec,) = result.records
    value = rec.trade.profit_loss
    if expected is None:
        assert value is None
    else:
        assert isinstance(value, Decimal)
        assert str(value) == expected
        assert value == Decimal(expected)


def test_spec_example_record_is_read_field_by_field():
    (rec,) = scan(BOT_RECORD).records
    trade = rec.trade
    assert (trade.symbol, trade.outcome, trade.action) == ("NVDA", "win", "BUY")
    assert trade.order_id == "ord-00004117"
    assert trade.strategy_name == "bull-flag-breakout"
    assert trade.quantity == Decimal(120)
    assert str(trade.price) == "182.40"
    assert str(trade.stop_loss) == "180.55"
    assert str(trade.risk_reward_ratio) == "2.0"
    assert str(trade.profit_loss) == "298.80"
    assert str(trade.net_profit_loss) == "298.56"
    assert str(trade.commission) == "0.24"
    assert str(trade.slippage) == "0.02"
    assert rec.entry == dt.datetime(2025, 10, 10, 14, 2, 17, 412000, tzinfo=dt.UTC)
    assert rec.exit == dt.datetime(2025, 10, 10, 14, 33, 19, 20000, tzinfo=dt.UTC)


def test_unknown_extra_fields_are_ignored():
    raw = line(
        foo={"nested": [1, 2, {"x": None}]},
        bar="NaN",
        total_value=True,  # not read by the analytics: any type is fine
        indicators_used=["VWAP", "EMA-9"],
        account_id=None,
    )
    result = scan(raw)
    assert result.problems == ()
    assert len(result.records) == 1
    assert result.records[0].trade == scan(GOOD).records[0].trade


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-10-10T14:02:17Z", dt.datetime(2025, 10, 10, 14, 2, 17, tzinfo=dt.UTC)),
        ("2025-10-10T14:02:17+02:00", dt.datetime(2025, 10, 10, 12, 2, 17, tzinfo=dt.UTC)),
        ("2025-10-10T14:02:17", dt.datetime(2025, 10, 10, 14, 2, 17, tzinfo=dt.UTC)),  # no offset
        ("2025-10-10T14:02:17.412Z", dt.datetime(2025, 10, 10, 14, 2, 17, 412000, tzinfo=dt.UTC)),
    ],
)
def test_timestamps_with_z_offset_or_none_are_utc_instants(text, expected):
    (rec,) = scan(line(timestamp=text, exit_timestamp=text)).records
    assert rec.entry == expected
    assert rec.exit == expected
    assert rec.entry.utcoffset() is not None


def test_order_id_may_be_a_string_or_an_integer():
    result = scan(line(order_id="ord-1"), line(order_id=17), line(order_id=None))
    assert [r.trade.order_id for r in result.records] == ["ord-1", 17, None]


# --------------------------------------------------------------------------- line endings, BOM


def test_crlf_line_endings_are_accepted():
    data = GOOD + b"\r\n" + line(symbol="AAPL") + b"\r\n" + b"oops\r\n" + GOOD + b"\r\n"
    result = scan_bytes(data, NAME, DAY)
    assert [(r.line, r.trade.symbol) for r in result.records] == [
        (1, "NVDA"),
        (2, "AAPL"),
        (4, "NVDA"),
    ]
    assert [(p.line, p.reason[:8]) for p in result.problems] == [(3, "not JSON")]
    assert result.in_progress_line is None


def test_utf8_bom_at_the_start_is_accepted():
    data = b"\xef\xbb\xbf" + line(symbol="ÄÖÜ") + b"\n" + GOOD + b"\n"
    result = scan_bytes(data, NAME, DAY)
    assert result.problems == ()
    assert [(r.line, r.trade.symbol) for r in result.records] == [(1, "ÄÖÜ"), (2, "NVDA")]


def test_bom_then_bad_line_keeps_line_numbers():
    result = scan_bytes(b"\xef\xbb\xbf" + b"nope\n" + GOOD + b"\n", NAME, DAY)
    assert [p.line for p in result.problems] == [1]
    assert [r.line for r in result.records] == [2]


# --------------------------------------------------------------------------- in-progress tail


@pytest.mark.parametrize(
    "tail",
    [
        GOOD,  # would be valid JSON: still a write in progress
        GOOD[:25],  # cut mid-record
        line(symbol="é")[:-4] + "é".encode()[:1],  # cut inside a UTF-8 character
        b"   ",  # white space only
        b"\xff\xfe",  # bytes that are not UTF-8 at all
    ],
    ids=["valid-json", "cut-json", "cut-utf8-char", "whitespace", "non-utf8"],
)
def test_last_line_without_newline_is_in_progress(tail):
    result = scan(GOOD, b"bad", tail=tail)
    assert result.in_progress_line == 3
    assert result.lines == 2
    assert [r.line for r in result.records] == [1]
    assert [p.line for p in result.problems] == [2]  # the tail is not a problem


def test_a_file_that_is_only_a_partial_line():
    result = scan_bytes(GOOD, NAME, DAY)
    assert (result.records, result.problems, result.in_progress_line, result.lines) == (
        (),
        (),
        1,
        0,
    )


def test_empty_file_has_no_records_and_no_problems():
    result = scan_bytes(b"", NAME, DAY)
    assert (result.records, result.problems, result.in_progress_line, result.lines) == (
        (),
        (),
        None,
        0,
    )
    assert scan_bytes(b"\xef\xbb\xbf", NAME, DAY).problems == ()


# --------------------------------------------------------------------------- encoding


@pytest.mark.parametrize(
    ("data", "line_no", "byte"),
    [
        (GOOD + b"\n" + line(symbol="x")[:-2] + b'\xe9"}\n', 2, "0xe9"),  # Latin-1 é
        (b"\xff" + GOOD + b"\n", 1, "0xff"),
        (GOOD + b"\n" + GOOD + b"\n" + b'{"symbol":"\xed\xa0\x80"}\n', 3, "0xed"),  # surrogate
    ],
    ids=["latin1", "first-byte", "utf8-encoded-surrogate"],
)
def test_non_utf8_file_is_reported_whole_and_gives_no_records(data, line_no, byte):
    result = scan_bytes(data, NAME, DAY)
    assert result.records == ()
    assert result.problems == (
        Problem(
            NAME,
            line_no,
            f"file is not valid UTF-8 (byte {byte}); whole file skipped: re-save it as UTF-8",
        ),
    )


# --------------------------------------------------------------------------- big lines


def test_a_line_near_the_length_limit_is_read():
    big = line(decision_reasoning="x" * (ingest.MAX_LINE_BYTES - 1000))
    assert ingest.MAX_LINE_BYTES - 1000 < len(big) <= ingest.MAX_LINE_BYTES
    result = scan(GOOD, big, b"[" * 10, GOOD)
    assert [r.line for r in result.records] == [1, 2, 4]
    assert [p.line for p in result.problems] == [3]
    assert len(result.records[1].trade.symbol) == 4


def test_a_10_mb_line_is_one_problem_and_is_not_decoded(monkeypatch):
    decoded = []
    real = ingest._decode_line
    monkeypatch.setattr(ingest, "_decode_line", lambda raw: decoded.append(raw) or real(raw))
    result = scan(GOOD, b"{" + b"7" * 10_000_000, GOOD)
    assert [r.line for r in result.records] == [1, 3]
    assert result.problems == (
        Problem(NAME, 2, "line is 10,000,001 bytes long (the limit is 1,048,576); not read"),
    )
    assert all(len(raw) < 1000 for raw in decoded)


def test_deeply_nested_line_is_a_problem_not_a_crash():
    result = scan(b"[" * 100_000 + b"]" * 100_000, GOOD)
    assert [r.line for r in result.records] == [2]
    assert [p.line for p in result.problems] == [1]


# --------------------------------------------------------------------------- line numbers


def test_clean_file_takes_the_fast_path(monkeypatch):
    """A file with no bad line is decoded in one call, not line by line."""

    def per_line(raw):
        raise AssertionError("slow path used for a clean file")

    monkeypatch.setattr(ingest, "_decode_line", per_line)
    result = scan(*(line(order_id=i) for i in range(50)), tail=b'{"partial')
    assert [r.line for r in result.records] == list(range(1, 51))
    assert [r.trade.order_id for r in result.records] == list(range(50))


def test_line_numbers_when_good_and_bad_lines_mix():
    result = scan(
        line(order_id=1),  # 1
        b"",  # 2 empty
        line(order_id=3),  # 3
        line(order_id=4) + line(order_id=44),  # 4 two objects on one line
        b"  " + line(order_id=5) + b"  ",  # 5 padded: fine
        line(order_id=6)[:-1],  # 6 cut
        line(order_id=7, outcome="nope"),  # 7 semantic error
        b"[]",  # 8
        line(order_id=9),  # 9
    )
    assert [(r.line, r.trade.order_id) for r in result.records] == [(1, 1), (3, 3), (5, 5), (9, 9)]
    assert [p.line for p in result.problems] == [2, 4, 6, 7, 8]
    reasons = {p.line: p.reason for p in result.problems}
    assert reasons[2] == "not JSON: empty line"
    assert reasons[4].startswith("not JSON (JSON is malformed: trailing characters")
    assert reasons[6] == "not JSON (Input data was truncated)"
    assert reasons[7] == "invalid outcome 'nope' (expected win, loss, breakeven or open)"
    assert reasons[8] == "not a JSON object (got `array`)"
    assert all(p.file == NAME for p in result.problems)


def test_two_objects_on_one_line_balanced_by_an_object_split_over_two_lines():
    """Three lines that a whole-buffer decoder reads as three valid objects."""
    first, second = line(order_id=2).split(b", ", 1)
    result = scan(line(order_id=1) + line(order_id=11), first + b",", second)
    assert result.records == ()
    assert [p.line for p in result.problems] == [1, 2, 3]
    assert result.problems[0].reason.startswith("not JSON (JSON is malformed: trailing characters")
    assert result.problems[1].reason == "not JSON (Input data was truncated)"


def test_a_string_cut_by_a_newline_balanced_by_two_objects_on_one_line():
    """Every line starts with { and ends with }, yet line 1 and 2 are one broken string."""
    result = scan(
        b'{"symbol":"}',
        b'{", "timestamp":"2025-10-10T14:02:17Z","outcome":"win"}',
        line(order_id=1) + line(order_id=2),
    )
    assert result.records == ()
    assert [p.line for p in result.problems] == [1, 2, 3]


def test_a_blank_line_balanced_by_two_objects_on_one_line():
    result = scan(line(order_id=1) + line(order_id=2), b"", line(order_id=3))
    assert [r.line for r in result.records] == [3]
    assert [p.line for p in result.problems] == [1, 2]


def test_scan_file_reads_a_file_object():
    result = scan_file(io.BytesIO(GOOD + b"\n" + b"[1]\n"), NAME, DAY)
    assert result.name == NAME
    assert result.date == DAY
    assert [r.line for r in result.records] == [1]
    assert result.problems == (Problem(NAME, 2, "not a JSON object (got `array`)"),)


# --------------------------------------------------------------------------- files


def test_read_log_file_reads_a_file(tmp_path):
    path = tmp_path / NAME
    path.write_bytes(GOOD + b"\nnope\n" + GOOD)
    result = read_log_file(path, DAY)
    assert (result.name, result.date, result.lines, result.in_progress_line) == (NAME, DAY, 2, 3)
    assert [p.line for p in result.problems] == [2]


def _dangling_symlink(path):
    path.symlink_to("nowhere.jsonl")
    return "is a symbolic link to a missing file; not read: fix or remove the link"


def _fifo(path):
    os.mkfifo(path)
    return "is a named pipe (FIFO), not a log file; not read: move or rename it"


def _directory(path):
    path.mkdir()
    return "is a directory, not a log file; not read: move or rename it"


def _symlink_loop(path):
    path.symlink_to(path.name)
    return "is a symbolic link loop; not read: fix or remove the link"


@pytest.mark.parametrize("make", [_dangling_symlink, _fifo, _directory, _symlink_loop])
def test_unreadable_file_is_reported_not_raised(tmp_path, make):
    """Entries no one can read as a log, root included (so this runs in CI as root)."""
    path = tmp_path / NAME
    reason = make(path)
    signal.alarm(60)  # a FIFO opened for reading in the usual way would block: fail instead
    try:
        result = read_log_file(path, DAY)
    finally:
        signal.alarm(0)
    assert result.records == ()
    assert result.problems == (Problem(NAME, 0, reason),)
    assert str(result.problems[0]) == f"2025-10-10.jsonl: {reason}"
    assert list_log_files(tmp_path) == [(DAY, path)]


def test_a_file_that_cannot_be_opened_says_to_check_its_permissions(tmp_path, monkeypatch):
    path = tmp_path / NAME
    path.write_bytes(GOOD + b"\n")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(os, "open", denied)
    result = read_log_file(path, DAY)
    assert result.problems == (
        Problem(NAME, 0, "cannot read file (Permission denied); check its permissions"),
    )
    monkeypatch.undo()
    missing = read_log_file(tmp_path / "2025-10-11.jsonl", dt.date(2025, 10, 11))
    assert missing.problems[0].reason.startswith("cannot read file (No such file or directory)")


def test_only_dated_jsonl_files_are_trade_logs(tmp_path):
    for name in (
        "2025-10-10.jsonl",
        "2025-10-09.jsonl",
        "2024-02-29.jsonl",
        "performance-alerts.jsonl",
        "2025-13-45.jsonl",
        "2023-02-29.jsonl",
        "notes.txt",
        "2025-10-10.jsonl.bak",
        "2025-10-10.json",
        "x2025-10-10.jsonl",
        "2025-1-10.jsonl",
        ".2025-10-10.jsonl.tmp",
    ):
        (tmp_path / name).write_bytes(GOOD + b"\n")
    (tmp_path / "2025-10-11.jsonl").mkdir()  # listed: reported when read
    (tmp_path / "performance").mkdir()
    (tmp_path / "performance" / "2025-10-12.jsonl").write_bytes(GOOD + b"\n")
    assert list_log_files(tmp_path) == [
        (dt.date(2024, 2, 29), tmp_path / "2024-02-29.jsonl"),
        (dt.date(2025, 10, 9), tmp_path / "2025-10-09.jsonl"),
        (dt.date(2025, 10, 10), tmp_path / "2025-10-10.jsonl"),
        (dt.date(2025, 10, 11), tmp_path / "2025-10-11.jsonl"),
    ]


def test_a_log_name_with_a_final_newline_or_other_digits_is_not_a_trade_log(tmp_path):
    """A regular expression's ``$`` also matches before a final newline: a file named
    "2025-10-10.jsonl\\n" was read as a second log of that day (found by test_fuzz.py)."""
    for name in ("2025-10-10.jsonl\n", "\u0662\u0660\u0662\u0665-10-10.jsonl", "2025-10-10.jsonl"):
        (tmp_path / name).write_bytes(GOOD + b"\n")
    assert list_log_files(tmp_path) == [(DAY, tmp_path / "2025-10-10.jsonl")]


def test_listing_a_missing_logs_dir_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        list_log_files(tmp_path / "missing")


LAX_TARGETS = (
    "win_rate_target: 0\ndaily_pl_target: -1000000\ntrades_per_day_target: 0\n"
    "max_drawdown_target: -100000000\navg_risk_reward_target: 0\n"
)


def test_a_build_never_modifies_a_log_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)
    monkeypatch.delenv("PERFORMANCE_ALERT_ROLLING_WINDOW", raising=False)
    logs = tmp_path / "logs"
    logs.mkdir()
    files = {
        "2025-10-06.jsonl": GOOD.replace(b"10-10", b"10-06") + b"\n",
        "2025-10-07.jsonl": b"\xef\xbb\xbf" + line(timestamp="2025-10-07T10:00:00Z") + b"\r\n",
        "2025-10-08.jsonl": b"nope\n\n" + line(timestamp="2025-10-08T10:00:00Z") + b"\n",
        "2025-10-09.jsonl": b"\xff\xfe not utf-8\n",
        "2025-10-10.jsonl": GOOD + b"\n" + GOOD[:30],  # a write in progress
    }
    for name, data in files.items():
        (logs / name).write_bytes(data)
    (tmp_path / "targets.yaml").write_text(LAX_TARGETS)
    os.utime(logs / "2025-10-06.jsonl", ns=(1_000_000_000, 1_000_000_000))
    before = {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode) for p in logs.iterdir()
    }

    runner = CliRunner()
    for args in (["build", "--full", "--no-site"], ["build", "--no-site"], ["validate"]):
        result = runner.invoke(main, [*args, "--targets", "targets.yaml"])
        assert "Traceback" not in result.output
        assert result.exit_code == (1 if args[0] == "validate" else 0), result.output

    after = {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode)
        for p in logs.iterdir()
        if p.is_file() and p.name.endswith(".jsonl") and p.name != "performance-alerts.jsonl"
    }
    assert after == before


# --------------------------------------------------------------------------- fuzzing

_TIMESTAMPS = [
    '"2025-10-10T14:02:17Z"',
    '"2025-10-10T14:02:17.412+02:00"',
    '"2025-10-10T14:02:17"',
    '"2025-10-10"',
    '"yesterday"',
    '"9999-12-31T23:59:59-05:00"',
    '""',
    "null",
    "17",
]
_MONEY = [
    '"-1414.80"',
    '"0"',
    "0.1",
    "1e2",
    "-0",
    '"NaN"',
    "NaN",
    "Infinity",
    '"-Infinity"',
    "1e400",
    '"1e1000000"',
    '"abc"',
    "true",
    "{}",
    "[1]",
    "null",
    '"0.0000000000000000001"',
]
_OUTCOMES = ['"win"', '"loss"', '"breakeven"', '"open"', '"WIN"', '""', "null", "1"]
_SYMBOLS = ['"NVDA"', '"é"', '""', '" "', "null", "[]"]


@st.composite
def record_lines(draw) -> bytes:
    """A JSON-ish trade record line, valid or not, written the way a bot might."""
    parts = []
    for key, choices in (
        ("timestamp", _TIMESTAMPS),
        ("symbol", _SYMBOLS),
        ("outcome", _OUTCOMES),
        ("profit_loss", _MONEY),
        ("net_profit_loss", _MONEY),
        ("exit_timestamp", _TIMESTAMPS),
        ("order_id", ['"ord-1"', "7", "1.5", "null", '""']),
        ("extra", ['{"a": [1, {"b": null}]}', '"x"', "NaN"]),
    ):
        if draw(st.booleans()) or key in ("timestamp", "symbol", "outcome"):
            if draw(st.integers(0, 9)) == 0:
                continue  # sometimes even a required field is missing
            parts.append(f'"{key}": {draw(st.sampled_from(choices))}')
    return ("{" + ", ".join(parts) + "}").encode()


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
).map(lambda v: json.dumps(v).encode())


@st.composite
def log_lines(draw) -> bytes:
    """Lines mixing good records, bad records, other JSON, blanks and line-structure tricks."""
    kind = draw(st.integers(0, 9))
    if kind <= 3:
        raw = draw(record_lines())
    elif kind == 4:
        raw = draw(record_lines()) + draw(record_lines())  # two objects on one line
    elif kind == 5:
        raw = draw(record_lines())  # one object split over two lines
        cut = draw(st.integers(0, len(raw)))
        raw = raw[:cut] + b"\n" + raw[cut:]
    elif kind == 6:
        raw = draw(_json_values)
    elif kind == 7:
        raw = draw(st.sampled_from([b"", b" ", b"\t", b"\r", b"{", b"}", b"]", b","]))
    elif kind == 8:
        raw = draw(st.binary(max_size=12))
    else:
        raw = GOOD
    pad = draw(st.sampled_from([b"", b" ", b"\t"]))
    return pad + raw + pad + draw(st.sampled_from([b"", b"\r"]))


@st.composite
def log_files(draw) -> bytes:
    body = b"".join(raw + b"\n" for raw in draw(st.lists(log_lines(), max_size=12)))
    if draw(st.booleans()):
        body = b"\xef\xbb\xbf" + body
    if draw(st.booleans()):
        body += draw(log_lines()).replace(b"\n", b"")  # a write in progress
    return body


_TOKENS = st.sampled_from(
    [
        *(b"\n", b"\r\n", b"{", b"}", b"[", b"]", b'"', b",", b":", b" ", b"\xff"),
        *(GOOD, GOOD[:20], b"\xef\xbb\xbf", "é".encode(), "é".encode()[:1]),
        *(b"NaN", b"1e400", b'"symbol"', b"null"),
    ]
)


def _outcome(result, number: int):
    """What a scan says about line ``number``: ("record", trade) or ("problem", reason)."""
    for rec in result.records:
        if rec.line == number:
            return ("record", rec.trade, rec.entry, rec.exit)
    for problem in result.problems:
        if problem.line == number:
            return ("problem", problem.reason)
    raise AssertionError(f"line {number} is neither a record nor a problem")


def _check_accounting(data: bytes, result) -> None:
    body = data.removeprefix(b"\xef\xbb\xbf")
    # LF, CRLF and a CR alone each end a line, as bytes.splitlines has it; the line is
    # all but its last byte (a CRLF line keeps its CR: JSON whitespace)
    pieces = body.splitlines(keepends=True)
    lines = [piece[:-1] for piece in pieces if piece.endswith((b"\n", b"\r"))]
    complete = len(lines)
    assert result.lines == complete
    if pieces and not pieces[-1].endswith((b"\n", b"\r")):
        assert result.in_progress_line == complete + 1
    else:
        assert result.in_progress_line is None
    assert all(p.file == NAME for p in result.problems)
    if any("not valid UTF-8" in p.reason for p in result.problems):
        assert result.records == ()
        assert len(result.problems) == 1
        return
    numbers = sorted([r.line for r in result.records] + [p.line for p in result.problems])
    assert numbers == list(range(1, complete + 1))  # each complete line exactly once

    # The whole-file scan (fast path when it can) says about each line exactly what a
    # line-by-line scan says (the blank first line forces the slow path).
    for number, raw in enumerate(lines, 1):
        alone = scan_bytes(b"\n" + raw + b"\n", NAME, DAY)
        expected = _outcome(alone, 2)
        assert _outcome(result, number) == expected, (number, raw)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.lists(_TOKENS, max_size=40).map(b"".join))
@example(b"\xef\xbb\xbf")
@example(b"\n\n\n")
@example(GOOD + GOOD + b"\n" + GOOD[:30] + b"\n" + GOOD[30:] + b"\n")
def test_fuzz_scan_bytes_never_raises_and_accounts_for_every_line(data):
    result = scan_bytes(data, NAME, DAY)
    _check_accounting(data, result)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(log_files())
def test_fuzz_json_lines_each_line_is_a_record_or_a_problem(data):
    result = scan_bytes(data, NAME, DAY)
    _check_accounting(data, result)
    for rec in result.records:  # every record that passed is fully valid
        assert rec.trade.outcome in ingest.OUTCOMES
        assert rec.trade.symbol.strip()
        assert rec.entry.tzinfo is not None


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            '{"timestamp":"1925-10-10T14:00:00Z","symbol":"X","outcome":"open"}',
            "timestamp '1925-10-10T14:00:00Z' is 36525 days before the file's date 2025-10-10",
        ),
        (
            '{"timestamp":"2025-10-10T14:00:00Z","symbol":"X","outcome":"win",'
            '"exit_timestamp":"2099-01-01T00:00:00Z"}',
            "exit_timestamp '2099-01-01T00:00:00Z' is 26746 days after the file's date",
        ),
    ],
)
def test_time_far_from_file_date_is_a_bad_line(line, reason):
    scan = scan_bytes((line + "\n").encode(), "2025-10-10.jsonl", dt.date(2025, 10, 10))
    assert scan.records == ()
    assert scan.problems[0].line == 1
    assert reason in scan.problems[0].reason
    assert "check the year" in scan.problems[0].reason


def test_position_held_for_weeks_is_fine():
    # Opened 20 days before the closing record's file: attribution uses the exit time.
    line = (
        '{"timestamp":"2025-09-20T14:00:00Z","symbol":"X","outcome":"win",'
        '"exit_timestamp":"2025-10-10T15:00:00Z","net_profit_loss":"5"}\n'
    )
    scan = scan_bytes(line.encode(), "2025-10-10.jsonl", dt.date(2025, 10, 10))
    assert len(scan.records) == 1 and scan.problems == ()


_DECIMAL_TEXTS = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        ["sNaN", "-NaN", "0E-30", "0E+30", "1E-19", "-1E-18", "999999999999999.9", "1E15"]
    ),
    st.builds(lambda m, e: f"{m}E{e}", st.integers(-(10**20), 10**20), st.integers(-40, 40)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), _DECIMAL_TEXTS), min_size=9, max_size=9)))
def test_all_sane_agrees_with_the_check_of_each_value(rows):
    trades = [
        ingest.TradeRecord(
            "2025-10-10T10:00:00Z",
            "AAPL",
            "win",
            **dict(zip(ingest._DECIMAL_FIELDS, values, strict=True)),
        )
        for values in ([None if v is None else Decimal(v) for v in row] for row in rows)
    ]
    each = all(
        getattr(t, f) is None or ingest._sane(getattr(t, f))
        for t in trades
        for f in ingest._DECIMAL_FIELDS
    )
    assert ingest.all_sane(trades) == each
