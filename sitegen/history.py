"""File digests -> the trade history as per-day partials, and window summaries.

Identity resolution across files (same ``order_id`` = one trade, the latest record
wins) and the assembly of each local day from the parts its files contribute happen
here. Pure, except that a rare case (a closed record superseded from a later file,
or two files whose trades interleave within one day) re-reads the files involved
through the ``rescan`` callable it is given.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import heapq
import json
from bisect import bisect_left, bisect_right
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

import msgspec

from sitegen.alerts import DayClose
from sitegen.digest import (
    EPOCH,
    ID_SIZE,
    MICROSECOND,
    TAIL,
    DayPart,
    FileDigest,
    OpenRecord,
    bare,
    count_modes,
    decode_part,
    digest,
    id_hash,
    join_tail,
    kept_records,
    leading,
    micros,
    open_partial,
    order_key,
    pack_decimals,
    pack_ids,
    pack_outcomes,
    selected,
    sort_key,
    to_trade,
    unpack_ids,
    unpack_outcomes,
)
from sitegen.ingest import FileScan, Problem, TradeRecord
from sitegen.metrics import TargetSpec, WindowContext, quotient, summarize
from sitegen.partials import (
    ZERO,
    Equity,
    EquityFold,
    Partial,
    Trade,
    from_trades,
    merge,
    merge_stream,
)
from sitegen.returns import Ledger, MonthlyReturns, monthly_returns
from sitegen.windows import (
    Span,
    clip,
    days_between,
    gaps,
    is_trading_day,
    missing_days,
    period_bounds,
    periods,
    spans,
)

MAX_LISTED_PROBLEMS = 100
NO_EQUITY = Equity()
Rescan = Callable[[FileDigest], FileScan]


@dataclass
class History:
    """Everything known about the logs, reduced to per-day partials."""

    timezone: str
    holidays: frozenset[dt.date]
    file_dates: tuple[dt.date, ...]  # of every file named like a log, read or not
    days: dict[dt.date, Partial]  # local date -> partial of its trades in time order
    #: the dates of the files with at least one valid record: an empty or all-bad file
    #: (reported) must not stretch the data range
    log_dates: tuple[dt.date, ...] = ()
    problems: dict[dt.date, list[Problem]] = field(default_factory=dict)  # by file date
    #: by file date: bad lines beyond those its files' digests keep (counted, not listed)
    more_problems: dict[dt.date, int] = field(default_factory=dict)
    in_progress: dict[dt.date, list[tuple[str, int]]] = field(default_factory=dict)
    missing_pnl: dict[dt.date, list[tuple[str, int, str | None]]] = field(default_factory=dict)
    superseded: dict[dt.date, int] = field(default_factory=dict)  # by file date
    closes: dict[dt.date, Close] = field(default_factory=dict)
    #: the digests (sorted by name) and what is needed to rebuild a day's trade list
    digests: tuple[FileDigest, ...] = ()
    day_files: dict[dt.date, tuple[int, ...]] = field(default_factory=dict)
    excluded: dict[int, frozenset[str]] = field(default_factory=dict)
    #: per file: its open records' ids that a later file supersedes
    replaced_opens: dict[int, frozenset[str]] = field(default_factory=dict)
    assembled: dict[dt.date, AssembledDay] = field(default_factory=dict)
    tz: ZoneInfo | None = None
    rescan: Rescan | None = None
    #: the modes (books) analysed; None: every mode
    modes: frozenset[str] | None = None
    #: local date -> {mode: records of the modes not analysed}, after identity resolution
    excluded_by_mode: dict[dt.date, dict[str, int]] = field(default_factory=dict)
    #: per file: the ids of its records of modes not analysed that a later file supersedes
    replaced_excluded: dict[int, frozenset[bytes]] = field(default_factory=dict)
    #: local date -> the files (indexes into ``digests``) with records of it not analysed
    excluded_files: dict[dt.date, set[int]] = field(default_factory=dict)
    #: the analysed trades per mode, closed and open, over the whole history
    closed_by_mode: dict[str, int] = field(default_factory=dict)
    open_by_mode: dict[str, int] = field(default_factory=dict)
    #: a day's trades in time order with their records, read back from its files on demand
    trades: DayTrades = field(init=False)
    trades_total: int = 0  # trades counted, over all days
    #: the account size before the first day (config starting_equity): with it, every
    #: summary carries returns; None: none does
    starting_equity: Decimal | None = None

    def __post_init__(self) -> None:
        self.trades = DayTrades(self)

    @property
    def empty(self) -> bool:
        return not self.log_dates and not self.days and not self.excluded_by_mode

    # The history is complete when build_history returns it; what follows is derived
    # from it once (a summary reads each several times).

    @functools.cached_property
    def day_list(self) -> list[dt.date]:
        """The local dates with trades, in order."""
        return sorted(self.days)

    @functools.cached_property
    def record_days(self) -> list[dt.date]:
        """The local dates with trades or with records of modes not analysed, in order:
        which modes a build analyses changes what a day holds, not which days exist."""
        if not self.excluded_by_mode:
            return self.day_list
        return sorted(self.days.keys() | self.excluded_by_mode.keys())

    @functools.cached_property
    def spans(self) -> tuple[Span, ...]:
        """The data range: log dates and days with records (trades, or records of modes
        not analysed), as runs (first, last) split wherever more than MAX_GAP_DAYS
        calendar days pass without one. Everything that walks the calendar walks these,
        so work follows the data, not the years a typo in a file name or a timestamp
        would put between dates."""
        return spans(heapq.merge(self.log_dates, self.record_days))

    @functools.cached_property
    def gaps(self) -> tuple[Span, ...]:
        """The dates between the runs of the data range, as (first, last) pairs: no
        missing days, no trading days of any daily P&L series, no period of their own."""
        return gaps(self.spans)

    @functools.cached_property
    def first(self) -> dt.date:
        return self.spans[0][0]

    @functools.cached_property
    def last(self) -> dt.date:
        return self.spans[-1][1]

    @functools.cached_property
    def missing(self) -> tuple[dt.date, ...]:
        """Trading days of the data range between the first and last log date that have
        no log file (of any kind: an empty or unreadable one is reported instead)."""
        return missing_days(self.file_dates, self.holidays, self.log_spans)

    @functools.cached_property
    def log_spans(self) -> tuple[Span, ...]:
        """The parts of the data range's runs between the first and the last log date:
        where a trading day without a log file is a missing day."""
        if not self.log_dates:
            return ()
        return tuple(clip(self.spans, self.log_dates[0], self.log_dates[-1]))

    def periods(self, window: str) -> list[str]:
        """Every period of ``window`` with a summary: for daily, each trading day of the
        data range and each day with trades; for longer windows, each touching it."""
        found = self._periods.get(window)
        if found is None:  # asked for often, and walking the runs costs O(data range)
            found = self._periods[window] = self._find_periods(window)
        return list(found)

    @functools.cached_property
    def _periods(self) -> dict[str, tuple[str, ...]]:
        return {}

    def _find_periods(self, window: str) -> tuple[str, ...]:
        if self.empty:
            return ()
        if window == "all":
            return ("all",)
        if window == "daily":
            return tuple(
                d.isoformat()
                for first, last in self.spans
                for d in days_between(first, last)
                if d in self.days or d in self.excluded_by_mode or is_trading_day(d, self.holidays)
            )
        found: list[str] = []
        for first, last in self.spans:
            for pid in periods(window, first, last):
                if not found or found[-1] != pid:  # a period may touch two runs
                    found.append(pid)
        return tuple(found)

    def latest_period(self, window: str) -> str | None:
        found = self.periods(window)
        return found[-1] if found else None

    def bounds(self, window: str, period: str) -> tuple[dt.date, dt.date]:
        if window == "all":
            return self.first, self.last
        return period_bounds(window, period)

    def partial(self, first: dt.date, last: dt.date) -> Partial:
        """The merged partial of the local dates ``first`` .. ``last`` (final: its equity
        is folded, without the points a further merge would need)."""
        dates = self.day_list
        inside = dates[bisect_left(dates, first) : bisect_right(dates, last)]
        if len(inside) <= 1:
            return self.days[inside[0]] if inside else Partial()
        equity = EquityFold()

        def flat() -> Iterator[Partial]:  # the days one at a time, their equity folded apart
            for day in inside:
                part = self.days[day]
                equity.add(part.equity)
                yield msgspec.structs.replace(part, equity=NO_EQUITY)

        merged = merge_stream(flat())
        return msgspec.structs.replace(merged, equity=equity.result())

    def series_days(self, first: dt.date, last: dt.date, merged: Partial) -> list[dt.date]:
        """Dates of the daily P&L series of a window (see ``daily_pnl`` in
        docs/summary-format.md): its trading days inside the data range (not in a gap),
        and its days with closed trades."""
        if self.empty:
            return []
        days = {
            d
            for lo, hi in clip(self.spans, first, last)
            for d in days_between(lo, hi)
            if is_trading_day(d, self.holidays)
        }
        days.update(d for d in merged.daily if first <= d <= last)
        return sorted(days)

    @functools.cached_property
    def ledger(self) -> Ledger | None:
        """End-of-day equity over the whole history (prefix sums of its daily net P&L),
        made once; None when the account size is not known."""
        if self.starting_equity is None:
            return None
        return Ledger.of(
            self.starting_equity, ((d, self.days[d].daily.get(d, ZERO)) for d in self.day_list)
        )

    def window_series(self, first: dt.date, last: dt.date) -> tuple[list[dt.date], list[Decimal]]:
        """The daily P&L series of a window (its days and values), from the days' own
        partials: what the window's summary has, without merging them."""
        dates = self.day_list
        inside = dates[bisect_left(dates, first) : bisect_right(dates, last)]
        daily = {d: v for day in inside for d, v in self.days[day].daily.items()}
        days = self.series_days(first, last, Partial(daily=daily))
        return days, [daily.get(d, ZERO) for d in days]

    def monthly_returns(self) -> MonthlyReturns | None:
        """Every month's total_return, as its monthly summary has it, and each year's
        (the overview's table); None when the account size is not known."""
        ledger = self.ledger
        if ledger is None:
            return None
        months = [
            (month, *self.window_series(*self.bounds("monthly", month)))
            for month in self.periods("monthly")
        ]
        return monthly_returns(ledger, months, quotient)

    @property
    def skipped_lines(self) -> int:
        """Every bad line (and unreadable file) of the logs, listed or only counted."""
        return sum(map(len, self.problems.values())) + sum(self.more_problems.values())

    def day_closes(self, keep: int = TAIL) -> list[DayClose]:
        """Each date's last closed trades in order, for the rolling alert rules."""
        return [self.closes[day].unpack(day, keep) for day in sorted(self.closes)]

    @functools.cached_property
    def identity(self) -> dict[str, str]:
        """Per log file whose summaries depend on more than its own records, a key of
        what else: the records a later file supersedes, and the ends of the data range's
        runs it holds (a file added or removed far from it moves an end, and with it the
        days around: a week beside a gap gains or loses its days in the gap). A file
        whose key changes between builds counts differently (incremental.py)."""
        keys: dict[str, list[str]] = defaultdict(list)
        replaced = self.excluded.keys() | self.replaced_opens.keys() | self.replaced_excluded.keys()
        for fi in sorted(replaced):
            hashes = [*sorted(self.excluded.get(fi, ())), b"|"]
            hashes += sorted(self.replaced_opens.get(fi, ()))
            if fi in self.replaced_excluded:
                hashes += [b"|", *sorted(self.replaced_excluded[fi])]
            keys[self.digests[fi].name].append(hashlib.sha256(b"".join(hashes)).hexdigest()[:24])
        if self.spans:
            dated = {dg.date: fi for fi, dg in enumerate(self.digests) if dg.has_records}
            for first, last in self.spans:
                for end, day in (("start", first), ("end", last)):
                    files = set(self.day_files.get(day, ())) | self.excluded_files.get(day, set())
                    if day in dated:
                        files.add(dated[day])
                    for fi in sorted(files):
                        keys[self.digests[fi].name].append(f"{end} {day.isoformat()}")
        return {name: " ".join(parts) for name, parts in sorted(keys.items())}

    def file_pairs(self, fi: int, scan: FileScan) -> list[tuple[Trade, TradeRecord]]:
        """Every record file ``fi`` counts on its own (none dropped for a later file) of
        the modes analysed, as a Trade with its record, in line order."""
        assert self.tz is not None
        return [
            (to_trade(rec, fi, self.tz), rec.trade)
            for rec in kept_records(scan)
            if selected(rec, self.modes)
        ]

    def file_day_trades(self, fi: int, day: dt.date) -> list[tuple[Trade, TradeRecord]]:
        """The trades file ``fi`` contributes to ``day``, in line order (re-reads it),
        without those a later file supersedes."""
        if self.rescan is None or self.tz is None:
            raise RuntimeError("this history cannot read its log files back")
        scan = self.rescan(self.digests[fi])
        replaced = self.replaced_opens.get(fi, frozenset())
        pairs = []
        for rec in kept_records(scan, self.excluded.get(fi, frozenset())):
            if not selected(rec, self.modes):
                continue
            trade = to_trade(rec, fi, self.tz)
            if trade.day != day:
                continue
            key = order_key(rec.trade.order_id)
            if trade.outcome == "open" and key is not None and id_hash(key) in replaced:
                continue
            pairs.append((trade, rec.trade))
        return pairs

    def day_trades(self, day: dt.date) -> list[tuple[Trade, TradeRecord]]:
        """The trades of ``day`` in time order, each with its record (re-reads its files)."""
        pairs = [p for fi in self.day_files.get(day, ()) for p in self.file_day_trades(fi, day)]
        pairs.sort(key=lambda pair: sort_key(pair[0]))
        return pairs

    def data_quality(self, first: dt.date, last: dt.date) -> dict:
        def inside(table: dict) -> list:
            return [item for d in sorted(table) if first <= d <= last for item in table[d]]

        problems = inside(self.problems)
        more = sum(n for d, n in self.more_problems.items() if first <= d <= last)
        return {
            "skipped_lines": len(problems) + more,
            "problems": [
                {"file": p.file, "line": p.line, "reason": p.reason}
                for p in problems[:MAX_LISTED_PROBLEMS]
            ],
            "in_progress": [{"file": f, "line": n} for f, n in inside(self.in_progress)],
            "missing_pnl": [
                {"file": f, "line": n, "order_id": oid} for f, n, oid in inside(self.missing_pnl)
            ],
            "superseded": sum(n for d, n in self.superseded.items() if first <= d <= last),
            "excluded_by_mode": self.excluded_in(first, last),
            "gaps": [
                {
                    "first": max(a, first).isoformat(),
                    "last": min(b, last).isoformat(),
                    "days": (min(b, last) - max(a, first)).days + 1,
                }
                for a, b in self.gaps
                if a <= last and b >= first
            ],
        }

    def excluded_in(self, first: dt.date, last: dt.date) -> dict[str, int]:
        """Records of the modes not analysed, attributed to the local dates ``first`` ..
        ``last``, per mode in sorted order."""
        counts: dict[str, int] = {}
        for day, modes in self.excluded_by_mode.items():
            if first <= day <= last:
                for mode, n in modes.items():
                    counts[mode] = counts.get(mode, 0) + n
        return dict(sorted(counts.items()))

    def summary(
        self,
        window: str,
        period: str,
        targets: Sequence[TargetSpec] = (),
        alerts: Sequence[dict] = (),
    ) -> dict:
        """The summary object of one period of one window."""
        first, last = self.bounds(window, period)
        merged = self.partial(first, last)
        # The whole history's summary reports every problem, also of files that lie
        # outside the data range (an all-bad file far from the rest stretches nothing).
        quality = (dt.date.min, dt.date.max) if window == "all" else (first, last)
        ctx = WindowContext(
            window=window,
            period=period,
            start=first,
            end=last,
            timezone=self.timezone,
            series_days=self.series_days(first, last, merged),
            missing_days=[d for d in self.missing if first <= d <= last],
            targets=targets,
            data_quality=self.data_quality(*quality),
            alerts=alerts,
            ledger=self.ledger,
        )
        return summarize(merged, ctx)


class DayTrades(Mapping):
    """``history.trades[day]``: a day's (Trade, record) pairs, read back on demand; the
    last few days are kept, since neighbouring days share log files."""

    def __init__(self, history: History, keep: int = 4) -> None:
        self._history = history
        self._keep = keep
        self._cache: OrderedDict[dt.date, list] = OrderedDict()

    def __getitem__(self, day: dt.date) -> list[tuple[Trade, TradeRecord]]:
        if day not in self._history.day_files:
            raise KeyError(day)
        if day in self._cache:
            self._cache.move_to_end(day)
            return self._cache[day]
        pairs = self._history.day_trades(day)
        self._cache[day] = pairs
        if len(self._cache) > self._keep:
            self._cache.popitem(last=False)
        return pairs

    def __iter__(self) -> Iterator[dt.date]:
        return iter(sorted(self._history.day_files))

    def __len__(self) -> int:
        return len(self._history.day_files)


def _instant(us: int) -> dt.datetime:
    return EPOCH + us * MICROSECOND


def _in_order(parts: list[tuple[int, DayPart]]) -> list[tuple[int, DayPart]] | None:
    """The parts sorted by time when no two interleave (then merging them in this order
    is exact); None when they do."""
    ordered = sorted(parts, key=lambda fp: (fp[1].first, fp[0], fp[1].first_line))
    for (fa, a), (fb, b) in pairwise(ordered):
        if (a.last, fa, a.last_line) >= (b.first, fb, b.first_line):
            return None
    return ordered


class Close(msgspec.Struct, frozen=True, gc=False):
    """A day's DayClose, packed (see digest.pack_outcomes): one per day is kept."""

    outcomes: str
    risk_rewards: str
    last_close: int | None  # µs since the epoch

    def unpack(self, day: dt.date, keep: int) -> DayClose:
        rr = self.risk_rewards.split(",")[-keep:] if self.risk_rewards else ()
        return DayClose(
            day=day,
            outcomes=unpack_outcomes(self.outcomes[-keep:]),
            risk_rewards=tuple(map(Decimal, rr)),
            last_close=None if self.last_close is None else _instant(self.last_close),
        )


def _close_of(parts: Sequence[DayPart]) -> Close:
    outcomes = rr = ""
    for part in parts:
        outcomes = join_tail(outcomes, part.tail, TAIL)
        rr = join_tail(rr, part.tail_rr, TAIL, ",")
    return Close(outcomes, rr, parts[-1].last if parts else None)


#: supersedes() holds at most about this many ids at once (a few MB): it works through
#: the hash range in slices, each a power-of-two share of it (ids are uniform in it)
SLICE_IDS = 1 << 16


def supersedes(
    digests: Sequence[FileDigest],
) -> tuple[dict[int, frozenset[bytes]], dict[int, frozenset[bytes]], dict[int, frozenset[bytes]]]:
    """Per file (index into ``digests``, oldest first): the id hashes of its closed
    records, of its open records and of its records of modes not analysed that a later
    file holds too (in any of the three) — those records are superseded (the latest
    record of an order id wins, whatever its mode).

    Newest file first, each file's ids are checked against the ids of the files after
    it, one slice of the hash range at a time, so that the set of ids seen holds one
    slice's worth (a set of a million 16-byte hashes would cost about 80 MB)."""
    opens = [
        pack_ids({id_hash(o.order_id) for o in dg.opens if o.order_id is not None})
        for dg in digests
    ]
    total = (sum(len(dg.closed_ids) for dg in digests) + sum(map(len, opens))) // ID_SIZE
    slices = 1
    while slices < 256 and total > slices * SLICE_IDS:
        slices *= 2
    bounds = [256 * b // slices for b in range(slices + 1)]
    replaced: dict[int, set[bytes]] = defaultdict(set)
    replaced_opens: dict[int, set[bytes]] = defaultdict(set)
    replaced_excluded: dict[int, set[bytes]] = defaultdict(set)
    for lo, hi in pairwise(bounds):
        later: set[bytes] = set()
        for fi in range(len(digests) - 1, -1, -1):
            mine = unpack_ids(leading(digests[fi].closed_ids, lo, hi))
            mine_open = unpack_ids(leading(opens[fi], lo, hi))
            mine_excluded = unpack_ids(leading(digests[fi].excluded_ids, lo, hi))
            if later:
                if gone := later.intersection(mine):
                    replaced[fi] |= gone
                if gone := later.intersection(mine_open):
                    replaced_opens[fi] |= gone
                if gone := later.intersection(mine_excluded):
                    replaced_excluded[fi] |= gone
            later.update(mine)
            later.update(mine_open)
            later.update(mine_excluded)
    return (
        {fi: frozenset(ids) for fi, ids in replaced.items()},
        {fi: frozenset(ids) for fi, ids in replaced_opens.items()},
        {fi: frozenset(ids) for fi, ids in replaced_excluded.items()},
    )


def build_history(
    digests: Sequence[FileDigest],
    tz: ZoneInfo,
    timezone: str,
    holidays: frozenset[dt.date],
    rescan: Rescan | None = None,
    assembled: Mapping[dt.date, AssembledDay] | None = None,
    modes: frozenset[str] | None = None,
    starting_equity: Decimal | None = None,
) -> History:
    """Resolve identities across files and assemble each local day from its parts.

    ``assembled`` holds days rebuilt from interleaved files by an earlier build: a day
    whose files did not change is taken from it instead of being rebuilt. ``modes``:
    the modes the digests were made with (None: every mode); the records of other modes
    take part in identity resolution like the rest, and are then only counted.
    """
    assembled = assembled or {}
    digests = tuple(sorted(digests, key=lambda d: d.name))
    replaced, replaced_opens, replaced_excluded = supersedes(digests)

    days: dict[dt.date, Partial] = {}
    history = History(
        timezone,
        holidays,
        tuple(d.date for d in digests),
        days,
        log_dates=tuple(d.date for d in digests if d.has_records),
        digests=digests,
        replaced_opens=replaced_opens,
        tz=tz,
        rescan=rescan,
        modes=modes,
        replaced_excluded=replaced_excluded,
        starting_equity=starting_equity,
    )
    # Each day's parts stay encoded until the day is assembled, and are read then from
    # the few files that contribute to it: decoded all at once, every day's parts were
    # most of a build's memory.
    parts_in: dict[dt.date, list[int]] = defaultdict(list)
    opens_of: dict[dt.date, list] = defaultdict(list)
    files_of: dict[dt.date, set[int]] = defaultdict(set)
    redone: dict[int, FileDigest] = {}
    for fi, dg in enumerate(digests):
        if dg.problems:
            history.problems.setdefault(dg.date, []).extend(dg.problems)
        if dg.more_problems:
            history.more_problems[dg.date] = dg.more_problems
        if dg.in_progress is not None:
            history.in_progress.setdefault(dg.date, []).append((dg.name, dg.in_progress))
        superseded = dg.superseded
        gone = replaced.get(fi)
        if gone:  # a later file rewrote some of its closed trades: re-digest without them
            history.excluded[fi] = gone
            superseded += len(gone)
            dg = redone[fi] = digest(_rescan(rescan, dg), tz, exclude=gone, modes=modes)[0]
        if dg.excluded:
            gone_excluded = replaced_excluded.get(fi, frozenset())
            superseded += len(gone_excluded)
            for day, counts in dg.excluded_counts(gone_excluded).items():
                history.excluded_files.setdefault(day, set()).add(fi)
                into = history.excluded_by_mode.setdefault(day, {})
                for mode, n in counts.items():
                    into[mode] = into.get(mode, 0) + n
        for day in dg.part_days:
            parts_in[day].append(fi)
            files_of[day].add(fi)
        opens = live_opens(dg, replaced_opens.get(fi, frozenset()))
        superseded += len(dg.opens) - len(opens)
        for o in opens:
            opens_of[o.day].append(o)
            files_of[o.day].add(fi)
            history.open_by_mode[o.mode] = history.open_by_mode.get(o.mode, 0) + 1
        if superseded:
            history.superseded[dg.date] = superseded

    raw_parts: dict[int, dict[dt.date, msgspec.Raw]] = {}  # decoded one day at a time

    def part_of(fi: int, day: dt.date) -> DayPart:
        if fi not in raw_parts:
            raw_parts[fi] = (redone.get(fi) or digests[fi]).raw_parts()
        return decode_part(raw_parts[fi][day])

    for day in sorted(files_of):
        pieces = [(fi, part_of(fi, day)) for fi in parts_in.get(day, ())]
        for fi, part in pieces:
            for line, oid in part.missing_pnl:
                history.missing_pnl.setdefault(day, []).append((digests[fi].name, line, oid))
        ordered = _in_order(pieces)
        if ordered is None:  # trades of several files interleave: rebuild from the trades
            key = _inputs_key(history, pieces)
            found = assembled.get(day)
            if found is None or found.key != key:
                found = _assemble(history, day, pieces, key, rescan)
            history.assembled[day] = found
            closed = found.partial
            history.closes[day] = Close(found.outcomes, found.risk_rewards, found.last_close)
            _count_modes(history.closed_by_mode, found.modes)
        else:
            closed = merge_stream(p.partial for _, p in ordered)
            history.closes[day] = _close_of([p for _, p in ordered])
            for _, p in ordered:
                _count_modes(history.closed_by_mode, p.modes)
        partial = merge(closed, open_partial(opens_of.get(day, [])))
        days[day] = partial
        history.trades_total += partial.trades_total
        history.day_files[day] = tuple(sorted(files_of[day]))
        history.missing_pnl.get(day, []).sort()
    return history


def live_opens(dg: FileDigest, gone: frozenset[bytes]) -> list[OpenRecord]:
    """The open records of ``dg`` that no later file supersedes (``gone``: the id
    hashes of those that one does, from supersedes)."""
    if not gone:
        return list(dg.opens)
    return [o for o in dg.opens if o.order_id is None or id_hash(o.order_id) not in gone]


def resolve_identity(
    digests: Sequence[FileDigest],
    tz: ZoneInfo,
    timezone: str,
    holidays: frozenset[dt.date],
    rescan: Rescan,
    modes: frozenset[str] | None = None,
) -> History:
    """Identities resolved across files (supersedes, as build_history resolves them)
    and the files that hold each local date's analysed trades, without assembling any
    day: a History whose ``days`` is empty (it has no summaries), made to read any
    day's trades back with ``day_trades`` — what a trade export needs.

    It keeps of each digest only its name, date and stamp (``bare``), and of the ids
    only those of superseded records: not the days' partials, not every record's id."""
    digests = tuple(sorted(digests, key=lambda d: d.name))
    replaced, replaced_opens, _ = supersedes(digests)
    files_of: dict[dt.date, set[int]] = defaultdict(set)
    for fi, dg in enumerate(digests):
        # (as digested: a day whose closed records of this file a later file all
        # supersedes is read back from it for none; build_history re-digests first)
        for day in dg.part_days:
            files_of[day].add(fi)
        for o in live_opens(dg, replaced_opens.get(fi, frozenset())):
            files_of[o.day].add(fi)
    return History(
        timezone,
        holidays,
        tuple(d.date for d in digests),
        {},
        digests=tuple(map(bare, digests)),
        day_files={day: tuple(sorted(files_of[day])) for day in sorted(files_of)},
        excluded=replaced,
        replaced_opens=replaced_opens,
        tz=tz,
        rescan=rescan,
        modes=modes,
    )


def _count_modes(into: dict[str, int], counts: Mapping[str, int]) -> None:
    for mode, n in counts.items():
        into[mode] = into.get(mode, 0) + n


class AssembledDay(msgspec.Struct, frozen=True, gc=False):
    """A day rebuilt from the trades of files that interleave, cached by its inputs."""

    key: str
    partial: Partial
    outcomes: str  # packed, as in Close
    risk_rewards: str
    last_close: int | None
    modes: dict[str, int] = {}  # closed trades per mode


def _inputs_key(history: History, parts: list[tuple[int, DayPart]]) -> str:
    items = []
    for fi in sorted({fi for fi, _ in parts}):
        dg = history.digests[fi]
        items.append((dg.name, dg.hash, sorted(h.hex() for h in history.excluded.get(fi, ()))))
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()[:24]


def _assemble(
    history: History,
    day: dt.date,
    parts: list[tuple[int, DayPart]],
    key: str,
    rescan: Rescan | None,
) -> AssembledDay:
    """One day from its trades: small parts carry theirs, big ones are read back."""
    trades: list[Trade] = []
    for fi, part in parts:
        if part.trades is not None:
            trades.extend(c.trade(day, fi) for c in part.trades)
        else:
            trades.extend(t for t, _ in history.file_day_trades(fi, day) if t.outcome != "open")
    trades.sort(key=sort_key)
    rr = [t.risk_reward for t in trades if t.risk_reward is not None]
    return AssembledDay(
        key=key,
        partial=from_trades(trades),
        outcomes=pack_outcomes(t.outcome for t in trades[-TAIL:]),
        risk_rewards=pack_decimals(rr[-TAIL:]),
        last_close=micros(trades[-1].when) if trades else None,
        modes=count_modes(trades),
    )


def _rescan(rescan: Rescan | None, dg: FileDigest) -> FileScan:
    if rescan is None:
        raise RuntimeError(f"{dg.name} must be read again, but no reader was given")
    return rescan(dg)
