"""Stage 4: the alert rules over the history -> events, recorded in the alert log and
attached to the summaries of their periods. (Rules are sitegen/rules.py, evaluation is
sitegen/alerts.py, the log is sitegen/alertlog.py; this module runs them in a build.)
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping

from sitegen import export
from sitegen.alertlog import append_events
from sitegen.alerts import alerts_for, apply_log, evaluate
from sitegen.cache import Stamp
from sitegen.config import Config
from sitegen.history import History
from sitegen.report import DETAIL
from sitegen.rules import ROLLING_METRICS

log = logging.getLogger("sitegen")


def rule_inputs(
    history: History,
    config: Config,
    summaries: MutableMapping[tuple[str, str], dict],
    reuse: dict[str, dict] | None = None,
) -> dict[str, dict]:
    """What the summary rules read of every period of their windows: its dates, its
    trade counts and the metrics they check. Taken from ``reuse`` (the last build's) for
    periods whose inputs did not change; the summaries computed for the others are
    left in ``summaries`` for later stages."""
    targets = config.targets.specs()
    metrics = {rule.metric for rule in config.rules if rule.metric not in ROLLING_METRICS}
    windows = {rule.window for rule in config.rules if rule.metric not in ROLLING_METRICS}
    inputs: dict[str, dict] = {}
    for window in sorted(windows):
        for period in history.periods(window):
            key = f"{window} {period}"
            if reuse is not None and key in reuse and (window, period) not in summaries:
                inputs[key] = reuse[key]
                continue
            summary = summaries.get((window, period))
            if summary is None:
                summary = summaries[(window, period)] = history.summary(window, period, targets)
            inputs[key] = {
                name: summary[name]
                for name in (
                    "window",
                    "period",
                    "start",
                    "end",
                    "trades_total",
                    "trades_closed",
                    *sorted(metrics),
                )
            }
    return inputs


def rule_periods(history: History, config: Config) -> set[tuple[str, str]]:
    windows = {rule.window for rule in config.rules if rule.metric not in ROLLING_METRICS}
    return {(w, p) for w in windows for p in history.periods(w)}


def rolling_keep(config: Config) -> int:
    """How many of each day's last closed trades the rolling rules read."""
    return max(
        (
            rule.last_n or config.rolling_window
            for rule in config.rules
            if rule.metric in ROLLING_METRICS
        ),
        default=1,
    )


def compute_alerts(
    history: History, config: Config, inputs: dict[str, dict], logged: dict[str, dict]
) -> list[dict]:
    """Stage 4a: every rule breach, with its acknowledgement state from the alert log
    as read (``logged``: alertlog.read_alert_log)."""
    slim = {(v["window"], v["period"]): v for v in inputs.values()}
    events = evaluate(
        config.rules,
        config.targets.values(),
        history.day_closes(rolling_keep(config)),
        slim,
        config.rolling_window,
    )
    return apply_log(events, logged)


def record_alerts(
    events: list[dict],
    config: Config,
    logged: dict[str, dict],
    read: Stamp | None,
    *,
    validate: bool = False,
) -> tuple[list[dict], Stamp | None]:
    """Stage 4b: append events the alert log (``logged``, as read with stamp ``read``)
    does not hold yet; one WARN line each. Returns them, and the stamp of the log as
    this build knows it (alertlog.append_events). With ``validate`` (the tests,
    --strict) each is checked against its schema first."""
    new = [event for event in events if event["id"] not in logged]
    for event in new if validate else ():
        export.validate_alert(event)
    stamp = append_events(config.alerts_file, new, read)
    for e in new:
        log.warning(
            "alert %s: %s %s %s is %s, target %s (%s)",
            e["id"],
            e["window"],
            e["period"],
            e["metric"],
            e["actual"],
            e["target"],
            e["severity"],
            extra=DETAIL,
        )
    return new, stamp


def attach_alerts(
    history: History, summaries: MutableMapping[tuple[str, str], dict], events: list[dict]
) -> None:
    """Each summary lists the alerts of its period and of shorter periods inside it
    (stored back: ``summaries`` may keep copies, see sitegen.packed)."""
    for window, period in list(summaries):
        summary = summaries[(window, period)]
        first, last = history.bounds(window, period)
        summary["alerts"] = alerts_for(window, first, last, events)
        summaries[(window, period)] = summary


def open_breaches(history: History, events: list[dict]) -> list[str]:
    """Unacknowledged alerts in the latest day, week or month."""
    found: dict[str, None] = {}
    for window in ("daily", "weekly", "monthly"):
        latest = history.latest_period(window)
        if latest is None:
            continue
        first, last = history.bounds(window, latest)
        for event in alerts_for(window, first, last, events):
            if not event["acknowledged_at"]:
                found[event["id"]] = None
    return list(found)
