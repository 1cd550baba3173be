"""Tests for the deterministic demo trade-log generator (sitegen.demo)."""

from __future__ import annotations

import datetime
import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from sitegen.demo import generate

FIELDS = [
    "timestamp",
    "symbol",
    "action",
    "quantity",
    "price",
    "total_value",
    "order_id",
    "execution_mode",
    "account_id",
    "strategy_name",
    "entry_type",
    "stop_loss",
    "target",
    "decision_reasoning",
    "indicators_used",
    "risk_reward_ratio",
    "outcome",
    "profit_loss",
    "hold_duration_seconds",
    "exit_timestamp",
    "exit_reasoning",
    "slippage",
    "commission",
    "net_profit_loss",
    "session_id",
    "bot_version",
    "config_hash",
]
MONEY = re.compile(r"-?\d+\.\d\d")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
FILE_NAME = re.compile(r"\d{4}-\d\d-\d\d\.jsonl")
RR_TEXT = re.compile(r'"risk_reward_ratio":(null|\d+\.\d{1,2}),')
CENT = Decimal("0.01")


def _parse_ts(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.UTC)


def _read(paths: list[Path]) -> list[tuple[Path, int, str, dict]]:
    """(file, line number, raw line, record) for every line of every file."""
    out = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert text.endswith("\n"), path
        for n, line in enumerate(text.splitlines(), 1):
            out.append((path, n, line, json.loads(line)))
    return out


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], list]:
    out = tmp_path_factory.mktemp("demo") / "logs"
    paths = generate(out, days=60, per_day=20, seed=7)
    return paths, _read(paths)


# -- determinism -------------------------------------------------------------------


def test_same_arguments_give_byte_identical_files(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", days=12, per_day=15, seed=3)
    b = generate(tmp_path / "b", days=12, per_day=15, seed=3)
    assert [p.name for p in a] == [p.name for p in b]
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes()


def test_different_seed_gives_different_data(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", days=12, per_day=15, seed=3)
    b = generate(tmp_path / "b", days=12, per_day=15, seed=4)
    assert b"".join(p.read_bytes() for p in a) != b"".join(p.read_bytes() for p in b)


def test_regenerating_in_place_is_stable(tmp_path: Path) -> None:
    first = generate(tmp_path, days=6, per_day=5)
    before = {p.name: p.read_bytes() for p in first}
    again = generate(tmp_path, days=6, per_day=5, force=True)
    assert {p.name: p.read_bytes() for p in again} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(before)  # no temp files left


# -- calendar ----------------------------------------------------------------------


def test_file_names_count_and_missing_day(dataset) -> None:
    paths, _ = dataset
    assert len(paths) == 59
    assert paths == sorted(paths)
    assert all(p.exists() and FILE_NAME.fullmatch(p.name) for p in paths)
    assert sorted(p.name for p in paths[0].parent.iterdir()) == [p.name for p in paths]
    dates = [datetime.date.fromisoformat(p.stem) for p in paths]
    assert all(d.weekday() < 5 for d in dates)
    assert dates[0] == datetime.date(2025, 9, 1)
    # exactly one weekday inside the range has no file, and it is not at either end
    weekdays = [
        dates[0] + datetime.timedelta(days=i)
        for i in range((dates[-1] - dates[0]).days + 1)
        if (dates[0] + datetime.timedelta(days=i)).weekday() < 5
    ]
    assert len(weekdays) == 60
    missing = sorted(set(weekdays) - set(dates))
    assert len(missing) == 1
    assert weekdays[0] < missing[0] < weekdays[-1]


@pytest.mark.parametrize("days", [5, 6, 9, 23])
def test_days_minus_one_files_when_days_at_least_five(tmp_path: Path, days: int) -> None:
    paths = generate(tmp_path, days=days, per_day=3, seed=11)
    assert len(paths) == days - 1
    assert all(datetime.date.fromisoformat(p.stem).weekday() < 5 for p in paths)


def test_small_day_counts(tmp_path: Path) -> None:
    assert generate(tmp_path / "zero", days=0) == []

    one = generate(tmp_path / "one", days=1, per_day=4)
    assert [p.name for p in one] == ["2025-09-01.jsonl"]
    records = [r for *_, r in _read(one)]
    assert [r["outcome"] for r in records].count("open") == 1  # the last open trade stays open

    three = generate(tmp_path / "three", days=3, per_day=4)
    assert [p.name for p in three] == [
        "2025-09-01.jsonl",
        "2025-09-02.jsonl",
        "2025-09-03.jsonl",
    ]
    rows = _read(three)
    assert rows
    assert len({r["order_id"] for *_, r in rows}) < len(rows)  # open trade closed next day


def test_weekend_start_moves_to_monday(tmp_path: Path) -> None:
    paths = generate(tmp_path, days=3, per_day=2, start=datetime.date(2025, 9, 6))
    assert [p.stem for p in paths] == ["2025-09-08", "2025-09-09", "2025-09-10"]


def test_out_dir_created_and_zero_per_day(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "er" / "logs"
    paths = generate(out, days=2, per_day=0)
    assert out.is_dir()
    assert [p.read_bytes() for p in paths] == [b"", b""]


@pytest.mark.parametrize(("kwargs"), [{"days": -1}, {"per_day": -1}])
def test_negative_arguments_rejected(tmp_path: Path, kwargs: dict) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path, **kwargs)


# -- record format -----------------------------------------------------------------


def test_every_line_has_all_fields_in_order_and_compact(dataset) -> None:
    _, rows = dataset
    assert len(rows) > 59 * 20 * 0.8
    for _path, _n, line, rec in rows:
        assert list(rec) == FIELDS
        # compact separators, no spaces, exactly what json.dumps gives
        assert line == json.dumps(rec, separators=(",", ":"))
        assert RR_TEXT.search(line)


def test_field_types(dataset) -> None:
    _, rows = dataset
    for _path, _n, _line, r in rows:
        assert TIMESTAMP.fullmatch(r["timestamp"])
        assert isinstance(r["symbol"], str) and r["symbol"]
        assert r["action"] in ("BUY", "SELL")
        assert _is_int(r["quantity"]) and r["quantity"] > 0
        for key in ("price", "total_value", "target", "slippage", "commission", "profit_loss"):
            assert isinstance(r[key], str) and MONEY.fullmatch(r[key]), (key, r[key])
        assert r["stop_loss"] is None or MONEY.fullmatch(r["stop_loss"])
        assert re.fullmatch(r"ord-\d{8}", r["order_id"])
        assert r["execution_mode"] == "PAPER" and r["account_id"] is None
        for key in ("strategy_name", "entry_type", "decision_reasoning"):
            assert isinstance(r[key], str) and r[key]
        assert isinstance(r["indicators_used"], list) and r["indicators_used"]
        assert all(isinstance(i, str) for i in r["indicators_used"])
        rr = r["risk_reward_ratio"]
        assert rr is None or (isinstance(rr, float) and rr > 0)
        assert r["outcome"] in ("win", "loss", "breakeven", "open")
        assert Decimal(r["slippage"]) > 0 and Decimal(r["commission"]) > 0
        for key in ("session_id", "bot_version", "config_hash"):
            assert isinstance(r[key], str) and r[key]
        if r["outcome"] == "open":
            assert r["hold_duration_seconds"] is None
            assert r["exit_timestamp"] is None and r["exit_reasoning"] is None
            assert r["net_profit_loss"] is None
        else:
            assert _is_int(r["hold_duration_seconds"]) and r["hold_duration_seconds"] >= 0
            assert TIMESTAMP.fullmatch(r["exit_timestamp"])
            assert isinstance(r["exit_reasoning"], str) and r["exit_reasoning"]
            assert MONEY.fullmatch(r["net_profit_loss"])


def test_lines_in_timestamp_order(dataset) -> None:
    paths, rows = dataset
    for path in paths:
        stamps = [r["timestamp"] for p, _n, _l, r in rows if p == path]
        assert stamps == sorted(stamps), path


# -- money and trade consistency ---------------------------------------------------


def test_net_is_profit_minus_commission_exactly(dataset) -> None:
    _, rows = dataset
    closed = [r for *_, r in rows if r["outcome"] != "open"]
    assert closed
    for r in closed:
        assert Decimal(r["net_profit_loss"]) == Decimal(r["profit_loss"]) - Decimal(r["commission"])


def test_trades_are_internally_consistent(dataset) -> None:
    _, rows = dataset
    for *_, r in rows:
        price, qty = Decimal(r["price"]), r["quantity"]
        assert Decimal(r["total_value"]) == price * qty
        target = Decimal(r["target"])
        stop = None if r["stop_loss"] is None else Decimal(r["stop_loss"])
        pnl = Decimal(r["profit_loss"])
        if r["action"] == "BUY":
            assert target > price and (stop is None or stop < price)
        else:
            assert target < price and (stop is None or stop > price)
        # P&L is quantity times a whole-cent exit move, so the exit price is a real price
        assert (pnl / qty).quantize(CENT) == pnl / qty
        exit_price = price + pnl / qty if r["action"] == "BUY" else price - pnl / qty
        assert exit_price > 0
        if r["outcome"] == "win":
            assert pnl > 0
        elif r["outcome"] == "loss":
            assert pnl < 0
        elif r["outcome"] == "breakeven":
            assert pnl == 0
            assert Decimal(r["net_profit_loss"]) < 0  # commission still paid
        if r["outcome"] != "open":
            held = _parse_ts(r["exit_timestamp"]) - _parse_ts(r["timestamp"])
            assert abs(held.total_seconds() - r["hold_duration_seconds"]) <= 1


def test_rr_and_stop_sometimes_missing(dataset) -> None:
    _, rows = dataset
    n = len(rows)
    no_stop = sum(r["stop_loss"] is None for *_, r in rows)
    no_rr = sum(r["risk_reward_ratio"] is None for *_, r in rows)
    assert 0 < no_stop < n / 10
    assert no_stop < no_rr < n / 10


# -- open trades, identity, time zones ---------------------------------------------


def test_open_trades_close_in_the_next_file(dataset) -> None:
    paths, rows = dataset
    by_file: dict[Path, dict[str, dict]] = {p: {} for p in paths}
    for path, _n, _l, r in rows:
        by_file[path][r["order_id"]] = r
    pairs = 0
    opens = [(i, r) for i, p in enumerate(paths) for r in by_file[p].values()]
    opens = [(i, r) for i, r in opens if r["outcome"] == "open"]
    assert opens
    for i, rec in opens:
        if i == len(paths) - 1:
            continue  # the last open trade may stay open
        closed = by_file[paths[i + 1]].get(rec["order_id"])
        assert closed is not None, rec["order_id"]
        assert closed["outcome"] in ("win", "loss")
        assert closed["timestamp"] == rec["timestamp"]
        assert closed["exit_timestamp"].startswith(paths[i + 1].stem)
        for key in ("symbol", "action", "quantity", "price", "stop_loss", "target"):
            assert closed[key] == rec[key]
        pairs += 1
    assert pairs >= 1
    # every open trade except possibly the very last one gets closed
    still_open = {r["order_id"] for _i, r in opens} - {
        r["order_id"] for *_, r in rows if r["outcome"] != "open"
    }
    assert len(still_open) <= 1


def test_order_ids_unique_except_open_closed_pairs(dataset) -> None:
    _, rows = dataset
    counts = Counter(r["order_id"] for *_, r in rows)
    assert max(counts.values()) <= 2
    for oid, count in counts.items():
        if count == 2:
            outcomes = [r["outcome"] for *_, r in rows if r["order_id"] == oid]
            assert outcomes[0] == "open" and outcomes[1] in ("loss", "win")


def test_after_hours_trades_exit_on_next_utc_date(dataset) -> None:
    _, rows = dataset
    crossing = [
        (path, r)
        for path, _n, _l, r in rows
        if r["exit_timestamp"]
        and r["exit_timestamp"][:10] > r["timestamp"][:10]
        and r["timestamp"][:10] == path.stem
    ]
    late = [
        r
        for _p, r in crossing
        if "23:40" <= r["timestamp"][11:16] <= "23:59" and r["exit_timestamp"][11:16] <= "00:30"
    ]
    assert late
    for r in late:
        entry, exit_ = _parse_ts(r["timestamp"]), _parse_ts(r["exit_timestamp"])
        assert exit_.date() == entry.date() + datetime.timedelta(days=1)


def test_early_utc_trades_present(dataset) -> None:
    _, rows = dataset
    early = [r for *_, r in rows if "00:10" <= r["timestamp"][11:16] < "03:00"]
    assert early
    normal = [r for *_, r in rows if "13:30" <= r["timestamp"][11:16] < "20:00"]
    assert len(normal) > 0.9 * len(rows)


# -- realism -----------------------------------------------------------------------


def test_outcome_mix(dataset) -> None:
    _, rows = dataset
    outcomes = Counter(r["outcome"] for *_, r in rows)
    assert set(outcomes) == {"win", "loss", "breakeven", "open"}
    closed = outcomes["win"] + outcomes["loss"] + outcomes["breakeven"]
    assert 0.38 < outcomes["win"] / closed < 0.62
    assert 0.30 < outcomes["loss"] / closed < 0.55
    assert 0.03 < outcomes["breakeven"] / closed < 0.12
    assert outcomes["open"] < 0.05 * len(rows)


def test_symbols_strategies_and_sides_vary(dataset) -> None:
    _, rows = dataset
    records = [r for *_, r in rows]
    symbols = {r["symbol"] for r in records}
    assert {"NVDA", "AAPL", "MSFT", "TSLA", "AMD", "META", "SPY", "QQQ"} <= symbols
    assert 4 <= len({r["strategy_name"] for r in records}) <= 5
    assert {r["action"] for r in records} == {"BUY", "SELL"}
    by_strategy: dict[str, Decimal] = {}
    for r in records:
        if r["outcome"] != "open":
            by_strategy[r["strategy_name"]] = by_strategy.get(
                r["strategy_name"], Decimal(0)
            ) + Decimal(r["net_profit_loss"])
    assert min(by_strategy.values()) < 0 < max(by_strategy.values())


def test_per_day_varies_around_the_mean(dataset) -> None:
    paths, rows = dataset
    per_file = Counter(p for p, *_ in rows)
    counts = [per_file[p] for p in paths]
    assert len(set(counts)) > 5
    assert 15 < sum(counts) / len(counts) < 25
    assert min(counts) >= 20 * 0.7 - 1 and max(counts) <= 20 * 1.3 + 3


def test_equity_curve_has_drawdowns_and_losing_streaks(dataset) -> None:
    _, rows = dataset
    closed = sorted(
        (r for *_, r in rows if r["outcome"] != "open"), key=lambda r: r["exit_timestamp"]
    )
    equity = peak = Decimal(0)
    worst = Decimal(0)
    streak = longest = 0
    for r in closed:
        equity += Decimal(r["net_profit_loss"])
        peak = max(peak, equity)
        worst = min(worst, equity - peak)
        if r["outcome"] == "loss":
            streak += 1
            longest = max(longest, streak)
        elif r["outcome"] == "win":
            streak = 0
    assert equity > 0
    assert worst < -1000
    assert longest >= 4
