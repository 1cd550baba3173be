"""How numbers from a summary read on a page. Pure; text in, text out.

The number formats are sitegen.figures' (the terminal shows the same figures); what
only pages need stays here.
"""

from __future__ import annotations

from sitegen.figures import (
    CENT,
    DASH,
    count_or_mean,
    dec,
    money,
    money_interval,
    percent,
    quantity,
    rate_interval,
    rounded,
    tone,
)

__all__ = [
    "CENT",
    "DASH",
    "MONTHS",
    "WEEKDAYS",
    "count_or_mean",
    "dec",
    "money",
    "money_interval",
    "percent",
    "quantity",
    "rate_interval",
    "rounded",
    "tone",
]

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
