"""What a build keeps per file and per day of the history, kept out of memory: the
digests' parts (scan.DigestParts) and the days' partials and closes (history.Packed)."""

from __future__ import annotations

import datetime as dt
import json

import msgspec
import pytest

from sitegen.build import BuildReport, ScanCache, load_history
from sitegen.config import load_config
from sitegen.digest import digest
from sitegen.history import build_history
from sitegen.ingest import scan_bytes
from sitegen.scan import DigestParts, Rescanner
from sitegen.store import spill
from sitegen.windows import zone
from tests.conftest import trade


def _digest(day: str = "2025-10-06", n: int = 3):
    lines = [
        trade(f"{day}T1{i}:00:00Z", net=f"{i}.50", order_id=f"{day}-{i}", exit=f"{day}T1{i}:30:00Z")
        for i in range(n)
    ]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    scan = scan_bytes(data, f"{day}.jsonl", dt.date.fromisoformat(day))
    return digest(scan, zone("UTC"), content_hash=f"crc32:{day}")[0]


@pytest.fixture(params=["memory", "spilled"])
def parts(request, tmp_path):
    return DigestParts(spill(tmp_path / "cache") if request.param == "spilled" else None)


def test_held_parts_come_back_whole(parts):
    dg = _digest()
    held = parts.hold(dg)
    assert held.away and not dg.away
    assert parts.raw(held) == dg.parts and parts.whole(held) == dg
    assert parts.hold(held) is held and parts.whole(dg) is dg
    assert held.part_days == (dt.date(2025, 10, 6),)
    assert msgspec.json.encode(parts.whole(held)) == msgspec.json.encode(dg)
    with pytest.raises(RuntimeError, match="kept apart"):
        held.day_parts()


def test_parts_of_other_digests_are_dropped(parts):
    a, b = _digest("2025-10-06"), _digest("2025-10-07")
    held_a, held_b = parts.hold(a), parts.hold(b)
    parts.keep_only([held_b])
    assert parts.raw(held_b) == b.parts
    with pytest.raises(KeyError):
        parts.raw(held_a)


def test_a_temp_file_mostly_of_dropped_parts_is_started_again(tmp_path):
    parts = DigestParts(spill(tmp_path / "cache"))
    big = msgspec.Raw(b'{"pad":"' + b"x" * (1 << 20) + b'"}')
    dg = _digest()
    held = [parts.hold(msgspec.structs.replace(dg, hash=f"crc32:{i}", parts=big)) for i in range(6)]
    before = parts._map.spill
    parts.keep_only(held[:1])  # 5 MB dropped, 1 MB kept
    assert parts._map.spill is not before
    assert parts.raw(held[0]) == big and len(parts._map) == 1
    parts.keep_only(held[:1])  # nothing more to drop: the same temp file
    assert parts._map.spill is not before and parts.raw(held[0]) == big


def test_a_history_is_the_same_with_its_days_kept_on_disk(logs, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    logs.mkdir()
    for day in ("2025-10-06", "2025-10-07", "2025-10-08"):
        lines = [
            trade(f"{day}T14:00:00Z", net="10.00", exit=f"{day}T14:10:00Z"),
            trade(f"{day}T15:00:00Z", "MSFT", "loss", "-4.25", exit=f"{day}T15:30:00Z", rr=1.5),
            trade(f"{day}T16:00:00Z", outcome="open", order_id=f"open-{day}"),
        ]
        (logs / f"{day}.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    config = load_config(logs_dir=logs)
    cache = ScanCache()
    on_disk = load_history(config, cache, BuildReport(), use_index=False)
    assert on_disk.spill is not None and all(dg.away for dg in on_disk.digests)
    whole = [cache.parts.whole(dg) for dg in on_disk.digests]
    in_memory = build_history(
        whole, zone("UTC"), "UTC", frozenset(), Rescanner(logs), ids=cache.ids
    )
    assert in_memory.spill is None
    assert dict(in_memory.days) == dict(on_disk.days)
    assert dict(in_memory.closes) == dict(on_disk.closes)
    for window in ("daily", "weekly", "monthly", "all"):
        for period in on_disk.periods(window):
            assert on_disk.summary(window, period) == in_memory.summary(window, period)


def test_a_rescanner_forgets_what_it_read_but_not_its_seeds(logs):
    logs.mkdir()
    (logs / "2025-10-06.jsonl").write_text(json.dumps(trade("2025-10-06T14:00:00Z")) + "\n")
    dg = _digest()
    seeded = scan_bytes(b"", "2025-10-07.jsonl", dt.date(2025, 10, 7))
    rescan = Rescanner(logs, seed={"2025-10-07.jsonl": seeded})
    first = rescan(dg)
    assert rescan(dg) is first and rescan.reads == 1
    rescan.forget()
    assert rescan(dg) is not first and rescan.reads == 2
    assert rescan(msgspec.structs.replace(dg, name="2025-10-07.jsonl")) is seeded


def test_a_temp_file_that_cannot_be_started_again_is_kept(tmp_path, monkeypatch):
    parts = DigestParts(spill(tmp_path / "cache"))
    big = msgspec.Raw(b'{"pad":"' + b"x" * (1 << 20) + b'"}')
    held = [
        parts.hold(msgspec.structs.replace(_digest(), hash=f"crc32:{i}", parts=big))
        for i in range(6)
    ]
    before = parts._map.spill

    def full(folder):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("sitegen.scan.Spill", full)
    parts.keep_only(held[:1])
    assert parts._map.spill is before and parts.raw(held[0]) == big


def test_a_tracker_keeps_only_the_parts_of_the_files_as_they_are(logs, tmp_path, monkeypatch):
    from sitegen import Tracker

    monkeypatch.chdir(tmp_path)
    logs.mkdir()
    path = logs / "2025-10-06.jsonl"
    path.write_text(json.dumps(trade("2025-10-06T14:00:00Z", net="1.00")) + "\n")
    (logs / "2025-10-07.jsonl").write_text(json.dumps(trade("2025-10-07T14:00:00Z")) + "\n")
    tracker = Tracker(load_config(logs_dir=logs))
    for n in range(2, 5):  # a log the bot keeps writing to
        line = trade(f"2025-10-06T1{n}:00:00Z", net="1.00")
        with path.open("a") as fp:
            fp.write(json.dumps(line) + "\n")
        assert tracker.get_summary("daily", "2025-10-06")["trades_total"] == n
        assert len(tracker._cache.parts._map) == 2
