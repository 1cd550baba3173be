"""Contexts of the site-wide pages: index, archive, alerts and definitions.

These are the pages that change with every new day; period pages stay put.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from markupsafe import Markup

import sitegen.site.charts as charts
import sitegen.site.fmt as fmt
from sitegen.registry import (
    BY_FIELD,
    DEFINED,
    END_OF_DAY,
    NOTES,
    RETURNS_DEFINITIONS,
    RETURNS_NOTE,
)
from sitegen.returns import MonthlyReturns
from sitegen.site.depth import Depth, depth
from sitegen.site.pages import period_title, short_label
from sitegen.site.parts import (
    BANNER_INCIDENTS,
    Card,
    Cell,
    IncidentItem,
    Layout,
    Link,
    card,
    incident_items,
    max_drawdown_card,
    metric_cell,
    target_rows,
    targets_met,
)
from sitegen.site.paths import data_path, page_path
from sitegen.site.returns import ReturnsTable, returns_table
from sitegen.windows import month_id, week_id

RECENT_WEEKS = 8
#: a glance card's figures of the returns, when the summary has them
RETURN_STATS = ("total_return", "max_drawdown_relative")


@dataclass(frozen=True)
class Glance:
    """The latest day, week or month in one card."""

    kind: str
    title: str
    link: Link
    net: Cell
    stats: tuple[tuple[str, Cell], ...]
    targets: str
    missed: tuple[str, ...]
    open_alerts: int
    alert_cls: str  # sev-critical when any open alert of the period is CRITICAL
    partial: bool


@dataclass(frozen=True)
class ArchiveRow:
    link: Link
    days: str
    net: Cell


@dataclass(frozen=True)
class MonthDays:
    title: str
    days: tuple[Link, ...]


@dataclass(frozen=True)
class IndexPage:
    layout: Layout
    empty: bool
    dates: str
    timezone: str
    glance: tuple[Glance, ...]
    #: the most severe and most recent open incidents (BANNER_INCIDENTS of them)
    open_incidents: tuple[IncidentItem, ...]
    open_count: int  # open incidents
    open_alerts: int  # their unacknowledged alerts
    cards: tuple[Card, ...]
    equity: Markup | None
    calendar: tuple[Markup, ...]
    months: tuple[ArchiveRow, ...]
    weeks: tuple[ArchiveRow, ...]
    more_weeks: int
    depth: Depth | None
    data_links: tuple[Link, ...]
    #: stretches of more than 31 days without data, "first to last (N days)"
    gaps: tuple[str, ...] = ()
    #: the monthly returns, when the account size is known (site/returns.py)
    returns: ReturnsTable | None = None


@dataclass(frozen=True)
class ArchivePage:
    layout: Layout
    months: tuple[ArchiveRow, ...]
    weeks: tuple[ArchiveRow, ...]
    days: tuple[MonthDays, ...]


@dataclass(frozen=True)
class AlertsPage:
    layout: Layout
    incidents: tuple[IncidentItem, ...]  # open ones first
    open: int
    acknowledged: int
    alerts: int


@dataclass(frozen=True)
class Definition:
    anchor: str
    label: str
    text: str


@dataclass(frozen=True)
class DefinitionsPage:
    layout: Layout
    timezone: str
    notes: tuple[str, ...]
    items: tuple[Definition, ...]


def glance(kind: str, summary: Mapping[str, Any]) -> Glance:
    window, period = summary["window"], summary["period"]
    met, total = targets_met(summary)
    missed = tuple(
        f"{row.label}: {row.actual.text} against {row.target}, short {row.gap}"
        for row in target_rows(summary)
        if row.status_cls == "missed"
    )
    # the max drawdown's label names its curve (trade by trade)
    stats = tuple(
        (BY_FIELD[field].label, metric_cell(summary, field))
        for field in ("trades_total", "win_rate", "profit_factor", "max_drawdown")
    )
    if "total_return" in summary:  # with starting_equity: the return beside the dollars
        stats = (*stats, *((BY_FIELD[f].label, metric_cell(summary, f)) for f in RETURN_STATS))
    opened = [a for a in summary.get("alerts") or [] if a.get("acknowledged_at") is None]
    critical = any(a.get("severity") == "CRITICAL" for a in opened)
    return Glance(
        kind=kind,
        title=period_title(window, period),
        link=Link(page_path(window, period), short_label(window, period)),
        net=metric_cell(summary, "net_pnl"),
        stats=stats,
        targets=f"{met} of {total} targets met" if total else "No targets with a value",
        missed=missed,
        open_alerts=len(opened),
        alert_cls="sev-critical" if critical else "sev-warn",
        partial=bool(summary.get("partial")),
    )


def _grouped(daily: Mapping[str, str], key) -> dict[str, tuple[int, Decimal]]:
    out: dict[str, tuple[int, Decimal]] = {}
    for day, value in daily.items():
        group = key(dt.date.fromisoformat(day))
        n, total = out.get(group, (0, Decimal(0)))
        out[group] = (n + 1, total + (fmt.dec(value) or Decimal(0)))
    return out


def archive_rows(
    window: str, periods: Sequence[str], daily: Mapping[str, str]
) -> tuple[ArchiveRow, ...]:
    """Newest first: each week or month with its trading days and net P&L (from the
    all-time daily series, so no other summary is needed)."""
    key = week_id if window == "weekly" else month_id
    groups = _grouped(daily, key)
    rows = []
    for period in reversed(periods):
        n, total = groups.get(period, (0, Decimal(0)))
        net = fmt.money(total, signed=True)
        rows.append(
            ArchiveRow(
                Link(page_path(window, period), period_title(window, period)),
                f"{n}",
                Cell(net, fmt.tone(total)),
            )
        )
    return tuple(rows)


def calendar(
    months: Sequence[str], daily: Mapping[str, str], day_pages: frozenset[str]
) -> tuple[Markup, ...]:
    values = {dt.date.fromisoformat(d): fmt.dec(v) or Decimal(0) for d, v in daily.items()}
    scale = float(max((abs(v) for v in values.values()), default=Decimal(0)))
    hrefs = {dt.date.fromisoformat(d): f"daily/{d}.html" for d in day_pages}
    out = []
    for month in months:
        year, number = (int(x) for x in month.split("-"))
        out.append(Markup(charts.calendar_month(year, number, values, scale, hrefs=hrefs)))
    return tuple(out)


def index_page(
    latest: Sequence[tuple[str, Mapping[str, Any]]],
    everything: Mapping[str, Any] | None,
    alerts: Sequence[Mapping[str, Any]],
    ordered: Mapping[str, Sequence[str]],
    timezone: str,
    *,
    monthly: MonthlyReturns | None = None,
) -> IndexPage:
    """``latest``: (label, summary) of the latest day, week and month; ``everything``:
    the all-time summary (None when there are no logs); ``monthly``: the monthly
    returns, when the account size is known."""
    pages = site_pages(ordered)
    opened = [i for i in incident_items(alerts, "", pages) if not i.acknowledged]
    listed = tuple(opened[:BANNER_INCIDENTS])
    open_alerts = sum(1 for a in alerts if a.get("acknowledged_at") is None)
    layout = Layout("Overview", "", "home")
    if everything is None:
        return IndexPage(
            layout,
            True,
            "",
            timezone,
            (),
            listed,
            len(opened),
            open_alerts,
            (),
            None,
            (),
            (),
            (),
            0,
            None,
            (),
        )
    daily = everything.get("daily_pnl") or {}
    dates = list(daily)
    values = [fmt.dec(v) for v in daily.values()]
    equity = charts.equity_drawdown(
        values, dates, "Equity and drawdown, whole history", basis=END_OF_DAY
    )
    weeks = archive_rows("weekly", ordered.get("weekly", ()), daily)
    cards = (
        card(everything, "net_pnl"),
        card(everything, "win_rate", f"{everything['trades_closed']:,} closed trades"),
        card(everything, "profit_factor"),
        card(everything, "sharpe", "daily, annualised", label="Sharpe"),
        max_drawdown_card(everything),
        card(everything, "expectancy", "per closed trade"),
    )
    return IndexPage(
        layout=layout,
        empty=False,
        dates=f"{everything['start']} to {everything['end']}",
        timezone=timezone,
        glance=tuple(glance(label, s) for label, s in latest),
        open_incidents=listed,
        open_count=len(opened),
        open_alerts=open_alerts,
        cards=cards,
        equity=Markup(equity),
        calendar=calendar(ordered.get("monthly", ()), daily, frozenset(ordered.get("daily", ()))),
        months=archive_rows("monthly", ordered.get("monthly", ()), daily),
        weeks=weeks[:RECENT_WEEKS],
        more_weeks=max(0, len(weeks) - RECENT_WEEKS),
        depth=depth(everything, "", ordered.get("daily", ())),
        data_links=(
            Link(data_path("all", "all", "json"), "All-time JSON"),
            Link(data_path("all", "all", "md"), "All-time Markdown"),
        ),
        gaps=tuple(
            f"{g['first']} to {g['last']} ({g['days']} days)"
            for g in (everything.get("data_quality") or {}).get("gaps") or ()
        ),
        returns=returns_table(monthly, ordered.get("monthly", ())),
    )


def archive_page(ordered: Mapping[str, Sequence[str]], daily: Mapping[str, str]) -> ArchivePage:
    by_month: dict[str, list[Link]] = {}
    for day in ordered.get("daily", ()):
        by_month.setdefault(day[:7], []).append(
            Link(page_path("daily", day), short_label("daily", day))
        )
    return ArchivePage(
        layout=Layout("Archive", "", "archive"),
        months=archive_rows("monthly", ordered.get("monthly", ()), daily),
        weeks=archive_rows("weekly", ordered.get("weekly", ()), daily),
        days=tuple(
            MonthDays(period_title("monthly", m), tuple(links))
            for m, links in sorted(by_month.items(), reverse=True)
        ),
    )


def alerts_page(
    alerts: Sequence[Mapping[str, Any]], ordered: Mapping[str, Sequence[str]]
) -> AlertsPage:
    items = incident_items(alerts, "", site_pages(ordered))
    opened = sum(1 for i in items if not i.acknowledged)
    return AlertsPage(
        layout=Layout("Alerts", "", "alerts"),
        incidents=items,
        open=opened,
        acknowledged=len(items) - opened,
        alerts=len(alerts),
    )


def definitions_page(timezone: str, *, returns: bool = False) -> DefinitionsPage:
    """Every metric's definition, with the notes on how trades count; ``timezone`` is
    the configured zone the notes name. The returns (``returns``: the account size is
    known) are defined only where the summaries have them."""
    notes = (*NOTES, RETURNS_NOTE) if returns else NOTES
    return DefinitionsPage(
        layout=Layout("Definitions", "", "definitions"),
        timezone=timezone,
        notes=tuple(note.replace("{timezone}", timezone) for note in notes),
        items=tuple(
            Definition(
                m.field,
                m.label,
                RETURNS_DEFINITIONS.get(m.field, m.definition) if returns else m.definition,
            )
            for m in DEFINED
            if returns or not m.returns
        ),
    )


def site_pages(ordered: Mapping[str, Sequence[str]]) -> frozenset[str]:
    """Paths of every period page the site has."""
    return frozenset(
        page_path(window, period)
        for window in ("daily", "weekly", "monthly")
        for period in ordered.get(window, ())
    )
