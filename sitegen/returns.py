"""Returns, when the account size is known (the ``starting_equity`` setting). Pure.

End-of-day equity is starting_equity plus the cumulative net P&L of every day up to
it, over the whole history in date order; a day's return is its net P&L over the
equity at the end of the day before (on the first day of the data: over
starting_equity). A window's figures follow from its daily P&L series (the days of
``daily_pnl``; a daily window has its one day) and the equity before its first day,
which the :class:`Ledger` gives: prefix sums of the history's daily net P&L, made once
per build, so no summary merges an earlier day to find it.

Arithmetic is exact decimal (partials.EXACT: sums exact, each quotient and square root
rounded once at 120 significant digits, far below the 6 places written), except for
cagr's power with a non-integer exponent: exp(e · ln(ratio)) at POWER_DIGITS
significant digits. Equity at or below 0 makes returns undefined from then on: the day
it falls there has its return (−100% or worse), every later day has none, and so has
every window holding a later day (null, with the reason, never ∞).

The figures are defined in sitegen/registry.py; metrics.summarize puts them into a
summary through :func:`summary_fields`.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext

from sitegen.partials import EXACT, ZERO
from sitegen.stats import quotient, sharpe_ratio, sortino_ratio

ONE = Decimal(1)
#: trading days a year: the annualisation of daily volatility (as of Sharpe and Sortino)
TRADING_DAYS = 252
#: calendar days a year, for cagr
YEAR_DAYS = Decimal("365.25")
#: significant digits of the ln and exp behind cagr
POWER_DIGITS = 50
#: cagr and calmar beyond ±10^15 are not written (a history of a few days annualised
#: would need thousands of digits): null, with the reason
LIMIT = Decimal(10) ** 15

NO_DAYS = "no days in the daily P&L series"
FEW_DAYS = "fewer than 2 days in the daily returns series"
NO_SPREAD = "daily returns have zero spread"
NO_LOSING_DAYS = "no losing days"
NO_DRAWDOWN = "no drawdown: end-of-day equity never fell below its running peak"
TOO_BIG = "beyond ±10^15: too few days to annualise"

#: every field this module adds to a summary
FIELDS = ("total_return", "max_drawdown_relative", "volatility_annual", "cagr", "calmar")


def blown_reason(day: dt.date) -> str:
    return f"equity fell to 0 or below on {day.isoformat()}; returns are undefined from then on"


@dataclass(frozen=True)
class Ledger:
    """End-of-day equity over the whole history: the starting equity and the cumulative
    net P&L after each day with closed trades (prefix sums, in date order)."""

    start: Decimal
    days: tuple[dt.date, ...] = ()
    totals: tuple[Decimal, ...] = ()  # cumulative net P&L up to and including each day
    #: the first day whose end-of-day equity is 0 or below
    blown: dt.date | None = None

    @classmethod
    def of(cls, start: Decimal, daily: Iterable[tuple[dt.date, Decimal]]) -> Ledger:
        """From each day's net P&L, in date order."""
        days: list[dt.date] = []
        totals: list[Decimal] = []
        total, blown = ZERO, None
        for day, pnl in daily:
            total = EXACT.add(total, pnl)
            days.append(day)
            totals.append(total)
            if blown is None and EXACT.add(start, total) <= 0:
                blown = day
        return cls(start, tuple(days), tuple(totals), blown)

    def before(self, day: dt.date) -> Decimal:
        """The equity at the end of the day before ``day``: the starting equity plus the
        net P&L of every earlier day."""
        i = bisect_left(self.days, day)
        return EXACT.add(self.start, self.totals[i - 1]) if i else self.start


@dataclass(frozen=True)
class Path:
    """A window's equity path: the equity before its first day, and each day's return
    and end-of-day equity."""

    before: Decimal
    returns: tuple[Decimal, ...]
    equities: tuple[Decimal, ...]

    @property
    def total_return(self) -> Decimal:
        """Π(1 + r) − 1 over the days, which telescopes to end / before − 1."""
        return EXACT.divide(EXACT.subtract(self.equities[-1], self.before), self.before)

    @property
    def max_drawdown_relative(self) -> Decimal:
        """min over the days of equity / running peak − 1 (the peak starting at the equity
        before the window), ≤ 0."""
        peak, worst = self.before, ZERO
        for equity in self.equities:
            if equity > peak:
                peak = equity
            elif equity < peak:
                worst = min(worst, EXACT.divide(EXACT.subtract(equity, peak), peak))
        return worst


def path(ledger: Ledger, days: Sequence[dt.date], values: Sequence[Decimal]) -> Path | str:
    """The equity path of a window whose daily P&L series is ``days`` / ``values``, or
    the reason its returns are undefined."""
    if not days:
        return NO_DAYS
    if ledger.blown is not None and days[-1] > ledger.blown:
        return blown_reason(ledger.blown)
    before = equity = ledger.before(days[0])
    returns, equities = [], []
    for value in values:  # every equity before a day up to the blow-up is above 0
        returns.append(EXACT.divide(value, equity))
        equity = EXACT.add(equity, value)
        equities.append(equity)
    return Path(before, tuple(returns), tuple(equities))


def total_return(
    ledger: Ledger, days: Sequence[dt.date], values: Sequence[Decimal]
) -> tuple[Decimal | None, str | None]:
    """A window's total_return, unrounded, or why it is undefined."""
    found = path(ledger, days, values)
    return (None, found) if isinstance(found, str) else (found.total_return, None)


def volatility(returns: Sequence[Decimal]) -> tuple[Decimal | None, str | None]:
    """Sample stdev of the daily returns × √252."""
    n = len(returns)
    if n < 2:
        return None, FEW_DAYS
    with localcontext(EXACT):
        mean = sum(returns, ZERO) / n
        variance = sum(((r - mean) ** 2 for r in returns), ZERO) / (n - 1)
        return variance.sqrt() * Decimal(TRADING_DAYS).sqrt(), None


def cagr(start: Decimal, end: Decimal, days: int) -> tuple[Decimal | None, str | None]:
    """(end / start)^(365.25 / days) − 1, as exp((365.25 / days) · ln(end / start)) − 1 at
    POWER_DIGITS significant digits; undefined when end ≤ 0 or beyond ±10^15."""
    if end <= 0:
        return None, "end-of-day equity is 0 or below"
    ratio = EXACT.divide(end, start)
    if ratio == ONE:
        return ZERO, None
    with localcontext(Context(prec=POWER_DIGITS)):
        power = YEAR_DAYS / days * ratio.ln()
        if power > (LIMIT + 1).ln():
            return None, TOO_BIG
        return power.exp() - 1, None


def calmar(
    growth: Decimal | None, drawdown: Decimal, why: str | None
) -> tuple[Decimal | None, str | None]:
    """cagr / |max_drawdown_relative|; undefined without a drawdown or a cagr."""
    if growth is None:
        return None, f"cagr is undefined ({why})"
    if not drawdown:
        return None, NO_DRAWDOWN
    value = EXACT.divide(growth, drawdown.copy_abs())
    return (None, TOO_BIG) if value.copy_abs() > LIMIT else (value, None)


def summary_fields(
    ledger: Ledger,
    window: str,
    days: Sequence[dt.date],
    values: Sequence[Decimal],
    why: dict[str, str],
) -> dict[str, str | None]:
    """The returns of one window as its summary writes them (6-place quotients, null
    with the reason in ``why``), and ``sharpe`` and ``sortino`` on the daily returns
    instead of the daily P&L."""

    out: dict[str, str | None] = {}

    def put(name: str, value: Decimal | None, reason: str | None) -> None:
        why.pop(name, None)
        if value is None:
            why[name] = reason or "undefined"
        out[name] = None if value is None else quotient(value)

    found = path(ledger, days, values)
    if isinstance(found, str):  # every figure is undefined, for the same reason
        names = ["total_return", "max_drawdown_relative", "sharpe", "sortino"]
        names += (["volatility_annual"] if window != "daily" else []) + (
            ["cagr", "calmar"] if window == "all" else []
        )
        for name in names:
            put(name, None, found)
        return out
    put("total_return", found.total_return, None)
    drawdown = found.max_drawdown_relative
    put("max_drawdown_relative", drawdown, None)
    if window != "daily":
        put("volatility_annual", *volatility(found.returns))
    if window == "all":
        span = (days[-1] - days[0]).days + 1
        growth, reason = cagr(ledger.start, found.equities[-1], span)
        if growth is None and ledger.blown is not None:  # it ends on the day it falls
            reason = blown_reason(ledger.blown)
        put("cagr", growth, reason)
        put("calmar", *calmar(growth, drawdown, reason))
    if len(found.returns) < 2:
        put("sharpe", None, FEW_DAYS)
    else:
        sharpe, _ = sharpe_ratio(found.returns)
        put("sharpe", sharpe, NO_SPREAD)
    sortino, _ = sortino_ratio(found.returns)
    put("sortino", sortino, NO_LOSING_DAYS)
    return out


# --- the overview's table of monthly returns ---------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A return as a summary writes it (a 6-place quotient), or null with the reason."""

    value: str | None
    reason: str | None = None


@dataclass(frozen=True)
class MonthlyReturns:
    """Each month's total_return, as its monthly summary holds it, and each year's:
    Π(1 + monthly) − 1 over the year's months from their unrounded returns (which
    telescopes to the year's net P&L over the equity before its first day)."""

    months: dict[str, Figure]  # by month id, "2025-10"
    years: dict[str, Figure]  # by year, "2025"


def monthly_returns(
    ledger: Ledger,
    months: Iterable[tuple[str, Sequence[dt.date], Sequence[Decimal]]],
    quotient: Callable[[Decimal], str],
) -> MonthlyReturns:
    """``months``: (month id, days, values of its daily P&L series) in order."""
    shown: dict[str, Figure] = {}
    growth: dict[str, Decimal | str] = {}  # by year: Π(1 + r) so far, or why undefined
    for month, days, values in months:
        value, reason = total_return(ledger, days, values)
        shown[month] = Figure(None if value is None else quotient(value), reason)
        year = month[:4]
        so_far = growth.get(year)
        if isinstance(so_far, str):
            continue
        if value is not None:
            growth[year] = EXACT.multiply(ONE if so_far is None else so_far, EXACT.add(ONE, value))
        elif reason != NO_DAYS:  # a month without days leaves the year's growth as it is
            growth[year] = reason or "undefined"
    years = {
        year: Figure(None, g) if isinstance(g, str) else Figure(quotient(EXACT.subtract(g, ONE)))
        for year, g in growth.items()
    }
    for month in shown:  # a year whose months have no days at all
        years.setdefault(month[:4], Figure(None, NO_DAYS))
    return MonthlyReturns(shown, dict(sorted(years.items())))
