"""Scanned log files -> the trade history as per-day partials, and window summaries.

Identity resolution (same ``order_id`` = one trade, the latest record wins) and
attribution (a closed trade belongs to the local date of its exit) happen here.
Pure: takes scans and settings, returns values.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sitegen.alerts import DayClose
from sitegen.ingest import FileScan, Problem, Record, TradeRecord
from sitegen.metrics import TargetSpec, WindowContext, summarize
from sitegen.partials import ZERO, Partial, Trade, from_trades, merge, r_multiple
from sitegen.windows import (
    days_between,
    is_trading_day,
    local_date,
    missing_days,
    period_bounds,
    periods,
)

MAX_LISTED_PROBLEMS = 100


def order_key(value: str | int | None) -> str | None:
    """The identity of a record: its order_id as text; None (or "") means none."""
    if value is None or value == "":
        return None
    return str(value)


def to_trade(rec: Record, file_index: int, tz: ZoneInfo) -> Trade:
    """A valid record as a Trade attributed to its local date."""
    t = rec.trade
    if t.outcome == "open":
        when = rec.entry
        pnl = t.profit_loss
        missing, r = False, None
    else:
        when = rec.exit if rec.exit is not None else rec.entry
        pnl = t.net_profit_loss if t.net_profit_loss is not None else t.profit_loss
        missing = pnl is None
        if pnl is None:
            pnl = ZERO
        r = r_multiple(pnl, t.price, t.stop_loss, t.quantity)
    return Trade(
        day=local_date(when, tz),
        when=when,
        file=file_index,
        line=rec.line,
        outcome=t.outcome,
        pnl=pnl,
        symbol=t.symbol,
        strategy=t.strategy_name or "(none)",
        r=r,
        risk_reward=t.risk_reward_ratio if t.outcome != "open" else None,
        commission=t.commission if t.outcome != "open" else None,
        slippage=t.slippage if t.outcome != "open" else None,
        pnl_missing=missing,
    )


def sort_key(t: Trade) -> tuple:
    return (t.when, t.file, t.line)


@dataclass
class History:
    """Everything known about the logs, reduced to per-day partials."""

    timezone: str
    holidays: frozenset[dt.date]
    file_dates: tuple[dt.date, ...]
    days: dict[dt.date, Partial]  # local date -> partial of its trades in time order
    problems: dict[dt.date, list[Problem]] = field(default_factory=dict)  # by file date
    in_progress: dict[dt.date, list[tuple[str, int]]] = field(default_factory=dict)
    missing_pnl: dict[dt.date, list[tuple[str, int, str | None]]] = field(default_factory=dict)
    superseded: dict[dt.date, int] = field(default_factory=dict)  # by file date
    #: each local date's trades in time order, with the record they came from (for pages)
    trades: dict[dt.date, list[tuple[Trade, TradeRecord]]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.file_dates and not self.days

    @property
    def first(self) -> dt.date:
        return min([*self.file_dates[:1], *self.days])

    @property
    def last(self) -> dt.date:
        return max([*self.file_dates[-1:], *self.days])

    @property
    def missing(self) -> tuple[dt.date, ...]:
        return missing_days(self.file_dates, self.holidays)

    def periods(self, window: str) -> list[str]:
        """Every period of ``window`` with a summary: for daily, each trading day of the
        data range and each day with trades; for longer windows, each touching it."""
        if self.empty:
            return []
        if window == "daily":
            return [
                d.isoformat()
                for d in days_between(self.first, self.last)
                if d in self.days or is_trading_day(d, self.holidays)
            ]
        return periods(window, self.first, self.last)

    def latest_period(self, window: str) -> str | None:
        found = self.periods(window)
        return found[-1] if found else None

    def bounds(self, window: str, period: str) -> tuple[dt.date, dt.date]:
        if window == "all":
            return self.first, self.last
        return period_bounds(window, period)

    def partial(self, first: dt.date, last: dt.date) -> Partial:
        """The merged partial of the local dates ``first`` .. ``last``."""
        return merge_tree([p for d, p in sorted(self.days.items()) if first <= d <= last])

    def series_days(self, first: dt.date, last: dt.date, merged: Partial) -> list[dt.date]:
        """Dates of the daily P&L series of a window (SPEC §4 ``daily_pnl``)."""
        if self.empty:
            return []
        lo, hi = max(first, self.first), min(last, self.last)
        days = {d for d in days_between(lo, hi) if is_trading_day(d, self.holidays)}
        days.update(d for d in merged.daily if first <= d <= last)
        return sorted(days)

    def day_closes(self) -> list[DayClose]:
        """Each date's closed trades in order, for the rolling alert rules."""
        out = []
        for day in sorted(self.trades):
            closed = [t for t, _ in self.trades[day] if t.outcome != "open"]
            out.append(
                DayClose(
                    day=day,
                    outcomes=tuple(t.outcome for t in closed),
                    risk_rewards=tuple(t.risk_reward for t in closed if t.risk_reward is not None),
                    last_close=closed[-1].when if closed else None,
                )
            )
        return out

    def data_quality(self, first: dt.date, last: dt.date) -> dict:
        def inside(table: dict) -> list:
            return [item for d in sorted(table) if first <= d <= last for item in table[d]]

        problems = inside(self.problems)
        return {
            "skipped_lines": len(problems),
            "problems": [
                {"file": p.file, "line": p.line, "reason": p.reason}
                for p in problems[:MAX_LISTED_PROBLEMS]
            ],
            "in_progress": [{"file": f, "line": n} for f, n in inside(self.in_progress)],
            "missing_pnl": [
                {"file": f, "line": n, "order_id": oid} for f, n, oid in inside(self.missing_pnl)
            ],
            "superseded": sum(n for d, n in self.superseded.items() if first <= d <= last),
        }

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
        ctx = WindowContext(
            window=window,
            period=period,
            start=first,
            end=last,
            timezone=self.timezone,
            series_days=self.series_days(first, last, merged),
            missing_days=[d for d in self.missing if first <= d <= last],
            targets=targets,
            data_quality=self.data_quality(first, last),
            alerts=alerts,
        )
        return summarize(merged, ctx)


def merge_tree(parts: Sequence[Partial]) -> Partial:
    """Merge in order, pairwise, so a long history costs O(n log n), not O(n²)."""
    if not parts:
        return Partial()
    if len(parts) == 1:
        return parts[0]
    mid = len(parts) // 2
    return merge(merge_tree(parts[:mid]), merge_tree(parts[mid:]))


def build_history(
    scans: Iterable[FileScan], tz: ZoneInfo, timezone: str, holidays: frozenset[dt.date]
) -> History:
    """Resolve identities across all files, attribute trades to days, build day partials."""
    scans = sorted(scans, key=lambda s: s.name)
    latest: dict[str, tuple[int, int]] = {}
    for fi, scan in enumerate(scans):
        for ri, rec in enumerate(scan.records):
            key = order_key(rec.trade.order_id)
            if key is not None:
                latest[key] = (fi, ri)

    by_day: dict[dt.date, list[tuple[Trade, TradeRecord]]] = defaultdict(list)
    history = History(timezone, holidays, tuple(s.date for s in scans), {})
    for fi, scan in enumerate(scans):
        if scan.problems:
            history.problems.setdefault(scan.date, []).extend(scan.problems)
        if scan.in_progress_line is not None:
            history.in_progress.setdefault(scan.date, []).append((scan.name, scan.in_progress_line))
        dropped = 0
        for ri, rec in enumerate(scan.records):
            key = order_key(rec.trade.order_id)
            if key is not None and latest[key] != (fi, ri):
                dropped += 1
                continue
            trade = to_trade(rec, fi, tz)
            by_day[trade.day].append((trade, rec.trade))
            if trade.pnl_missing:
                history.missing_pnl.setdefault(trade.day, []).append((scan.name, rec.line, key))
        if dropped:
            history.superseded[scan.date] = dropped
    for day, pairs in by_day.items():
        pairs.sort(key=lambda pair: sort_key(pair[0]))
        history.trades[day] = pairs
        history.days[day] = from_trades([trade for trade, _ in pairs])
    return history
