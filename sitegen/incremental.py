"""What a build must redo: the periods whose inputs changed since the last build. Pure.

The last complete build leaves a BuildState in the cache index (cache.py). A new build compares
the log files it had to read, the data range and the alert events with that state,
and recomputes only the days, weeks, months (and the all-time window) they touch.
Getting this too wide costs time; too narrow would be wrong — so when in doubt
(no state, other settings) everything is recomputed, and the writer still skips
files whose bytes did not change.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from sitegen.windows import Span, days_between, gaps, month_id, period_bounds, week_id

if TYPE_CHECKING:
    from sitegen.digest import FileDigest


def digest_days(dg: FileDigest) -> set[dt.date]:
    """Local dates a file contributes to (trades, and records of modes not analysed), and
    its own date (where its problems count)."""
    return {dg.date, *dg.part_days, *(o.day for o in dg.opens), *(e.day for e in dg.excluded)}


def affected_days(
    digests: Sequence[FileDigest],
    changed: Iterable[str],
    previous: dict[str, FileDigest],
    removed: Sequence[FileDigest],
    old_spans: tuple[Sequence[Span], Sequence[Span]],
    new_spans: tuple[Sequence[Span], Sequence[Span]],
    old_identity: Mapping[str, str],
    new_identity: Mapping[str, str],
) -> set[dt.date]:
    """Local dates whose summary inputs may differ from the last build: those of the
    files read or removed, of the files whose superseded records differ (an order id a
    changed file shares with them; see History.identity), and the days that came into
    or left the runs of the data range, or their part between the first and the last
    log date (``*_spans``: History.spans and .log_spans), where daily P&L and missing
    days change. A gap between runs is in neither: a file misdated by a thousand years
    costs its own days, not a walk over the years between."""
    by_name = {d.name: d for d in digests}
    touched: list[FileDigest] = [*removed, *previous.values()]
    touched += [by_name[name] for name in changed]
    for name in old_identity.keys() | new_identity.keys():
        if old_identity.get(name) != new_identity.get(name) and name in by_name:
            touched.append(by_name[name])
    days: set[dt.date] = set()
    for dg in touched:
        days |= digest_days(dg)
    for old, new in zip(old_spans, new_spans, strict=True):
        if list(old) != list(new):
            days |= span_days(old) ^ span_days(new)
    # A period beside a gap reports the part of the gap inside it: a gap that came or
    # went changes the periods holding its first or last day (any period overlapping a
    # gap and a run holds one of them).
    for first, last in set(gaps(old_spans[0])) ^ set(gaps(new_spans[0])):
        days.update((first, last))
    return days


def span_days(runs: Iterable[Span]) -> set[dt.date]:
    """Every date of the runs (as many as the data range's days: a run holds a date with
    data at least every MAX_GAP_DAYS + 1 days)."""
    return {day for first, last in runs for day in days_between(first, last)}


def periods_from(periods: Callable[[str], Sequence[str]], day: dt.date) -> set[tuple[str, str]]:
    """Every period (of ``periods(window)``) that ends on or after ``day``, and the all
    window: with returns, a change of a day's P&L moves the equity before every later
    period, and so its returns."""
    out = {("all", "all")}
    holding = {"daily": day.isoformat(), "weekly": week_id(day), "monthly": month_id(day)}
    for window, first in holding.items():
        ordered = periods(window)  # ids sort in time order: those from the one holding day
        out.update((window, period) for period in ordered[bisect_left(ordered, first) :])
    return out


def periods_of_days(days: Iterable[dt.date]) -> set[tuple[str, str]]:
    """The daily, weekly and monthly periods holding these dates, and the all window."""
    out = set()
    for day in days:
        out.add(("all", "all"))
        out.add(("daily", day.isoformat()))
        out.add(("weekly", week_id(day)))
        out.add(("monthly", month_id(day)))
    return out


def changed_events(old: Sequence[dict], new: Sequence[dict]) -> set[tuple[str, str]]:
    """Periods whose alert list may differ: every period holding an event that appeared,
    disappeared or changed (an acknowledgement, say)."""
    before = {e["id"]: e for e in old}
    after = {e["id"]: e for e in new}
    days: set[dt.date] = set()
    out: set[tuple[str, str]] = set()
    for key in before.keys() | after.keys():
        if before.get(key) == after.get(key):
            continue
        event = after.get(key) or before[key]
        first, last = period_bounds(event["window"], event["period"])
        days.update((first, last))
        out.add((event["window"], event["period"]))
    return out | periods_of_days(days)
