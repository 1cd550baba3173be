"""compare.html and the mixed-books notice: the page model on a hand-made all-time
summary (tests/compare_fixture.py), the verdicts in words, small samples and undefined
intervals, the interval charts, text from the logs kept inert, the notice on every page
when the report mixes books, and the notice's dependency in incremental builds."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

import sitegen
from sitegen import demo
from sitegen.config import Config
from sitegen.history import History
from sitegen.pipeline import BuildReport, ScanCache, load_history
from sitegen.render import site_input
from sitegen.site import charts, mixed_books, render_site
from sitegen.site.compare import LISTED_BOOKS, books_notice, compare_page, verdict
from sitegen.writer import Writer
from tests.compare_fixture import V1, V2, V3, all_summary, with_versions
from tests.conftest import trade, write_log
from tests.test_site import all_summaries, html_files, parse
from tests.test_trust import differences, fresh_outputs, outputs

HOSTILE_VERSION = '<script>alert("v")</script> · \u202eabc'
HOSTILE_MODE = "<img src=x onerror=alert(1)>"


def text(markup) -> str:
    """Markup as words: tags dropped, entities kept as written."""
    return re.sub(r"<[^>]+>", "", str(markup))


# --- verdicts -----------------------------------------------------------------------


def test_the_verdicts_in_plain_words() -> None:
    page = compare_page(all_summary())
    expectancy, r = page.verdicts
    assert expectancy.measure == "Expectancy" and expectancy.cls == "unclear"
    assert text(expectancy.text) == (
        f"Version {V3} earns $21.42 more per closed trade than version {V2} "
        "(95% interval -$3.10 to +$45.94): not yet clear — about 57 more trades per "
        "version at the current spread would tell."
    )
    assert expectancy.basis == (
        "182 closed trades of the latest version against 24 of the one before"
    )
    assert r.measure == "Average R" and r.cls == "better"
    assert text(r.text) == (
        f"Version {V3} earns 0.29 R more per trade than version {V2} "
        "(95% interval +0.02 to +0.56 R): better."
    )
    # the version keys are log text: isolated in <bdi>
    assert f"<bdi>{V3}</bdi>" in str(expectancy.text)


def test_a_worse_version_and_an_unclear_one_without_an_estimate() -> None:
    change = {
        "previous": "A",
        "latest": "B",
        "expectancy": {
            "difference": "-5.204000",
            "low": "-9.800000",
            "high": "-0.600000",
            "verdict": "worse",
            "n_previous": 400,
            "n_latest": 380,
            "more_trades_needed": None,
        },
        "avg_r_multiple": {
            "difference": "0.000000",
            "low": None,
            "high": None,
            "verdict": "not_yet_clear",
            "n_previous": 1,
            "n_latest": 1,
            "more_trades_needed": None,
        },
    }
    worse = verdict(change, "expectancy", {})
    assert worse is not None and worse.cls == "worse"
    assert text(worse.text) == (
        "Version B earns $5.20 less per closed trade than version A "
        "(95% interval -$9.80 to -$0.60): worse."
    )
    same = verdict(change, "avg_r_multiple", {})
    assert same is not None and same.cls == "unclear"
    assert text(same.text) == (
        "Version B earns as much R per trade as version A (no 95% interval yet: too few "
        "trades, or no spread, in one of them): not yet clear."
    )


def test_a_measure_the_change_cannot_compare_says_why() -> None:
    change = dict(all_summary()["version_change"], avg_r_multiple=None)
    reasons = {"version_change.avg_r_multiple": "no trades with a usable stop in 1.5.0"}
    found = verdict(change, "avg_r_multiple", reasons)
    assert found is not None and found.cls == "na"
    assert text(found.text) == (
        f"Version {V3} and version {V2} cannot be compared on R per trade yet: "
        "no trades with a usable stop in 1.5.0."
    )


# --- the tables ---------------------------------------------------------------------


def test_versions_side_by_side_small_samples_marked_and_undefined_figures_explained() -> None:
    page = compare_page(all_summary())
    assert page.versions is not None
    rows = page.versions.rows
    assert [text(r.key) for r in rows] == [V1, V2, V3]  # order of first appearance
    assert [r.small for r in rows] == [False, True, False]
    assert page.versions.small
    first = rows[0]
    assert first.days == ("2025-06-02", "2025-09-12")
    assert (first.closed, first.win_rate.text, first.win_rate.note) == (
        "1,200",
        "53.33%",
        "50.5–56.1%",
    )
    assert (first.expectancy.text, first.expectancy.note) == ("+12.10", "+3.25 to +20.95")
    assert (first.avg_r.text, first.sqn.text, first.profit_factor.text) == ("+0.11", "1.92", "1.18")
    latest = rows[2]
    assert (latest.sqn.text, latest.sqn.reason) == ("n/a", "stdev of R is 0")
    assert (latest.profit_factor.text, latest.profit_factor.reason) == ("n/a", "no losing trades")


def test_null_intervals_say_why_and_draw_no_whisker() -> None:
    summary = all_summary()
    one = summary["by_version"][2]
    one.update(
        trades_closed=1,
        wins=1,
        win_rate="1.000000",
        expectancy="12.000000",
        expectancy_low=None,
        expectancy_high=None,
    )
    one["undefined_reasons"]["expectancy_low"] = "fewer than 2 closed trades"
    one["undefined_reasons"]["expectancy_high"] = "fewer than 2 closed trades"
    page = compare_page(summary)
    assert page.versions is not None
    row = page.versions.rows[2]
    assert row.small and row.closed == "1"
    assert row.expectancy.note == "interval n/a: fewer than 2 closed trades"
    svg = str(page.versions.charts[1].svg)
    groups = re.findall(r"<g[^>]*>.*?</g>", svg)
    assert len(groups) == 3
    assert "c-whisker" in groups[0] and "c-whisker" not in groups[2]
    assert "c-dot" in groups[2]  # the value is still drawn
    assert "no interval" in groups[2]


def test_books_side_by_side_only_when_there_are_several() -> None:
    page = compare_page(all_summary())
    assert page.books is not None
    assert [text(r.key) for r in page.books.rows] == ["LIVE", "PAPER"]  # by name
    assert page.books.rows[0].expectancy.note == "-3.42 to +19.32"
    assert not page.books.small
    summary = all_summary()
    summary["by_mode"] = summary["by_mode"][:1]
    assert compare_page(summary).books is None
    del summary["by_mode"]
    assert compare_page(summary).books is None


def test_one_version_no_trades_and_a_summary_without_versions() -> None:
    summary = all_summary()
    summary["by_version"] = summary["by_version"][:1]
    summary["version_change"] = None
    summary["undefined_reasons"] = {"version_change": "only one version"}
    page = compare_page(summary)
    assert not page.verdicts and page.versions is not None and len(page.versions.rows) == 1
    assert page.versions_note.startswith("One version so far")

    summary["by_version"] = [summary["by_version"][0], copy.deepcopy(summary["by_version"][0])]
    assert compare_page(summary).versions_note == "only one version"  # the engine's reason

    empty = {
        "window": "all",
        "period": "all",
        "start": "2025-06-02",
        "end": "2025-06-02",
        "trades_closed": 0,
        "win_rate": None,
        "undefined_reasons": {"version_change": "no closed trades"},
        "by_mode": [],
        "by_version": [],
        "version_change": None,
    }
    page = compare_page(empty)
    assert page.empty and page.versions_note == "No closed trades yet: nothing to compare."
    assert page.versions is not None and not page.versions.rows and page.books is None
    assert compare_page(None).empty

    older = {k: v for k, v in all_summary().items() if k not in ("by_version", "version_change")}
    page = compare_page(older)
    assert page.versions is None and "do not break the trades down by version" in (
        page.versions_note
    )


# --- the charts ---------------------------------------------------------------------


def test_interval_charts_are_accessible_deterministic_and_scriptless() -> None:
    page = compare_page(all_summary())
    again = compare_page(all_summary())
    assert page.versions is not None and again.versions is not None
    for chart, same in zip(page.versions.charts, again.versions.charts, strict=True):
        svg = str(chart.svg)
        assert svg == str(same.svg)
        assert svg.startswith('<svg class="chart c-ci"') and 'role="img"' in svg
        assert "aria-label=" in svg and "<title>" in svg
        assert "<script" not in svg.lower() and "on" + "load" not in svg.lower()
        assert svg.count("<circle") == 3 and 'class="c-zero"' in svg  # the reference line
    rate, money = (str(c.svg) for c in page.versions.charts)
    assert "all trades 53.56%" in rate and "break-even" in money
    # the small sample is drawn hollow and faint, and the text alternative names it
    assert rate.count("c-dot-muted") == 1 and "fewer than 30" in rate
    # rows are named by their number in the table: an SVG cannot isolate log text
    assert "#2: 37.50% (95% interval 21.2–57.3%; 24 closed trades, fewer than 30)" in rate
    assert V2 not in rate


def test_an_interval_chart_without_values_says_so() -> None:
    svg = charts.interval_chart(
        [charts.Interval("x", None, None, None)], "Win rate", rate=True, reference=0.5
    )
    assert "No closed trades" in svg and 'role="img"' in svg


# --- text from the logs -------------------------------------------------------------


def test_hostile_version_keys_and_mode_names_stay_text() -> None:
    summary = all_summary()
    summary["by_version"][2]["key"] = HOSTILE_VERSION
    summary["version_change"]["latest"] = HOSTILE_VERSION
    summary["by_mode"][0]["key"] = HOSTILE_MODE
    page = compare_page(summary)
    made = [str(v.text) for v in page.verdicts] + [str(page.latest)]
    assert page.versions is not None and page.books is not None
    made += [str(r.key) for r in page.versions.rows + page.books.rows]
    svgs = "\n".join(str(c.svg) for c in page.versions.charts + page.books.charts)
    joined = "\n".join(made) + svgs
    assert "<script" not in joined and "<img" not in joined
    assert "&lt;script&gt;" in joined and "&lt;img src=x" in joined  # (in the HTML)
    # in HTML the key is isolated from the page's direction; an SVG has no <bdi>: the
    # charts name their rows by number, and no log text goes into them at all
    assert all(re.fullmatch(r"<bdi>[^<]*</bdi>", str(r.key)) for r in page.versions.rows)
    assert "\u202e" not in svgs and "script" not in svgs and "src=x" not in svgs
    assert [r.number for r in page.versions.rows] == [1, 2, 3]
    notice = books_notice(mixed_books(summary), summary, "in all", "")
    assert notice is not None
    assert all("<img" not in str(name) for name, _ in notice.books)


# --- the notice ---------------------------------------------------------------------


def test_mixed_books_are_the_sorted_names_of_several_books() -> None:
    summary = all_summary()
    assert mixed_books(summary) == ("LIVE", "PAPER")  # not by_mode's order (net P&L)
    summary["by_mode"] = summary["by_mode"][:1]
    assert mixed_books(summary) == ()
    assert mixed_books({}) == () and mixed_books(None) == ()


def test_the_notice_counts_the_books_of_its_own_period() -> None:
    day = {"by_mode": [{"key": "LIVE", "trades_closed": 4}]}
    notice = books_notice(("LIVE", "PAPER"), day, "this day", "../")
    assert notice is not None
    assert [(text(n), c) for n, c in notice.books] == [("LIVE", "4"), ("PAPER", "0")]
    assert (notice.scope, notice.href, notice.more) == ("this day", "../compare.html", 0)
    older = books_notice(("LIVE", "PAPER"), {}, "this day", "../")  # no by_mode: names only
    assert older is not None and [c for _, c in older.books] == ["", ""]
    many = tuple(f"M{i}" for i in range(LISTED_BOOKS + 3))
    crowd = books_notice(many, None, "in all", "")
    assert crowd is not None and len(crowd.books) == LISTED_BOOKS and crowd.more == 3
    assert books_notice((), day, "this day", "") is None


@pytest.fixture(scope="module")
def books_site(tmp_path_factory):
    """Demo logs of paper then live trading, rendered with the hand-made versions and
    books in the all-time summary (the engine's when it has them)."""
    tmp = tmp_path_factory.mktemp("books")
    logs = tmp / "logs"
    demo.generate(logs, days=12, per_day=6, books=True)
    config = Config(logs_dir=logs, site_dir=tmp / "site")
    history = load_history(config, ScanCache(), BuildReport())
    summaries = all_summaries(history, config)
    if "by_version" not in summaries[("all", "all")]:
        summaries[("all", "all")] = with_versions(summaries[("all", "all")])
    books = mixed_books(summaries[("all", "all")])
    site = site_input(history, config, fragments=False, books=books)
    render_site(site, summaries, [], config, Writer(config.site_dir))
    return history, summaries, config


def test_every_page_shows_the_notice_when_the_report_mixes_books(books_site) -> None:
    *_, config = books_site
    pages = html_files(config.site_dir)
    assert len(pages) > 20
    for path in pages:
        html = path.read_text(encoding="utf-8")
        where = path.relative_to(config.site_dir)
        assert html.count('role="note"') == 1, where
        note = html[
            html.index('class="books-note"') : html.index("</div>", html.index("books-note"))
        ]
        assert "This report adds 2 books together" in note, where
        assert "<bdi>LIVE</bdi>" in note and "<bdi>PAPER</bdi>" in note, where
        root = "../" * len(where.parts[:-1])
        assert f'href="{root}compare.html"' in note, where
        assert not parse(path).errors, where
    index = (config.site_dir / "index.html").read_text(encoding="utf-8")
    assert "closed trades in all:" in index


def test_compare_page_on_a_site(books_site) -> None:
    _, summaries, config = books_site
    path = config.site_dir / "compare.html"
    page = parse(path)
    assert not page.errors and not page.stack
    html = path.read_text(encoding="utf-8")
    assert 'aria-current="page">Compare</a>' in html
    assert html.count('<svg class="chart c-ci"') == 4  # versions and books, two each
    assert html.count('class="verdict verdict-') == 2 and "95% interval" in html
    everything = summaries[("all", "all")]
    rows = everything["by_version"] + everything["by_mode"]
    assert html.count('<tr class="small-sample">') == sum(
        1 for r in rows if r["trades_closed"] < 30
    )
    definitions = parse(config.site_dir / "definitions.html").ids
    for link in page.links:  # the headings lead to their definitions
        target, _, fragment = link.partition("#")
        assert not target or (config.site_dir / target).is_file(), link
        if target == "definitions.html" and fragment:
            assert fragment in definitions, link


def test_no_notice_with_one_book(tmp_path) -> None:
    logs = tmp_path / "logs"
    demo.generate(logs, days=4, per_day=4)
    config = Config(logs_dir=logs, site_dir=tmp_path / "site")
    history = load_history(config, ScanCache(), BuildReport())
    summaries = all_summaries(history, config)
    books = mixed_books(summaries[("all", "all")])
    assert books == ()
    render_site(
        site_input(history, config, fragments=False), summaries, [], config, Writer(config.site_dir)
    )
    for path in html_files(config.site_dir):
        assert "books-note" not in path.read_text(encoding="utf-8"), path


# --- the notice in incremental builds -------------------------------------------------


@pytest.fixture
def engine_books(monkeypatch):
    """The all-time summary's ``by_mode`` as the engine makes it; where it does not make
    one (yet), one row per book with its closed trades, so that the notice's
    dependency is exercised either way."""
    real = History.summary

    def summary(self, window, period, *args, **kwargs):
        made = real(self, window, period, *args, **kwargs)
        if window == "all" and "by_mode" not in made:
            made["by_mode"] = [
                {"key": mode, "trades_closed": n}
                for mode, n in sorted(self.closed_by_mode.items())
                if n
            ]
        return made

    monkeypatch.setattr(History, "summary", summary)


DAYS = ["2025-09-01", "2025-09-02", "2025-09-03", "2025-09-08", "2025-09-09"]


def _paper_logs(logs: Path) -> None:
    for i, day in enumerate(DAYS):
        records = [
            trade(
                f"{day}T1{j}:00:00Z",
                net=str(10 * ((i + j) % 3) - 8),
                outcome="win" if (i + j) % 3 else "loss",
                order_id=f"p-{day}-{j}",
                execution_mode="PAPER",
            )
            for j in range(3)
        ]
        write_log(logs, day, records)


def _with_notice(site: Path) -> dict[str, bool]:
    return {
        p.relative_to(site).as_posix(): "books-note" in p.read_text("utf-8")
        for p in html_files(site)
    }


def test_a_new_book_puts_the_notice_on_every_page_as_a_fresh_build_does(
    tmp_path, monkeypatch, engine_books
) -> None:
    monkeypatch.chdir(tmp_path)
    logs, site = tmp_path / "ws" / "logs", tmp_path / "ws" / "site"
    _paper_logs(logs)
    config = sitegen.load_config(logs_dir=logs, site_dir=site)
    sitegen.build(config)
    assert not any(_with_notice(site).values())

    # the first live trade, on a new day: every page now says the report mixes books
    live = trade("2025-09-10T14:00:00Z", net="25", order_id="l-1", execution_mode="LIVE")
    write_log(logs, "2025-09-10", [live])
    report = sitegen.build(config)
    noted = _with_notice(site)
    assert noted and all(noted.values()), [p for p, n in noted.items() if not n]
    assert report.pages_rendered + report.pages_skipped == len(noted)
    got, want = outputs(config.artifacts, site), fresh_outputs(logs, tmp_path / "fresh1")
    assert not differences(got, want), differences(got, want)

    # another day of the same books: only the pages that show it are rendered again
    more = trade("2025-09-11T14:00:00Z", net="-5", order_id="l-2", execution_mode="LIVE")
    write_log(
        logs,
        "2025-09-11",
        [more],
    )
    report = sitegen.build(config)
    assert report.pages_rendered + report.pages_skipped < len(_with_notice(site)) - 3
    got, want = outputs(config.artifacts, site), fresh_outputs(logs, tmp_path / "fresh2")
    assert not differences(got, want), differences(got, want)

    # the live trades gone: the notice goes from every page
    for day in ("2025-09-10", "2025-09-11"):
        (logs / f"{day}.jsonl").unlink()
    sitegen.build(config)
    assert not any(_with_notice(site).values())
    got, want = outputs(config.artifacts, site), fresh_outputs(logs, tmp_path / "fresh3")
    assert not differences(got, want), differences(got, want)


def test_the_books_are_kept_in_the_index(tmp_path, monkeypatch, engine_books) -> None:
    monkeypatch.chdir(tmp_path)
    logs = tmp_path / "logs"
    _paper_logs(logs)
    write_log(logs, "2025-09-10", [trade("2025-09-10T14:00:00Z", net="1", execution_mode="LIVE")])
    config = sitegen.load_config(logs_dir=logs, site_dir=tmp_path / "site")
    sitegen.build(config)
    from sitegen.cache import INDEX_NAME, read_head

    head = read_head(config.artifacts / INDEX_NAME)
    assert head is not None and head.state is not None
    assert head.state.books == ["LIVE", "PAPER"]
    sitegen.build(config, site=False)
    head = read_head(config.artifacts / INDEX_NAME)
    assert head is not None and head.state is not None and head.state.books == []
