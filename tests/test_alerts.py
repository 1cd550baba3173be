"""Pure tests of the alert rules: parse_rules, evaluate, apply_log, alerts_for.

Inputs are small hand-made DayClose lists and summary dicts, so every expected
value can be checked by eye. Outcomes are written as letters: W win, L loss,
B breakeven.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sitegen.alerts import DayClose, alerts_for, apply_log, evaluate
from sitegen.config import Targets
from sitegen.export import validate_alert
from sitegen.rules import DEFAULT_RULES, Rule, parse_rules
from sitegen.windows import period_bounds

TARGET_KEYS = tuple(Targets().values())
TARGETS = Targets().values()  # win rate 50 %, R:R 1.5, drawdown -1000
LETTERS = {"W": "win", "L": "loss", "B": "breakeven"}


def close(day: str, outcomes: str = "", rr: tuple = (), at: str = "20:00") -> DayClose:
    """One local date's closed trades; the last one closes at ``at`` UTC."""
    date = dt.date.fromisoformat(day)
    last = dt.datetime.fromisoformat(f"{day}T{at}:00+00:00") if outcomes else None
    return DayClose(
        day=date,
        outcomes=tuple(LETTERS[c] for c in outcomes),
        risk_rewards=tuple(Decimal(str(x)) for x in rr),
        last_close=last,
    )


def summary(window: str, period: str, trades_total: int = 1, **fields) -> dict:
    """The fields of a summary that the rules read."""
    first, last = period_bounds(window, period)
    return {
        "window": window,
        "period": period,
        "start": first.isoformat(),
        "end": last.isoformat(),
        "trades_total": trades_total,
        **fields,
    }


def rule(name: str) -> Rule:
    return next(r for r in DEFAULT_RULES if r.name == name)


def only(*names: str, **extra) -> tuple[Rule, ...]:
    """The default rules minus those not named, plus ``extra`` rule settings."""
    raw = {r.name: {"enabled": False} for r in DEFAULT_RULES if r.name not in names}
    raw.update(extra)
    return parse_rules(raw, TARGET_KEYS)


def run(rules, days=(), summaries=None, rolling_window=20, targets=TARGETS) -> list[dict]:
    events = evaluate(rules, targets, list(days), summaries or {}, rolling_window)
    for event in events:
        validate_alert(event)
    ids = [e["id"] for e in events]
    assert len(ids) == len(set(ids)), ids
    return events


def by_period(events: list[dict]) -> dict[str, dict]:
    return {e["period"]: e for e in events}


# --------------------------------------------------------------------------- parse_rules


def test_default_rules_without_config():
    rules = parse_rules(None, TARGET_KEYS)
    assert [r.name for r in rules] == ["win_rate_breach", "risk_reward_breach", "drawdown_breach"]
    win, rr, dd = rules
    assert (win.metric, win.window, win.comparison, win.target, win.severity) == (
        "rolling_win_rate",
        "daily",
        "<",
        "win_rate_target",
        "WARN",
    )
    assert win.last_n is None  # the config's rolling_window (or the env override)
    assert (rr.metric, rr.target, rr.severity, rr.critical_below, rr.last_n) == (
        "rolling_avg_risk_reward",
        "avg_risk_reward_target",
        "WARN",
        Decimal(1),
        10,
    )
    assert (dd.metric, dd.window, dd.comparison, dd.target, dd.severity) == (
        "max_drawdown",
        "daily",
        "<",
        "max_drawdown_target",
        "CRITICAL",
    )
    assert parse_rules({}, TARGET_KEYS) == rules


def test_override_a_default_rule_keeps_its_other_settings():
    rules = {r.name: r for r in parse_rules({"win_rate_breach": {"last_n": 30}}, TARGET_KEYS)}
    assert rules["win_rate_breach"].last_n == 30
    assert rules["win_rate_breach"].target == "win_rate_target"
    assert rules["win_rate_breach"].severity == "WARN"
    assert set(rules) == {"win_rate_breach", "risk_reward_breach", "drawdown_breach"}


@pytest.mark.parametrize("off", [{"enabled": False}, None, False])
def test_disable_a_default_rule(off):
    rules = parse_rules({"drawdown_breach": off}, TARGET_KEYS)
    assert [r.name for r in rules] == ["win_rate_breach", "risk_reward_breach"]


def test_enabled_true_keeps_the_rule():
    rules = parse_rules({"drawdown_breach": {"enabled": True}}, TARGET_KEYS)
    assert rule("drawdown_breach") in rules


def test_add_a_rule():
    raw = {
        "weekly_loss": {
            "metric": "net_pnl",
            "window": "weekly",
            "comparison": "<",
            "target": 0,
            "severity": "WARN",
        }
    }
    rules = parse_rules(raw, TARGET_KEYS)
    assert len(rules) == 4
    new = rules[-1]
    assert new == Rule("weekly_loss", "net_pnl", "weekly", "<", Decimal(0), "WARN")
    assert new.as_dict()["target"] == "0"


def test_new_rule_defaults_and_target_forms():
    rules = parse_rules(
        {
            "a": {"metric": "net_pnl", "target": "daily_pl_target"},
            "b": {"metric": "net_pnl", "target": "-12.5"},
            "c": {"metric": "sqn", "target": 1.5, "critical_below": "0"},
        },
        TARGET_KEYS,
    )
    a, b, c = rules[3:]
    assert (a.window, a.comparison, a.severity, a.target) == (
        "daily",
        "<",
        "WARN",
        "daily_pl_target",
    )
    assert b.target == Decimal("-12.5")
    assert c.target == Decimal("1.5") and c.critical_below == Decimal(0)


@pytest.mark.parametrize(
    ("settings", "field", "words"),
    [
        ({"metric": "nope", "target": 0}, "metric", "not a metric"),
        ({"metric": ["net_pnl"], "target": 0}, "metric", "not a metric"),
        ({"metric": "net_pnl", "target": 0, "window": "hourly"}, "window", "not one of"),
        ({"metric": "net_pnl", "target": 0, "window": "all"}, "window", "not one of"),
        ({"metric": "net_pnl", "target": 0, "comparison": "=<"}, "comparison", "not one of"),
        ({"metric": "net_pnl", "target": 0, "comparison": ["<"]}, "comparison", "not one of"),
        ({"metric": "net_pnl", "target": 0, "comparison": {"<": 1}}, "comparison", "not one of"),
        ({"metric": "net_pnl", "target": 0, "severity": "INFO"}, "severity", "not one of"),
        ({"metric": "net_pnl", "target": "abc"}, "target", "neither a number nor"),
        ({"metric": "net_pnl", "target": "nan"}, "target", "neither a number nor"),
        ({"metric": "net_pnl", "target": True}, "target", "neither a number nor"),
        ({"metric": "net_pnl", "target": [1]}, "target", "neither a number nor"),
        ({"metric": "net_pnl", "target": {"x": 1}}, "target", "neither a number nor"),
        ({"metric": "net_pnl", "target": 0, "critical_below": "x"}, "critical_below", "number"),
        ({"metric": "net_pnl", "target": 0, "last_n": 0}, "last_n", "whole number"),
        ({"metric": "net_pnl", "target": 0, "last_n": 2.5}, "last_n", "whole number"),
        ({"metric": "net_pnl", "target": 0, "last_n": True}, "last_n", "whole number"),
        ({"metric": "net_pnl", "target": 0, "enabled": "no"}, "enabled", "true or false"),
        ({"metric": "net_pnl", "target": 0, "enabled": 0}, "enabled", "true or false"),
        ({"metric": "rolling_win_rate", "target": 50, "window": "weekly"}, "window", "daily"),
    ],
)
def test_invalid_rule_setting_names_the_field(settings, field, words):
    with pytest.raises(ValueError) as err:
        parse_rules({"custom": settings}, TARGET_KEYS, "cfg.yaml: rules")
    message = str(err.value)
    assert f"cfg.yaml: rules.custom.{field}:" in message
    assert words in message


def test_invalid_override_of_a_default_rule_names_the_field():
    with pytest.raises(ValueError, match=r"rules\.win_rate_breach\.last_n: -3"):
        parse_rules({"win_rate_breach": {"last_n": -3}}, TARGET_KEYS)
    with pytest.raises(ValueError, match=r"rules\.drawdown_breach\.enabled"):
        parse_rules({"drawdown_breach": {"enabled": "false"}}, TARGET_KEYS)


def test_rule_shape_errors():
    with pytest.raises(ValueError, match="rules: expected a mapping"):
        parse_rules(["win_rate_breach"], TARGET_KEYS)
    with pytest.raises(ValueError, match=r"rules\.x: expected a mapping of settings"):
        parse_rules({"x": "net_pnl < 0"}, TARGET_KEYS)
    with pytest.raises(ValueError, match=r"rules\.x: unknown setting\(s\) bogus, colour"):
        parse_rules({"x": {"metric": "net_pnl", "target": 0, "bogus": 1, "colour": 2}}, TARGET_KEYS)
    with pytest.raises(ValueError, match=r"rules\.x: a new rule needs at least `metric`"):
        parse_rules({"x": {"metric": "net_pnl"}}, TARGET_KEYS)
    with pytest.raises(ValueError, match=r"rules\.x: a new rule needs at least `metric`"):
        parse_rules({"x": {"target": 0}}, TARGET_KEYS)


def test_every_rule_error_is_reported_at_once():
    raw = {
        "a": {"metric": "nope", "target": 0},
        "b": {"metric": "net_pnl", "target": 0, "severity": "LOW", "window": "yearly"},
    }
    with pytest.raises(ValueError) as err:
        parse_rules(raw, TARGET_KEYS)
    lines = str(err.value).splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "rules.a.metric",
        "rules.b.severity",
        "rules.b.window",
    ]


# --------------------------------------------------------------------------- win_rate_breach


def test_win_rate_breach_event_fields():
    days = [close("2025-10-06", "WLLL", at="19:30")]
    (event,) = run(only("win_rate_breach"), days, rolling_window=4)
    assert event == {
        "id": "win_rate_breach:daily:2025-10-06",
        "rule": "win_rate_breach",
        "window": "daily",
        "period": "2025-10-06",
        "metric": "rolling_win_rate",
        "actual": "25.000000",
        "target": "50",
        "severity": "WARN",
        "raised_at": "2025-10-06T19:30:00Z",
        "acknowledged_at": None,
        "context": {
            "last_n": 4,
            "wins": 1,
            "comparison": "<",
            "target_key": "win_rate_target",
            "since": "2025-10-06",
        },
    }


@pytest.mark.parametrize(
    ("outcomes", "breach"),
    [
        ("WLLL", True),  # 25 % < 50 %
        ("WWLL", False),  # exactly at target: equal is not a breach
        ("WWBB", False),  # breakevens count in the denominator: 50 %
        ("WBBB", True),  # 25 %
        ("WWWL", False),  # 75 %
    ],
)
def test_win_rate_breach_against_target(outcomes, breach):
    events = run(only("win_rate_breach"), [close("2025-10-06", outcomes)], rolling_window=4)
    assert bool(events) is breach


def test_win_rate_needs_n_closed_trades_before_evaluating():
    # 3 closed trades, all losses, N = 4: no evaluation at all
    assert run(only("win_rate_breach"), [close("2025-10-06", "LLL")], rolling_window=4) == []
    # the default N is 20: 19 losses are still too few
    assert run(only("win_rate_breach"), [close("2025-10-06", "L" * 19)]) == []
    events = run(only("win_rate_breach"), [close("2025-10-06", "L" * 20)])
    assert [(e["actual"], e["context"]["last_n"]) for e in events] == [("0.000000", 20)]


def test_win_rate_rolls_over_the_last_n_closed_trades_across_days():
    days = [
        close("2025-10-06", "WL"),  # 2 trades: not evaluated
        close("2025-10-07", "LL"),  # W L L L: 25 %
        close("2025-10-08"),  # no closed trades: not evaluated, does not break the run
        close("2025-10-09", "WW"),  # L L W W: 50 %, at target
        close("2025-10-10", "LLLL"),  # 0 %
        close("2025-10-13", "LW"),  # L L L W: 25 %
    ]
    events = by_period(run(only("win_rate_breach"), days, rolling_window=4))
    assert sorted(events) == ["2025-10-07", "2025-10-10", "2025-10-13"]
    assert events["2025-10-07"]["actual"] == "25.000000"
    assert events["2025-10-10"]["actual"] == "0.000000"
    assert events["2025-10-13"]["context"]["wins"] == 1
    # `since` starts a new run after the at-target day, and carries through the next day
    assert [events[p]["context"]["since"] for p in sorted(events)] == [
        "2025-10-07",
        "2025-10-10",
        "2025-10-10",
    ]


def test_win_rate_rule_last_n_overrides_rolling_window_and_rounds_to_6_places():
    rules = parse_rules(
        {"win_rate_breach": {"last_n": 3}, "risk_reward_breach": None, "drawdown_breach": None},
        TARGET_KEYS,
    )
    (event,) = run(rules, [close("2025-10-06", "LLWL")], rolling_window=50)
    assert event["actual"] == "33.333333"  # L W L: 1 of 3
    assert event["context"]["last_n"] == 3


def test_win_rate_target_from_targets():
    targets = {**TARGETS, "win_rate_target": Decimal("25")}
    days = [close("2025-10-06", "WLLL")]
    assert run(only("win_rate_breach"), days, rolling_window=4, targets=targets) == []
    targets["win_rate_target"] = Decimal("25.000001")
    (event,) = run(only("win_rate_breach"), days, rolling_window=4, targets=targets)
    assert event["target"] == "25.000001"


# --------------------------------------------------------------------------- risk_reward_breach


def ten(day: str, rr) -> DayClose:
    return close(day, "W" * 10, rr=(rr,) * 10)


def test_risk_reward_severity_by_level():
    days = [
        ten("2025-10-06", "0.8"),  # below 1.0: CRITICAL
        ten("2025-10-07", "1.2"),  # between 1.0 and the target 1.5: WARN
        ten("2025-10-08", "1.5"),  # exactly at target: no alert
        ten("2025-10-09", "1.0"),  # exactly 1.0 is not below 1.0: WARN
        ten("2025-10-10", "0.999"),  # CRITICAL
        ten("2025-10-13", "3"),  # above target: no alert
    ]
    events = by_period(run(only("risk_reward_breach"), days))
    assert {p: (e["severity"], e["actual"]) for p, e in events.items()} == {
        "2025-10-06": ("CRITICAL", "0.800000"),
        "2025-10-07": ("WARN", "1.200000"),
        "2025-10-09": ("WARN", "1.000000"),
        "2025-10-10": ("CRITICAL", "0.999000"),
    }
    event = events["2025-10-07"]
    assert (event["id"], event["metric"], event["target"]) == (
        "risk_reward_breach:daily:2025-10-07",
        "rolling_avg_risk_reward",
        "1.5",
    )
    assert event["context"]["last_n"] == 10
    assert event["context"]["target_key"] == "avg_risk_reward_target"


def test_risk_reward_uses_the_last_10_and_ignores_rolling_window():
    days = [
        close("2025-10-06", "W" * 6, rr=("1",) * 6),
        close("2025-10-07", "W" * 4, rr=("3",) * 4),  # 6×1 + 4×3 = 18 / 10 = 1.8
        close("2025-10-08", "W" * 3, rr=("1",) * 3),  # 3×1 + 4×3 + 3×1 = 18 / 10 = 1.8
        close("2025-10-09", "W" * 4, rr=("1",) * 4),  # 3×3 + 7×1 = 16 / 10 = 1.6
        close("2025-10-10", "W", rr=("1",)),  # 2×3 + 8×1 = 14 / 10 = 1.4
    ]
    events = run(only("risk_reward_breach"), days, rolling_window=3)
    assert [(e["period"], e["actual"]) for e in events] == [("2025-10-10", "1.400000")]


def test_risk_reward_needs_10_planned_ratios():
    # ten closed trades, only nine with a planned R:R: not evaluated
    days = [close("2025-10-06", "W" * 10, rr=("0.5",) * 9)]
    assert run(only("risk_reward_breach"), days) == []
    days.append(close("2025-10-07"))  # only open trades that day: not evaluated
    days.append(close("2025-10-08", "L", rr=("0.5",)))
    (event,) = run(only("risk_reward_breach"), days)
    assert (event["period"], event["severity"]) == ("2025-10-08", "CRITICAL")


def test_risk_reward_critical_below_is_configurable():
    rules = only("risk_reward_breach", risk_reward_breach={"critical_below": None})
    (event,) = run(rules, [ten("2025-10-06", "0.5")])
    assert event["severity"] == "WARN"
    rules = only("risk_reward_breach", risk_reward_breach={"critical_below": "1.3"})
    (event,) = run(rules, [ten("2025-10-06", "1.2")])
    assert event["severity"] == "CRITICAL"


# --------------------------------------------------------------------------- drawdown_breach


def test_drawdown_breach_against_target():
    summaries = {
        ("daily", "2025-10-06"): summary("daily", "2025-10-06", max_drawdown="-1000.01"),
        ("daily", "2025-10-07"): summary("daily", "2025-10-07", max_drawdown="-1000.00"),
        ("daily", "2025-10-08"): summary("daily", "2025-10-08", max_drawdown="-999.99"),
        ("daily", "2025-10-09"): summary("daily", "2025-10-09", max_drawdown="0"),
        ("daily", "2025-10-10"): summary("daily", "2025-10-10", max_drawdown="-2500"),
    }
    days = [close("2025-10-06", "L", at="15:45"), close("2025-10-10", "LL", at="16:00")]
    events = by_period(run(only("drawdown_breach"), days, summaries))
    assert sorted(events) == ["2025-10-06", "2025-10-10"]  # -1000.00 equals the target
    event = events["2025-10-06"]
    assert event["id"] == "drawdown_breach:daily:2025-10-06"
    assert (event["metric"], event["actual"], event["target"], event["severity"]) == (
        "max_drawdown",
        "-1000.010000",
        "-1000",
        "CRITICAL",
    )
    assert event["raised_at"] == "2025-10-06T15:45:00Z"
    assert event["context"] == {
        "comparison": "<",
        "target_key": "max_drawdown_target",
        "since": "2025-10-06",
    }
    assert events["2025-10-10"]["context"]["since"] == "2025-10-10"


def test_drawdown_rule_checks_only_daily_summaries():
    summaries = {
        ("weekly", "2025-W41"): summary("weekly", "2025-W41", max_drawdown="-5000"),
        ("monthly", "2025-10"): summary("monthly", "2025-10", max_drawdown="-5000"),
        ("all", "all"): {**summary("daily", "2025-10-06", max_drawdown="-5000"), "window": "all"},
    }
    assert run(only("drawdown_breach"), [], summaries) == []


# --------------------------------------------------------------------------- empty windows


def test_no_alerts_for_empty_windows():
    """A window with no trades never alerts, whatever its (zero/null) metrics say."""
    rules = only(
        "drawdown_breach",
        few={"metric": "trades_total", "window": "daily", "target": 5},
        weekly_few={"metric": "trades_total", "window": "weekly", "target": 5},
        flat={"metric": "net_pnl", "comparison": "<=", "target": 0},
    )
    summaries = {
        ("daily", "2025-10-06"): summary("daily", "2025-10-06", 0, max_drawdown="-5000"),
        ("daily", "2025-10-07"): summary("daily", "2025-10-07", 0, net_pnl="0"),
        ("daily", "2025-10-08"): summary("daily", "2025-10-08", 2, net_pnl="0"),
        ("weekly", "2025-W41"): summary("weekly", "2025-W41", 0),
        ("weekly", "2025-W42"): summary("weekly", "2025-W42", 2),
    }
    events = run(rules, [close("2025-10-08"), close("2025-10-09", "")], summaries)
    assert sorted(e["id"] for e in events) == [
        "few:daily:2025-10-08",
        "flat:daily:2025-10-08",
        "weekly_few:weekly:2025-W42",
    ]
    # days without closed trades never get a rolling evaluation
    assert run(only("win_rate_breach"), [close("2025-10-06"), close("2025-10-07")], {}, 1) == []


def test_null_metric_is_not_evaluated():
    rules = only(pf={"metric": "profit_factor", "target": 1})
    summaries = {("daily", "2025-10-06"): summary("daily", "2025-10-06", 3, profit_factor=None)}
    assert run(rules, [], summaries) == []


# --------------------------------------------------------------------------- custom rules


def test_custom_weekly_rule_on_summaries():
    rules = only(
        weekly_loss={
            "metric": "net_pnl",
            "window": "weekly",
            "comparison": "<",
            "target": 0,
            "severity": "WARN",
        }
    )
    summaries = {
        ("weekly", "2025-W41"): summary("weekly", "2025-W41", net_pnl="-0.01"),
        ("weekly", "2025-W42"): summary("weekly", "2025-W42", net_pnl="0"),
        ("weekly", "2025-W43"): summary("weekly", "2025-W43", net_pnl="12.50"),
        ("daily", "2025-10-06"): summary("daily", "2025-10-06", net_pnl="-99"),
    }
    days = [close("2025-10-07", "L", at="18:00"), close("2025-10-09", "", at="19:00")]
    (event,) = run(rules, days, summaries)
    assert event == {
        "id": "weekly_loss:weekly:2025-W41",
        "rule": "weekly_loss",
        "window": "weekly",
        "period": "2025-W41",
        "metric": "net_pnl",
        "actual": "-0.010000",
        "target": "0",
        "severity": "WARN",
        # the week's last close, not its (possibly future) Sunday
        "raised_at": "2025-10-07T18:00:00Z",
        "acknowledged_at": None,
        "context": {"comparison": "<", "target_key": None, "since": "2025-W41"},
    }


def test_summary_rule_raised_at_falls_back_to_the_last_day_with_trades():
    rules = only(opens={"metric": "trades_closed", "window": "weekly", "target": 1})
    summaries = {("weekly", "2025-W41"): summary("weekly", "2025-W41", 2, trades_closed=0)}
    (event,) = run(rules, [close("2025-10-06"), close("2025-10-08")], summaries)
    assert event["raised_at"] == "2025-10-08T23:59:59Z"
    (event,) = run(rules, [close("2025-10-20", "W")], summaries)  # no day inside the week
    assert event["raised_at"] == "2025-10-12T23:59:59Z"


@pytest.mark.parametrize(
    ("comparison", "fires_at"),
    [("<", [4]), ("<=", [4, 5]), (">", [6]), (">=", [5, 6])],
)
def test_comparisons_and_equality(comparison, fires_at):
    rules = only(n={"metric": "trades_total", "comparison": comparison, "target": 5})
    summaries = {
        ("daily", f"2025-10-0{n + 2}"): summary("daily", f"2025-10-0{n + 2}", n) for n in (4, 5, 6)
    }
    events = run(rules, [], summaries)
    assert [int(e["actual"].split(".")[0]) for e in events] == fires_at


def test_summary_win_rate_is_compared_in_percent():
    rules = only(
        monthly_wr={"metric": "win_rate", "window": "monthly", "target": "win_rate_target"}
    )
    summaries = {
        ("monthly", "2025-09"): summary("monthly", "2025-09", win_rate="0.5"),
        ("monthly", "2025-10"): summary("monthly", "2025-10", win_rate="0.4"),
    }
    (event,) = run(rules, [], summaries)
    assert (event["period"], event["actual"], event["target"]) == ("2025-10", "40.000000", "50")
    assert event["context"]["target_key"] == "win_rate_target"


def test_custom_rule_critical_below_and_severity():
    rules = only(
        pnl={"metric": "net_pnl", "target": 0, "severity": "WARN", "critical_below": -100},
        crit={"metric": "net_pnl", "target": -50, "severity": "CRITICAL"},
    )
    summaries = {
        ("daily", "2025-10-06"): summary("daily", "2025-10-06", net_pnl="-10"),
        ("daily", "2025-10-07"): summary("daily", "2025-10-07", net_pnl="-100.01"),
    }
    got = {e["id"]: e["severity"] for e in run(rules, [], summaries)}
    assert got == {
        "pnl:daily:2025-10-06": "WARN",
        "pnl:daily:2025-10-07": "CRITICAL",
        "crit:daily:2025-10-07": "CRITICAL",
    }


def test_evaluate_is_deterministic_and_ids_are_unique():
    rules = parse_rules({"w": {"metric": "net_pnl", "window": "weekly", "target": 0}}, TARGET_KEYS)
    days = [close(f"2025-10-{d:02d}", "WLLL", rr=("0.5",) * 4) for d in (6, 7, 8, 9, 10)]
    summaries = {
        ("daily", f"2025-10-{d:02d}"): summary("daily", f"2025-10-{d:02d}", 4, max_drawdown="-2000")
        for d in (6, 7, 8, 9, 10)
    }
    summaries[("weekly", "2025-W41")] = summary("weekly", "2025-W41", 20, net_pnl="-1")
    first = run(rules, days, summaries)
    assert run(rules, list(days), dict(reversed(list(summaries.items())))) == first
    assert {e["rule"] for e in first} == {
        "win_rate_breach",
        "risk_reward_breach",
        "drawdown_breach",
        "w",
    }


# --------------------------------------------------------------------------- apply_log


def test_apply_log_copies_the_acknowledgement():
    days = [close("2025-10-06", "LLLL"), close("2025-10-07", "LLLL")]
    events = run(only("win_rate_breach"), days, rolling_window=4)
    logged = {
        "win_rate_breach:daily:2025-10-06": {
            **events[0],
            "acknowledged_at": "2025-10-08T09:00:00Z",
        },
        "win_rate_breach:daily:2025-10-07": dict(events[1]),  # logged, not acknowledged
        "other:daily:2025-10-07": {"id": "other:daily:2025-10-07", "acknowledged_at": "x"},
    }
    applied = apply_log(events, logged)
    assert [e["acknowledged_at"] for e in applied] == ["2025-10-08T09:00:00Z", None]
    assert events[0]["acknowledged_at"] is None  # input not mutated
    assert apply_log(events, {}) == events


# --------------------------------------------------------------------------- alerts_for


def ev(window: str, period: str, severity: str = "WARN", rule: str = "r") -> dict:
    return {
        "id": f"{rule}:{window}:{period}",
        "rule": rule,
        "window": window,
        "period": period,
        "severity": severity,
    }


def test_alerts_for_a_period_lists_its_own_and_shorter_ones_inside_it():
    events = [
        ev("daily", "2025-10-05"),  # Sunday of W40
        ev("daily", "2025-10-06", rule="b"),
        ev("daily", "2025-10-06", "CRITICAL", rule="a"),
        ev("daily", "2025-10-12"),  # Sunday of W41
        ev("daily", "2025-10-13"),
        ev("weekly", "2025-W41"),
        ev("weekly", "2025-W40"),  # 09-29 .. 10-05: straddles the month
        ev("monthly", "2025-10"),
    ]
    d = dt.date.fromisoformat
    week = alerts_for("weekly", d("2025-10-06"), d("2025-10-12"), events)
    assert [e["id"] for e in week] == [
        "a:daily:2025-10-06",  # CRITICAL first
        "b:daily:2025-10-06",
        "r:daily:2025-10-12",
        "r:weekly:2025-W41",
    ]
    day = alerts_for("daily", d("2025-10-06"), d("2025-10-06"), events)
    assert [e["id"] for e in day] == ["a:daily:2025-10-06", "b:daily:2025-10-06"]
    month = alerts_for("monthly", d("2025-10-01"), d("2025-10-31"), events)
    assert "r:weekly:2025-W40" not in [e["id"] for e in month]
    assert len(month) == 7
    assert alerts_for("daily", d("2025-10-07"), d("2025-10-07"), events) == []
    every = alerts_for("all", d("2025-09-01"), d("2025-10-31"), events)
    assert len(every) == len(events)
