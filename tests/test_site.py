"""The static site: every page exists, parses, links only to files that exist, escapes
log text, shows alert banners where they belong, and is written once."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import html
import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import pytest

from sitegen import demo
from sitegen.cache import Manifest
from sitegen.config import Config
from sitegen.depth import HOLD_LABELS
from sitegen.pipeline import BuildReport, ScanCache, load_history
from sitegen.render import render_key_pages, site_input
from sitegen.site import default_templates_dir, fmt, render_site, with_neighbours
from sitegen.site.paths import key_path
from sitegen.writer import Writer
from tests.conftest import trade, write_log

HOSTILE_SYMBOL = "<script>alert(1)</script>"
HOSTILE_STRATEGY = "a|b\nc"
HOSTILE_REASON = '../../etc/passwd <img src=x onerror=alert(2)> "q" & done'
HOSTILE_SIDE = "<i>SHORT</i>|x"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


# --- helpers -----------------------------------------------------------------------


class Page(HTMLParser):
    """Collects what the checks need, and checks that tags nest properly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.doctype: str | None = None
        self.lang: str | None = None
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.roles: list[str] = []
        self.headings: list[int] = []
        self.tags: list[str] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.charset = False
        self.viewport = False
        self.text: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def _attrs(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        if tag == "meta" and "charset" in values:
            self.charset = values["charset"] == "utf-8"
        if tag == "meta" and values.get("name") == "viewport":
            self.viewport = True
        for key in ("href", "src"):
            if values.get(key) is not None:
                self.links.append(values[key])
        if values.get("id"):
            assert values["id"] not in self.ids, f"duplicate id {values['id']}"
            self.ids.add(values["id"])
        if values.get("role"):
            self.roles.append(values["role"])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attrs(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attrs(tag, attrs)  # <rect .../> inside inline SVG

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def render(history, summaries, config: Config, site: Path, alerts=()) -> tuple[int, int]:
    """The period and overview pages of ``summaries``, and every symbol's and strategy's
    page when they hold the all-time summary; (pages written, pages unchanged)."""
    given = site_input(history, config, fragments=False)
    written, unchanged = render_site(given, summaries, list(alerts), config, Writer(site))
    if ("all", "all") in summaries:
        report, config = BuildReport(), dataclasses.replace(config, site_dir=site)
        render_key_pages(
            history, config, summaries[("all", "all")], given, Manifest(site), {}, report
        )
        written, unchanged = written + report.pages_rendered, unchanged + report.pages_skipped
    return written, unchanged


def all_summaries(history, config: Config) -> dict[tuple[str, str], dict]:
    specs = config.targets.specs()
    return {
        (w, p): history.summary(w, p, specs)
        for w in ("daily", "weekly", "monthly", "all")
        for p in history.periods(w)
    }


def alert(window: str, period: str, severity: str = "WARN", **extra) -> dict:
    event = {
        "id": f"win_rate_breach-{window}-{period}-{severity}",
        "rule": "win_rate_breach",
        "window": window,
        "period": period,
        "metric": "win_rate",
        "actual": "0.350000",
        "target": "0.5",
        "severity": severity,
        "raised_at": "2025-09-05T20:00:00Z",
        "acknowledged_at": None,
        "context": {"rolling_window": 20, "note": "<b>from context</b>"},
    }
    event.update(extra)
    return event


# --- fixtures ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Demo logs plus one hostile record and one bad line, rendered once."""
    tmp = tmp_path_factory.mktemp("site")
    logs = tmp / "logs"
    demo.generate(logs, days=15, per_day=10)
    hostile = trade(
        "2025-09-03T15:00:00Z",
        symbol=HOSTILE_SYMBOL,
        outcome="loss",
        net="-12.00",
        strategy=HOSTILE_STRATEGY,
        order_id="hostile-1",
        decision_reasoning=HOSTILE_REASON,
        exit_reasoning="line1\nline2 </td></tr><tr>",
        action=HOSTILE_SIDE,
    )
    with (logs / "2025-09-03.jsonl").open("a", encoding="utf-8") as fp:
        fp.write(json.dumps(hostile) + "\n")
        fp.write('{"broken": <img src=x>\n')
    config = Config(logs_dir=logs, site_dir=tmp / "site")
    history = load_history(config, ScanCache(), BuildReport())
    summaries = all_summaries(history, config)
    counts = render(history, summaries, config, config.site_dir)
    return history, summaries, config, config.site_dir, counts


# --- tests -------------------------------------------------------------------------


def test_a_page_for_every_period(built) -> None:
    history, summaries, _, site, (written, unchanged) = built
    for window in ("daily", "weekly", "monthly"):
        periods = history.periods(window)
        assert periods
        for period in periods:
            assert (site / window / f"{period}.html").is_file()
    for name in ("index.html", "alerts.html", "definitions.html", "archive.html", "compare.html"):
        assert (site / name).is_file()
    assert (site / "assets" / "style.css").is_file()
    for window, period in summaries:
        stem = "all-summary" if window == "all" else f"{window}-summary-{period}"
        assert (site / "data" / f"{stem}.json").is_file()
        assert (site / "data" / f"{stem}.md").is_file()
    assert written == len(html_files(site)) and unchanged == 0


def test_every_page_is_valid_html5(built) -> None:
    *_, site, _ = built
    for path in html_files(site):
        page = parse(path)
        where = path.relative_to(site)
        assert page.doctype == "doctype html", where
        assert page.lang == "en", where
        assert page.charset and page.viewport, where
        assert not page.errors, (where, page.errors[:3])
        assert not page.stack, (where, page.stack)
        assert page.headings.count(1) == 1, where
        for before, after in zip(page.headings, page.headings[1:], strict=False):
            assert after <= before + 1, f"{where}: h{before} followed by h{after}"
        assert page.tags.count("script") == 1, where  # the table sorter, inline
        assert "<script src" not in path.read_text("utf-8"), where


def test_every_link_resolves_and_nothing_is_external(built) -> None:
    *_, site, _ = built
    ids = {p: parse(p).ids for p in html_files(site)}
    for path in html_files(site):
        page = parse(path)
        for link in page.links:
            assert not re.match(r"^([a-z][a-z0-9+.-]*:|//)", link, re.I), (path, link)
            target, _, fragment = link.partition("#")
            resolved = (path.parent / target).resolve() if target else path.resolve()
            assert resolved.is_file(), f"{path.relative_to(site)}: broken link {link}"
            assert resolved.is_relative_to(site.resolve())
            if fragment:
                assert fragment in ids[resolved], f"{path.relative_to(site)}: no #{fragment}"
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text
        assert not re.search(r"""(?:href|src)=["']//""", text)


def test_log_text_is_escaped_everywhere(built) -> None:
    *_, site, _ = built
    day = (site / "daily" / "2025-09-03.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in day
    assert "../../etc/passwd &lt;img src=x onerror=alert(2)&gt;" in day
    assert "line2 &lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;" in day
    for path in [*html_files(site), *(site / "data").glob("*.md")]:
        text = path.read_text(encoding="utf-8")
        assert HOSTILE_SYMBOL not in text, path
        assert HOSTILE_SIDE not in text and "<i>" not in text, path
        assert "<img src=x" not in text, path
        assert "</td></tr><tr>" not in text, path
    # the symbol reaches the breakdown tables of its week, month and the index, escaped
    for path in (site / "weekly" / "2025-W36.html", site / "index.html"):
        text = path.read_text(encoding="utf-8")
        assert "&lt;script&gt;" in text
        # the side (action) reaches the breakdown grid, escaped
        assert "&lt;i&gt;SHORT&lt;/i&gt;|x" in text.split('id="h-by-side"', 1)[1]
    markdown = (site / "data" / "weekly-summary-2025-W36.md").read_text(encoding="utf-8")
    assert "| &lt;i&gt;SHORT&lt;/i&gt;\\|x | 1\\* |" in markdown
    # the bad line is on its day's page with file and line
    assert "2025-09-03.jsonl:" in day and "Skipped lines" in day


def test_no_infinity_or_nan_and_na_has_reasons(built) -> None:
    _, summaries, _, site, _ = built
    for path in html_files(site):
        text = " ".join(parse(path).text)
        assert "∞" not in text and "NaN" not in text and "Infinity" not in text, path
    daily = summaries[("daily", "2025-09-03")]
    assert daily["sharpe"] is None
    page = (site / "daily" / "2025-09-03.html").read_text(encoding="utf-8")
    assert "n/a" in page
    assert html.escape(daily["undefined_reasons"]["sharpe"], quote=False) in page


def test_notices_and_navigation(built) -> None:
    history, summaries, _, site, _ = built
    days = history.periods("daily")
    middle = (site / "daily" / f"{days[1]}.html").read_text(encoding="utf-8")
    assert f'rel="prev" href="../daily/{days[0]}.html"' in middle
    assert f'rel="next" href="../daily/{days[2]}.html"' in middle
    assert 'href="../weekly/2025-W36.html"' in middle
    assert 'href="../monthly/2025-09.html"' in middle
    assert 'href="../index.html"' in middle
    assert 'href="../definitions.html#win_rate"' in middle
    assert 'href="../data/daily-summary-' in middle
    assert "Small sample." in middle
    partial = [(w, p) for (w, p), s in summaries.items() if s["partial"] and w == "weekly"]
    assert partial, "the demo data has a missing day"
    week_page = (site / "weekly" / f"{partial[0][1]}.html").read_text(encoding="utf-8")
    assert "Partial data." in week_page
    month = (site / "monthly" / "2025-09.html").read_text(encoding="utf-8")
    assert 'href="../weekly/2025-W36.html"' in month
    assert f'href="../daily/{days[0]}.html"' in month


def test_trades_table_lists_the_days_trades(built) -> None:
    history, _, _, site, _ = built
    day = history.periods("daily")[0]
    rows = history.trades[dt.date.fromisoformat(day)]
    page = (site / "daily" / f"{day}.html").read_text(encoding="utf-8")
    body = page.split('<table class="trades sortable">', 1)[1].split("</table>", 1)[0]
    assert body.count("<tr>") == len(rows) + 1  # plus the header row
    for _, record in rows:
        assert record.symbol in body


def banner_of(text: str) -> str:
    return text.split('role="alert"', 1)[1].split("</section>", 1)[0]


def test_alert_banner_only_where_the_summary_has_alerts(built, tmp_path) -> None:
    history, summaries, config, _, _ = built
    summaries = copy.deepcopy(summaries)
    target = ("daily", history.periods("daily")[4])
    summaries[target]["alerts"] = [
        alert(*target, "WARN"),
        alert(*target, "CRITICAL", rule="drawdown_breach", acknowledged_at=None),
    ]
    site = tmp_path / "site"
    render(history, summaries, config, site)
    for path in html_files(site):
        page = parse(path)
        relative = path.relative_to(site).as_posix()
        if relative == f"daily/{target[1]}.html":
            assert page.roles.count("alert") == 1
            text = path.read_text(encoding="utf-8")
            banner = banner_of(text)
            assert "sev-critical" in text.split('role="alert"', 1)[0].rsplit("<section", 1)[1]
            assert "2 incidents in this period: 2 open, 1 CRITICAL" in banner
            assert banner.index("CRITICAL") < banner.index("WARN")
            assert "<b>" not in banner
            # after the key figures' row, not before
            cards = text.index('<div class="cards">')
            assert text.index('id="h-summary"') < cards < text.index('role="alert"')
            assert text.index('role="alert"') < text.index('id="h-targets"')
        else:
            assert "alert" not in page.roles, relative


def test_alerts_page_and_index_show_acknowledgement_state(built, tmp_path) -> None:
    history, summaries, config, _, _ = built
    day = history.periods("daily")[2]
    events = [
        alert("daily", day, "CRITICAL"),
        alert("weekly", "2025-W37", "WARN", acknowledged_at="2025-09-12T09:00:00Z"),
    ]
    site = tmp_path / "site"
    render(history, summaries, config, site, events)
    page = (site / "alerts.html").read_text(encoding="utf-8")
    assert "1 open · 1 acknowledged · 2 alerts" in page
    rows = page.split('<table class="incidents">', 1)[1].split("<tbody")[1:]
    assert len(rows) == 2  # open first
    assert events[0]["id"] in rows[0] and 'class="open-tag">open<' in rows[0]
    assert events[1]["id"] in rows[1] and 'class="acked"' in rows[1]
    assert "2025-09-12T09:00:00Z" in rows[1] and "2025-09-12T09:00:00Z" not in rows[0]
    assert f'href="daily/{day}.html"' in rows[0]
    assert "&lt;b&gt;from context&lt;/b&gt;" in page
    index = site / "index.html"
    assert parse(index).roles.count("alert") == 1
    text = index.read_text(encoding="utf-8")
    assert "1 open incident (1 alert)" in banner_of(text)
    assert events[1]["id"] not in text


def incident_events(rule: str, days: list[str], severity: str = "WARN", **extra) -> list[dict]:
    """A run of breaches of ``rule`` on ``days`` (one incident)."""
    return [
        {
            **alert("daily", d, severity, **extra),
            "id": f"{rule}:daily:{d}",
            "rule": rule,
            "context": {"comparison": "<", "since": days[0]},
        }
        for d in days
    ]


def test_banners_list_at_most_5_incidents_then_how_many_more(built, tmp_path) -> None:
    from sitegen.site.parts import BANNER_INCIDENTS

    history, summaries, config, _, _ = built
    summaries = copy.deepcopy(summaries)
    days = history.periods("daily")
    month = ("monthly", history.periods("monthly")[0])
    # 8 incidents: one CRITICAL of two days, seven WARN of one day each (newest first)
    events = incident_events("crit", days[:2], "CRITICAL")
    for i in range(7):
        events += incident_events(f"rule{i}", [days[i]])
    summaries[month]["alerts"] = events
    summaries[("daily", days[1])]["alerts"] = [events[1]]  # the second day of "crit"
    site = tmp_path / "site"
    render(history, summaries, config, site, events)
    # a page shows its part of an incident, and the whole one's start and id
    day = banner_of((site / "daily" / f"{days[1]}.html").read_text(encoding="utf-8"))
    assert "1 incident in this period: 1 open, 1 CRITICAL" in day
    assert "1 day · worst" in day and f"· since {days[0]}" in day
    assert f'href="../alerts.html#crit:daily:{days[0]}"' in day
    index = (site / "index.html").read_text(encoding="utf-8")
    assert index.index('id="h-glance"') < index.index('role="alert"') < index.index('id="h-all"')
    for path, root in ((site / "monthly" / f"{month[1]}.html", "../"), (site / "index.html", "")):
        banner = banner_of(path.read_text(encoding="utf-8"))
        assert banner.count("<li") == BANNER_INCIDENTS == 5, path
        assert "and 3 more on the" in banner and f'href="{root}alerts.html"' in banner
        listed = re.findall(r'alerts\.html#([^"]+)"', banner)
        # the most severe, then the most recent
        assert listed == ["crit:daily:" + days[0]] + [
            f"rule{i}:daily:{days[i]}" for i in (6, 5, 4, 3)
        ]
        assert "2 days" in banner and "1 day ·" in banner
        assert events[0]["id"] in banner  # the incident's id, in its link
    # the alerts page lists them all, each with its alerts folded under it
    page = (site / "alerts.html").read_text(encoding="utf-8")
    assert page.count("<tbody") == 8 and page.count("<details>") == 8
    assert all(f'id="{e["id"]}"' in page for e in events if e["period"] == days[0])
    assert "2 alerts · id" in page


def test_second_render_writes_nothing_and_is_byte_identical(built) -> None:
    history, summaries, config, site, _ = built
    before = snapshot(site)
    written, unchanged = render(history, summaries, config, site)
    assert written == 0 and unchanged == len(html_files(site))
    assert snapshot(site) == before


def test_templates_dir_override(built, tmp_path) -> None:
    history, summaries, config, _, _ = built
    theme = tmp_path / "theme"
    theme.mkdir()
    base = (default_templates_dir() / "base.html").read_text(encoding="utf-8")
    (theme / "base.html").write_text(
        base.replace("<body>", "<body>\n<p>CUSTOM-THEME-MARKER</p>"), encoding="utf-8"
    )
    (theme / "style.css").write_text("body { color: rebeccapurple; }\n", encoding="utf-8")
    site = tmp_path / "site"
    render(history, summaries, dataclasses.replace(config, templates_dir=theme), site)
    for path in html_files(site):
        assert "CUSTOM-THEME-MARKER" in path.read_text(encoding="utf-8"), path
    assert (site / "assets" / "style.css").read_text() == "body { color: rebeccapurple; }\n"


def test_a_new_day_changes_only_a_handful_of_pages(tmp_path) -> None:
    logs, site = tmp_path / "logs", tmp_path / "site"
    days = ["2025-09-01", "2025-09-02", "2025-09-03", "2025-09-04", "2025-09-05", "2025-09-08"]
    for i, day in enumerate(days):
        write_log(logs, day, [trade(f"{day}T14:00:00Z", net=str(10 * (i % 3) - 5))])
    config = Config(logs_dir=logs, site_dir=site)

    def build() -> set[str]:
        history = load_history(config, ScanCache(), BuildReport())
        before = snapshot(site) if site.exists() else {}
        render(history, all_summaries(history, config), config, site)
        after = snapshot(site)
        return {p for p in after if p.endswith(".html") and before.get(p) != after[p]}

    build()
    write_log(logs, "2025-09-09", [trade("2025-09-09T14:00:00Z", net="7")])
    changed = build()
    assert changed == {
        "daily/2025-09-09.html",
        "daily/2025-09-08.html",  # its "next" link
        "weekly/2025-W37.html",
        "monthly/2025-09.html",
        "index.html",
        "archive.html",
        "compare.html",  # the whole history's versions and books
        "symbols/AAPL.html",  # the symbol and the strategy the new day trades
        key_path("strategy", "A"),
    }


def test_empty_history_renders_a_home_page(tmp_path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    config = Config(logs_dir=logs, site_dir=tmp_path / "site")
    history = load_history(config, ScanCache(), BuildReport())
    written, _ = render(history, {}, config, config.site_dir)
    assert written == 5
    index = parse(config.site_dir / "index.html")
    assert not index.errors
    assert "No trade logs yet." in " ".join(index.text)


def test_relative_links_depend_on_depth(built) -> None:
    *_, site, _ = built
    for path in html_files(site):
        depth = len(PurePosixPath(path.relative_to(site).as_posix()).parts) - 1
        css = "../" * depth + "assets/style.css"
        assert f'href="{css}"' in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize(
    ("func", "value", "kwargs", "text"),
    [
        (fmt.money, "1416.04", {}, "1,416.04"),
        (fmt.money, "1416.04", {"signed": True}, "+1,416.04"),
        (fmt.money, "-0", {"signed": True}, "0.00"),
        (fmt.money, "0.12345", {}, "0.12345"),  # exact sums keep their scale
        (fmt.money, "12", {}, "12.00"),
        (fmt.money, None, {}, "—"),
        (fmt.money, "not a number", {}, "—"),
        (fmt.rounded, "115.244000", {}, "115.24"),
        (fmt.rounded, "-0.004222", {"signed": True}, "0.00"),
        (fmt.rounded, "2.125000", {}, "2.12"),  # half-even
        (fmt.rounded, None, {}, "—"),
        (fmt.percent, "0.520833", {}, "52.08%"),
        # more digits than the default decimal context's 28 (see the test below)
        (fmt.rounded, "1" + "0" * 33 + ".000000", {}, f"1{',000' * 11}.00"),
        (fmt.percent, "1" + "0" * 33 + ".000001", {}, f"100{',000' * 11}.00%"),
        (fmt.percent, None, {}, "—"),
        (fmt.count_or_mean, "9", {}, "9"),
        (fmt.count_or_mean, "9.600000", {}, "9.60"),
        (fmt.count_or_mean, None, {}, "—"),
        (fmt.quantity, Decimal("120"), {}, "120"),
        (fmt.quantity, Decimal("0.2500"), {}, "0.25"),
        (fmt.quantity, None, {}, "—"),
        (fmt.tone, "-1", {}, "neg"),
        (fmt.tone, "0.00", {}, "zero"),
        (fmt.tone, "3", {}, "pos"),
        (fmt.tone, None, {}, ""),
        (fmt.dec, Decimal("NaN"), {}, None),
        (fmt.dec, True, {}, None),
    ],
)
def test_number_formats(func, value, kwargs, text) -> None:
    assert func(value, **kwargs) == text


def test_quotients_wider_than_28_digits_are_shown_not_a_crash(tmp_path) -> None:
    """An R multiple reaches 10^51 (a P&L of 10^15 on a risk of 10^-36), a profit factor
    or a cost share 10^33: more digits than Python's default decimal context holds, which
    made rounding for a page raise InvalidOperation out of build() (found by
    test_fuzz.py), and the Markdown show the bare rate instead of a percentage."""
    import sitegen

    tiny = "0.000000000000000001"
    write_log(
        tmp_path / "logs",
        "2025-10-06",
        [
            trade(
                "2025-10-06T10:00:00Z",
                net="999999999999999",
                price="1",
                stop="0." + "9" * 18,
                qty=tiny,
            ),
            trade("2025-10-06T11:00:00Z", "AAPL", "loss", "-" + tiny),
            trade("2025-10-06T12:00:00Z", "MSFT", net=tiny, commission="999999999999999"),
        ],
    )
    config = sitegen.load_config(logs_dir=tmp_path / "logs", site_dir=tmp_path / "site")
    sitegen.build(config)
    summary = json.loads((config.artifacts / "daily-summary-2025-10-06.json").read_text())
    huge_r = "999999999999999" + "0" * 36
    assert summary["avg_r_multiple"] == f"{huge_r}.000000"  # one trade with R, ...
    # ... on the page as a figure and in the trade's row
    page = (config.site_dir / "daily" / "2025-10-06.html").read_text(encoding="utf-8")
    assert page.count(format(Decimal(huge_r), ",.2f")) >= 2
    markdown = (config.artifacts / "daily-summary-2025-10-06.md").read_text(encoding="utf-8")
    share = Decimal(summary["costs_share"]).scaleb(2)
    assert f"| Costs / gross profit | {share:.2f}% |" in markdown


def test_with_neighbours(built) -> None:
    history, *_ = built
    days = history.periods("daily")
    keys = {("daily", days[3]), ("weekly", "2025-W37"), ("daily", days[-1]), ("all", "all")}
    periods = {window: history.periods(window) for window in ("daily", "weekly", "monthly")}
    assert with_neighbours(periods, keys) == keys | {
        ("daily", days[2]),
        ("daily", days[4]),
        ("daily", days[-2]),
        ("weekly", "2025-W36"),
        ("weekly", "2025-W38"),
    }


# --- report depth ------------------------------------------------------------------

GRID_IDS = ("symbol", "strategy", "side", "entry-hour", "entry-weekday", "hold-time")


def test_longer_windows_show_the_breakdown_grid_and_drawdowns(built) -> None:
    history, summaries, _, site, _ = built
    pages = [site / "weekly" / f"{w}.html" for w in history.periods("weekly")]
    pages += [site / "monthly" / f"{m}.html" for m in history.periods("monthly")]
    pages.append(site / "index.html")
    for path in pages:
        page = parse(path)
        for name in GRID_IDS:
            assert f"h-by-{name}" in page.ids, (path, name)
        for section in ("h-drawdowns", "h-r", "h-costs", "h-breakdown"):
            assert section in page.ids, (path, section)
        text = path.read_text(encoding="utf-8")
        assert 'class="chart c-hist"' in text
        assert "Drawdowns (end of day)" in text and "Current drawdown (end of day)" in text
        assert "Entry hour and weekday are in UTC" in text
    month = summaries[("monthly", "2025-09")]
    text = (site / "monthly" / "2025-09.html").read_text(encoding="utf-8")
    grid = text.split('id="h-breakdown"', 1)[1]
    for row in month["breakdowns"]["hold_time"]:
        assert f'<th scope="row">{HOLD_LABELS[row["key"]]}</th>' in grid
    deepest = month["drawdowns"][0]
    table = text.split('class="drawdowns"', 1)[1].split("</table>", 1)[0]
    assert fmt.money(deepest["depth"], signed=True) in table
    assert deepest["valley_day"] in table
    # a small sample is marked in the grid
    if any(r["trades_closed"] < 30 for r in month["breakdowns"]["symbol"]):
        assert 'title="fewer than 30 closed trades"' in grid


def test_daily_pages_have_r_and_costs_but_no_grid(built) -> None:
    history, summaries, _, site, _ = built
    day = history.periods("daily")[0]
    page = parse(site / "daily" / f"{day}.html")
    assert {"h-r", "h-costs", "h-by-symbol", "h-by-strategy"} <= page.ids
    assert "h-drawdowns" not in page.ids and "h-by-hold-time" not in page.ids
    text = (site / "daily" / f"{day}.html").read_text(encoding="utf-8")
    summary = summaries[("daily", day)]
    assert fmt.money(summary["gross_pnl"], signed=True) in text.split('id="h-costs"', 1)[1]


def test_trades_without_a_stop_are_named(built) -> None:
    history, summaries, _, site, _ = built
    for day in history.periods("daily"):
        if summaries[("daily", day)]["no_stop_trades"]:
            break
    else:  # pragma: no cover - the demo data has trades without a stop
        pytest.fail("no day with a trade without a usable stop")
    n = summaries[("daily", day)]["no_stop_trades"]
    text = (site / "daily" / f"{day}.html").read_text(encoding="utf-8")
    assert f"<strong>{n} of " in text and "left out of every R figure" in text
    body = text.split('<table class="trades sortable">', 1)[1]
    assert body.count("<td>no stop</td>") == n


def test_undefined_grid_cells_show_their_reason(built) -> None:
    from sitegen.registry import GRID

    shown = {column.field for column in GRID}  # the grid's columns (not yet its intervals)
    _, summaries, _, site, _ = built
    for (window, period), summary in summaries.items():
        if window not in ("weekly", "monthly"):
            continue
        for rows in summary["breakdowns"].values():
            for row in rows:
                for field, reason in row["undefined_reasons"].items():
                    if field not in shown:
                        continue
                    path = site / window / f"{period}.html"
                    assert f"({html.escape(reason, quote=False)})" in path.read_text("utf-8")


def test_definitions_page_defines_every_metric(built) -> None:
    _, _, config, site, _ = built
    page = parse(site / "definitions.html")
    text = (site / "definitions.html").read_text(encoding="utf-8")
    from sitegen.registry import BY_FIELD, DEFINITIONS, GRID, PAGE_GROUPS

    for key in DEFINITIONS:  # the returns only with starting_equity (tests/test_returns.py)
        assert (key in page.ids) is not BY_FIELD[key].returns, key
    # every metric label on a page links to its definition
    for _, rows in PAGE_GROUPS:
        for field in (m.field for m in rows):
            assert field in DEFINITIONS, field
    for field in (column.field for column in GRID):
        assert field in DEFINITIONS or field == "costs", field
    assert f"<strong>{config.timezone}</strong>" in text
    assert "√252" in text and "breakeven" in text.lower() and "Open trades" in text
    assert "300 ≤ d &lt; 1800 s" in text  # hold-time buckets, lower bound inclusive


def test_every_drawdown_figure_names_its_curve(built) -> None:
    """The max drawdown (trade by trade) and the drawdown table (end of day) share a
    page: each says its curve, and the first is never the shallower."""
    history, summaries, _, site, _ = built
    card = re.compile(
        r'<div class="card-label"><a class="term" href="[^"]*#max_drawdown">Max drawdown</a>'
        r'</div>\s*<div class="card-value"[^>]*>(.*?)</div>\s*<div class="card-detail">([^<]*)<'
    )
    paths = [
        "index.html",
        *(f"{w}/{p}.html" for w in ("daily", "weekly", "monthly") for p in history.periods(w)),
    ]
    for path in paths:
        text = (site / path).read_text(encoding="utf-8")
        cards = card.findall(text)
        assert len(cards) == 1, path
        assert cards[0][1].startswith("trade by trade, "), path
        assert ">Max drawdown<" not in card.sub("", text), path  # no other bare label
        if path.startswith("daily/"):
            assert "h-drawdowns" not in text and "(trade by trade: " in text
        else:
            assert '<h2 id="h-drawdowns">Drawdowns (end of day)</h2>' in text, path
            assert "Current drawdown (end of day)</a>:" in text, path
    for (window, _), s in summaries.items():
        if window == "daily":
            continue
        deepest = min((Decimal(d["depth"]) for d in s["drawdowns"]), default=Decimal(0))
        assert Decimal(s["max_drawdown"]) <= deepest
        assert Decimal(s["max_drawdown"]) <= Decimal(s["current_drawdown"]["depth"])


def test_breakdown_rows_show_their_95_percent_intervals_and_mark_small_samples() -> None:
    from sitegen.site.parts import breakdown

    row = {
        "key": "NVDA",
        "trades_closed": 2,
        "wins": 2,
        "win_rate": "1.000000",
        "win_rate_low": "0.342380",
        "win_rate_high": "1.000000",
        "net_pnl": "220.00",
        "expectancy": "110.000000",
        "expectancy_low": "-1033.558426",
        "expectancy_high": "1253.558426",
        "undefined_reasons": {},
    }
    (shown,) = breakdown([row])
    assert (shown.win_rate.text, shown.win_rate.note) == ("100.00%", "34.2–100.0%")
    assert (shown.expectancy.text, shown.expectancy.note) == ("+110.00", "-1,033.56 to +1,253.56")
    assert shown.small and shown.expectancy.cls == "pos"
    one = {**row, "trades_closed": 30, "expectancy_low": None, "expectancy_high": None}
    (shown,) = breakdown([one])
    assert shown.expectancy.note is None and not shown.small


def test_grid_cells_and_tables_show_intervals_on_the_page(built) -> None:
    _, summaries, _, site, _ = built
    window, period = next(k for k in summaries if k[0] == "monthly")
    row = summaries[(window, period)]["breakdowns"]["symbol"][0]
    text = (site / window / f"{period}.html").read_text("utf-8")
    low = f"{Decimal(row['win_rate_low']) * 100:.1f}"
    high = f"{Decimal(row['win_rate_high']) * 100:.1f}"
    assert f'<span class="note">{low}–{high}%</span>' in text
    assert "their 95% intervals" in text or "95% intervals" in text
