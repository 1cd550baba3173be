"""The closed-id sidecars (sitegen/ids.py): format, slices, and recovery from a missing,
stale, damaged or unwritable one."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen import Tracker
from sitegen.build import build
from sitegen.cache import CACHE_DIR
from sitegen.config import load_config
from sitegen.digest import ID_SIZE, id_hash, pack_ids
from sitegen.ids import IDS_DIR, IdFiles, encode, leading, slice_of
from tests.conftest import trade, write_log

hashes = st.lists(st.binary(min_size=ID_SIZE, max_size=ID_SIZE), unique=True, max_size=40)
bounds = st.tuples(st.integers(0, 256), st.integers(0, 256)).map(sorted)


@given(hashes, bounds)
def test_a_slice_is_the_hashes_with_its_leading_bytes(items, lo_hi):
    lo, hi = lo_hi
    packed = pack_ids(items)
    expected = pack_ids(h for h in items if lo <= h[0] < hi)
    assert slice_of(encode("crc32:1:2", packed), "crc32:1:2", lo, hi) == expected
    assert leading(packed, lo, hi) == expected


def test_a_sidecar_of_other_bytes_is_not_read():
    data = encode("crc32:aa:3", pack_ids([id_hash("a"), id_hash("b")]))
    assert slice_of(data, "crc32:aa:3", 0, 256) is not None
    assert slice_of(data, "crc32:bb:3", 0, 256) is None  # another log's
    assert slice_of(data[:-1], "crc32:aa:3", 0, 256) is None  # truncated
    assert slice_of(b"garbage", "crc32:aa:3", 0, 256) is None
    head = len(b"ids-1 crc32:aa:3\n")
    damaged = data[:head] + b"\xff" * 4 + data[head + 4 :]  # where byte 0 starts: wrong
    assert slice_of(damaged, "crc32:aa:3", 0, 1) is None


@pytest.fixture
def rewritten(tmp_path, monkeypatch):
    """Logs where a later file rewrites closed trades of earlier ones (so the ids
    decide what counts), built once."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)
    logs = tmp_path / "logs"
    write_log(
        logs,
        "2025-10-06",
        [
            trade("2025-10-06T14:00:00Z", net="5.00", order_id="a"),
            trade("2025-10-06T15:00:00Z", outcome="loss", net="-2.00", order_id="b"),
        ],
    )
    write_log(
        logs,
        "2025-10-07",
        [
            trade("2025-10-06T14:00:00Z", net="3.00", order_id="a"),  # a correction
            trade("2025-10-07T15:00:00Z", net="1.00", order_id="c"),
        ],
    )
    config = load_config(logs_dir=logs, site_dir=tmp_path / "site")
    build(config)
    return config


def _tree(folder) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and CACHE_DIR not in p.parts
    }


def test_every_log_file_with_closed_ids_has_its_sidecar(rewritten):
    folder = rewritten.artifacts / CACHE_DIR / IDS_DIR
    assert sorted(p.name for p in folder.iterdir()) == [
        "2025-10-06.jsonl.ids",
        "2025-10-07.jsonl.ids",
    ]
    tracker = Tracker(rewritten)
    assert tracker.get_summary("daily", "2025-10-06")["net_pnl"] == "1.00"  # 3.00 - 2.00
    assert tracker._cache.ids is not None and tracker._cache.ids.remade == 0
    # the index spared both reads; the first file is read back to drop the rewritten trade
    assert tracker.last_report is not None and tracker.last_report.files_read == 1


@pytest.mark.parametrize("damage", ["delete", "garbage", "stale"])
def test_a_lost_sidecar_is_made_again_from_its_log(rewritten, damage):
    folder = rewritten.artifacts / CACHE_DIR / IDS_DIR
    before = _tree(rewritten.artifacts)
    path = folder / "2025-10-06.jsonl.ids"
    good = path.read_bytes()
    if damage == "delete":
        path.unlink()
    elif damage == "garbage":
        path.write_bytes(b"\x00garbage")
    else:  # another log's ids under this name
        path.write_bytes(encode("crc32:00000000:1", pack_ids([id_hash("b")])))
    tracker = Tracker(rewritten)
    assert tracker.get_summary("daily", "2025-10-06")["net_pnl"] == "1.00"
    assert tracker._cache.ids is not None and tracker._cache.ids.remade == 1
    assert path.read_bytes() == good
    build(rewritten, full=True)
    assert _tree(rewritten.artifacts) == before


def test_a_folder_that_cannot_hold_sidecars_keeps_the_ids_in_memory(tmp_path, rewritten):
    """The ids of a build whose cache folder cannot be written are kept in memory:
    the same summaries, only memory spent."""
    fresh = load_config(
        logs_dir=rewritten.logs_dir, site_dir=tmp_path / "s2", artifacts_dir=tmp_path / "a2"
    )
    (tmp_path / "a2" / CACHE_DIR).mkdir(parents=True)
    (tmp_path / "a2" / CACHE_DIR / IDS_DIR).write_text("a file where the folder should be")
    tracker = Tracker(fresh)
    assert tracker.get_summary("daily", "2025-10-06")["net_pnl"] == "1.00"
    ids = tracker._cache.ids
    assert ids is not None and sorted(ids.kept) == ["2025-10-06.jsonl", "2025-10-07.jsonl"]
    assert tracker.get_summary("weekly", "2025-W41")["net_pnl"] == "2.00"


def test_sidecars_of_deleted_logs_are_removed(rewritten):
    (rewritten.logs_dir / "2025-10-07.jsonl").unlink()
    build(rewritten)
    folder = rewritten.artifacts / CACHE_DIR / IDS_DIR
    assert [p.name for p in folder.iterdir()] == ["2025-10-06.jsonl.ids"]


def test_ids_that_cannot_be_remade_are_an_error(tmp_path):
    from sitegen.digest import NO_PARTS, FileDigest

    dg = FileDigest("2025-10-06.jsonl", None, 0, 0, "", True, 0, (), None, NO_PARTS, (), 1, 0)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="cannot be remade"):
        IdFiles(tmp_path).closed(dg, 0, 256)
