"""Text from the logs is inert wherever sitegen shows it.

Markdown: every artifact is rendered with two renderers (Python-Markdown with its
"extra" extensions, and markdown-it in CommonMark mode with GitHub's tables and
strikethrough); no tag, attribute or table cell may come from a log value, and each
value reads back as the text it was. Log values carry the marker ``zz9``, so any
markup they made shows up as a tag or attribute naming it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

import sitegen
from sitegen.export import SHOWN_CHARS, md_text, summary_markdown
from tests.conftest import KEY_LINK, KEY_TITLE, Elements

MARK = "zz9"

# Each would be markup, Markdown structure or a link in some renderer if it were copied.
HOSTILE = (
    "[zz9](javascript:alert(1))",
    "![zz9](http://x.example/zz9.png)",
    "[zz9][1]",
    "[zz9]: http://zz9.example",
    "[^zz9]",
    "<zz9>",
    '<a href="http://zz9.example">zz9</a>',
    "</td><zz9 onclick=alert(1)>",
    "<!-- zz9 -->",
    "<http://zz9.example>",
    "http://zz9.example/x",
    "https://zz9.example",
    "www.zz9.example",
    "WWW.zz9.example",
    "mail zz9@zz9.example now",
    "zz9@@zz9.example",
    "*zz9*",
    "_zz9_",
    "**zz9**",
    "__zz9__",
    "snake_zz9_case",
    "~zz9~",
    "~~zz9~~",
    "`zz9`",
    "``zz9``",
    "`@zz9@`",
    "\\`zz9\\`",
    "zz9|zz9|zz9",
    "zz9\\|zz9",
    "zz9\nzz9",
    "zz9\r\n| a | b |",
    "zz9\r|x",
    "# zz9",
    "- zz9",
    "+ zz9",
    "* zz9",
    "12. zz9",
    "3) zz9",
    "> zz9",
    "    zz9",
    "\tzz9",
    "zz9  ",
    "---",
    "===",
    "zz9\\",
    "\\",
    "&lt;zz9&gt;",
    "&#60;zz9&#62;",
    "&amp;",
    "{: .zz9 onclick=x}",
    "zz9{: #zz9}",
    "*[zz9]: abbr",
    ": zz9",
    "\x00zz9\x1b[2J\x07\x7f\x85",
    "\u202ezz9\u202c\u2066zz9\u2069",
    "zz9\u2028zz9\u2029zz9",
    "zz9" * 100,
)

_PY_MARKDOWN = markdown.Markdown(extensions=["extra"])
_MARKDOWN_IT = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def py_markdown(text: str) -> str:
    _PY_MARKDOWN.reset()
    return _PY_MARKDOWN.convert(text)


def markdown_it(text: str) -> str:
    return _MARKDOWN_IT.render(text)


RENDERERS = (py_markdown, markdown_it)


class Parsed(HTMLParser):
    """The tags of a rendered document, the text of each table cell and list item, and
    the text inside each ``<code>``."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.cells: list[str] = []  # td and li texts
        self.rows: list[tuple[int, int]] = []  # (header cells, cells) per body row
        self.code: list[str] = []
        self.text: list[str] = []
        self._open: list[str] = []
        self._text: list[str] | None = None
        self._header = 0
        self._row = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self._open.append(tag)
        if tag in ("td", "li"):
            self._text = []
        if tag == "code":
            self.code.append("")
        if tag == "tr":
            self._row = 0
        if tag in ("td", "th"):
            self._row += 1

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()
        if tag in ("td", "li") and self._text is not None:
            self.cells.append("".join(self._text))
            self._text = None
        if tag == "tr":
            if "thead" in self._open:
                self._header = self._row
            else:
                self.rows.append((self._header, self._row))

    def handle_data(self, data):
        self.text.append(data)
        if self._text is not None:
            self._text.append(data)
        if self._open and self._open[-1] == "code":
            self.code[-1] += data


def shown(value: str) -> str:
    """How a log value reads once rendered: on one line, control characters as U+FFFD,
    cut to SHOWN_CHARS with its length."""
    text = value.replace("\r\n", "\n")
    text, more = (
        (text, "")
        if len(text) <= SHOWN_CHARS
        else (
            text[:SHOWN_CHARS],
            f"… ({len(text):,} characters)",
        )
    )
    out = []
    for char in text:
        bidi = 0x202A <= ord(char) <= 0x202E or 0x2066 <= ord(char) <= 0x2069
        if char in "\t\n\r\u2028\u2029":
            out.append(" ")
        elif unicodedata.category(char) == "Cc" or bidi:
            out.append("\ufffd")
        else:
            out.append(char)
    return "".join(out) + more


def assert_inert(html: str, *, allowed: frozenset[str]) -> Parsed:
    """No tag beyond ``allowed``, no attribute at all, a code span only for the ``@``
    of an address, and every body row as wide as its header."""
    parsed = Parsed(html)
    for tag, attrs in parsed.tags:
        assert tag in allowed, (tag, html)
        assert attrs == [], (tag, attrs, html)
    for code in parsed.code:
        assert re.fullmatch("@+", code), (code, html)
    for header, cells in parsed.rows:
        assert cells == header, html
    return parsed


SNIPPET = frozenset({"p", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "code"})


def snippet(text: str) -> str:
    """A log value where the artifacts put one: a table cell, first and last in a list
    item, and inside a sentence."""
    return f"| Key |\n|---|\n| {text} |\n\n- {text}\n- file:1: {text}\n\nA {text} b\n"


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("render", RENDERERS, ids=lambda r: r.__name__)
def test_md_text_is_inert_and_reads_as_the_value(value, render):
    parsed = assert_inert(render(snippet(md_text(value))), allowed=SNIPPET)
    expected = shown(value).strip()
    # leading spaces are kept after other text (a table cell and a list item trim them)
    assert [cell.strip() for cell in parsed.cells] == [
        expected,
        expected,
        f"file:1: {shown(value)}".rstrip(),
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.sampled_from(
            list("[]()<>*_`!\\|~#+-.:/@{}&;=^$\"' \t\n\r\x00\u202e\u2069") + list("zw9aA")
        ),
        max_size=40,
    )
    | st.text(max_size=30)
)
def test_md_text_of_any_text_is_inert_in_both_renderers(value):
    for render in RENDERERS:
        parsed = assert_inert(render(snippet(md_text(value))), allowed=SNIPPET)
        assert parsed.cells[0].strip() == shown(value).strip()


def test_ordinary_names_are_unchanged():
    for name in ("NVDA", "BRK B", "bull-flag-breakout", "BUY", "Société Générale", "2025-10-09"):
        assert md_text(name) == name


def test_a_long_value_is_cut_with_its_length():
    assert md_text("x" * SHOWN_CHARS) == "x" * SHOWN_CHARS
    assert md_text("<" * 50_000) == "&lt;" * SHOWN_CHARS + "… (50,000 characters)"


# --- the artifacts of a build ---------------------------------------------------------


def hostile_logs(logs: Path) -> None:
    """Two days of trades whose every text field carries a hostile value, a bad line
    quoting markup, and a closed trade without P&L (its order id is listed)."""
    logs.mkdir(parents=True)
    texts = [value for value in HOSTILE if value.strip()]
    for day, hour in (("2025-10-06", 14), ("2025-10-07", 15)):
        lines = []
        for i, text in enumerate(texts):
            lines.append(
                {
                    "timestamp": f"{day}T{hour}:{i % 60:02d}:00Z",
                    "symbol": text,
                    "strategy_name": texts[-1 - i],
                    "action": texts[(i + 7) % len(texts)],
                    "decision_reasoning": text,
                    "exit_reasoning": texts[(i + 3) % len(texts)],
                    "order_id": f"{day}-{i}-{text}",
                    "outcome": "loss" if i % 3 else "win",
                    "net_profit_loss": "-1.00" if i % 3 else "2.00",
                }
            )
        lines.append(
            {
                "timestamp": f"{day}T20:00:00Z",
                "symbol": "[zz9](http://x)",
                "outcome": "win",
                "order_id": f"<zz9>[zz9](http://x) {day}",
            }
        )
        raw = [json.dumps(line) for line in lines]
        raw.append(json.dumps({"timestamp": f"{day}T21:00:00Z", "symbol": "A", "outcome": "<zz9>"}))
        raw.append('{"symbol": "<zz9>[zz9](http://x)" *zz9*')
        (logs / f"{day}.jsonl").write_text("\n".join(raw) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("mdsafe")
    hostile_logs(root / "logs")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)
        mp.delenv("PERFORMANCE_ALERT_ROLLING_WINDOW", raising=False)
        config = sitegen.load_config(logs_dir="logs", site_dir="site")
        sitegen.build(config)
        # an acknowledgement is read back from the alert log, which sits with the logs
        events = [json.loads(line) for line in config.alerts_file.read_text().splitlines()]
        assert events, "the build should raise alerts"
        with config.alerts_file.open("a", encoding="utf-8") as log:
            for event in events:
                acked = {**event, "acknowledged_at": "<zz9>[zz9](http://x) *zz9*"}
                log.write(json.dumps(acked) + "\n")
        report = sitegen.build(config)
    return report, root / "logs" / "performance", root / "site"


DOCUMENT = SNIPPET | {"h1", "h2", "h3"}


@pytest.mark.parametrize("render", RENDERERS, ids=lambda r: r.__name__)
def test_no_markup_from_the_logs_in_any_markdown_artifact(hostile_build, render):
    report, artifacts, site = hostile_build
    assert report.bad_lines
    documents = sorted(artifacts.glob("*.md")) + sorted((site / "data").glob("*.md"))
    assert len(documents) >= 8
    for document in documents:
        text = document.read_text(encoding="utf-8")
        assert not re.search(r"<[a-zA-Z/!?]", text), document  # no raw tag, not even in code
        assert_inert(render(text), allowed=DOCUMENT)
    day = (artifacts / "daily-summary-2025-10-06.md").read_text(encoding="utf-8")
    text = "".join(Parsed(render(day)).text)
    # the values are there, as text: symbols and strategies, the bad line's reason,
    # the order id of the trade without P&L, the acknowledgement read back
    assert "[zz9](javascript:alert(1))" in text
    assert "invalid outcome '<zz9>'" in text
    assert "order <zz9>[zz9](http://x) 2025-10-06" in text
    assert "acknowledged <zz9>[zz9](http://x) *zz9*" in text
    assert f"… ({len('zz9' * 100):,} characters)" in text


@pytest.mark.parametrize("render", RENDERERS, ids=lambda r: r.__name__)
def test_alert_context_from_a_summary_is_inert(hostile_build, render):
    _, artifacts, _ = hostile_build
    summary = json.loads((artifacts / "weekly-summary-2025-W41.json").read_text("utf-8"))
    assert summary["alerts"]
    summary["alerts"][0]["context"] = {f"k{i}": value for i, value in enumerate(HOSTILE)}
    parsed = assert_inert(render(summary_markdown(summary)), allowed=DOCUMENT)
    (item,) = [cell for cell in parsed.cells if "context: k0=" in cell]
    for i, value in enumerate(HOSTILE[:-1]):
        assert f"k{i}={shown(value)}, k{i + 1}=" in item, value


# --- the pages of the same build ------------------------------------------------------

_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def test_no_markup_from_the_logs_in_any_page_and_log_text_is_isolated(hostile_build):
    _, _, site = hostile_build
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 6
    seen = 0
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert not _RAW_CONTROL.search(html), path
        page = Elements(html)
        for tag, attrs in page.tags:
            assert MARK not in tag, (path, tag)
            for name, value in attrs:
                if tag == "a" and name == "href" and KEY_LINK.fullmatch(value or ""):
                    continue  # a key page's name: no markup can be spelt in it
                assert MARK not in name and MARK not in (value or ""), (path, tag, name)
                assert not name.startswith("on"), (path, tag, name)
        for text, within in page.texts:
            if within[-1:] == ("title",) and KEY_TITLE.fullmatch(text):
                continue  # a plain key names its page: no markup, no direction in it
            if MARK in text or _BIDI.search(text):
                assert "bdi" in within, (path, text[:80], within)
                seen += 1
    assert seen > 100


def test_pages_show_control_characters_as_replacement_and_cut_long_values(hostile_build):
    _, _, site = hostile_build
    day = (site / "daily" / "2025-10-06.html").read_text(encoding="utf-8")
    # NUL, ESC, BEL, DEL and NEL from a symbol; the bidi controls stay, inside <bdi>
    assert "<bdi>\ufffdzz9\ufffd[2J\ufffd\ufffd\ufffd</bdi>" in day
    assert "<bdi>\u202ezz9\u202c\u2066zz9\u2069</bdi>" in day
    assert "<bdi>zz9 zz9 zz9</bdi>" in day  # line separators are spaces
    cut = ("zz9" * 100)[:SHOWN_CHARS] + "… (300 characters)"
    assert f"<bdi>{cut}</bdi>" in day
    assert "zz9" * (SHOWN_CHARS // 3 + 1) not in day
    # a skipped line's report is one piece of log text, its quote escaped
    assert "<bdi>2025-10-06.jsonl:59: invalid outcome &#39;&lt;zz9&gt;&#39;" in day
    assert "(order <bdi>&lt;zz9&gt;[zz9](http://x) 2025-10-06</bdi>)" in day
    # the acknowledgement read back from the alert log, on the alerts page
    alerts = (site / "alerts.html").read_text(encoding="utf-8")
    assert "<bdi>&lt;zz9&gt;[zz9](http://x) *zz9*</bdi>" in alerts


def test_ordinary_log_text_on_a_page_changes_only_by_its_bdi():
    from sitegen.site.text import esc, log_html

    for name in ("NVDA", "bull-flag-breakout", "Société Générale", "x" * SHOWN_CHARS):
        assert esc(name) == name and log_html(name) == f"<bdi>{name}</bdi>"
    assert log_html(None) == log_html("") == ""
    assert esc("a\x00b\tc\u202e") == "a\ufffdb c\u202e"
    assert esc("<" * 1000) == "&lt;" * SHOWN_CHARS + "… (1,000 characters)"


# --- the terminal ---------------------------------------------------------------------

TERMINAL = (
    "[bold red]zz9[/]",
    "[/bold]zz9",
    ":smile: zz9",
    "zz9\x1b[2J\x1b]0;pwned\x07",
    "\u202ezz9",
)


def _console():
    import io

    from rich.console import Console

    return Console(file=io.StringIO(), width=400, force_terminal=False, color_system=None)


def test_alerts_in_the_terminal_print_as_typed(hostile_build):
    from sitegen.console import print_incidents

    fields = ("id", "rule", "severity", "since", "latest", "worst")
    rows = [
        ({**{field: f"{value} {i}" for field in fields}, "periods": 1}, f"{value} {i}")
        for i, value in enumerate(TERMINAL)
    ]
    # ids are never wrapped
    rows.append(({**rows[0][0], "id": "zz9" * 100, "worst": None}, "open"))
    console = _console()
    print_incidents(rows, console)
    out = console.file.getvalue()
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    for i, value in enumerate(TERMINAL):
        assert shown(f"{value} {i}") in out, value
    assert "zz9" * 40 in out and "zz9" * 100 not in out


def test_a_summary_in_the_terminal_prints_as_typed(hostile_build):
    from sitegen.console import print_summary

    _, artifacts, _ = hostile_build
    summary = json.loads((artifacts / "daily-summary-2025-10-06.json").read_text("utf-8"))
    entry = next(iter(summary["targets"].values()))
    # a target is labelled by its metric's label, or by its key when the metric is unknown
    summary["targets"] = {value: {**entry, "metric": value} for value in TERMINAL}
    summary["by_symbol"] = [{**summary["by_symbol"][0], "key": value} for value in TERMINAL[:3]]
    summary["note"] = summary["timezone"] = "[/i]zz9\x1b[2J"
    console = _console()
    print_summary(summary, console)
    out = console.file.getvalue()
    assert "\x1b" not in out
    assert out.count("[/i]zz9\ufffd[2J") == 2
    for value in TERMINAL:
        assert shown(value) in out, value
