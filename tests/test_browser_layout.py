"""Pages stay readable at every width: a real headless browser (the ``browser`` fixture
of conftest.py) opens a site whose figures are huge (P&L in the hundreds of millions,
symbol and strategy names longer than a phone is wide) at 390, 768, 1,400 and 1,600 px
and measures what it lays out: no figure of a card is clipped, nothing makes the page
scroll sideways, and on a phone the columns that matter of the first breakdown table
(key, closed trades, win rate, net P&L) and the depth of the drawdown table are on
screen without scrolling, the other columns behind a visible cue.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from sitegen.config import load_config
from sitegen.pipeline import build
from tests.conftest import trade, write_log

WIDTHS = (390, 768, 1400, 1600)
PHONE = 390
#: A4 less Chromium's default print margins, in CSS px
A4_CONTENT = 718

#: a name with no break opportunity, and long ones with some
SYMBOLS = (
    "AAPL",
    "BTCUSDTPERPETUALQUARTERLYCONTRACT",
    "ETH-USDT-SWAP-2025-12-26-LINEAR",
)
STRATEGIES = ("mean_reversion_volatility_filter_v12", "Breakout")
WIN = Decimal("4567891.23")
LOSS = Decimal("-3210987.65")
FIRST_DAY = dt.date(2025, 9, 1)
DAYS = 45
PER_DAY = 6


def huge_logs(logs: Path) -> None:
    """DAYS weekdays of PER_DAY trades each, every one worth millions: the all-time net
    P&L runs to hundreds of millions; every fourth day loses, and within a day the equity
    dips below its previous close (so the trade-by-trade and end-of-day drawdowns
    differ)."""
    day, written = FIRST_DAY, 0
    while written < DAYS:
        if day.weekday() < 5:
            records = []
            for j in range(PER_DAY):
                # three days in four gain; the fourth loses (an end-of-day drawdown)
                won = j == 0 if written % 4 == 3 else (written * 7 + j * 3) % 5 < 3
                pnl = WIN + written * Decimal("1000.01") if won else LOSS - j * Decimal("9.99")
                entry = dt.datetime(day.year, day.month, day.day, 13 + j, 5)
                records.append(
                    trade(
                        entry.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        symbol=SYMBOLS[(written + j) % len(SYMBOLS)],
                        outcome="win" if won else "loss",
                        net=str(pnl),
                        exit=(entry + dt.timedelta(minutes=40)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        order_id=f"huge-{written}-{j}",
                        strategy=STRATEGIES[(written + j) % len(STRATEGIES)],
                        price="1234567.89",
                        stop="1230000.00",
                        qty=900,
                        rr=2.0,
                        commission="1234.56",
                        slippage="789.01",
                        action="BUY" if j % 2 else "SELL",
                    )
                )
            write_log(logs, day.isoformat(), records)
            written += 1
        day += dt.timedelta(days=1)


@pytest.fixture(scope="module")
def huge_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("huge")
    huge_logs(root / "logs")
    (root / "config").mkdir()
    (root / "config" / "sitegen.yaml").write_text("logs_dir: ../logs\nsite_dir: ../site\n")
    build(load_config(root / "config" / "sitegen.yaml"))
    return root / "site"


def pages(site: Path) -> list[str]:
    """The overview, and a month, a week and a day with drawdowns and long names (the
    last full week, and a losing day of it)."""
    return ["index.html", "monthly/2025-09.html", "weekly/2025-W43.html", "daily/2025-10-24.html"]


# What the browser measures on a page: everything in one evaluate, so a failure says all
# that is wrong at that width.
MEASURE = """
() => {
  const width = window.innerWidth;
  const text = (el) => el.textContent.replace(/\\s+/g, " ").trim().slice(0, 60);
  const values = [...document.querySelectorAll(".card-value, .stats dd")];
  const clipped = values
    .filter((el) => el.scrollWidth > el.clientWidth)
    .map((el) => `${text(el)} (${el.scrollWidth} > ${el.clientWidth})`);
  // what sticks out of the page, outside any box that scrolls on its own
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const wide = [...document.body.querySelectorAll("*")]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5 && !scrolls(el))
    .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}"> ${text(el)}`)
    .slice(0, 8);
  return {
    clipped,
    scrollWidth: document.documentElement.scrollWidth,
    width,
    wide,
    values: values.length,
  };
}
"""

# The cells of the columns that matter, each with its right edge: the first breakdown
# table's key, closed trades, win rate and net P&L, and the drawdown table's depth.
KEY_CELLS = """
() => {
  const out = [];
  const columns = (table, wanted) => {
    const heads = [...table.tHead.rows[0].cells].map((c) => c.textContent.trim());
    for (const name of wanted) {
      const index = name === "key" ? 0 : heads.indexOf(name);
      if (index < 0) { out.push({table: table.className, name, right: null}); continue; }
      for (const row of [table.tHead.rows[0], ...table.tBodies[0].rows]) {
        const cell = row.cells[index];
        const box = cell.getBoundingClientRect();
        out.push({table: table.className, name, text: cell.textContent.trim(),
                  left: box.left, right: box.right});
      }
    }
  };
  const breakdown = document.querySelector("section[aria-labelledby=h-breakdown] table");
  if (breakdown) columns(breakdown, ["key", "Closed", "Win rate", "Net P&L"]);
  const drawdowns = document.querySelector("table.drawdowns");
  if (drawdowns) columns(drawdowns, ["Depth"]);
  return {cells: out, breakdown: !!breakdown, drawdowns: !!drawdowns};
}
"""

# Each box that scrolls sideways: whether it has more to show, and whether its "scroll
# for more" hint is on screen.
CUES = """
() => [...document.querySelectorAll(".table-wrap")].map((box) => {
  const hint = box.querySelector(":scope > .scroll-hint");
  const shown = !!hint && hint.checkVisibility({visibilityProperty: true, opacityProperty: true})
    && hint.getBoundingClientRect().height > 0;
  const table = box.querySelector("table");
  return {table: table ? table.classList[0] : "", hint: !!hint, shown,
          more: box.scrollWidth > box.clientWidth};
})
"""


def open_page(browser: Browser, site: Path, path: str, width: int) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto((site / path).as_uri())
    return page


@pytest.mark.parametrize("width", WIDTHS)
def test_no_figure_is_clipped_and_nothing_overflows(browser: Browser, huge_site, width):
    problems = []
    for path in pages(huge_site):
        page = open_page(browser, huge_site, path, width)
        found = page.evaluate(MEASURE)
        page.close()
        assert found["values"], path
        if found["clipped"]:
            problems.append(f"{path} @{width}px: clipped {found['clipped']}")
        if found["scrollWidth"] > found["width"]:
            problems.append(
                f"{path} @{width}px: page is {found['scrollWidth']} px wide: {found['wide']}"
            )
    assert not problems, "\n".join(problems)


def test_the_columns_that_matter_stay_on_a_phone(browser: Browser, huge_site):
    problems = []
    for path in pages(huge_site):
        page = open_page(browser, huge_site, path, PHONE)
        found = page.evaluate(KEY_CELLS)
        page.close()
        assert found["breakdown"], path
        assert found["drawdowns"] == (not path.startswith("daily/")), path
        for cell in found["cells"]:
            if cell["right"] is None:
                problems.append(f"{path}: no {cell['name']} column in table.{cell['table']}")
            elif cell["right"] > PHONE or cell["left"] < 0:
                problems.append(
                    f"{path}: {cell['name']} {cell['text']!r} of table.{cell['table']} "
                    f"spans {cell['left']:.0f}..{cell['right']:.0f} px"
                )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", (PHONE, 1600))
def test_a_table_that_scrolls_says_so_and_one_that_fits_does_not(browser, huge_site, width):
    """The wide tables (breakdowns, drawdowns, trades) carry a "scroll for more" hint,
    shown only while the table is wider than its box; on a phone they all scroll."""
    problems, scrolled = [], set()
    for path in pages(huge_site):
        page = open_page(browser, huge_site, path, width)
        for box in page.evaluate(CUES):
            if box["hint"] and box["shown"] != box["more"]:
                problems.append(f"{path} @{width}px: {box}")
            if box["more"]:
                scrolled.add(box["table"])
        if width == PHONE:  # scrolled to its end, a table has no more to show
            page.evaluate(
                "document.querySelectorAll('.table-wrap').forEach(b => b.scrollLeft = 1e6)"
            )
            page.wait_for_timeout(50)
            left = [box for box in page.evaluate(CUES) if box["shown"]]
            if left:
                problems.append(f"{path} @{width}px, scrolled to the end: {left}")
        page.close()
    assert not problems, "\n".join(problems)
    if width == PHONE:
        assert {"grid", "breakdown", "drawdowns", "trades"} <= scrolled
    else:
        assert not scrolled & {"grid", "breakdown", "drawdowns"}


def test_printed_nothing_is_cut_off(browser: Browser, huge_site):
    """On paper nothing scrolls: printed on A4 (about 718 CSS px inside the margins),
    every table fits the page's width."""
    problems = []
    for path in pages(huge_site):
        page = browser.new_page(viewport={"width": A4_CONTENT, "height": 1000})
        page.emulate_media(media="print")
        page.goto((huge_site / path).as_uri())
        found = page.evaluate(MEASURE)
        page.close()
        if found["clipped"] or found["scrollWidth"] > found["width"]:
            problems.append(f"{path}: {found}")
    assert not problems, "\n".join(problems)
