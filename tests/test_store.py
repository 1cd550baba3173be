"""SummaryStore: summaries kept packed between build stages read back equal."""

from __future__ import annotations

import pytest

from sitegen.store import SummaryStore


def test_store_gives_back_equal_copies_in_key_order():
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
    store = SummaryStore({("daily", "2025-10-10"): summary})
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


def test_take_shares_an_entry_without_unpacking():
    a = SummaryStore({("all", "all"): {"window": "all"}})
    b = SummaryStore()
    b.take(a, ("all", "all"))
    assert b[("all", "all")] == {"window": "all"} and list(b) == [("all", "all")]
