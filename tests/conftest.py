"""Shared fixtures: small trade-log builders for hand-computed tests."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sitegen.site.paths import KEY_NAME

#: The two places a page holds a symbol or strategy outside its text (tests that look for
#: log text in markup allow these): a link to its page, whose name is the key when plain
#: (letters, digits, ``.-``) or a slug of it and a digest, and a plain key's page title.
#: Neither can spell markup or change the text's direction.
KEY_LINK = re.compile(r"(?:\.\./)*(?:symbols|strategies)/" + KEY_NAME.pattern)
KEY_TITLE = re.compile(r"(?:Symbol|Strategy) [A-Za-z0-9][A-Za-z0-9.-]{0,39} · Trading performance")


def trade(
    ts: str,
    symbol: str = "AAPL",
    outcome: str = "win",
    net: str | None = None,
    *,
    exit: str | None = None,
    order_id: str | None = None,
    strategy: str = "A",
    price: str | None = None,
    stop: str | None = None,
    qty: int | None = None,
    rr: float | None = None,
    commission: str | None = None,
    slippage: str | None = None,
    profit: str | None = None,
    **extra,
) -> dict:
    """A trade record in the bot's format with only the fields a test cares about."""
    record = {
        "timestamp": ts,
        "symbol": symbol,
        "action": "BUY",
        "quantity": qty,
        "price": price,
        "order_id": order_id,
        "strategy_name": strategy,
        "stop_loss": stop,
        "risk_reward_ratio": rr,
        "outcome": outcome,
        "profit_loss": profit if profit is not None else net,
        "exit_timestamp": exit,
        "slippage": slippage,
        "commission": commission,
        "net_profit_loss": net if outcome != "open" else None,
    }
    record.update(extra)
    return record


def write_log(logs: Path, day: str, records: list, *, tail: str = "") -> Path:
    """Write YYYY-MM-DD.jsonl; each item is a dict (JSON-encoded) or a raw str line."""
    logs.mkdir(parents=True, exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path = logs / f"{day}.jsonl"
    path.write_text("".join(line + "\n" for line in lines) + tail, encoding="utf-8")
    return path


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    return tmp_path / "logs"


# --------------------------------------------------------------------------- the browser

#: set to 1 to skip the browser tests on purpose (each is then reported as skipped, with
#: this reason); without it, a missing browser fails them with the exact fix
SKIP_BROWSER = "SITEGEN_SKIP_BROWSER_TESTS"
#: Debian's chromium (CI installs it); elsewhere, Playwright's own
SYSTEM_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium_or_why(own: str) -> tuple[str | None, str]:
    """(the Chromium to launch, '') or (None, what to do): the system one where present,
    else Playwright's own (``own``, its expected path) when it is installed."""
    if SYSTEM_CHROMIUM.exists():
        return str(SYSTEM_CHROMIUM), ""
    if own and Path(own).exists():
        return own, ""
    return None, (
        f"no Chromium for the browser tests: neither {SYSTEM_CHROMIUM} nor Playwright's "
        f"({own or 'not installed'}). Fix: `sudo apt-get install chromium` (Debian/Ubuntu) "
        "or `.venv/bin/python -m playwright install chromium`; or skip them on purpose "
        f"with {SKIP_BROWSER}=1"
    )


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven by Playwright, shared by every browser test."""
    import os

    if os.environ.get(SKIP_BROWSER) == "1":
        pytest.skip(f"browser tests skipped on purpose: {SKIP_BROWSER}=1")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        executable, why = chromium_or_why(playwright.chromium.executable_path)
        if executable is None:
            pytest.fail(why, pytrace=False)
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


# --------------------------------------------------------------------------- parsed pages

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"})


class Elements(HTMLParser):
    """Every tag with its attributes, and each text (and comment) with the elements
    it sits in, innermost last."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.texts: list[tuple[str, tuple[str, ...]]] = []
        self.comments: list[str] = []
        self._open: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        if tag not in _VOID:
            self._open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag in self._open:
            while self._open.pop() != tag:
                pass

    def handle_data(self, data):
        self.texts.append((data, tuple(self._open)))

    def handle_comment(self, data):
        self.comments.append(data)

    def handle_decl(self, decl):
        self.comments.append(decl)

    def handle_pi(self, data):
        self.comments.append(data)

    def unknown_decl(self, data):
        self.comments.append(data)
