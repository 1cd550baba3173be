"""Report depth: the breakdown grid, the R histogram and end-of-day drawdowns.

Pure: merged partials and the window's daily series in, JSON-ready values out.
metrics.summarize puts these into a window summary; their definitions are in
sitegen/registry.py with the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import NamedTuple

from sitegen import stats
from sitegen.partials import EXACT, HOLD_KEYS, R_EDGES, WEEKDAYS, ZERO, Cell, Partial

#: how many drawdowns a summary lists (the deepest)
DRAWDOWN_ROWS = 5

#: how pages and Markdown name each breakdown and each hold-time bucket
BREAKDOWN_TITLES = {
    "symbol": "Symbol",
    "strategy": "Strategy",
    "side": "Side",
    "entry_hour": "Entry hour",
    "entry_weekday": "Entry weekday",
    "hold_time": "Hold time",
    "exit_reason": "Exit reason",
}
HOLD_LABELS = {
    "<5m": "under 5 min",
    "5m-30m": "5–30 min",
    "30m-2h": "30 min–2 h",
    "2h-1d": "2 h–1 day",
    ">=1d": "1 day or more",
    "unknown": "unknown",
}
R_LABELS = {
    "<=-2": "R ≤ −2",
    "(-2,-1]": "−2 < R ≤ −1",
    "(-1,0]": "−1 < R ≤ 0",
    "(0,1]": "0 < R ≤ 1",
    "(1,2]": "1 < R ≤ 2",
    "(2,3]": "2 < R ≤ 3",
    ">3": "R > 3",
}


def key_label(breakdown: str, key: str) -> str:
    """How a breakdown key reads: '09:00' for an hour, '< 5 min' for a hold bucket;
    other keys (from the logs) as they are."""
    if breakdown == "entry_hour":
        return f"{key}:00"
    if breakdown == "hold_time":
        return HOLD_LABELS.get(key, key)
    return key


Number = Callable[[Decimal], str]


def share_reason(gross_profit: Decimal) -> str | None:
    """Why a share of gross profit is undefined, or None when it is defined."""
    if gross_profit > 0:
        return None
    return "gross profit is 0" if not gross_profit else "gross profit is negative"


def profit_factor_reason(losses: int) -> str:
    return "no losing trades" if not losses else "gross loss is 0"


# --- the breakdown grid ------------------------------------------------------------


def win_rate_interval(
    cell: Cell, quotient: Number, why: dict[str, str]
) -> tuple[str | None, str | None]:
    """The Wilson 95% interval of a cell's win rate, rounded; (None, None) with the
    reason in ``why`` when the cell has no closed trades."""
    bounds = stats.wilson(cell[1], cell[0])
    if bounds is None:
        why["win_rate_low"] = why["win_rate_high"] = stats.NO_TRADES
        return None, None
    return quotient(bounds[0]), quotient(bounds[1])


def expectancy_interval(
    cell: Cell, quotient: Number, why: dict[str, str]
) -> tuple[str | None, str | None]:
    """The 95% t interval of a cell's expectancy (mean P&L per closed trade), rounded;
    (None, None) with the reason in ``why`` when n < 2 or the P&L has no spread."""
    bounds, reason = stats.mean_interval(cell[0], cell[3], cell[10])
    if bounds is None:
        why["expectancy_low"] = why["expectancy_high"] = reason or "undefined"
        return None, None
    return quotient(bounds[0]), quotient(bounds[1])


def cell_row(key: str, cell: Cell, money: Number, quotient: Number) -> dict:
    """One breakdown cell: counts, rates and sums of the closed trades under ``key``."""
    closed, wins, losses, net, gp, gl, r_n, r_sum, comm, slip = cell[:10]
    why: dict[str, str] = {}
    costs = EXACT.add(comm, slip)
    div = EXACT.divide
    if gl:
        pf = quotient(div(gp, abs(gl)))
    else:
        pf = None
        why["profit_factor"] = profit_factor_reason(losses)
    if r_n:
        avg_r = quotient(div(r_sum, Decimal(r_n)))
    else:
        avg_r = None
        why["avg_r_multiple"] = "no closed trades with a usable stop"
    reason = share_reason(gp)
    if reason is None:
        share = quotient(div(costs, gp))
    else:
        share = None
        why["costs_share"] = reason
    win_low, win_high = win_rate_interval(cell, quotient, why)
    exp_low, exp_high = expectancy_interval(cell, quotient, why)
    return {
        "key": key,
        "trades_closed": closed,
        "wins": wins,
        "losses": losses,
        "win_rate": quotient(div(Decimal(wins), Decimal(closed))),
        "win_rate_low": win_low,
        "win_rate_high": win_high,
        "profit_factor": pf,
        "expectancy": quotient(div(net, Decimal(closed))),
        "expectancy_low": exp_low,
        "expectancy_high": exp_high,
        "net_pnl": money(net),
        "gross_profit": money(gp),
        "gross_loss": money(gl),
        "avg_r_multiple": avg_r,
        "r_trades": r_n,
        "commission": money(comm),
        "slippage": money(slip),
        "costs": money(costs),
        "costs_share": share,
        "undefined_reasons": why,
    }


def _by_net(rows: list[dict], cells: Mapping[str, Cell]) -> list[dict]:
    rows.sort(key=lambda row: (-cells[row["key"]][3], row["key"]))
    return rows


def _in_order(order: Sequence[str]) -> Callable[[list[dict], Mapping[str, Cell]], list[dict]]:
    rank = {key: i for i, key in enumerate(order)}

    def sort(rows: list[dict], _cells: Mapping[str, Cell]) -> list[dict]:
        rows.sort(key=lambda row: (rank.get(row["key"], len(rank)), row["key"]))
        return rows

    return sort


#: (JSON name, Partial field, row order) of each breakdown, in the order they are shown
BREAKDOWNS = (
    ("symbol", "by_symbol", _by_net),
    ("strategy", "by_strategy", _by_net),
    ("side", "by_side", _by_net),
    ("entry_hour", "by_hour", _in_order([f"{h:02d}" for h in range(24)])),
    ("entry_weekday", "by_weekday", _in_order(WEEKDAYS)),
    ("hold_time", "by_hold", _in_order(HOLD_KEYS)),
    ("exit_reason", "by_exit", _by_net),
)


def breakdowns(p: Partial, money: Number, quotient: Number) -> dict[str, list[dict]]:
    """Every breakdown of the window: keys with closed trades only. Symbol, strategy
    and side rows are sorted by net P&L descending, then key; hour, weekday and
    hold-time rows in their natural order."""
    out = {}
    for name, attr, sort in BREAKDOWNS:
        cells: dict[str, Cell] = getattr(p, attr)
        rows = [cell_row(k, c, money, quotient) for k, c in cells.items() if c[0]]
        out[name] = sort(rows, cells)
    return out


# --- R histogram -------------------------------------------------------------------


def r_histogram(counts: Sequence[int]) -> list[dict]:
    """Closed trades with R per bucket: ``low < R <= high`` (no low: R <= high; no high:
    R > low)."""
    lows: list[Decimal | None] = [None, *R_EDGES]
    highs: list[Decimal | None] = [*R_EDGES, None]
    out = []
    for low, high, n in zip(lows, highs, counts, strict=True):
        if low is None:
            key = f"<={high}"
        elif high is None:
            key = f">{low}"
        else:
            key = f"({low},{high}]"
        out.append(
            {
                "key": key,
                "low": None if low is None else str(low),
                "high": None if high is None else str(high),
                "trades": n,
            }
        )
    return out


# --- drawdowns on end-of-day equity ------------------------------------------------


class Drawdown(NamedTuple):
    """One stretch below a previous end-of-day equity peak, as indexes into the series.

    ``peak`` is -1 when the peak is the window's starting equity of 0 (a loss on its
    first day); ``recovery`` is None when equity never got back to the peak.
    """

    peak: int
    start: int
    valley: int
    recovery: int | None
    depth: Decimal  # valley equity − peak equity (< 0)

    def end(self, n: int) -> int:
        """The last day of the drawdown: its recovery day, else the series' last day."""
        return n - 1 if self.recovery is None else self.recovery


def drawdowns_of(values: Sequence[Decimal]) -> tuple[list[Drawdown], Decimal, int]:
    """Every drawdown of the end-of-day equity curve of ``values`` (daily P&L), the
    current drawdown (last equity − running peak, ≤ 0) and the index of the running
    peak's day (-1: the starting equity).

    Equity starts at 0 before the first day; the running peak starts at 0 too. A day
    whose equity is ≥ the peak sets a new peak (and so ends any drawdown: that is its
    recovery day). A drawdown starts on the first day below the peak; its valley is
    the first day of its lowest equity.
    """
    found: list[Drawdown] = []
    equity = peak = ZERO
    peak_at = -1
    start = valley = -1
    low = ZERO
    with_open = False
    for i, value in enumerate(values):
        equity = EXACT.add(equity, value)
        if equity >= peak:
            if with_open:
                found.append(Drawdown(peak_at, start, valley, i, EXACT.subtract(low, peak)))
                with_open = False
            peak, peak_at = equity, i
        elif not with_open:
            with_open, start, valley, low = True, i, i, equity
        elif equity < low:
            valley, low = i, equity
    if with_open:
        found.append(Drawdown(peak_at, start, valley, None, EXACT.subtract(low, peak)))
    return found, EXACT.subtract(equity, peak), peak_at


def drawdown_tables(
    days: Sequence[dt.date],
    values: Sequence[Decimal],
    closed: Mapping[dt.date, int],
    money: Number,
) -> dict:
    """``drawdowns`` (the deepest DRAWDOWN_ROWS, by depth then start), ``drawdown_count``
    and ``current_drawdown`` of a window's daily P&L series.

    A drawdown lasts the series days after its peak day up to and including its
    recovery day (or the last day when it has not recovered); ``trades`` is the sum of
    those days' closed trades.
    """
    n = len(days)
    found, current, peak_at = drawdowns_of(values)
    prefix = [0]
    for day in days:
        prefix.append(prefix[-1] + closed.get(day, 0))

    def iso(i: int | None) -> str | None:
        return None if i is None or i < 0 else days[i].isoformat()

    def span(peak: int, end: int) -> tuple[int, int]:
        return end - peak, prefix[end + 1] - prefix[peak + 1]

    deepest = sorted(found, key=lambda d: (d.depth, d.start))[:DRAWDOWN_ROWS]
    rows = []
    for d in deepest:
        length, trades = span(d.peak, d.end(n))
        rows.append(
            {
                "peak_day": iso(d.peak),
                "start_day": iso(d.start),
                "valley_day": iso(d.valley),
                "recovery_day": iso(d.recovery),
                "depth": money(d.depth),
                "days": length,
                "trades": trades,
                "recovered": d.recovery is not None,
            }
        )
    if current < 0:
        length, trades = span(peak_at, n - 1)
    else:
        length = trades = 0
    return {
        "drawdowns": rows,
        "drawdown_count": len(found),
        "current_drawdown": {
            "depth": money(current),
            "peak_day": iso(peak_at) if n else None,
            "days": length,
            "trades": trades,
            "recovered": not current < 0,
        },
    }
