"""Crash safety and concurrency: the build lock (sitegen/lock.py), builds killed at
random moments, two builds of the same output at once, and the lock timeout.

The process tests run real builds (``python -m sitegen build``) on demo logs big enough
that a cold build takes a second or two, so a kill or a second build lands mid-build.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen.cache import CACHE_DIR, INDEX_NAME
from sitegen.cli import main
from sitegen.config import load_config
from sitegen.demo import generate
from sitegen.errors import BuildError
from sitegen.lock import LOCK_NAME, BuildLock
from sitegen.pipeline import ScanCache, build
from sitegen.writer import remove_leftovers

# Targets no data can miss: no alerts, so a build exits 0.
LAX_TARGETS = (
    "win_rate_target: 0\n"
    "daily_pl_target: -1000000\n"
    "trades_per_day_target: 0\n"
    "max_drawdown_target: -100000000\n"
    "avg_risk_reward_target: 0\n"
)
# What atomic_write leaves behind when its process is killed between create and rename.
TEMP_FILE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
ENV = {k: v for k, v in os.environ.items() if not k.startswith("PERFORMANCE_")}


# --------------------------------------------------------------------------- helpers


def start_build(cwd: Path, *args: str) -> subprocess.Popen:
    """``sitegen build`` on cwd/logs in its own process (cwd has no config/: defaults)."""
    return subprocess.Popen(
        [sys.executable, "-m", "sitegen", "build", *args],
        cwd=cwd,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_build(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    proc = start_build(cwd, *args)
    out, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def outputs(cwd: Path) -> dict[str, bytes]:
    """Every file of the artifacts and site trees but the (rebuildable) caches."""
    found = {}
    for folder in (cwd / "logs" / "performance", cwd / "site"):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.name != INDEX_NAME and CACHE_DIR not in path.parts:
                found[str(path.relative_to(cwd))] = path.read_bytes()
    return found


def fresh_outputs(tmp_path: Path, logs: Path, *extra: str) -> dict[str, bytes]:
    """What a first build of a copy of these logs writes."""
    fresh = tmp_path / "fresh"
    shutil.copytree(logs, fresh / "logs", ignore=shutil.ignore_patterns("performance*"))
    if (logs.parent / "lax.yaml").exists():
        shutil.copy(logs.parent / "lax.yaml", fresh)
    result = run_build(fresh, *extra)
    assert result.returncode in (0, 2), result.stderr
    return outputs(fresh)


def assert_whole(folder: Path, checked: set | None = None) -> list[str]:
    """Every artifact and page in ``folder`` is complete; returns the names of temp files
    a killed writer left (never anything else). Files in ``checked`` (by inode, mtime
    and size) are skipped, and the files checked now are added to it."""
    leftovers = []
    checked = set() if checked is None else checked
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or CACHE_DIR in path.parts:  # compiled templates: a cache
            continue
        if TEMP_FILE.match(path.name):
            leftovers.append(path.name)
            continue
        st = path.stat()
        if (stamp := (st.st_ino, st.st_mtime_ns, st.st_size)) in checked:
            continue  # not replaced since it was checked (every write is a rename)
        checked.add(stamp)
        data = path.read_bytes()
        if path.suffix == ".json":
            json.loads(data)
        elif path.suffix == ".html":
            assert data.rstrip().endswith(b"</html>"), path
            parser = HTMLParser()
            parser.feed(data.decode("utf-8"))
            parser.close()
        elif path.suffix in (".md", ".css"):
            assert data.strip(), path
        else:
            assert path.name == LOCK_NAME and data == b"", path
    return leftovers


def assert_alert_log_whole(logs: Path) -> None:
    """Every line of the alert log is an event, and no event was appended twice."""
    path = logs / "performance-alerts.jsonl"
    if not path.exists():
        return
    data = path.read_bytes()
    assert data.endswith(b"\n")
    ids = [json.loads(line)["id"] for line in data.splitlines()]
    assert len(ids) == len(set(ids))


@pytest.fixture
def demo_logs(tmp_path) -> list[Path]:
    """40 trading days × ~400 trades (one day missing): a cold build takes ~1-3 s."""
    return generate(tmp_path / "src", days=40, per_day=400, seed=5)


# --------------------------------------------------------------------------- the lock


def test_lock_creates_its_folder_and_an_empty_file_it_never_deletes(tmp_path):
    folder = tmp_path / "a" / "b"
    with BuildLock(folder) as lock:
        assert lock.held and not lock.waited
        assert lock.path == folder / LOCK_NAME and lock.path.is_file()
    assert not lock.held
    assert lock.path.read_bytes() == b""  # still there: deleting it would break exclusion


def test_second_lock_times_out_with_a_message_naming_the_lock_file(tmp_path, caplog):
    with BuildLock(tmp_path), caplog.at_level(logging.WARNING, logger="sitegen"):
        began = time.monotonic()
        with pytest.raises(BuildError) as info:
            BuildLock(tmp_path, timeout=0.3).acquire()
        waited = time.monotonic() - began
    assert 0.3 <= waited < 2
    message = str(info.value)
    assert f"another sitegen build of {tmp_path} is still running after 0.3 s" in message
    assert str(tmp_path / LOCK_NAME) in message
    assert "--lock-timeout SECONDS" in message
    assert caplog.messages == [
        f"waiting for another build of {tmp_path} to finish… (up to 0.3 s); "
        f"lock file {tmp_path / LOCK_NAME}"
    ]


def test_timeout_zero_gives_up_at_once_without_waiting(tmp_path, caplog):
    with (
        BuildLock(tmp_path),
        caplog.at_level(logging.WARNING, logger="sitegen"),
        pytest.raises(BuildError, match="--lock-timeout is 0"),
    ):
        BuildLock(tmp_path, timeout=0).acquire()
    assert caplog.messages == []


def test_a_waiting_lock_gets_it_when_the_holder_lets_go(tmp_path, caplog):
    holder = BuildLock(tmp_path)
    holder.acquire()
    got: list[BuildLock] = []

    def wait() -> None:
        with BuildLock(tmp_path, timeout=None, poll=0.02) as lock:
            got.append(lock)

    with caplog.at_level(logging.WARNING, logger="sitegen"):
        waiter = threading.Thread(target=wait)
        waiter.start()
        time.sleep(0.3)
        assert got == []  # still waiting
        holder.release()
        waiter.join(timeout=10)
    assert len(got) == 1 and got[0].waited and not got[0].held
    assert caplog.messages == [
        f"waiting for another build of {tmp_path} to finish…; lock file {tmp_path / LOCK_NAME}"
    ]


def test_lock_is_released_when_the_block_raises(tmp_path):
    with pytest.raises(RuntimeError), BuildLock(tmp_path):
        raise RuntimeError("boom")
    with BuildLock(tmp_path, timeout=0):
        pass


def test_acquiring_twice_is_an_error(tmp_path):
    with BuildLock(tmp_path) as lock, pytest.raises(BuildError, match="already locked"):
        lock.acquire()


def test_lock_in_a_folder_that_cannot_be_made(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(BuildError, match=r"cannot create the lock file .*check the folder"):
        BuildLock(blocker / "artifacts").acquire()


def test_a_file_system_without_locks_is_a_clear_error(tmp_path, monkeypatch):
    def no_locks(fd, operation):
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(fcntl, "flock", no_locks)
    with pytest.raises(BuildError, match=r"cannot lock .*\.sitegen\.lock \(No locks available\)"):
        BuildLock(tmp_path).acquire()


def test_a_killed_holder_never_leaves_a_stale_lock(tmp_path):
    code = (
        "import sys, time; from pathlib import Path; from sitegen.lock import BuildLock\n"
        "with BuildLock(Path(sys.argv[1])):\n"
        "    print('locked', flush=True); time.sleep(60)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True, env=ENV
    )
    try:
        assert proc.stdout.readline() == "locked\n"
        with pytest.raises(BuildError):
            BuildLock(tmp_path, timeout=0).acquire()
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    with BuildLock(tmp_path, timeout=5):
        pass


def test_a_forked_child_does_not_keep_the_lock(tmp_path):
    # The workers of a parallel scan are forked while the build holds the lock; if they
    # kept it, a worker orphaned by a killed build would lock the output for good.
    ready, tell = os.pipe()
    with BuildLock(tmp_path):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child (its fork hooks have run by now)
            os.write(tell, b"x")
            time.sleep(3)
            os._exit(0)
    os.close(tell)
    assert os.read(ready, 1) == b"x"
    os.close(ready)
    try:
        with BuildLock(tmp_path, timeout=0):  # the child is still asleep
            pass
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def test_remove_leftovers_deletes_only_old_writer_temp_files(tmp_path):
    (tmp_path / "daily" / "deep").mkdir(parents=True)
    old = [
        tmp_path / ".all-summary.json.ab_cd123.tmp",
        tmp_path / "daily" / ".2025-10-10.html.x1y2z3w4.tmp",
    ]
    kept = [
        tmp_path / "all-summary.json",
        tmp_path / ".notes.txt.ab_cd123.tmp",  # not a name the writer makes
        tmp_path / "daily" / "deep" / ".a.html.ab_cd123.tmp",  # deeper than the writer goes
        tmp_path / ".sitegen.lock",
    ]
    for path in old + kept:
        path.write_text("x")
    assert remove_leftovers(tmp_path, before=time.time() + 1) == 2
    assert [p for p in old + kept if p.exists()] == kept
    young = tmp_path / ".index.html.abcdefgh.tmp"
    young.write_text("x")  # written after the lock was taken: someone else's
    assert remove_leftovers(tmp_path, before=time.time() - 60) == 0
    assert young.exists()
    assert remove_leftovers(tmp_path / "missing", before=time.time()) == 0


# --------------------------------------------------------------------------- build() and serve


@pytest.fixture
def small(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("PERFORMANCE_SUMMARY_TIMEZONE", "PERFORMANCE_ALERT_ROLLING_WINDOW"):
        monkeypatch.delenv(name, raising=False)
    generate(tmp_path / "logs", days=6, per_day=5, seed=2)
    (tmp_path / "lax.yaml").write_text(LAX_TARGETS)
    return load_config(logs_dir="logs", site_dir="site", targets_file="lax.yaml")


def test_build_gives_up_while_another_build_holds_the_lock(small):
    with BuildLock(small.artifacts):
        with pytest.raises(BuildError, match=re.escape(str(small.artifacts / LOCK_NAME))):
            build(small, lock_timeout=0.1)
        assert sorted(p.name for p in small.artifacts.iterdir()) == [LOCK_NAME]
        assert not small.site_dir.exists()
    build(small, lock_timeout=0)  # free again


def test_build_waits_for_the_lock_then_builds(small, caplog):
    first = build(small)
    assert not first.up_to_date
    (small.logs_dir / sorted(os.listdir(small.logs_dir))[0]).touch()  # restamped: not quick
    holder = BuildLock(small.artifacts)
    holder.acquire()
    reports = []
    waiter = threading.Thread(target=lambda: reports.append(build(small, lock_timeout=30)))
    with caplog.at_level(logging.WARNING, logger="sitegen"):
        waiter.start()
        time.sleep(0.3)
        assert reports == []
        holder.release()  # having done nothing: the waiting build does the work
        waiter.join(timeout=60)
    assert "waiting for another build of" in caplog.text
    assert len(reports) == 1 and not reports[0].up_to_date
    assert build(small).up_to_date


def test_serve_rebuild_while_a_build_runs_keeps_serving_then_catches_up(small, caplog):
    from sitegen.serve import Rebuilder

    rebuilder = Rebuilder(small, lambda: small, lock_timeout=0.1)
    with BuildLock(small.artifacts), caplog.at_level(logging.ERROR, logger="sitegen"):
        assert rebuilder.rebuild() is None
    assert "build failed: another sitegen build of" in caplog.text
    assert "still serving the last good site" in caplog.text
    report = rebuilder.rebuild()
    assert report is not None and (small.site_dir / "index.html").is_file()


def test_build_removes_temp_files_a_killed_build_left(small):
    build(small)
    stale = [
        small.artifacts / ".all-summary.json.abcdefgh.tmp",
        small.site_dir / "daily" / ".2025-09-01.html.abcdefgh.tmp",
    ]
    for path in stale:
        path.write_text("half a file")
        os.utime(path, (time.time() - 5, time.time() - 5))
    build(small, full=True)
    assert not any(path.exists() for path in stale)


# --------------------------------------------------------------------------- real processes


def test_killed_builds_leave_whole_files_and_the_next_build_catches_up(tmp_path, demo_logs):
    rng = random.Random(20251010)
    work = tmp_path / "work"
    logs = work / "logs"
    logs.mkdir(parents=True)
    held_back = demo_logs[-3:]
    for path in demo_logs[:-3]:
        shutil.copy(path, logs)

    began = time.monotonic()
    first = run_build(work)
    duration = time.monotonic() - began
    assert first.returncode in (0, 2), first.stderr

    kills, checked = 0, set()
    for round_ in range(4):
        if round_ < len(held_back):  # new data, so a killed build had things to change
            shutil.copy(held_back[round_], logs)
        proc = start_build(work, "--full")
        time.sleep(rng.uniform(0.1, 0.9 * duration))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        kills += proc.returncode == -signal.SIGKILL
        for folder in (logs / "performance", work / "site"):
            assert_whole(folder, checked)  # temp files may be left; no torn artifact or page
        assert_alert_log_whole(logs)
    assert kills >= 2, f"only {kills} of 4 builds were still running when killed"

    after = run_build(work)
    assert after.returncode in (0, 2), after.stderr
    for folder in (logs / "performance", work / "site"):
        assert assert_whole(folder, checked) == []  # and the leftovers are gone
    assert_alert_log_whole(logs)
    again = run_build(work, "-v")
    assert "Up to date" in again.stdout  # the index it saved is whole and current
    assert outputs(work) == fresh_outputs(tmp_path, logs)


def test_two_builds_at_once_one_waits_and_the_output_is_a_fresh_builds(tmp_path, demo_logs):
    work = tmp_path / "work"
    (work / "logs").mkdir(parents=True)
    for path in demo_logs:
        shutil.copy(path, work / "logs")
    (work / "lax.yaml").write_text(LAX_TARGETS)

    procs = [start_build(work, "--targets", "lax.yaml") for _ in range(2)]
    results = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], results
    waited = [out for out, err in results if "waiting for another build of" in err]
    assert len(waited) == 1, results  # the other one held the lock
    assert waited[0].startswith("Up to date"), results  # and did the work meanwhile
    assert outputs(work) == fresh_outputs(tmp_path, work / "logs", "--targets", "lax.yaml")


def test_two_builds_at_once_append_each_alert_once(tmp_path, demo_logs):
    # default targets: the demo data breaches some, so both builds exit 2
    work = tmp_path / "work"
    (work / "logs").mkdir(parents=True)
    for path in demo_logs:
        shutil.copy(path, work / "logs")
    procs = [start_build(work) for _ in range(2)]
    results = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [2, 2], results
    assert_alert_log_whole(work / "logs")  # without the lock, both appended every event
    assert (work / "logs" / "performance-alerts.jsonl").stat().st_size > 0


def test_cli_build_gives_up_after_lock_timeout_naming_the_lock(tmp_path):
    generate(tmp_path / "logs", days=3, per_day=2, seed=1)
    lock_file = tmp_path / "logs" / "performance" / LOCK_NAME
    with BuildLock(lock_file.parent):
        result = run_build(tmp_path, "--lock-timeout", "0.2")
    assert result.returncode == 1
    assert "waiting for another build of logs/performance to finish…" in result.stderr
    assert (
        "Error: another sitegen build of logs/performance is still running after 0.2 s: "
        "it holds the lock file logs/performance/.sitegen.lock." in result.stderr
    )
    assert "--lock-timeout SECONDS" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()


def test_a_kept_scan_cache_notices_that_another_build_wrote_the_output(small, monkeypatch):
    # serve keeps a ScanCache between rebuilds; a command-line build of the same output
    # with other settings in between must not leave serve's next rebuild half-updated.
    days = sorted(small.logs_dir.glob("*.jsonl"))
    held = small.logs_dir.parent / days[-1].name
    days[-1].rename(held)
    cache = ScanCache()
    build(small, cache=cache, site=False)
    monkeypatch.setenv("PERFORMANCE_SUMMARY_TIMEZONE", "Asia/Tokyo")
    build(load_config(logs_dir="logs", targets_file="lax.yaml"), site=False)
    monkeypatch.delenv("PERFORMANCE_SUMMARY_TIMEZONE")
    held.rename(days[-1])  # a new day: serve rebuilds
    build(small, cache=cache, site=False)

    fresh = small.logs_dir.parent / "fresh"
    shutil.copytree(small.logs_dir, fresh, ignore=shutil.ignore_patterns("performance*"))
    build(load_config(logs_dir=fresh, targets_file="lax.yaml"), site=False)
    artifacts = {p.name: p.read_bytes() for p in small.artifacts.iterdir() if p.is_file()}
    expected = {p.name: p.read_bytes() for p in (fresh / "performance").iterdir() if p.is_file()}
    artifacts.pop(INDEX_NAME), expected.pop(INDEX_NAME)
    # (the Tokyo build's Saturday artifacts stay behind: no build deletes stale periods)
    assert {name: artifacts.get(name) for name in expected} == expected


def test_cli_serve_passes_its_lock_timeout_to_every_rebuild(tmp_path, monkeypatch):
    import sitegen.serve

    seen: dict = {}
    monkeypatch.setattr(sitegen.serve, "serve", lambda config, **kw: seen.update(kw))
    monkeypatch.chdir(tmp_path)
    logger = logging.getLogger("sitegen")
    saved = (list(logger.handlers), logger.level)
    try:
        result = CliRunner().invoke(main, ["serve", "--lock-timeout", "2.5"])
        default = CliRunner().invoke(main, ["build", "--help"])
    finally:
        logger.handlers[:], logger.level = saved
    assert result.exit_code == 0, result.output
    assert seen["lock_timeout"] == 2.5
    assert "--lock-timeout SECONDS" in default.output and "default: 60.0" in default.output
