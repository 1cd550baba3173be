"""Calendar, attribution and window ids. Pure: no files, no clock, no environment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WINDOWS = ("daily", "weekly", "monthly", "all")
#: the windows with one period (and one page) per day, week or month
PERIOD_WINDOWS = WINDOWS[:3]
ONE_DAY = dt.timedelta(days=1)


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``; an unknown name is a ValueError saying so."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(
            f"timezone: unknown time zone {name!r}; use an IANA name such as "
            "'UTC' or 'America/New_York'"
        ) from exc


def is_trading_day(day: dt.date, holidays: frozenset[dt.date]) -> bool:
    """Monday to Friday, minus configured holidays."""
    return day.weekday() < 5 and day not in holidays


def days_between(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """Every date from ``first`` to ``last`` inclusive."""
    day = first
    while day <= last:
        yield day
        day += ONE_DAY


def missing_days(
    file_dates: Iterable[dt.date], holidays: frozenset[dt.date]
) -> tuple[dt.date, ...]:
    """Trading days between the first and last log file date that have no log file."""
    present = set(file_dates)
    if not present:
        return ()
    return tuple(
        d
        for d in days_between(min(present), max(present))
        if d not in present and is_trading_day(d, holidays)
    )


def week_id(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def month_id(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}"


def period_id(window: str, day: dt.date) -> str:
    """The id of the ``window`` period containing ``day``."""
    if window == "daily":
        return day.isoformat()
    if window == "weekly":
        return week_id(day)
    if window == "monthly":
        return month_id(day)
    return "all"


def period_bounds(window: str, period: str) -> tuple[dt.date, dt.date]:
    """First and last date of a daily, weekly or monthly period id."""
    if window == "daily":
        day = dt.date.fromisoformat(period)
        return day, day
    if window == "weekly":
        year, week = period.split("-W")
        monday = dt.date.fromisocalendar(int(year), int(week), 1)
        return monday, monday + dt.timedelta(days=6)
    if window == "monthly":
        year, month = (int(x) for x in period.split("-"))
        first = dt.date(year, month, 1)
        nxt = dt.date(year + month // 12, month % 12 + 1, 1)
        return first, nxt - ONE_DAY
    raise ValueError(f"no fixed bounds for window {window!r}")


def parse_period(window: str, period: str) -> tuple[dt.date, dt.date]:
    """Like :func:`period_bounds`, but a malformed id is a ValueError naming it."""
    try:
        first, last = period_bounds(window, period)
    except (ValueError, TypeError) as exc:
        examples = {"daily": "2025-10-10", "weekly": "2025-W41", "monthly": "2025-10"}
        raise ValueError(
            f"period: {period!r} is not a {window} period id (for example "
            f"{examples.get(window, 'all')})"
        ) from exc
    if period_id(window, first) != period:
        raise ValueError(f"period: {period!r} is not a canonical {window} period id")
    return first, last


def periods(window: str, first: dt.date, last: dt.date) -> list[str]:
    """Ids of every ``window`` period touching the dates ``first`` .. ``last``, in order."""
    if window == "all":
        return ["all"]
    seen: list[str] = []
    for day in days_between(first, last):
        pid = period_id(window, day)
        if not seen or seen[-1] != pid:
            seen.append(pid)
    return seen


def local_date(instant: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The date, in ``tz``, of an aware instant."""
    return instant.astimezone(tz).date()
