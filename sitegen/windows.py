"""Calendar, attribution and window ids. Pure: no files, no clock, no environment."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from calendar import monthrange
from collections.abc import Iterable, Iterator, Sequence
from itertools import pairwise
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
    """Every date from ``first`` to ``last`` inclusive (``last`` may be date.max)."""
    return map(dt.date.fromordinal, range(first.toordinal(), last.toordinal() + 1))


#: more calendar days than this without a log date or a trade split the data range
MAX_GAP_DAYS = 31

Span = tuple[dt.date, dt.date]


def spans(dates: Iterable[dt.date]) -> tuple[Span, ...]:
    """``dates`` (in order, repeats allowed) as the runs (first, last) they make: a new
    run starts wherever more than MAX_GAP_DAYS days pass without one of them. A year
    typo or a stray file far from the rest is then a run of its own, and the years
    between are a gap, not a range to fill with days."""
    out: list[list[dt.date]] = []
    for day in dates:
        if out and (day - out[-1][1]).days <= MAX_GAP_DAYS + 1:
            out[-1][1] = max(out[-1][1], day)
        else:
            out.append([day, day])
    return tuple((first, last) for first, last in out)


def gaps(runs: Sequence[Span]) -> tuple[Span, ...]:
    """The dates between consecutive runs, as (first, last) pairs."""
    return tuple((a[1] + ONE_DAY, b[0] - ONE_DAY) for a, b in pairwise(runs))


def clip(runs: Sequence[Span], first: dt.date, last: dt.date) -> list[Span]:
    """The parts of the runs (in order, apart) that lie within ``first`` .. ``last``."""
    start = bisect_right(runs, (first, dt.date.max)) - 1  # the run holding first, if one
    out = []
    for lo, hi in runs[max(start, 0) :]:
        if lo > last:
            break
        if hi >= first:
            out.append((max(lo, first), min(hi, last)))
    return out


def missing_days(
    file_dates: Iterable[dt.date], holidays: frozenset[dt.date], within: Iterable[Span]
) -> tuple[dt.date, ...]:
    """Trading days of the runs ``within`` that have no log file."""
    present = set(file_dates)
    return tuple(
        d
        for first, last in within
        for d in days_between(first, last)
        if d not in present and is_trading_day(d, holidays)
    )


def week_id(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def month_id(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


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
    """First and last date of a daily, weekly or monthly period id (the last week of
    year 9999 ends on date.max, the last date there is)."""
    if window == "daily":
        day = dt.date.fromisoformat(period)
        return day, day
    if window == "weekly":
        year, week = period.split("-W")
        monday = dt.date.fromisocalendar(int(year), int(week), 1)
        sunday = min(monday.toordinal() + 6, dt.date.max.toordinal())
        return monday, dt.date.fromordinal(sunday)
    if window == "monthly":
        year, month = (int(x) for x in period.split("-"))
        return dt.date(year, month, 1), dt.date(year, month, monthrange(year, month)[1])
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
