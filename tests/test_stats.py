"""The 95% intervals of every breakdown row and the t quantile behind them.

Every expected value here was worked out independently of sitegen, at 40 to 50
significant digits (the regularized incomplete beta function and root finding of an
arbitrary-precision library for the t quantiles; the textbook form of the Wilson
interval, centre ± half-width, for the rates), and written in by hand. The oracle's
own t quantile (tests/oracle.py: numeric integration of the t density and
bisection) is checked against the same table and against the engine's.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest

from sitegen import Tracker, load_config, stats
from sitegen.depth import expectancy_interval, win_rate_interval
from sitegen.metrics import quotient
from sitegen.partials import EMPTY_CELL
from tests import oracle
from tests.conftest import trade, write_log

D = Decimal

#: t(0.975, df) to 25 significant digits; df 7.5 (and 1.05, 2.5) for Welch's
#: fractional degrees of freedom
T975 = {
    1: "12.70620473617470464602168",
    1.05: "11.36190766869325722556563",
    1.5: "6.016663104427931921858875",
    2: "4.302652729749463852320944",
    2.5: "3.574654842003683218451814",
    3: "3.182446305283709592723225",
    4: "2.776445105197794357803105",
    5: "2.570581835636315514696246",
    7.5: "2.333039626864974611577439",
    10: "2.228138851986274748395491",
    20: "2.085963447265864842717361",
    30: "2.042272456301238309958042",
    50: "2.008559112100761105490532",
    100: "1.983971518523552286595185",
    150: "1.975905330896620519164636",
    199: "1.971956544251753834353122",
    200: "1.971896223633909382225052",
    250: "1.969498393421153586505257",
    1000: "1.96233908082640848499858",
    5000: "1.96043855170650791858923",
    10_000: "1.96020123989062625783848",
    100_000: "1.959987707534609638591883",
    1_000_000: "1.959966356814107035258961",
}
#: other quantiles, for the function's own sake: (p, df) -> t
OTHER = {
    (0.995, 1): "63.65674116287158099500242",
    (0.9, 1): "3.077683537175253402570291",
    (0.995, 3): "5.840909309733357260681947",
    (0.9, 3): "1.637744353696210105458905",
    (0.995, 5): "4.03214298355522807836842",
    (0.995, 7.5): "3.4214226881240443807347",
    (0.9, 7.5): "1.405211846415952923652527",
    (0.995, 30): "2.749995653567225332400532",
    (0.9, 30): "1.310415025391395578223009",
    (0.995, 250): "2.595637630466180578092943",
    (0.9, 250): "1.284947055422255765110814",
    (0.995, 1000): "2.580754698065951079343982",
    (0.9, 100_000): "1.281560031449361014079803",
}
#: the accuracy stats.t_quantile promises (its docstring and docs/summary-format.md)
TOLERANCE = 1e-13


@pytest.mark.parametrize(("df", "expected"), T975.items())
def test_t_quantile_matches_the_table(df, expected):
    assert abs(stats.t_quantile(0.975, df) - float(expected)) < TOLERANCE


@pytest.mark.parametrize(("p_df", "expected"), OTHER.items())
def test_t_quantile_at_other_probabilities(p_df, expected):
    p, df = p_df
    assert abs(stats.t_quantile(p, df) - float(expected)) < TOLERANCE
    # symmetric about 0
    assert stats.t_quantile(1 - p, df) == pytest.approx(-float(expected), abs=TOLERANCE)


def test_t_quantile_closed_forms():
    # df = 1 is the Cauchy distribution; df = 2 and df = 3 have elementary CDFs
    for p in (0.6, 0.9, 0.975, 0.999):
        cauchy = 1 / math.tan(math.pi * (1 - p))  # tan(π(p − ½)), without the pole
        assert stats.t_quantile(p, 1) == pytest.approx(cauchy, rel=1e-14)
        two = 2 * (1 - p)
        assert stats.t_quantile(p, 2) == pytest.approx(math.sqrt(2 / (two * (2 - two)) - 2))
        t = stats.t_quantile(p, 3)
        theta = math.atan(t / math.sqrt(3))
        cdf = 0.5 + (theta + math.sin(theta) * math.cos(theta)) / math.pi
        assert cdf == pytest.approx(p, abs=1e-15)


def test_t_quantile_edges():
    assert stats.t_quantile(0.5, 7) == 0.0
    assert stats.t_quantile(0.975, math.inf) == pytest.approx(1.959963984540054, abs=1e-15)
    # it falls towards the normal quantile as df grows
    values = [stats.t_quantile(0.975, df) for df in (1, 2, 5, 30, 199, 200, 10**4, 10**8)]
    assert values == sorted(values, reverse=True)
    for p, df in ((0, 3), (1, 3), (-0.1, 3), (0.975, 0.5), (0.975, math.nan)):
        with pytest.raises(ValueError):
            stats.t_quantile(p, df)


def test_t_critical_is_rounded_to_nine_places():
    assert stats.t_critical(1) == D("12.706204736")
    assert stats.t_critical(2) == D("4.302652730")
    assert stats.t_critical(3) == D("3.182446305")
    assert stats.t_critical(30) == D("2.042272456")
    assert stats.t_critical(7.5) == D("2.333039627")
    for df, expected in T975.items():
        assert stats.t_critical(df) == D(expected).quantize(D("1e-9")), df


# --- the oracle's t, a method of its own -----------------------------------------------


@pytest.mark.parametrize("df", [1, 1.05, 2, 3, 7.5, 10, 30, 100, 1000, 100_000])
def test_oracle_t_quantile_matches_the_table(df):
    assert abs(oracle.t_quantile(0.975, df) - float(T975[df])) < TOLERANCE


def test_engine_and_oracle_t_agree_to_the_rounded_digit():
    """The two methods agree far below the rounding step, and so to every digit of the
    rounded t, for every df a row of up to 400 trades needs and a sample beyond."""
    worst = 0.0
    for df in [*range(1, 400), *range(400, 100_000, 4_999), 2.25, 7.5, 13.7]:
        engine, reference = stats.t_quantile(0.975, df), oracle.t_quantile(0.975, df)
        worst = max(worst, abs(engine - reference))
        assert format(engine, ".9f") == format(reference, ".9f"), df
    assert worst < 5e-14
    assert all(stats.t_critical(df) == oracle.t975(df) for df in range(1, 60))


# --- Wilson ------------------------------------------------------------------------


def _q(bounds):
    return None if bounds is None else tuple(quotient(b) for b in bounds)


def test_wilson_by_hand():
    assert stats.wilson(0, 0) is None
    # 0 wins in 1: 0 .. z² / (1 + z²); 1 in 1 the mirror image
    assert _q(stats.wilson(0, 1)) == ("0.000000", "0.793451")
    assert stats.wilson(0, 1)[1] == pytest.approx(D("0.7934506882081972589390610196435"))
    assert _q(stats.wilson(1, 1)) == ("0.206549", "1.000000")
    assert _q(stats.wilson(3, 4)) == ("0.300642", "0.954413")
    assert _q(stats.wilson(2, 4)) == ("0.150039", "0.849961")
    assert _q(stats.wilson(0, 5)) == ("0.000000", "0.434482")
    assert _q(stats.wilson(5, 5)) == ("0.565518", "1.000000")
    low, high = stats.wilson(17, 31)
    assert abs(low - D("0.37772167513713262563867765")) < D("1e-25")
    assert abs(high - D("0.70838264128144579199162113")) < D("1e-25")
    assert _q(stats.wilson(548, 1000)) == ("0.517028", "0.578604")


def test_wilson_bounds_hold_the_rate_and_mirror():
    for n in range(1, 40):
        for w in range(n + 1):
            low, high = stats.wilson(w, n)
            assert 0 <= low <= D(w) / n <= high <= 1
            mirror_low, mirror_high = stats.wilson(n - w, n)
            # (to the 28 digits of the default context these sums are taken in)
            assert abs(low - (1 - mirror_high)) < D("1e-27")
            assert abs(high - (1 - mirror_low)) < D("1e-27")
    assert stats.wilson(0, 9)[0] == 0 and stats.wilson(9, 9)[1] == 1  # exactly


def test_oracle_wilson_agrees():
    for n in (1, 2, 3, 7, 30, 101):
        for w in range(n + 1):
            engine = _q(stats.wilson(w, n))
            assert engine == tuple(map(oracle.quotient, oracle.wilson_interval(w, n))), (w, n)


# --- the expectancy's t interval ----------------------------------------------------------


def _sums(values: list[str]) -> tuple[int, Decimal, Decimal]:
    xs = [D(v) for v in values]
    return len(xs), sum(xs, D(0)), sum((x * x for x in xs), D(0))


def test_mean_interval_undefined_cases():
    assert stats.mean_interval(0, D(0), D(0)) == (None, "no closed trades")
    assert stats.mean_interval(*_sums(["12.50"])) == (None, "fewer than 2 closed trades")
    same = stats.mean_interval(*_sums(["10.00", "10.00", "10.00"]))
    assert same == (None, "closed-trade P&L has zero spread")
    assert stats.mean_interval(*_sums(["0", "0"])) == (None, "closed-trade P&L has zero spread")


def test_mean_interval_by_hand():
    # n = 2: -10, -30: mean -20, s / √2 = 10, t(0.975, 1) = 12.706204736 (rounded)
    bounds, why = stats.mean_interval(*_sums(["-10", "-30"]))
    assert why is None and bounds == (D("-147.06204736"), D("107.06204736"))
    # n = 4: 30, -20, 12, 30: mean 13, s² = 1668 / 3, t(0.975, 3) = 3.182446305
    bounds, _ = stats.mean_interval(*_sums(["30", "-20", "12", "30"]))
    assert _q(bounds) == ("-24.520489", "50.520489")
    # n = 6 with a breakeven: mean 6.933333.., s² = 311.371667, t(0.975, 5) = 2.570581836
    values = ["12.50", "-7.25", "30.00", "0.00", "-15.75", "22.10"]
    bounds, _ = stats.mean_interval(*_sums(values))
    assert _q(bounds) == ("-11.584721", "25.451388")
    mean = sum(D(v) for v in values) / 6
    assert bounds[0] + bounds[1] == pytest.approx(2 * mean)


def test_the_cell_helpers_on_an_empty_cell():
    why: dict[str, str] = {}
    assert win_rate_interval(EMPTY_CELL, quotient, why) == (None, None)
    assert expectancy_interval(EMPTY_CELL, quotient, why) == (None, None)
    assert why == {
        "win_rate_low": "no closed trades",
        "win_rate_high": "no closed trades",
        "expectancy_low": "no closed trades",
        "expectancy_high": "no closed trades",
    }


# --- through a build -------------------------------------------------------------------


def test_rows_carry_intervals_by_hand(logs, tmp_path, monkeypatch):
    """A week across three days (the sums merge from per-day partials): AAPL has six
    closed trades (3 wins, a breakeven), MSFT two identical ones (no spread), TSLA
    one."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)
    aapl = [("win", "12.50"), ("loss", "-7.25"), ("win", "30.00"), ("breakeven", "0.00")]
    aapl += [("loss", "-15.75"), ("win", "22.10")]
    days = ("2025-10-06", "2025-10-07", "2025-10-08")
    for i, day in enumerate(days):
        records = [
            trade(f"{day}T14:0{j}:00Z", "AAPL", outcome, net, exit=f"{day}T14:3{j}:00Z")
            for j, (outcome, net) in enumerate(aapl[2 * i : 2 * i + 2])
        ]
        if i < 2:
            records.append(trade(f"{day}T15:00:00Z", "MSFT", "win", "10.00"))
        else:
            records.append(trade(f"{day}T16:00:00Z", "TSLA", "loss", "-3.00"))
        write_log(logs, day, records)
    summary = Tracker(load_config(logs_dir=logs)).get_summary("weekly", "2025-W41")
    summary = json.loads(json.dumps(summary))
    rows = {row["key"]: row for row in summary["by_symbol"]}
    assert rows["AAPL"] | {"undefined_reasons": None} == {
        "key": "AAPL",
        "trades_closed": 6,
        "wins": 3,
        "win_rate": "0.500000",
        "win_rate_low": "0.187616",
        "win_rate_high": "0.812384",
        "net_pnl": "41.60",
        "expectancy": "6.933333",  # 41.60 / 6, the middle of its interval
        "expectancy_low": "-11.584721",
        "expectancy_high": "25.451388",
        "undefined_reasons": None,
    }
    assert rows["AAPL"]["undefined_reasons"] == {}
    no_spread = dict.fromkeys(
        ("expectancy_low", "expectancy_high"), "closed-trade P&L has zero spread"
    )
    assert rows["MSFT"]["win_rate_low"] == "0.342380"  # 2 of 2
    assert rows["MSFT"]["win_rate_high"] == "1.000000"
    assert rows["MSFT"]["expectancy_low"] is None and rows["MSFT"]["expectancy_high"] is None
    assert rows["MSFT"]["undefined_reasons"] == no_spread
    assert rows["TSLA"]["undefined_reasons"] == dict.fromkeys(
        ("expectancy_low", "expectancy_high"), "fewer than 2 closed trades"
    )
    # the grid's symbol cells carry the same figures
    cell = next(c for c in summary["breakdowns"]["symbol"] if c["key"] == "AAPL")
    for field in ("win_rate_low", "win_rate_high", "expectancy_low", "expectancy_high"):
        assert cell[field] == rows["AAPL"][field], field
    msft = next(c for c in summary["breakdowns"]["symbol"] if c["key"] == "MSFT")
    assert no_spread.items() <= msft["undefined_reasons"].items()
    # and the oracle, from the trades themselves, agrees
    expected = oracle.compute(logs)[("weekly", "2025-W41")]
    assert oracle.diff(expected, summary) == []
