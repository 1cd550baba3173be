"""Books and versions: by_mode, by_version and the all summary's version_change, on
hand-computed fixtures. Every expected number is worked out in the comments; the
t quantiles come from the 25-digit table of tests/test_stats.py (computed with an
arbitrary-precision library, independently of sitegen), rounded to 9 places as the
engine rounds them. The brute-force oracle (tests/oracle.py) checks the same fixtures
field by field, with a Welch computation and a solver of its own."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen import Tracker, load_config
from sitegen.cli import main
from sitegen.export import summary_markdown, validate_summary
from sitegen.stats import Sample, more_per_side, welch_df, welch_interval
from tests import oracle
from tests.conftest import trade, write_log
from tests.test_stats import T975

V1, V2, V3 = "1.4.2 · abc123", "1.5.0 · def456", "1.6.0 · 0a1b2c"


def t9(df: float) -> Decimal:
    """t(0.975, df) from the independent table, rounded to 9 places."""
    return Decimal(T975[df]).quantize(Decimal("1e-9"))


def closed(
    day: str,
    minute: int,
    net: str,
    version: str | None = V1,
    *,
    mode: str | None = "PAPER",
    stop: bool = True,
    symbol: str = "AAPL",
) -> dict:
    """A closed trade exiting on ``day`` at 14:``minute`` UTC; with a stop, R = net / 2
    (price 100, stop 99, 2 shares)."""
    outcome = "win" if Decimal(net) > 0 else "loss" if Decimal(net) < 0 else "breakeven"
    record = trade(
        f"{day}T13:{minute:02d}:00Z",
        symbol,
        outcome,
        net,
        exit=f"{day}T14:{minute:02d}:00Z",
        price="100" if stop else None,
        stop="99" if stop else None,
        qty=2,
        execution_mode=mode,
    )
    if version is not None:
        record["bot_version"], record["config_hash"] = version.split(" · ")
    return record


def summaries(logs: Path, tz: str = "UTC") -> dict[tuple[str, str], dict]:
    history = Tracker(load_config(logs_dir=logs, timezone=tz)).history()
    return {
        (w, p): json.loads(json.dumps(history.summary(w, p)))
        for w in ("daily", "weekly", "monthly", "all")
        for p in history.periods(w)
    }


def checked(logs: Path, tz: str = "UTC") -> dict[tuple[str, str], dict]:
    """Every summary, each valid against the schema and equal to the oracle's."""
    found = summaries(logs, tz)
    expected = oracle.compute(logs, tz)
    for key, summary in found.items():
        validate_summary(summary)
        assert not oracle.diff(expected[key], summary), (key, oracle.diff(expected[key], summary))
        assert not oracle.check_format(summary), key
    return found


@pytest.fixture(autouse=True)
def _clean(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no config/ here
    monkeypatch.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)


# --------------------------------------------------------------------------- n = 0, 1


def test_no_closed_trades(logs):
    """An open trade only: no row anywhere, and no version change."""
    write_log(logs, "2025-10-06", [trade("2025-10-06T13:00:00Z", outcome="open")])
    found = checked(logs)
    day = found[("daily", "2025-10-06")]
    assert day["by_mode"] == [] and "by_version" not in day and "version_change" not in day
    week = found[("weekly", "2025-W41")]
    assert week["by_mode"] == [] and week["by_version"] == []
    assert "version_change" not in week
    everything = found[("all", "all")]
    assert everything["by_version"] == [] and everything["version_change"] is None
    assert everything["undefined_reasons"]["version_change"] == "no closed trades"


def test_one_trade_one_version(logs):
    """One closed trade: every interval and spread figure is n/a, with its reason."""
    write_log(logs, "2025-10-06", [closed("2025-10-06", 1, "30.00", V1)])
    everything = checked(logs)[("all", "all")]
    assert everything["version_change"] is None
    assert everything["undefined_reasons"]["version_change"] == "only one version"
    [row] = everything["by_version"]
    assert row == {
        "key": V1,
        "first_day": "2025-10-06",
        "last_day": "2025-10-06",
        "trades_closed": 1,
        "wins": 1,
        "win_rate": "1.000000",
        "win_rate_low": "0.206549",  # Wilson of 1 in 1 (tests/test_export.py)
        "win_rate_high": "1.000000",
        "net_pnl": "30.00",
        "expectancy": "30.000000",
        "expectancy_low": None,
        "expectancy_high": None,
        "avg_r_multiple": "15.000000",  # 30 / (1 × 2)
        "r_trades": 1,
        "sqn": None,
        "profit_factor": None,
        "undefined_reasons": {
            "expectancy_low": "fewer than 2 closed trades",
            "expectancy_high": "fewer than 2 closed trades",
            "sqn": "fewer than 2 closed trades with a usable stop",
            "profit_factor": "no losing trades",
        },
    }
    [mode] = everything["by_mode"]
    assert (mode["key"], mode["trades_closed"], mode["net_pnl"]) == ("PAPER", 1, "30.00")


def test_one_trade_each_side(logs):
    """n = 1 on each side: the difference only; no trade with a stop in the latest."""
    write_log(
        logs,
        "2025-10-06",
        [closed("2025-10-06", 1, "10.00", V1), closed("2025-10-06", 2, "-5.00", V2, stop=False)],
    )
    change = checked(logs)[("all", "all")]["version_change"]
    assert (change["previous"], change["latest"]) == (V1, V2)
    few = "fewer than 2 closed trades in both versions"
    assert change["expectancy"] == {
        "difference": "-15.000000",  # -5 − 10
        "low": None,
        "high": None,
        "verdict": "not_yet_clear",
        "n_previous": 1,
        "n_latest": 1,
        "more_trades_needed": None,
        "undefined_reasons": {"low": few, "high": few, "more_trades_needed": few},
    }
    few_r = "fewer than 2 closed trades with a usable stop in the latest version"
    assert change["avg_r_multiple"] == {
        "difference": None,
        "low": None,
        "high": None,
        "verdict": "not_yet_clear",
        "n_previous": 1,
        "n_latest": 0,
        "more_trades_needed": None,
        "undefined_reasons": {
            "difference": "no closed trades with a usable stop in the latest version",
            "low": "fewer than 2 closed trades with a usable stop in both versions",
            "high": "fewer than 2 closed trades with a usable stop in both versions",
            "more_trades_needed": "fewer than 2 closed trades with a usable stop in both versions",
        },
    }
    assert few_r not in json.dumps(change)  # both sides are short of 2: "both versions"


# --------------------------------------------------------------------------- spreads


def test_identical_values_have_no_interval(logs):
    """5, 5 then 7, 7: a difference of 2 but no spread at all, so no interval."""
    write_log(
        logs,
        "2025-10-06",
        [closed("2025-10-06", i, net, v) for i, (net, v) in enumerate(
            [("5.00", V1), ("5.00", V1), ("7.00", V2), ("7.00", V2)]
        )],
    )  # fmt: skip
    change = checked(logs)[("all", "all")]["version_change"]
    flat = "P&L have zero spread in both versions"
    assert change["expectancy"] == {
        "difference": "2.000000",
        "low": None,
        "high": None,
        "verdict": "not_yet_clear",
        "n_previous": 2,
        "n_latest": 2,
        "more_trades_needed": None,
        "undefined_reasons": {"low": flat, "high": flat, "more_trades_needed": flat},
    }
    r_flat = "R multiples have zero spread in both versions"
    assert change["avg_r_multiple"]["difference"] == "1.000000"  # 3.5 − 2.5
    assert change["avg_r_multiple"]["undefined_reasons"]["low"] == r_flat


def test_one_side_without_spread(logs):
    """5, 5 then 6, 10: s₁² = 0, s₂² = 8, so ν = (8/2)² / ((8/2)²/1) = 1 and
    t(0.975, 1) = 12.706204736; the difference 8 − 5 = 3 ± 12.706204736 · √(8/2) =
    3 ± 25.412409472. More trades: 1.959964 · √(8/(2 + k)) < 3 ⟺ 8/(2 + k) <
    9/3.841459 = 2.3429 ⟺ k > 1.41: k = 2 (8/3 = 2.67 is not below, 8/4 = 2 is)."""
    write_log(
        logs,
        "2025-10-06",
        [closed("2025-10-06", i, net, v) for i, (net, v) in enumerate(
            [("5.00", V1), ("5.00", V1), ("6.00", V2), ("10.00", V2)]
        )],
    )  # fmt: skip
    change = checked(logs)[("all", "all")]["version_change"]["expectancy"]
    assert t9(1) == Decimal("12.706204736")
    assert change == {
        "difference": "3.000000",
        "low": "-22.412409",  # 3 − 25.412409472
        "high": "28.412409",
        "verdict": "not_yet_clear",
        "n_previous": 2,
        "n_latest": 2,
        "more_trades_needed": 2,
        "undefined_reasons": {},
    }


# --------------------------------------------------------------------------- Welch


@pytest.fixture
def welch_logs(logs: Path) -> Path:
    """Previous version: -4, 2 (Monday); latest: -4, -4, -4, 6, 6 (Tuesday, Wednesday)."""
    write_log(
        logs, "2025-10-06", [closed("2025-10-06", 1, "-4.00"), closed("2025-10-06", 2, "2.00")]
    )
    latest = [closed(d, i, net, V2) for i, (d, net) in enumerate(
        [("2025-10-07", "-4.00"), ("2025-10-07", "6.00"), ("2025-10-07", "-4.00"),
         ("2025-10-08", "-4.00"), ("2025-10-08", "6.00")]
    )]  # fmt: skip
    write_log(logs, "2025-10-07", latest[:3])
    write_log(logs, "2025-10-08", latest[3:])
    return logs


def test_welch_by_hand(welch_logs):
    """mean₁ = -1, s₁² = ((-3)² + 3²)/1 = 18; mean₂ = 0, s₂² = (3·16 + 2·36)/4 = 30.
    s₁²/n₁ = 9, s₂²/n₂ = 6: the standard error is √15 = 3.872983346…, and
    ν = (9 + 6)² / (9²/1 + 6²/4) = 225/90 = 2.5 exactly, t(0.975, 2.5) = 3.574654842
    (table: 3.574654842003683…). Half-width 3.574654842 · √15 = 13.844578671…, so the
    difference 0 − (-1) = 1 lies in -12.844579 … 14.844579: not yet clear.
    More trades: 1.959964² · (18/(2 + k) + 30/(5 + k)) < 1: at k = 180, 18/182 + 30/185
    = 0.261063 > 1/3.841459 = 0.260318; at k = 181, 18/183 + 30/186 = 0.259651 < it."""
    everything = checked(welch_logs)[("all", "all")]
    change = everything["version_change"]
    assert (change["previous"], change["latest"]) == (V1, V2)
    assert change["expectancy"] == {
        "difference": "1.000000",
        "low": "-12.844579",
        "high": "14.844579",
        "verdict": "not_yet_clear",
        "n_previous": 2,
        "n_latest": 5,
        "more_trades_needed": 181,
        "undefined_reasons": {},
    }
    # R = P&L / 2: every mean and deviation halves, ν stays 2.5 and k stays 181
    assert change["avg_r_multiple"] == {
        "difference": "0.500000",
        "low": "-6.422289",  # (1 − 13.844578671…) / 2 = -6.4222893357…
        "high": "7.422289",
        "verdict": "not_yet_clear",
        "n_previous": 2,
        "n_latest": 5,
        "more_trades_needed": 181,
        "undefined_reasons": {},
    }
    rows = everything["by_version"]
    assert [(r["key"], r["first_day"], r["last_day"], r["trades_closed"]) for r in rows] == [
        (V1, "2025-10-06", "2025-10-06", 2),
        (V2, "2025-10-07", "2025-10-08", 5),
    ]
    # the latest: 2 wins in 5, net 0; gross 12 against |-12|
    assert (rows[1]["profit_factor"], rows[1]["expectancy"], rows[1]["avg_r_multiple"]) == (
        "1.000000",
        "0.000000",
        "0.000000",
    )
    assert rows[1]["sqn"] == "0.000000"  # a mean of 0 with a spread
    # the weekly summary lists the same versions; no version change but in all
    week = summaries(welch_logs)[("weekly", "2025-W41")]
    assert [r["key"] for r in week["by_version"]] == [V1, V2] and "version_change" not in week


def test_welch_pieces_by_a_second_method():
    """The same numbers straight from the stats functions, and the half-width from
    the table's t: a second path to the figures above."""
    previous = Sample(2, Decimal("-2.00"), Decimal("20.0000"))  # -4, 2
    latest = Sample(5, Decimal("0.00"), Decimal("120.0000"))  # -4 ×3, 6 ×2
    assert welch_df(previous, latest) == 2.5
    low, high = welch_interval(previous, latest)
    half = t9(2.5) * Decimal(15).sqrt()
    assert abs(low - (1 - half)) < Decimal("1e-20") and abs(high - (1 + half)) < Decimal("1e-20")
    assert more_per_side(previous, latest) == 181
    # the solver's answer is the first k that satisfies the condition, exactly
    z2 = Decimal("1.959964") ** 2
    for k, holds in ((180, False), (181, True)):
        assert (z2 * (Decimal(18) / (2 + k) + Decimal(30) / (5 + k)) < 1) is holds


@pytest.mark.parametrize(("first", "second", "verdict"), [
    (("1.00", "2.00", "3.00"), ("11.00", "12.00", "13.00"), "better"),
    (("11.00", "12.00", "13.00"), ("1.00", "2.00", "3.00"), "worse"),
])  # fmt: skip
def test_verdicts(logs, first, second, verdict):
    """1, 2, 3 against 11, 12, 13: s² = 1 on each side, s²/n = 1/3 each, so the
    standard error is √(2/3) and ν = (2/3)² / (2 · (1/3)²/2) = 4; t(0.975, 4) =
    2.776445105, half-width 2.776445105 · √(2/3) = 2.266957935…: ±10 ± 2.266958."""
    records = [closed("2025-10-06", i, net, V1) for i, net in enumerate(first)]
    records += [closed("2025-10-07", i, net, V2) for i, net in enumerate(second)]
    write_log(logs, "2025-10-06", records[:3])
    write_log(logs, "2025-10-07", records[3:])
    change = checked(logs)[("all", "all")]["version_change"]["expectancy"]
    sign = 1 if verdict == "better" else -1
    assert change["verdict"] == verdict
    assert change["difference"] == f"{10 * sign:.6f}"
    bounds = sorted([sign * Decimal("7.733042"), sign * Decimal("12.266958")])
    assert (Decimal(change["low"]), Decimal(change["high"])) == tuple(bounds)
    assert change["more_trades_needed"] is None
    assert change["undefined_reasons"] == {"more_trades_needed": "the interval already excludes 0"}


# --------------------------------------------------------------------------- order


def test_three_versions_in_order_of_first_appearance(logs):
    """V1 on Monday, V2 on Tuesday, V3 on Wednesday and V1 again on Thursday: V1 keeps
    its place (first seen first) and its last day moves to Thursday; the change compares
    V3 (the last to appear) with V2, whatever the key's alphabetical order."""
    write_log(logs, "2025-10-06", [closed("2025-10-06", 1, "4.00", V1)])
    write_log(
        logs,
        "2025-10-07",
        [closed("2025-10-07", 1, "1.00", V2), closed("2025-10-07", 2, "3.00", V2)],
    )
    write_log(
        logs,
        "2025-10-08",
        [closed("2025-10-08", 1, "2.00", V3), closed("2025-10-08", 2, "6.00", V3)],
    )
    write_log(logs, "2025-10-09", [closed("2025-10-09", 1, "-8.00", V1)])
    found = checked(logs)
    everything = found[("all", "all")]
    assert [(r["key"], r["first_day"], r["last_day"]) for r in everything["by_version"]] == [
        (V1, "2025-10-06", "2025-10-09"),
        (V2, "2025-10-07", "2025-10-07"),
        (V3, "2025-10-08", "2025-10-08"),
    ]
    change = everything["version_change"]
    assert (change["previous"], change["latest"]) == (V2, V3)
    # 1, 3 (mean 2, s² 2) against 2, 6 (mean 4, s² 8): difference 2, ν = (1 + 4)² /
    # (1 + 16) = 25/17
    assert change["expectancy"]["difference"] == "2.000000"
    # a week holding only V3 and the second V1 lists them in that order
    assert [r["key"] for r in found[("daily", "2025-10-09")]["by_mode"]] == ["PAPER"]
    assert "by_version" not in found[("daily", "2025-10-09")]


def test_first_appearance_ties_go_by_file_then_line(logs):
    """Two versions first seen in the same microsecond: the one in the earlier file
    comes first, although its line number is larger and its key sorts later; in one
    file, the earlier line comes first."""
    write_log(
        logs,
        "2025-10-06",
        [closed("2025-10-06", 5, "1.00", "z · z"), closed("2025-10-06", 1, "2.00", "y · y")],
    )
    # the next day's file holds a trade exiting on Monday, in the same minute as z's
    spill = closed("2025-10-06", 5, "3.00", "a · a")
    write_log(logs, "2025-10-07", [spill, closed("2025-10-07", 1, "1.00", "a · a")])
    everything = checked(logs)[("all", "all")]
    assert [r["key"] for r in everything["by_version"]] == ["y · y", "z · z", "a · a"]
    assert everything["version_change"]["previous"] == "z · z"
    # in one file: the same instant, line order decides
    write_log(
        logs,
        "2025-10-07",
        [closed("2025-10-06", 5, "3.00", "b · b"), closed("2025-10-06", 5, "3.00", "a · a")],
    )
    keys = [r["key"] for r in checked(logs)[("all", "all")]["by_version"]]
    assert keys == ["y · y", "z · z", "b · b", "a · a"]
    # the two files' Monday trades interleave (a at 14:03 between y and z): the day is
    # rebuilt from its trades, and the tie at 14:05 still goes by file
    write_log(
        logs,
        "2025-10-07",
        [closed("2025-10-06", 5, "3.00", "c · c"), closed("2025-10-06", 3, "3.00", "a · a")],
    )
    keys = [r["key"] for r in checked(logs)[("all", "all")]["by_version"]]
    assert keys == ["y · y", "a · a", "z · z", "c · c"]


def test_by_mode_rows_sort_like_by_symbol(logs):
    """PAPER nets 5, LIVE 12, UNKNOWN (no execution_mode) 12: net P&L descending, then
    the key."""
    write_log(
        logs,
        "2025-10-06",
        [
            closed("2025-10-06", 1, "5.00", mode="PAPER"),
            closed("2025-10-06", 2, "12.00", mode=None),
            closed("2025-10-06", 3, "12.00", mode="LIVE"),
            trade("2025-10-06T15:00:00Z", outcome="open", execution_mode="SIM"),
        ],
    )
    found = checked(logs)
    for key in (("daily", "2025-10-06"), ("weekly", "2025-W41"), ("all", "all")):
        rows = found[key]["by_mode"]
        assert [(r["key"], r["net_pnl"]) for r in rows] == [
            ("LIVE", "12.00"),
            ("UNKNOWN", "12.00"),
            ("PAPER", "5.00"),
        ], key  # SIM has no closed trade: no row
        assert rows[0]["undefined_reasons"]["expectancy_low"] == "fewer than 2 closed trades"


def test_time_zone_moves_days_and_order(logs):
    """In Asia/Kolkata (+05:30) Monday 20:00 UTC is Tuesday 01:30: a version's first and
    last day are local dates, and the oracle agrees in every window."""
    write_log(
        logs,
        "2025-10-06",
        [
            closed("2025-10-06", 1, "1.00", V1),
            {**closed("2025-10-06", 2, "2.00", V2), "exit_timestamp": "2025-10-06T20:00:00Z"},
        ],
    )
    everything = checked(logs, "Asia/Kolkata")[("all", "all")]
    assert [(r["key"], r["first_day"]) for r in everything["by_version"]] == [
        (V1, "2025-10-06"),
        (V2, "2025-10-07"),
    ]


# --------------------------------------------------------------------------- words


def test_markdown_tables_and_words(welch_logs):
    everything = summaries(welch_logs)[("all", "all")]
    text = summary_markdown(everything)
    assert "## Versions" in text
    assert (
        "| 1\\.4.2 · abc123 | 2025-10-06 | 2025-10-06 | 2\\* | 50.00% (9.5–90.5) | -2.00 |" in text
    )
    assert "### Version change" in text
    assert "Latest version 1\\.5.0 · def456 against the one before it, 1\\.4.2 · abc123:" in text
    assert (
        "- Expectancy (P&L per closed trade): +1.00 (5 closed trades against 2; 95% interval "
        "-12.84 to 14.84), not yet clear: the 95% interval includes 0; about 181 more closed "
        "trades per version would likely settle it, if the difference and the spreads stayed "
        "as they are." in text
    )
    assert "- Average R (per closed trade with a usable stop): +0.500 (5 trades against 2;" in text
    assert "### By mode" not in text  # one book only
    week = summary_markdown(summaries(welch_logs)[("weekly", "2025-W41")])
    assert "## Versions" in week and "### Version change" not in week
    day = summary_markdown(summaries(welch_logs)[("daily", "2025-10-06")])
    assert "## Versions" not in day


def test_markdown_by_mode_when_books_mix(logs):
    write_log(
        logs,
        "2025-10-06",
        [
            closed("2025-10-06", 1, "5.00", mode="PAPER"),
            closed("2025-10-06", 2, "-3.00", mode="LIVE"),
        ],
    )
    everything = summaries(logs)[("all", "all")]
    text = summary_markdown(everything)
    assert "### By mode" in text and "This window mixes books" in text
    assert "| PAPER | 1\\* | 1 |" in text and "| LIVE | 1\\* | 0 |" in text
    assert "No comparison: only one version." in text
    day = summary_markdown(summaries(logs)[("daily", "2025-10-06")])
    assert "### By mode" in day


def test_console_summary_words(welch_logs):
    result = CliRunner().invoke(main, ["summary", "--logs", str(welch_logs), "--window", "all"])
    assert result.exit_code == 0, result.output
    words = " ".join(result.output.split())  # as wrapped at the console's width
    assert "Version change" in words
    assert "about 181 more closed trades per version would likely settle it" in words
    assert "about 181 more trades per version would likely settle it" in words  # R


# --------------------------------------------------------------------------- demo data


def test_demo_books_has_versions_and_a_change(tmp_path):
    logs = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo-data", "--out", str(logs), "--books", "--days", "30"])
    assert result.exit_code == 0, result.output
    found = summaries(logs)
    everything = found[("all", "all")]
    validate_summary(everything)
    rows = everything["by_version"]
    assert len(rows) >= 2
    # the version changes during a day: the old one's last day is the new one's first
    assert rows[0]["first_day"] <= rows[0]["last_day"] <= rows[1]["first_day"]
    change = everything["version_change"]
    assert change is not None
    assert (change["previous"], change["latest"]) == (rows[-2]["key"], rows[-1]["key"])
    assert {r["key"] for r in everything["by_mode"]} == {"PAPER", "LIVE"}
    for name in ("expectancy", "avg_r_multiple"):
        assert change[name]["verdict"] in ("better", "worse", "not_yet_clear")
        assert (
            change[name]["n_previous"]
            == rows[-2]["trades_closed" if name == "expectancy" else "r_trades"]
        )
    expected = oracle.compute(logs)
    for key in (("all", "all"), *[k for k in found if k[0] == "monthly"]):
        assert not oracle.diff(expected[key], found[key]), key
