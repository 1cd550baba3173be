"""The invariant of incremental builds, with random sequences of changes: after any sequence of
appends, edits, deletions, touches, settings changes (the modes analysed among them), acks,
damaged outputs and lines
appended while a build runs, a plain ``build`` leaves byte-identical artifacts and site
to a fresh ``build(full=True)`` of a copy of the logs (and alert log) in a new folder.

Fast by default (CI); ``SITEGEN_LONG=1`` runs many more and longer sequences.
Only the public API is used: ``sitegen.load_config``, ``sitegen.build`` and the CLI.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import threading
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

import sitegen
from tests.conftest import trade
from tests.test_trust import (
    ALERT_LOG,
    CACHE,
    ReadHook,
    ack,
    append_line,
    differences,
    fresh_outputs,
    outputs,
)

LONG = os.environ.get("SITEGEN_LONG", "") not in ("", "0")

#: Fri, Mon–Fri, Mon: three ISO weeks, two months
DAYS = [
    "2025-09-26",
    "2025-09-29",
    "2025-09-30",
    "2025-10-01",
    "2025-10-02",
    "2025-10-03",
    "2025-10-06",
]
HOLIDAYS = ["2025-09-30", "2025-10-02", "2025-10-03"]
ZONES = ["UTC", "America/New_York", "Asia/Tokyo"]
TARGETS = {
    "max_drawdown_target": ["-1000", "-100", "-20"],
    "win_rate_target": ["50", "70", "30"],
    "avg_risk_reward_target": ["1.5", "1.0", "3"],
}
BAD_LINES = [
    "not json {",
    "[1, 2, 3]",
    '{"symbol": "AAPL", "outcome": "win"}',
    '{"timestamp": "2025-13-45T00:00:00Z", "symbol": "AAPL", "outcome": "win"}',
    '{"timestamp": "2025-10-01T10:00:00Z", "symbol": "AAPL", "outcome": "maybe"}',
]
NET = {"win": ["10.00", "75.50", "300.00"], "loss": ["-10.00", "-120.25", "-700.00"]}
#: the books records are in (None: no execution_mode), and the selections of modes a
#: build may analyse (None: every mode)
MODES = ["PAPER", "PAPER", "LIVE", None]
SELECTIONS = [None, ("LIVE",), ("PAPER",), ("LIVE", "UNKNOWN")]
#: the bot_version of a record (None: none), so that versions come and go
VERSIONS = ["1.4.2", "1.4.2", "1.5.0", None]
#: account sizes (None: returns off); a start day loses 290, so the small ones blow up
EQUITIES = [None, "100000", "1000", "250.5"]


@st.composite
def trade_line(draw, day: str) -> str:
    """One valid trade record of ``day``'s file, as a JSON line (no newline). Entry at
    any hour (a time-zone change moves it to another local date); the exit may fall on
    a later date; a few order ids repeat across files (one trade, superseded), in any
    mode (a record supersedes one of another mode) and any version."""
    entry = dt.datetime.fromisoformat(f"{day}T00:00:00+00:00") + dt.timedelta(
        minutes=draw(st.integers(0, 24 * 60 - 1))
    )
    outcome = draw(st.sampled_from(["win", "win", "loss", "loss", "breakeven", "open"]))
    net = draw(st.sampled_from(NET[outcome])) if outcome in NET else "0.00"
    exit = None
    if outcome != "open":
        held = draw(st.sampled_from([5, 90, 20 * 60]))
        exit = (entry + dt.timedelta(minutes=held)).strftime("%Y-%m-%dT%H:%M:%SZ")
    record = trade(
        entry.strftime("%Y-%m-%dT%H:%M:%SZ"),
        draw(st.sampled_from(["AAPL", "NVDA", "TSLA"])),
        outcome,
        net,
        exit=exit,
        order_id=draw(st.sampled_from([None, None, None, "o-1", "o-2"])),
        rr=draw(st.sampled_from([None, 0.8, 2.0])),
        strategy=draw(st.sampled_from(["A", "B"])),
    )
    mode = draw(st.sampled_from(MODES))
    if mode is not None:
        record["execution_mode"] = mode
    version = draw(st.sampled_from(VERSIONS))
    if version is not None:
        record["bot_version"] = version
    return json.dumps(record)


def any_line(day: str) -> st.SearchStrategy[str]:
    """Mostly valid trades, sometimes a bad line."""
    good = trade_line(day)
    return st.one_of(good, good, good, st.sampled_from(BAD_LINES))


def _write_lines(path: Path, lines: list[str], last_newline: bool = True) -> None:
    text = "".join(line + "\n" for line in lines)
    with open(path, "a", encoding="utf-8") as fp:
        fp.write(text if last_newline else text[:-1])


class TrustMachine(RuleBasedStateMachine):
    """One workspace (``ws/logs``, artifacts in ``ws/logs/performance``, ``ws/site``)
    changed by the rules; after each rule a plain build must equal a fresh one."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="sitegen-invariant-"))
        self.logs = self.root / "ws" / "logs"
        self.site = self.root / "ws" / "site"
        self.logs.mkdir(parents=True)
        # every setting is given explicitly: no config/ of the working directory is read
        self.config_file = self.root / "sitegen.yaml"
        self.config_file.write_text("# every setting comes from the test\n")
        self.targets_file = self.root / "targets.yaml"
        self.timezone = "UTC"
        self.holidays: frozenset[str] = frozenset()
        self.targets: dict[str, str] = {}
        self.modes: tuple[str, ...] | None = None
        self.starting_equity: str | None = None
        self._write_targets()
        self.fresh_count = 0

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    # ----------------------------------------------------------------------- helpers

    def settings(self) -> dict:
        return {
            "timezone": self.timezone,
            "holidays": sorted(self.holidays),
            "rolling_window": 4,
            "targets_file": self.targets_file,
            "modes": self.modes,
            "starting_equity": self.starting_equity,
        }

    def build(self, **kwargs):
        config = sitegen.load_config(
            self.config_file, logs_dir=self.logs, site_dir=self.site, **self.settings()
        )
        return sitegen.build(config, **kwargs)

    def _write_targets(self) -> None:
        text = "".join(f"{key}: {value}\n" for key, value in sorted(self.targets.items()))
        self.targets_file.write_text(text or "# the defaults\n")

    def log_files(self) -> list[Path]:
        return sorted(self.logs.glob("????-??-??.jsonl"))

    def nonempty_logs(self) -> list[Path]:
        return [p for p in self.log_files() if p.stat().st_size > 0]

    def open_alerts(self) -> list[str]:
        """Ids of the alert log's events whose latest line is not acknowledged."""
        try:
            data = (self.logs / ALERT_LOG).read_bytes()
        except FileNotFoundError:
            return []
        latest: dict[str, dict] = {}
        for line in data.splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict) and isinstance(event.get("id"), str):
                latest[event["id"]] = event
        return sorted(i for i, e in latest.items() if not e.get("acknowledged_at"))

    def output_files(self) -> list[Path]:
        """Pages, artifacts, the site's data copies and assets, and the index (not the
        cache folder's files, nor the build lock)."""
        found = []
        for folder in (self.logs / "performance", self.site):
            if folder.is_dir():
                found += [
                    p
                    for p in folder.rglob("*")
                    if p.is_file()
                    and CACHE not in p.relative_to(folder).parts
                    and not p.name.startswith(".sitegen")
                ]
        return sorted(found)

    # ----------------------------------------------------------------------- rules

    @initialize(days=st.lists(st.sampled_from(DAYS), min_size=2, max_size=4, unique=True))
    def some_logs(self, days):
        for day in sorted(days):
            _write_lines(self.logs / f"{day}.jsonl", self._start_lines(day))

    def _start_lines(self, day: str) -> list[str]:
        """A fixed small day: a win and two losses (from the second day on, the rolling
        win rate of the last 4 closed trades is 25 %: there are alerts to ack)."""
        return [
            json.dumps(trade(f"{day}T14:00:00Z", "AAPL", "win", "50.00", rr=2.0)),
            json.dumps(trade(f"{day}T15:00:00Z", "NVDA", "loss", "-300.00", rr=0.8)),
            json.dumps(trade(f"{day}T16:00:00Z", "TSLA", "loss", "-40.00")),
        ]

    @rule(day=st.sampled_from(DAYS), data=st.data(), newline=st.sampled_from([True] * 3 + [False]))
    def append_lines(self, day, data, newline):
        lines = data.draw(st.lists(any_line(day), min_size=1, max_size=3), label="lines")
        _write_lines(self.logs / f"{day}.jsonl", lines, newline)

    @precondition(lambda self: self.nonempty_logs())
    @rule(data=st.data())
    def edit_line(self, data):
        path = data.draw(st.sampled_from(self.nonempty_logs()), label="file")
        lines = path.read_bytes().splitlines(keepends=True)
        number = data.draw(st.integers(0, len(lines) - 1), label="line")
        new = data.draw(any_line(path.stem), label="new line")
        ending = lines[number][len(lines[number].rstrip(b"\r\n")) :]
        lines[number] = new.encode() + ending
        path.write_bytes(b"".join(lines))

    @precondition(lambda self: self.log_files())
    @rule(data=st.data())
    def delete_log(self, data):
        data.draw(st.sampled_from(self.log_files()), label="file").unlink()

    @precondition(lambda self: self.log_files())
    @rule(data=st.data(), seconds=st.sampled_from([1, 60, -3600]))
    def touch_log(self, data, seconds):
        path = data.draw(st.sampled_from(self.log_files()), label="file")
        st_ = path.stat()
        os.utime(path, ns=(st_.st_atime_ns, st_.st_mtime_ns + seconds * 10**9))

    @rule(zone=st.sampled_from(ZONES))
    def set_timezone(self, zone):
        self.timezone = zone

    @rule(modes=st.sampled_from(SELECTIONS))
    def set_modes(self, modes):
        self.modes = modes

    @rule(equity=st.sampled_from(EQUITIES))
    def set_starting_equity(self, equity):
        """The account size: returns on (every later period's depend on every earlier
        day), off, or small enough to blow up."""
        self.starting_equity = equity

    @rule(days=st.frozensets(st.sampled_from(HOLIDAYS), max_size=2))
    def set_holidays(self, days):
        self.holidays = days

    @rule(data=st.data(), key=st.sampled_from(sorted(TARGETS)))
    def set_target(self, data, key):
        self.targets[key] = data.draw(st.sampled_from(TARGETS[key]), label="value")
        self._write_targets()

    @precondition(lambda self: self.open_alerts())
    @rule(data=st.data())
    def ack_alert(self, data):
        alert_id = data.draw(st.sampled_from(self.open_alerts()), label="alert")
        ack(self.logs, alert_id, self.config_file)

    @precondition(lambda self: self.output_files())
    @rule(data=st.data(), how=st.sampled_from(["delete", b"", b"{}", b"garbage\x00\xff"]))
    def damage_output(self, data, how):
        path = data.draw(st.sampled_from(self.output_files()), label="output")
        if how == "delete":
            path.unlink()
        else:
            path.write_bytes(how)

    @precondition(lambda self: (self.logs / "performance" / CACHE).is_dir())
    @rule()
    def delete_cache_folder(self):
        shutil.rmtree(self.logs / "performance" / CACHE)

    @rule(day=st.sampled_from(DAYS), data=st.data())
    def append_while_a_build_runs(self, day, data):
        """The bot writes a line (so the build reads the file); a second thread appends
        another right after the build has read the file, while the build goes on."""
        path = self.logs / f"{day}.jsonl"
        first = data.draw(trade_line(day), label="before the build")
        second = data.draw(trade_line(day), label="during the build")
        _write_lines(path, [first])
        read, appended = threading.Event(), threading.Event()

        def bot() -> None:
            if read.wait(30):
                append_line(path, second)
            appended.set()

        def after_read() -> None:
            read.set()
            appended.wait(30)

        writer = threading.Thread(target=bot, name="bot")
        writer.start()
        hook = ReadHook(path, after_read)
        try:
            with hook.installed():
                self.build()
        finally:
            read.set()
            writer.join()
        assert hook.fired, f"the build never read {path.name}, which had changed"

    @precondition(lambda self: self.open_alerts())
    @rule(data=st.data(), day=st.sampled_from(DAYS))
    def ack_while_a_build_runs(self, data, day):
        """An ack made right after the build read the alert log (a line is appended
        to a log first, so that the build has work to do)."""
        alert_id = data.draw(st.sampled_from(self.open_alerts()), label="alert")
        _write_lines(self.logs / f"{day}.jsonl", [data.draw(trade_line(day), label="line")])
        hook = ReadHook(self.logs / ALERT_LOG, lambda: ack(self.logs, alert_id, self.config_file))
        with hook.installed():
            self.build()
        if not hook.fired:  # the build did not need the alert log: ack after it
            ack(self.logs, alert_id, self.config_file)

    # ----------------------------------------------------------------------- the invariant

    @invariant()
    def a_plain_build_equals_a_fresh_full_build(self):
        self.build()
        self.fresh_count += 1
        fresh = self.root / f"fresh{self.fresh_count}"
        want = fresh_outputs(self.logs, fresh, self.config_file, **self.settings())
        shutil.rmtree(fresh)
        assert "site/index.html" in want
        found = differences(outputs(self.logs / "performance", self.site), want)
        if found:
            raise AssertionError("a plain build differs from a fresh full build:\n" + found)


TestTrustInvariant = TrustMachine.TestCase
TestTrustInvariant.settings = settings(
    max_examples=200 if LONG else 15,
    stateful_step_count=25 if LONG else 8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    # Shrinking a failing sequence costs minutes (two builds a step): only in the long
    # run. The short run prints the failing sequence as found (at most 8 steps).
    phases=list(Phase) if LONG else [Phase.explicit, Phase.reuse, Phase.generate],
)
