"""How the figures of a summary read, for people: the pages and the terminal show them
alike. Pure; text in, text out (standard library and the metric registry only).

Summary values are decimal strings (exact money, 6-place quotients). People read
exact money sums with their full scale (at least two places) and thousands
separators, derived values rounded half-even to two places, rates as percentages, a
sign on P&L so that gain and loss never depend on colour alone, and "n/a" with its
reason for an undefined metric. Labels and kinds come from the registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sitegen.numbers import finite_decimal

# The summaries' own context: a 6-place quotient (an R multiple up to 10^51, a profit
# factor of a loss of 10^-18) has more digits than the default context's 28.
from sitegen.partials import EXACT
from sitegen.registry import BY_FIELD, PER_DAY_TARGETS, Kind, Sign

CENT = Decimal("0.01")
DASH = "—"
#: what a period of each window is called: "Month 2025-10", "All time"
WINDOW_NAMES = {"daily": "Day", "weekly": "Week", "monthly": "Month", "all": "All time"}


def dec(value: object) -> Decimal | None:
    """A summary value as a Decimal; None for null or anything that is not a number."""
    return finite_decimal(value)


def _plain(number: Decimal, signed: bool) -> str:
    if not number:
        number = number.copy_abs()
    text = format(number, ",f")
    return "+" + text if signed and number > 0 else text


def money(value: object, *, signed: bool = False) -> str:
    """An exact money value: thousands separators, at least two decimals, no rounding."""
    number = dec(value)
    if number is None:
        return DASH
    if number.as_tuple().exponent > -2:  # type: ignore[operator]
        number = number.quantize(CENT, context=EXACT)
    return _plain(number, signed)


def rounded(value: object, *, places: int = 2, signed: bool = False) -> str:
    """A derived value rounded half-even to ``places`` decimals, in the summaries' own
    context: a 6-place quotient (an R multiple up to 10^51) has more digits than the
    default context's 28."""
    number = dec(value)
    if number is None:
        return DASH
    step = Decimal(1).scaleb(-places)
    return _plain(number.quantize(step, rounding=ROUND_HALF_EVEN, context=EXACT), signed)


def percent(rate: object, *, signed: bool = False) -> str:
    """A 0..1 rate as a percentage with two decimals: '0.520833' -> '52.08%' (``signed``:
    '+' on a gain, for a return)."""
    number = dec(rate)
    if number is None:
        return DASH
    return rounded(number.scaleb(2, EXACT), signed=signed) + "%"


def rate_interval(low: object, high: object) -> str:
    """A rate's 95% interval with one decimal, '49.1–60.3%'; '' when undefined."""
    lo, hi = dec(low), dec(high)
    if lo is None or hi is None:
        return ""
    return f"{rounded(lo.scaleb(2, EXACT), places=1)}–{rounded(hi.scaleb(2, EXACT), places=1)}%"


def money_interval(low: object, high: object) -> str:
    """A mean P&L's 95% interval, '-24.52 to +50.52' (its bounds may have either sign);
    '' when undefined."""
    lo, hi = dec(low), dec(high)
    if lo is None or hi is None:
        return ""
    return f"{rounded(lo, signed=True)} to {rounded(hi, signed=True)}"


def count_or_mean(value: object) -> str:
    """A count ('9') as is, a mean ('9.600000') with two decimals."""
    number = dec(value)
    if number is None:
        return DASH
    if number == number.to_integral_value():
        return _plain(number.quantize(Decimal(1), context=EXACT), False)
    return rounded(number)


def quantity(value: object) -> str:
    number = dec(value)
    if number is None:
        return DASH
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return _plain(number.normalize(), False)


def tone(value: object) -> str:
    """The sign of an amount: pos, neg or zero ('' when not a number)."""
    number = dec(value)
    if number is None:
        return ""
    return "pos" if number > 0 else "neg" if number < 0 else "zero"


_PLURALS = {"loss": "losses", "breakeven": "breakevens", "day": "days"}


def plural(count: int, word: str) -> str:
    """'1 trade', '2 trades', '1 loss', '2 losses', '1,204 trades'."""
    return f"{count:,} {word if count == 1 else _PLURALS.get(word, word + 's')}"


# --- one metric ----------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A metric as people read it: its text, its tone (pos, neg, zero; '' when its
    sign says nothing), and for an undefined metric the reason (its text is "n/a")."""

    text: str
    tone: str = ""
    reason: str | None = None
    note: str | None = None  # said after the value: the date of the best day


def na(reason: str | None) -> Figure:
    return Figure("n/a", "na", reason or "undefined")


def figure(summary: Mapping[str, Any], field: str) -> Figure:
    """One metric of a summary, formatted as its kind and sign in the registry say; n/a
    with its reason when null."""
    metric = BY_FIELD[field]
    kind = metric.kind
    value = summary.get(field)
    if kind is Kind.STREAK:
        streak = value or {}
        count, kind_ = streak.get("count", 0), streak.get("type")
        if kind_ in ("win", "loss"):
            return Figure(plural(count, kind_), "pos" if kind_ == "win" else "neg")
        return Figure("none", "zero")
    if value is None:
        return na((summary.get("undefined_reasons") or {}).get(field))
    signed = metric.sign is Sign.SIGNED
    shade = "" if metric.sign is Sign.PLAIN else tone(value)
    if kind is Kind.COUNT:
        return Figure(f"{value:,}" if isinstance(value, int) else str(value))
    if kind is Kind.RATE:
        return Figure(percent(value, signed=signed), shade)
    if kind is Kind.MONEY:
        return Figure(money(value, signed=signed), shade)
    if kind in (Kind.AVG, Kind.RATIO, Kind.R):
        return Figure(rounded(value, signed=signed), shade)
    if kind is Kind.DAY:
        return Figure(money(value, signed=True), tone(value), note=summary.get(f"{field}_date"))
    raise ValueError(f"{field} is a structure, not one value")  # pragma: no cover


# --- targets -------------------------------------------------------------------------


def target_label(key: str, metric: str, daily: bool) -> str:
    """The label of the metric a target checks; on longer windows some targets are met
    by a mean per day."""
    if metric not in BY_FIELD:
        return key
    label = BY_FIELD[metric].label
    return label if daily or metric not in PER_DAY_TARGETS else f"{label} per day (mean)"


def target_text(key: str, value: Any, *, signed: bool = False, points: bool = False) -> str:
    """A target's actual, target or variance (``points``: a difference of percentages)."""
    if key == "win_rate_target":
        text = rounded(value, signed=signed)
        return text + (" pts" if signed or points else "%")
    if key == "trades_per_day_target":
        return rounded(value, signed=True) if signed else count_or_mean(value)
    return rounded(value, signed=signed)


@dataclass(frozen=True)
class TargetFigure:
    """A configured target as people read it."""

    key: str
    metric: str
    label: str
    actual: Figure
    target: str
    variance: Figure
    met: bool | None  # None: no value to check (n/a)
    gap: str  # "by 0.42" for a missed target, else ""

    @property
    def status(self) -> str:
        return "n/a" if self.met is None else "Met" if self.met else "Not met"


def target_figures(summary: Mapping[str, Any]) -> tuple[TargetFigure, ...]:
    """Each configured target with its actual value, variance and status."""
    daily = summary.get("window") == "daily"
    rows = []
    for key, entry in (summary.get("targets") or {}).items():
        metric = entry.get("metric", "")
        met = entry.get("met")
        if entry.get("actual") is None or met is None:
            reason = (summary.get("undefined_reasons") or {}).get(metric, "no value")
            actual, variance, met, gap = na(reason), Figure(DASH), None, ""
        else:
            actual = Figure(target_text(key, entry["actual"]))
            variance = Figure(
                target_text(key, entry["variance"], signed=True), tone(entry["variance"])
            )
            shortfall = abs(dec(entry["variance"]) or 0)
            gap = "" if met else "by " + target_text(key, shortfall, points=True)
        rows.append(
            TargetFigure(
                key=key,
                metric=metric,
                label=target_label(key, metric, daily),
                actual=actual,
                target=target_text(key, entry.get("target")),
                variance=variance,
                met=met,
                gap=gap,
            )
        )
    return tuple(rows)
