"""The drill-down pages: ``symbols/<key>.html`` and ``strategies/<key>.html`` (names
from paths.key_name). Each shows its key's all-time figures with their intervals (its
row of the all-time summary's breakdown grid), its end-of-day equity and drawdown, a
table of its months, and its latest closed trades, each linking to its day.

Pure: the key's row, its series (sitegen.drill) and its latest rows in, a frozen page
context out. A page depends on its key's own days only, never on the latest day of the
data, so a new day changes only the pages of the keys it trades.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

import sitegen.site.charts as charts
import sitegen.site.fmt as fmt
from sitegen.metrics import SMALL_SAMPLE
from sitegen.registry import END_OF_DAY
from sitegen.site.depth import GRID_COLUMNS, grid_cell
from sitegen.site.parts import Card, Cell, Layout, Link
from sitegen.site.paths import key_name, key_path, page_path, plain_key, root_of
from sitegen.site.returns import DARK, MONTH_HEADS, ReturnCell, ReturnsRow, ReturnsTable
from sitegen.site.rows import row_html
from sitegen.site.text import log_html

if TYPE_CHECKING:
    from sitegen.drill import KeySeries
    from sitegen.rows import Row

#: how a kind of key is named on its page
KIND_NAMES = {"symbol": "Symbol", "strategy": "Strategy"}


@dataclass(frozen=True)
class KeyPage:
    """Everything ``key.html`` shows."""

    layout: Layout
    kind: str  # Symbol | Strategy
    key: Markup  # text from the logs (text.log_html)
    crumbs: tuple[Link, ...]
    dates: str  # "2025-09-01 to 2025-10-31": its first and last day with closed trades
    timezone: str
    closed: int
    small: bool  # fewer than SMALL_SAMPLE closed trades
    cards: tuple[Card, ...]
    chart: Markup
    months: ReturnsTable
    trades: Markup  # the latest closed trades' rows, newest first
    shown: int  # how many of them
    latest: int  # the most a page lists


def _figure_cards(row: Mapping[str, Any] | None, drawdown: Decimal) -> tuple[Card, ...]:
    """The key's all-time figures: its closed trades, the grid's columns of its row (an
    interval in the card's detail line), and its deepest end-of-day drawdown."""
    if row is None:  # (every key with closed trades has a row)
        row = {}
    wins, losses, closed = row.get("wins", 0), row.get("losses", 0), row.get("trades_closed", 0)
    cards = [
        Card(
            "Closed trades",
            "trades_closed",
            Cell(f"{closed:,}"),
            f"{wins:,}W · {losses:,}L · {closed - wins - losses:,}B",
        )
    ]
    for column in GRID_COLUMNS:
        value = grid_cell(row, column)
        detail = f"95%: {value.note}" if value.note else ""
        cards.append(Card(column.label, column.metric.field, replace(value, note=None), detail))
    cards.append(
        Card(
            "Max drawdown",
            "drawdowns",
            Cell(fmt.money(drawdown, signed=True), fmt.tone(drawdown)),
            END_OF_DAY,
        )
    )
    return tuple(cards)


def month_table(months: Mapping[str, tuple[int, int, Decimal]], root: str) -> ReturnsTable:
    """A row per year, a column per month and the year's total: net P&L, coloured by sign
    and shaded by size (as the overview's monthly returns); each month links to its
    page (a month with trades always has one), and says its closed trades and win rate
    on hover."""
    month_scale = max((abs(float(net)) for _, _, net in months.values()), default=0.0)
    years: dict[str, list[Decimal]] = {}
    for month, (_, _, net) in months.items():
        years.setdefault(month[:4], []).append(net)
    totals = {year: sum(nets, Decimal(0)) for year, nets in years.items()}
    year_scale = max((abs(float(v)) for v in totals.values()), default=0.0)

    def cell(net: Decimal, scale: float, href: str | None = None, reason: str | None = None):
        heat = charts.heat_class(float(net), scale)
        cls = f"{heat} dark" if heat in DARK else heat
        return ReturnCell(fmt.money(net, signed=True), cls, reason, href)

    rows = []
    for year in sorted(years):
        cells = []
        for number in range(1, 13):
            month = f"{year}-{number:02d}"
            found = months.get(month)
            if found is None:
                cells.append(ReturnCell(""))
                continue
            closed, wins, net = found
            href = root + page_path("monthly", month)
            rate = fmt.percent(Decimal(wins) / closed)
            cells.append(cell(net, month_scale, href, f"{closed:,} closed, {rate} won"))
        rows.append(ReturnsRow(year, tuple(cells), cell(totals[year], year_scale)))
    return ReturnsTable(MONTH_HEADS, tuple(rows))


def trade_rows(rows: Sequence[tuple[dt.date, Row]], root: str) -> Markup:
    """The latest trades' table rows: the day (linking to its page), then the columns
    of a daily page's trade table (sitegen.site.rows)."""
    out = []
    for day, row in rows:
        text = day.isoformat()
        cell = f'<td data-sort="{text}"><a href="{root}daily/{text}.html">{text}</a></td>'
        out.append(row_html(row, text).replace("<tr>", "<tr>" + cell, 1))
    return Markup("".join(out))


def _title_name(series: KeySeries) -> str:
    """The key as the page's title names it: a title cannot isolate text from the logs
    (no ``<bdi>`` there), so a key that is not plain goes by its file name's digest."""
    if plain_key(series.kind, series.key):
        return series.key
    return "#" + key_name(series.kind, series.key).rsplit("~", 1)[1][:8]


def key_page(
    series: KeySeries,
    row: Mapping[str, Any] | None,
    rows: Sequence[tuple[dt.date, Row]],
    timezone: str,
    latest: int,
) -> KeyPage:
    """The page of one symbol or strategy. ``row``: its row of the all-time summary's
    breakdown grid; ``rows``: its latest closed trades, newest first, with their days
    (each day has a page: a day with trades is in the data range)."""
    path = key_path(series.kind, series.key)
    root = root_of(path)
    kind = KIND_NAMES[series.kind]
    equity = series.equity()
    drawdown = min((dd for _, _, dd in equity), default=Decimal(0))
    labels = [day.isoformat() for day, _, _ in equity]
    steps = [d.net for d in series.days]
    # no log text inside the SVG (it cannot isolate it): the page's heading names the key
    svg = charts.equity_drawdown(steps, labels, "Equity and drawdown", basis=END_OF_DAY)
    first = series.days[0].day.isoformat() if series.days else ""
    last = series.days[-1].day.isoformat() if series.days else ""
    closed = series.closed
    return KeyPage(
        layout=Layout(f"{kind} {_title_name(series)}", root, "keys"),
        kind=kind,
        key=log_html(series.key),
        crumbs=(Link(f"{root}index.html", "Home"),),
        dates=first if first == last else f"{first} to {last}",
        timezone=timezone,
        closed=closed,
        small=closed < SMALL_SAMPLE,
        cards=_figure_cards(row, drawdown),
        chart=Markup(svg),
        months=month_table(series.months(), root),
        trades=trade_rows(rows, root),
        shown=len(rows),
        latest=latest,
    )
