"""Pure tests of incidents (sitegen/incidents.py): alert events as evaluate() raises
them on small hand-made days and summaries, grouped into runs; and what `sitegen ack`
selects among them.

Outcomes are letters as in tests/test_alerts.py: W win, L loss, B breakeven.
"""

from __future__ import annotations

import datetime as dt

import pytest

from sitegen.incidents import current_and_cleared, incidents, listing, open_incidents, select
from tests.test_alerts import close, only, run, summary

FIELDS = [
    "id",
    "rule",
    "window",
    "severity",
    "since",
    "latest",
    "periods",
    "worst",
    "acknowledged",
    "events",
]


def weekdays(first: str, n: int) -> list[str]:
    day, out = dt.date.fromisoformat(first), []
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day.isoformat())
        day += dt.timedelta(days=1)
    return out


def win_rate_incidents(days) -> list[dict]:
    return incidents(run(only("win_rate_breach"), days, rolling_window=4))


# --------------------------------------------------------------------------- grouping


def test_a_40_day_breach_streak_is_one_incident_of_40_events():
    days = weekdays("2025-09-01", 40)
    (incident,) = win_rate_incidents([close(d, "LLLL") for d in days])
    assert list(incident) == FIELDS
    assert incident == {
        "id": f"win_rate_breach:daily:{days[0]}",
        "rule": "win_rate_breach",
        "window": "daily",
        "severity": "WARN",
        "since": days[0],
        "latest": days[-1],
        "periods": 40,
        "worst": "0.000000",
        "acknowledged": False,
        "events": [f"win_rate_breach:daily:{d}" for d in days],
    }


def test_a_period_that_evaluates_the_rule_without_a_breach_splits_an_incident():
    days = weekdays("2025-10-06", 5)
    found = win_rate_incidents(
        [
            close(days[0], "LLLL"),
            close(days[1], "LLLL"),
            close(days[2], "WWWW"),  # 100 %: evaluated, no breach
            close(days[3], "LLLL"),
            close(days[4], "LLLL"),
        ]
    )
    assert sorted((i["since"], i["latest"], i["periods"]) for i in found) == [
        (days[0], days[1], 2),
        (days[3], days[4], 2),
    ]


def test_a_day_without_closed_trades_does_not_split_an_incident():
    days = weekdays("2025-10-06", 4)
    (incident,) = win_rate_incidents(
        [
            close(days[0], "LLLL"),
            close(days[1]),  # open trades only: no rule is evaluated
            close(days[2], "LLLL"),
            close(days[3], "LLLL"),
        ]
    )
    assert (incident["since"], incident["latest"], incident["periods"]) == (days[0], days[3], 3)


def test_a_summary_rule_is_not_split_by_a_period_without_closed_trades():
    """A day with open trades only has a drawdown of 0 (no breach), but evaluates no
    rule in the sense of incidents; a day with no trades at all is not evaluated."""
    summaries = {
        ("daily", "2025-10-06"): summary("daily", "2025-10-06", max_drawdown="-2000"),
        ("daily", "2025-10-07"): summary(
            "daily", "2025-10-07", 2, max_drawdown="0", trades_closed=0
        ),
        ("daily", "2025-10-08"): summary("daily", "2025-10-08", 0, max_drawdown="0"),
        ("daily", "2025-10-09"): summary("daily", "2025-10-09", max_drawdown="-3000"),
        ("daily", "2025-10-10"): summary("daily", "2025-10-10", max_drawdown="-10"),  # met
        ("daily", "2025-10-13"): summary("daily", "2025-10-13", max_drawdown="-1500"),
    }
    found = incidents(run(only("drawdown_breach"), [], summaries))
    assert [(i["since"], i["latest"], i["periods"], i["worst"]) for i in found] == [
        ("2025-10-13", "2025-10-13", 1, "-1500.000000"),  # the most recent first
        ("2025-10-06", "2025-10-09", 2, "-3000.000000"),
    ]
    assert all(i["severity"] == "CRITICAL" for i in found)


def test_incidents_are_per_rule_and_per_window():
    rules = only(
        "win_rate_breach",
        weekly_loss={"metric": "net_pnl", "window": "weekly", "target": 0},
        daily_loss={"metric": "net_pnl", "target": 0},
    )
    days = weekdays("2025-10-06", 10)
    summaries = {("daily", d): summary("daily", d, net_pnl="-5") for d in days}
    summaries[("weekly", "2025-W41")] = summary("weekly", "2025-W41", net_pnl="-25")
    summaries[("weekly", "2025-W42")] = summary("weekly", "2025-W42", net_pnl="-25")
    events = run(rules, [close(d, "LLLL") for d in days], summaries, rolling_window=4)
    found = {(i["rule"], i["window"]): i["periods"] for i in incidents(events)}
    assert found == {
        ("win_rate_breach", "daily"): 10,
        ("daily_loss", "daily"): 10,
        ("weekly_loss", "weekly"): 2,
    }
    # the same rule name in two windows (a rule whose window was changed) is two runs
    moved = [{**e, "window": "weekly", "id": e["id"] + "w"} for e in events[:2]]
    assert len(incidents(events + moved)) == len(found) + 1


@pytest.mark.parametrize(
    ("comparison", "worst"), [("<", "-7"), ("<=", "-7"), (">", "9"), (">=", "9")]
)
def test_the_worst_value_follows_the_rules_comparison(comparison, worst):
    events = [
        {
            "id": f"r:daily:2025-10-0{i}",
            "rule": "r",
            "window": "daily",
            "period": f"2025-10-0{i}",
            "severity": "WARN",
            "actual": actual,
            "acknowledged_at": None,
            "context": {"comparison": comparison, "since": "2025-10-06"},
        }
        for i, actual in ((6, "3"), (7, "-7"), (8, "9"))
    ]
    (incident,) = incidents(events)
    assert incident["worst"] == worst


def test_severity_is_the_most_severe_event_and_acknowledged_needs_every_event():
    days = [
        close(d, "W" * 10, rr=(rr,) * 10)
        for d, rr in zip(weekdays("2025-10-06", 3), ("1.2", "0.5", "1.4"), strict=True)
    ]
    events = run(only("risk_reward_breach"), days)
    assert [e["severity"] for e in events] == ["WARN", "CRITICAL", "WARN"]
    (incident,) = incidents(events)
    assert incident["severity"] == "CRITICAL" and incident["worst"] == "0.500000"
    events[0]["acknowledged_at"] = events[1]["acknowledged_at"] = "2025-10-09T09:00:00Z"
    assert incidents(events)[0]["acknowledged"] is False
    events[2]["acknowledged_at"] = "2025-10-09T10:00:00Z"
    assert incidents(events)[0]["acknowledged"] is True


def test_order_open_then_most_severe_then_most_recent():
    def event(rule, period, severity="WARN", acked=None):
        return {
            "id": f"{rule}:daily:{period}",
            "rule": rule,
            "window": "daily",
            "period": period,
            "severity": severity,
            "actual": "1",
            "acknowledged_at": acked,
            "context": {"since": period},
        }

    events = [
        event("a", "2025-10-06"),
        event("b", "2025-10-08"),
        event("c", "2025-10-01", "CRITICAL"),
        event("d", "2025-10-09", "CRITICAL", acked="x"),
    ]
    assert [i["rule"] for i in incidents(events)] == ["c", "b", "a", "d"]


def test_events_edited_by_hand_never_break_grouping():
    strange = [
        {"id": "x"},
        {"id": "y", "rule": 3, "period": None, "context": "no", "actual": "NaN"},
        {"id": "z", "rule": "r", "window": "daily", "period": "2025-10-06", "actual": [1]},
    ]
    found = incidents(strange)
    assert sorted(i["id"] for i in found) == ["x", "y", "z"]
    assert all(i["worst"] is None for i in found)


# --------------------------------------------------------------------------- the log


def test_current_and_cleared_and_their_states():
    days = weekdays("2025-10-06", 3)
    built = run(only("win_rate_breach"), [close(d, "LLLL") for d in days], rolling_window=4)
    logged = {e["id"]: dict(e) for e in built}
    logged[built[0]["id"]]["acknowledged_at"] = "2025-10-09T09:00:00Z"  # acked since
    gone = {**built[0], "id": "win_rate_breach:daily:2025-10-03", "period": "2025-10-03"}
    gone["context"] = {**gone["context"], "since": "2025-10-03"}
    logged[gone["id"]] = gone  # raised by an earlier build, not by the last one
    current, cleared = current_and_cleared(built, logged)
    assert [e["acknowledged_at"] for e in current] == ["2025-10-09T09:00:00Z", None, None]
    assert [e["id"] for e in cleared] == [gone["id"]]
    states = [(i["id"], state) for i, state in listing(current, cleared)]
    assert states == [(built[0]["id"], "open"), (gone["id"], "cleared")]
    # without a build, every logged event counts as raised
    current, cleared = current_and_cleared(None, logged)
    assert len(current) == 4 and cleared == []
    # an event of the build that the log lacks (another log) is not listed
    del logged[built[2]["id"]]
    current, _ = current_and_cleared(built, logged)
    assert [e["id"] for e in current] == [e["id"] for e in built[:2]]


def test_open_incidents_are_those_holding_an_open_event_of_the_latest_periods():
    days = weekdays("2025-10-06", 5)
    events = run(
        only("win_rate_breach"),
        [close(days[0], "LLLL"), close(days[1], "WWWW"), *(close(d, "LLLL") for d in days[2:])],
        rolling_window=4,
    )
    assert open_incidents(events, [f"win_rate_breach:daily:{days[-1]}"]) == [
        f"win_rate_breach:daily:{days[2]}"
    ]
    assert open_incidents(events, []) == []


# --------------------------------------------------------------------------- ack


@pytest.fixture
def two_runs():
    days = weekdays("2025-10-06", 5)
    rules = only("win_rate_breach", "drawdown_breach")
    summaries = {("daily", days[4]): summary("daily", days[4], max_drawdown="-5000")}
    closes = [close(days[0], "LLLL"), close(days[1], "LLLL"), close(days[2], "WWWW")]
    closes += [close(days[3], "LLLL"), close(days[4], "LLLL")]
    events = run(rules, closes, summaries, rolling_window=4)
    return days, events, incidents(events)


def ids(picked) -> list[str]:
    return [e["id"] for e in picked]


def test_select_by_event_id_and_by_incident_id(two_runs):
    days, events, found = two_runs
    second = f"win_rate_breach:daily:{days[1]}"
    assert select(events, found, [second]) == ([events[1]], [])
    # an incident's id (its first event's) stands for all its events
    first = f"win_rate_breach:daily:{days[0]}"
    assert ids(select(events, found, [first])[0]) == [first, second]
    # ids are a union
    both = select(events, found, [first, f"drawdown_breach:daily:{days[4]}"])[0]
    assert ids(both) == [first, second, f"drawdown_breach:daily:{days[4]}"]


def test_select_everything_by_rule_before_a_date_and_combined(two_runs):
    days, events, found = two_runs
    assert len(select(events, found, everything=True)[0]) == 5
    assert len(select(events, found, [events[0]["id"]], everything=True)[0]) == 5
    picked = select(events, found, rule="drawdown_breach")[0]
    assert ids(picked) == [f"drawdown_breach:daily:{days[4]}"]
    # periods that end before the date: not the date itself
    before = dt.date.fromisoformat(days[3])
    assert [e["period"] for e in select(events, found, before=before)[0]] == days[:2]
    # filters narrow each other, and narrow ids
    assert select(events, found, rule="drawdown_breach", before=before)[0] == []
    late = select(events, found, [f"win_rate_breach:daily:{days[3]}"], before=before)[0]
    assert late == []
    picked = select(events, found, rule="win_rate_breach", before=dt.date.fromisoformat(days[4]))
    assert [e["period"] for e in picked[0]] == [days[0], days[1], days[3]]


def test_select_names_unknown_ids_once(two_runs):
    _, events, found = two_runs
    _, unknown = select(events, found, ["nope", events[0]["id"], "nope", "x:daily:1"])
    assert unknown == ["nope", "x:daily:1"]


def test_weekly_periods_end_on_their_sunday():
    event = {
        "id": "w:weekly:2025-W41",
        "rule": "w",
        "window": "weekly",
        "period": "2025-W41",  # 2025-10-06 .. 2025-10-12
        "acknowledged_at": None,
    }
    found = incidents([event])
    assert select([event], found, before=dt.date(2025, 10, 12))[0] == []
    assert select([event], found, before=dt.date(2025, 10, 13))[0] == [event]
    junk = {**event, "id": "j", "period": "soon"}
    assert select([junk], incidents([junk]), before=dt.date(2099, 1, 1))[0] == []
