"""Window summaries from merged partials. Pure: values in, values out.

Each metric's definition is stated once, in :data:`DEFINITIONS`, and the docs and
pages are generated from that same text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext

from sitegen import depth
from sitegen.partials import EXACT, ZERO, Cell, Partial
from sitegen.rules import TargetSpec

Q6 = Decimal("0.000001")
ANNUALISATION = 252
SMALL_SAMPLE = 30

DEFINITIONS: dict[str, str] = {
    "trades_total": "Trades in the window after identity resolution (same order_id = one trade).",
    "trades_closed": "Trades with outcome win, loss or breakeven.",
    "trades_open": "Trades with outcome open.",
    "wins": "Closed trades with outcome win.",
    "losses": "Closed trades with outcome loss.",
    "breakevens": "Closed trades with outcome breakeven.",
    "win_rate": "wins / trades_closed (breakevens count in the denominator).",
    "net_pnl": "Σ P&L of closed trades; P&L = net_profit_loss, else profit_loss, else 0.",
    "gross_profit": "Σ P&L of wins.",
    "gross_loss": "Σ P&L of losses (≤ 0).",
    "profit_factor": "gross_profit / |gross_loss|.",
    "avg_win": "gross_profit / wins.",
    "avg_loss": "gross_loss / losses.",
    "largest_win": "Largest P&L among wins.",
    "largest_loss": "Smallest P&L among losses.",
    "payoff_ratio": "avg_win / |avg_loss|.",
    "expectancy": "net_pnl / trades_closed: the average P&L per closed trade.",
    "avg_risk_reward": "Mean planned risk_reward_ratio of closed trades that have one.",
    "avg_r_multiple": "Mean R, R = P&L / (|price − stop_loss| × quantity), over closed trades "
    "with a usable stop (price and stop_loss present, price ≠ stop_loss, quantity > 0). "
    "This is the expectancy in R: the average R earned per closed trade with a stop.",
    "sqn": "System Quality Number: √n · mean(R) / sample stdev(R), n = trades with R.",
    "commission_total": "Σ commission of closed trades.",
    "slippage_total": "Σ slippage of closed trades.",
    "unrealized_pnl": "Σ profit_loss of open trades that carry one.",
    "current_streak": "The run of wins or losses at the window's last closed trade; "
    "breakevens neither extend nor break a run.",
    "max_win_streak": "Longest run of wins (breakevens skipped).",
    "max_loss_streak": "Longest run of losses (breakevens skipped).",
    "max_drawdown": "On the equity curve of closed trades in time order starting at 0: "
    "min over t of (equity_t − running peak), the peak starting at 0.",
    "max_drawdown_duration_trades": "Longest run of consecutive closed trades whose equity "
    "is below the running peak.",
    "daily_pnl": "Net P&L of closed trades per local date, over every trading day of the "
    "window inside the data range plus any date with closed trades.",
    "best_day": "Largest value of the daily P&L series.",
    "worst_day": "Smallest value of the daily P&L series.",
    "winning_days": "Days of the daily P&L series above 0.",
    "losing_days": "Days of the daily P&L series below 0.",
    "sharpe": "mean(daily P&L) / sample stdev(daily P&L) × √252 (252 trading days a "
    "year), over the n days of the daily P&L series; n/a when n < 2 or the stdev is 0.",
    "sortino": "mean(daily P&L) / √(Σ min(0, x)² / n) × √252, over the n days of the "
    "daily P&L series; n/a when no day is negative.",
    "gross_pnl": "Σ gross P&L of closed trades, before costs: profit_loss, else the "
    "trade's P&L (net_profit_loss) when profit_loss is missing.",
    "costs_total": "commission_total + slippage_total.",
    "commission_share": "commission_total / gross_profit; n/a when gross_profit ≤ 0.",
    "slippage_share": "slippage_total / gross_profit; n/a when gross_profit ≤ 0.",
    "costs_share": "(commission_total + slippage_total) / gross_profit: the part of the "
    "winners' P&L paid in costs; n/a when gross_profit ≤ 0.",
    "r_trades": "Closed trades with a usable stop, so with an R multiple.",
    "no_stop_trades": "Closed trades without a usable stop (stop_loss or price missing, "
    "price = stop_loss, or quantity ≤ 0): left out of every R figure.",
    "r_histogram": "Closed trades with R per bucket; buckets are right-closed: R ≤ −2, "
    "−2 < R ≤ −1, −1 < R ≤ 0, 0 < R ≤ 1, 1 < R ≤ 2, 2 < R ≤ 3, R > 3.",
    "planned_rr_trades": "Closed trades with both an R multiple and a planned risk_reward_ratio.",
    "planned_rr_reached": "Of planned_rr_trades, those whose realised R ≥ the planned "
    "risk_reward_ratio: the planned target was reached.",
    "planned_rr_reached_rate": "planned_rr_reached / planned_rr_trades.",
    "drawdowns": "On end-of-day equity (cumulative daily P&L from 0 before the window's "
    "first day, the running peak starting at 0): each stretch below a previous peak. "
    "Peak day: the last day at the peak (none: the window's start). Valley: the first "
    "day of the lowest equity. Recovery: the first day back at or above the peak (none: "
    "not recovered). Depth: valley equity − peak equity. Days: series days after the "
    "peak day up to the recovery day, or to the last day when not recovered. Trades: "
    "closed trades on those days. The 5 deepest are listed, deepest first, then by "
    "start.",
    "drawdown_count": "Number of end-of-day drawdowns in the window.",
    "current_drawdown": "Last end-of-day equity − running peak (≤ 0), with the peak day "
    "and the days and closed trades since it; not recovered while below 0.",
    "breakdowns": "The closed trades of the window grouped by symbol, strategy, side "
    "(action), entry hour and entry weekday (entry timestamp in the configured time "
    "zone) and hold time. Each cell: closed trades, win rate, profit factor, "
    "expectancy, net P&L, average R, commission + slippage and their share of the "
    "cell's gross profit, each as defined for the window. Only keys with closed "
    "trades are listed.",
    "hold_time": "The hold time d is hold_duration_seconds, else exit_timestamp − "
    "timestamp. Buckets include their lower bound and exclude their upper bound: under "
    "5 min: 0 ≤ d < 300 s; 5–30 min: 300 ≤ d < 1800 s; 30 min–2 h: 1800 ≤ d < 7200 s; "
    "2 h–1 day: 7200 ≤ d < 86400 s; 1 day or more: d ≥ 86400 s. Trades with neither, or "
    "with a negative duration, are 'unknown'.",
}

#: How trades are counted, shown above the definitions ({timezone} is filled in).
NOTES = (
    "Closed trades are those with outcome win, loss or breakeven. A breakeven counts "
    "as a closed trade (in trades_closed, the win-rate denominator, expectancy, the "
    "equity curve and the breakdowns) but neither as a win nor a loss, and neither "
    "extends nor breaks a streak.",
    "Open trades count only in trades_total, trades_open and unrealized_pnl; every "
    "other figure is over closed trades.",
    "A trade's P&L is net_profit_loss, else profit_loss, else 0 (noted under data "
    "quality). Money is summed exactly; derived values are rounded half-even to 6 "
    "places.",
    "Days and hours are local dates and times in {timezone}. A closed trade belongs to "
    "the date of its exit_timestamp (else its timestamp); entry hour and weekday use "
    "its timestamp.",
    "Annualisation: daily ratios are multiplied by √252 (252 trading days a year).",
    "A metric that cannot be computed shows as n/a with the reason, never as infinity. "
    "Windows (and breakdown cells) with fewer than 30 closed trades are a small "
    "sample: read their ratios with care.",
)


@dataclass(frozen=True)
class WindowContext:
    """What a summary needs besides the merged partial."""

    window: str
    period: str
    start: dt.date
    end: dt.date
    timezone: str
    series_days: Sequence[dt.date]  # the dates of the daily P&L series, in order
    missing_days: Sequence[dt.date] = ()
    targets: Sequence[TargetSpec] = ()
    data_quality: dict = field(default_factory=dict)
    alerts: Sequence[dict] = ()


def money(value: Decimal) -> str:
    """An exact decimal as text: no exponent, never -0."""
    if not value:
        value = value.copy_abs()
    return format(value, "f")


def quotient(value: Decimal) -> str:
    """A derived value rounded half-even to 6 places."""
    return money(value.quantize(Q6, context=EXACT))


def _div(a: Decimal, b: Decimal | int) -> Decimal:
    return EXACT.divide(a, Decimal(b))


def _sqrt(value: Decimal) -> Decimal:
    return EXACT.sqrt(value)


def _cell_rows(cells: dict[str, Cell]) -> list[dict]:
    rows = [
        {
            "key": key,
            "trades_closed": cell[0],
            "wins": cell[1],
            "win_rate": quotient(_div(Decimal(cell[1]), cell[0])),
            "net_pnl": money(cell[3]),
        }
        for key, cell in cells.items()
        if cell[0]
    ]
    rows.sort(key=lambda row: (-Decimal(row["net_pnl"]), row["key"]))
    return rows


def sharpe_ratio(values: Sequence[Decimal]) -> tuple[Decimal | None, str | None]:
    """mean / sample stdev × √252; undefined for fewer than 2 days or zero spread."""
    with localcontext(EXACT):
        n = len(values)
        if n < 2:
            return None, "fewer than 2 days in the daily P&L series"
        total = sum(values, ZERO)
        spread = n * sum((x * x for x in values), ZERO) - total * total  # exact: n(n-1)·var
        if not spread:
            return None, "daily P&L has zero spread"
        stdev = _sqrt(spread / (n * (n - 1)))
        return total / n / stdev * _sqrt(Decimal(ANNUALISATION)), None


def sortino_ratio(values: Sequence[Decimal]) -> tuple[Decimal | None, str | None]:
    """mean / √(Σ min(0, x)² / n) × √252; undefined when no day is negative."""
    with localcontext(EXACT):
        n = len(values)
        downside = sum((x * x for x in values if x < 0), ZERO)
        if not downside:
            return None, "no losing days"
        mean = sum(values, ZERO) / n
        return mean / _sqrt(downside / n) * _sqrt(Decimal(ANNUALISATION)), None


def sqn_of(n: int, r_sum: Decimal, r_sumsq: Decimal) -> tuple[Decimal | None, str | None]:
    """√n · mean(R) / sample stdev(R); undefined when n < 2 or stdev = 0."""
    with localcontext(EXACT):
        if n < 2:
            return None, "fewer than 2 closed trades with a usable stop"
        spread = n * r_sumsq - r_sum * r_sum  # exact: n(n-1)·var
        if spread <= 0:
            return None, "R multiples have zero spread"
        stdev = _sqrt(spread / (n * (n - 1)))
        return _sqrt(Decimal(n)) * (r_sum / n) / stdev, None


def _target_actual(spec: TargetSpec, p: Partial, window: str, days: int) -> Decimal | None:
    """The unrounded value a target is compared with (see docs/summary-format.md)."""
    if spec.metric == "win_rate":
        closed = p.trades_closed
        return _div(Decimal(p.wins * 100), closed) if closed else None
    if spec.metric in ("net_pnl", "trades_total"):
        total = p.net if spec.metric == "net_pnl" else Decimal(p.trades_total)
        if window == "daily":
            return total
        return _div(total, days) if days else None
    if spec.metric == "max_drawdown":
        return p.equity.dd
    if spec.metric == "avg_risk_reward":
        return _div(p.rr_sum, p.rr_n) if p.rr_n else None
    raise ValueError(f"no target metric {spec.metric!r}")


def target_rows(
    targets: Sequence[TargetSpec], p: Partial, window: str, days: int
) -> dict[str, dict]:
    """Per target: the actual value, the target, actual − target, and whether it is met."""
    rows = {}
    for spec in targets:
        actual = _target_actual(spec, p, window, days)
        rows[spec.key] = {
            "metric": spec.metric,
            "actual": None if actual is None else quotient(actual),
            "target": money(spec.value),
            "variance": None if actual is None else quotient(EXACT.subtract(actual, spec.value)),
            "met": None if actual is None else actual >= spec.value,
        }
    return rows


def summarize(p: Partial, ctx: WindowContext) -> dict:
    """The summary object of one window: every metric of SPEC §4, in a fixed key order."""
    closed = p.trades_closed
    why: dict[str, str] = {}

    def ratio(name: str, num: Decimal, den: Decimal | int, reason: str) -> str | None:
        if not den:
            why[name] = reason
            return None
        return quotient(_div(num, den))

    def exact(name: str, value: Decimal | None, reason: str) -> str | None:
        if value is None:
            why[name] = reason
            return None
        return money(value)

    def derived(name: str, pair: tuple[Decimal | None, str | None]) -> str | None:
        value, reason = pair
        if value is None:
            why[name] = reason or "undefined"
            return None
        return quotient(value)

    series = [p.daily.get(day, ZERO) for day in ctx.series_days]
    best = max(series, default=None)
    worst = min(series, default=None)

    if p.wins and p.losses and p.gross_loss:
        payoff = quotient(_div(_div(p.gross_profit, p.wins), abs(_div(p.gross_loss, p.losses))))
    else:
        payoff = None
        why["payoff_ratio"] = (
            "no winning trades"
            if not p.wins
            else "no losing trades"
            if not p.losses
            else "average loss is 0"
        )

    costs = EXACT.add(p.commission, p.slippage)
    share_why = depth.share_reason(p.gross_profit)

    def share(name: str, amount: Decimal) -> str | None:
        if share_why is not None:
            why[name] = share_why
            return None
        return quotient(_div(amount, p.gross_profit))

    s = p.streaks
    out: dict = {
        "schema_version": 1,
        "window": ctx.window,
        "period": ctx.period,
        "start": ctx.start.isoformat(),
        "end": ctx.end.isoformat(),
        "timezone": ctx.timezone,
        "partial": bool(ctx.missing_days) or bool(ctx.data_quality.get("skipped_lines")),
        "missing_days": [d.isoformat() for d in ctx.missing_days],
        "small_sample": closed < SMALL_SAMPLE,
        "note": None if p.trades_total else "No trades in window",
        "trades_total": p.trades_total,
        "trades_closed": closed,
        "trades_open": p.trades_open,
        "wins": p.wins,
        "losses": p.losses,
        "breakevens": p.breakevens,
        "win_rate": ratio("win_rate", Decimal(p.wins), closed, "no closed trades"),
        "net_pnl": money(p.net),
        "gross_pnl": money(p.gross_pnl),
        "gross_profit": money(p.gross_profit),
        "gross_loss": money(p.gross_loss),
        "profit_factor": ratio(
            "profit_factor",
            p.gross_profit,
            abs(p.gross_loss),
            "no losing trades" if not p.losses else "gross loss is 0",
        ),
        "avg_win": ratio("avg_win", p.gross_profit, p.wins, "no winning trades"),
        "avg_loss": ratio("avg_loss", p.gross_loss, p.losses, "no losing trades"),
        "largest_win": exact("largest_win", p.largest_win, "no winning trades"),
        "largest_loss": exact("largest_loss", p.largest_loss, "no losing trades"),
        "payoff_ratio": payoff,
        "expectancy": ratio("expectancy", p.net, closed, "no closed trades"),
        "avg_risk_reward": ratio(
            "avg_risk_reward", p.rr_sum, p.rr_n, "no closed trades with a risk_reward_ratio"
        ),
        "avg_r_multiple": ratio(
            "avg_r_multiple", p.r_sum, p.r_n, "no closed trades with a usable stop"
        ),
        "sqn": derived("sqn", sqn_of(p.r_n, p.r_sum, p.r_sumsq)),
        "r_trades": p.r_n,
        "no_stop_trades": closed - p.r_n,
        "r_histogram": depth.r_histogram(p.r_hist),
        "planned_rr_trades": p.rr_r_n,
        "planned_rr_reached": p.rr_r_hits,
        "planned_rr_reached_rate": ratio(
            "planned_rr_reached_rate",
            Decimal(p.rr_r_hits),
            p.rr_r_n,
            "no closed trades with both a usable stop and a risk_reward_ratio",
        ),
        "commission_total": money(p.commission),
        "slippage_total": money(p.slippage),
        "costs_total": money(costs),
        "commission_share": share("commission_share", p.commission),
        "slippage_share": share("slippage_share", p.slippage),
        "costs_share": share("costs_share", costs),
        "unrealized_pnl": money(p.unrealized),
        "current_streak": {"type": s.tail_type or "none", "count": s.tail_len},
        "max_win_streak": s.max_win,
        "max_loss_streak": s.max_loss,
        "max_drawdown": money(p.equity.dd),
        "max_drawdown_duration_trades": p.equity.max_duration(),
    }
    longer = ctx.window != "daily"
    if longer:
        out["daily_pnl"] = {
            d.isoformat(): money(v) for d, v in zip(ctx.series_days, series, strict=True)
        }
        out.update(depth.drawdown_tables(ctx.series_days, series, p.daily_closed, money))
    out["best_day"] = exact("best_day", best, "no days in the daily P&L series")
    out["best_day_date"] = None if best is None else ctx.series_days[series.index(best)].isoformat()
    out["worst_day"] = exact("worst_day", worst, "no days in the daily P&L series")
    out["worst_day_date"] = (
        None if worst is None else ctx.series_days[series.index(worst)].isoformat()
    )
    out["winning_days"] = sum(1 for v in series if v > 0)
    out["losing_days"] = sum(1 for v in series if v < 0)
    out["sharpe"] = derived("sharpe", sharpe_ratio(series))
    out["sortino"] = derived("sortino", sortino_ratio(series))
    out["by_symbol"] = _cell_rows(p.by_symbol)
    out["by_strategy"] = _cell_rows(p.by_strategy)
    if longer:
        out["breakdowns"] = depth.breakdowns(p, money, quotient)
    out["targets"] = target_rows(ctx.targets, p, ctx.window, len(series))
    out["alerts"] = list(ctx.alerts)
    out["undefined_reasons"] = {k: why[k] for k in out if k in why}
    out["data_quality"] = ctx.data_quality
    return out
