"""The context of a daily, weekly or monthly page.

A period page depends only on its own summary and trades plus the ids of its
neighbours (previous/next period, its week and month, the days and weeks inside
it), so adding a day changes only a handful of pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from markupsafe import Markup

import sitegen.site.charts as charts
import sitegen.site.fmt as fmt
from sitegen.registry import END_OF_DAY, TRADE_BY_TRADE
from sitegen.site.depth import Depth, depth
from sitegen.site.parts import (
    Banner,
    BreakdownRow,
    Card,
    Cell,
    Layout,
    Link,
    MetricGroup,
    TargetRow,
    banner,
    breakdown,
    headline,
    metric_groups,
    target_rows,
)
from sitegen.site.paths import data_path, page_path, root_of
from sitegen.site.rows import DayTable
from sitegen.site.text import esc, log_html
from sitegen.windows import month_id, period_bounds, week_id

_MONTHS, _DAYS = fmt.MONTHS, fmt.WEEKDAYS


def period_title(window: str, period: str) -> str:
    """'Friday 10 October 2025', 'Week 41, 2025', 'October 2025'."""
    if window == "daily":
        day = dt.date.fromisoformat(period)
        return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"
    if window == "weekly":
        year, week = period.split("-W")
        return f"Week {int(week)}, {year}"
    if window == "monthly":
        year, month = period.split("-")
        return f"{_MONTHS[int(month) - 1]} {year}"
    return "All time"


def short_label(window: str, period: str) -> str:
    """Compact navigation text: 'Thu 9 Oct', 'W41 2025', 'Oct 2025'."""
    if window == "daily":
        day = dt.date.fromisoformat(period)
        return f"{_DAYS[day.weekday()][:3]} {day.day} {_MONTHS[day.month - 1][:3]}"
    if window == "weekly":
        year, week = period.split("-W")
        return f"W{week} {year}"
    year, month = period.split("-")
    return f"{_MONTHS[int(month) - 1][:3]} {year}"


@dataclass(frozen=True)
class Notice:
    cls: str  # info | warn
    title: str
    text: str


@dataclass(frozen=True)
class Chart:
    heading: str
    svg: Markup


@dataclass(frozen=True)
class DayRow:
    link: Link
    trades: str
    win_rate: str
    net: Cell


@dataclass(frozen=True)
class Quality:
    """The data-quality lists, each line ready for a page: file names, reasons quoting
    a line and order ids are text from the logs."""

    skipped: int
    superseded: int
    problems: tuple[Markup, ...]
    unlisted: int
    in_progress: tuple[Markup, ...]
    missing_pnl: tuple[Markup, ...]
    gaps: tuple[str, ...] = ()
    #: records of the modes not analysed: "<mode> <count>", the mode isolated as log text
    excluded: tuple[Markup, ...] = ()

    @property
    def clean(self) -> bool:
        return not (
            self.problems or self.in_progress or self.missing_pnl or self.unlisted or self.gaps
        )


@dataclass(frozen=True)
class PeriodPage:
    layout: Layout
    window: str
    period: str
    heading: str
    kind: str  # Day | Week | Month
    dates: str
    timezone: str
    crumbs: tuple[Link, ...]
    prev: Link | None
    next: Link | None
    banner: Banner | None
    notices: tuple[Notice, ...]
    cards: tuple[Card, ...]
    targets: tuple[TargetRow, ...]
    groups: tuple[MetricGroup, ...]
    by_symbol: tuple[BreakdownRow, ...]
    by_strategy: tuple[BreakdownRow, ...]
    depth: Depth
    charts: tuple[Chart, ...]
    days: tuple[DayRow, ...]
    weeks: tuple[Link, ...]
    trades: Markup  # the rows of the trade table (see rows.py)
    trade_count: int
    data_links: tuple[Link, ...]
    quality: Quality


@dataclass(frozen=True)
class Neighbours:
    """The ids a period page may depend on besides its own period."""

    prev: str | None
    next: str | None
    week: str | None  # for a day
    month: str | None  # for a day or a week
    days: tuple[str, ...] = ()  # for a week or month: its days that have pages
    weeks: tuple[str, ...] = ()  # for a month: the weeks touching it


def neighbours(window: str, period: str, ordered: Mapping[str, Sequence[str]]) -> Neighbours:
    """Previous/next of the same window and the enclosing/enclosed periods that exist.

    ``ordered`` maps each window to its periods in order (``History.periods``).
    """
    mine = ordered[window]
    index = {p: i for i, p in enumerate(mine)}.get(period)
    prev = mine[index - 1] if index is not None and index > 0 else None
    nxt = mine[index + 1] if index is not None and index + 1 < len(mine) else None
    first, last = period_bounds(window, period)
    weeks, months = set(ordered.get("weekly", ())), set(ordered.get("monthly", ()))
    week = month = None
    if window == "daily":
        week = week_id(first) if week_id(first) in weeks else None
        month = month_id(first) if month_id(first) in months else None
    elif window == "weekly":
        # the month holding the week's Thursday (ISO convention), else one that exists
        for day in (first + dt.timedelta(days=3), first, last):
            if month_id(day) in months:
                month = month_id(day)
                break
    lo, hi = first.isoformat(), last.isoformat()
    days = tuple(d for d in ordered.get("daily", ()) if lo <= d <= hi) if window != "daily" else ()
    inner = ()
    if window == "monthly":
        seen = dict.fromkeys(week_id(dt.date.fromisoformat(d)) for d in days)
        inner = tuple(w for w in seen if w in weeks)
    return Neighbours(prev, nxt, week, month, days, inner)


def notices(summary: Mapping[str, Any]) -> tuple[Notice, ...]:
    out = []
    if summary.get("note"):
        out.append(Notice("info", "No trades", str(summary["note"])))
    if summary.get("partial"):
        parts = []
        missing = summary.get("missing_days") or []
        if missing:
            parts.append("missing log files for " + ", ".join(missing))
        skipped = (summary.get("data_quality") or {}).get("skipped_lines", 0)
        if skipped:
            parts.append(f"{skipped} skipped line{'s' if skipped != 1 else ''} (see Data quality)")
        text = "; ".join(parts) or "missing days or skipped lines"
        out.append(Notice("warn", "Partial data", text[0].upper() + text[1:] + "."))
    if summary.get("small_sample") and summary.get("trades_total"):
        n = summary.get("trades_closed", 0)
        out.append(
            Notice(
                "info",
                "Small sample",
                f"{n} closed trade{'s' if n != 1 else ''} (fewer than 30): "
                "read the ratios with care.",
            )
        )
    return tuple(out)


def _report(file: str, line: int | None, reason: str | None = None) -> Markup:
    """``file:line: reason`` isolated as one piece of log text (each part cut when long)."""
    text = esc(str(file)) if line is None else f"{esc(str(file))}:{esc(str(line))}"
    if reason is not None:
        text += f": {esc(str(reason))}"
    return Markup(f"<bdi>{text}</bdi>")


def quality(summary: Mapping[str, Any]) -> Quality:
    dq = summary.get("data_quality") or {}
    problems = dq.get("problems") or []
    listed = sum(1 for p in problems if p.get("line") != 0)
    total = dq.get("skipped_lines", 0)
    return Quality(
        skipped=total,
        superseded=dq.get("superseded", 0),
        problems=tuple(
            _report(p["file"], p["line"], p["reason"])
            if p.get("line")
            else _report(p["file"], None, p["reason"])
            for p in problems
        ),
        unlisted=max(0, total - listed) if isinstance(total, int) else 0,
        in_progress=tuple(_report(p["file"], p["line"]) for p in dq.get("in_progress") or []),
        missing_pnl=tuple(
            Markup("{} (order {})").format(
                _report(p["file"], p["line"]), log_html(p.get("order_id")) or "none"
            )
            for p in dq.get("missing_pnl") or []
        ),
        gaps=tuple(f"{g['first']} to {g['last']} ({g['days']} days)" for g in dq.get("gaps") or []),
        excluded=tuple(
            Markup("{} {}").format(log_html(mode), n)
            for mode, n in (dq.get("excluded_by_mode") or {}).items()
        ),
    )


def period_charts(
    summary: Mapping[str, Any],
    table: DayTable | None,
    root: str,
    day_pages: frozenset[str],
) -> tuple[Chart, ...]:
    window, period = summary["window"], summary["period"]
    if window == "daily":
        steps, labels = (table.steps, table.labels) if table else ((), ())
        svg = charts.equity_drawdown(
            steps, labels, f"Equity and drawdown, {period}", basis=TRADE_BY_TRADE
        )
        heading = f"Equity and drawdown ({TRADE_BY_TRADE}: closed trades in time order)"
        return (Chart(heading, Markup(svg)),)
    daily = summary.get("daily_pnl") or {}
    dates = list(daily)
    labels = [d[5:] for d in dates]
    values = [fmt.dec(v) for v in daily.values()]
    equity = charts.equity_drawdown(
        values, labels, f"Equity and drawdown, {period}", basis=END_OF_DAY
    )
    hrefs = [f"{root}daily/{d}.html" if d in day_pages else None for d in dates]
    bars = charts.bar_chart(values, labels, f"Daily P&L, {period}", hrefs=hrefs)
    return (
        Chart(f"Equity and drawdown ({END_OF_DAY}: each day's closing balance)", Markup(equity)),
        Chart("Daily P&L", Markup(bars)),
    )


class DayStats(NamedTuple):
    """What a week's or month's list of days shows of each day."""

    trades: int
    closed: int
    wins: int


def day_rows(
    days: Sequence[str],
    stats: Mapping[dt.date, DayStats],
    daily_pnl: Mapping[str, str],
    root: str,
) -> tuple[DayRow, ...]:
    rows = []
    for day in days:
        found = stats.get(dt.date.fromisoformat(day))
        trades = found.trades if found else 0
        closed = found.closed if found else 0
        rate = fmt.percent(fmt.dec(found.wins) / closed) if found and closed else fmt.DASH
        net = daily_pnl.get(day, "0")
        rows.append(
            DayRow(
                link=Link(f"{root}daily/{day}.html", short_label("daily", day)),
                trades=f"{trades:,}",
                win_rate=rate,
                net=Cell(fmt.money(net, signed=True), fmt.tone(net)),
            )
        )
    return tuple(rows)


def period_page(
    summary: Mapping[str, Any],
    near: Neighbours,
    table: DayTable | None,
    stats: Mapping[dt.date, DayStats],
    tz: ZoneInfo,
) -> PeriodPage:
    """The whole context of one daily, weekly or monthly page."""
    window, period = summary["window"], summary["period"]
    path = page_path(window, period)
    root = root_of(path)
    kind = {"daily": "Day", "weekly": "Week", "monthly": "Month"}[window]
    crumbs = [Link(f"{root}index.html", "Home")]
    if near.month:
        crumbs.append(Link(f"{root}monthly/{near.month}.html", short_label("monthly", near.month)))
    if near.week:
        crumbs.append(Link(f"{root}weekly/{near.week}.html", short_label("weekly", near.week)))

    def nav(other: str | None) -> Link | None:
        return (
            Link(f"{root}{page_path(window, other)}", short_label(window, other)) if other else None
        )

    heading = period_title(window, period)
    start, end = summary["start"], summary["end"]
    day_pages = frozenset(near.days)
    return PeriodPage(
        layout=Layout(f"{kind} {period}", root, "period"),
        window=window,
        period=period,
        heading=heading,
        kind=kind,
        dates=start if start == end else f"{start} to {end}",
        timezone=str(summary.get("timezone", "")),
        crumbs=tuple(crumbs),
        prev=nav(near.prev),
        next=nav(near.next),
        banner=banner(summary.get("alerts") or [], root),
        notices=notices(summary),
        cards=headline(summary),
        targets=target_rows(summary),
        groups=metric_groups(summary, root),
        by_symbol=breakdown(summary.get("by_symbol") or [], root, "symbol"),
        by_strategy=breakdown(summary.get("by_strategy") or [], root, "strategy"),
        depth=depth(summary, root, near.days),
        charts=period_charts(summary, table, root, day_pages),
        days=day_rows(near.days, stats, summary.get("daily_pnl") or {}, root),
        weeks=tuple(Link(f"{root}weekly/{w}.html", short_label("weekly", w)) for w in near.weeks),
        trades=table.html if table is not None else Markup(),
        trade_count=table.count if table is not None else 0,
        data_links=(
            Link(root + data_path(window, period, "json"), "JSON"),
            Link(root + data_path(window, period, "md"), "Markdown"),
        ),
        quality=quality(summary),
    )
