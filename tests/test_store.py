"""SummaryStore: summaries kept packed between build stages read back equal."""

from __future__ import annotations

import pytest

from sitegen.store import SummaryStore, spill


@pytest.fixture(params=["memory", "spilled"])
def where(request, tmp_path):
    """A store's spill: none (values in memory) or a temp file in a folder."""
    return spill(tmp_path / "cache") if request.param == "spilled" else None


def test_store_gives_back_equal_copies_in_key_order(where):
    summary = {
        "window": "daily",
        "period": "2025-10-10",
        "net_pnl": "-1.50",
        "trades_total": 3,
        "win_rate": None,
        "partial": False,
        "daily_pnl": {"2025-10-10": "-1.50"},
        "by_symbol": [{"key": "é|<b>", "net_pnl": "2"}],
    }
    store = SummaryStore({("daily", "2025-10-10"): summary}, spill=where)
    store[("all", "all")] = {"window": "all"}
    got = store[("daily", "2025-10-10")]
    assert got == summary and list(got) == list(summary)  # same keys, same order
    got["alerts"] = ["x"]  # a copy: the store keeps what was put
    assert "alerts" not in store[("daily", "2025-10-10")]
    copy = store.copy()
    del store[("all", "all")]
    assert list(store) == [("daily", "2025-10-10")] and len(copy) == 2
    assert ("all", "all") in copy and copy[("all", "all")] == {"window": "all"}
    with pytest.raises(KeyError):
        store[("weekly", "2025-W41")]


def test_take_shares_an_entry_without_unpacking(where, tmp_path):
    a = SummaryStore({("all", "all"): {"window": "all"}}, spill=where)
    for other in (None, where, spill(tmp_path / "other")):
        b = SummaryStore(spill=other)
        b.take(a, ("all", "all"))
        assert b[("all", "all")] == {"window": "all"} and list(b) == [("all", "all")]


def test_a_spill_that_cannot_be_written_keeps_values_in_memory(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("not a folder")
    assert spill(tmp_path / "file" / "cache") is None and spill(None) is None
    store = SummaryStore(spill=spill(tmp_path / "cache"))
    store[("all", "all")] = {"window": "all"}

    def full(fd, data, at):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.pwrite", full)
    store[("daily", "2025-10-10")] = {"window": "daily"}
    assert store[("daily", "2025-10-10")] == {"window": "daily"}
    assert store[("all", "all")] == {"window": "all"}


def test_a_short_write_is_an_error(tmp_path, monkeypatch):
    target = spill(tmp_path)
    assert target is not None
    monkeypatch.setattr("os.pwrite", lambda fd, data, at: len(data) - 1)
    with pytest.raises(OSError, match="short write"):
        target.put(b"abc")


def test_a_spill_map_knows_each_entry_size_without_reading_it(where, monkeypatch):
    from sitegen.store import SpillMap

    held = SpillMap(where)
    held["a"] = b"abc"
    held["b"] = b""
    monkeypatch.setattr("os.pread", None)  # sizes come from the index, not the file
    assert held.size("a") == 3 and held.size("b") == 0
