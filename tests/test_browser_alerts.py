"""Alert banners and the alerts page in a real browser (the ``browser`` fixture of
conftest.py), opened from disk on a phone (390 px) and a wide screen (1,400 px): no
element sticks out of the page sideways, and a banner stays a fraction of the screen
however many incidents there are.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser, Page

from sitegen import demo
from sitegen.config import load_config
from sitegen.pipeline import build

VIEWPORTS = ((390, 844), (1400, 900))
#: a banner may take at most this share of the screen's height
BANNER_SHARE = 0.6
#: a rule name without a break, to wrap somewhere
LONG_RULE = "daily_net_loss_against_the_target_of_the_whole_trading_desk_for_the_day"

#: every element that is not inside a scrolling box (a wide table, a chart) ends inside
#: the viewport; returns those that do not
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    let boxed = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") { boxed = true; break; }
    }
    const r = el.getBoundingClientRect();
    if (!boxed && r.width > 0 && r.right > width + 1) {
      found.push(`${el.tagName.toLowerCase()}.${el.className} right=${Math.round(r.right)}`);
    }
  }
  return found.slice(0, 10);
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Three months of demo logs, targets strict enough for runs of alerts, and a
    CRITICAL rule with a long name (so in every banner) that breaches on losing days."""
    root = tmp_path_factory.mktemp("alerts-site")
    demo.generate(root / "logs", days=65, per_day=8, seed=11)
    (root / "config").mkdir()
    (root / "config" / "dashboard-targets.yaml").write_text(
        "win_rate_target: 60\navg_risk_reward_target: 3\n"
    )
    rule = json.dumps({"metric": "net_pnl", "comparison": "<", "target": 0, "severity": "CRITICAL"})
    (root / "config" / "sitegen.yaml").write_text(
        "logs_dir: ../logs\nsite_dir: ../site\ntargets_file: dashboard-targets.yaml\n"
        f"rules:\n  {LONG_RULE}: {rule}\n"
    )
    report = build(load_config(root / "config" / "sitegen.yaml"))
    assert len(report.open_breaches) > 5
    site = root / "site"
    # the month with the most alerts: its banner has the most incidents to cap
    months = {
        m.stem: json.loads((site / "data" / f"monthly-summary-{m.stem}.json").read_text())
        for m in (site / "monthly").glob("*.html")
    }
    month = max(months, key=lambda m: len(months[m]["alerts"]))
    assert len(months[month]["alerts"]) > 20
    return site, month


def check(page: Page, width: int, height: int, where: str) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert scroll <= inner == width, f"{where} at {width} px: the page scrolls sideways"
    assert page.evaluate(OVERFLOWING) == [], f"{where} at {width} px"
    for banner in page.locator("[role=alert]").all():
        box = banner.bounding_box()
        assert box is not None and box["height"] < BANNER_SHARE * height, (where, width, box)


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_index_a_long_month_and_the_alerts_page_fit_the_screen(
    browser: Browser, site, width, height
):
    folder, month = site
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto((folder / "index.html").as_uri())
        banner = page.locator("[role=alert]")
        assert banner.count() == 1
        assert banner.locator("li").count() == 5
        assert LONG_RULE in banner.inner_text() and "more on the" in banner.inner_text()
        check(page, width, height, "index.html")

        page.goto((folder / "monthly" / f"{month}.html").as_uri())
        banner = page.locator("[role=alert]")
        assert banner.count() == 1 and banner.locator("li").count() == 5
        # after the key figures' row
        cards = page.locator(".cards").first.bounding_box()
        assert cards is not None and banner.bounding_box()["y"] > cards["y"] + cards["height"]
        check(page, width, height, f"monthly/{month}.html")
        banner.locator("a", has_text="alerts page").click()
        assert page.url.endswith("/alerts.html")

        page.goto((folder / "alerts.html").as_uri())
        rows = page.locator("table.incidents > tbody")
        assert rows.count() > 5
        assert LONG_RULE in page.locator("table.incidents").inner_text()
        check(page, width, height, "alerts.html")
        # the table itself fits: nothing to scroll sideways, even on a phone
        wrap = page.locator(".table-wrap").first
        assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth"), width
        # with every incident's alerts unfolded, too
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert page.locator("table.incidents details li").count() > rows.count()
        check(page, width, height, "alerts.html, unfolded")
    finally:
        page.close()
