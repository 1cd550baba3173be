"""The merge law: merging the partials of any split equals the partial of the whole."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.metrics import WindowContext, summarize
from sitegen.partials import (
    HOLD_KEYS,
    HOLD_UNKNOWN,
    WEEKDAYS,
    Equity,
    Partial,
    Trade,
    equity_of,
    fold_equity,
    from_trades,
    merge,
    merge_equity,
    merge_stream,
    r_multiple,
    streaks_of,
)

BASE = dt.datetime(2025, 10, 6, 14, tzinfo=dt.UTC)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
money = st.decimals(min_value=-500, max_value=500, places=2, allow_nan=False)
r_values = st.one_of(
    st.none(),
    st.decimals(min_value=-5, max_value=5, places=3),
    st.sampled_from([Decimal(e) for e in (-2, -1, 0, 1, 2, 3)]),
)


MODES = ["PAPER", "LIVE", "UNKNOWN"]
VERSIONS = ["1.4.2 · abc123", "1.5.0 · def456", "unknown · unknown", "0.9 · unknown"]


@st.composite
def trades(draw, max_size=40):
    n = draw(st.integers(0, max_size))
    out = []
    minute = 0
    for i in range(n):
        outcome = draw(st.sampled_from(["win", "loss", "breakeven", "open"]))
        pnl = draw(money)
        minute += draw(st.integers(0, 2))  # trades may share their instant
        out.append(
            Trade(
                day=dt.date(2025, 10, 6) + dt.timedelta(days=i // 5),
                when=BASE + dt.timedelta(minutes=minute),
                file=0,
                line=i + 1,
                outcome=outcome,
                pnl=draw(st.one_of(st.none(), money)) if outcome == "open" else pnl,
                symbol=draw(st.sampled_from(["AAPL", "MSFT", "X|Y"])),
                strategy=draw(st.sampled_from(["a", "b"])),
                r=None if outcome == "open" else draw(r_values),
                risk_reward=draw(st.one_of(st.none(), st.decimals(0, 5, places=1))),
                commission=draw(st.one_of(st.none(), st.decimals(0, 3, places=2))),
                slippage=draw(st.one_of(st.none(), st.decimals(0, 1, places=2))),
                gross=draw(st.one_of(st.none(), money)),
                side=draw(st.sampled_from(["BUY", "SELL", "(none)", "<b>|"])),
                hour=draw(st.integers(0, 23)),
                weekday=draw(st.integers(0, 6)),
                hold=draw(st.integers(0, HOLD_UNKNOWN)),
                mode=draw(st.sampled_from(MODES)),
                version=draw(st.sampled_from(VERSIONS)),
            )
        )
    return out


def _split(items, cuts):
    bounds = sorted({c % (len(items) + 1) for c in cuts})
    pieces, start = [], 0
    for b in [*bounds, len(items)]:
        pieces.append(items[start:b])
        start = b
    return pieces


def _summary(p: Partial) -> dict:
    days = sorted(p.daily)
    ctx = WindowContext("all", "all", dt.date(2025, 10, 6), dt.date(2025, 12, 31), "UTC", days)
    return summarize(p, ctx)


@settings(max_examples=300, deadline=None)
@given(trades(), st.lists(st.integers(0, 100), max_size=8))
def test_merge_of_any_split_equals_whole(items, cuts):
    whole = from_trades(items)
    pieces = [from_trades(piece) for piece in _split(items, cuts)]
    merged = merge_stream(pieces)
    assert merged == whole
    assert _summary(merged) == _summary(whole)
    # the new maps and counters are covered by the equality above; spell them out so a
    # field left out of merge() cannot pass unnoticed
    for field in (
        "gross_pnl",
        "r_hist",
        "rr_r_n",
        "rr_r_hits",
        "daily_closed",
        "by_side",
        "by_hour",
        "by_weekday",
        "by_hold",
        "by_mode",
        "by_version",
        "version_span",
    ):
        assert getattr(merged, field) == getattr(whole, field), field
    # dicts compare without their order: the versions' order of first appearance is
    # part of the law too
    assert list(merged.by_version) == list(whole.by_version) == list(merged.version_span)
    assert list(merged.version_span) == list(whole.version_span)
    closed = sum(1 for t in items if t.closed)
    for field in ("by_side", "by_hour", "by_weekday", "by_hold", "by_mode", "by_version"):
        assert sum(cell[0] for cell in getattr(whole, field).values()) == closed, field
    assert sum(whole.daily_closed.values()) == closed
    assert sum(whole.r_hist) == whole.r_n
    # each cell's Σ P&L² and Σ R² (the intervals' sums) against the trades themselves,
    # in the merged partial as in the whole
    keys = {
        "by_symbol": lambda t: t.symbol,
        "by_strategy": lambda t: t.strategy,
        "by_side": lambda t: t.side,
        "by_hour": lambda t: f"{t.hour:02d}",
        "by_weekday": lambda t: WEEKDAYS[t.weekday],
        "by_hold": lambda t: HOLD_KEYS[t.hold],
        "by_mode": lambda t: t.mode,
        "by_version": lambda t: t.version,
    }
    for field, key_of in keys.items():
        direct: dict[str, tuple[Decimal, Decimal]] = {}
        for t in items:
            if not t.closed:
                continue
            pnl2, r2 = direct.get(key_of(t), (Decimal(0), Decimal(0)))
            pnl = t.pnl or Decimal(0)
            direct[key_of(t)] = (pnl2 + pnl * pnl, r2 + (t.r * t.r if t.r is not None else 0))
        for partial in (merged, whole):
            cells = getattr(partial, field)
            assert {k: (c[10], c[11]) for k, c in cells.items()} == direct, field

    # each version's first and last closed trade, and their order, from the trades
    spans: dict[str, tuple] = {}
    for t in items:
        if t.closed:
            micros = (t.when - EPOCH) // dt.timedelta(microseconds=1)
            first = spans.get(t.version, (micros, t.day))[:2]
            spans[t.version] = (*first, micros, t.day)
    for partial in (merged, whole):
        assert partial.version_span == spans
        assert list(partial.version_span) == list(spans)  # first appearance
        assert [row["key"] for row in _summary(partial)["by_version"]] == list(spans)


@settings(max_examples=200, deadline=None)
@given(trades(15), trades(15), trades(15))
def test_merge_is_associative_with_neutral(a, b, c):
    pa, pb, pc = from_trades(a), from_trades(b), from_trades(c)
    left, right = merge(merge(pa, pb), pc), merge(pa, merge(pb, pc))
    assert left == right
    assert list(left.by_version) == list(right.by_version)
    assert list(left.version_span) == list(right.version_span)
    assert merge(Partial(), pa) == pa == merge(pa, Partial())


def _direct_drawdown(pnls):
    """The literal definition: walk the equity curve with a running peak from 0."""
    equity = peak = Decimal(0)
    worst = Decimal(0)
    run = longest = 0
    for pnl in pnls:
        equity += pnl
        peak = max(peak, equity)
        worst = min(worst, equity - peak)
        run = run + 1 if equity < peak else 0
        longest = max(longest, run)
    return worst, longest


@settings(max_examples=300, deadline=None)
@given(st.lists(money, max_size=60), st.lists(st.integers(0, 100), max_size=6))
def test_equity_matches_definition_for_any_split(pnls, cuts):
    merged = Equity()
    for piece in _split(pnls, cuts):
        merged = merge_equity(merged, equity_of(piece))
    assert (merged.dd, merged.max_duration()) == _direct_drawdown(pnls)
    folded = fold_equity([equity_of(piece) for piece in _split(pnls, cuts)])
    assert (folded.dd, folded.max_duration()) == _direct_drawdown(pnls)
    assert (folded.n, folded.total, folded.peak, folded.low) == (
        merged.n,
        merged.total,
        merged.peak,
        merged.low,
    )


def test_drawdown_edge_cases():
    # A loss on the very first trade is a drawdown from the starting peak of 0.
    assert _direct_drawdown([Decimal(-5)]) == (Decimal(-5), 1)
    e = equity_of([Decimal(-5)])
    assert (e.dd, e.max_duration()) == (Decimal(-5), 1)
    # A drawdown running to the end of the data.
    e = equity_of([Decimal(10), Decimal(-3), Decimal(-1)])
    assert (e.dd, e.max_duration()) == (Decimal(-4), 2)
    # No losing trades at all.
    e = equity_of([Decimal(1), Decimal(0), Decimal(2)])
    assert (e.dd, e.max_duration()) == (Decimal(0), 0)
    assert Equity().max_duration() == 0


def test_streaks_skip_breakevens():
    s = streaks_of(["win", "breakeven", "win", "loss", "breakeven", "loss", "loss", "win"])
    assert (s.max_win, s.max_loss, s.tail_type, s.tail_len) == (2, 3, "win", 1)
    assert streaks_of(["breakeven"]).tail_type is None


def test_r_multiple_needs_usable_stop():
    d = Decimal
    assert r_multiple(d(20), d(100), d(99), d(10)) == d(2)
    assert r_multiple(d(20), d(100), d(100), d(10)) is None  # price == stop
    assert r_multiple(d(20), d(100), None, d(10)) is None
    assert r_multiple(d(20), d(100), d(99), d(0)) is None  # quantity must be > 0
    assert r_multiple(d(20), None, d(99), d(10)) is None
    # short trade: stop above price
    assert r_multiple(d(-10), d(50), d(51), d(10)) == d(-1)
