"""Alert rules over the history and its summaries -> alert events. Pure.

A rule is data (metric, window, comparison, target, severity), so an operator can
add one in config without code. The three default rules of SPEC §5 are rules like
any other. An event's id is ``rule:window:period``: re-running a build finds the
same ids, so the alert log never gets duplicates.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from sitegen.errors import ConfigError
from sitegen.metrics import money, quotient
from sitegen.partials import EXACT

SEVERITIES = ("WARN", "CRITICAL")
COMPARISONS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "<": lambda a, t: a < t,
    "<=": lambda a, t: a <= t,
    ">": lambda a, t: a > t,
    ">=": lambda a, t: a >= t,
}
ROLLING_METRICS = ("rolling_win_rate", "rolling_avg_risk_reward")
#: summary fields a rule may check (win_rate is compared in percent, like its target)
SUMMARY_METRICS = (
    "win_rate",
    "net_pnl",
    "gross_profit",
    "gross_loss",
    "profit_factor",
    "avg_win",
    "avg_loss",
    "payoff_ratio",
    "expectancy",
    "avg_risk_reward",
    "avg_r_multiple",
    "sqn",
    "max_drawdown",
    "max_drawdown_duration_trades",
    "trades_total",
    "trades_closed",
    "max_loss_streak",
    "sharpe",
    "sortino",
    "commission_total",
    "unrealized_pnl",
)
RULE_WINDOWS = ("daily", "weekly", "monthly")


@dataclass(frozen=True)
class Rule:
    """One alert rule: breach when ``metric`` ``comparison`` ``target``."""

    name: str
    metric: str
    window: str = "daily"
    comparison: str = "<"
    #: a key of the targets file (``win_rate_target``) or a number
    target: str | Decimal = Decimal(0)
    severity: str = "WARN"
    #: raise as CRITICAL instead when the actual value is below this
    critical_below: Decimal | None = None
    #: rolling metrics: how many closed trades (None: the config's rolling_window)
    last_n: int | None = None

    def as_dict(self) -> dict:
        return {
            "metric": self.metric,
            "window": self.window,
            "comparison": self.comparison,
            "target": str(self.target),
            "severity": self.severity,
            "critical_below": None if self.critical_below is None else str(self.critical_below),
            "last_n": self.last_n,
        }


DEFAULT_RULES = (
    Rule("win_rate_breach", "rolling_win_rate", target="win_rate_target", severity="WARN"),
    Rule(
        "risk_reward_breach",
        "rolling_avg_risk_reward",
        target="avg_risk_reward_target",
        severity="WARN",
        critical_below=Decimal(1),
        last_n=10,
    ),
    Rule("drawdown_breach", "max_drawdown", target="max_drawdown_target", severity="CRITICAL"),
)
_RULE_FIELDS = frozenset(
    ("metric", "window", "comparison", "target", "severity", "critical_below", "last_n", "enabled")
)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def parse_rules(raw: Any, target_keys: Iterable[str], where: str = "rules") -> tuple[Rule, ...]:
    """The default rules, overridden, disabled or extended by a config ``rules`` mapping.

    ``rules: {win_rate_breach: {last_n: 30}, drawdown_breach: {enabled: false},
    weekly_loss: {metric: net_pnl, window: weekly, target: 0}}``
    """
    rules = {rule.name: rule for rule in DEFAULT_RULES}
    if raw is None:
        return tuple(rules.values())
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected a mapping of rule name to settings")
    keys = set(target_keys)
    errors = []
    for name, settings in raw.items():
        key = f"{where}.{name}"
        if settings is None or settings is False:
            rules.pop(name, None)
            continue
        if not isinstance(settings, Mapping):
            errors.append(f"{key}: expected a mapping of settings (metric, window, ...)")
            continue
        unknown = set(settings) - _RULE_FIELDS
        if unknown:
            errors.append(f"{key}: unknown setting(s) {', '.join(sorted(map(str, unknown)))}")
            continue
        if not isinstance(settings.get("enabled", True), bool):
            errors.append(f"{key}.enabled: {settings['enabled']!r} is not true or false")
            continue
        if settings.get("enabled", True) is False:
            rules.pop(name, None)
            continue
        base = rules.get(name)
        if base is None:
            if "metric" not in settings or "target" not in settings:
                errors.append(f"{key}: a new rule needs at least `metric` and `target`")
                continue
            base = Rule(str(name), str(settings["metric"]))
        changes: dict[str, Any] = {}
        for field, value in settings.items():
            if field == "enabled":
                continue
            problem = _check_field(field, value, keys)
            if problem:
                errors.append(f"{key}.{field}: {problem}")
            else:
                changes[field] = _convert(field, value, keys)
        rule = replace(base, **changes)
        if rule.metric in ROLLING_METRICS and rule.window != "daily":
            errors.append(f"{key}.window: rolling metrics are evaluated daily")
        rules[name] = rule
    if errors:
        raise ConfigError("\n".join(errors))
    return tuple(rules.values())


def _check_field(field: str, value: Any, target_keys: set[str]) -> str | None:
    if field == "metric" and value not in (*ROLLING_METRICS, *SUMMARY_METRICS):
        return (
            f"{value!r} is not a metric rules can check ({', '.join(ROLLING_METRICS)}, "
            "or a summary field such as net_pnl)"
        )
    if field == "window" and value not in RULE_WINDOWS:
        return f"{value!r} is not one of {', '.join(RULE_WINDOWS)}"
    if field == "comparison" and (not isinstance(value, str) or value not in COMPARISONS):
        return f"{value!r} is not one of {', '.join(COMPARISONS)}"
    if field == "severity" and value not in SEVERITIES:
        return f"{value!r} is not one of {', '.join(SEVERITIES)}"
    if field == "target" and not _is_key(value, target_keys) and _number(value) is None:
        return f"{value!r} is neither a number nor a target key ({', '.join(sorted(target_keys))})"
    if field == "critical_below" and value is not None and _number(value) is None:
        return f"{value!r} is not a number"
    if field == "last_n" and (
        value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1)
    ):
        return f"{value!r} is not a whole number ≥ 1"
    return None


def _is_key(value: Any, target_keys: set[str]) -> bool:
    return isinstance(value, str) and value in target_keys


def _convert(field: str, value: Any, target_keys: set[str]) -> Any:
    if field == "target":
        return value if _is_key(value, target_keys) else _number(value)
    if field == "critical_below":
        return None if value is None else _number(value)
    return value


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class DayClose:
    """What the rolling rules need from one local date: its closed trades in order."""

    day: dt.date
    outcomes: tuple[str, ...]  # win | loss | breakeven, in time order
    risk_rewards: tuple[Decimal, ...]  # planned R:R of the closed trades that have one
    last_close: dt.datetime | None  # the instant of the day's last closed trade


def _rolling_values(
    days: Sequence[DayClose], metric: str, n: int
) -> list[tuple[DayClose, Decimal, dict]]:
    """The rolling value at the end of each day with closed trades, once N trades exist."""
    out = []
    if metric == "rolling_win_rate":
        window: deque[str] = deque(maxlen=n)
        for day in days:
            if not day.outcomes:
                continue
            window.extend(day.outcomes)
            if len(window) == n:
                wins = sum(1 for o in window if o == "win")
                value = EXACT.divide(Decimal(wins * 100), Decimal(n))
                out.append((day, value, {"last_n": n, "wins": wins}))
    else:
        rr: deque[Decimal] = deque(maxlen=n)
        for day in days:
            if not day.outcomes:
                continue
            rr.extend(day.risk_rewards)
            if len(rr) == n:
                value = EXACT.divide(sum(rr, Decimal(0)), Decimal(n))
                out.append((day, value, {"last_n": n}))
    return out


def _summary_value(summary: dict, metric: str) -> Decimal | None:
    value = summary.get(metric)
    if value is None or summary["trades_total"] == 0:
        return None
    number = Decimal(str(value))
    return EXACT.multiply(number, Decimal(100)) if metric == "win_rate" else number


def _iso(instant: dt.datetime | None, day: dt.date) -> str:
    if instant is None:
        return f"{day.isoformat()}T23:59:59Z"
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _period_raised(ordered: Sequence[DayClose], keys: list[dt.date], summary: dict) -> str:
    """A period's alert time: its last close (not the period's end, which may be ahead)."""
    first = dt.date.fromisoformat(summary["start"])
    last = dt.date.fromisoformat(summary["end"])
    lo, hi = bisect_left(keys, first), bisect_right(keys, last)
    for day in reversed(ordered[lo:hi]):
        if day.last_close is not None:
            return _iso(day.last_close, day.day)
    return _iso(None, ordered[hi - 1].day if hi > lo else last)


def evaluate(
    rules: Sequence[Rule],
    targets: Mapping[str, Decimal],
    days: Sequence[DayClose],
    summaries: Mapping[tuple[str, str], dict],
    rolling_window: int,
) -> list[dict]:
    """Every breach of every rule, as alert events (not yet acknowledged), in a stable order.

    ``summaries`` must hold every period of each window a summary rule checks.
    ``context.since`` is the first period of the unbroken run of breaches it belongs to.
    """
    ordered = sorted(days, key=lambda d: d.day)
    day_keys = [d.day for d in ordered]
    events = []
    for rule in rules:
        target = targets[rule.target] if isinstance(rule.target, str) else rule.target
        compare = COMPARISONS[rule.comparison]
        checks: list[tuple[str, Decimal, dict, str]] = []  # period, actual, context, raised
        if rule.metric in ROLLING_METRICS:
            n = rule.last_n or rolling_window
            for day, value, context in _rolling_values(days, rule.metric, n):
                checks.append((day.day.isoformat(), value, context, _iso(day.last_close, day.day)))
        else:
            for (window, period), summary in sorted(summaries.items()):
                if window != rule.window:
                    continue
                value = _summary_value(summary, rule.metric)
                if value is None:
                    continue
                raised = _period_raised(ordered, day_keys, summary)
                checks.append((period, value, {}, raised))
        since = None
        for period, actual, context, raised in checks:
            if not compare(actual, target):
                since = None
                continue
            since = since or period
            severity = rule.severity
            if rule.critical_below is not None and actual < rule.critical_below:
                severity = "CRITICAL"
            events.append(
                {
                    "id": f"{rule.name}:{rule.window}:{period}",
                    "rule": rule.name,
                    "window": rule.window,
                    "period": period,
                    "metric": rule.metric,
                    "actual": quotient(actual),
                    "target": money(target),
                    "severity": severity,
                    "raised_at": raised,
                    "acknowledged_at": None,
                    "context": {
                        **context,
                        "comparison": rule.comparison,
                        "target_key": rule.target if isinstance(rule.target, str) else None,
                        "since": since,
                    },
                }
            )
    return events


def apply_log(events: Sequence[dict], logged: Mapping[str, dict]) -> list[dict]:
    """Events with their acknowledgement state from the alert log."""
    out = []
    for event in events:
        previous = logged.get(event["id"])
        if previous and previous.get("acknowledged_at"):
            event = {**event, "acknowledged_at": previous["acknowledged_at"]}
        out.append(event)
    return out


def alerts_for(window: str, first: dt.date, last: dt.date, events: Sequence[dict]) -> list[dict]:
    """The events a period shows: its own, and those of shorter windows inside it."""
    from sitegen.windows import period_bounds

    order = {"daily": 0, "weekly": 1, "monthly": 2, "all": 3}
    chosen = []
    for event in events:
        if order[event["window"]] > order[window]:
            continue
        start, end = period_bounds(event["window"], event["period"])
        if first <= start and end <= last:
            chosen.append(event)
    chosen.sort(key=lambda e: (e["severity"] != "CRITICAL", e["period"], e["rule"]))
    return chosen
