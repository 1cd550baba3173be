"""What pages show of the returns when the account size is known (config
``starting_equity``; sitegen/returns.py computes them): the overview's table of monthly
returns, and the return beside a dollar figure. Pure: values in, small frozen values out.

The table is QuantStats' monthly returns heatmap as a table: a row per year, a column
per month and the year's total, each cell coloured by its sign and shaded by its size
(relative to the largest month, or the largest year for the totals); a "+" or "−" says
the sign without colour. A month's figure is its monthly summary's ``total_return``; a
year's is Π(1 + monthly) − 1 over its months (see returns.MonthlyReturns). Without
``starting_equity`` there is no table, and no page changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sitegen.site.fmt as fmt
from sitegen.returns import Figure, MonthlyReturns
from sitegen.site.charts import heat_class
from sitegen.site.paths import page_path

#: the column headings
MONTH_HEADS = tuple(name[:3] for name in fmt.MONTHS)
#: heat classes dark enough to need light text
DARK = frozenset({"h-p3", "h-p4", "h-n3", "h-n4"})

#: a dollar figure -> (the return shown beside it, the words after that return)
BESIDE = {
    "net_pnl": ("total_return", "total return"),
    "max_drawdown": ("max_drawdown_relative", "of the peak, end of day"),
}


@dataclass(frozen=True)
class ReturnCell:
    """One cell: its text ("+1.23%", "n/a", "" for a month without data), its classes
    (heat class, "dark" on a dark one, "na"), the reason of an n/a, and the month's page."""

    text: str
    cls: str = ""
    reason: str | None = None
    href: str | None = None


@dataclass(frozen=True)
class ReturnsRow:
    year: str
    months: tuple[ReturnCell, ...]  # January .. December
    total: ReturnCell


@dataclass(frozen=True)
class ReturnsTable:
    heads: tuple[str, ...]
    rows: tuple[ReturnsRow, ...]  # oldest year first, as QuantStats lists them
    reasons: tuple[str, ...] = ()  # why the n/a cells are n/a, each once


def _scale(figures: Iterable[Figure]) -> float:
    values = [abs(float(v)) for f in figures if (v := fmt.dec(f.value)) is not None]
    return max(values, default=0.0)


def _cell(found: Figure | None, scale: float, href: str | None = None) -> ReturnCell:
    if found is None:
        return ReturnCell("")
    value = fmt.dec(found.value)
    if value is None:
        return ReturnCell("n/a", "na", found.reason or "undefined", href)
    heat = heat_class(float(value), scale)
    cls = f"{heat} dark" if heat in DARK else heat
    return ReturnCell(fmt.percent(value, signed=True), cls, None, href)


def returns_table(
    monthly: MonthlyReturns | None, months_with_pages: Iterable[str] = ()
) -> ReturnsTable | None:
    """The overview's table of monthly returns; None without returns. A month links to
    its page when it has one."""
    if monthly is None or not monthly.months:
        return None
    pages = frozenset(months_with_pages)
    month_scale = _scale(monthly.months.values())
    year_scale = _scale(monthly.years.values())
    rows = []
    for year in sorted(monthly.years):
        cells = []
        for number in range(1, 13):
            month = f"{year}-{number:02d}"
            href = page_path("monthly", month) if month in pages else None
            cells.append(_cell(monthly.months.get(month), month_scale, href))
        rows.append(ReturnsRow(year, tuple(cells), _cell(monthly.years[year], year_scale)))
    reasons = dict.fromkeys(
        c.reason for row in rows for c in (*row.months, row.total) if c.reason is not None
    )
    return ReturnsTable(MONTH_HEADS, tuple(rows), tuple(reasons))


def return_note(summary: Mapping[str, Any], field: str) -> str | None:
    """The return said beside a dollar figure ("+1.23% total return" beside the net P&L,
    "-0.45% of the peak, end of day" beside the max drawdown), where the summary has it;
    else None."""
    other, words = BESIDE.get(field, ("", ""))
    value = fmt.dec(summary.get(other)) if other else None
    if value is None:
        return None
    return f"{fmt.percent(value, signed=field == 'net_pnl')} {words}"
