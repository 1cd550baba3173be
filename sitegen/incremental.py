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
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from sitegen.windows import days_between, month_id, period_bounds, week_id

if TYPE_CHECKING:
    from sitegen.digest import FileDigest


def digest_days(dg: FileDigest) -> set[dt.date]:
    """Local dates a file contributes to, and its own date (where its problems count)."""
    return {dg.date, *dg.part_days, *(o.day for o in dg.opens)}


def affected_days(
    digests: Sequence[FileDigest],
    changed: Iterable[str],
    previous: dict[str, FileDigest],
    removed: Sequence[FileDigest],
    old_range: tuple[dt.date | None, dt.date | None],
    new_range: tuple[dt.date | None, dt.date | None],
    old_identity: Mapping[str, str],
    new_identity: Mapping[str, str],
) -> set[dt.date]:
    """Local dates whose summary inputs may differ from the last build: those of the
    files read or removed, and of the files whose superseded records differ (an order
    id a changed file shares with them; see History.identity)."""
    by_name = {d.name: d for d in digests}
    touched: list[FileDigest] = [*removed, *previous.values()]
    touched += [by_name[name] for name in changed]
    for name in old_identity.keys() | new_identity.keys():
        if old_identity.get(name) != new_identity.get(name) and name in by_name:
            touched.append(by_name[name])
    days: set[dt.date] = set()
    for dg in touched:
        days |= digest_days(dg)
    (old_first, old_last), (new_first, new_last) = old_range, new_range
    if old_first and new_first and old_first != new_first:
        days.update(days_between(min(old_first, new_first), max(old_first, new_first)))
    if old_last and new_last and old_last != new_last:
        days.update(days_between(min(old_last, new_last), max(old_last, new_last)))
    return days


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
