"""History assembly from file digests: the rare identity and ordering cases."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.config import load_config
from sitegen.digest import id_hash
from sitegen.pipeline import BuildReport, ScanCache, load_history
from tests import oracle
from tests.conftest import trade, write_log


@pytest.fixture
def setup(logs, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)

    def history(tz="UTC"):
        config = load_config(logs_dir=logs, timezone=tz)
        return load_history(config, ScanCache(), BuildReport(), use_index=False)

    return history


def _agrees_with_oracle(history, logs, tz="UTC"):
    expected = oracle.compute(logs, tz)
    for window in ("daily", "weekly", "monthly", "all"):
        for period in history.periods(window):
            actual = json.loads(json.dumps(history.summary(window, period)))
            assert not oracle.diff(expected[(window, period)], actual), (window, period)


def test_closed_trade_rewritten_by_a_later_file(logs, setup):
    write_log(
        logs,
        "2025-10-06",
        [
            trade(
                "2025-10-06T14:00:00Z", net="10.00", order_id="ord-1", exit="2025-10-06T14:10:00Z"
            ),
            trade("2025-10-06T15:00:00Z", net="3.00", exit="2025-10-06T15:10:00Z"),
        ],
    )
    write_log(
        logs,
        "2025-10-07",
        [  # the bot corrects ord-1: it was a loss
            trade(
                "2025-10-06T14:00:00Z",
                "AAPL",
                "loss",
                "-5.00",
                order_id="ord-1",
                exit="2025-10-06T14:10:00Z",
            ),
        ],
    )
    h = setup()
    monday = h.summary("daily", "2025-10-06")
    assert (monday["trades_total"], monday["wins"], monday["losses"]) == (2, 1, 1)
    assert monday["net_pnl"] == "-2.00"
    assert h.superseded == {h.file_dates[0]: 1}
    assert h.excluded == {0: frozenset({id_hash("ord-1")})}
    pairs = h.trades[h.file_dates[0]]
    assert [(t.outcome, str(t.pnl)) for t, _ in pairs] == [("loss", "-5.00"), ("win", "3.00")]
    _agrees_with_oracle(h, logs)


def test_interleaved_files_within_a_day(logs, setup):
    # File 1's after-hours trade closes at 00:20Z on the 7th, between two trades of
    # file 2 (00:10Z and 00:30Z): the day's parts interleave and are rebuilt exactly.
    write_log(
        logs,
        "2025-10-06",
        [
            trade("2025-10-06T23:50:00Z", net="-4.00", outcome="loss", exit="2025-10-07T00:20:00Z"),
        ],
    )
    write_log(
        logs,
        "2025-10-07",
        [
            trade("2025-10-07T00:05:00Z", net="5.00", exit="2025-10-07T00:10:00Z"),
            trade("2025-10-07T00:25:00Z", net="6.00", exit="2025-10-07T00:30:00Z"),
        ],
    )
    h = setup()
    tuesday = h.summary("daily", "2025-10-07")
    assert tuesday["max_win_streak"] == 1 and tuesday["max_drawdown"] == "-4.00"
    assert tuesday["current_streak"] == {"type": "win", "count": 1}
    assert [str(t.pnl) for t, _ in h.trades[h.file_dates[1]]] == ["5.00", "-4.00", "6.00"]
    _agrees_with_oracle(h, logs)


def test_open_superseded_and_same_instant_tie(logs, setup):
    # Same exit instant in two files: ties go by file, then line.
    write_log(
        logs,
        "2025-10-06",
        [
            trade("2025-10-06T14:00:00Z", outcome="open", order_id="o", profit="2.00"),
            trade("2025-10-06T14:00:00Z", outcome="loss", net="-1.00", exit="2025-10-07T14:00:00Z"),
        ],
    )
    write_log(
        logs,
        "2025-10-07",
        [
            trade("2025-10-06T14:00:00Z", net="7.00", order_id="o", exit="2025-10-07T14:00:00Z"),
        ],
    )
    h = setup()
    tuesday = h.summary("daily", "2025-10-07")
    assert tuesday["trades_total"] == 2 and tuesday["trades_open"] == 0
    assert tuesday["current_streak"] == {"type": "win", "count": 1}
    assert h.summary("daily", "2025-10-06")["trades_total"] == 0
    _agrees_with_oracle(h, logs)
    _agrees_with_oracle(setup("America/New_York"), logs, "America/New_York")


def _digest_with_ids(name: str, closed: list[str], opened: list[str], excluded: list[str] = ()):
    from sitegen.digest import NO_PARTS, Excluded, FileDigest, OpenRecord, pack_ids

    day = dt.date.fromisoformat(name[:10])
    return FileDigest(
        name=name,
        date=day,
        size=0,
        mtime_ns=0,
        hash="",
        complete=True,
        lines=0,
        problems=(),
        in_progress=None,
        parts=NO_PARTS,
        opens=tuple(OpenRecord(oid, 1, day, None) for oid in opened),
        closed_ids=pack_ids(id_hash(oid) for oid in closed),
        superseded=0,
        excluded=(Excluded(day, "PAPER", len(excluded)),) if excluded else (),
        excluded_ids=pack_ids(id_hash(oid) for oid in excluded),
        excluded_slots=bytes(4 * len(excluded)),
    )


@given(
    st.lists(
        st.tuples(
            st.lists(st.integers(0, 60), unique=True, max_size=12),
            st.lists(st.integers(0, 60), unique=True, max_size=3),
            st.lists(st.integers(0, 60), unique=True, max_size=3),
        ),
        max_size=8,
    )
)
def test_supersedes_matches_a_direct_check_sliced_or_not(files):
    """A record is superseded when a later file holds its id (as a closed record, an
    open one, or one of a mode not analysed): checked against the literal rule, with
    the whole hash range at once and a slice at a time."""
    from sitegen import history as history_module

    files = [
        (
            [n for n in closed if n not in opened and n not in excluded],
            [n for n in opened if n not in excluded],
            excluded,
        )
        for closed, opened, excluded in files
    ]
    digests = [
        _digest_with_ids(
            f"2025-10-{i + 1:02d}.jsonl",
            [f"o{n}" for n in closed],
            [f"o{n}" for n in opened],
            [f"o{n}" for n in excluded],
        )
        for i, (closed, opened, excluded) in enumerate(files)
    ]
    expected: tuple[dict, dict, dict] = ({}, {}, {})
    for fi, kinds in enumerate(files):
        later = {n for c, o, x in files[fi + 1 :] for n in (*c, *o, *x)}
        for found, ids in zip(expected, kinds, strict=True):
            if gone := {id_hash(f"o{n}") for n in ids if n in later}:
                found[fi] = gone
    assert history_module.supersedes(digests) == expected
    saved = history_module.SLICE_IDS
    try:
        history_module.SLICE_IDS = 1  # as many slices as there can be
        assert history_module.supersedes(digests) == expected
    finally:
        history_module.SLICE_IDS = saved


DAY = dt.date(2025, 10, 6)


def test_packed_tails_keep_the_last_items():
    from decimal import Decimal

    from sitegen.digest import join_tail, pack_decimals, pack_outcomes
    from sitegen.history import Close

    assert join_tail(pack_outcomes(["win", "loss"]), pack_outcomes(["breakeven"]), 2) == "lb"
    values = [Decimal("1.5"), Decimal("2"), Decimal("1E+2"), Decimal("-0.25")]
    packed = pack_decimals(values)
    close = Close(pack_outcomes(["win", "loss", "breakeven"]), packed, None).unpack(DAY, 3)
    assert close.outcomes == ("win", "loss", "breakeven")
    assert close.risk_rewards == tuple(values[1:]) and close.last_close is None
    assert Close("", "", None).unpack(DAY, 3).risk_rewards == ()
    assert join_tail(packed, pack_decimals([Decimal("3")]), 3, ",") == "1E+2,-0.25,3"
    assert join_tail("", "", 3, ",") == "" and join_tail("", "7", 3, ",") == "7"
