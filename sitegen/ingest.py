"""Log files -> typed trade records, with every bad line reported as a Problem.

Readers take bytes or file objects; the only place that opens log files is
:func:`read_log_file`. Nothing here ever writes to a log.
"""

from __future__ import annotations

import datetime as dt
import errno
import operator
import os
import re
import stat
from collections.abc import Iterable
from decimal import Context, Decimal, InvalidOperation, localcontext
from itertools import accumulate, chain
from pathlib import Path
from typing import BinaryIO

import msgspec

# \Z, not $: $ also matches before a final newline, and "2025-10-10.jsonl\n" is no log
LOG_NAME = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})\.jsonl\Z")
OUTCOMES = frozenset(("win", "loss", "breakeven", "open"))
# Money and numeric fields the analytics read; each must be finite and sane.
_DECIMAL_FIELDS = (
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
_LIMIT = Decimal(10) ** 15  # money and other values must be below it
_MIN_EXPONENT = -18
#: how far a trade's attribution time may lie from the date in its file's name
MAX_DAYS_FROM_FILE = 31
# Times whose conversion to any zone (offsets stay within a day) stays inside datetime's range.
_MIN_TIME = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
_MAX_TIME = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)

#: bad-line reports a scan (and the digest the index keeps of a file) holds; the rest
#: are counted: a file of a million bad lines must not cost a million reports
MAX_KEPT_PROBLEMS = 100

# Limits on one line. A bot's record is about a kilobyte, one level deep with one list,
# and has under 30 fields; these leave room for any logger while keeping the work on a
# hostile line small and the same everywhere: the JSON decoder's own limit on nesting (a
# RecursionError) depends on how deep the caller's stack is; MAX_DEPTH, far below it,
# decides instead.
#: bytes in one line; a longer line is reported, not decoded
MAX_LINE_BYTES = 1024 * 1024
#: levels of nesting of objects and lists (the record itself is the first)
MAX_DEPTH = 64
#: fields (object keys) in one line, at any depth
MAX_FIELDS = 256
# The cheap count that clears a line: its ``[``, ``{`` and ``:`` bytes, inside strings
# too, bound both its depth and its fields from above.
_GATE = min(MAX_DEPTH, MAX_FIELDS)
_NOT_GATE = bytes(b for b in range(256) if b not in b"[{:\n")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 in, -1 out (signed bytes)
_LONE_CR = re.compile(rb"\r(?!\n)")
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)


class TradeRecord(msgspec.Struct, frozen=True, gc=False):
    """The fields of one bot trade record that the analytics read; others are ignored."""

    timestamp: str
    symbol: str
    outcome: str
    action: str | None = None
    quantity: Decimal | None = None
    price: Decimal | None = None
    stop_loss: Decimal | None = None
    risk_reward_ratio: Decimal | None = None
    profit_loss: Decimal | None = None
    net_profit_loss: Decimal | None = None
    commission: Decimal | None = None
    slippage: Decimal | None = None
    exit_timestamp: str | None = None
    order_id: str | int | None = None
    strategy_name: str | None = None
    hold_duration_seconds: Decimal | None = None
    decision_reasoning: str | None = None
    exit_reasoning: str | None = None
    execution_mode: str | None = None
    bot_version: str | int | None = None
    config_hash: str | int | None = None


#: the book of a record without an execution_mode (missing, null or "")
UNKNOWN_MODE = "UNKNOWN"
#: a missing part of a version (bot_version or config_hash missing, null or "")
UNKNOWN_PART = "unknown"


def record_mode(trade: TradeRecord) -> str:
    """The book a record belongs to: its execution_mode as written (PAPER, LIVE or any
    other text), UNKNOWN when it has none."""
    return trade.execution_mode or UNKNOWN_MODE


#: versions made so far, by (bot_version, config_hash): a log holds few, and a trade is
#: made per record (the dict is cleared when it grows past VERSIONS_KEPT)
_VERSIONS: dict[tuple[str | int | None, str | int | None], str] = {}
VERSIONS_KEPT = 1024


def record_version(trade: TradeRecord) -> str:
    """The version a record was made by: ``bot_version · config_hash`` (``1.4.2 ·
    abc123``), each missing part ``unknown``; integers are written as text."""
    key = (trade.bot_version, trade.config_hash)
    found = _VERSIONS.get(key)
    if found is None:
        bot, config = key
        bot_text = UNKNOWN_PART if bot is None or bot == "" else str(bot)
        config_text = UNKNOWN_PART if config is None or config == "" else str(config)
        found = f"{bot_text} · {config_text}"
        if len(_VERSIONS) >= VERSIONS_KEPT:
            _VERSIONS.clear()
        _VERSIONS[key] = found
    return found


class Problem(msgspec.Struct, frozen=True, gc=False):
    """A bad line (or a whole unreadable file when ``line`` is 0)."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}: {self.reason}"
            if self.line
            else f"{self.file}: {self.reason}"
        )


class Record(msgspec.Struct, frozen=True, gc=False):
    """A valid trade record with its place in the logs and its parsed times."""

    line: int
    trade: TradeRecord
    entry: dt.datetime
    exit: dt.datetime | None


class FileScan(msgspec.Struct, frozen=True, gc=False):
    """What one log file holds: valid records in line order, problems, in-progress tail."""

    name: str
    date: dt.date
    records: tuple[Record, ...]
    problems: tuple[Problem, ...]
    in_progress_line: int | None  # a last line without newline: a write in progress
    lines: int
    more_problems: int = 0  # bad lines beyond those in ``problems``, counted only


_decoder = msgspec.json.Decoder(TradeRecord)


def log_date(name: str) -> dt.date | None:
    """The date a log file name stands for, or None when the name is not a trade log."""
    m = LOG_NAME.match(name)
    if not m:
        return None
    try:
        return dt.date.fromisoformat(m.group(1))
    except ValueError:
        return None


def list_log_files(logs_dir: Path) -> list[tuple[dt.date, Path]]:
    """Entries of ``logs_dir`` named like a trade log, oldest first, whatever they are:
    one that is no readable file (a directory, a FIFO, a broken or looping symbolic
    link) is reported when read (see check_log_file), never passed over in silence.
    Entries with other names are never read."""
    found = []
    with os.scandir(logs_dir) as it:
        for entry in it:
            day = log_date(entry.name)
            if day is not None:
                found.append((day, Path(entry.path)))
    found.sort()
    return found


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def not_a_file_reason(mode: int) -> str:
    """Why an entry of this st_mode is not read as a log."""
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    return f"is {kind}, not a log file; not read: move or rename it"


def unreadable_reason(path: Path, exc: OSError) -> str:
    """Why a log file could not be opened or read, and what to do about it."""
    if exc.errno == errno.ELOOP:
        return "is a symbolic link loop; not read: fix or remove the link"
    if exc.errno == errno.ENOENT and path.is_symlink():
        return "is a symbolic link to a missing file; not read: fix or remove the link"
    return f"cannot read file ({exc.strerror or exc}); check its permissions"


def check_log_file(path: Path) -> tuple[os.stat_result | None, str | None]:
    """The status of a log file, or else why it cannot be read as one. Never opens it:
    opening a FIFO for reading waits until something writes to it."""
    try:
        st = path.stat()
    except OSError as exc:
        return None, unreadable_reason(path, exc)
    if not stat.S_ISREG(st.st_mode):
        return None, not_a_file_reason(st.st_mode)
    return st, None


def parse_time(text: str) -> dt.datetime:
    """An ISO 8601 time as an aware datetime; no offset means UTC.

    Raises ValueError when ``text`` is not ISO 8601, or is so close to year 1 or 9999
    that converting it to a time zone would overflow.
    """
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    if not _MIN_TIME <= value <= _MAX_TIME:
        raise ValueError("out of range")
    return value


def _sane(value: Decimal) -> bool:
    """Finite, below 10^15 and at most 18 decimal places: sums of such values stay
    exact. Checked on the text first; the slow exact check only for long or
    exponent forms (a plain number of at most 20 characters has ≤ 18 places)."""
    if not value.is_finite() or not -_LIMIT < value < _LIMIT:
        return False
    text = str(value)
    return (len(text) <= 20 and "E" not in text) or value.as_tuple().exponent >= _MIN_EXPONENT


_decimals = operator.attrgetter(*_DECIMAL_FIELDS)
_BULK = Context(prec=120)  # exact for sums of up to 10^80 values that are each _sane


def all_sane(trades: Iterable[TradeRecord]) -> bool:
    """Whether every decimal field of every trade is _sane, checked at once (in C, not a
    value at a time): all finite and below 10^15 (min and max; a NaN cannot be
    compared), with at most 18 decimal places (an exact sum has the smallest exponent
    of its terms). False means some value is not: check them one by one."""
    values = [v for v in chain.from_iterable(map(_decimals, trades)) if v is not None]
    if not values:
        return True
    try:
        with localcontext(_BULK):
            return (
                min(values) > -_LIMIT
                and max(values) < _LIMIT
                and sum(values, Decimal(0)).as_tuple().exponent >= _MIN_EXPONENT  # type: ignore[operator]
            )
    except InvalidOperation:
        return False


def _check(
    trade: TradeRecord, day: dt.date, decimals: bool = True
) -> tuple[str | None, dt.datetime | None, dt.datetime | None]:
    """Semantic validation msgspec cannot express. Returns (reason, entry, exit).
    ``decimals=False`` when all_sane() already passed the decimal fields."""
    if trade.outcome not in OUTCOMES:
        return (
            f"invalid outcome {trade.outcome[:40]!r} (expected win, loss, breakeven or open)",
            None,
            None,
        )
    if not trade.symbol.strip():
        return "empty symbol", None, None
    for field in _DECIMAL_FIELDS if decimals else ():
        value = getattr(trade, field)
        if value is not None and not _sane(value):
            return (
                f"invalid value for {field}: {str(value)[:40]} (must be a finite decimal "
                "below 10^15 with at most 18 decimal places)",
                None,
                None,
            )
    try:
        entry = parse_time(trade.timestamp)
    except ValueError as exc:
        return _time_reason("timestamp", trade.timestamp, exc), None, None
    exit_time = None
    if trade.exit_timestamp is not None:
        try:
            exit_time = parse_time(trade.exit_timestamp)
        except ValueError as exc:
            return _time_reason("exit_timestamp", trade.exit_timestamp, exc), None, None
    # A trade is written on the day it opens or closes: a time far from the file's date
    # is a typo (a wrong year would otherwise stretch the history over decades).
    when = exit_time if exit_time is not None and trade.outcome != "open" else entry
    distance = (when.astimezone(dt.UTC).date() - day).days
    if abs(distance) > MAX_DAYS_FROM_FILE:
        field = "exit_timestamp" if when is exit_time else "timestamp"
        shown = (trade.exit_timestamp if when is exit_time else trade.timestamp) or ""
        return (
            f"{field} {shown[:40]!r} is {abs(distance)} days "
            f"{'after' if distance > 0 else 'before'} the file's date {day} "
            f"(more than {MAX_DAYS_FROM_FILE}); check the year",
            None,
            None,
        )
    return None, entry, exit_time


def _time_reason(field: str, text: str, exc: ValueError) -> str:
    hint = "out of range" if str(exc) == "out of range" else "expected ISO 8601"
    return f"invalid {field} {text[:40]!r} ({hint})"


def _decode_line(raw: bytes) -> tuple[TradeRecord | None, str | None]:
    if not raw.strip():
        return None, "not JSON: empty line"
    try:
        return _decoder.decode(raw), None
    except msgspec.ValidationError as exc:
        msg = str(exc)
        if msg.startswith("Expected `object`"):
            return None, f"not a JSON object ({msg.removeprefix('Expected `object`, ')})"
        return None, msg
    except msgspec.DecodeError as exc:
        return None, f"not JSON ({exc})"
    except RecursionError:
        return None, _over_limit(raw) or f"nested too deep (the limit is {MAX_DEPTH}); not read"


def _shape(raw: bytes) -> tuple[int, int]:
    """The depth of a JSON line (its deepest nesting of objects and lists) and its
    fields (object keys, at any depth); brackets and colons inside strings do not count."""
    bare = _JSON_STRING.sub(b"", raw)
    steps = memoryview(bare.translate(_STEPS, _NOT_BRACKETS)).cast("b")
    return max(accumulate(steps), default=0), bare.count(b":")


def _over_limit(raw: bytes) -> str | None:
    depth, fields = _shape(raw)
    if depth > MAX_DEPTH:
        return f"nested {depth:,} levels deep (the limit is {MAX_DEPTH}); not read"
    if fields > MAX_FIELDS:
        return f"has {fields:,} fields (the limit is {MAX_FIELDS}); not read"
    return None


def _too_long(size: int) -> str:
    return f"line is {size:,} bytes long (the limit is {MAX_LINE_BYTES:,}); not read"


def scan_bytes(
    data: bytes, name: str, day: dt.date, keep: int | None = MAX_KEPT_PROBLEMS
) -> FileScan:
    """Decode one log file's bytes into records and problems (never raises on bad
    content). Of the bad lines, the first ``keep`` are reported and the rest counted
    (``keep=None``: all reported), so a file of a million bad lines costs no more
    memory than one of a hundred."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\r" in data and _LONE_CR.search(data):
        # A CR alone ends a line (classic Mac line endings), as it does in an editor, in
        # str.splitlines and for jq: the records of such a file are read one by one,
        # numbered as an editor shows them. (Inside a valid line a raw CR can only be
        # whitespace between tokens, which no JSON Lines writer puts there.)
        data = _LONE_CR.sub(b"\n", data)
    # One pass keeps what the limits need (and counts the lines): a line whose count of
    # these bytes stays within both limits needs no closer look.
    gate = data.translate(None, _NOT_GATE)
    in_progress = None
    complete_lines = gate.count(b"\n")
    if data and not data.endswith(b"\n"):
        in_progress = complete_lines + 1
        data = data[: data.rfind(b"\n") + 1]

    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            problem = Problem(
                name,
                line,
                f"file is not valid UTF-8 (byte {data[exc.start]:#04x}); "
                "whole file skipped: re-save it as UTF-8",
            )
            return FileScan(name, day, (), (problem,), in_progress, complete_lines)
    lines = data.split(b"\n")[:complete_lines]
    too_long = set()
    if lines and max(map(len, lines)) > MAX_LINE_BYTES:
        too_long = {n for n, raw in enumerate(lines, 1) if len(raw) > MAX_LINE_BYTES}
    pieces = gate.split(b"\n")[:complete_lines]
    suspects = []
    if pieces and max(map(len, pieces)) > _GATE:
        suspects = [n for n, p in enumerate(pieces, 1) if len(p) > _GATE and n not in too_long]
    trades: list[tuple[int, TradeRecord]] | None = None
    # Fast path: each line decoded on its own (so a value can neither span lines nor
    # share one), without a handler per line; any error sends the file to the slow path.
    if not too_long:
        try:
            trades = list(enumerate(map(_decoder.decode, lines), 1))
        except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
            trades = None
    # The bad lines of each kind below come in line order: keeping the first ``keep``
    # of each keeps the first ``keep`` of all, however many there are.
    kept: tuple[list[Problem], ...] = ([], [], [])
    found = 0

    def bad(kind: int, number: int, reason: str) -> None:
        nonlocal found
        found += 1
        if keep is None or len(kept[kind]) < keep:
            kept[kind].append(Problem(name, number, reason))

    if trades is None:  # slow path: find exactly which lines are bad
        trades = []
        for number, raw in enumerate(lines, 1):
            if number in too_long:
                bad(0, number, _too_long(len(raw)))
                continue
            trade, reason = _decode_line(raw)
            if trade is None:
                bad(0, number, reason or "invalid")
            else:
                trades.append((number, trade))
    if suspects:  # a line the decoder read may still be over a limit
        decoded = {number for number, _ in trades}
        over = set()
        for number in suspects:
            if number in decoded and (why := _over_limit(lines[number - 1])):
                over.add(number)
                bad(1, number, why)
        if over:
            trades = [(number, trade) for number, trade in trades if number not in over]

    records = []
    decimals = not all_sane(trade for _, trade in trades)
    for number, trade in trades:
        reason, entry, exit_time = _check(trade, day, decimals)
        if reason is not None:
            bad(2, number, reason)
        else:
            records.append(Record(number, trade, entry, exit_time))
    problems = sorted(chain.from_iterable(kept), key=operator.attrgetter("line"))[:keep]
    more = found - len(problems)
    return FileScan(name, day, tuple(records), tuple(problems), in_progress, complete_lines, more)


def scan_file(
    fp: BinaryIO, name: str, day: dt.date, keep: int | None = MAX_KEPT_PROBLEMS
) -> FileScan:
    return scan_bytes(fp.read(), name, day, keep)


def read_log_file(path: Path, day: dt.date, keep: int | None = None) -> FileScan:
    """Read one log file (read-only), reporting every bad line unless told to keep
    fewer (see scan_bytes); an entry that cannot be read as one is a Problem, not an
    exception, and never blocks: it is opened without waiting (a FIFO would wait for a
    writer) and read only when it is a regular file."""
    fd = -1
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            return _not_read(path, day, not_a_file_reason(mode))
        with os.fdopen(fd, "rb") as fp:
            fd = -1  # the file object closes it
            return scan_file(fp, path.name, day, keep)
    except OSError as exc:
        return _not_read(path, day, unreadable_reason(path, exc))
    finally:
        if fd >= 0:
            os.close(fd)


def _not_read(path: Path, day: dt.date, reason: str) -> FileScan:
    return FileScan(path.name, day, (), (Problem(path.name, 0, reason),), None, 0)
