"""Alert rules over the history and its summaries -> alert events. Pure.

A rule is data (metric, window, comparison, target, severity), so an operator can
add one in config without code. The three default rules are rules like
any other. An event's id is ``rule:window:period``: re-running a build finds the
same ids, so the alert log never gets duplicates.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sitegen.metrics import money, quotient
from sitegen.partials import EXACT
from sitegen.rules import COMPARISONS, ROLLING_METRICS, Rule

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
    ``context.since`` is the first period of the unbroken run of breaches it belongs to
    (its incident, see sitegen/incidents.py): a period that evaluates the rule without a
    breach ends a run; a period without closed trades does not (it may still breach a
    summary rule, such as one on ``trades_closed``, and then belongs to the run).
    """
    ordered = sorted(days, key=lambda d: d.day)
    day_keys = [d.day for d in ordered]
    events = []
    for rule in rules:
        target = targets[rule.target] if isinstance(rule.target, str) else rule.target
        compare = COMPARISONS[rule.comparison]
        # period, actual, context, raised, whether the period has closed trades
        checks: list[tuple[str, Decimal, dict, str, bool]] = []
        if rule.metric in ROLLING_METRICS:
            n = rule.last_n or rolling_window
            for day, value, context in _rolling_values(days, rule.metric, n):
                raised = _iso(day.last_close, day.day)
                checks.append((day.day.isoformat(), value, context, raised, True))
        else:
            for (window, period), summary in sorted(summaries.items()):
                if window != rule.window:
                    continue
                value = _summary_value(summary, rule.metric)
                if value is None:
                    continue
                raised = _period_raised(ordered, day_keys, summary)
                closed = summary.get("trades_closed", summary["trades_total"]) > 0
                checks.append((period, value, {}, raised, closed))
        since = None
        for period, actual, context, raised, closed in checks:
            if not compare(actual, target):
                if closed:
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
