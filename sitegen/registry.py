"""The metric registry: every metric of a window summary, stated once.

A :class:`Metric` row holds a metric's JSON field, its label, the kind of number it is
(which says how each consumer shows it), the metric table of a period page that lists
it, and its definition. The summary's key order, the Markdown report, the pages'
labels, formats and links to definitions.html, definitions.html itself, the figures
of ``sitegen summary`` and the metrics table of docs/summary-format.md are all read from
here. Adding a metric is its computation, its row here (and its place in PAGE_ORDER
and DEFINITION_ORDER), its field in the summary schema, and its tests:
tests/test_registry.py holds the rows against the schema, the docs and the
definitions page, and writes the docs' table.

Pure data and lookups: no I/O, standard library only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What a metric's value is, and so how it reads."""

    COUNT = "count"  # an integer
    RATE = "rate"  # a fraction 0..1 (quotient), shown as a percentage
    MONEY = "money"  # an exact sum, keeping the scale of its inputs
    AVG = "avg"  # money per trade (quotient)
    RATIO = "ratio"  # a plain number (quotient)
    R = "r"  # in R, multiples of the risk taken (quotient)
    STREAK = "streak"  # {"type": ..., "count": ...}
    DAY = "day"  # one day's P&L (money); its date is in FIELD_date
    TABLE = "table"  # a structure, shown in a section of its own


class Sign(StrEnum):
    """How a value's sign shows on a page: gain and loss must not rest on colour alone."""

    PLAIN = "plain"
    TONE = "tone"  # coloured by sign: a loss or a drawdown, never above 0
    SIGNED = "signed"  # a gain or a loss: coloured, and "+" on a gain


# The metric tables of a period page
TRADES = "Trades"
PNL = "Profit and loss"
COSTS = "Costs"
RISK = "Risk"
R_MULTIPLES = "R multiples"
STREAKS = "Streaks and days"
RETURNS = "Returns"

# The two equity curves a drawdown is measured on; every drawdown figure names its own.
#: the equity after every closed trade: a dip within a day counts
TRADE_BY_TRADE = "trade by trade"
#: each day's closing balance: a dip made up before the close is not seen
END_OF_DAY = "end of day"


@dataclass(frozen=True)
class Metric:
    """One row of the registry."""

    field: str
    #: how pages and definitions.html name it
    label: str
    kind: Kind
    #: the metric table of a period page that lists it (and so the Markdown Metrics
    #: table); None for a structure that has a section of its own
    group: str | None
    #: the formula and its undefined cases, as definitions.html states it
    definition: str
    #: the Markdown report's name, where it has room for a fuller one ("" = label)
    report_label: str = ""
    sign: Sign = Sign.PLAIN
    #: null when undefined, with the reason in undefined_reasons
    nullable: bool = False
    #: written in daily summaries too; else only in weekly, monthly and all-time ones
    daily: bool = True
    #: written in the all summary only (not in daily, weekly or monthly ones)
    all_only: bool = False
    #: the field that holds it, when it is not a top-level key of the summary; ROW: a
    #: field of every breakdown row
    within: str | None = None
    #: the JSON shape of a structure, as the docs write it
    shape: str = ""
    #: written only when the account size (config starting_equity) is known
    returns: bool = False

    @property
    def md_label(self) -> str:
        return self.report_label or self.label


#: ``within`` of the fields of every breakdown row: each by_symbol and by_strategy entry
#: and each cell of the breakdown grid
ROW = "row"

#: The keys of a summary in the order they are written: the metrics, and between them
#: the fields that describe the window or hold lists that are not metrics.
SUMMARY: tuple[Metric | str, ...] = (
    "schema_version",
    "window",
    "period",
    "start",
    "end",
    "timezone",
    "partial",
    "missing_days",
    "small_sample",
    "note",
    Metric(
        "trades_total",
        "Trades",
        Kind.COUNT,
        TRADES,
        "Trades in the window after identity resolution (same order_id = one trade).",
    ),
    Metric(
        "trades_closed",
        "Closed",
        Kind.COUNT,
        TRADES,
        "Trades with outcome win, loss or breakeven.",
        report_label="Closed trades",
    ),
    Metric(
        "trades_open",
        "Open",
        Kind.COUNT,
        TRADES,
        "Trades with outcome open.",
        report_label="Open trades",
    ),
    Metric("wins", "Wins", Kind.COUNT, TRADES, "Closed trades with outcome win."),
    Metric("losses", "Losses", Kind.COUNT, TRADES, "Closed trades with outcome loss."),
    Metric("breakevens", "Breakevens", Kind.COUNT, TRADES, "Closed trades with outcome breakeven."),
    Metric(
        "win_rate",
        "Win rate",
        Kind.RATE,
        TRADES,
        "wins / trades_closed (breakevens count in the denominator).",
        nullable=True,
    ),
    Metric(
        "net_pnl",
        "Net P&L",
        Kind.MONEY,
        PNL,
        "Σ P&L of closed trades; P&L = net_profit_loss, else profit_loss, else 0.",
        sign=Sign.SIGNED,
    ),
    Metric(
        "gross_pnl",
        "Gross P&L (before costs)",
        Kind.MONEY,
        PNL,
        "Σ gross P&L of closed trades, before costs: profit_loss, else the trade's P&L "
        "(net_profit_loss) when profit_loss is missing.",
        sign=Sign.SIGNED,
    ),
    Metric("gross_profit", "Gross profit", Kind.MONEY, PNL, "Σ P&L of wins."),
    Metric("gross_loss", "Gross loss", Kind.MONEY, PNL, "Σ P&L of losses (≤ 0).", sign=Sign.TONE),
    Metric(
        "profit_factor",
        "Profit factor",
        Kind.RATIO,
        PNL,
        "gross_profit / |gross_loss|.",
        nullable=True,
    ),
    Metric("avg_win", "Average win", Kind.AVG, PNL, "gross_profit / wins.", nullable=True),
    Metric("avg_loss", "Average loss", Kind.AVG, PNL, "gross_loss / losses.", nullable=True),
    Metric("largest_win", "Largest win", Kind.MONEY, PNL, "Largest P&L among wins.", nullable=True),
    Metric(
        "largest_loss", "Largest loss", Kind.MONEY, PNL, "Smallest P&L among losses.", nullable=True
    ),
    Metric("payoff_ratio", "Payoff ratio", Kind.RATIO, PNL, "avg_win / |avg_loss|.", nullable=True),
    Metric(
        "expectancy",
        "Expectancy",
        Kind.AVG,
        PNL,
        "net_pnl / trades_closed: the average P&L per closed trade.",
        sign=Sign.SIGNED,
        nullable=True,
    ),
    Metric(
        "avg_risk_reward",
        "Avg planned R:R",
        Kind.RATIO,
        R_MULTIPLES,
        "Mean planned risk_reward_ratio of closed trades that have one.",
        report_label="Average planned R:R",
        nullable=True,
    ),
    Metric(
        "avg_r_multiple",
        "Expectancy in R (avg R)",
        Kind.R,
        R_MULTIPLES,
        "Mean R, R = P&L / (|price − stop_loss| × quantity), over closed trades "
        "with a usable stop (price and stop_loss present, price ≠ stop_loss, quantity > 0). "
        "This is the expectancy in R: the average R earned per closed trade with a stop.",
        report_label="Average R multiple",
        sign=Sign.SIGNED,
        nullable=True,
    ),
    Metric(
        "sqn",
        "SQN",
        Kind.RATIO,
        R_MULTIPLES,
        "System Quality Number: √n · mean(R) / sample stdev(R), n = trades with R.",
        nullable=True,
    ),
    Metric(
        "r_trades",
        "Trades with a stop",
        Kind.COUNT,
        R_MULTIPLES,
        "Closed trades with a usable stop, so with an R multiple.",
        report_label="Trades with a usable stop",
    ),
    Metric(
        "no_stop_trades",
        "Trades without a stop",
        Kind.COUNT,
        R_MULTIPLES,
        "Closed trades without a usable stop (stop_loss or price missing, "
        "price = stop_loss, or quantity ≤ 0): left out of every R figure.",
        report_label="Trades without a usable stop",
    ),
    Metric(
        "r_histogram",
        "R histogram",
        Kind.TABLE,
        None,
        "Closed trades with R per bucket; buckets are right-closed: R ≤ −2, "
        "−2 < R ≤ −1, −1 < R ≤ 0, 0 < R ≤ 1, 1 < R ≤ 2, 2 < R ≤ 3, R > 3.",
        shape="[{`key`, `low`, `high`, `trades`}], the 7 buckets",
    ),
    Metric(
        "planned_rr_trades",
        "Trades with R and planned R:R",
        Kind.COUNT,
        R_MULTIPLES,
        "Closed trades with both an R multiple and a planned risk_reward_ratio.",
        report_label="Trades with R and a planned R:R",
    ),
    Metric(
        "planned_rr_reached",
        "Planned R:R reached",
        Kind.COUNT,
        R_MULTIPLES,
        "Of planned_rr_trades, those whose realised R ≥ the planned "
        "risk_reward_ratio: the planned target was reached.",
    ),
    Metric(
        "planned_rr_reached_rate",
        "Planned R:R reached rate",
        Kind.RATE,
        R_MULTIPLES,
        "planned_rr_reached / planned_rr_trades.",
        nullable=True,
    ),
    Metric("commission_total", "Commission", Kind.MONEY, COSTS, "Σ commission of closed trades."),
    Metric("slippage_total", "Slippage", Kind.MONEY, COSTS, "Σ slippage of closed trades."),
    Metric(
        "costs_total",
        "Costs (commission + slippage)",
        Kind.MONEY,
        COSTS,
        "commission_total + slippage_total.",
    ),
    Metric(
        "commission_share",
        "Commission / gross profit",
        Kind.RATE,
        COSTS,
        "commission_total / gross_profit; n/a when gross_profit ≤ 0.",
        nullable=True,
    ),
    Metric(
        "slippage_share",
        "Slippage / gross profit",
        Kind.RATE,
        COSTS,
        "slippage_total / gross_profit; n/a when gross_profit ≤ 0.",
        nullable=True,
    ),
    Metric(
        "costs_share",
        "Costs / gross profit",
        Kind.RATE,
        COSTS,
        "(commission_total + slippage_total) / gross_profit: the part of the "
        "winners' P&L paid in costs; n/a when gross_profit ≤ 0.",
        nullable=True,
    ),
    Metric(
        "unrealized_pnl",
        "Unrealized P&L",
        Kind.MONEY,
        PNL,
        "Σ profit_loss of open trades that carry one.",
        sign=Sign.SIGNED,
    ),
    Metric(
        "current_streak",
        "Current streak",
        Kind.STREAK,
        STREAKS,
        "The run of wins or losses at the window's last closed trade; "
        "breakevens neither extend nor break a run.",
    ),
    Metric(
        "max_win_streak",
        "Longest win streak",
        Kind.COUNT,
        STREAKS,
        "Longest run of wins (breakevens skipped).",
    ),
    Metric(
        "max_loss_streak",
        "Longest loss streak",
        Kind.COUNT,
        STREAKS,
        "Longest run of losses (breakevens skipped).",
    ),
    Metric(
        "max_drawdown",
        f"Max drawdown ({TRADE_BY_TRADE})",
        Kind.MONEY,
        RISK,
        "Trade by trade: on the equity curve of closed trades in time order starting at 0: "
        "min over t of (equity_t − running peak), the peak starting at 0. Every closed "
        "trade is a point of this curve, so a dip within a day counts even when the day "
        "makes it up by its close; the end-of-day drawdowns (drawdowns) see only each "
        "day's closing balance. So this figure is never shallower than the deepest "
        "end-of-day drawdown, and deeper whenever the worst fall happened within a day.",
        sign=Sign.TONE,
    ),
    Metric(
        "max_drawdown_duration_trades",
        f"Longest drawdown in trades ({TRADE_BY_TRADE})",
        Kind.COUNT,
        RISK,
        "Trade by trade: the longest run of consecutive closed trades whose equity is "
        "below the running peak.",
        report_label="Max drawdown duration (trades)",
    ),
    Metric(
        "total_return",
        "Total return",
        Kind.RATE,
        RETURNS,
        "Only with starting_equity (the account size before the first day): the window's "
        "daily returns compounded, Π(1 + r) − 1 over the days of its daily P&L series, where "
        "a day's return r is its net P&L / the previous end-of-day equity, and end-of-day "
        "equity is starting_equity + the net P&L of every day up to it (the whole history, "
        "in date order; the first day's return is over starting_equity). This is the "
        "end-of-day equity of the window's last day / the equity before its first day − 1. "
        "n/a when the series has no day, or when equity fell to 0 or below on a day before "
        "the window's last day (returns are undefined from then on).",
        sign=Sign.SIGNED,
        nullable=True,
        returns=True,
    ),
    Metric(
        "max_drawdown_relative",
        f"Max drawdown % ({END_OF_DAY})",
        Kind.RATE,
        RETURNS,
        "End of day: min over the window's days of end-of-day equity / its running peak − "
        "1, the peak starting at the equity before the window's first day; ≤ 0 (−0.25 is a "
        "quarter below the peak). Only with starting_equity; n/a as total_return.",
        report_label=f"Max drawdown, relative ({END_OF_DAY})",
        sign=Sign.TONE,
        nullable=True,
        returns=True,
    ),
    Metric(
        "volatility_annual",
        "Volatility (annualised)",
        Kind.RATE,
        RETURNS,
        "Only with starting_equity: the sample standard deviation of the window's daily "
        "returns × √252; n/a when the series has fewer than 2 days, or as total_return.",
        report_label="Volatility (daily returns, annualised)",
        nullable=True,
        daily=False,
        returns=True,
    ),
    Metric(
        "cagr",
        "CAGR",
        Kind.RATE,
        RETURNS,
        "Only with starting_equity, in the all-time summary: the compound annual growth "
        "rate, (end-of-day equity of the last day / starting_equity)^(365.25 / d) − 1, d = "
        "last day − first day of daily_pnl + 1 (calendar days), computed as exp((365.25 / "
        "d) · ln(end / start)) − 1 at 50 significant digits. n/a when equity ends at or "
        "below 0 (or fell there before the last day), or when it is beyond ±10^15 (a "
        "history of a few days cannot be annualised).",
        report_label="CAGR (compound annual growth rate)",
        sign=Sign.SIGNED,
        nullable=True,
        daily=False,
        returns=True,
        all_only=True,
    ),
    Metric(
        "calmar",
        "Calmar ratio",
        Kind.RATIO,
        RETURNS,
        "Only with starting_equity, in the all-time summary: cagr / "
        "|max_drawdown_relative|, from their unrounded values; n/a when there is no "
        "drawdown (max_drawdown_relative is 0), when cagr is n/a, or beyond ±10^15.",
        sign=Sign.SIGNED,
        nullable=True,
        daily=False,
        returns=True,
        all_only=True,
    ),
    Metric(
        "daily_pnl",
        "Daily P&L",
        Kind.TABLE,
        None,
        "Net P&L of closed trades per local date, over every trading day of the "
        "window inside the data range plus any date with closed trades.",
        daily=False,
        shape="{ISO date: money}",
    ),
    Metric(
        "drawdowns",
        f"Drawdowns ({END_OF_DAY})",
        Kind.TABLE,
        None,
        "End of day: on end-of-day equity (cumulative daily P&L from 0 before the window's "
        "first day, the running peak starting at 0): each stretch below a previous peak. "
        "Peak day: the last day at the peak (none: the window's start). Valley: the first "
        "day of the lowest equity. Recovery: the first day back at or above the peak (none: "
        "not recovered). Depth: valley equity − peak equity. Days: series days after the "
        "peak day up to the recovery day, or to the last day when not recovered. Trades: "
        "closed trades on those days. The 5 deepest are listed, deepest first, then by "
        "start. Only closing balances count: a fall within a day that is made up by the "
        "close is not seen here, though it is in max_drawdown (trade by trade), which can "
        "therefore be deeper.",
        daily=False,
        shape="[drawdown]",
    ),
    Metric(
        "drawdown_count",
        f"Number of drawdowns ({END_OF_DAY})",
        Kind.COUNT,
        None,
        "End of day: the number of drawdowns of end-of-day equity in the window.",
        daily=False,
    ),
    Metric(
        "current_drawdown",
        f"Current drawdown ({END_OF_DAY})",
        Kind.TABLE,
        None,
        "End of day: last end-of-day equity − running peak (≤ 0), with the peak day "
        "and the days and closed trades since it; not recovered while below 0.",
        daily=False,
        shape="{`depth`, `peak_day`, `days`, `trades`, `recovered`}",
    ),
    Metric(
        "best_day",
        "Best day",
        Kind.DAY,
        STREAKS,
        "Largest value of the daily P&L series.",
        sign=Sign.SIGNED,
        nullable=True,
    ),
    "best_day_date",
    Metric(
        "worst_day",
        "Worst day",
        Kind.DAY,
        STREAKS,
        "Smallest value of the daily P&L series.",
        sign=Sign.SIGNED,
        nullable=True,
    ),
    "worst_day_date",
    Metric(
        "winning_days", "Winning days", Kind.COUNT, STREAKS, "Days of the daily P&L series above 0."
    ),
    Metric(
        "losing_days", "Losing days", Kind.COUNT, STREAKS, "Days of the daily P&L series below 0."
    ),
    Metric(
        "sharpe",
        "Sharpe (annualised)",
        Kind.RATIO,
        RISK,
        "mean(daily P&L) / sample stdev(daily P&L) × √252 (252 trading days a "
        "year), over the n days of the daily P&L series; n/a when n < 2 or the stdev is 0.",
        report_label="Sharpe (daily, annualised)",
        nullable=True,
    ),
    Metric(
        "sortino",
        "Sortino (annualised)",
        Kind.RATIO,
        RISK,
        "mean(daily P&L) / √(Σ min(0, x)² / n) × √252, over the n days of the "
        "daily P&L series; n/a when no day is negative.",
        report_label="Sortino (daily, annualised)",
        nullable=True,
    ),
    "by_symbol",
    "by_strategy",
    Metric(
        "by_mode",
        "By mode (book)",
        Kind.TABLE,
        None,
        "The closed trades of the window grouped by execution_mode, the book they belong "
        "to (PAPER, LIVE or any other text; missing, null or empty is UNKNOWN): one row per "
        "mode with closed trades, with the fields of a by_symbol row, sorted by net P&L "
        "descending, then mode. More than one row means the window mixes books: compare "
        "them here rather than reading the window's totals.",
        shape="[row], as by_symbol",
    ),
    Metric(
        "by_version",
        "By version",
        Kind.TABLE,
        None,
        "The closed trades of the window grouped by version (bot_version · config_hash, a "
        "missing part unknown): one row per version with closed trades, in order of first "
        "appearance (the attribution time of its first closed trade in the window; ties by "
        "file, then line). Each row: first_day and last_day (the local dates of its first "
        "and last closed trade in the window), the fields of a by_symbol row, "
        "avg_r_multiple, r_trades and sqn over its closed trades with a usable stop, and "
        "profit_factor, each as defined for the window.",
        daily=False,
        shape="[version row]",
    ),
    Metric(
        "version_change",
        "Version change",
        Kind.TABLE,
        None,
        "The latest version (the last by first appearance) against the one before it, "
        "over the whole history, for the expectancy (mean P&L per closed trade) and the "
        "average R (mean R per closed trade with a usable stop). difference = latest mean "
        "− previous mean. low, high: Welch's 95% interval, difference ∓ t(0.975, ν) · "
        "√(s₁²/n₁ + s₂²/n₂), s the sample standard deviations, ν = (s₁²/n₁ + s₂²/n₂)² / "
        "((s₁²/n₁)²/(n₁ − 1) + (s₂²/n₂)²/(n₂ − 1)) (Welch–Satterthwaite, seldom whole); "
        "n/a when a version has fewer than 2 values or neither has any spread. verdict: "
        "better when low > 0, worse when high < 0, else not_yet_clear. "
        "more_trades_needed: when not yet clear and the difference is not 0, the smallest "
        "k ≥ 1 with 1.959964 · √(s₁²/(n₁ + k) + s₂²/(n₂ + k)) < |difference|, about how "
        "many more trades per version would make the interval exclude 0 if the difference "
        "and the spreads stayed as they are (z stands in for t, so for small samples it "
        "slightly understates). n/a with fewer than two versions.",
        nullable=True,
        daily=False,
        all_only=True,
        shape="{`previous`, `latest`, `expectancy`: comparison, `avg_r_multiple`: comparison}",
    ),
    Metric(
        "win_rate_low",
        "Win rate, 95% low",
        Kind.RATE,
        None,
        "Lower bound of the Wilson 95% score interval of a row's win rate, w wins in n "
        "closed trades, z = 1.959964: (2w + z² − z·√(z² + 4w(n − w)/n)) / (2(n + z²)); "
        "n/a when n = 0. Every by_symbol and by_strategy row and every breakdown cell "
        "carries it.",
        nullable=True,
        within=ROW,
    ),
    Metric(
        "win_rate_high",
        "Win rate, 95% high",
        Kind.RATE,
        None,
        "Upper bound of the Wilson 95% score interval of a row's win rate: "
        "(2w + z² + z·√(z² + 4w(n − w)/n)) / (2(n + z²)), z = 1.959964; n/a when n = 0.",
        nullable=True,
        within=ROW,
    ),
    Metric(
        "expectancy_low",
        "Expectancy, 95% low",
        Kind.AVG,
        None,
        "Lower bound of the 95% t interval of a row's expectancy: mean − t(0.975, n − 1) · "
        "s / √n, where mean and s are the mean and the sample standard deviation of the "
        "P&L of the row's n closed trades and t is Student's t quantile, rounded to 9 "
        "decimal places; n/a when n < 2 or s = 0. Every by_symbol and by_strategy row "
        "and every breakdown cell carries it.",
        sign=Sign.SIGNED,
        nullable=True,
        within=ROW,
    ),
    Metric(
        "expectancy_high",
        "Expectancy, 95% high",
        Kind.AVG,
        None,
        "Upper bound of the 95% t interval of a row's expectancy: mean + t(0.975, n − 1) · "
        "s / √n; n/a when n < 2 or s = 0.",
        sign=Sign.SIGNED,
        nullable=True,
        within=ROW,
    ),
    Metric(
        "breakdowns",
        "Breakdown grid",
        Kind.TABLE,
        None,
        "The closed trades of the window grouped by symbol, strategy, side "
        "(action), entry hour and entry weekday (entry timestamp in the configured time "
        "zone) and hold time. Each cell: closed trades, win rate and its 95% interval, "
        "profit factor, expectancy and its 95% interval, net P&L, average R, commission "
        "+ slippage and their share of the cell's gross profit, each as defined for the "
        "window. Only keys with closed trades are listed.",
        daily=False,
        shape="{breakdown: [cell]}",
    ),
    Metric(
        "hold_time",
        "Hold time buckets",
        Kind.TABLE,
        None,
        "The hold time d is hold_duration_seconds, else exit_timestamp − "
        "timestamp. Buckets include their lower bound and exclude their upper bound: under "
        "5 min: 0 ≤ d < 300 s; 5–30 min: 300 ≤ d < 1800 s; 30 min–2 h: 1800 ≤ d < 7200 s; "
        "2 h–1 day: 7200 ≤ d < 86400 s; 1 day or more: d ≥ 86400 s. Trades with neither, or "
        "with a negative duration, are 'unknown'.",
        daily=False,
        within="breakdowns",
        shape="[cell]",
    ),
    Metric(
        "exit_reason",
        "Exit reasons",
        Kind.TABLE,
        None,
        "Closed trades grouped by their exit_reasoning, as the bot wrote it; trades "
        "without one are 'unknown'. Rows by net P&L, descending, then key.",
        daily=False,
        within="breakdowns",
        shape="[cell]",
    ),
    "targets",
    "alerts",
    "undefined_reasons",
    "data_quality",
)

#: targets on these metrics are compared with their mean per day on longer windows
PER_DAY_TARGETS = ("net_pnl", "trades_total")

#: every metric, in summary order
METRICS: tuple[Metric, ...] = tuple(m for m in SUMMARY if isinstance(m, Metric))
BY_FIELD: dict[str, Metric] = {m.field: m for m in METRICS}
DEFINITIONS: dict[str, str] = {m.field: m.definition for m in METRICS}

#: Pages list each table's metrics in a reading order, the headline figure first; the
#: summary's key order cannot follow it without changing every artifact's bytes.
# fmt: off
PAGE_ORDER = (
    "trades_total", "trades_closed", "trades_open", "wins", "losses", "breakevens", "win_rate",
    "net_pnl", "gross_pnl", "gross_profit", "gross_loss", "profit_factor", "expectancy",
    "avg_win", "avg_loss", "payoff_ratio", "largest_win", "largest_loss", "unrealized_pnl",
    "commission_total", "slippage_total", "costs_total",
    "commission_share", "slippage_share", "costs_share",
    "max_drawdown", "max_drawdown_duration_trades", "sharpe", "sortino",
    "avg_r_multiple", "sqn", "avg_risk_reward", "planned_rr_trades", "planned_rr_reached",
    "planned_rr_reached_rate", "r_trades", "no_stop_trades",
    "current_streak", "max_win_streak", "max_loss_streak",
    "best_day", "worst_day", "winning_days", "losing_days",
    "total_return", "max_drawdown_relative", "volatility_annual", "cagr", "calmar",
)
# fmt: on

#: definitions.html keeps the order it has always had: the first metrics, then the
#: cost, R and drawdown ones in the order they were added.
# fmt: off
DEFINITION_ORDER = (
    "trades_total", "trades_closed", "trades_open", "wins", "losses", "breakevens", "win_rate",
    "net_pnl", "gross_profit", "gross_loss", "profit_factor", "avg_win", "avg_loss",
    "largest_win", "largest_loss", "payoff_ratio", "expectancy",
    "avg_risk_reward", "avg_r_multiple", "sqn", "commission_total", "slippage_total",
    "unrealized_pnl", "current_streak", "max_win_streak", "max_loss_streak",
    "max_drawdown", "max_drawdown_duration_trades", "daily_pnl",
    "best_day", "worst_day", "winning_days", "losing_days", "sharpe", "sortino",
    "gross_pnl", "costs_total", "commission_share", "slippage_share", "costs_share",
    "r_trades", "no_stop_trades", "r_histogram",
    "planned_rr_trades", "planned_rr_reached", "planned_rr_reached_rate",
    "drawdowns", "drawdown_count", "current_drawdown", "breakdowns", "hold_time",
    "exit_reason",
    "win_rate_low", "win_rate_high", "expectancy_low", "expectancy_high",
    "by_mode", "by_version", "version_change",
    "total_return", "max_drawdown_relative", "volatility_annual", "cagr", "calmar",
)
# fmt: on

#: With starting_equity, Sharpe and Sortino are computed on the daily returns instead of
#: the daily P&L (same formulas): definitions.html then says so.
RETURNS_DEFINITIONS = {
    "sharpe": "With starting_equity (this report): mean(daily return) / sample stdev(daily "
    "return) × √252, over the n days of the daily P&L series, a day's return being its net "
    "P&L / the previous end-of-day equity (see total_return); n/a when n < 2, the stdev is "
    "0, or returns are undefined.",
    "sortino": "With starting_equity (this report): mean(r) / √(Σ min(0, r)² / n) × √252 "
    "over the daily returns r of the n days of the daily P&L series; n/a when no day is "
    "negative, or returns are undefined.",
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
    "Drawdowns are measured on two equity curves, and every drawdown figure names its "
    "own. Trade by trade (max drawdown and its length in trades, the chart of a day): "
    "the equity after every closed trade, so a fall within a day counts even when the "
    "day makes it up by its close. End of day (the drawdown table, the current "
    "drawdown, the charts of weeks, months and all time): each day's closing balance "
    "only. So over the same trades the trade-by-trade figure can be deeper than the "
    "end-of-day one, never shallower.",
    "A metric that cannot be computed shows as n/a with the reason, never as infinity. "
    "Windows (and breakdown cells) with fewer than 30 closed trades are a small "
    "sample: read their ratios with care.",
)


#: With starting_equity, a note on returns follows those above.
RETURNS_NOTE = (
    "Returns (this report knows the account size, starting_equity): end-of-day equity is "
    "starting_equity plus the net P&L of every day up to it, over the whole history; a "
    "day's return is its net P&L / the previous end-of-day equity, and Sharpe, Sortino "
    "and the volatility are computed on the daily returns. Once equity falls to 0 or "
    "below, returns are undefined (n/a) from then on."
)


@functools.cache
def summary_keys(window: str, returns: bool = False) -> tuple[str, ...]:
    """The top-level keys of a summary of ``window``, in the order they are written
    (``returns``: with the returns of a known account size)."""
    keys = []
    for entry in SUMMARY:
        if isinstance(entry, str):
            keys.append(entry)
        elif (entry.returns and not returns) or (entry.all_only and window != "all"):
            continue
        elif entry.within is None and (entry.daily or window != "daily"):
            keys.append(entry.field)
    return tuple(keys)


#: the metrics of the metric tables (the pages' and the Markdown report's), in summary order
LISTED: tuple[Metric, ...] = tuple(m for m in METRICS if m.group is not None)


def _page_groups() -> tuple[tuple[str, tuple[Metric, ...]], ...]:
    groups: dict[str, list[Metric]] = {}
    for field in PAGE_ORDER:
        entry = BY_FIELD[field]
        groups.setdefault(entry.group or "", []).append(entry)
    return tuple((title, tuple(rows)) for title, rows in groups.items())


#: the metric tables of a period page: (title, metrics), in PAGE_ORDER
PAGE_GROUPS = _page_groups()
#: every metric, in the order definitions.html lists them
DEFINED: tuple[Metric, ...] = tuple(BY_FIELD[field] for field in DEFINITION_ORDER)


# --- the breakdown grid ----------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of the breakdown grid: a field of each cell, defined and shown as the
    window metric ``metric``, over the cell's trades."""

    field: str
    metric: Metric
    label: str


def _column(field: str, label: str = "", same_as: str = "") -> Column:
    entry = BY_FIELD[same_as or field]
    return Column(field, entry, label or entry.label)


#: the grid's columns after the key; labels are short, the grid is wide
GRID: tuple[Column, ...] = (
    _column("trades_closed"),
    _column("win_rate"),
    _column("profit_factor"),
    _column("expectancy"),
    _column("net_pnl"),
    _column("avg_r_multiple", "Avg R"),
    _column("costs", "Costs", same_as="costs_total"),
    _column("costs_share"),
)
