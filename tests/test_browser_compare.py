"""compare.html in a real browser (the ``browser`` fixture of conftest.py), opened from
disk at 390 and 1,400 px: the paper-then-live demo with a version change, built by
``sitegen.build``. Nothing makes the page scroll sideways, the interval charts are
drawn, the verdicts are in words, the mixed-books notice and the navigation lead to it.

The versions, books and version change come from the engine's all-time summary. A
build whose summaries do not carry them (``by_version``) has its site rendered again
from the hand-made ones of tests/compare_fixture.py, so that every assertion below
runs either way; ``test_the_page_shows_the_summarys_versions`` checks the page against
whichever summary the site was rendered from.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser

import sitegen
from sitegen import demo
from sitegen.pipeline import BuildReport, ScanCache, load_history
from sitegen.render import site_input
from sitegen.site import mixed_books, render_site
from sitegen.writer import Writer
from tests.compare_fixture import with_versions
from tests.test_browser_layout import MEASURE
from tests.test_site import all_summaries

WIDTHS = (390, 1400)


@pytest.fixture(scope="module")
def books_site(tmp_path_factory) -> tuple[Path, dict]:
    """The site of the demo with --books, and the all-time summary it shows."""
    root = tmp_path_factory.mktemp("books")
    logs = root / "logs"
    demo.generate(logs, days=40, per_day=8, books=True)
    config = sitegen.load_config(logs_dir=logs, site_dir=root / "site")
    sitegen.build(config)
    everything = json.loads((config.artifacts / "all-summary.json").read_text("utf-8"))
    if "by_version" not in everything:  # an engine without versions: the hand-made ones
        history = load_history(config, ScanCache(), BuildReport())
        summaries = all_summaries(history, config)
        everything = with_versions(summaries[("all", "all")])
        summaries[("all", "all")] = everything
        site = site_input(history, config, fragments=False, books=mixed_books(everything))
        render_site(site, summaries, [], config, Writer(config.site_dir))
    return config.site_dir, everything


@pytest.mark.parametrize("width", WIDTHS)
def test_compare_page_fits_and_draws_its_intervals(browser: Browser, books_site, width):
    site, everything = books_site
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto((site / "compare.html").as_uri())
        found = page.evaluate(MEASURE)
        assert found["scrollWidth"] <= found["width"], found["wide"]
        charts = page.locator("svg.c-ci")
        assert charts.count() == 4  # win rate and expectancy, of versions and of books
        for i in range(charts.count()):
            chart = charts.nth(i)
            assert chart.get_attribute("role") == "img"
            assert chart.get_attribute("aria-label")
            box = chart.bounding_box()
            assert box is not None and box["width"] > 200 and box["height"] > 60
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert page.locator("svg.c-ci circle").count() >= 2 * len(everything["by_version"])
        verdicts = page.locator(".verdict")
        assert verdicts.count() == 2
        money = verdicts.first.inner_text()
        assert re.search(r"earns (\$[\d,.]+ (more|less)|as much) per closed trade than", money)
        assert re.search(r"\(95% interval -?\+?\$[\d,.]+ to -?\+?\$[\d,.]+\)", money)
        assert re.search(r": (better\.|worse\.|not yet clear)", money)
        r = verdicts.nth(1).inner_text()
        assert re.search(r"earns ([\d,.]+ R (more|less)|as much R) per trade than", r) or (
            "cannot be compared on R per trade" in r
        )
        # the books: the notice names them and leads here
        note = page.locator('[role="note"]')
        assert note.count() == 1 and "LIVE" in note.inner_text() and "PAPER" in note.inner_text()
    finally:
        page.close()


def test_the_navigation_and_the_notice_lead_to_compare(browser: Browser, books_site):
    site, _ = books_site
    page = browser.new_page(viewport={"width": 390, "height": 900})
    try:
        day = sorted((site / "daily").glob("*.html"))[0]
        page.goto(day.as_uri())
        page.locator('[role="note"] a').click()
        assert page.url.endswith("/compare.html")
        assert page.locator("h1").inner_text() == "Compare"
        page.goto((site / "index.html").as_uri())
        page.locator('nav[aria-label="Site"] a', has_text="Compare").click()
        assert page.url.endswith("/compare.html")
        current = page.locator('nav[aria-label="Site"] a[aria-current="page"]')
        assert current.inner_text() == "Compare"
    finally:
        page.close()


def test_the_page_shows_the_summarys_versions(browser: Browser, books_site):
    site, everything = books_site
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto((site / "compare.html").as_uri())
        keys = page.locator("table.compare").first.locator("tbody th bdi").all_inner_texts()
        assert keys == [row["key"] for row in everything["by_version"]]
        books = page.locator("table.compare").nth(1).locator("tbody th bdi").all_inner_texts()
        assert books == sorted(row["key"] for row in everything["by_mode"])
        rows = everything["by_version"] + everything["by_mode"]
        muted = page.locator("table.compare tr.small-sample").count()
        assert muted == sum(1 for r in rows if r["trades_closed"] < 30)
    finally:
        page.close()
