"""A corpus of hostile trade logs: every bad line is reported with file:line (by
``sitegen validate`` and in each day's ``data_quality``), nothing crashes, and nothing
from the logs escapes into markup, Markdown table structure or output file names.

The line decoder itself is fuzzed with hypothesis in tests/test_ingest.py
(test_fuzz_scan_bytes_never_raises_and_accounts_for_every_line and
test_fuzz_json_lines_each_line_is_a_record_or_a_problem); this file checks the whole
pipeline, from logs to pages, on one corpus.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen.cli import main
from sitegen.config import load_config
from sitegen.ingest import MAX_DAYS_FROM_FILE
from sitegen.pipeline import build
from sitegen.site.paths import KEY_NAME

MB = 1024 * 1024
FINITE = "(must be a finite decimal below 10^15 with at most 18 decimal places)"
LAX_TARGETS = (
    "win_rate_target: 0\n"
    "daily_pl_target: -1000000\n"
    "trades_per_day_target: 0\n"
    "max_drawdown_target: -100000000\n"
    "avg_risk_reward_target: 0\n"
)

# Text that would be markup, Markdown structure or a path if it were not escaped.
XSS_SYMBOL = '<script>alert("sym")</script>'
XSS_STRATEGY = "<img src=x onerror=alert(1)>"
XSS_REASON = '</td></tr><script>alert("why")</script><!--'
MD_SYMBOL = "A|B`|`C"
MD_STRATEGY = "pipe | tick ` back\\slash | end"
NEWLINE_SYMBOL = "NL\nSYM\r\nX"
PATH_SYMBOL = "../../etc/passwd"
PATH_STRATEGY = "..\\..\\windows\\system32"
MARKERS = ("<script", "<img", "</td></tr><script>", "<b>bold")  # raw, never escaped
#: the one script a page has: the table sorter of the theme, inline
SORTER = (Path(__file__).resolve().parent.parent / "templates" / "base.html").read_text(
    encoding="utf-8"
)
SORTER = SORTER[SORTER.index("<script>") : SORTER.index("</script>") + len("</script>")]


def rec(day: str, time: str = "14:00:00Z", **fields) -> bytes:
    """One JSON trade line on ``day`` (a win of 1.00 unless told otherwise)."""
    record = {
        "timestamp": f"{day}T{time}",
        "symbol": "AAPL",
        "outcome": "win",
        "net_profit_loss": "1.00",
        **fields,
    }
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def good(day: str, **fields) -> tuple[bytes, None]:
    return rec(day, **fields), None


D6, D7, D8, D9, D10 = (f"2025-10-{n:02d}" for n in (6, 7, 8, 9, 10))
T6 = f'"timestamp":"{D6}T14:00:00Z","symbol":"A","outcome":"win"'

# 2025-10-06.jsonl, line by line: (raw line, a fragment of the reason it is skipped
# for, or None when the line is a valid record).
MAIN: list[tuple[bytes, str | None]] = [
    good(
        D6,
        symbol=XSS_SYMBOL,
        strategy_name=XSS_STRATEGY,
        decision_reasoning=XSS_REASON,
        exit_reasoning="--> <b>bold</b>",
    ),
    good(D6, symbol=MD_SYMBOL, strategy_name=MD_STRATEGY, net_profit_loss="-2.00", outcome="loss"),
    good(D6, symbol=NEWLINE_SYMBOL, strategy_name="line\nbreak\rcarriage"),
    good(D6, symbol=PATH_SYMBOL, strategy_name=PATH_STRATEGY, order_id="../../etc/shadow"),
    good(D6, symbol="NUL\u0000BYTE\u202eRTL", strategy_name="\u0007bell"),
    good(D6, symbol="S" * 2000),
    (b"not json at all", "not JSON (JSON is malformed"),
    (b"[1, 2, 3]", "not a JSON object (got `array`)"),
    (b'"just a string"', "not a JSON object (got `str`)"),
    (b"null", "not a JSON object (got `null`)"),
    (b"[" * 100_000, "not a JSON object (got `array`)"),
    (b"", "not JSON: empty line"),
    (rec(D6)[:-1], "not JSON (Input data was truncated)"),
    (rec(D6) + b" " + rec(D6), "not JSON (JSON is malformed: trailing characters"),
    (rec(D6, symbol=42), "Expected `str`, got `int` - at `$.symbol`"),
    (rec(D6, timestamp=5), "Expected `str`, got `int` - at `$.timestamp`"),
    (b'{"symbol":"A","outcome":"win"}', "Object missing required field `timestamp`"),
    (rec(D6).replace(b'"symbol": "AAPL", ', b""), "missing required field `symbol`"),
    (rec(D6).replace(b'"outcome": "win", ', b""), "missing required field `outcome`"),
    (rec(D6, price=True), "Expected `decimal | null`, got `bool` - at `$.price`"),
    (rec(D6, quantity="abc"), "Invalid decimal string - at `$.quantity`"),
    (rec(D6, order_id=1.5), "Expected `int | str | null`, got `float` - at `$.order_id`"),
    (b"{" + T6.encode() + b',"net_profit_loss":NaN}', "not JSON (JSON is malformed"),
    (b"{" + T6.encode() + b',"profit_loss":-Infinity}', "not JSON (JSON is malformed"),
    (rec(D6, net_profit_loss="NaN"), f"invalid value for net_profit_loss: NaN {FINITE}"),
    (rec(D6, profit_loss="Infinity"), f"invalid value for profit_loss: Infinity {FINITE}"),
    (b"{" + T6.encode() + b',"quantity":1e400}', f"invalid value for quantity: 1E+400 {FINITE}"),
    (rec(D6, price="1e-30"), f"invalid value for price: 1E-30 {FINITE}"),
    (b"{" + T6.encode() + b',"commission":1e-999999}', "invalid value for commission: 1E-999999"),
    (b"{" + T6.encode() + b',"price":' + b"9" * 400 + b"}", "invalid value for price: 99999"),
    (
        rec(D6, net_profit_loss="1" + "0" * 15),
        "invalid value for net_profit_loss: 1000000000000000",
    ),
    (rec(D6, outcome="moon"), "invalid outcome 'moon' (expected win, loss, breakeven or open)"),
    (rec(D6, outcome=XSS_SYMBOL), "invalid outcome '<script>alert(\"sym\")</script>'"),
    (rec(D6, symbol="   "), "empty symbol"),
    (b"{" + T6.replace('"A"', '"A\\ud800"').encode() + b"}", "not JSON (JSON is malformed"),
    (rec(D6, timestamp="2025-13-45T99:00:00"), "invalid timestamp '2025-13-45T99:00:00'"),
    (rec(D6, timestamp="yesterday"), "invalid timestamp 'yesterday' (expected ISO 8601)"),
    (
        rec(D6, timestamp="2026-01-01T10:00:00Z"),
        f"timestamp '2026-01-01T10:00:00Z' is 87 days after the file's date {D6} "
        f"(more than {MAX_DAYS_FROM_FILE}); check the year",
    ),
    (
        rec(D6, timestamp="2024-10-06T10:00:00"),  # no offset: UTC
        f"timestamp '2024-10-06T10:00:00' is 365 days before the file's date {D6}",
    ),
    (
        rec(D6, outcome="loss", exit_timestamp="2025-12-25T10:00:00Z"),
        "exit_timestamp '2025-12-25T10:00:00Z' is 80 days after the file's date",
    ),
    good(D6, time="23:59:59.999999+00:00", exit_timestamp="2025-10-20T15:00:00Z"),  # 14 days on
    # 10 MB lines: over the length limit, each one bad line with a short reason; and a
    # good one near the limit with a huge ignored field
    (rec(D6, timestamp="9" * (10 * MB)), "bytes long (the limit is 1,048,576); not read"),
    (rec(D6, padding="x" * (10 * MB)), "bytes long (the limit is 1,048,576); not read"),
    good(D6, padding="x" * (MB - 1000)),
]

# 2025-10-09.jsonl (BOM, CRLF): R needs a stop, a price ≠ stop and quantity > 0.
R_TRADES = [
    rec(D9, quantity=10, price="100", stop_loss="99", net_profit_loss="20"),  # R = 2
    rec(D9, quantity=10, price="100", stop_loss="98", net_profit_loss="-20", outcome="loss"),
    rec(D9, quantity=0, price="100", stop_loss="99", net_profit_loss="5"),
    rec(D9, quantity=-5, price="100", stop_loss="99", net_profit_loss="-5", outcome="loss"),
    rec(D9, quantity=10, price="100", net_profit_loss="1"),  # no stop at all
]

# 2025-10-10.jsonl: one order written twice, times without offset or far east, and a
# last line still being written.
IDENTITY = [
    rec(D10, time="09:00:00", order_id="dup-1", outcome="open", net_profit_loss=None),
    rec(
        D10,
        time="09:00:00",
        order_id="dup-1",
        exit_timestamp=f"{D10}T10:00:00",
        net_profit_loss="7.00",
    ),
    rec("2025-10-11", time="01:00:00+14:00", net_profit_loss="3.00"),  # 10-10 11:00 UTC
    rec(D10, order_id="../../etc/passwd"),
]
IN_PROGRESS = rec(D10)[:25]


@dataclass(frozen=True)
class Corpus:
    root: Path
    logs: Path
    bad: dict[tuple[str, int], str]  # (file, line) -> reason fragment
    lines: int
    records: int


def write_corpus(root: Path) -> Corpus:
    logs = root / "logs"
    logs.mkdir(parents=True)
    bad: dict[tuple[str, int], str] = {}
    name = f"{D6}.jsonl"
    (logs / name).write_bytes(b"".join(line + b"\n" for line, _ in MAIN))
    for number, (_, reason) in enumerate(MAIN, 1):
        if reason is not None:
            bad[(name, number)] = reason
    # not UTF-8: the whole file is skipped, reported at the first bad byte
    (logs / f"{D7}.jsonl").write_bytes(rec(D7) + b"\n" + b"\xff\xfe caf\xe9\n")
    bad[(f"{D7}.jsonl", 2)] = "file is not valid UTF-8 (byte 0xff); whole file skipped"
    (logs / f"{D8}.jsonl").write_bytes(b"")
    (logs / f"{D9}.jsonl").write_bytes(b"\xef\xbb\xbf" + b"".join(r + b"\r\n" for r in R_TRADES))
    (logs / f"{D10}.jsonl").write_bytes(b"".join(r + b"\n" for r in IDENTITY) + IN_PROGRESS)
    lines = len(MAIN) + 2 + len(R_TRADES) + len(IDENTITY)
    records = sum(reason is None for _, reason in MAIN) + len(R_TRADES) + len(IDENTITY)
    return Corpus(root, logs, bad, lines, records)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Corpus:
    return write_corpus(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def built(corpus):
    """One build (artifacts validated against the schema, and the site) of the corpus."""
    (corpus.root / "lax.yaml").write_text(LAX_TARGETS)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(corpus.root)
        mp.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)
        mp.delenv("PERFORMANCE_ALERT_ROLLING_WINDOW", raising=False)
        config = load_config(logs_dir="logs", site_dir="site", targets_file="lax.yaml")
        report = build(config, validate=True)
    return report, corpus.root / "logs" / "performance", corpus.root / "site"


@pytest.fixture
def restore_logger():
    logger = logging.getLogger("sitegen")
    saved = (list(logger.handlers), logger.level)
    yield
    logger.handlers[:], logger.level = saved


def summary(artifacts: Path, name: str) -> dict:
    return json.loads((artifacts / f"{name}.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- reported


def test_validate_reports_every_bad_line_with_file_line_and_reason(corpus, restore_logger):
    result = CliRunner().invoke(main, ["validate", "--logs", str(corpus.logs)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    printed = result.stdout.splitlines()
    for (name, number), reason in corpus.bad.items():
        lines = [line for line in printed if line.startswith(f"{name}:{number}: ")]
        assert len(lines) == 1, (name, number)
        assert reason in lines[0], (lines[0][:200], reason)
        assert len(lines[0]) < 400  # a 10 MB line gives a short reason
    assert (
        f"{D10}.jsonl:{len(IDENTITY) + 1}: last line has no newline (a write in progress; "
        "not counted yet)" in printed
    )
    assert printed[-1] == (
        f"5 files, {corpus.lines} lines, {corpus.records} valid records, "
        f"{len(corpus.bad)} bad lines"
    )


def test_build_reports_every_bad_line_and_never_crashes(corpus, built):
    report, artifacts, _ = built
    reported = {(p.file, p.line): p.reason for p in report.bad_lines}
    assert reported.keys() == corpus.bad.keys()
    for key, reason in corpus.bad.items():
        assert reason in reported[key], (key, reported[key][:200])
    # ... and each day's data_quality lists its own file's bad lines
    for day in (D6, D7):
        dq = summary(artifacts, f"daily-summary-{day}")["data_quality"]
        listed = {(p["file"], p["line"]): p["reason"] for p in dq["problems"]}
        expected = {key: r for key, r in corpus.bad.items() if key[0] == f"{day}.jsonl"}
        assert listed.keys() == expected.keys()
        assert dq["skipped_lines"] == len(expected)
        assert all(reason in listed[key] for key, reason in expected.items())
    everything = summary(artifacts, "all-summary")
    assert everything["data_quality"]["skipped_lines"] == len(corpus.bad)
    assert everything["partial"] is True


def test_cli_build_on_the_corpus_prints_file_line_and_exits_cleanly(corpus, restore_logger):
    out = corpus.root / "cli"
    result = CliRunner().invoke(
        main,
        [
            "build",
            "-v",
            "--logs",
            str(corpus.logs),
            "--artifacts",
            str(out / "a"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"skipped {D6}.jsonl:7: not JSON" in result.stderr
    assert "Traceback" not in result.output


def test_the_non_utf8_and_empty_files_count_nothing(built):
    _, artifacts, _ = built
    for day in (D7, D8):
        day_summary = summary(artifacts, f"daily-summary-{day}")
        assert day_summary["trades_total"] == 0
        assert day_summary["note"] == "No trades in window"


def test_zero_or_negative_quantity_is_accepted_but_has_no_r(built):
    _, artifacts, _ = built
    day = summary(artifacts, f"daily-summary-{D9}")  # the BOM + CRLF file
    assert day["data_quality"]["skipped_lines"] == 0
    assert (day["trades_closed"], day["r_trades"], day["no_stop_trades"]) == (5, 2, 3)
    assert day["avg_r_multiple"] == "0.500000"  # (2 + -1) / 2


def test_duplicate_order_ids_count_once_and_times_without_offset_are_utc(built):
    _, artifacts, _ = built
    day = summary(artifacts, f"daily-summary-{D10}")
    assert day["trades_total"] == 3  # dup-1 once (closed), the +14:00 one, the path-like id
    assert day["trades_open"] == 0 and day["net_pnl"] == "11.00"
    assert day["data_quality"]["superseded"] == 1
    assert day["data_quality"]["in_progress"] == [
        {"file": f"{D10}.jsonl", "line": len(IDENTITY) + 1}
    ]


def test_a_trade_within_the_31_days_lands_on_its_own_day(built):
    _, artifacts, _ = built
    assert summary(artifacts, "daily-summary-2025-10-20")["trades_total"] == 1


# --------------------------------------------------------------------------- escaped


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_comment(self, data):
        self.comments.append(data)


def test_no_markup_from_the_logs_reaches_any_page(built):
    _, _, site = built
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert text.count(SORTER) == 1, page  # the theme's sorter, as written
        text = text.replace(SORTER, "")
        for marker in MARKERS:
            assert marker not in text, (page, marker)
        parser = _Tags()
        parser.feed(text)
        parser.close()
        assert [tag for tag, _ in parser.tags if tag in ("script", "iframe", "object")] == []
        handlers = [(t, a) for t, attrs in parser.tags for a, _ in attrs if a.startswith("on")]
        assert handlers == [], page
        assert not any("alert" in c for c in parser.comments), page
    daily = (site / "daily" / f"{D6}.html").read_text(encoding="utf-8")
    # it is all there, as text
    assert "&lt;script&gt;alert(&#34;sym&#34;)&lt;/script&gt;" in daily
    assert "&lt;img src=x onerror=alert(1)&gt;" in daily
    assert "../../etc/passwd" in daily
    assert "invalid outcome &#39;&lt;script&gt;" in daily  # a reason quoting the line


def _cells(row: str) -> int:
    """Cells of a Markdown table row: pipes not escaped by a backslash split cells."""
    count, backslashes = 0, 0
    for char in row.strip():
        if char == "|" and backslashes % 2 == 0:
            count += 1
        backslashes = backslashes + 1 if char == "\\" else 0
    return count - 1


def test_markdown_tables_keep_their_column_count(built):
    _, artifacts, _ = built
    documents = sorted(artifacts.glob("*.md"))
    assert documents
    seen_symbol = False
    for document in documents:
        text = document.read_text(encoding="utf-8")
        assert "<script" not in text and "<img" not in text, document
        table: list[str] = []
        for line in [*text.split("\n"), ""]:
            if line.startswith("|"):
                table.append(line)
                continue
            if table:
                widths = {_cells(row) for row in table}
                assert len(widths) == 1, (document.name, table)
                assert re.fullmatch(r"\|(---\|)+", table[1]), table[1]
                table = []
        seen_symbol |= "A\\|B\\`\\|\\`C" in text
    assert seen_symbol  # the Markdown symbol is in a by-symbol table, escaped
    day = (artifacts / f"daily-summary-{D6}.md").read_text(encoding="utf-8")
    assert "NL SYM X" in day  # newlines inside a cell became spaces


_ARTIFACT = (
    r"(daily-summary-\d{4}-\d{2}-\d{2}|weekly-summary-\d{4}-W\d{2}"
    r"|monthly-summary-\d{4}-\d{2}|all-summary)\.(json|md)"
)
ARTIFACT_NAMES = re.compile(
    rf"{_ARTIFACT}|performance-index\.json|\.sitegen\.lock"
    r"|\.sitegen-cache/(templates/__jinja2_[0-9a-f]+\.cache|index-head\.json"
    r"|rows/\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.rows|keys/(symbol|strategy)-[0-9a-f]{32}\.rows)"
)
SITE_NAMES = re.compile(
    r"(index|alerts|archive|compare|definitions)\.html"
    r"|daily/\d{4}-\d{2}-\d{2}\.html|weekly/\d{4}-W\d{2}\.html|monthly/\d{4}-\d{2}\.html"
    rf"|data/{_ARTIFACT}|assets/[a-z0-9-]+\.(css|svg|png|ico|js)"
    rf"|(symbols|strategies)/{KEY_NAME.pattern}"
)


def test_output_file_names_come_only_from_dates_window_ids_and_plain_or_digested_keys(built):
    _, artifacts, site = built
    for root, names in ((artifacts, ARTIFACT_NAMES), (site, SITE_NAMES)):
        files = [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()]
        assert files
        for name in files:
            assert names.fullmatch(name), name
    assert not list(artifacts.parent.parent.glob("etc*"))
    assert (site / "daily" / f"{D6}.html").is_file()
