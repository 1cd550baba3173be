"""How numbers from a summary read on a page. Pure; text in, text out.

Summary values are decimal strings (exact money, 6-place quotients). Pages show
exact money sums with their full scale (at least two places), derived values
rounded half-even to two places, rates as percentages, and a sign on P&L so that
gain and loss never depend on colour alone.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

# The summaries' own context: a 6-place quotient (an R multiple up to 10^51, a profit
# factor of a loss of 10^-18) has more digits than the default context's 28.
from sitegen.partials import EXACT

CENT = Decimal("0.01")
DASH = "—"
# Our own names, not strftime's: those follow the process locale, and pages must not.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def dec(value: object) -> Decimal | None:
    """A summary value as a Decimal; None for null or anything that is not a number."""
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


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
        number = number.quantize(CENT)
    return _plain(number, signed)


def rounded(value: object, *, places: int = 2, signed: bool = False) -> str:
    """A derived value rounded half-even to ``places`` decimals."""
    number = dec(value)
    if number is None:
        return DASH
    step = Decimal(1).scaleb(-places)
    return _plain(number.quantize(step, rounding=ROUND_HALF_EVEN, context=EXACT), signed)


def percent(rate: object) -> str:
    """A 0..1 rate as a percentage with two decimals: '0.520833' -> '52.08%'."""
    number = dec(rate)
    if number is None:
        return DASH
    return rounded(number.scaleb(2, EXACT)) + "%"


def count_or_mean(value: object) -> str:
    """A count ('9') as is, a mean ('9.600000') with two decimals."""
    number = dec(value)
    if number is None:
        return DASH
    if number == number.to_integral_value():
        return _plain(number.quantize(Decimal(1)), False)
    return rounded(number)


def quantity(value: object) -> str:
    number = dec(value)
    if number is None:
        return DASH
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return _plain(number.normalize(), False)


def tone(value: object) -> str:
    """CSS class for a signed amount: pos, neg or zero ('' when not a number)."""
    number = dec(value)
    if number is None:
        return ""
    return "pos" if number > 0 else "neg" if number < 0 else "zero"
