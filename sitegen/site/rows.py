"""The trade table of a daily page, as HTML: one row per trade (sitegen.rows.Row).

A daily page lists thousands of trades; a Jinja2 loop over them was most of a cold
build. Rows are therefore made in plain Python, every text from the logs as
sitegen.site.text shows it: escaped, control characters as U+FFFD, cut when long, in
``<bdi>``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, NamedTuple

from markupsafe import Markup

import sitegen.site.fmt as fmt
from sitegen.partials import EXACT
from sitegen.site.text import esc

if TYPE_CHECKING:
    from sitegen.rows import Row


@functools.lru_cache(maxsize=4096)
def esc_name(text: str) -> str:
    """esc() of the short texts a table repeats on every row (symbols, sides,
    strategies), remembered: a day has thousands of rows and a few dozen names."""
    return esc(text)


@functools.lru_cache(maxsize=4096)
def bdi_name(text: str) -> str:
    """esc_name() isolated in ``<bdi>``, remembered as a whole."""
    return f"<bdi>{esc_name(text)}</bdi>"


# The table's numbers, as fmt.money / fmt.quantity / fmt.rounded write them, for the
# finite Decimals of a validated record: a row per trade, so without fmt's checks.


def money(value: Decimal, signed: bool = False) -> str:
    """fmt.money of a finite Decimal: exact, thousands separators, at least 2 places."""
    text = format(value, ",f")
    dot = text.find(".")
    if dot < 0:
        text += ".00"
    elif len(text) - dot == 2:
        text += "0"
    if not value:
        return text.removeprefix("-")
    return "+" + text if signed and value > 0 else text


def quantity(value: Decimal | None) -> str:
    """fmt.quantity of a finite Decimal (or None)."""
    return fmt.DASH if value is None else _quantity(value)


@functools.lru_cache(maxsize=4096)
def _quantity(value: Decimal) -> str:
    """Remembered: a table repeats a few quantities (and equal values have equal text:
    120 and 120.0 are both "120")."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return format(value.normalize(), ",f")


def rounded(value: Decimal, signed: bool = False) -> str:
    """fmt.rounded of a finite Decimal, to 2 places half-even."""
    number = value.quantize(fmt.CENT, rounding=ROUND_HALF_EVEN, context=EXACT)
    text = format(number, ",f")
    if not number:
        return text.removeprefix("-")
    return "+" + text if signed and number > 0 else text


def r_text(row: Row) -> str:
    """A trade's R for the table; a closed trade without a usable stop says so."""
    if row.r is not None:
        return rounded(row.r, signed=True)
    return fmt.DASH if row.outcome == "open" else "no stop"


def hold_text(seconds: Decimal | None) -> str:
    """A hold time as a trader reads it: 45s, 31m 02s, 5h 12m, 2d 4h."""
    if seconds is None or seconds < 0:
        return fmt.DASH
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h {s % 3600 // 60:02d}m"
    return f"{s // 86400}d {s % 86400 // 3600}h"


def clock(local: str | None, day: str) -> str:
    """A local time on the page of ``day``: HH:MM:SS, with its MM-DD when another day."""
    if local is None:
        return fmt.DASH
    return local[11:] if local.startswith(day) else f"{local[5:10]} {local[11:]}"


def row_html(row: Row, day: str) -> str:
    """One ``<tr>`` of the trade table of ``day`` (YYYY-MM-DD). Columns: entry, exit,
    symbol, side, quantity, price, stop, outcome, P&L, R, hold, exit reason, strategy,
    reasoning (styled by position in style.css; times and holds sort by data-sort)."""
    pnl = row.pnl
    if row.outcome == "open":
        pnl_text = fmt.DASH if pnl is None else money(pnl, signed=True) + " unreal."
        pnl_cls = "muted"
    else:
        assert pnl is not None
        pnl_text = money(pnl, signed=True)
        pnl_cls = "pos" if pnl > 0 else "neg" if pnl < 0 else "zero"
    why, exit_text = row.reasoning, row.exit_reason
    hold = "" if row.hold is None else f' data-sort="{row.hold}"'
    return (
        f'<tr><td data-sort="{row.entry}">{clock(row.entry, day)}</td>'
        f'<td data-sort="{row.exit or ""}">{clock(row.exit, day)}</td>'
        f'<th scope="row">{bdi_name(row.symbol)}</th>'
        f"<td>{bdi_name(row.side) if row.side else fmt.DASH}</td>"
        f"<td>{quantity(row.quantity)}</td>"
        f"<td>{fmt.DASH if row.price is None else money(row.price)}</td>"
        f"<td>{fmt.DASH if row.stop is None else money(row.stop)}</td>"
        f'<td class="out-{row.outcome}">{row.outcome}</td>'
        f'<td class="{pnl_cls}">{pnl_text}</td><td>{r_text(row)}</td>'
        f"<td{hold}>{hold_text(row.hold)}</td>"
        f"<td>{f'<bdi>{esc(exit_text)}</bdi>' if exit_text else ''}</td>"
        f"<td>{bdi_name(row.strategy)}</td>"
        f"<td>{f'<bdi>{esc(why)}</bdi>' if why else ''}</td></tr>\n"
    )


class DayTable(NamedTuple):
    """What a daily page shows of its trades: the rows, and the P&L of each closed trade
    in time order with its local HH:MM (for the equity chart)."""

    html: Markup
    count: int
    steps: tuple[Decimal, ...]
    labels: tuple[str, ...]


def day_table(rows: Sequence[Row], day: str) -> DayTable:
    """The table of ``day`` (YYYY-MM-DD) from its rows in time order."""
    closed = [row for row in rows if row.outcome != "open"]
    return DayTable(
        Markup("".join(row_html(row, day) for row in rows)),
        len(rows),
        tuple(row.pnl for row in closed),  # type: ignore[misc]
        tuple(row.time[:5] for row in closed),
    )
