"""Independent reference implementation ("oracle") of the sitegen analytics.

Written straight from the log format and docs/summary-format.md, without
reading or importing anything from ``sitegen``.  It is deliberately slow and
literal: every window is computed by iterating its full, time-ordered list of
trades (no partial aggregates, no merging), using exact ``Fraction`` arithmetic
for quotients and ``Decimal`` only for money sums and square roots.

Public API:

* ``compute(logs_dir, tz="UTC", holidays=frozenset(), modes=None,
  starting_equity=None)`` ->
  ``{(window, period): summary}`` for every daily, weekly and monthly period
  touching the data range, plus ``("all", "all")``.  ``modes``: the execution
  modes analysed (None: every mode); identity is resolved over every record
  first, then the records of other modes are left out and only counted.
  ``starting_equity`` (the account size): the returns too, from an equity walk
  of its own over the closed trades (see ``_returns``).
* ``diff(expected, actual)`` -> list of human-readable mismatches.
* ``equal(a, b)`` -> ``not diff(a, b)``.
* ``check_format(summary)`` -> list of formatting violations (6-place
  quotients, plain money strings, no negative zero).

Books and versions: ``by_mode`` groups the closed trades by execution mode like
by_symbol; ``by_version`` lists each version in the order its first closed trade
appears in the window's time-ordered trades; ``version_change`` compares the last two
of the whole history with Welch's interval computed from the two-pass sample
variances (exact Fractions, Welch–Satterthwaite degrees of freedom as a Fraction),
and its ``more_trades_needed`` from the larger root of the quadratic the condition
becomes once multiplied out, checked exactly (the engine bisects).

Summaries contain every top-level field of summary-format.md except
``targets``, ``alerts`` and ``undefined_reasons``; of ``data_quality`` only
``excluded_by_mode``.

The 95% intervals of the by_symbol / by_strategy rows are computed straight from
each row's trades: the Wilson interval in its textbook form (centre ± half-width,
exact Fractions), the expectancy's from the mean and the two-pass sample variance;
the t quantile by numeric integration of the t density (double-exponential
quadrature, no gamma function) and bisection: a method of its own, so that it
and the engine's (Hill's approximation and Newton on the incomplete beta) check
each other.
"""

from __future__ import annotations

import calendar
import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["check_format", "compute", "diff", "equal"]

FILE_NAME_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\.jsonl")
DECIMAL_STRING_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
OUTCOMES = ("win", "loss", "breakeven", "open")
CLOSED_OUTCOMES = ("win", "loss", "breakeven")
NUMERIC_FIELDS = (
    "quantity",
    "price",
    "stop_loss",
    "risk_reward_ratio",
    "profit_loss",
    "net_profit_loss",
    "commission",
    "slippage",
)
MONEY_LIMIT = Decimal(10) ** 15
NO_STRATEGY = "(none)"
NO_MODE = "UNKNOWN"  # execution_mode missing, null or ""
NO_TRADES_NOTE = "No trades in window"

# Exact context for money sums: additions never round (Inexact would raise).
EXACT = Context(
    prec=MAX_PREC,
    Emax=MAX_EMAX,
    Emin=MIN_EMIN,
    rounding=ROUND_HALF_EVEN,
    traps=[Inexact, InvalidOperation, Overflow],
)
SQRT_PRECISION = 60
SIX_PLACES = Decimal("0.000001")

# Fields as typed in summary-format.md (used by diff and check_format).
QUOTIENT_FIELDS = frozenset(
    {
        "win_rate",
        "profit_factor",
        "avg_win",
        "avg_loss",
        "payoff_ratio",
        "expectancy",
        "avg_risk_reward",
        "avg_r_multiple",
        "sqn",
        "sharpe",
        "sortino",
        "win_rate_low",
        "win_rate_high",
        "expectancy_low",
        "expectancy_high",
        "difference",  # version_change's
        "low",
        "high",
        *("total_return", "max_drawdown_relative", "volatility_annual", "cagr", "calmar"),
    }
)
MONEY_FIELDS = frozenset(
    {
        "net_pnl",
        "gross_profit",
        "gross_loss",
        "largest_win",
        "largest_loss",
        "commission_total",
        "slippage_total",
        "unrealized_pnl",
        "max_drawdown",
        "best_day",
        "worst_day",
    }
)
DECIMAL_FIELDS = QUOTIENT_FIELDS | MONEY_FIELDS
DAILY_PNL_VALUE = "daily_pnl[]"  # pseudo field name for the values of daily_pnl
REASON = "undefined_reasons[]"  # pseudo field name for the reasons of a row
# Metrics that may be null; each null one needs an entry in undefined_reasons.
NULLABLE_METRICS = (
    "win_rate",
    "profit_factor",
    "avg_win",
    "avg_loss",
    "largest_win",
    "largest_loss",
    "payoff_ratio",
    "expectancy",
    "avg_risk_reward",
    "avg_r_multiple",
    "sqn",
    "best_day",
    "worst_day",
    "sharpe",
    "sortino",
    "version_change",
    "total_return",
    "max_drawdown_relative",
    "volatility_annual",
    "cagr",
    "calmar",
)


# ---------------------------------------------------------------------------
# Reading the logs
# ---------------------------------------------------------------------------


class BadLine(Exception):
    """A log line that must be skipped (reason in args[0])."""


class _JsonInt(Decimal):
    """A Decimal that came from a JSON integer token (to tell 5 from 5.0)."""


def _reject_constant(token: str) -> Any:
    raise ValueError(f"non-finite number {token}")


@dataclass
class Trade:
    order_key: tuple[str, Any] | None
    file_date: date
    line: int
    symbol: str
    strategy: str
    outcome: str
    instant: datetime  # attribution instant (aware, UTC)
    local_date: date  # attribution local date in the configured zone
    quantity: Decimal | None
    price: Decimal | None
    stop_loss: Decimal | None
    risk_reward_ratio: Decimal | None
    profit_loss: Decimal | None
    net_profit_loss: Decimal | None
    commission: Decimal | None
    slippage: Decimal | None
    mode: str = NO_MODE
    version: str = "unknown · unknown"

    @property
    def closed(self) -> bool:
        return self.outcome in CLOSED_OUTCOMES

    @property
    def pnl(self) -> Decimal:
        """net_profit_loss, else profit_loss, else 0."""
        if self.net_profit_loss is not None:
            return self.net_profit_loss
        if self.profit_loss is not None:
            return self.profit_loss
        return Decimal(0)


@dataclass
class Problem:
    file_date: date
    line: int  # 0 for a file that could not be read/decoded
    reason: str


@dataclass
class LogData:
    file_dates: list[date]  # every trade-log file name date, sorted
    problems: list[Problem]  # skipped lines and unreadable files
    in_progress: list[tuple[date, int]]
    records: list[Trade]  # every valid record, file order then line order
    trades: list[Trade]  # after identity resolution, in attribution order (every mode)


def _parse_timestamp(value: Any, name: str) -> datetime:
    if not isinstance(value, str):
        raise BadLine(f"{name} is not a string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadLine(f"{name} is not ISO 8601") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise BadLine(f"{name} out of range") from exc


def _parse_number(record: dict, name: str) -> Decimal | None:
    value = record.get(name)
    if value is None:
        return None
    if isinstance(value, Decimal):  # a JSON number (bool is never a Decimal)
        number = Decimal(value)
    elif isinstance(value, str) and DECIMAL_STRING_RE.fullmatch(value):
        try:
            number = Decimal(value)
        except ArithmeticError as exc:
            raise BadLine(f"{name} is not a usable decimal") from exc
    else:
        raise BadLine(f"{name} is not a decimal string or number")
    if not number.is_finite() or not number.copy_abs() < MONEY_LIMIT:
        raise BadLine(f"{name} is not finite or too large")
    return number


def _parse_record(text: str, file_date: date, line: int, zone: ZoneInfo) -> Trade:
    try:
        record = json.loads(
            text,
            parse_float=Decimal,
            parse_int=_JsonInt,
            parse_constant=_reject_constant,
        )
    except (ValueError, ArithmeticError, RecursionError) as exc:
        raise BadLine("not JSON") from exc
    if not isinstance(record, dict):
        raise BadLine("not an object")

    if "timestamp" not in record or record["timestamp"] is None:
        raise BadLine("missing timestamp")
    timestamp = _parse_timestamp(record["timestamp"], "timestamp")
    symbol = record.get("symbol")
    if not isinstance(symbol, str) or symbol == "":
        raise BadLine("missing or invalid symbol")
    outcome = record.get("outcome")
    if not isinstance(outcome, str) or outcome not in OUTCOMES:
        raise BadLine("missing or invalid outcome")

    exit_raw = record.get("exit_timestamp")
    exit_timestamp = None if exit_raw is None else _parse_timestamp(exit_raw, "exit_timestamp")

    numbers = {name: _parse_number(record, name) for name in NUMERIC_FIELDS}

    order_id = record.get("order_id")
    order_key: tuple[str, Any] | None
    if order_id is None or order_id == "":
        order_key = None
    elif isinstance(order_id, str):
        order_key = ("str", order_id)
    elif isinstance(order_id, _JsonInt):
        order_key = ("int", int(order_id))
    else:
        raise BadLine("order_id is not a string or integer")

    strategy = record.get("strategy_name")
    if not isinstance(strategy, str) or strategy == "":
        strategy = NO_STRATEGY

    mode = record.get("execution_mode")
    if mode is not None and not isinstance(mode, str):
        raise BadLine("execution_mode is not a string")
    parts = []
    for name in ("bot_version", "config_hash"):
        value = record.get(name)
        if value is None or value == "":
            parts.append("unknown")
        elif isinstance(value, str):
            parts.append(value)
        elif isinstance(value, _JsonInt):
            parts.append(str(int(value)))
        else:
            raise BadLine(f"{name} is not a string or integer")

    if outcome in CLOSED_OUTCOMES and exit_timestamp is not None:
        instant = exit_timestamp
    else:
        instant = timestamp
    try:
        local_date = instant.astimezone(zone).date()
    except (OverflowError, ValueError) as exc:
        raise BadLine("timestamp out of range in the time zone") from exc

    return Trade(
        order_key=order_key,
        file_date=file_date,
        line=line,
        symbol=symbol,
        strategy=strategy,
        outcome=outcome,
        instant=instant,
        local_date=local_date,
        **numbers,
        mode=mode or NO_MODE,
        version=" · ".join(parts),
    )


def _log_files(logs_dir: Path) -> list[tuple[date, Path]]:
    files = []
    for path in Path(logs_dir).iterdir():
        match = FILE_NAME_RE.fullmatch(path.name)
        if match is None or not path.is_file():
            continue
        try:
            file_date = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue  # e.g. 2025-02-30.jsonl is not a trade log
        files.append((file_date, path))
    files.sort()
    return files


def load(logs_dir: Path, tz: str = "UTC") -> LogData:
    zone = ZoneInfo(tz)
    files = _log_files(logs_dir)
    problems: list[Problem] = []
    in_progress: list[tuple[date, int]] = []
    records: list[Trade] = []
    for file_date, path in files:
        try:
            content = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(file_date, 0, f"unreadable file: {exc}"))
            continue
        if content.startswith("\ufeff"):
            content = content[1:]
        pieces = re.split(r"\n|\r(?!\n)", content)  # a CR alone ends a line too
        complete, last = pieces[:-1], pieces[-1]
        if last != "":
            in_progress.append((file_date, len(pieces)))
        for index, raw in enumerate(complete):
            line_no = index + 1
            text = raw[:-1] if raw.endswith("\r") else raw
            try:
                records.append(_parse_record(text, file_date, line_no, zone))
            except BadLine as exc:
                problems.append(Problem(file_date, line_no, str(exc)))

    # Identity: the latest record (later file date, then later line) wins.
    latest: dict[tuple[str, Any], Trade] = {}
    for record in records:  # records are in (file date, line) order
        if record.order_key is not None:
            latest[record.order_key] = record
    trades = [r for r in records if r.order_key is None or latest[r.order_key] is r]
    trades.sort(key=lambda t: (t.instant, t.file_date, t.line))
    return LogData(
        file_dates=[d for d, _ in files],
        problems=problems,
        in_progress=in_progress,
        records=records,
        trades=trades,
    )


# ---------------------------------------------------------------------------
# Number formatting
# ---------------------------------------------------------------------------


def money(value: Decimal) -> str:
    """Exact money string, no exponent, never -0."""
    if value == 0:
        value = value.copy_abs()
    return format(value, "f")


def _money_sum(values: list[Decimal]) -> Decimal:
    total = Decimal(0)
    for value in values:
        total = EXACT.add(total, value)
    return total


def quotient(value: Fraction | Decimal | None) -> str | None:
    """Round half-even to 6 places, written with exactly 6 places."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        scaled = round(value * 1_000_000)  # Fraction.__round__: half-even
        sign = "-" if scaled < 0 else ""
        scaled = abs(scaled)
        return f"{sign}{scaled // 1_000_000}.{scaled % 1_000_000:06d}"
    rounded = value.quantize(SIX_PLACES, rounding=ROUND_HALF_EVEN)
    if rounded == 0:
        rounded = rounded.copy_abs()
    return format(rounded, "f")


def _to_decimal(value: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = SQRT_PRECISION
        return Decimal(value.numerator) / Decimal(value.denominator)


def _times_sqrt(factor: Fraction, radicand: Fraction) -> Fraction | Decimal:
    """factor * sqrt(radicand): exact when the radicand is a rational square,
    else Decimal with 60 significant digits (rounded only at the end)."""
    num, den = radicand.numerator, radicand.denominator
    root_num, root_den = math.isqrt(num), math.isqrt(den)
    if root_num * root_num == num and root_den * root_den == den:
        return factor * Fraction(root_num, root_den)
    with localcontext() as ctx:
        ctx.prec = SQRT_PRECISION
        return _to_decimal(factor) * _to_decimal(radicand).sqrt()


def _mean(values: list[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


def _sample_variance(values: list[Fraction]) -> Fraction:
    mean = _mean(values)
    return sum(((v - mean) ** 2 for v in values), Fraction(0)) / (len(values) - 1)


# ---------------------------------------------------------------------------
# Calendar
# ---------------------------------------------------------------------------


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _is_trading_day(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def _week_id(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def _week_bounds(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, date.fromordinal(min(monday.toordinal() + 6, date.max.toordinal()))


def _month_id(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _month_bounds(day: date) -> tuple[date, date]:
    last_day = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last_day)


# ---------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# 95% intervals
# ---------------------------------------------------------------------------

Z95 = Fraction("1.959964")
T_PLACES = 9  # the t quantile is rounded to 9 decimal places (summary-format.md)


def _tanh_sinh(f, a: float, b: float) -> float:
    """The integral of f over [a, b] by double-exponential (tanh-sinh) quadrature,
    halving the step until two levels agree. ``f(x, near_a, near_b)``, 0 ≤ f ≤ 1, is
    given the distances to both ends, so that an integrand steep at an end loses no
    digits."""
    half = (b - a) / 2

    def level(h: float, odd_only: bool) -> float:
        total = 0.0
        k = 1 if odd_only else 0
        step = 2 if odd_only else 1
        while True:
            u = k * h
            arg = math.pi / 2 * math.sinh(u)
            if arg > 350:  # past this the weight underflows (and cosh² overflows)
                break
            gap = half * 2 / (math.exp(2 * arg) + 1)  # distance of the node to an end
            weight = half * math.pi / 2 * math.cosh(u) / math.cosh(arg) ** 2
            if gap == 0:
                break
            part = weight * (
                f(b - gap, b - a - gap, gap) + (f(a + gap, gap, b - a - gap) if k else 0)
            )
            total += part
            if k and weight < 1e-18 * abs(total):  # f ≤ 1: the rest adds nothing
                break
            k += step
        return total

    h = 1.0
    estimate = level(h, False) * h
    for _ in range(12):
        h /= 2
        refined = estimate / 2 + level(h, True) * h
        # the error falls about quadratically from level to level: two levels this
        # close leave the finer one exact to the rounding of its terms
        if abs(refined - estimate) <= 1e-13 * abs(refined):
            return refined
        estimate = refined
    return estimate


def t_upper_tail(t: float, df: float) -> float:
    """P(T > t), t ≥ 0, for Student's t with df degrees of freedom. With T = √df·tan θ
    the density in θ is proportional to cos^(df−1) θ on (−π/2, π/2), so
    P(T > t) = ∫_θ0^π/2 cos^(df−1) / (2 ∫_0^π/2 cos^(df−1)), θ0 = atan(t/√df)."""
    theta0 = math.atan(t / math.sqrt(df))
    end = _t_end(df)
    if theta0 >= end:
        return 0.0
    return _tanh_sinh(_t_density(df), theta0, end) / (2 * _t_whole(df))


def _t_end(df: float) -> float:
    """Where cos^(df−1) falls below e^-60: the rest of (0, π/2) adds nothing that a
    double can hold (for a large df the density is a narrow peak at 0)."""
    return math.pi / 2 if df <= 2 else math.acos(math.exp(-60 / (df - 1)))


def _t_density(df: float):
    """cos^(df−1) θ on (0, _t_end(df)), given θ and its distances to both ends."""
    to_pi_2 = _t_end(df) == math.pi / 2  # the distance to the end is the one to π/2

    def density(theta: float, _from_start: float, to_end: float) -> float:
        # near π/2, cos θ = sin(π/2 − θ) from the distance to π/2; near 0, ln cos θ =
        # ln(1 − 2 sin²(θ/2)), without the cancellation of 1 − cos θ
        if theta > 1:
            cos = math.sin(to_end) if to_pi_2 and to_end < 0.5 else math.cos(theta)
            return 0.0 if cos <= 0 else math.exp((df - 1) * math.log(cos))
        return math.exp((df - 1) * math.log1p(-2 * math.sin(theta / 2) ** 2))

    return density


_WHOLE: dict[float, float] = {}


def _t_whole(df: float) -> float:
    if df not in _WHOLE:
        _WHOLE[df] = _tanh_sinh(_t_density(df), 0.0, _t_end(df))
    return _WHOLE[df]


def t_quantile(p: float, df: float) -> float:
    """The p-quantile (p > 0.5) of Student's t, by bisection on t_upper_tail."""
    target = 1 - p
    low, high = 0.0, 1.0
    while t_upper_tail(high, df) > target:
        low, high = high, high * 2
    for _ in range(200):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if t_upper_tail(middle, df) > target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


_T_CACHE: dict[float, Fraction] = {}


def t975(df: float) -> Fraction:
    """t(0.975, df) rounded to T_PLACES decimal places, as the engine rounds it; df need
    not be whole (Welch)."""
    if df not in _T_CACHE:
        _T_CACHE[df] = Fraction(Decimal(format(t_quantile(0.975, df), f".{T_PLACES}f")))
    return _T_CACHE[df]


def _clamp(value: Fraction | Decimal, low: int, high: int) -> Fraction | Decimal:
    return max(min(value, high), low)


def wilson_interval(wins: int, n: int) -> tuple[Any, Any]:
    """centre ± half, centre = (p + z²/2n) / (1 + z²/n),
    half = z / (1 + z²/n) · √(p(1 − p)/n + z²/4n²), within [0, 1]."""
    p = Fraction(wins, n)
    z = Z95
    scale = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / scale
    half = _times_sqrt(z / scale, p * (1 - p) / n + z * z / (4 * n * n))
    half = Fraction(half) if isinstance(half, Decimal) else half
    return _clamp(centre - half, 0, 1), _clamp(centre + half, 0, 1)


def mean_interval(values: list[Decimal]) -> tuple[Any, Any] | str:
    """mean ± t(0.975, n − 1) · s / √n; else why it is undefined."""
    n = len(values)
    if n < 2:
        return "fewer than 2 closed trades"
    fractions = [Fraction(v) for v in values]
    variance = _sample_variance(fractions)
    if variance == 0:
        return "closed-trade P&L has zero spread"
    half = _times_sqrt(t975(n - 1), variance / n)
    half = Fraction(half) if isinstance(half, Decimal) else half
    mean = _mean(fractions)
    return mean - half, mean + half


def _breakdown(closed: list[Trade], attribute: str) -> list[dict]:
    groups: dict[str, list[Trade]] = {}
    for trade in closed:
        groups.setdefault(getattr(trade, attribute), []).append(trade)
    rows = []
    for key, members in groups.items():
        wins = sum(1 for t in members if t.outcome == "win")
        rows.append(
            {
                "key": key,
                "trades_closed": len(members),
                "wins": wins,
                "win_rate": Fraction(wins, len(members)),
                "win_rate_interval": wilson_interval(wins, len(members)),
                "net_pnl": _money_sum([t.pnl for t in members]),
                "expectancy_interval": mean_interval([t.pnl for t in members]),
            }
        )
    rows.sort(key=lambda row: row["key"])
    rows.sort(key=lambda row: row["net_pnl"], reverse=True)  # stable: key breaks ties
    out = []
    for row in rows:
        win_low, win_high = row["win_rate_interval"]
        expectancy = row["expectancy_interval"]
        reasons = {}
        if isinstance(expectancy, str):
            reasons = {"expectancy_low": expectancy, "expectancy_high": expectancy}
            expectancy = (None, None)
        out.append(
            {
                "key": row["key"],
                "trades_closed": row["trades_closed"],
                "wins": row["wins"],
                "win_rate": quotient(row["win_rate"]),
                "win_rate_low": quotient(win_low),
                "win_rate_high": quotient(win_high),
                "net_pnl": money(row["net_pnl"]),
                "expectancy": quotient(Fraction(row["net_pnl"]) / row["trades_closed"]),
                "expectancy_low": quotient(expectancy[0]),
                "expectancy_high": quotient(expectancy[1]),
                "undefined_reasons": reasons,
            }
        )
    return out


# ---------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------


def _r_value(trade: Trade) -> Fraction | None:
    """R = P&L / (|price − stop_loss| × quantity), exactly; None without a usable stop."""
    if (
        trade.price is None
        or trade.stop_loss is None
        or trade.quantity is None
        or trade.price == trade.stop_loss
        or not trade.quantity > 0
    ):
        return None
    risk = abs(Fraction(trade.price) - Fraction(trade.stop_loss)) * Fraction(trade.quantity)
    return Fraction(trade.pnl) / risk


def _sqn(values: list[Fraction]) -> tuple[Any, str | None]:
    if len(values) < 2:
        return None, "fewer than 2 closed trades with a usable stop"
    variance = _sample_variance(values)
    if variance == 0:
        return None, "R multiples have zero spread"
    return _times_sqrt(_mean(values), Fraction(len(values)) / variance), None


def _by_version(closed: list[Trade]) -> list[dict]:
    """One row per version, in order of first appearance in ``closed`` (time order)."""
    groups: dict[str, list[Trade]] = {}
    for trade in closed:
        groups.setdefault(trade.version, []).append(trade)
    rows = []
    for key, members in groups.items():
        [base] = _breakdown(members, "version")
        reasons = dict(base.pop("undefined_reasons"))
        r_values = [r for r in map(_r_value, members) if r is not None]
        sqn, why = _sqn(r_values)
        if not r_values:
            reasons["avg_r_multiple"] = "no closed trades with a usable stop"
        if why is not None:
            reasons["sqn"] = why
        losses = [t.pnl for t in members if t.outcome == "loss"]
        gross_loss = _money_sum(losses)
        gross_profit = _money_sum([t.pnl for t in members if t.outcome == "win"])
        if gross_loss:
            profit_factor = Fraction(gross_profit) / abs(Fraction(gross_loss))
        else:
            profit_factor = None
            reasons["profit_factor"] = "no losing trades" if not losses else "gross loss is 0"
        rows.append(
            {
                "key": key,
                "first_day": members[0].local_date.isoformat(),
                "last_day": members[-1].local_date.isoformat(),
                **{k: v for k, v in base.items() if k != "key"},
                "avg_r_multiple": quotient(_mean(r_values)) if r_values else None,
                "r_trades": len(r_values),
                "sqn": quotient(sqn),
                "profit_factor": quotient(profit_factor),
                "undefined_reasons": reasons,
            }
        )
    return rows


def more_trades(before: list[Fraction], after: list[Fraction]) -> int | None:
    """The smallest k ≥ 1 with z·√(s₁²/(n₁ + k) + s₂²/(n₂ + k)) < |d|, from the
    quadratic it becomes once multiplied out (independent of the engine's bisection):
    f(k) = d²(n₁ + k)(n₂ + k) − z²(s₁²(n₂ + k) + s₂²(n₁ + k)) > 0, whose larger root r
    gives k = ⌊r⌋ + 1, checked and corrected exactly."""
    n1, n2 = len(before), len(after)
    v1, v2 = _sample_variance(before), _sample_variance(after)
    d = _mean(after) - _mean(before)
    z2, d2 = Z95 * Z95, d * d
    a = d2
    b = d2 * (n1 + n2) - z2 * (v1 + v2)
    c = d2 * n1 * n2 - z2 * (v1 * n2 + v2 * n1)

    def f(k: int) -> Fraction:
        return (a * k + b) * k + c

    discriminant = b * b - 4 * a * c
    if discriminant < 0:
        k = 1
    else:
        root = (-_to_decimal(b) + _to_decimal(discriminant).sqrt()) / (2 * _to_decimal(a))
        k = max(1, math.floor(root) + 1)
    while k > 1 and f(k - 1) > 0:
        k -= 1
    while f(k) <= 0:
        k += 1
    return k


def _comparison(before: list[Fraction], after: list[Fraction], counted: str, values: str):
    reasons: dict[str, str] = {}

    def sides(previous: bool, latest: bool) -> str:
        if previous and latest:
            return "both versions"
        return "the previous version" if previous else "the latest version"

    difference = None
    if before and after:
        difference = _mean(after) - _mean(before)
    else:
        reasons["difference"] = f"no {counted} in " + sides(not before, not after)
    low = high = None
    if len(before) < 2 or len(after) < 2:
        reasons["low"] = reasons["high"] = f"fewer than 2 {counted} in " + sides(
            len(before) < 2, len(after) < 2
        )
    else:
        v1, v2 = _sample_variance(before), _sample_variance(after)
        if v1 == 0 and v2 == 0:
            reasons["low"] = reasons["high"] = f"{values} have zero spread in both versions"
        else:
            e1, e2 = v1 / len(before), v2 / len(after)
            # Welch–Satterthwaite
            df = (e1 + e2) ** 2 / (e1 * e1 / (len(before) - 1) + e2 * e2 / (len(after) - 1))
            half = _times_sqrt(t975(float(df)), e1 + e2)
            half = Fraction(half) if isinstance(half, Decimal) else half
            low, high = quotient(difference - half), quotient(difference + half)
    if low is not None and Decimal(low) > 0:
        verdict = "better"
    elif high is not None and Decimal(high) < 0:
        verdict = "worse"
    else:
        verdict = "not_yet_clear"
    more = None
    if verdict != "not_yet_clear":
        reasons["more_trades_needed"] = "the interval already excludes 0"
    elif low is None:
        reasons["more_trades_needed"] = reasons["low"]
    elif difference == 0:
        reasons["more_trades_needed"] = "the difference is 0"
    else:
        more = more_trades(before, after)
    return {
        "difference": quotient(difference),
        "low": low,
        "high": high,
        "verdict": verdict,
        "n_previous": len(before),
        "n_latest": len(after),
        "more_trades_needed": more,
        "undefined_reasons": reasons,
    }


def _version_change(closed: list[Trade]) -> dict | None:
    order: list[str] = []
    for trade in closed:
        if trade.version not in order:
            order.append(trade.version)
    if len(order) < 2:
        return None
    previous, latest = order[-2], order[-1]
    before = [t for t in closed if t.version == previous]
    after = [t for t in closed if t.version == latest]

    def r_of(members: list[Trade]) -> list[Fraction]:
        return [r for r in map(_r_value, members) if r is not None]

    return {
        "previous": previous,
        "latest": latest,
        "expectancy": _comparison(
            [Fraction(t.pnl) for t in before],
            [Fraction(t.pnl) for t in after],
            "closed trades",
            "P&L",
        ),
        "avg_r_multiple": _comparison(
            r_of(before), r_of(after), "closed trades with a usable stop", "R multiples"
        ),
    }


def _streaks(closed: list[Trade]) -> tuple[dict, int, int]:
    current_type = "none"
    current_count = 0
    max_win = 0
    max_loss = 0
    for trade in closed:
        if trade.outcome == "breakeven":
            continue  # neither extends nor breaks a streak
        if trade.outcome == current_type:
            current_count += 1
        else:
            current_type = trade.outcome
            current_count = 1
        if current_type == "win":
            max_win = max(max_win, current_count)
        else:
            max_loss = max(max_loss, current_count)
    return {"type": current_type, "count": current_count}, max_win, max_loss


def _drawdown(closed: list[Trade]) -> tuple[Decimal, int]:
    equity = Decimal(0)
    peak = Decimal(0)
    worst = Decimal(0)
    run = 0
    longest = 0
    for trade in closed:
        equity = EXACT.add(equity, trade.pnl)
        if equity > peak:
            peak = equity
        drawdown = EXACT.subtract(equity, peak)
        if drawdown < worst:
            worst = drawdown
        if equity < peak:
            run += 1
            longest = max(longest, run)
        else:
            run = 0
    return worst, longest


def _summary(
    *,
    window: str,
    period: str,
    start: date,
    end: date,
    tz: str,
    trades: list[Trade],
    series_dates: list[date],
    missing_days: list[date],
    partial: bool,
    excluded: list[str] = (),  # type: ignore[assignment]
    walk: EquityWalk | None = None,
) -> dict:
    closed = [t for t in trades if t.closed]
    open_trades = [t for t in trades if not t.closed]
    wins = [t for t in closed if t.outcome == "win"]
    losses = [t for t in closed if t.outcome == "loss"]
    breakevens = [t for t in closed if t.outcome == "breakeven"]

    net_pnl = _money_sum([t.pnl for t in closed])
    gross_profit = _money_sum([t.pnl for t in wins])
    gross_loss = _money_sum([t.pnl for t in losses])

    win_rate = Fraction(len(wins), len(closed)) if closed else None
    profit_factor = Fraction(gross_profit) / abs(Fraction(gross_loss)) if gross_loss != 0 else None
    avg_win = Fraction(gross_profit) / len(wins) if wins else None
    avg_loss = Fraction(gross_loss) / len(losses) if losses else None
    payoff_ratio = (
        avg_win / abs(avg_loss)
        if avg_win is not None and avg_loss is not None and avg_loss != 0
        else None
    )
    expectancy = Fraction(net_pnl) / len(closed) if closed else None
    largest_win = max((t.pnl for t in wins), default=None)
    largest_loss = min((t.pnl for t in losses), default=None)

    planned = [Fraction(t.risk_reward_ratio) for t in closed if t.risk_reward_ratio is not None]
    avg_risk_reward = _mean(planned) if planned else None

    r_values: list[Fraction] = []
    for trade in closed:
        if (
            trade.price is not None
            and trade.stop_loss is not None
            and trade.quantity is not None
            and trade.price != trade.stop_loss
            and trade.quantity > 0
        ):
            risk = abs(Fraction(trade.price) - Fraction(trade.stop_loss)) * Fraction(trade.quantity)
            r_values.append(Fraction(trade.pnl) / risk)
    avg_r = _mean(r_values) if r_values else None
    sqn: Fraction | Decimal | None = None
    if len(r_values) >= 2:
        variance = _sample_variance(r_values)
        if variance != 0:
            sqn = _times_sqrt(_mean(r_values), Fraction(len(r_values)) / variance)

    commission_total = _money_sum([t.commission for t in closed if t.commission is not None])
    slippage_total = _money_sum([t.slippage for t in closed if t.slippage is not None])
    unrealized = _money_sum([t.profit_loss for t in open_trades if t.profit_loss is not None])

    current_streak, max_win_streak, max_loss_streak = _streaks(closed)
    max_drawdown, drawdown_trades = _drawdown(closed)

    closed_by_date: dict[date, list[Decimal]] = {}
    for trade in closed:
        closed_by_date.setdefault(trade.local_date, []).append(trade.pnl)
    daily: dict[date, Decimal] = {}
    for day in series_dates:
        daily[day] = _money_sum(closed_by_date.get(day, []))
    values = list(daily.values())
    best_day = max(values, default=None)
    worst_day = min(values, default=None)
    best_day_date = next((d for d, v in daily.items() if v == best_day), None)
    worst_day_date = next((d for d, v in daily.items() if v == worst_day), None)

    fractions = [Fraction(v) for v in values]
    sharpe: Fraction | Decimal | None = None
    if len(fractions) >= 2:
        variance = _sample_variance(fractions)
        if variance != 0:
            sharpe = _times_sqrt(_mean(fractions), 252 / variance)
    sortino: Fraction | Decimal | None = None
    downside = sum((min(Fraction(0), x) ** 2 for x in fractions), Fraction(0))
    if any(x < 0 for x in fractions):
        sortino = _times_sqrt(_mean(fractions), 252 * Fraction(len(fractions)) / downside)

    summary: dict[str, Any] = {
        "schema_version": 1,
        "window": window,
        "period": period,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "timezone": tz,
        "partial": partial,
        "missing_days": [d.isoformat() for d in missing_days],
        "small_sample": len(closed) < 30,
        "note": NO_TRADES_NOTE if not trades else None,
        "trades_total": len(trades),
        "trades_closed": len(closed),
        "trades_open": len(open_trades),
        "wins": len(wins),
        "losses": len(losses),
        "breakevens": len(breakevens),
        "win_rate": quotient(win_rate),
        "net_pnl": money(net_pnl),
        "gross_profit": money(gross_profit),
        "gross_loss": money(gross_loss),
        "profit_factor": quotient(profit_factor),
        "avg_win": quotient(avg_win),
        "avg_loss": quotient(avg_loss),
        "largest_win": None if largest_win is None else money(largest_win),
        "largest_loss": None if largest_loss is None else money(largest_loss),
        "payoff_ratio": quotient(payoff_ratio),
        "expectancy": quotient(expectancy),
        "avg_risk_reward": quotient(avg_risk_reward),
        "avg_r_multiple": quotient(avg_r),
        "sqn": quotient(sqn),
        "r_trades": len(r_values),
        "no_stop_trades": len(closed) - len(r_values),
        "commission_total": money(commission_total),
        "slippage_total": money(slippage_total),
        "unrealized_pnl": money(unrealized),
        "current_streak": current_streak,
        "max_win_streak": max_win_streak,
        "max_loss_streak": max_loss_streak,
        "max_drawdown": money(max_drawdown),
        "max_drawdown_duration_trades": drawdown_trades,
    }
    if window != "daily":
        summary["daily_pnl"] = {d.isoformat(): money(v) for d, v in daily.items()}
    summary.update(
        {
            "best_day": None if best_day is None else money(best_day),
            "worst_day": None if worst_day is None else money(worst_day),
            "best_day_date": None if best_day_date is None else best_day_date.isoformat(),
            "worst_day_date": None if worst_day_date is None else worst_day_date.isoformat(),
            "winning_days": sum(1 for v in values if v > 0),
            "losing_days": sum(1 for v in values if v < 0),
            "sharpe": quotient(sharpe),
            "sortino": quotient(sortino),
            "by_symbol": _breakdown(closed, "symbol"),
            "by_strategy": _breakdown(closed, "strategy"),
            "by_mode": _breakdown(closed, "mode"),
        }
    )
    if window != "daily":
        summary["by_version"] = _by_version(closed)
    if window == "all":
        summary["version_change"] = _version_change(closed)
    if walk is not None:
        summary.update(_returns(window, series_dates, walk))
    counts: dict[str, int] = {}
    for mode in excluded:
        counts[mode] = counts.get(mode, 0) + 1
    summary["data_quality"] = {"excluded_by_mode": dict(sorted(counts.items()))}
    return summary


# ---------------------------------------------------------------------------
# Returns (with a starting equity)
# ---------------------------------------------------------------------------

RETURN_LIMIT = Fraction(10**15)  # cagr and calmar beyond it are null
POWER_PRECISION = 60  # significant digits of cagr's power (Decimal **)


@dataclass
class EquityWalk:
    """The account walked one closed trade at a time from the starting equity, in
    attribution order: the equity at the end of each local date with closed trades,
    and the first date it ended at or below 0."""

    start: Fraction
    end_of_day: dict[date, Fraction]
    blown: date | None

    @classmethod
    def of(cls, start: Decimal, trades: list[Trade]) -> EquityWalk:
        equity = Fraction(start)
        end_of_day: dict[date, Fraction] = {}
        for trade in sorted(
            (t for t in trades if t.closed), key=lambda t: (t.local_date, t.instant, t.file_date)
        ):
            equity += Fraction(trade.pnl)
            end_of_day[trade.local_date] = equity
        blown = next((d for d in sorted(end_of_day) if end_of_day[d] <= 0), None)
        return cls(Fraction(start), end_of_day, blown)

    def close(self, day: date) -> Fraction:
        """The equity at the end of ``day`` (the last close before it when no trade
        closed on it; the starting equity before any)."""
        earlier = [d for d in self.end_of_day if d <= day]
        return self.end_of_day[max(earlier)] if earlier else self.start


def _power(base: Fraction, exponent: Fraction) -> Fraction | Decimal:
    """base ** exponent by Decimal's power at POWER_PRECISION digits."""
    with localcontext() as ctx:
        ctx.prec = POWER_PRECISION
        return _to_decimal(base) ** _to_decimal(exponent)


def _returns(window: str, series: list[date], walk: EquityWalk) -> dict:
    """The return fields of one window, with their reasons (under "undefined_reasons"
    only in spirit: diff() checks the engine has a reason for each null)."""
    names = ["total_return", "max_drawdown_relative", "sharpe", "sortino"]
    if window != "daily":
        names.append("volatility_annual")
    if window == "all":
        names += ["cagr", "calmar"]
    nothing = dict.fromkeys(names)
    if not series or (walk.blown is not None and series[-1] > walk.blown):
        return nothing
    before = walk.close(series[0] - timedelta(days=1))
    equity, equities, returns = before, [], []
    for day in series:
        after = walk.close(day)
        returns.append((after - equity) / equity)
        equities.append(after)
        equity = after
    growth = Fraction(1)
    for r in returns:
        growth *= 1 + r
    peak, worst = before, Fraction(0)
    for e in equities:
        peak = max(peak, e)
        worst = min(worst, e / peak - 1)
    out: dict[str, Any] = {
        "total_return": quotient(growth - 1),
        "max_drawdown_relative": quotient(worst),
    }
    variance = _sample_variance(returns) if len(returns) >= 2 else None
    if window != "daily":
        out["volatility_annual"] = (
            None if variance is None else quotient(_times_sqrt(Fraction(1), 252 * variance))
        )
    out["sharpe"] = quotient(_times_sqrt(_mean(returns), 252 / variance)) if variance else None
    downside = sum((min(Fraction(0), r) ** 2 for r in returns), Fraction(0))
    out["sortino"] = (
        quotient(_times_sqrt(_mean(returns), 252 * Fraction(len(returns)) / downside))
        if downside
        else None
    )
    if window == "all":
        days = (series[-1] - series[0]).days + 1
        cagr = None
        if equities[-1] > 0:
            grown = _power(equities[-1] / walk.start, Fraction(36525, 100 * days)) - 1
            cagr = grown if abs(grown) <= RETURN_LIMIT else None
        out["cagr"] = quotient(cagr)
        calmar = None
        if cagr is not None and worst:
            calmar = Fraction(cagr) / abs(worst)
            calmar = calmar if abs(calmar) <= RETURN_LIMIT else None
        out["calmar"] = quotient(calmar)
    return {**nothing, **out}


# ---------------------------------------------------------------------------
# Windows
# ---------------------------------------------------------------------------


GAP_DAYS = 31  # more days than this without a log date or a trade: a gap


def compute(
    logs_dir: Path,
    tz: str = "UTC",
    holidays: frozenset[date] = frozenset(),
    modes: frozenset[str] | None = None,
    starting_equity: Decimal | str | None = None,
) -> dict[tuple[str, str], dict]:
    """Map (window, period) -> summary dict for every daily, weekly, monthly
    period that has a local date in the data range, plus ("all", "all").  An
    empty logs dir (no trade-log file) gives {}.

    The data range is made of the log dates (files with at least one valid
    record) and the local dates of the records left after identity resolution
    (analysed or not); wherever more than 31 days pass without one, the days
    between are a gap and not part of the range.

    With ``modes``, identity is resolved over every record first (the latest
    record of an order id wins, whatever its mode); then the records whose mode
    (``execution_mode``; missing, null or "" is UNKNOWN) is not in ``modes`` are
    left out of every figure and counted per mode and local date in
    ``data_quality.excluded_by_mode``."""
    data = load(logs_dir, tz)
    holidays = frozenset(holidays)
    log_dates = sorted({r.file_date for r in data.records})
    resolved = data.trades
    analysed = [t for t in resolved if modes is None or t.mode in modes]
    left_out = [t for t in resolved if not (modes is None or t.mode in modes)]
    data.trades = analysed
    walk = None if starting_equity is None else EquityWalk.of(Decimal(starting_equity), analysed)
    points = sorted(set(log_dates) | {t.local_date for t in resolved})
    if not points:
        return {}

    runs: list[list[date]] = []  # [first, last] of each stretch without a gap
    for point in points:
        if runs and (point - runs[-1][1]).days - 1 <= GAP_DAYS:
            runs[-1][1] = point
        else:
            runs.append([point, point])
    in_range = {d for first, last in runs for d in _days(first, last)}
    range_start, range_end = points[0], points[-1]

    missing_all: list[date] = []
    if log_dates:
        present = set(data.file_dates)
        missing_all = [
            d
            for d in sorted(in_range)
            if log_dates[0] <= d <= log_dates[-1]
            and _is_trading_day(d, holidays)
            and d not in present
        ]

    closed_dates = {t.local_date for t in data.trades if t.closed}
    trades_by_date: dict[date, list[Trade]] = {}
    for trade in data.trades:
        trades_by_date.setdefault(trade.local_date, []).append(trade)

    def build(window: str, period: str, start: date, end: date) -> dict:
        trades = [t for t in data.trades if start <= t.local_date <= end]
        # Re-sort: in zones with a DST change at midnight the local date is
        # not monotonic in time, so date buckets alone do not give time order.
        trades.sort(key=lambda t: (t.instant, t.file_date, t.line))
        series_dates = sorted(
            {d for d in in_range if start <= d <= end and _is_trading_day(d, holidays)}
            | {d for d in closed_dates if start <= d <= end}
        )
        missing = [d for d in missing_all if start <= d <= end]
        # the whole history's summary counts every skipped line, wherever its file lies
        bad_lines = [p for p in data.problems if window == "all" or start <= p.file_date <= end]
        return _summary(
            window=window,
            period=period,
            start=start,
            end=end,
            tz=tz,
            trades=trades,
            series_dates=series_dates,
            missing_days=missing,
            partial=bool(missing) or bool(bad_lines),
            excluded=[t.mode for t in left_out if start <= t.local_date <= end],
            walk=walk,
        )

    result: dict[tuple[str, str], dict] = {}
    for day in sorted(in_range):
        result[("daily", day.isoformat())] = build("daily", day.isoformat(), day, day)
        week = _week_id(day)
        if ("weekly", week) not in result:
            result[("weekly", week)] = build("weekly", week, *_week_bounds(day))
        month = _month_id(day)
        if ("monthly", month) not in result:
            result[("monthly", month)] = build("monthly", month, *_month_bounds(day))
    result[("all", "all")] = build("all", "all", range_start, range_end)
    return result


# ---------------------------------------------------------------------------
# Comparison helpers
# ---------------------------------------------------------------------------


def _as_decimal(value: Any) -> Decimal | None:
    if not isinstance(value, str) or not DECIMAL_STRING_RE.fullmatch(value):
        return None
    try:
        return Decimal(value)
    except ArithmeticError:
        return None


def _compare(path: str, field: str, expected: Any, actual: Any, out: list[str]) -> None:
    def mismatch() -> None:
        out.append(f"{path}: expected {expected!r}, actual {actual!r}")

    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            mismatch()
            return
        for key, value in expected.items():
            if field == "daily_pnl":
                child = DAILY_PNL_VALUE
            elif field == "undefined_reasons":  # a row's reasons: text, not decimals
                child = REASON
            else:
                child = key
            if key not in actual:
                out.append(f"{path}.{key}: missing in actual (expected {value!r})")
            else:
                _compare(f"{path}.{key}", child, value, actual[key], out)
        for key in actual:
            if key not in expected:
                out.append(f"{path}.{key}: unexpected in actual ({actual[key]!r})")
        if field == "daily_pnl" and set(expected) == set(actual) and list(expected) != list(actual):
            out.append(f"{path}: keys not in date order: {list(actual)!r}")
    elif isinstance(expected, list):
        if not isinstance(actual, list):
            mismatch()
            return
        if len(expected) != len(actual):
            out.append(f"{path}: expected {len(expected)} items, actual {len(actual)}")
        for index, (e, a) in enumerate(zip(expected, actual, strict=False)):
            _compare(f"{path}[{index}]", field, e, a, out)
        if len(expected) != len(actual):
            out.append(f"{path}: expected {expected!r}, actual {actual!r}")
    elif expected is None:
        if actual is not None:
            mismatch()
    elif isinstance(expected, bool):
        if not isinstance(actual, bool) or actual != expected:
            mismatch()
    elif isinstance(expected, int):
        if isinstance(actual, bool) or not isinstance(actual, int) or actual != expected:
            mismatch()
    elif isinstance(expected, str) and (field in DECIMAL_FIELDS or field == DAILY_PNL_VALUE):
        e_dec, a_dec = _as_decimal(expected), _as_decimal(actual)
        if e_dec is None or a_dec is None or e_dec != a_dec:
            mismatch()
    elif actual != expected or type(actual) is not type(expected):
        mismatch()


def diff(expected: dict, actual: dict) -> list[str]:
    """Field-by-field comparison of an oracle summary with an engine summary.

    Every field of ``expected`` must be in ``actual`` with an equal value
    (decimal strings compared as Decimal, by_symbol/by_strategy rows element
    by element, daily_pnl keys in the same order; of data_quality only the
    fields the oracle has).  Extra top-level fields of
    ``actual`` (targets, alerts, ...) are ignored, except that
    when ``actual`` has ``undefined_reasons`` its keys must name exactly the
    nullable metrics that are null.
    """
    out: list[str] = []
    for key, value in expected.items():
        if key not in actual:
            out.append(f"{key}: missing in actual (expected {value!r})")
        elif key == "data_quality" and isinstance(actual[key], dict):
            # only the fields the oracle computes (excluded_by_mode), key order too
            for field, inner in value.items():
                if field not in actual[key]:
                    out.append(f"{key}.{field}: missing in actual (expected {inner!r})")
                    continue
                _compare(f"{key}.{field}", field, inner, actual[key][field], out)
                if isinstance(inner, dict) and list(inner) != list(actual[key][field] or {}):
                    out.append(f"{key}.{field}: keys not in order: {list(actual[key][field])!r}")
        else:
            _compare(key, key, value, actual[key], out)
    reasons = actual.get("undefined_reasons")
    if isinstance(reasons, dict):
        for metric in NULLABLE_METRICS:
            if metric not in expected:
                continue
            if expected[metric] is None and metric not in reasons:
                out.append(f"undefined_reasons.{metric}: missing for null metric")
            if expected[metric] is not None and metric in reasons:
                out.append(f"undefined_reasons.{metric}: present for defined metric")
    elif "undefined_reasons" in actual:
        out.append(f"undefined_reasons: not an object ({reasons!r})")
    return out


def equal(a: dict, b: dict) -> bool:
    return not diff(a, b)


QUOTIENT_RE = re.compile(r"-?[0-9]+\.[0-9]{6}")
MONEY_RE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def check_format(summary: dict) -> list[str]:
    """Formatting rules of summary-format.md: quotients with exactly 6 places,
    money without exponent, no negative zero, decimals as strings."""
    out: list[str] = []

    def check(path: str, value: Any, pattern: re.Pattern[str]) -> None:
        if value is None:
            return
        if not isinstance(value, str) or not pattern.fullmatch(value):
            out.append(f"{path}: badly formatted {value!r}")
        elif value.startswith("-") and Decimal(value) == 0:
            out.append(f"{path}: negative zero {value!r}")

    for key, value in summary.items():
        if key in QUOTIENT_FIELDS:
            check(key, value, QUOTIENT_RE)
        elif key in MONEY_FIELDS:
            check(key, value, MONEY_RE)
    for day, value in (summary.get("daily_pnl") or {}).items():
        check(f"daily_pnl.{day}", value, MONEY_RE)
    for table in ("by_symbol", "by_strategy", "by_mode", "by_version"):
        for index, row in enumerate(summary.get(table) or []):
            for field in ("win_rate", "win_rate_low", "win_rate_high"):
                check(f"{table}[{index}].{field}", row.get(field), QUOTIENT_RE)
            for field in ("expectancy", "expectancy_low", "expectancy_high"):
                check(f"{table}[{index}].{field}", row.get(field), QUOTIENT_RE)
            for field in ("avg_r_multiple", "sqn", "profit_factor"):
                check(f"{table}[{index}].{field}", row.get(field), QUOTIENT_RE)
            check(f"{table}[{index}].net_pnl", row.get("net_pnl"), MONEY_RE)
    change = summary.get("version_change") or {}
    for name in ("expectancy", "avg_r_multiple"):
        for field in ("difference", "low", "high"):
            value = (change.get(name) or {}).get(field)
            check(f"version_change.{name}.{field}", value, QUOTIENT_RE)
    return out
