"""The alert log ``performance-alerts.jsonl``: append-only, one event per line, each append
whole or absent."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import pytest

from sitegen.alertlog import acknowledge, append_events, read_alert_log
from sitegen.errors import SitegenError
from sitegen.export import validate_alert


def event(period: str = "2025-10-06", rule: str = "win_rate_breach", **changes) -> dict:
    base = {
        "id": f"{rule}:daily:{period}",
        "rule": rule,
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


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "logs" / "performance-alerts.jsonl"


@pytest.fixture
def warnings(caplog, monkeypatch):
    """Capture sitegen's warnings even after a CLI run switched propagation off."""
    monkeypatch.setattr(logging.getLogger("sitegen"), "propagate", True)
    caplog.set_level(logging.WARNING, logger="sitegen")
    return caplog


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


# --------------------------------------------------------------------------- read


def test_missing_log_is_empty(path):
    assert read_alert_log(path) == {}
    assert not path.exists()


def test_unreadable_log_is_a_sitegen_error(path):
    path.mkdir(parents=True)  # a folder where the file should be
    with pytest.raises(SitegenError, match="cannot read alert log"):
        read_alert_log(path)


def test_append_then_read_round_trip(path):
    first, second = event("2025-10-06"), event("2025-10-07", context={"note": "ü | <b>"})
    append_events(path, [first, second])  # creates the folder too
    assert read_alert_log(path) == {first["id"]: first, second["id"]: second}
    assert list(read_alert_log(path)) == [first["id"], second["id"]]  # file order
    for line in lines(path):
        validate_alert(json.loads(line))


def test_later_line_with_the_same_id_supersedes(path):
    append_events(path, [event(), event("2025-10-07")])
    acked = event(acknowledged_at="2025-10-08T09:00:00Z")
    append_events(path, [acked])
    logged = read_alert_log(path)
    assert logged[acked["id"]] == acked
    assert logged["win_rate_breach:daily:2025-10-07"]["acknowledged_at"] is None
    assert len(logged) == 2


def test_blank_and_foreign_lines_are_ignored_with_a_warning(path, warnings):
    path.parent.mkdir(parents=True)
    good = json.dumps(event())
    path.write_text(f'\n{good}\n   \nnot json\n[1, 2]\n{{"rule": "x"}}\n{{"id": 5}}\n')
    assert list(read_alert_log(path)) == [event()["id"]]
    messages = [r.getMessage() for r in warnings.records]
    assert any(":4: not a JSON alert event" in m for m in messages)
    assert sum("not an alert event (no id)" in m for m in messages) == 3


def test_torn_last_line_is_ignored(path, warnings):
    path.parent.mkdir(parents=True)
    whole = json.dumps(event()) + "\n"
    torn = json.dumps(event("2025-10-07"))[:40]  # a crash in the middle of a write
    path.write_text(whole + torn)
    assert list(read_alert_log(path)) == [event()["id"]]
    assert any(":2: not a JSON alert event" in r.getMessage() for r in warnings.records)


# --------------------------------------------------------------------------- append


def test_append_writes_one_compact_line_per_event(path):
    events = [event(f"2025-10-0{d}") for d in (6, 7, 8)]
    append_events(path, events)
    raw = lines(path)
    assert len(raw) == 3
    assert all(line.endswith(b"\n") and line.count(b"\n") == 1 for line in raw)
    assert [json.loads(line) for line in raw] == events
    assert raw[0] == json.dumps(events[0], separators=(",", ":")).encode() + b"\n"


def test_append_never_rewrites_earlier_lines(path):
    append_events(path, [event("2025-10-06"), event("2025-10-07")])
    before = path.read_bytes()
    inode = path.stat().st_ino
    append_events(path, [event("2025-10-08")])
    after = path.read_bytes()
    assert after[: len(before)] == before
    assert after[len(before) :].count(b"\n") == 1
    assert path.stat().st_ino == inode  # appended in place, not replaced


def test_append_nothing_writes_nothing(path):
    append_events(path, [])
    assert not path.exists()
    append_events(path, [event()])
    before = path.read_bytes()
    append_events(path, [])
    assert path.read_bytes() == before


def test_append_after_a_torn_line_starts_on_a_fresh_line(path):
    path.parent.mkdir(parents=True)
    whole = json.dumps(event()) + "\n"
    torn = json.dumps(event("2025-10-07"))[:40]
    path.write_text(whole + torn)
    before = path.read_bytes()
    new = event("2025-10-08")
    append_events(path, [new])
    after = path.read_bytes()
    assert after[: len(before)] == before  # the torn bytes stay, untouched
    assert after[len(before) :] == b"\n" + json.dumps(new, separators=(",", ":")).encode() + b"\n"
    assert list(read_alert_log(path)) == [event()["id"], new["id"]]


def test_non_ascii_is_kept_as_utf8(path):
    append_events(path, [event(context={"symbol": "Ünïcode €"})])
    assert "Ünïcode €" in path.read_text(encoding="utf-8")
    assert read_alert_log(path)[event()["id"]]["context"]["symbol"] == "Ünïcode €"


# --------------------------------------------------------------------------- acknowledge


def test_acknowledge_appends_one_line_and_keeps_history(path):
    append_events(path, [event("2025-10-06"), event("2025-10-07")])
    before = path.read_bytes()
    now = dt.datetime(2025, 10, 8, 11, 30, 5, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    acked, new = acknowledge(path, "win_rate_breach:daily:2025-10-06", now)
    assert new is True
    assert acked == event("2025-10-06", acknowledged_at="2025-10-08T09:30:05Z")
    validate_alert(acked)
    after = path.read_bytes()
    assert after[: len(before)] == before
    assert [json.loads(x) for x in after[len(before) :].splitlines()] == [acked]
    logged = read_alert_log(path)
    assert logged["win_rate_breach:daily:2025-10-06"]["acknowledged_at"] == "2025-10-08T09:30:05Z"
    assert logged["win_rate_breach:daily:2025-10-07"]["acknowledged_at"] is None


def test_acknowledge_without_a_clock_uses_now_in_utc(path):
    append_events(path, [event()])
    acked, new = acknowledge(path, event()["id"])
    assert new
    stamp = dt.datetime.strptime(acked["acknowledged_at"], "%Y-%m-%dT%H:%M:%SZ")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert abs((now - stamp).total_seconds()) < 60


def test_acknowledge_twice_is_a_no_op(path):
    append_events(path, [event()])
    first, _ = acknowledge(path, event()["id"], dt.datetime(2025, 10, 8, 9, tzinfo=dt.UTC))
    before = path.read_bytes()
    again, new = acknowledge(path, event()["id"], dt.datetime(2025, 10, 9, 9, tzinfo=dt.UTC))
    assert new is False
    assert again["acknowledged_at"] == first["acknowledged_at"] == "2025-10-08T09:00:00Z"
    assert path.read_bytes() == before


def test_acknowledge_an_event_logged_as_acknowledged(path):
    append_events(path, [event(acknowledged_at="2025-10-07T00:00:00Z")])
    before = path.read_bytes()
    got, new = acknowledge(path, event()["id"])
    assert (new, got["acknowledged_at"]) == (False, "2025-10-07T00:00:00Z")
    assert path.read_bytes() == before


def test_acknowledge_unknown_id(path):
    append_events(path, [event()])
    before = path.read_bytes()
    with pytest.raises(SitegenError) as err:
        acknowledge(path, "win_rate_breach:daily:1999-01-01")
    message = str(err.value)
    assert "'win_rate_breach:daily:1999-01-01'" in message
    assert str(path) in message
    assert "sitegen alerts --all" in message
    assert path.read_bytes() == before


def test_acknowledge_with_no_log_at_all(path):
    with pytest.raises(SitegenError, match="no alert with id 'x'"):
        acknowledge(path, "x")
    assert not path.exists()


def test_acknowledge_after_a_torn_line(path):
    path.parent.mkdir(parents=True)
    torn = json.dumps(event("2025-10-07"))[:30]
    path.write_text(json.dumps(event()) + "\n" + torn)
    before = path.read_bytes()
    acknowledge(path, event()["id"], dt.datetime(2025, 10, 8, tzinfo=dt.UTC))
    after = path.read_bytes()
    assert after.startswith(before + b"\n")
    assert read_alert_log(path)[event()["id"]]["acknowledged_at"] == "2025-10-08T00:00:00Z"
    # the id of the torn event is unknown: it never made it to the log
    with pytest.raises(SitegenError):
        acknowledge(path, event("2025-10-07")["id"])
