"""What the drill-down pages (a page per symbol and per strategy) are made of: each key's
closed trades per day, from the per-day partials' breakdown cells — no trade is read
again — and the days its latest trades lie on. Pure: values in, values out.

A key's page depends on its own days only (see :func:`page_inputs`), so a new day
changes the pages of the keys it trades and no other.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sitegen.partials import EXACT, ZERO, Cell, Partial

#: the kinds of key with pages, and the map of a partial that holds each one's cells
KINDS = {"symbol": "by_symbol", "strategy": "by_strategy"}
#: a page lists this many of its key's latest closed trades
LATEST_TRADES = 100


@dataclass(frozen=True)
class KeyDay:
    """A key's closed trades on one local day: how many, the wins, and their net P&L."""

    day: dt.date
    closed: int
    wins: int
    net: Decimal


@dataclass(frozen=True)
class KeySeries:
    """A symbol's or strategy's days with closed trades, oldest first."""

    kind: str  # symbol | strategy
    key: str
    days: tuple[KeyDay, ...]
    cells: tuple[Cell, ...]  # each day's whole breakdown cell (what its page's inputs are)

    @property
    def closed(self) -> int:
        return sum(d.closed for d in self.days)

    def equity(self) -> list[tuple[dt.date, Decimal, Decimal]]:
        """End-of-day (day, equity, drawdown): cumulative net P&L from 0, and its distance
        below the running peak (the peak starting at 0)."""
        out, total, peak = [], ZERO, ZERO
        for d in self.days:
            total = EXACT.add(total, d.net)
            peak = max(peak, total)
            out.append((d.day, total, EXACT.subtract(total, peak)))
        return out

    def months(self) -> dict[str, tuple[int, int, Decimal]]:
        """Per month ("2025-10"): closed trades, wins and net P&L, in order."""
        out: dict[str, tuple[int, int, Decimal]] = {}
        for d in self.days:
            month = d.day.isoformat()[:7]
            closed, wins, net = out.get(month, (0, 0, ZERO))
            out[month] = (closed + d.closed, wins + d.wins, EXACT.add(net, d.net))
        return out

    def row_days(self, most: int = LATEST_TRADES) -> tuple[dt.date, ...]:
        """The latest days whose closed trades hold the key's ``most`` latest ones, newest
        first."""
        out, count = [], 0
        for d in reversed(self.days):
            if count >= most:
                break
            out.append(d.day)
            count += d.closed
        return tuple(out)


def key_series(days: Mapping[dt.date, Partial]) -> dict[tuple[str, str], KeySeries]:
    """Every symbol's and strategy's series, by (kind, key), from the days' partials."""
    found: dict[tuple[str, str], list[tuple[dt.date, Cell]]] = {}
    for day in sorted(days):
        partial = days[day]
        for kind, field in KINDS.items():
            for key, cell in getattr(partial, field).items():
                found.setdefault((kind, key), []).append((day, cell))
    return {
        (kind, key): KeySeries(
            kind,
            key,
            tuple(KeyDay(day, cell[0], cell[1], cell[3]) for day, cell in pairs),
            tuple(cell for _, cell in pairs),
        )
        for (kind, key), pairs in sorted(found.items())
    }


def row_day_inputs(
    series: KeySeries, day_keys: Mapping[dt.date, str]
) -> dict[dt.date, tuple[str, list[str]]]:
    """For each day its latest trades lie on: what the key's rows of that day are made
    of — the day's key (its log files' content and the records later files supersede
    in them, cache.day_rows_key) and the key's cell of that day. Rows kept from a last
    build are reused for a day whose inputs are the same."""
    cells = dict(zip((d.day for d in series.days), series.cells, strict=True))
    return {day: (day_keys.get(day, ""), [str(v) for v in cells[day]]) for day in series.row_days()}


def page_inputs(series: KeySeries, row_keys: Mapping[dt.date, str]) -> Iterator[str]:
    """Everything a key's page is made of besides the site's settings and books, as
    text, a part at a time (a long history's cells are many: they are hashed as they
    come, cache.key_page_key): the key, its cells day by day (its figures, curve and
    months) and the key of each day its latest trades lie on (``row_keys``: the key of
    its row_day_inputs; a row shows fields no cell holds)."""
    yield json.dumps([series.kind, series.key])
    for d, cell in zip(series.days, series.cells, strict=True):
        yield f"{d.day.isoformat()} {','.join(map(str, cell))}"
    for day in sorted(row_keys):
        yield f"rows {day.isoformat()} {row_keys[day]}"


#: a key's closed trades of one day, in time order, with the key of what they are made
#: of (a row_day_inputs entry, keyed by the caller)
DayRows = tuple[str, list[Any]]


def latest_rows(
    wanted: Iterable[tuple[KeySeries, Mapping[dt.date, str], Mapping[dt.date, DayRows]]],
    rows_of: Callable[[dt.date], Sequence[Any]],
    most: int = LATEST_TRADES,
) -> dict[tuple[str, str], tuple[list[tuple[dt.date, Any]], dict[dt.date, DayRows]]]:
    """The latest ``most`` closed trades of each key, newest first, as (day, row), and
    the key's rows by day to keep for the next build. ``wanted``: (series, the key of
    each of its row days, the rows kept from a last build by day). A kept day whose key
    is the same is reused; the other days are read once each for all keys
    (``rows_of(day)``: the day's rows in time order, each with ``outcome``, ``symbol``
    and ``strategy``)."""
    fresh: dict[tuple[str, str], dict[dt.date, DayRows]] = {}
    to_read: dict[dt.date, dict[tuple[str, str], str]] = {}
    for series, keys, kept in wanted:
        who = (series.kind, series.key)
        days = fresh[who] = {}
        for day, key in keys.items():
            found = kept.get(day)
            if found is not None and found[0] == key:
                days[day] = found
            else:
                to_read.setdefault(day, {})[who] = key
    for day in sorted(to_read):
        readers = to_read[day]
        got: dict[tuple[str, str], list[Any]] = {who: [] for who in readers}
        for row in rows_of(day):
            if row.outcome == "open":
                continue
            for who in (("symbol", row.symbol), ("strategy", row.strategy)):
                if who in got:
                    got[who].append(row)
        for who, rows in got.items():
            fresh[who][day] = (readers[who], rows)
    out = {}
    for who, days in fresh.items():
        latest: list[tuple[dt.date, Any]] = []
        for day in sorted(days, reverse=True):
            latest.extend((day, row) for row in reversed(days[day][1]))
        out[who] = (latest[:most], days)
    return out
