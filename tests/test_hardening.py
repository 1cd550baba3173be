"""What sitegen never does, whatever the user or the machine throws at it: replace a
log file, lose a raised alert, write through a symlink, serve anything but the site's
own files, leave worker processes behind, or answer a mistake with a traceback."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import http.client
import json
import logging
import math
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from livereload.handlers import LiveReloadHandler
from tornado.ioloop import IOLoop

import sitegen
from sitegen import alertlog, demo
from sitegen import writer as writer_module
from sitegen.alertlog import append_events, read_alert_log
from sitegen.cache import NO_STAMP, file_stamp, load_index, read_head
from sitegen.cli import main
from sitegen.config import ENV_ROLLING, ENV_TIMEZONE, Config, load_config
from sitegen.errors import BuildError, ConfigError, SitegenError
from sitegen.lock import BuildLock
from sitegen.serve import serve
from sitegen.writer import Writer


class Hung(Exception):
    """Not an OSError (as TimeoutError is), which the code under test may catch."""


@contextlib.contextmanager
def deadline(seconds: int):
    """Fail instead of hanging (a FIFO opened for reading waits for a writer)."""

    def hung(signum, frame):
        raise Hung(f"still waiting after {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------- writing outputs


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EDQUOT, "disk quota"),
        (errno.EACCES, "check the folder's permissions"),
        (errno.EPERM, "check the folder's permissions"),
        (errno.EROFS, "read-only file system"),
        (errno.EIO, "Input/output error"),
    ],
)
def test_a_failed_write_names_its_real_cause(tmp_path, monkeypatch, code, reason):
    def fail(path, data):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(writer_module, "atomic_write", fail)
    with pytest.raises(BuildError) as caught:
        Writer(tmp_path).write("daily/2025-10-10.html", b"<p>")
    message = str(caught.value)
    assert str(tmp_path / "daily" / "2025-10-10.html") in message
    assert reason in message
    if code not in (errno.EACCES, errno.EPERM):
        assert "permission" not in message.lower()


# --------------------------------------------------------------------------- demo-data


def run(*args: str, code: int = 0):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, (result.output, result.exception)
    assert "Traceback" not in result.output
    return result


def files(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Each file's bytes, inode and mtime: a replaced file shows even with the same bytes."""
    return {
        p.name: (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


def test_demo_data_never_replaces_a_log_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run("demo-data", "--out", "logs", "--days", "6", "--per-day", "3")
    before = files(tmp_path / "logs")
    result = run(
        "demo-data", "--out", "logs", "--days", "6", "--per-day", "3", "--seed", "9", code=1
    )
    assert "2025-09-01.jsonl" in result.output and "already exist" in result.output
    assert "nothing was written" in result.output and "--force" in result.output
    assert files(tmp_path / "logs") == before


def test_demo_data_checks_every_file_before_writing_any(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "2025-09-05.jsonl").write_text('{"the": "bot\'s own log"}\n')  # the 5th day
    before = files(logs)
    result = run("demo-data", "--out", "logs", "--days", "6", code=1)
    assert "logs/2025-09-05.jsonl" in result.output
    assert files(logs) == before  # not even the days before it were written


def test_demo_generate_refuses_unless_forced(tmp_path):
    first = demo.generate(tmp_path / "logs", days=2, per_day=1)
    before = files(tmp_path / "logs")
    with pytest.raises(ConfigError, match="already exist"):
        demo.generate(tmp_path / "logs", days=2, per_day=1, seed=2)
    assert files(tmp_path / "logs") == before
    assert demo.generate(tmp_path / "logs", days=2, per_day=1, seed=2, force=True) == first
    assert files(tmp_path / "logs").keys() == before.keys()


def test_demo_data_never_replaces_a_log_that_appears_while_it_writes(tmp_path, monkeypatch):
    logs = tmp_path / "logs"
    logs.mkdir()
    bots = logs / "2025-09-03.jsonl"
    bots.write_text("the bot's own log\n")
    monkeypatch.setattr(demo.os.path, "lexists", lambda path: False)  # not there when checked
    with pytest.raises(ConfigError, match=r"2025-09-03.jsonl.*only 2 new files were written"):
        demo.generate(logs, days=4, per_day=2)
    assert bots.read_text() == "the bot's own log\n"
    assert sorted(p.name for p in logs.iterdir()) == [
        "2025-09-01.jsonl",
        "2025-09-02.jsonl",
        "2025-09-03.jsonl",
    ]  # and no temp file


def test_write_new_without_hard_links_still_never_replaces(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(writer_module.os, "link", no_links)
    writer_module.write_new(tmp_path / "a.jsonl", b"new\n")
    assert (tmp_path / "a.jsonl").read_bytes() == b"new\n"
    with pytest.raises(FileExistsError):
        writer_module.write_new(tmp_path / "a.jsonl", b"other\n")
    assert [p.name for p in tmp_path.iterdir()] == ["a.jsonl"]


def test_demo_data_force_replaces(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run("demo-data", "--out", "logs", "--days", "3", "--seed", "1")
    first = files(tmp_path / "logs")
    run("demo-data", "--out", "logs", "--days", "3", "--seed", "2", "--force")
    again = files(tmp_path / "logs")
    assert again.keys() == first.keys()
    assert all(again[name][0] != first[name][0] for name in first)


def test_demo_data_into_a_file_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("logs").write_text("not a folder")
    result = run("demo-data", "--out", "logs/sub", "--days", "2", code=1)
    assert "logs/sub" in result.output


def test_build_demo_still_fills_an_empty_logs_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "performance-alerts.jsonl").write_text("")  # not a trade log
    result = CliRunner().invoke(main, ["build", "--demo", "--no-site"])
    assert result.exit_code in (0, 2), result.output
    assert "days of demo logs" in result.output
    assert len(list(logs.glob("2025-*.jsonl"))) == 59
    result = CliRunner().invoke(main, ["build", "--demo", "--no-site"])
    assert "demo logs" not in result.output  # it has logs now: they are left alone


# --------------------------------------------------------------------------- the alert log

#: strict enough that the default rules fire on the demo data
STRICT = "win_rate_target: 90\navg_risk_reward_target: 5\nmax_drawdown_target: -1\n"


def event(period: str, **changes) -> dict:
    base = {
        "id": f"win_rate_breach:daily:{period}",
        "rule": "win_rate_breach",
        "window": "daily",
        "period": period,
        "metric": "rolling_win_rate",
        "actual": "25.000000",
        "target": "50",
        "severity": "WARN",
        "raised_at": f"{period}T20:00:00Z",
        "acknowledged_at": None,
        "context": {"last_n": 4, "wins": 1, "comparison": "<", "since": period},
    }
    base.update(changes)
    return base


class FaultyOs:
    """``os`` as alertlog sees it, with a write that takes at most ``limit`` bytes a
    call and, once ``budget`` bytes are written, fails with ``error``."""

    def __init__(self, limit: int = 1 << 30, budget: int = 1 << 30, error: int = errno.ENOSPC):
        self.limit, self.budget, self.error = limit, budget, error
        self.calls = 0

    def __getattr__(self, name):
        return getattr(os, name)

    def write(self, fd: int, data) -> int:
        self.calls += 1
        if self.budget <= 0:
            raise OSError(self.error, os.strerror(self.error))
        n = os.write(fd, bytes(data[: min(self.limit, self.budget)]))
        self.budget -= n
        return n


@pytest.fixture
def alert_log(tmp_path) -> Path:
    return tmp_path / "logs" / "performance-alerts.jsonl"


def test_an_append_survives_short_writes(alert_log, monkeypatch):
    append_events(alert_log, [event("2025-10-06")])
    read = file_stamp(alert_log)
    faulty = FaultyOs(limit=7)
    monkeypatch.setattr(alertlog, "os", faulty)
    events = [event("2025-10-07"), event("2025-10-08", context={"note": "ü €"})]
    stamp = append_events(alert_log, events, read)
    assert faulty.calls > 10
    assert list(read_alert_log(alert_log)) == [e["id"] for e in [event("2025-10-06"), *events]]
    assert alert_log.read_bytes().endswith(b"\n")
    assert stamp == file_stamp(alert_log)  # ours was the only write: the log as we know it


@pytest.mark.parametrize("budget", [0, 1, 150])
def test_an_append_on_a_full_disk_is_whole_or_absent(alert_log, monkeypatch, budget):
    append_events(alert_log, [event("2025-10-06")])
    before = alert_log.read_bytes()
    monkeypatch.setattr(alertlog, "os", FaultyOs(limit=100, budget=budget))
    with pytest.raises(SitegenError) as caught:
        append_events(alert_log, [event("2025-10-07"), event("2025-10-08")], NO_STAMP)
    message = str(caught.value)
    assert str(alert_log) in message and "the disk is full" in message
    assert "permission" not in message.lower()
    assert alert_log.read_bytes() == before  # nothing torn left behind


def test_a_full_disk_during_a_build_loses_no_alert(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    demo.generate(tmp_path / "logs", days=8, per_day=6, seed=3)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "dashboard-targets.yaml").write_text(STRICT)
    log = tmp_path / "logs" / "performance-alerts.jsonl"
    log.write_text(json.dumps(event("2025-09-01", rule="x", id="x")) + "\n")
    before = log.read_bytes()
    monkeypatch.setattr(alertlog, "os", FaultyOs(limit=64, budget=300))
    result = CliRunner().invoke(main, ["build", "--no-site"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "logs/performance-alerts.jsonl: the disk is full" in result.output
    assert log.read_bytes() == before
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--no-site"])
    assert result.exit_code == 2, result.output
    assert log.read_bytes().startswith(before)
    raised = read_alert_log(log)
    assert len(raised) > 3  # every event the build raises is in the log
    assert CliRunner().invoke(main, ["build", "--no-site", "--full"]).exit_code == 2
    assert read_alert_log(log) == raised  # and none was missing


def test_a_torn_alert_log_is_repaired_by_the_next_build(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    demo.generate(tmp_path / "logs", days=8, per_day=6, seed=3)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "dashboard-targets.yaml").write_text(STRICT)
    log = tmp_path / "logs" / "performance-alerts.jsonl"
    assert CliRunner().invoke(main, ["build", "--no-site"]).exit_code == 2
    whole = log.read_bytes()
    lines = whole.splitlines(keepends=True)
    assert len(lines) > 3
    torn = b"".join(lines[:-3]) + lines[-3][:25]  # a crash in the middle of a write
    log.write_bytes(torn)
    result = CliRunner().invoke(main, ["build", "--no-site"])
    assert result.exit_code == 2, result.output
    repaired = log.read_bytes()
    assert repaired.startswith(torn + b"\n")  # nothing rewritten: the rest appended
    assert repaired.endswith(b"\n")
    assert read_alert_log(log) == {json.loads(x)["id"]: json.loads(x) for x in lines}
    assert CliRunner().invoke(main, ["build", "--no-site"]).exit_code == 2
    assert log.read_bytes() == repaired  # whole again: nothing more to append


def test_a_symlinked_alert_log_is_refused(tmp_path, monkeypatch):
    outside = tmp_path / "elsewhere.jsonl"
    outside.write_text(json.dumps(event("2025-10-06")) + "\n")
    before = outside.read_bytes()
    log = tmp_path / "logs" / "performance-alerts.jsonl"
    log.parent.mkdir()
    log.symlink_to(outside)
    for call in (
        lambda: append_events(log, [event("2025-10-07")]),
        lambda: read_alert_log(log),
        lambda: alertlog.acknowledge(log, event("2025-10-06")["id"]),
    ):
        with pytest.raises(SitegenError, match=r"performance-alerts\.jsonl: it is a symbolic link"):
            call()
    assert outside.read_bytes() == before
    dangling = tmp_path / "logs2" / "performance-alerts.jsonl"
    dangling.parent.mkdir()
    dangling.symlink_to(tmp_path / "nowhere.jsonl")
    with pytest.raises(SitegenError, match="symbolic link"):
        append_events(dangling, [event("2025-10-07")])
    assert not (tmp_path / "nowhere.jsonl").exists()  # not created through the link


def test_a_build_with_a_symlinked_alert_log_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    demo.generate(tmp_path / "logs", days=3, per_day=4, seed=3)
    (tmp_path / "outside.jsonl").write_text("")
    (tmp_path / "logs" / "performance-alerts.jsonl").symlink_to(tmp_path / "outside.jsonl")
    for args in (["build", "--no-site"], ["alerts"], ["ack", "x"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, (args, result.output)
        assert "symbolic link" in result.output and "Traceback" not in result.output
    assert (tmp_path / "outside.jsonl").read_bytes() == b""


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_an_alert_log_that_is_not_a_file_is_an_error_not_a_hang(tmp_path, kind):
    log = tmp_path / "performance-alerts.jsonl"
    if kind == "fifo":
        os.mkfifo(log)
    else:
        log.mkdir()

    with deadline(10):
        for call in (
            lambda: read_alert_log(log),
            lambda: append_events(log, [event("2025-10-07")]),
        ):
            with pytest.raises(SitegenError, match="not a regular file"):
                call()


# --------------------------------------------------------------------------- numbers


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A working folder with a few days of demo logs and no sitegen variables."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_TIMEZONE, raising=False)
    monkeypatch.delenv(ENV_ROLLING, raising=False)
    demo.generate(tmp_path / "logs", days=3, per_day=4, seed=3)
    (tmp_path / "config").mkdir()
    return tmp_path


BEYOND = "is beyond ±10^15; write a number from -10^15 to 10^15"
PLACES = "has more than 6 decimal places; round it to 6 at most"


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("daily_pl_target", "1e30", BEYOND),
        ("daily_pl_target", "-1000000000000001", BEYOND),
        ("max_drawdown_target", "-1E+999999999", BEYOND),
        ("trades_per_day_target", "1E-999999999", PLACES),  # a billion digits on every page
        ("win_rate_target", "50.0000001", PLACES),
    ],
)
def test_a_target_out_of_range_is_an_error_naming_the_key(project, key, value, problem):
    (project / "config" / "dashboard-targets.yaml").write_text(f"{key}: {value}\n")
    result = run("build", "--no-site", code=1)
    assert f"config/dashboard-targets.yaml: {key}: " in result.output
    assert f"{value} {problem}" in result.output.replace("'", "")


def test_targets_up_to_ten_to_the_fifteen_build(project):
    (project / "config" / "dashboard-targets.yaml").write_text(
        "daily_pl_target: -1000000000000000\nmax_drawdown_target: -1e15\n"
        "win_rate_target: 0.000001\navg_risk_reward_target: 1.500000\n"
    )
    result = CliRunner().invoke(main, ["build", "--no-site"])
    assert result.exit_code in (0, 2), result.output  # 2: alerts
    summary = json.loads((project / "logs/performance/all-summary.json").read_text())
    assert summary["targets"]["daily_pl_target"]["target"] == "-1000000000000000"


def test_a_rule_target_out_of_range_is_an_error_naming_the_rule(project):
    (project / "config" / "sitegen.yaml").write_text(
        "rules:\n  weekly_loss: {metric: net_pnl, window: weekly, target: 1e30}\n"
    )
    result = run("build", "--no-site", code=1)
    assert f"config/sitegen.yaml: rules.weekly_loss.target: 1E+30 {BEYOND}" in result.output
    with pytest.raises(ConfigError, match=r"rules\.drawdown_breach\.critical_below"):
        load_config(rules={"drawdown_breach": {"critical_below": "-1e16"}})


def test_backfill_is_range_checked(project):
    result = run("build", "--backfill", "1000000000", code=1)
    assert "--backfill" in result.output and "36500" in result.output
    with pytest.raises(ConfigError, match="backfill"):
        sitegen.build(load_config(), backfill=10**9)
    assert CliRunner().invoke(main, ["build", "--no-site", "--backfill", "36500"]).exit_code in (
        0,
        2,
    )


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "1e9"])
def test_lock_timeout_is_range_checked(project, value):
    for command in ("build", "serve"):
        result = run(command, "--lock-timeout", value, code=1)
        assert "Error: --lock-timeout " in result.output, result.output
        assert "seconds from 0 to 86400" in result.output


def test_lock_timeout_in_the_library_is_range_checked(tmp_path):
    for value in (math.nan, math.inf, -1.0, 1e9):
        with pytest.raises(ConfigError, match="lock_timeout"):
            BuildLock(tmp_path, timeout=value)
    with BuildLock(tmp_path, timeout=None):  # None: wait as long as it takes
        pass


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["--days", "100000000"], "days"),
        (["--days", "36501"], "days"),
        (["--per-day", "1000000000"], "per_day"),
        (["--seed", "1" + "0" * 30], "seed"),
        (["--seed", "-" + "9" * 20], "seed"),
    ],
)
def test_demo_data_numbers_are_range_checked(tmp_path, monkeypatch, args, name):
    monkeypatch.chdir(tmp_path)
    result = run("demo-data", "--out", "logs", *args, code=1)
    assert f"{name} must be from" in result.output
    assert not Path("logs").exists()


@pytest.mark.parametrize("port", ["9" * 5000, "0" * 4 + "80", "１２３"])
def test_serve_port_is_range_checked(tmp_path, monkeypatch, port):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["serve", "-a", f"127.0.0.1:{port}"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "expected HOST:PORT such as 127.0.0.1:8000" in result.output
    assert "limit" not in result.output


@pytest.mark.parametrize("value", ["9" * 5000, "²", "٣"])
def test_rolling_window_from_the_environment_is_range_checked(project, monkeypatch, value):
    monkeypatch.setenv(ENV_ROLLING, value)
    result = run("build", "--no-site", code=1)
    assert f"environment {ENV_ROLLING}: rolling_window: expected a whole number" in result.output


# --------------------------------------------------------------------------- the cache index


def test_an_index_that_is_a_folder_is_a_clear_error(project):
    index = project / "logs" / "performance" / "performance-index.json"
    (index / "inside").mkdir(parents=True)
    result = CliRunner().invoke(main, ["build", "--no-site"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "rebuilding from scratch" in result.output  # the warning first
    assert (
        "cannot write the cache index logs/performance/performance-index.json: "
        "a folder is in the way" in result.output
    )
    assert "remove or rename that folder" in result.output
    assert [p.name for p in index.iterdir()] == ["inside"]
    index.joinpath("inside").rmdir()
    index.rmdir()
    result = CliRunner().invoke(main, ["build", "--no-site"])
    assert result.exit_code in (0, 2), result.output
    assert index.is_file()


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_an_index_that_is_not_a_file_is_rebuilt_not_waited_for(project, kind):
    index = project / "logs" / "performance" / "performance-index.json"
    index.parent.mkdir(parents=True)
    os.mkfifo(index) if kind == "fifo" else index.mkdir()
    with deadline(20):
        assert load_index(index, "x").state is None
        assert read_head(index) is None
        result = CliRunner().invoke(main, ["build", "--no-site"])
    assert "Traceback" not in result.output
    why = "not a regular file" if kind == "fifo" else "Is a directory"
    assert f"unreadable ({why}); rebuilding from scratch" in result.output
    if kind == "fifo":  # a FIFO is replaced like any file
        assert result.exit_code in (0, 2), result.output
        assert index.is_file()


def test_a_folder_in_the_way_of_the_index_head_is_a_clear_error(project):
    head = project / "logs" / "performance" / ".sitegen-cache" / "index-head.json"
    head.mkdir(parents=True)
    result = CliRunner().invoke(main, ["build", "--no-site"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "index-head.json: a folder is in the way" in result.output


# --------------------------------------------------------------------------- serve

SECRET = "top-secret-outside-the-site"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def raw_get(port: int, path: str, method: str = "GET") -> tuple[int, str]:
    """A request with ``path`` sent exactly as written (no client-side normalisation)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """serve() in a thread, on a site holding what it must never answer for: dotfiles,
    a temp file, links out of the folder, a FIFO; and a secret beside the site."""
    root = tmp_path_factory.mktemp("served")
    demo.generate(root / "logs", days=3, per_day=4, seed=11)
    (root / "secret.txt").write_text(SECRET)
    (root / "secret-folder").mkdir()
    (root / "secret-folder" / "index.html").write_text(SECRET)
    site = root / "site"
    config = Config(logs_dir=root / "logs", site_dir=site, targets_file=root / "t.yaml")
    port, loop = free_port(), {}
    saved = {name: list(logging.getLogger(name).handlers) for name in ("livereload", "tornado")}
    # livereload keeps its server's state on its handler class: a later server would
    # find its watcher started (and never start its own)
    state = {name: getattr(LiveReloadHandler, name) for name in ("watcher", "_last_reload_time")}

    def run() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        loop["io"] = IOLoop.current()
        serve(config, host="127.0.0.1", port=port)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline_at = time.monotonic() + 30
    while True:
        try:
            if raw_get(port, "/")[0] == 200:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline_at, "the server did not answer"
        time.sleep(0.1)
    (site / ".git").mkdir()
    (site / ".git" / "config").write_text(SECRET)
    (site / ".env").write_text(SECRET)
    (site / "daily" / ".2025-09-01.html.abcd1234.tmp").write_text(SECRET)
    (site / "escape.html").symlink_to(root / "secret.txt")
    (site / "escape-folder").symlink_to(root / "secret-folder")
    (site / "dotted.html").symlink_to(site / ".env")  # inside, but a dotfile
    (site / "same.html").symlink_to(site / "index.html")  # inside the site: fine
    os.mkfifo(site / "pipe.html")
    yield SimpleNamespace(port=port, site=site)
    loop["io"].add_callback(loop["io"].stop)
    thread.join(10)
    for name, handlers in saved.items():
        logging.getLogger(name).handlers[:] = handlers
    for name, value in state.items():
        setattr(LiveReloadHandler, name, value)


@pytest.mark.parametrize(
    "path",
    [
        "/index.html%00.txt",
        "/%00",
        "/daily/%00/x",
        "/.git/config",
        "/.git/",
        "/.env",
        "/%2eenv",
        "/daily/.2025-09-01.html.abcd1234.tmp",
        "/escape.html",
        "/escape-folder/",
        "/escape-folder/index.html",
        "/dotted.html",
        "/pipe.html",
        "/%ff",
        "/daily/%c0%ae%c0%ae/secret.txt",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/daily/..%2f..%2fsecret.txt",
        "/nothing-here.html",
    ],
)
def test_serve_answers_only_for_the_sites_own_files(served, path):
    for method in ("GET", "HEAD"):
        status, body = raw_get(served.port, path, method)
        assert status == 404, (method, path, status)
        assert SECRET not in body


def test_serve_still_serves_the_site(served):
    assert raw_get(served.port, "/")[0] == 200
    assert raw_get(served.port, "/index.html")[0] == 200
    status, body = raw_get(served.port, "/same.html")  # a link that stays in the site
    assert status == 200 and "<h1>" in body
    day = sorted((served.site / "daily").glob("2025-*.html"))[0].name
    assert raw_get(served.port, f"/daily/{day}")[0] == 200
    assert raw_get(served.port, "/daily/")[0] == 404  # a folder without an index page


# --------------------------------------------------------------------------- worker processes

# A build whose page workers each take a minute over their pages: killed meanwhile.
SLOW_PAGES = r"""
import os, sys, time
from pathlib import Path

from sitegen import render
from sitegen.config import load_config
from sitegen.pipeline import build

render.PAGES_PER_WORKER = 1
os.cpu_count = lambda: 2  # two workers even on a one-core machine
real = render._render_periods


def slow(keys):
    Path(sys.argv[2], str(os.getpid())).touch()
    time.sleep(60)
    return real(keys)


render._render_periods = slow
root = Path(sys.argv[1])
build(load_config(logs_dir=root / "logs", site_dir=root / "site"))
"""


def children(pid: int) -> set[int]:
    """The live processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited (and waits for a parent to reap it)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_killed_build_leaves_no_page_worker_behind(tmp_path):
    demo.generate(tmp_path / "logs", days=8, per_day=3, seed=1)
    started = tmp_path / "started"
    started.mkdir()
    build = subprocess.Popen(
        [sys.executable, "-c", SLOW_PAGES, str(tmp_path), str(started)],
        env={**os.environ, "PYTHONPATH": str(Path(sitegen.__file__).parent.parent)},
        stderr=subprocess.PIPE,
    )
    try:
        deadline_at = time.monotonic() + 60
        while len(list(started.iterdir())) < 2:
            assert build.poll() is None, build.stderr.read().decode()
            assert time.monotonic() < deadline_at, "the page workers did not start"
            time.sleep(0.05)
        workers = children(build.pid)
        assert {int(p.name) for p in started.iterdir()} <= workers
    finally:
        build.kill()
        build.wait(10)
        build.stderr.close()
    deadline_at = time.monotonic() + 5
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline_at:
        time.sleep(0.1)
    left = [pid for pid in workers if alive(pid)]
    for pid in left:  # (not to leave them to the rest of the suite)
        os.kill(pid, signal.SIGKILL)
    assert not left, f"worker processes {left} outlived the build"


# --------------------------------------------------------------------------- templates_dir


def test_a_missing_templates_dir_is_an_error_naming_the_key(project):
    (project / "config" / "sitegen.yaml").write_text("templates_dir: theme\n")
    result = run("build", code=1)
    assert "config/sitegen.yaml: templates_dir: config/theme does not exist" in result.output
    assert "remove the key" in result.output
    assert not (project / "site").exists()  # it said so before writing anything
    result = CliRunner().invoke(main, ["build", "--no-site"])  # no site: no theme needed
    assert result.exit_code in (0, 2), result.output
    (project / "config" / "theme").mkdir()
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code in (0, 2), result.output
    assert (project / "site" / "index.html").is_file()


def test_an_empty_theme_removed_after_a_build_is_noticed(project):
    (project / "config" / "theme").mkdir()
    (project / "config" / "sitegen.yaml").write_text("templates_dir: theme\n")
    assert CliRunner().invoke(main, ["build"]).exit_code in (0, 2)
    (project / "config" / "theme").rmdir()
    result = run("build", code=1)
    assert "templates_dir: config/theme does not exist" in result.output


def test_a_templates_dir_that_is_a_file_is_an_error(tmp_path):
    demo.generate(tmp_path / "logs", days=2, per_day=2)
    theme = tmp_path / "theme.html"
    theme.write_text("<p>")
    config = Config(logs_dir=tmp_path / "logs", site_dir=tmp_path / "site", templates_dir=theme)
    with pytest.raises(ConfigError, match=r"templates_dir: .*theme\.html is not a folder"):
        sitegen.build(config)


# --------------------------------------------------------------------------- symbolic links


def test_a_symlinked_lock_file_is_refused(tmp_path):
    (tmp_path / "artifacts").mkdir()
    (tmp_path / "artifacts" / ".sitegen.lock").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(BuildError, match=r"\.sitegen\.lock: it is a symbolic link"):
        BuildLock(tmp_path / "artifacts").acquire()
    assert not (tmp_path / "elsewhere").exists()  # not created through the link


@pytest.mark.parametrize("name", ["site/index.html", "site/daily", "logs/performance/all.json"])
def test_a_link_in_place_of_an_output_is_never_written_through(project, name):
    outside = project / "outside"
    outside.mkdir()
    (outside / "all.json").write_text("keep")
    link = project / name.replace("all.json", "all-summary.json")
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside if link.name == "daily" else outside / "all.json")
    result = run("build", code=1)
    assert f"refusing to write {link.relative_to(project)}" in result.output
    assert "symbolic link" in result.output and "Remove the link" in result.output
    assert [p.name for p in outside.iterdir()] == ["all.json"]
    assert (outside / "all.json").read_text() == "keep"
    link.unlink()
    assert CliRunner().invoke(main, ["build"]).exit_code in (0, 2)


def test_a_link_in_place_of_the_index_is_replaced_not_written_through(project):
    outside = project / "outside.json"
    outside.write_text("keep")
    index = project / "logs" / "performance" / "performance-index.json"
    index.parent.mkdir(parents=True)
    index.symlink_to(outside)
    assert CliRunner().invoke(main, ["build", "--no-site"]).exit_code in (0, 2)
    assert outside.read_text() == "keep"
    assert index.is_file() and not index.is_symlink()


def test_every_test_the_readme_names_exists():
    """The README's promises name the tests that hold them: each must exist."""
    root = Path(__file__).resolve().parent
    defined = set()
    for path in root.glob("test_*.py"):
        defined |= set(re.findall(r"^def (test_\w+)", path.read_text(), re.M))
    named = set(re.findall(r"`(test_\w+)`", (root.parent / "README.md").read_text()))
    assert len(named) >= 10
    assert named <= defined, sorted(named - defined)
