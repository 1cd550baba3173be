"""The stamps the cache index keeps: of the bytes a build read, and of the files it wrote."""

from __future__ import annotations

import os
from types import SimpleNamespace

from sitegen import cache
from sitegen.alertlog import append_events, read_alert_log_stamped
from sitegen.cache import NO_STAMP, Manifest, file_stamp, read_stamped


def test_read_stamped_describes_the_bytes_read(tmp_path):
    path = tmp_path / "2025-10-06.jsonl"
    path.write_bytes(b'{"a":1}\n')
    data, stamp = read_stamped(path)
    assert data == b'{"a":1}\n'
    assert stamp == file_stamp(path) == (8, path.stat().st_mtime_ns)


def test_a_file_that_grew_while_read_gets_a_stamp_no_file_has(tmp_path, monkeypatch):
    """The stamp is taken before the read; when the read finds more bytes than the
    stamp's size, the mtime is not the one of the bytes read."""
    path = tmp_path / "2025-10-06.jsonl"
    path.write_bytes(b"one\ntwo\n")
    real = os.fstat

    def stale_fstat(fd):  # as if "two\n" was appended between the fstat and the read
        st = real(fd)
        return SimpleNamespace(st_size=4, st_mtime_ns=st.st_mtime_ns)

    monkeypatch.setattr(cache.os, "fstat", stale_fstat)
    data, stamp = read_stamped(path)
    assert data == b"one\ntwo\n" and stamp == (8, -1)
    monkeypatch.undo()
    assert file_stamp(path) != stamp  # so the next build reads the file again


def test_manifest_finds_missing_and_changed_outputs(tmp_path):
    manifest = Manifest(tmp_path)
    for name in ("a.html", "b.html", "c.html", "d.html"):
        (tmp_path / name).write_bytes(b"page " + name.encode())
        manifest.record(name, b"page " + name.encode())
    (tmp_path / "a.html").unlink()
    (tmp_path / "b.html").write_bytes(b"page X.html")  # same size, other bytes
    os.utime(tmp_path / "c.html", ns=(1, 1))  # touched: same bytes
    assert sorted(manifest.verify()) == ["a.html", "b.html"]
    assert sorted(manifest.entries) == ["c.html", "d.html"]
    assert manifest.entries["c.html"].mtime_ns == 1  # stamped again
    assert manifest.verify() == []


def test_manifest_forgets_removed_files(tmp_path):
    manifest = Manifest(tmp_path)
    (tmp_path / "daily").mkdir()
    (tmp_path / "daily" / "x.html").write_bytes(b"x")
    manifest.record("daily/x.html", b"x")
    manifest.forget([tmp_path / "daily" / "x.html", tmp_path.parent / "elsewhere"])
    assert manifest.entries == {}


def test_alert_log_stamp_follows_our_own_append(tmp_path):
    path = tmp_path / "performance-alerts.jsonl"
    logged, read = read_alert_log_stamped(path)
    assert logged == {} and read is None
    stamp = append_events(path, [{"id": "a"}], read)
    assert stamp == file_stamp(path)
    logged, read = read_alert_log_stamped(path)
    assert list(logged) == ["a"] and read == stamp
    assert append_events(path, [], read) == read


def test_alert_log_written_by_someone_else_meanwhile_gets_no_stamp(tmp_path):
    """An ack appended between the build's read and its own append: the stamp must not
    claim the build knows the file as it is, so the next build reads it again."""
    path = tmp_path / "performance-alerts.jsonl"
    append_events(path, [{"id": "a"}])
    _, read = read_alert_log_stamped(path)
    append_events(path, [{"id": "a", "acknowledged_at": "2025-10-07T00:00:00Z"}])
    assert append_events(path, [{"id": "b"}], read) == NO_STAMP


def test_a_library_tracker_writes_nothing(tmp_path):
    """A Tracker reads through the cache but holds no build lock: it must not write
    into the cache folder (or anywhere) while a build may be writing there."""
    from sitegen import Tracker, load_config
    from sitegen.demo import generate

    logs = tmp_path / "logs"
    generate(logs, days=8, per_day=30, seed=2)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    tracker = Tracker(load_config(logs_dir=logs, artifacts_dir=tmp_path / "artifacts"))
    assert tracker.get_summary("weekly")["trades_total"] > 0
    assert tracker.get_summary("daily") is not None
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
