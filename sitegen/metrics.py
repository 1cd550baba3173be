"""Window summaries from merged partials. Pure: values in, values out.

What each metric means, and how it is named and shown, is in sitegen/registry.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sitegen import depth, registry, returns, versions
from sitegen.partials import EXACT, ZERO, Cell, Partial
from sitegen.registry import PER_DAY_TARGETS
from sitegen.rules import TargetSpec
from sitegen.stats import money, quotient, sharpe_ratio, sortino_ratio, sqn_of

SMALL_SAMPLE = 30


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
    #: the history's end-of-day equity when the account size is known: then the summary
    #: carries returns (sitegen/returns.py)
    ledger: returns.Ledger | None = None


def _div(a: Decimal, b: Decimal | int) -> Decimal:
    return EXACT.divide(a, Decimal(b))


def _sqrt(value: Decimal) -> Decimal:
    return EXACT.sqrt(value)


def _cell_rows(cells: dict[str, Cell]) -> list[dict]:
    """The by_symbol / by_strategy / by_mode rows: keys with closed trades, net P&L
    descending, then key."""
    rows = []
    for key, cell in cells.items():
        if not cell[0]:
            continue
        why: dict[str, str] = {}
        win_low, win_high = depth.win_rate_interval(cell, quotient, why)
        exp_low, exp_high = depth.expectancy_interval(cell, quotient, why)
        rows.append(
            {
                "key": key,
                "trades_closed": cell[0],
                "wins": cell[1],
                "win_rate": quotient(_div(Decimal(cell[1]), cell[0])),
                "win_rate_low": win_low,
                "win_rate_high": win_high,
                "net_pnl": money(cell[3]),
                "expectancy": quotient(_div(cell[3], cell[0])),
                "expectancy_low": exp_low,
                "expectancy_high": exp_high,
                "undefined_reasons": why,
            }
        )
    rows.sort(key=lambda row: (-cells[row["key"]][3], row["key"]))
    return rows


def _target_actual(spec: TargetSpec, p: Partial, window: str, days: int) -> Decimal | None:
    """The unrounded value a target is compared with (see docs/summary-format.md)."""
    if spec.metric == "win_rate":
        closed = p.trades_closed
        return _div(Decimal(p.wins * 100), closed) if closed else None
    if spec.metric in PER_DAY_TARGETS:
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
    """The summary object of one window: every metric of the registry, with its keys in
    the registry's order."""
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
    out["by_mode"] = _cell_rows(p.by_mode)
    if longer:
        out["by_version"] = versions.version_rows(p, money, quotient)
    if ctx.window == "all":
        out["version_change"] = versions.version_change(p, quotient, why)
    if longer:
        out["breakdowns"] = depth.breakdowns(p, money, quotient)
    out["targets"] = target_rows(ctx.targets, p, ctx.window, len(series))
    out["alerts"] = list(ctx.alerts)
    out["data_quality"] = ctx.data_quality
    if ctx.ledger is not None:
        out.update(returns.summary_fields(ctx.ledger, ctx.window, ctx.series_days, series, why))
    keys = registry.summary_keys(ctx.window, returns=ctx.ledger is not None)
    out["undefined_reasons"] = {k: why[k] for k in keys if k in why}
    return {key: out[key] for key in keys}
