"""Tables sort by a heading click: a real headless browser (the ``browser`` fixture of
conftest.py) opens a day page from disk, clicks the P&L heading of its trade table
(numbers sort as numbers: -1,200.00 before -5.00 before 30.00), clicks again to reverse,
sorts a text column, and does the same from the keyboard. Without JavaScript the rows
read in their built order (the HTML itself is that order).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from sitegen.config import load_config
from sitegen.pipeline import build
from tests.conftest import trade, write_log

DAY = "2025-10-06"
#: (symbol, outcome, net P&L) in time order: an order no column is sorted in
TRADES = (
    ("NVDA", "win", "30.00"),
    ("AAPL", "loss", "-1200.00"),
    ("TSLA", "win", "1500.50"),
    ("AMD", "loss", "-5.00"),
    ("MSFT", "breakeven", "0.00"),
)


@pytest.fixture(scope="module")
def day_page(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sort")
    records = [
        trade(f"{DAY}T1{i}:00:00Z", symbol, outcome, net, order_id=f"o{i}")
        for i, (symbol, outcome, net) in enumerate(TRADES)
    ]
    write_log(root / "logs", DAY, records)
    build(load_config(logs_dir=root / "logs", site_dir=root / "site"))
    return root / "site" / "daily" / f"{DAY}.html"


def column(page: Page, table: str, index: int) -> list[str]:
    return page.eval_on_selector_all(
        f"table.{table} tbody tr",
        f"rows => rows.map(r => r.cells[{index}].textContent.trim())",
    )


def heading(page: Page, table: str, label: str):
    return page.locator(f"table.{table} thead th", has_text=label).locator("button.sort")


def test_the_built_order_is_time_order(day_page: Path) -> None:
    html = day_page.read_text("utf-8")
    body = html.split('<table class="trades sortable">', 1)[1].split("</table>", 1)[0]
    positions = [body.index(symbol) for symbol, _, _ in TRADES]
    assert positions == sorted(positions)


def test_a_click_sorts_numbers_as_numbers_and_a_second_reverses(
    browser: Browser, day_page: Path
) -> None:
    page = browser.new_page()
    try:
        page.goto(day_page.as_uri())
        pnl = TRADES_COLUMNS.index("P&L")
        symbol = TRADES_COLUMNS.index("Symbol")
        assert column(page, "trades", symbol) == [s for s, _, _ in TRADES]  # as built
        heading(page, "trades", "P&L").click()
        assert column(page, "trades", pnl) == [
            "-1,200.00",
            "-5.00",
            "0.00",
            "+30.00",
            "+1,500.50",
        ]
        th = page.locator("table.trades thead th").nth(pnl)
        assert th.get_attribute("aria-sort") == "ascending"
        heading(page, "trades", "P&L").click()
        assert column(page, "trades", pnl)[0] == "+1,500.50"
        assert th.get_attribute("aria-sort") == "descending"
        heading(page, "trades", "Symbol").click()
        assert column(page, "trades", symbol) == sorted(s for s, _, _ in TRADES)
        assert th.get_attribute("aria-sort") is None  # one sorted column at a time
    finally:
        page.close()


def test_the_keyboard_sorts_too(browser: Browser, day_page: Path) -> None:
    page = browser.new_page()
    try:
        page.goto(day_page.as_uri())
        button = heading(page, "trades", "P&L")
        button.focus()
        page.keyboard.press("Enter")
        assert column(page, "trades", TRADES_COLUMNS.index("P&L"))[0] == "-1,200.00"
        page.keyboard.press(" ")
        assert column(page, "trades", TRADES_COLUMNS.index("P&L"))[0] == "+1,500.50"
    finally:
        page.close()


def test_a_breakdown_table_sorts_by_net_pnl(browser: Browser, day_page: Path) -> None:
    page = browser.new_page()
    try:
        page.goto(day_page.as_uri())
        table = "breakdown"
        first = page.locator(f"table.{table}").filter(
            has=page.locator("thead th", has_text="Symbol")
        )
        labels = first.locator("thead th").all_inner_texts()
        net = next(i for i, text in enumerate(labels) if text.startswith("Net P&L"))
        first.locator("thead th").nth(net).locator("button.sort").click()
        values = first.evaluate(
            f"t => Array.from(t.tBodies[0].rows, r => r.cells[{net}].textContent.trim())"
        )
        numbers = [float(v.replace(",", "")) for v in values]
        assert numbers == sorted(numbers) and len(numbers) >= 2
    finally:
        page.close()


TRADES_COLUMNS = ("Entry", "Exit", "Symbol", "Side", "Qty", "Price", "Stop", "Outcome", "P&L", "R")


def test_a_breakdown_link_opens_the_symbol_s_page_and_back_returns(
    browser: Browser, day_page: Path
) -> None:
    """Sort the by-symbol table, follow a symbol to its page (its trades, linking to
    their day), sort that page's trade table, and come back: to the day page with the
    link and by the browser's Back."""
    page = browser.new_page()
    try:
        page.goto(day_page.as_uri())
        table = page.locator("table.breakdown").filter(
            has=page.locator("thead th", has_text="Symbol")
        )
        net = table.locator("thead th").all_inner_texts().index("Net P&L")
        table.locator("thead th").nth(net).locator("button.sort").click()
        first = table.locator("tbody tr").first.locator("th a")
        assert first.inner_text() == "AAPL"  # the worst net P&L first: -1,200.00
        first.click()
        page.wait_for_load_state()
        assert page.url.endswith("/symbols/AAPL.html")
        assert page.locator("h1").inner_text() == "AAPL"
        trades = page.locator("table.key-trades tbody tr")
        assert trades.count() == 1
        assert trades.first.locator("td, th").nth(9).inner_text() == "-1,200.00"
        heading(page, "key-trades", "P&L").click()  # a one-row table sorts too
        day_link = trades.first.locator("td").first.locator("a")
        assert day_link.inner_text() == DAY
        day_link.click()
        page.wait_for_load_state()
        assert page.url == day_page.as_uri()
        page.go_back()
        assert page.url.endswith("/symbols/AAPL.html")
        page.go_back()
        assert page.url == day_page.as_uri()
        assert page.locator("table.trades tbody tr").count() == len(TRADES)
    finally:
        page.close()
