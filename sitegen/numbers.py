"""A value read from a file a person may edit (a summary, an alert log, a config) as a
finite Decimal. Pure."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def finite_decimal(value: object) -> Decimal | None:
    """``value`` as a finite Decimal (numbers and numeric strings, exactly from their
    text); None for null, booleans, NaN, infinities and anything that is not a number."""
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
