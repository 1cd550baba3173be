"""Alert rules and targets as data: what to check, against what. Stdlib only, so the
config can be loaded (and a no-change build decided) without the analytics.

A rule is data (metric, window, comparison, target, severity), so an operator can
add one in config without code. The three default rules are rules like
any other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sitegen.numbers import finite_decimal

#: closed trades kept per day for the rolling rules: a rule's last_n is at most this
TAIL = 500


@dataclass(frozen=True)
class TargetSpec:
    """One configured target: its key, the summary field it checks, its value."""

    key: str
    metric: str
    value: Decimal


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


def parse_rules(raw: Any, target_keys: Iterable[str], where: str = "rules") -> tuple[Rule, ...]:
    """The default rules, overridden, disabled or extended by a config ``rules`` mapping.

    ``rules: {win_rate_breach: {last_n: 30}, drawdown_breach: {enabled: false},
    weekly_loss: {metric: net_pnl, window: weekly, target: 0}}``
    """
    rules = {rule.name: rule for rule in DEFAULT_RULES}
    if raw is None:
        return tuple(rules.values())
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: expected a mapping of rule name to settings")
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
        raise ValueError("\n".join(errors))
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
    if field == "target" and not _is_key(value, target_keys) and finite_decimal(value) is None:
        return f"{value!r} is neither a number nor a target key ({', '.join(sorted(target_keys))})"
    if field == "critical_below" and value is not None and finite_decimal(value) is None:
        return f"{value!r} is not a number"
    if field == "last_n" and (
        value is not None
        and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= TAIL)
    ):
        return f"{value!r} is not a whole number from 1 to {TAIL}"
    return None


def _is_key(value: Any, target_keys: set[str]) -> bool:
    return isinstance(value, str) and value in target_keys


def _convert(field: str, value: Any, target_keys: set[str]) -> Any:
    if field == "target":
        return value if _is_key(value, target_keys) else finite_decimal(value)
    if field == "critical_below":
        return None if value is None else finite_decimal(value)
    return value
