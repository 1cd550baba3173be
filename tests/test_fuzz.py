"""The randomized net over hostile input: random log folders, whole builds.

Each example writes a logs folder of a few trade logs whose lines are a random mix of
valid trades (every string field hostile: markup, Markdown, control and bidi
characters, long values) and lines that are bad by construction (not JSON, not an
object, wrong types in every field, non-finite or huge numbers, nesting and field
counts over the limits, lines over the length limit, invalid UTF-8), with LF, CRLF or
CR-only endings and sometimes no final newline; beside them hostile entries named
like logs (directories, symbolic links and their loops, a FIFO, a far date) and names
that only look like logs. Then ``sitegen.build(config, full=True)`` with the site, and
``sitegen build``/``validate`` through the command line, must:

1. raise nothing, and exit 0/2 (build) or 0/1 (validate) without a traceback;
2. report every bad line with file:line (the build report, the summaries'
   ``data_quality``, the daily page, ``validate``), and count every other line;
3. leave the logs folder as it was (only the alert log may grow);
4. put no markup from a log value on any page or into any Markdown artifact (every
   log string carries the token ``Zq7``, so markup it made names it);
5. write output in proportion to the input (see ``SIZE_PER_BYTE``).

The cases that pin one rule each live in test_hostile.py, test_limits.py,
test_markdown_safety.py and test_hardening.py; this is the random net over all of them.
Fast by default (CI); ``SITEGEN_LONG=1`` runs many more examples with fresh seeds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import markdown
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sitegen
from sitegen.cli import main
from sitegen.ingest import MAX_DEPTH, MAX_FIELDS, MAX_LINE_BYTES
from tests.conftest import KEY_LINK, KEY_TITLE, Elements

LONG = os.environ.get("SITEGEN_LONG", "") not in ("", "0")

settings.register_profile(
    "sitegen-fuzz",
    max_examples=300 if LONG else 50,
    deadline=None,
    # CI runs the same examples every time; a long run hunts with fresh seeds
    derandomize=not LONG,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
FUZZ = settings.get_profile("sitegen-fuzz")

#: in every string a log line carries: markup made from a log value names it
TOKEN = "Zq7"
GOOD, BAD, EITHER = "good", "bad", "either"  # what a line must be: counted, reported, or free

# Markup, Markdown structure, links, control and direction characters, each with TOKEN.
SNIPPETS = (
    "<script>alert('Zq7')</script>",
    "<img src=x onerror=alert('Zq7')>",
    "<a href='http://Zq7.example'>Zq7</a>",
    "</td></tr><b>Zq7</b><!--",
    "<!-- Zq7 -->",
    "<Zq7 onclick=alert(1)>",
    "&lt;Zq7&gt;&#60;",
    "[Zq7](javascript:alert(1))",
    "![Zq7](http://x.example/Zq7.png)",
    "[Zq7][1]\n\n[1]: http://Zq7.example",
    "<http://Zq7.example>",
    "Zq7@Zq7.example",
    "*Zq7*",
    "**Zq7**",
    "_Zq7_",
    "__Zq7__",
    "`Zq7`",
    "~~Zq7~~",
    "Zq7|Zq7",
    "| Zq7 | Zq7 |",
    "Zq7\nZq7",
    "Zq7\r\n# Zq7",
    "Zq7\r- Zq7",
    "Zq7\u2028Zq7",
    "\u202eZq7\u202c",
    "\u2066Zq7\u2069",
    "Zq7\x00\x01\x07\x1b[2J\x7f\x85",
    "\ufeffZq7\t",
    "Zq7\\",
    "{{ Zq7 }}{% raw %}",
    "../../Zq7",
    "\"Zq7'",
)
#: the characters that mean something to HTML, Markdown or a terminal
META = "<>&\"'[]()*_`!\\|#~-+.:/=;{}@ \t\n\r\x00\x07\x1b\x7f\x85\u2028\u202e\u2066\u2069"

#: file dates: a week and a month boundary; far dates (calendar ends, a year typo)
DAYS = ("2025-09-30", "2025-10-01", "2025-10-03", "2025-10-06")
FAR_DAYS = ("0001-01-01", "9999-12-31", "2015-10-01")
#: named like a log, not a log file: each is one reported problem (line 0)
NOT_FILES = {
    "directory": "2025-10-02.jsonl",
    "self-loop": "2025-10-08.jsonl",
    "loop": "2025-10-09.jsonl",  # and its partner, 2025-10-10.jsonl
    "dangling": "2025-10-14.jsonl",
    "link-to-folder": "2025-10-15.jsonl",
    "fifo": "2025-10-16.jsonl",
}
LINKED = "2025-10-07.jsonl"  # a symbolic link to another log: read as that file
#: names that only look like logs: never read, never reported
NEAR_MISSES = (
    "2025-1-1.jsonl",
    "2025-13-01.jsonl",
    "2025-02-30.jsonl",
    "20251006.jsonl",
    "2025-10-06.json",
    "2025-10-06.JSONL",
    "2025-10-06.jsonl.bak",
    "2025-10-06.jsonl~",
    ".2025-10-06.jsonl",
    " 2025-10-06.jsonl",
    "2025-10-06.jsonl\n",
    "\u0662\u0660\u0662\u0665-\u0661\u0660-\u0660\u0666.jsonl",  # Arabic-Indic digits
)
ALERT_LOG = "performance-alerts.jsonl"

# The output a build may write (artifacts and site, but the cache index and
# .sitegen-cache/), as measured:
# - an empty logs folder: 33 KB (the site's fixed pages and assets); one trade: 337 KB
#   over 3 periods (its day, week and month; with compare.html, the 95% intervals and
#   the table sorter on every page, up from 250 KB);
# - each further period (a day between two logs, a far file's own week and month):
#   40-57 KB of page, summary and Markdown without trades;
# - each line: a trade with keys no other trade has adds a row to every table of its
#   day, week, month and the all-time page: 19-21 KB with short values, and 24 KB
#   beyond the per-byte share below with every field at the 200 characters a page
#   shows, all of them ``&`` (``&amp;`` on a page); a bad line 2-3 KB;
# - each byte of a long value: 14.0 bytes (a 100 KB symbol or strategy). Only the JSON
#   keeps a value whole: its by_symbol/by_strategy and breakdown entries in its day's,
#   week's, month's and the all-time summary, each in the artifacts and in the site's
#   data/: at most 16 copies, each no longer than the value's JSON in the log line.
# So the bound allows 16 bytes a byte, and room to spare on the rest: in two runs of
# 300 random folders the largest output was 0.79 of it, and inputs over 100 KB wrote
# at most 0.36 of it (6.5 bytes a byte). A long value copied whole into every page and
# Markdown file costs 26 bytes a byte, past it
# (test_the_size_bound_catches_a_long_value_copied_into_every_page).
SIZE_FIXED = 200_000
SIZE_PER_PERIOD = 60_000  # a daily, weekly or monthly page (near the logs' dates: checked)
SIZE_PER_LINE = 40_000
SIZE_PER_BYTE = 16


def size_bound(size_in: int, lines: int, periods: int) -> int:
    return SIZE_FIXED + SIZE_PER_PERIOD * periods + SIZE_PER_LINE * lines + SIZE_PER_BYTE * size_in


#: fields of a trade record (the bot's); those sitegen reads are typed, the rest ignored
REQUIRED_TEXT = ("timestamp", "symbol", "outcome")
OPTIONAL_TEXT = ("action", "strategy_name", "decision_reasoning", "exit_reasoning")
NUMBERS = (
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
OTHER_TEXT = (
    "entry_type",
    "execution_mode",
    "account_id",
    "session_id",
    "bot_version",
    "config_hash",
)
KNOWN = frozenset(
    (*REQUIRED_TEXT, *OPTIONAL_TEXT, *NUMBERS, *OTHER_TEXT, "order_id", "exit_timestamp")
) | {"total_value", "indicators_used"}


class Raw(str):
    """A JSON token written as is (numbers JSON has no other spelling for)."""


def encode(value: object, ascii_only: bool = False) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        items = (f"{encode(k, ascii_only)}:{encode(v, ascii_only)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(encode(v, ascii_only) for v in value) + "]"
    return json.dumps(value, ensure_ascii=ascii_only)


def fields(value: object) -> int:
    """Object keys at any depth (what the field limit counts)."""
    if isinstance(value, dict):
        return len(value) + sum(fields(v) for v in value.values())
    if isinstance(value, list):
        return sum(fields(v) for v in value)
    return 0


# --------------------------------------------------------------------------- lines

piece = st.sampled_from(SNIPPETS) | st.text(META, max_size=6) | st.text(max_size=6)
hostile_text = st.builds(
    lambda head, snippet, tail, times: ("".join(head) + snippet + "".join(tail)) * times,
    st.lists(piece, max_size=2),
    st.sampled_from(SNIPPETS),
    st.lists(piece, max_size=2),
    # over 200 characters a value is cut on pages and in Markdown, kept whole in JSON
    st.sampled_from((1, 1, 1, 1, 1, 1, 15, 2_000)),
)
json_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([Raw("1e999"), Raw("-0"), Raw("1E-999"), Raw("9" * 400), Raw("-0.0")])
    | hostile_text,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6).filter(lambda k: k not in KNOWN), inner, max_size=3)
    ),
    max_leaves=8,
)
#: valid values of a numeric field: decimal strings and JSON numbers below 10^15 with
#: at most 18 places, negative zero, exponents
SANE = st.sampled_from(
    [
        "1.00",
        "-2.50",
        "0",
        "-0",
        "-0.00",
        "1E+3",
        "0.000000000000000001",
        "999999999999999.99",
        "-999999999999999.99",
        Raw("-0"),
        Raw("7"),
        Raw("-12.75"),
        Raw("1e2"),
        Raw("1E-18"),
        Raw("123456789012345"),
    ]
) | st.builds(  # any of them, as a string or a JSON number
    lambda digits, places, raw: (Raw if raw else str)(Decimal(digits).scaleb(-places)),
    st.integers(-(10**15) + 1, 10**15 - 1),
    st.integers(0, 18),
    st.booleans(),
)
#: invalid values of a numeric field
NOT_NUMBERS = (
    True,
    [],
    {"v": 1},
    "abc",
    "",
    "0x10",
    "NaN",
    "-Infinity",
    "sNaN",
    "1e999",
    "1e15",
    "-1000000000000000",
    "1e-30",
    "Zq7<b>",
    Raw("NaN"),
    Raw("Infinity"),
    Raw("1e999"),
    Raw("-1e999"),
    Raw("1e-999"),
    Raw("9" * 400),
    Raw("1" + "0" * 15),
)
WRONG_TYPES = (5, -1.5, True, [], ["Zq7"], {"Zq7": 1})
BAD_TIMES = ("yesterday", "", "2025-13-45T00:00:00Z", "2025-10-06T25:00:00Z", "<Zq7>", "T")
BAD_OUTCOMES = ("WIN", "", " win", "closed", "<b>Zq7</b>")


#: bad lines to crowd a file with
CROWD = (b"not json", b"[]", b"{}", b'{"symbol": "Zq7<b>"}', b"  ", b"null", b'"Zq7"')
#: the bad lines a file's reports keep (the first ones; the rest are counted)
KEPT = 100


@dataclass
class Line:
    raw: bytes  # without its line ending
    label: str  # GOOD, BAD or EITHER
    kind: str  # how it was made (for failure messages)
    end: bytes = b"\n"

    def __repr__(self) -> str:  # a failing example prints short
        raw = self.raw if len(self.raw) <= 160 else self.raw[:160] + b"..."
        return f"Line({raw!r} ({len(self.raw):,} bytes), {self.label}, {self.kind!r}, {self.end!r})"

    def _repr_pretty_(self, printer, cycle) -> None:  # how hypothesis prints it
        printer.text(repr(self))


def at(day: dt.date, draw, *, days: int = 0) -> str | None:
    """A time on ``day`` (+ ``days``) in a random offset spelling; None past year 9999."""
    try:
        when = day + dt.timedelta(days=days)
    except OverflowError:
        return None
    clock = draw(st.sampled_from(["00:00:00", "09:30:00.5", "14:02:17.412", "23:59:59"]))
    offset = draw(st.sampled_from(["Z", "Z", "+00:00", "", "+05:30", "-04:00", "+14:00"]))
    return f"{when.isoformat()}T{clock}{offset}"


@st.composite
def valid_trade(draw, day: dt.date) -> dict:
    """A valid trade record of ``day``'s file; every string field hostile."""
    outcome = draw(st.sampled_from(["win", "loss", "breakeven", "open"]))
    record: dict = {
        "timestamp": at(day, draw),
        "symbol": draw(hostile_text),
        "outcome": outcome,
    }
    exit_time = at(day, draw, days=draw(st.integers(0, 3)))
    if exit_time is not None and draw(st.booleans()):
        record["exit_timestamp"] = exit_time
    for name in (*OPTIONAL_TEXT, *OTHER_TEXT):
        if draw(st.integers(0, 3)):
            record[name] = draw(hostile_text | st.none())
    order = draw(st.sampled_from(["text", "text", "int", "none", "empty", "shared"]))
    record["order_id"] = {
        "text": draw(hostile_text),
        "int": draw(st.integers(-(10**20), 10**20)),
        "none": None,
        "empty": "",
        "shared": "Zq7-shared",  # the same order in several lines: one trade
    }[order]
    for name in NUMBERS:
        if draw(st.integers(0, 2)):
            record[name] = draw(SANE | st.none())
    if draw(st.booleans()):
        record["indicators_used"] = draw(st.lists(hostile_text, max_size=3))
    extra = draw(
        st.dictionaries(
            st.text(max_size=8).filter(lambda k: k not in KNOWN), json_value, max_size=2
        )
    )
    return {**record, **extra}


@st.composite
def log_line(draw, day: dt.date) -> Line:
    """One line of ``day``'s log: GOOD when it must be read, BAD when it must be
    reported, EITHER when the spec leaves it open."""
    kind = draw(
        st.sampled_from(
            ["trade"] * 8
            + ["wrong field"] * 5
            + ["random json", "deep", "fields", "text", "empty", "cut", "two", "surrogate"]
            + ["long", "invalid utf-8"]
        )
    )
    ascii_only = draw(st.booleans())
    if kind == "random json":
        value = draw(json_value)
        if isinstance(value, dict):
            value.pop("timestamp", None)  # an object without its required fields
        return Line(encode(value, ascii_only).encode(), BAD, kind)
    if kind == "text":
        text = draw(st.text(max_size=40)).replace("\n", " ").replace("\r", " ")
        return Line(text.encode(), BAD, kind)
    if kind == "empty":
        return Line(draw(st.sampled_from([b"", b" ", b"\t", b"  \t "])), BAD, kind)
    if kind == "invalid utf-8":
        raw = draw(
            st.sampled_from(
                [b"\xff\xfe caf\xe9", b'{"symbol": "\xc3"}', b"\xc0\xaf", b"\xed\xa0\x80", b"\x80"]
            )
        )
        return Line(raw, BAD, kind)  # the whole file is skipped: see expectations()

    record = draw(valid_trade(day))
    label = GOOD
    if kind == "wrong field":
        name = draw(st.sampled_from([*REQUIRED_TEXT, *OPTIONAL_TEXT, *NUMBERS, *OTHER_TEXT, "x"]))
        kind = f"wrong {name}"
        if name in REQUIRED_TEXT:
            value = draw(st.sampled_from(["missing", None, *WRONG_TYPES]))
            value = {
                "timestamp": draw(st.sampled_from([value, *BAD_TIMES, "far"])),
                "symbol": draw(st.sampled_from([value, "", "   ", "\t"])),
                "outcome": draw(st.sampled_from([value, *BAD_OUTCOMES])),
            }[name]
            if value == "missing":
                del record[name]
            elif value == "far":  # a year typo: more than 31 days from the file's date
                record[name] = record[name].replace(f"{day.year:04d}-", f"{day.year - 1:04d}-", 1)
                record.pop("exit_timestamp", None)  # a trade closed today may be a year old
            else:
                record[name] = value
        elif name in OPTIONAL_TEXT:
            record[name] = draw(st.sampled_from(WRONG_TYPES))
        elif name in NUMBERS:
            record[name] = draw(st.sampled_from(NOT_NUMBERS))
        elif name in OTHER_TEXT:  # fields sitegen does not read: any value may pass
            record[name] = draw(st.sampled_from(WRONG_TYPES))
            label = EITHER
        else:  # exit time or order id
            which = draw(st.sampled_from(["exit_timestamp", "order_id"]))
            kind = f"wrong {which}"
            if which == "exit_timestamp":
                record["outcome"] = "win"
                record[which] = draw(st.sampled_from([*WRONG_TYPES[:2], *BAD_TIMES]))
            else:
                record[which] = draw(st.sampled_from([1.5, True, [], {"Zq7": 1}]))
        label = BAD if label == GOOD else label
    elif kind == "deep":
        shape = draw(st.sampled_from(["list", "object", "top", "in a string"]))
        depth = draw(st.sampled_from([MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 1000]))
        kind = f"deep {shape} {depth}"
        if shape == "list":  # the record is one level: depth + 1 in all
            record["deep"] = Raw("[" * depth + "]" * depth)
            label = GOOD if depth + 1 <= MAX_DEPTH else BAD
        elif shape == "object":
            record["deep"] = Raw('{"a":' * depth + "1" + "}" * depth)
            label = GOOD if depth + 1 <= MAX_DEPTH and fields(record) + depth <= MAX_FIELDS else BAD
        elif shape == "top":
            return Line(("[" * depth + "]" * depth).encode(), BAD, kind)
        else:
            record["symbol"] = TOKEN + "[{" * depth
    elif kind == "fields":
        total = draw(st.sampled_from([MAX_FIELDS, MAX_FIELDS + 1, 1000]))
        have = fields(record)
        for i in range(max(0, total - have)):
            record[f"f{i}"] = i
        label = GOOD if fields(record) <= MAX_FIELDS else BAD
        kind = f"fields {fields(record)}"
    elif kind in ("cut", "two", "surrogate"):
        whole = encode(record, ascii_only)
        if kind == "cut":
            whole = whole[: draw(st.integers(1, len(whole) - 1))]
        elif kind == "two":
            whole = whole + " " + whole
        else:
            whole = whole[:-1] + ', "symbol2": "\\ud800"}'
        return Line(whole.encode(), BAD, kind)
    elif kind == "long":  # around the line length limit, the bulk in an ignored field
        record["padding"] = ""
        size = len(encode(record, ascii_only).encode())
        over = draw(st.sampled_from([-100, 100]))
        record["padding"] = "x" * (MAX_LINE_BYTES - size + over)
        label = GOOD if over < 0 else BAD
        kind = f"long {over:+}"
    raw = encode(record, ascii_only).encode()
    if label == GOOD and day.year in (1, 9999):
        label = EITHER  # a time near the ends of the calendar may be out of range
    if label == GOOD and len(raw) > MAX_LINE_BYTES - 2:  # a CRLF ending counts too
        label = BAD if len(raw) > MAX_LINE_BYTES else EITHER
    return Line(raw, label, kind)


@st.composite
def log_file(draw, day: dt.date, crowded: bool = False) -> list[Line]:
    lines = draw(st.lists(log_line(day), max_size=10))
    if crowded:  # more bad lines than a file's reports keep (the count stays exact)
        filler = st.sampled_from(CROWD).map(lambda raw: Line(raw, BAD, "crowd"))
        lines = draw(st.permutations(lines + draw(st.lists(filler, min_size=101, max_size=110))))
    style = draw(st.sampled_from(["lf", "lf", "crlf", "cr", "mixed"]))
    for i, line in enumerate(lines):
        line.end = {"lf": b"\n", "crlf": b"\r\n", "cr": b"\r"}.get(style) or draw(
            st.sampled_from([b"\n", b"\r\n", b"\r"])
        )
        if i and line.raw == b"" and lines[i - 1].end == b"\r":
            lines[i - 1].end = b"\n"  # CR then an empty LF line would be one CRLF ending
    if lines and lines[-1].raw and draw(st.integers(0, 3)) == 0:
        lines[-1].end = b""  # a write in progress
    return lines


@dataclass
class Folder:
    """What an example writes into its logs folder."""

    logs: dict[str, tuple[dt.date, list[Line], bool]]  # name -> (date, lines, BOM)
    linked: str | None  # LINKED points at this log
    not_files: list[str]  # kinds of NOT_FILES
    near_misses: list[str]
    timezone: str


@st.composite
def folders(draw) -> Folder:
    days = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True))
    days += draw(st.lists(st.sampled_from(FAR_DAYS), max_size=1))
    crowded = draw(st.sampled_from([None] * 4 + days))  # one file at most: see the test
    logs = {
        f"{day}.jsonl": (
            dt.date.fromisoformat(day),
            draw(log_file(dt.date.fromisoformat(day), crowded=day == crowded)),
            draw(st.integers(0, 4)) == 0,
        )
        for day in days
    }
    near = [name for name in logs if name[:10] in DAYS and name[:10] != crowded]
    return Folder(
        logs=logs,
        linked=draw(st.sampled_from([None, None, *near])),
        not_files=draw(st.lists(st.sampled_from(sorted(NOT_FILES)), max_size=2, unique=True)),
        near_misses=draw(st.lists(st.sampled_from(NEAR_MISSES), max_size=2, unique=True)),
        timezone=draw(st.sampled_from(["UTC", "America/New_York", "Asia/Tokyo"])),
    )


def write_folder(folder: Folder, logs: Path) -> None:
    logs.mkdir(parents=True)
    for name, (_, lines, bom) in folder.logs.items():
        data = b"".join(line.raw + line.end for line in lines)
        (logs / name).write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    if folder.linked:
        (logs / LINKED).symlink_to(folder.linked)
    for kind in folder.not_files:
        path = logs / NOT_FILES[kind]
        if kind == "directory":
            path.mkdir()
            (path / "2025-10-06.jsonl").write_text('{"inside": "a folder"}\n')
        elif kind == "self-loop":
            path.symlink_to(path.name)
        elif kind == "loop":
            path.symlink_to("2025-10-10.jsonl")
            (logs / "2025-10-10.jsonl").symlink_to(path.name)
        elif kind == "dangling":
            path.symlink_to("nowhere.jsonl")
        elif kind == "link-to-folder":
            path.symlink_to(".")
        else:
            os.mkfifo(path)
    good = encode({"timestamp": "2025-10-06T12:00:00Z", "symbol": "Zq7", "outcome": "win"})
    for name in folder.near_misses:  # read as a log, each would count a trade and a bad line
        (logs / name).write_text(good + "\nnot json\n")


# --------------------------------------------------------------------------- expectations


@dataclass
class Expected:
    """What the build must report of one log file."""

    name: str
    day: dt.date
    lines: list[Line]  # its complete lines
    in_progress: int | None  # the number of its last line, when that has no newline
    invalid_utf8: int | None = None  # the first line that is not UTF-8: the file is skipped
    reported: set[int] = field(default_factory=set)


def expectations(folder: Folder) -> list[Expected]:
    found = []
    for name, (day, lines, _) in folder.logs.items():
        complete = [line for line in lines if line.end]
        broken = [n for n, line in enumerate(complete, 1) if not is_utf8(line.raw)]
        tail = len(lines) if lines and not lines[-1].end else None
        found.append(Expected(name, day, complete, tail, broken[0] if broken else None))
        if name == folder.linked:
            linked = Expected(LINKED, dt.date.fromisoformat(LINKED[:10]), complete, tail)
            linked.invalid_utf8 = found[-1].invalid_utf8
            found.append(linked)
    return found


def is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def not_file_names(folder: Folder) -> set[str]:
    names = {NOT_FILES[kind] for kind in folder.not_files}
    if "loop" in folder.not_files:
        names.add("2025-10-10.jsonl")
    return names


# --------------------------------------------------------------------------- the folder


def snapshot(logs: Path) -> dict[str, tuple]:
    """Every entry under ``logs`` (links not followed): kind and content, link target."""
    entries = {}
    for root, dirs, files in os.walk(logs):
        for name in dirs + files:
            path = Path(root, name)
            relative = path.relative_to(logs).as_posix()
            if relative == ALERT_LOG:
                continue
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                entries[relative] = ("link", os.readlink(path))
            elif stat.S_ISREG(mode):
                entries[relative] = ("file", path.read_bytes(), path.stat().st_mtime_ns)
            else:
                entries[relative] = (stat.S_IFMT(mode),)
    return entries


def output_files(artifacts: Path, site: Path) -> list[Path]:
    """Every file sitegen wrote, but its cache (the index and .sitegen-cache/)."""
    found = []
    for root in (artifacts, site):
        for path in root.rglob("*"):
            relative = path.relative_to(root)
            cache = ".sitegen-cache" in relative.parts or relative.name == "performance-index.json"
            if path.is_file() and not cache:
                found.append(path)
    return found


# --------------------------------------------------------------------------- markup

_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: elements a Markdown renderer makes from markup; none may hold text from a log
_MARKUP = frozenset(
    {"a", "img", "script", "em", "strong", "b", "i", "del", "s", "sup", "abbr", "iframe"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "style", "object"}
)


def has_token(text: str | None) -> bool:
    return TOKEN.lower() in (text or "").lower()


def no_tags_from_the_logs(parsed: Elements, where: str) -> None:
    for tag, attrs in parsed.tags:
        assert not has_token(tag), (where, tag)
        for name, value in attrs:
            if tag == "a" and name == "href" and KEY_LINK.fullmatch(value or ""):
                continue  # no markup can be spelt in these characters
            assert not has_token(name) and not has_token(value), (where, tag, name, value)
            assert not name.startswith("on"), (where, tag, name)
    for comment in parsed.comments:
        assert not has_token(comment), (where, comment[:80])


def check_page(path: Path) -> int:
    """Checks a page; returns how many texts from the logs it shows."""
    html = path.read_text(encoding="utf-8")
    assert not _CONTROLS.search(html), (path, _CONTROLS.search(html))
    parsed = Elements(html)
    no_tags_from_the_logs(parsed, str(path))
    shown = 0
    for text, within in parsed.texts:
        if within[-1:] == ("title",) and KEY_TITLE.fullmatch(text):
            continue  # a plain key names its page: no markup, no direction in it
        if has_token(text) or _BIDI.search(text):
            # log text sits in a <bdi> of its own, never in an element it made
            assert within and within[-1] == "bdi", (path, text[:80], within)
            shown += 1
    return shown


def markdown_cells(row: str) -> int:
    """Cells of a Markdown table row: pipes not escaped by a backslash split cells."""
    count, backslashes = 0, 0
    for char in row.strip():
        if char == "|" and backslashes % 2 == 0:
            count += 1
        backslashes = backslashes + 1 if char == "\\" else 0
    return count - 1


_RENDER = markdown.Markdown(extensions=["extra"])


def check_markdown(text: str, where: str) -> None:
    assert not re.search(r"<[a-zA-Z/!?]", text), where  # no raw tag, not even in code
    assert "\r" not in text and not _CONTROLS.search(text), where
    # a newline from a value would end the line: TOKEN on both sides of each newline
    for newline in ("\n", "\r\n", "\r", "\u2028"):
        assert f"{TOKEN}{newline}{TOKEN}" not in text and f"{TOKEN}\n# {TOKEN}" not in text
    table: list[str] = []
    for line in [*text.split("\n"), ""]:
        if line.startswith("|"):
            table.append(line)
        elif table:
            assert len({markdown_cells(row) for row in table}) == 1, (where, table)
            table = []
    _RENDER.reset()
    parsed = Elements(_RENDER.convert(text))
    no_tags_from_the_logs(parsed, where)
    for content, within in parsed.texts:
        if has_token(content):
            assert not _MARKUP.intersection(within), (where, content[:80], within)


# --------------------------------------------------------------------------- the test


def cli(*args: str):
    """The command line, with the sitegen logger as it was before."""
    logger = logging.getLogger("sitegen")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    try:
        result = CliRunner().invoke(main, list(args))
    finally:
        logger.handlers[:], logger.level, logger.propagate = saved
    assert "Traceback" not in result.output, result.output[-2000:]
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@FUZZ
@given(folders())
def test_hostile_logs_build_report_stay_untouched_and_stay_inert(folder: Folder):
    with (
        tempfile.TemporaryDirectory(prefix="sitegen-fuzz-") as tmp,
        pytest.MonkeyPatch.context() as mp,
    ):
        root = Path(tmp)
        logs, artifacts, site = root / "logs", root / "art", root / "site"
        write_folder(folder, logs)
        before = snapshot(logs)
        config_file = root / "sitegen.yaml"
        config_file.write_text(f"timezone: {folder.timezone}\n")
        mp.chdir(root)  # no config/ of the working directory is read
        mp.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)
        mp.delenv("PERFORMANCE_ALERT_ROLLING_WINDOW", raising=False)

        # 1. nothing escapes, from the library or the command line
        config = sitegen.load_config(
            config_file, logs_dir=logs, site_dir=site, artifacts_dir=artifacts
        )
        report = sitegen.build(config, full=True)
        dirs = ("--config", str(config_file), "--logs", str(logs))
        dirs += ("--artifacts", str(artifacts), "--out", str(site))
        built = cli("build", *dirs, "--full", "-v")
        assert built.exit_code in (0, 2), built.output[-2000:]
        validated = cli("validate", *dirs)

        # 3. the logs folder is as it was; only the alert log may have appeared
        assert snapshot(logs) == before

        # 2. every bad line reported with file:line, every other line counted
        expected = expectations(folder)
        reasons = {(p.file, p.line): p.reason for p in report.bad_lines}
        problems = [(p.file, p.line) for p in report.bad_lines]  # the first KEPT a file
        assert len(problems) == len(set(problems))
        log_names = {e.name for e in expected} | not_file_names(folder)
        assert {name for name, _ in problems} <= log_names  # near misses are never read
        for name in not_file_names(folder):
            assert [line for file, line in problems if file == name] == [0], name
        bad_lines: dict[str, int] = {}  # of each log file, when all are reported
        for log in expected:
            log.reported = {line for file, line in problems if file == log.name}
            assert log.reported <= set(range(1, len(log.lines) + 1)), log.name
            assert len(log.reported) <= KEPT
            if log.invalid_utf8 is not None:
                assert log.reported == {log.invalid_utf8}, log.name
                bad_lines[log.name] = 1
                continue
            full = len(log.reported) < KEPT
            for number, line in enumerate(log.lines, 1):
                if line.label == GOOD or (line.label == BAD and (full or number < KEPT)):
                    assert (number in log.reported) == (line.label == BAD), (
                        log.name,
                        number,
                        line.kind,
                        line.raw[:300],
                        reasons.get((log.name, number)),
                    )
            if full:
                bad_lines[log.name] = len(log.reported)
        # the count is exact beyond the reports: it gives the crowded file's (one at most)
        crowded = [log for log in expected if log.name not in bad_lines]
        skipped = report.skipped_lines - len(not_file_names(folder)) - sum(bad_lines.values())
        if crowded:
            (log,) = crowded
            assert sum(line.label == BAD for line in log.lines) <= skipped
            assert skipped <= sum(line.label != GOOD for line in log.lines)
            bad_lines[log.name] = skipped
        else:
            assert skipped == 0
        records = sum(
            len(log.lines) - bad_lines[log.name] for log in expected if log.invalid_utf8 is None
        )

        if (artifacts / "all-summary.json").exists():
            everything = load(artifacts / "all-summary.json")
            quality = everything["data_quality"]
            assert quality["skipped_lines"] == report.skipped_lines
            listed = [(p["file"], p["line"]) for p in quality["problems"]]
            assert set(listed) <= set(problems) and len(listed) == min(len(problems), KEPT)
            assert {(p["file"], p["line"]) for p in quality["in_progress"]} == {
                (log.name, log.in_progress) for log in expected if log.in_progress
            }
            assert everything["trades_total"] + quality["superseded"] == records
        else:  # no data: no summary at all
            assert records == 0
        for log in expected:
            day = log.day.isoformat()
            summary = artifacts / f"daily-summary-{day}.json"
            if summary.exists():  # not for a file far from the rest with no valid record
                listed = {(p["file"], p["line"]) for p in load(summary)["data_quality"]["problems"]}
                assert {(log.name, n) for n in log.reported} <= listed, log.name
                page = (site / "daily" / f"{day}.html").read_text(encoding="utf-8")
                for number in log.reported:
                    assert f"{log.name}:{number}: " in page, (log.name, number)

        assert validated.exit_code == (1 if problems else 0), validated.output[-2000:]
        printed = validated.stdout.splitlines()
        for name, number in problems:  # validate lists up to 200: all of these
            prefix = f"{name}:{number}: " if number else f"{name}: "
            assert any(line.startswith(prefix) for line in printed), (name, number)
        lines = sum(len(log.lines) for log in expected)
        assert printed[-1] == ", ".join(
            f"{n:,} {what}{'' if n == 1 else 's'}"
            for n, what in (
                (len(log_names), "file"),
                (lines, "line"),
                (records, "valid record"),
                (report.skipped_lines, "bad line"),
            )
        )

        # 4. no markup from a log value on a page or in a Markdown artifact
        outputs = output_files(artifacts, site)
        pages = [path for path in outputs if path.suffix == ".html"]
        assert site / "index.html" in pages
        shown = sum(check_page(page) for page in pages)
        assert shown or not records  # the checks saw log text wherever there was some
        seen = set()
        for document in (path for path in outputs if path.suffix == ".md"):
            text = document.read_text(encoding="utf-8")
            digest = hashlib.sha256(text.encode()).digest()
            if digest not in seen:  # the site's copy of an artifact is the same text
                seen.add(digest)
                check_markdown(text, str(document))

        # 5. output in proportion to the input: periods only near the logs' dates
        days = [dt.date.fromisoformat(p.stem) for p in pages if p.parent.name == "daily"]
        for day in days:  # trades are written within a day of their file, exits 3 later
            assert any(-5 <= (day - log.day).days <= 5 for log in expected), day
        for window in ("weekly", "monthly"):
            for page in (p for p in pages if p.parent.name == window):
                assert any(period_id(window, day) == page.stem for day in days), page
        periods = sum(1 for p in pages if p.parent.name in ("daily", "weekly", "monthly"))
        size_in = sum((logs / log.name).stat().st_size for log in expected)
        size_out = sum(path.stat().st_size for path in outputs)
        assert size_out <= size_bound(size_in, lines, periods), (size_out, size_in, periods)


def period_id(window: str, day: dt.date) -> str:
    if window == "weekly":
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return f"{day.year:04d}-{day.month:02d}"


def test_the_size_bound_catches_a_long_value_copied_into_every_page(tmp_path, monkeypatch):
    """The bound is a real one: were values no longer cut to 200 characters on pages
    and in Markdown, one long symbol would break it."""
    import sitegen.export
    import sitegen.site.text

    monkeypatch.chdir(tmp_path)
    logs = tmp_path / "logs"
    record = {"timestamp": "2025-10-06T14:00:00Z", "symbol": TOKEN * 50_000, "outcome": "win"}
    logs.mkdir()
    (logs / "2025-10-06.jsonl").write_text(json.dumps(record) + "\n")
    size_in = (logs / "2025-10-06.jsonl").stat().st_size

    def built(name: str) -> tuple[int, int]:
        root = tmp_path / name
        config = sitegen.load_config(
            logs_dir=logs, site_dir=root / "site", artifacts_dir=root / "art"
        )
        sitegen.build(config, full=True)
        outputs = output_files(root / "art", root / "site")
        periods = sum(1 for p in outputs if p.parent.name in ("daily", "weekly", "monthly"))
        return sum(path.stat().st_size for path in outputs), periods

    size, periods = built("cut")
    assert periods == 3 and size <= size_bound(size_in, 1, periods)
    monkeypatch.setattr(sitegen.export, "SHOWN_CHARS", 10**9)
    monkeypatch.setattr(sitegen.site.text, "SHOWN_CHARS", 10**9)
    size, periods = built("whole")
    assert periods == 3 and size > size_bound(size_in, 1, periods)
