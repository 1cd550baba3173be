"""The report-depth sections of a page: costs, R multiples, end-of-day drawdowns and
the breakdown grid. Pure: a summary dict in, small frozen values out; keys from the
logs come as text.log_html made them, the others as plain ``str``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from markupsafe import Markup

import sitegen.site.charts as charts
import sitegen.site.fmt as fmt
from sitegen.depth import BREAKDOWN_TITLES, R_LABELS, key_label
from sitegen.export import keys_from_logs
from sitegen.metrics import SMALL_SAMPLE
from sitegen.registry import BY_FIELD, END_OF_DAY, GRID, Kind, Sign
from sitegen.registry import Column as GridColumn
from sitegen.site.parts import Card, Cell, card, na
from sitegen.site.paths import key_path
from sitegen.site.text import log_html


@dataclass(frozen=True)
class Column:
    label: str
    anchor: str | None


@dataclass(frozen=True)
class GridRow:
    key: str  # Markup for a key from the logs
    closed: str
    small: bool  # fewer than SMALL_SAMPLE closed trades
    cells: tuple[Cell, ...]
    href: str | None = None  # the key's own page (symbols and strategies)


@dataclass(frozen=True)
class GridTable:
    id: str
    title: str
    key_label: str
    rows: tuple[GridRow, ...]


@dataclass(frozen=True)
class DrawdownRow:
    rank: int
    peak: Cell
    valley: Cell
    recovery: Cell | None  # None: not recovered
    depth: Cell
    days: str
    trades: str


@dataclass(frozen=True)
class Drawdowns:
    """The end-of-day drawdowns of a window; its labels name the curve, since a page
    also shows the trade-by-trade max drawdown, which can be deeper."""

    current: Cell
    current_text: str
    count: int
    rows: tuple[DrawdownRow, ...]
    title: ClassVar[str] = BY_FIELD["drawdowns"].label
    current_label: ClassVar[str] = BY_FIELD["current_drawdown"].label
    basis: ClassVar[str] = (
        f"{END_OF_DAY[0].upper()}{END_OF_DAY[1:]}: each day's closing balance. "
        f"{BY_FIELD['max_drawdown'].label} also counts falls within a day, so it can be "
        "deeper."
    )


@dataclass(frozen=True)
class RSection:
    cards: tuple[Card, ...]
    no_stop: int
    closed: int
    chart: Markup


@dataclass(frozen=True)
class Depth:
    """Everything the report-depth sections of one page need (``_depth.html``)."""

    timezone: str
    costs: tuple[Card, ...]
    r: RSection
    drawdowns: Drawdowns | None  # windows longer than a day
    columns: tuple[Column, ...]
    grid: tuple[GridTable, ...]  # empty for a daily page


# The grid's columns after the closed count (which carries the small-sample mark); each
# heading links to the window metric's definition, which the cells share. The columns
# that matter come first, so that a phone shows them next to the key and scrolls the rest.
_FIRST = ("win_rate", "net_pnl")
GRID_COLUMNS = tuple(c for f in _FIRST for c in GRID if c.field == f) + tuple(
    c for c in GRID if c.field not in ("trades_closed", *_FIRST)
)


def grid_cell(row: Mapping[str, Any], column: GridColumn) -> Cell:
    value = row.get(column.field)
    if value is None:
        return na((row.get("undefined_reasons") or {}).get(column.field))
    kind, signed = column.metric.kind, column.metric.sign is Sign.SIGNED
    if column.field == "win_rate":  # with its 95% interval, as every comparison shows
        interval = fmt.rate_interval(row.get("win_rate_low"), row.get("win_rate_high"))
        return Cell(fmt.percent(value), note=interval or None)
    if column.field == "expectancy":
        text = fmt.rounded(value, signed=True)
        interval = fmt.money_interval(row.get("expectancy_low"), row.get("expectancy_high"))
        return Cell(text, fmt.tone(text.replace(",", "")), note=interval or None)
    if kind is Kind.RATE:
        return Cell(fmt.percent(value))
    if kind is Kind.MONEY:
        return Cell(fmt.money(value, signed=signed), fmt.tone(value) if signed else "")
    text = fmt.rounded(value, signed=signed)
    # the colour follows the number shown: -0.004 reads "0.00", which is not a loss
    return Cell(text, fmt.tone(text.replace(",", "")) if signed else "")


#: the breakdowns whose keys have pages, and the kind of key each holds (site.paths)
KEY_PAGES = {"symbol": "symbol", "strategy": "strategy"}


def grid(summary: Mapping[str, Any], root: str = "") -> tuple[GridTable, ...]:
    """The breakdown grid's tables; a symbol or strategy links to its page."""
    tables = []
    for name, rows in (summary.get("breakdowns") or {}).items():
        title = BREAKDOWN_TITLES.get(name, name)
        tables.append(
            GridTable(
                id=f"h-by-{name.replace('_', '-')}",
                title=f"By {title[0].lower()}{title[1:]}",
                key_label=title,
                rows=tuple(
                    GridRow(
                        key=log_html(r["key"])
                        if keys_from_logs(name)
                        else key_label(name, str(r["key"])),
                        closed=f"{r['trades_closed']:,}",
                        small=r["trades_closed"] < SMALL_SAMPLE,
                        cells=tuple(grid_cell(r, column) for column in GRID_COLUMNS),
                        href=root + key_path(KEY_PAGES[name], str(r["key"]))
                        if name in KEY_PAGES
                        else None,
                    )
                    for r in rows
                ),
            )
        )
    return tuple(tables)


def _day(date: str | None, missing: str, root: str, day_pages: frozenset[str]) -> Cell:
    if date is None:
        return Cell(missing, "muted")
    href = f"{root}daily/{date}.html" if date in day_pages else None
    return Cell(date, href=href)


def drawdowns(summary: Mapping[str, Any], root: str, day_pages: frozenset[str]) -> Drawdowns | None:
    current = summary.get("current_drawdown")
    if current is None:
        return None
    if current.get("recovered", True):
        text = "Equity is at its peak: no drawdown now."
        cell = Cell(fmt.money(current["depth"]), "zero")
    else:
        peak = current.get("peak_day")
        since = f"the peak of {peak}" if peak else "the equity the window started with"
        days, trades = current["days"], current["trades"]
        text = (
            f"Not yet recovered: below {since} for {days} "
            f"day{'s' if days != 1 else ''} and {trades:,} closed trade"
            f"{'s' if trades != 1 else ''}."
        )
        cell = Cell(fmt.money(current["depth"], signed=True), "neg")
    rows = tuple(
        DrawdownRow(
            rank=i,
            peak=_day(r["peak_day"], "window start", root, day_pages),
            valley=_day(r["valley_day"], "—", root, day_pages),
            recovery=None
            if r["recovery_day"] is None
            else _day(r["recovery_day"], "", root, day_pages),
            depth=Cell(fmt.money(r["depth"], signed=True), fmt.tone(r["depth"])),
            days=f"{r['days']:,}",
            trades=f"{r['trades']:,}",
        )
        for i, r in enumerate(summary.get("drawdowns") or [], 1)
    )
    return Drawdowns(cell, text, int(summary.get("drawdown_count", len(rows))), rows)


def costs(summary: Mapping[str, Any]) -> tuple[Card, ...]:
    """Gross and net P&L side by side, then what the costs took."""
    comm, slip = summary.get("commission_total"), summary.get("slippage_total")
    return (
        card(summary, "gross_pnl", "before costs", label="Gross P&L"),
        card(summary, "net_pnl", "after costs"),
        card(
            summary,
            "costs_total",
            f"commission {fmt.money(comm)} · slippage {fmt.money(slip)}",
            label="Costs",
        ),
        card(summary, "costs_share", "of the winners' P&L"),
        card(summary, "commission_share"),
        card(summary, "slippage_share"),
    )


def r_section(summary: Mapping[str, Any]) -> RSection:
    buckets = summary.get("r_histogram") or []
    labels = [R_LABELS.get(b["key"], b["key"]) for b in buckets]
    counts = [int(b["trades"]) for b in buckets]
    negative = [b["high"] is not None and int(b["high"]) <= 0 for b in buckets]
    period = summary.get("period", "")
    chart = charts.histogram(counts, labels, f"R multiples, {period}", negative=negative)
    n, hits = summary.get("planned_rr_trades", 0), summary.get("planned_rr_reached", 0)
    cards = (
        card(summary, "avg_r_multiple", "average R per trade", label="Expectancy (R)"),
        card(summary, "sqn", f"{summary.get('r_trades', 0):,} trades with R"),
        card(summary, "avg_risk_reward", "risk_reward_ratio"),
        card(
            summary,
            "planned_rr_reached_rate",
            f"{hits:,} of {n:,} trades: R ≥ planned R:R",
            label="Planned R:R reached",
        ),
    )
    return RSection(
        cards=cards,
        no_stop=int(summary.get("no_stop_trades", 0)),
        closed=int(summary.get("trades_closed", 0)),
        chart=Markup(chart),
    )


def depth(summary: Mapping[str, Any], root: str, day_pages: Sequence[str] = ()) -> Depth:
    pages = frozenset(day_pages)
    return Depth(
        timezone=str(summary.get("timezone", "")),
        costs=costs(summary),
        r=r_section(summary),
        drawdowns=drawdowns(summary, root, pages),
        columns=tuple(Column(c.label, c.metric.field) for c in GRID_COLUMNS),
        grid=grid(summary, root),
    )
