"""Trust in incremental builds: the index describes what a build read, and the
outputs are part of the state.

After any change — a line appended or an ack made while a build runs, an output deleted
or damaged, every log deleted — a plain ``build`` leaves artifacts and site byte-identical
to a fresh ``build(full=True)`` of a copy of the same logs (and alert log) in a new
folder, and says "up to date" only when nothing needed doing.

Only the public API is used (``sitegen.load_config``, ``sitegen.build``, the ``sitegen``
command line), so these tests pin behaviour, not the engine's cache. The index file and
the cache folder are opaque: damaged here, never compared.
"""

from __future__ import annotations

import builtins
import contextlib
import difflib
import io
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import sitegen
from sitegen.cli import main
from sitegen.site.paths import key_path
from tests.conftest import trade, write_log

INDEX = "performance-index.json"
CACHE = ".sitegen-cache"
ALERT_LOG = "performance-alerts.jsonl"
ENV = ("PERFORMANCE_SUMMARY_TIMEZONE", "PERFORMANCE_ALERT_ROLLING_WINDOW")
#: settings every build here uses (rolling win-rate alerts fire on a few trades)
SETTINGS = {"rolling_window": 4}

# --------------------------------------------------------------------------- helpers


def outputs(artifacts: Path, site: Path) -> dict[str, bytes]:
    """Every file a build owns, by ``artifacts/...`` or ``site/...`` name: all files
    under both folders except the cache index and the cache folder."""
    found: dict[str, bytes] = {}
    for label, folder in (("artifacts", artifacts), ("site", site)):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if path.is_file() and path.name != INDEX and CACHE not in relative.parts:
                found[f"{label}/{relative.as_posix()}"] = path.read_bytes()
    return found


def differences(got: dict[str, bytes], want: dict[str, bytes]) -> str:
    """'' when equal; else which files are missing, extra or different (with the start
    of a diff of the first different one)."""
    missing = sorted(want.keys() - got.keys())
    extra = sorted(got.keys() - want.keys())
    changed = sorted(k for k in got.keys() & want.keys() if got[k] != want[k])
    if not (missing or extra or changed):
        return ""
    lines = [
        f"{len(missing)} missing: {missing[:8]}",
        f"{len(extra)} extra: {extra[:8]}",
        f"{len(changed)} different: {changed[:8]}",
    ]
    if changed:
        name = changed[0]
        old = want[name].decode("utf-8", "replace").splitlines()
        new = got[name].decode("utf-8", "replace").splitlines()
        diff = difflib.unified_diff(old, new, "fresh/" + name, "built/" + name, n=0, lineterm="")
        lines += [line[:160] for line in list(diff)[:16]]
    return "\n".join(lines)


def assert_same(got: dict[str, bytes], want: dict[str, bytes]) -> None:
    found = differences(got, want)
    if found:
        pytest.fail("outputs differ from a fresh full build:\n" + found, pytrace=False)


def assert_redone(report, why: str) -> None:
    up_to_date = report.up_to_date  # (not the whole report in the failure message)
    assert not up_to_date, f"{why}, yet the build said up to date"


def copy_inputs(logs: Path, dest: Path) -> Path:
    """A copy of the logs folder's files (trade logs and the alert log), not its
    subfolders (the artifacts)."""
    dest.mkdir(parents=True)
    for path in sorted(logs.iterdir()):
        if path.is_file():
            shutil.copyfile(path, dest / path.name)
    return dest


def fresh_outputs(
    logs: Path, where: Path, config_file: Path | None = None, **settings
) -> dict[str, bytes]:
    """The outputs of ``build(full=True)`` of a copy of ``logs`` in the new folder
    ``where`` (``logs/`` with its default artifacts folder, and ``site/``)."""
    config = sitegen.load_config(
        config_file, logs_dir=copy_inputs(logs, where / "logs"), site_dir=where / "site", **settings
    )
    sitegen.build(config, full=True)
    return outputs(config.artifacts, config.site_dir)


class ReadHook:
    """Calls ``action`` once, right after the first time anything in this process has
    read ``target``: when a file object opened on it for reading (``open``, ``io.open``,
    ``Path.open``, ``Path.read_bytes``/``read_text``) is closed, or a descriptor from
    ``os.open(target, O_RDONLY)`` is closed. ``fired`` says whether it happened (a test
    checks it: a hook that never fires would test nothing)."""

    def __init__(self, target: Path, action: Callable[[], object]) -> None:
        self.target = os.path.realpath(target)
        self.action = action
        self.fired = False
        self._fds: set[int] = set()

    def matches(self, file: object) -> bool:
        if self.fired or isinstance(file, int):
            return False
        try:
            return os.path.realpath(os.fsdecode(file)) == self.target  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False

    def fire(self) -> None:
        if not self.fired:
            self.fired = True  # first: reads made by the action itself are not hooked
            self.action()

    @contextlib.contextmanager
    def installed(self) -> Iterator[ReadHook]:
        real_open, real_os_open, real_os_close = builtins.open, os.open, os.close
        hook = self

        class Watched:
            """A file object that tells the hook when it is closed."""

            def __init__(self, file) -> None:
                self._file = file

            def __getattr__(self, name):
                return getattr(self._file, name)

            def __iter__(self):
                return iter(self._file)

            def __enter__(self):
                return self

            def __exit__(self, *exc) -> None:
                self.close()

            def close(self) -> None:
                self._file.close()
                hook.fire()

        def watched_open(file, mode="r", *args, **kwargs):
            handle = real_open(file, mode, *args, **kwargs)
            reading = not any(c in mode for c in "wax+")
            return Watched(handle) if reading and hook.matches(file) else handle

        def watched_os_open(path, flags, *args, **kwargs):
            fd = real_os_open(path, flags, *args, **kwargs)
            if flags & os.O_ACCMODE == os.O_RDONLY and hook.matches(path):
                self._fds.add(fd)
            return fd

        def watched_os_close(fd) -> None:
            real_os_close(fd)
            if fd in self._fds:
                self._fds.discard(fd)
                hook.fire()

        patches = [
            (builtins, "open", watched_open),
            (io, "open", watched_open),
            (os, "open", watched_os_open),
            (os, "close", watched_os_close),
        ]
        saved = [(obj, name, getattr(obj, name)) for obj, name, _ in patches]
        try:
            for obj, name, value in patches:
                setattr(obj, name, value)
            yield self
        finally:
            for obj, name, value in saved:
                setattr(obj, name, value)


def append_line(path: Path, record: dict | str, newline: bool = True) -> None:
    line = record if isinstance(record, str) else json.dumps(record)
    with open(path, "a", encoding="utf-8") as fp:
        fp.write(line + ("\n" if newline else ""))


def ack(logs: Path, alert_id: str, config_file: Path | None = None) -> None:
    """``sitegen ack ID [--config F] --logs LOGS`` (the artifacts in their default place)."""
    config = ["--config", str(config_file)] if config_file is not None else []
    result = CliRunner().invoke(main, ["ack", alert_id, *config, "--logs", str(logs)])
    assert result.exit_code == 0, result.output


# --------------------------------------------------------------------------- the workspace

LAST_DAY = "2025-10-13"
DRAWDOWN_ALERT = "drawdown_breach:daily:2025-10-07"
WIN_RATE_ALERT = "win_rate_breach:daily:2025-10-07"


def acknowledged(files: dict[str, bytes], day: str) -> dict[str, bool]:
    """Alert id -> acknowledged, for the alerts a day's JSON artifact lists."""
    summary = json.loads(files[f"artifacts/daily-summary-{day}.json"])
    return {a["id"]: a["acknowledged_at"] is not None for a in summary["alerts"]}


def six_days() -> dict[str, list]:
    """Six days over two ISO weeks: an open trade closed two days later (same order id),
    a day whose drawdown breaches the default -1000 target, a breakeven."""
    return {
        "2025-10-06": [
            trade("2025-10-06T14:00:00Z", "AAPL", "win", "120.00", exit="2025-10-06T14:30:00Z"),
            trade("2025-10-06T15:00:00Z", "NVDA", "loss", "-40.00", rr=1.0),
            trade("2025-10-06T16:00:00Z", "MSFT", "open", order_id="o-3", strategy="B"),
        ],
        "2025-10-07": [
            trade("2025-10-07T14:00:00Z", "AAPL", "win", "50.00", rr=2.0),
            trade("2025-10-07T15:00:00Z", "NVDA", "loss", "-700.00", strategy="B"),
            trade("2025-10-07T16:00:00Z", "NVDA", "loss", "-600.00", strategy="B"),
        ],
        "2025-10-08": [
            trade("2025-10-08T14:00:00Z", "AAPL", "win", "80.00"),
            trade("2025-10-08T15:00:00Z", "TSLA", "breakeven", "0.00"),
        ],
        "2025-10-09": [
            trade("2025-10-09T14:00:00Z", "AAPL", "win", "30.00"),
            trade("2025-10-09T15:00:00Z", "NVDA", "loss", "-20.00"),
            trade(
                "2025-10-06T16:00:00Z",
                "MSFT",
                "win",
                "75.00",
                exit="2025-10-09T16:30:00Z",
                order_id="o-3",
                strategy="B",
            ),
        ],
        "2025-10-10": [
            trade("2025-10-10T14:00:00Z", "AAPL", "win", "25.00"),
            trade("2025-10-10T15:00:00Z", "AAPL", "loss", "-10.00"),
        ],
        LAST_DAY: [
            trade("2025-10-13T14:00:00Z", "NVDA", "win", "40.00", rr=1.5),
            trade("2025-10-13T15:00:00Z", "AAPL", "loss", "-15.00"),
        ],
    }


EXTRA = trade("2025-10-13T17:00:00Z", "AMD", "win", "15.00", exit="2025-10-13T17:10:00Z")


class Workspace:
    """``logs/`` (artifacts in ``logs/performance/``) and ``site/`` under one folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.logs = root / "ws" / "logs"
        self.site = root / "ws" / "site"
        self.fresh_count = 0
        self.settings = dict(SETTINGS)
        for day, records in six_days().items():
            write_log(self.logs, day, records)

    @property
    def artifacts(self) -> Path:
        return self.logs / "performance"

    def config(self):
        return sitegen.load_config(logs_dir=self.logs, site_dir=self.site, **self.settings)

    def build(self, **kwargs):
        return sitegen.build(self.config(), **kwargs)

    def outputs(self) -> dict[str, bytes]:
        return outputs(self.artifacts, self.site)

    def fresh(self) -> dict[str, bytes]:
        self.fresh_count += 1
        return fresh_outputs(self.logs, self.root / f"fresh{self.fresh_count}", **self.settings)

    def assert_like_fresh(self) -> dict[str, bytes]:
        got, want = self.outputs(), self.fresh()
        assert "artifacts/all-summary.json" in want and "site/index.html" in want
        assert any(name.startswith("site/daily/") for name in want)  # nothing vacuous
        assert_same(got, want)
        return got


@pytest.fixture
def ws(tmp_path: Path, monkeypatch) -> Workspace:
    monkeypatch.chdir(tmp_path)  # no config/ here: sitegen's defaults
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return Workspace(tmp_path)


# --------------------------------------------------------------------------- controls


def test_two_fresh_builds_of_the_same_logs_compare_equal(ws):
    """The comparison itself: two fresh builds in different folders (with an acked
    alert, copied with the alert log) are equal; a real difference is seen."""
    ws.build()
    ack(ws.logs, DRAWDOWN_ALERT)
    one, two = ws.fresh(), ws.fresh()
    assert len(one) > 20 and not differences(one, two)
    assert acknowledged(one, "2025-10-07") == {DRAWDOWN_ALERT: True, WIN_RATE_ALERT: False}
    append_line(ws.logs / f"{LAST_DAY}.jsonl", EXTRA)
    assert differences(ws.fresh(), one)


def test_a_second_plain_build_after_a_clean_build_is_up_to_date(ws):
    first = ws.build()
    assert not first.up_to_date and first.files_read == 6
    before = ws.outputs()
    again = ws.build()
    assert again.up_to_date
    assert ws.outputs() == before
    ws.assert_like_fresh()


# --------------------------------------------------------------------------- changes during a build


@pytest.mark.parametrize("during", ["first build", "incremental build"])
def test_a_line_appended_while_a_build_reads_the_log_is_seen_by_the_next_build(ws, during):
    log = ws.logs / f"{LAST_DAY}.jsonl"
    if during == "incremental build":
        ws.build()
        append_line(log, trade("2025-10-13T16:00:00Z", "AAPL", "win", "5.00"))
    hook = ReadHook(log, lambda: append_line(log, EXTRA))
    with hook.installed():
        ws.build()
    assert hook.fired, f"the build never read {log.name}"
    report = ws.build()
    assert_redone(report, "a line was appended after the last build read the file")
    got = ws.assert_like_fresh()
    day = json.loads(got[f"artifacts/daily-summary-{LAST_DAY}.json"])
    assert "AMD" in json.dumps(day["by_symbol"])


def test_an_ack_made_while_a_build_reads_the_alert_log_is_seen_by_the_next_build(ws):
    first = ws.build()
    assert {DRAWDOWN_ALERT, WIN_RATE_ALERT} <= {a["id"] for a in first.alerts_raised}
    ack(ws.logs, WIN_RATE_ALERT)  # the alert log changed: the next build must read it
    hook = ReadHook(ws.logs / ALERT_LOG, lambda: ack(ws.logs, DRAWDOWN_ALERT))
    with hook.installed():
        ws.build()
    assert hook.fired, "the build never read the alert log"
    report = ws.build()
    assert_redone(report, "an ack was made after the last build read the alert log")
    got = ws.assert_like_fresh()
    assert acknowledged(got, "2025-10-07") == {DRAWDOWN_ALERT: True, WIN_RATE_ALERT: True}


# --------------------------------------------------------------------------- damaged outputs


def _damage(ws: Workspace, what: str) -> Path:
    path = {
        "daily page deleted": ws.site / "daily" / "2025-10-08.html",
        "weekly summary JSON deleted": ws.artifacts / "weekly-summary-2025-W41.json",
        "site data copy modified": ws.site / "data" / "daily-summary-2025-10-08.json",
        "all-summary.json overwritten with {}": ws.artifacts / "all-summary.json",
        "symbol page deleted": ws.site / "symbols" / "NVDA.html",
        "strategy page modified": ws.site / key_path("strategy", "A"),
    }[what]
    assert path.is_file(), path
    if what.endswith("deleted"):
        path.unlink()
    elif what.endswith("modified"):
        damaged = path.read_bytes().replace(b'"trades_total":', b'"trades_total": 1 +')
        path.write_bytes(damaged if damaged != path.read_bytes() else damaged + b"<!-- x -->")
    else:
        path.write_bytes(b"{}")
    return path


@pytest.mark.parametrize(
    "what",
    [
        "daily page deleted",
        "weekly summary JSON deleted",
        "site data copy modified",
        "all-summary.json overwritten with {}",
        "symbol page deleted",
        "strategy page modified",
    ],
)
def test_a_damaged_output_is_written_again_by_a_plain_build(ws, what):
    ws.build()
    before = ws.outputs()
    path = _damage(ws, what)
    assert ws.outputs() != before
    report = ws.build()
    assert_redone(report, f"{path.relative_to(ws.root)}: {what}")
    assert ws.assert_like_fresh() == before


@pytest.mark.parametrize(
    "what",
    [
        "daily page deleted",
        "weekly summary JSON deleted",
        "site data copy modified",
        "all-summary.json overwritten with {}",
        "symbol page deleted",
        "strategy page modified",
    ],
)
def test_a_damaged_output_is_written_again_by_a_build_with_other_work(ws, what):
    """The same, when a log changed too (so the build cannot simply say "up to date"):
    the outputs of the periods the change does not touch are checked as well."""
    ws.build()
    _damage(ws, what)
    append_line(ws.logs / f"{LAST_DAY}.jsonl", EXTRA)
    ws.build()
    ws.assert_like_fresh()


def test_deleting_every_log_leaves_what_a_fresh_build_of_an_empty_folder_leaves(ws):
    ws.build()
    assert any(name.startswith("site/daily/") for name in ws.outputs())
    for path in ws.logs.glob("????-??-??.jsonl"):
        path.unlink()
    assert ws.logs.joinpath(ALERT_LOG).exists()  # not a trade log: it stays
    ws.build()
    empty = ws.root / "empty"
    config = sitegen.load_config(logs_dir=empty / "logs", site_dir=empty / "site", **SETTINGS)
    config.logs_dir.mkdir(parents=True)
    sitegen.build(config, full=True)
    want = outputs(config.artifacts, config.site_dir)
    assert "site/index.html" in want
    assert_same(ws.outputs(), want)


def test_backfill_regenerates_a_daily_summary_overwritten_with_empty_json(ws):
    ws.build()
    before = ws.outputs()
    summary = ws.artifacts / f"daily-summary-{LAST_DAY}.json"
    summary.write_bytes(b"{}")
    ws.build(backfill=3)
    assert summary.read_bytes() == before[f"artifacts/{summary.name}"], "not regenerated"
    assert ws.assert_like_fresh() == before


def test_deleting_the_log_of_a_holiday_leaves_no_link_to_its_page(ws):
    """A day with a log that is also a holiday has a page; when its log goes, the day
    goes, and its neighbours' previous/next links must skip it (as in a fresh build).
    (Found by tests/test_invariant.py.)"""
    ws.settings["holidays"] = ["2025-10-08"]
    ws.build()
    assert (ws.site / "daily" / "2025-10-08.html").exists()
    (ws.logs / "2025-10-08.jsonl").unlink()
    ws.build()
    assert not (ws.site / "daily" / "2025-10-08.html").exists()
    ws.assert_like_fresh()


# --------------------------------------------------------------------------- gaps


def _one_day(day: str, pnl: str = "10.00") -> list:
    return [trade(f"{day}T14:00:00Z", "AAPL", "win" if pnl[0] != "-" else "loss", pnl)]


@pytest.mark.parametrize(
    "day",
    [
        "2025-11-10",  # closes the gap between the two runs: one run again
        "2025-12-29",  # extends the last run
        "2026-02-16",  # a new run after a gap
        "2025-08-25",  # a new run before a gap
        "2025-09-15",  # extends the first run
    ],
)
def test_a_log_that_opens_or_closes_a_gap_leaves_what_a_fresh_build_leaves(ws, day):
    """A gap (more than 31 days without data) has no pages; a log that fills it, or
    one that makes a new gap, changes the runs of the data range, and with them the
    missing days and daily P&L of periods no changed file touches."""
    write_log(ws.logs, "2025-12-08", _one_day("2025-12-08", "-30.00"))
    ws.build()
    write_log(ws.logs, day, _one_day(day))
    ws.build()
    ws.assert_like_fresh()
    (ws.logs / f"{day}.jsonl").unlink()
    ws.build()
    ws.assert_like_fresh()


def test_a_log_dated_year_one_costs_no_walk_over_the_years_between(ws):
    """The range ends moving by two thousand years (a year typo) is a new run of its
    own: the incremental build redoes its periods, not every day in between."""
    ws.build()
    write_log(ws.logs, "0001-01-03", _one_day("0001-01-03"))
    report = ws.build()
    assert report.pages_rendered < 40, report.pages_rendered
    ws.assert_like_fresh()
    (ws.logs / "0001-01-03.jsonl").unlink()
    ws.build()
    ws.assert_like_fresh()
