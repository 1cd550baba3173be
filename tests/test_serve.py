"""``sitegen serve``: address parsing, what is watched, rebuilds that fail without taking
the site down, a live server (in a thread) that rebuilds on change and never serves a
file outside the site folder, and Ctrl-C in a real process."""

from __future__ import annotations

import asyncio
import glob
import http.client
import json
import logging
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import webbrowser
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from livereload.handlers import LiveReloadHandler
from tornado.ioloop import IOLoop

from sitegen import demo
from sitegen.cli import main
from sitegen.config import Config, load_config
from sitegen.errors import BuildError, ConfigError
from sitegen.serve import Rebuilder, _is_loopback, parse_address, serve, watched_paths
from sitegen.site import default_templates_dir
from tests.conftest import trade

SECRET = "top-secret-outside-the-site"


# --- helpers -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    """(status, body) of a GET; 0 when nothing answers yet."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, ""


def raw_get(port: int, path: str) -> tuple[int, str]:
    """A GET with ``path`` sent exactly as written (no client-side normalisation)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def append_trade(logs: Path, symbol: str) -> str:
    """Append a big closed win to the latest log file; return that file's date."""
    latest = max(logs.glob("????-??-??.jsonl"))
    day = latest.stem
    record = trade(
        f"{day}T15:00:00Z",
        symbol,
        "win",
        "5000.00",
        exit=f"{day}T15:30:00Z",
        order_id=f"ord-{symbol}",
        price="100.00",
        stop="99.00",
        qty=100,
        rr=2.0,
    )
    with latest.open("a", encoding="utf-8") as fp:
        fp.write(json.dumps(record) + "\n")
    return day


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


@pytest.fixture
def keep_livereload_state(monkeypatch):
    """livereload keeps state on loggers and on its handler class: put it back."""
    monkeypatch.setattr(LiveReloadHandler, "watcher", LiveReloadHandler.watcher)
    saved = {name: list(logging.getLogger(name).handlers) for name in ("livereload", "tornado")}
    yield
    for name, handlers in saved.items():
        logging.getLogger(name).handlers[:] = handlers


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> SimpleNamespace:
    """Demo logs in a fresh working folder (so no repository config is picked up)."""
    monkeypatch.chdir(tmp_path)
    logs = tmp_path / "logs"
    demo.generate(logs, days=3, per_day=4, seed=5)
    config = Config(logs_dir=logs, site_dir=tmp_path / "site", targets_file=tmp_path / "t.yaml")
    return SimpleNamespace(root=tmp_path, logs=logs, site=tmp_path / "site", config=config)


# --- address -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("127.0.0.1:8000", ("127.0.0.1", 8000)),
        ("localhost:9000", ("localhost", 9000)),
        ("0.0.0.0:80", ("0.0.0.0", 80)),
        ("[::1]:8001", ("::1", 8001)),
        (":8002", ("127.0.0.1", 8002)),
        (" 127.0.0.1:65535 ", ("127.0.0.1", 65535)),
    ],
)
def test_parse_address(value, expected):
    assert parse_address(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("8000", "expected HOST:PORT"),
        ("localhost", "expected HOST:PORT"),
        ("localhost:", "expected HOST:PORT"),
        ("localhost:http", "expected HOST:PORT"),
        ("localhost:-1", "expected HOST:PORT"),
        ("localhost:0", "expected HOST:PORT"),
        ("localhost:65536", "expected HOST:PORT"),
        ("::1:8000", "IPv6 host in brackets"),
        ("my host:8000", "not a host name"),
        ("", "expected HOST:PORT"),
    ],
)
def test_parse_address_rejects(value, message):
    with pytest.raises(ValueError, match=message):
        parse_address(value)


def test_cli_bad_address_is_a_clear_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["serve", "-a", "localhost"])
    assert result.exit_code == 1
    assert "Invalid value for '-a' / '--dev-addr'" in result.output
    assert "expected HOST:PORT such as 127.0.0.1:8000, got 'localhost'" in result.output


def test_cli_passes_options_and_reads_the_config_again(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    calls = []
    monkeypatch.setattr("sitegen.serve.serve", lambda config, **kw: calls.append((config, kw)))
    runner = CliRunner()

    assert runner.invoke(main, ["serve", "--logs", "L", "--out", "S"]).exit_code == 0
    config, kw = calls.pop()
    assert (kw["host"], kw["port"], kw["open_browser"]) == ("127.0.0.1", 8000, False)
    assert (config.logs_dir, config.site_dir) == (Path("L"), Path("S"))

    result = runner.invoke(main, ["serve", "-a", "0.0.0.0:8123", "--open", "--logs", "L"])
    assert result.exit_code == 0, result.output
    config, kw = calls.pop()
    assert (kw["host"], kw["port"], kw["open_browser"]) == ("0.0.0.0", 8123, True)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "sitegen.yaml").write_text("timezone: Europe/Paris\n")
    reloaded = kw["load"]()  # what a rebuild sees: the file as it is now, same overrides
    assert (reloaded.timezone, reloaded.logs_dir) == ("Europe/Paris", Path("L"))


# --- what is watched -----------------------------------------------------------------


def test_watched_paths_cover_logs_config_targets_templates(tmp_path):
    logs = tmp_path / "lo[g]s"  # glob characters in a path are matched literally
    demo.generate(logs, days=2, per_day=2, seed=1)
    (logs / "performance").mkdir()
    (logs / "performance" / "daily-summary-2025-09-01.json").write_text("{}")
    (logs / "performance-alerts.jsonl").write_text("")
    theme = tmp_path / "theme"
    theme.mkdir()
    config = Config(logs_dir=logs, targets_file=tmp_path / "t.yaml", templates_dir=theme)

    specs = watched_paths(config)
    found = {Path(p).name for p in glob.glob(specs[0])}
    assert found == {p.name for p in logs.glob("*.jsonl")}
    assert "performance-alerts.jsonl" in found  # `sitegen ack` shows up on the site
    assert glob.escape(str(tmp_path / "t.yaml")) in specs
    assert glob.escape("config/sitegen.yaml") in specs  # watched before it exists
    assert specs[-1] == str(theme)
    assert watched_paths(Config())[-1] == str(default_templates_dir())
    # an alert log outside the logs folder (`alert_log`) is watched too
    elsewhere = tmp_path / "state" / "alerts.jsonl"
    assert glob.escape(str(elsewhere)) in watched_paths(Config(logs_dir=logs, alert_log=elsewhere))
    assert len(watched_paths(config)) == len(specs)


# --- rebuilds ------------------------------------------------------------------------


def test_rebuild_reuses_the_scan_cache_and_reloads_only_after_changes(project):
    reloads = []
    rebuilder = Rebuilder(project.config, lambda: project.config)
    rebuilder.reload_pages = lambda: reloads.append(1)
    first = rebuilder.rebuild()
    assert first is not None and first.pages_rendered > 0 and len(reloads) == 1

    day = append_trade(project.logs, "ZZWIN")
    report = rebuilder.rebuild()
    assert report is not None and not report.up_to_date
    # through the kept cache: only the changed log file is a miss
    assert (report.cache_misses, report.cache_hits) == (1, report.files_total - 1)
    assert "ZZWIN" in (project.site / "daily" / f"{day}.html").read_text()
    assert len(reloads) == 2

    again = rebuilder.rebuild()
    assert again is not None and again.up_to_date
    assert len(reloads) == 2  # nothing changed: no reload


def test_template_error_keeps_the_last_good_site(project, caplog):
    theme = project.root / "theme"
    theme.mkdir()
    config = Config(
        logs_dir=project.logs,
        site_dir=project.site,
        targets_file=project.root / "t.yaml",
        templates_dir=theme,
    )
    reloads = []
    rebuilder = Rebuilder(config, lambda: config)
    rebuilder.reload_pages = lambda: reloads.append(1)
    assert rebuilder.rebuild() is not None
    good = site_files(project.site)

    base = (default_templates_dir() / "base.html").read_text()
    (theme / "base.html").write_text("{% if %}\n" + base)
    caplog.set_level(logging.INFO, logger="sitegen")
    assert rebuilder.rebuild() is None
    assert "base.html:1: template syntax error" in caplog.text
    assert "still serving the last good site" in caplog.text
    assert site_files(project.site) == good
    assert len(reloads) == 1

    (theme / "base.html").write_text(base.replace("<head>", "<head>\n<!-- restyled -->"))
    assert rebuilder.rebuild() is not None
    assert "<!-- restyled -->" in (project.site / "index.html").read_text()
    assert len(reloads) == 2


def test_undefined_template_variable_names_the_template(project, caplog):
    theme = project.root / "theme"
    theme.mkdir()
    (theme / "index.html").write_text("{{ no_such_variable.x }}\n")
    config = Config(logs_dir=project.logs, site_dir=project.site, templates_dir=theme)
    assert Rebuilder(config, lambda: config).rebuild() is None
    assert "index.html:1: template error: UndefinedError" in caplog.text


def test_bad_config_keeps_serving_and_a_fix_rebuilds(project, caplog):
    cfg = project.root / "sitegen.yaml"
    cfg.write_text("logs_dir: logs\nsite_dir: site\n")
    config = load_config(cfg)
    rebuilder = Rebuilder(config, lambda: load_config(cfg))
    assert rebuilder.rebuild() is not None

    cfg.write_text("logs_dir: logs\nsite_dir: site\ntimezone: Mars/Olympus_Mons\n")
    assert rebuilder.rebuild() is None
    assert "build failed:" in caplog.text and "Mars/Olympus_Mons" in caplog.text

    cfg.write_text("logs_dir: logs\nsite_dir: site\ntimezone: America/New_York\n")
    report = rebuilder.rebuild()
    assert report is not None and not report.up_to_date  # new settings: pages redone
    assert rebuilder.config.timezone == "America/New_York"


def test_unexpected_error_is_shown_with_its_traceback_and_not_raised(project, caplog):
    rebuilder = Rebuilder(project.config, lambda: 1 / 0)
    cache = rebuilder.cache
    assert rebuilder.rebuild() is None
    assert "unexpected error" in caplog.text and "ZeroDivisionError" in caplog.text
    assert rebuilder.cache is not cache  # start again from the on-disk index


def test_a_changed_site_dir_still_builds_into_the_served_folder(project, caplog):
    moved = Config(logs_dir=project.logs, site_dir=project.root / "elsewhere")
    rebuilder = Rebuilder(project.config, lambda: moved)
    assert rebuilder.rebuild() is not None
    assert (project.site / "index.html").is_file()
    assert not (project.root / "elsewhere").exists()
    assert "restart serve" in caplog.text


def test_first_build_failure_with_no_site_is_an_error(project):
    theme = project.root / "theme"
    theme.mkdir()
    (theme / "base.html").write_text("{% endblock %}")
    config = Config(logs_dir=project.logs, site_dir=project.site, templates_dir=theme)
    with pytest.raises(BuildError, match="no site to serve"):
        serve(config, port=free_port())


def test_port_in_use_is_a_clear_error(project, keep_livereload_state):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ConfigError, match=f"-a 127.0.0.1:{port}: cannot listen there"):
            serve(project.config, host="127.0.0.1", port=port)


# --- a live server, in a thread --------------------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """serve() on a free port in a thread with its own event loop; stopped at the end."""
    root = tmp_path_factory.mktemp("live")
    logs = root / "logs"
    demo.generate(logs, days=3, per_day=4, seed=11)
    (root / "secret.txt").write_text(SECRET)
    site = root / "site"
    config = Config(logs_dir=logs, site_dir=site, targets_file=root / "t.yaml")
    port, loop, opened = free_port(), {}, []
    saved = {name: list(logging.getLogger(name).handlers) for name in ("livereload", "tornado")}

    def run() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        loop["io"] = IOLoop.current()
        serve(config, host="127.0.0.1", port=port, open_browser=True)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(webbrowser, "open", opened.append)
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{port}/"
        wait_until(lambda: get(base)[0] == 200, 30, "the server to answer")
        (site / "escape").symlink_to(root / "secret.txt")
        yield SimpleNamespace(base=base, port=port, logs=logs, site=site, opened=opened)
        loop["io"].add_callback(loop["io"].stop)
        thread.join(10)
    assert not thread.is_alive()
    for name, handlers in saved.items():
        logging.getLogger(name).handlers[:] = handlers


def test_live_server_serves_the_site_with_the_reload_script(live):
    status, body = get(live.base)
    assert status == 200 and "<h1>" in body
    assert "livereload.js" in body  # injected into every page
    wait_until(lambda: live.opened == [live.base], 5, "--open to open the browser")


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/daily/../../secret.txt",
        "/daily/%2e%2e/%2e%2e/secret.txt",
        "/./../secret.txt",
        "/%252e%252e/secret.txt",
        "//secret.txt",
        "/escape",  # a symlink inside the site to a file outside it
        "/../../../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    ],
)
def test_live_server_never_serves_a_file_outside_the_site(live, path):
    status, body = raw_get(live.port, path)
    assert status in (403, 404), (path, status)
    assert SECRET not in body and "root:" not in body
    status, body = get(live.base.rstrip("/") + path)  # and through urllib
    assert status in (403, 404), (path, status)
    assert SECRET not in body and "root:" not in body


def test_live_server_rebuilds_when_a_log_changes(live):
    day = append_trade(live.logs, "ZZLIVE")
    page = f"{live.base}daily/{day}.html"
    wait_until(lambda: "ZZLIVE" in get(page)[1], 20, "the rebuilt page")


# --- Ctrl-C, in a real process ----------------------------------------------------------


def test_ctrl_c_exits_cleanly(tmp_path):
    demo.generate(tmp_path / "logs", days=2, per_day=3, seed=2)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sitegen", "serve", "-a", f"127.0.0.1:{port}"],
            cwd=tmp_path,
            stdout=output,
            stderr=subprocess.STDOUT,
            # a shell without job control starts background jobs with SIGINT ignored
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        try:
            wait_until(
                lambda: proc.poll() is not None or get(f"http://127.0.0.1:{port}/")[0] == 200,
                30,
                "the server to answer",
            )
            assert proc.poll() is None, log.read_text()
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=10) == 0, log.read_text()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
    text = log.read_text()
    assert "Traceback" not in text
    assert "stopped serving" in text
    assert (tmp_path / "site" / "index.html").is_file()  # the default site folder


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.5", False),
        ("example.org", False),
    ],
)
def test_only_loopback_hosts_count_as_private(host, loopback):
    assert _is_loopback(host) is loopback
