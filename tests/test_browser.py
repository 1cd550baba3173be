"""A real headless browser (Chromium, driven by Playwright: the ``browser`` fixture of
conftest.py) reads the site: opened from disk it follows the navigation and sees the
alert banner without any network request; served by ``sitegen serve`` it reloads by
itself after a log change.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import Browser, expect

from sitegen import demo
from sitegen.config import load_config
from sitegen.pipeline import build
from tests.conftest import trade

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --- the site opened from disk ---------------------------------------------------------


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """Demo logs and targets strict enough that every day has an alert; one build."""
    root = tmp_path_factory.mktemp("site")
    demo.generate(root / "logs", days=10, per_day=8, seed=7)
    (root / "config").mkdir()
    (root / "config" / "dashboard-targets.yaml").write_text(
        "win_rate_target: 60\navg_risk_reward_target: 3\n"
    )
    (root / "config" / "sitegen.yaml").write_text(
        "logs_dir: ../logs\nsite_dir: ../site\ntargets_file: dashboard-targets.yaml\n"
    )
    report = build(load_config(root / "config" / "sitegen.yaml"))
    assert report.open_breaches, "the strict targets should raise alerts"
    return root / "site", report.latest


def test_site_from_disk_navigation_alerts_and_no_network(browser: Browser, demo_site, tmp_path):
    site, latest = demo_site
    day = latest["daily"]
    days = sorted(p.stem for p in (site / "daily").glob("*.html"))
    assert days[-1] == day
    previous = days[-2]
    iso = dt.date.fromisoformat(day).isocalendar()
    week, month = f"{iso.year}-W{iso.week:02d}", day[:7]

    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    def at(path: str, period: str) -> None:
        expect(page).to_have_url((site / path).as_uri())
        expect(page).to_have_title(re.compile(re.escape(period)))
        expect(page.locator("h1")).to_be_visible()
        assert page.locator("h1").inner_text().strip()

    page.goto((site / "index.html").as_uri())
    expect(page.locator("h1")).to_be_visible()
    page.locator(f'a[href="daily/{day}.html"]').first.click()
    at(f"daily/{day}.html", day)

    banner = page.locator("[role=alert]").first
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(re.compile(r"\b(WARN|CRITICAL)\b"))

    page.locator("a[rel=prev]").first.click()
    at(f"daily/{previous}.html", previous)
    page.locator("a[rel=next]").first.click()
    at(f"daily/{day}.html", day)
    page.locator(f'a[href$="weekly/{week}.html"]').first.click()
    at(f"weekly/{week}.html", week)
    page.locator(f'a[href$="monthly/{month}.html"]').first.click()
    at(f"monthly/{month}.html", month)
    page.locator('a[href="../index.html"]').first.click()
    expect(page).to_have_url((site / "index.html").as_uri())

    shot = tmp_path / "overview.png"
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 1000
    page.close()

    assert requests, "the page loads should have been seen"
    online = [url for url in requests if url.startswith(("http://", "https://"))]
    assert not online, f"the site made network requests: {online}"


# --- sitegen serve: the open page reloads by itself ---------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def test_serve_reloads_the_open_page_after_a_log_change(browser: Browser, tmp_path):
    logs, site = tmp_path / "logs", tmp_path / "out"
    demo.generate(logs, days=4, per_day=5, seed=3)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    output = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sitegen",
            "serve",
            "-a",
            f"127.0.0.1:{port}",
            "--logs",
            logs,
            "--out",
            site,
        ],
        cwd=tmp_path,
        stdout=output,
        stderr=subprocess.STDOUT,
        # a shell without job control starts background jobs with SIGINT ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )

    def log() -> str:
        output.flush()
        return (tmp_path / "serve.log").read_text()

    try:
        deadline = time.monotonic() + 30
        while not answers(base):
            assert proc.poll() is None, log()
            assert time.monotonic() < deadline, "serve did not answer in 30 s\n" + log()
            time.sleep(0.1)

        latest = max(logs.glob("????-??-??.jsonl"))
        day = latest.stem
        assert max(p.stem for p in (site / "daily").glob("*.html")) == day

        page = browser.new_page()
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        sent: list[str] = []
        page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(frame)))
        page.goto(f"{base}daily/{day}.html")
        main = page.locator("main")
        expect(main).to_be_visible()
        before = main.inner_text()
        assert "ZZBIGWIN" not in before
        deadline = time.monotonic() + 10  # livereload.js says "info" once it listens
        while not any('"info"' in str(frame) for frame in sent):
            assert time.monotonic() < deadline, "the page never connected to livereload"
            page.wait_for_timeout(100)
        page.evaluate("window.__beforeReload = true")

        record = trade(
            f"{day}T16:00:00Z",
            "ZZBIGWIN",
            "win",
            "25000.00",
            exit=f"{day}T16:20:00Z",
            order_id="ord-browser-bigwin",
            price="100.00",
            stop="99.00",
            qty=1000,
            rr=3.0,
        )
        with page.expect_event("load", timeout=20_000), latest.open("a") as fp:
            fp.write(json.dumps(record) + "\n")
        assert page.evaluate("window.__beforeReload") is None  # a real reload
        expect(main).to_contain_text("ZZBIGWIN")
        assert main.inner_text() != before
        page.close()
        assert all(url.startswith(base) for url in requests), requests

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0, log()
        assert "Traceback" not in log()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        output.close()


def test_a_missing_browser_fails_with_the_fix_instead_of_skipping(tmp_path, monkeypatch):
    """Without a system Chromium or Playwright's, the browser fixture fails (it never
    skips unless asked to), and the message says what to install."""
    import tests.conftest as conftest

    monkeypatch.setattr(conftest, "SYSTEM_CHROMIUM", tmp_path / "no-chromium")
    executable, why = conftest.chromium_or_why(str(tmp_path / "no-playwright-chromium"))
    assert executable is None
    assert "apt-get install chromium" in why and "playwright install chromium" in why
    assert "SITEGEN_SKIP_BROWSER_TESTS=1" in why
    own = tmp_path / "chrome"
    own.write_bytes(b"")
    assert conftest.chromium_or_why(str(own)) == (str(own), "")
