"""Alerts end to end through the command line, as a new user runs them.

Each test runs in its own empty folder (``logs/``, ``config/`` relative to it) with
the time-zone and rolling-window environment variables removed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sitegen.cli import main
from sitegen.config import ENV_ROLLING, ENV_TIMEZONE
from sitegen.demo import generate
from sitegen.export import validate_alert, validate_summary
from tests.conftest import trade, write_log

DEFAULT_RULES = {"win_rate_breach", "risk_reward_breach", "drawdown_breach"}
#: strict enough that the three default rules fire on the demo data
STRICT = "win_rate_target: 90\navg_risk_reward_target: 5\nmax_drawdown_target: -1\n"
ALERT_LOG = Path("logs/performance-alerts.jsonl")
ARTIFACTS = Path("logs/performance")
ID = re.compile(r"\b[a-z_]+:(?:daily|weekly|monthly):\d{4}-(?:W\d{2}|\d{2}(?:-\d{2})?)\b")
LETTERS = {"W": "win", "L": "loss", "B": "breakeven"}
PNL = {"win": "10.00", "loss": "-10.00", "breakeven": "0.00"}


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_TIMEZONE, raising=False)
    monkeypatch.delenv(ENV_ROLLING, raising=False)
    return tmp_path


def sitegen(*args) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def build(*args) -> Result:
    return sitegen("build", "--no-site", *args)


def write(path: str | Path, text: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def day(date: str, outcomes: str, *, rr: float | None = None, loss: str = "-10.00") -> list:
    """One record per letter (W/L/B), a minute apart from 14:00Z, all AAPL."""
    records = []
    for i, letter in enumerate(outcomes):
        outcome = LETTERS[letter]
        net = loss if outcome == "loss" else PNL[outcome]
        records.append(trade(f"{date}T14:{i:02d}:00Z", "AAPL", outcome, net, rr=rr))
    return records


def logs(days: dict[str, list], folder: str | Path = "logs") -> None:
    for date, records in days.items():
        write_log(Path(folder), date, records)


def logged(path: Path = ALERT_LOG, *, torn: int = 0) -> list[dict]:
    """Every line of the alert log, in order; fails on a bad line (but the ``torn`` first)."""
    if not path.exists():
        return []
    out = []
    for line in path.read_bytes().splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            assert torn > 0, f"bad line in the alert log: {line!r}"
            torn -= 1
    return out


def raised(path: Path = ALERT_LOG, *, torn: int = 0) -> dict[str, dict]:
    """The events as first raised (one line each), by id; fails on a duplicate."""
    first = [e for e in logged(path, torn=torn) if e["acknowledged_at"] is None]
    ids = [e["id"] for e in first]
    assert len(ids) == len(set(ids)), "duplicate events in the alert log"
    return {e["id"]: e for e in first}


def alerts_json(*args) -> list[dict]:
    result = sitegen("alerts", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def artifact(name: str) -> dict:
    return json.loads((ARTIFACTS / f"{name}.json").read_text(encoding="utf-8"))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), result.exception


# --------------------------------------------------------------------------- the whole story


def test_strict_targets_on_demo_logs_until_every_alert_is_acknowledged():
    generate(Path("logs"), days=8, per_day=6, seed=3)
    write("config/dashboard-targets.yaml", STRICT)

    first = build("-v")
    assert first.exit_code == 2, first.output
    assert "unacknowledged alert" in first.stderr
    events = raised()
    assert {e["rule"] for e in events.values()} == DEFAULT_RULES
    lines = logged()
    assert len(lines) == len(events)  # one line per event, nothing else
    for event in lines:
        validate_alert(event)
        assert event["id"] == f"{event['rule']}:{event['window']}:{event['period']}"
    # one WARN line per new event (with -v; by default the command prints a count)
    assert first.stderr.count("WARNING: alert ") == len(events)
    assert {e["severity"] for e in events.values() if e["rule"] == "drawdown_breach"} == {
        "CRITICAL"
    }

    # `sitegen alerts` lists incidents: every event in exactly one
    incidents = alerts_json()
    assert sorted(e for i in incidents for e in i["events"]) == sorted(events)
    assert len(incidents) < len(events)  # strict targets: runs of several days
    listed = sitegen("alerts")
    assert listed.exit_code == 0, listed.output
    assert set(ID.findall(listed.stdout)) == {i["id"] for i in incidents}

    # a re-run with the same logs appends nothing and rewrites no artifact
    log_bytes, artifacts = ALERT_LOG.read_bytes(), snapshot(ARTIFACTS)
    second = build()
    assert second.exit_code == 2
    assert "WARNING: alert " not in second.stderr
    assert ALERT_LOG.read_bytes() == log_bytes
    assert snapshot(ARTIFACTS) == artifacts

    # acknowledge all incidents but one by their ids: still exit 2 (every alert here is
    # in the latest month)
    for incident in incidents[:-1]:
        acked = sitegen("ack", incident["id"])
        assert acked.exit_code == 0, acked.output
        n = len(incident["events"])
        assert f"Acknowledged {n} alert{'' if n == 1 else 's'} in 1 incident at " in acked.stdout
    assert build().exit_code == 2
    assert alerts_json() == [incidents[-1]]

    assert sitegen("ack", incidents[-1]["id"]).exit_code == 0
    assert sitegen("alerts").stdout.strip() == "No open alerts."
    everything = alerts_json("--all")
    assert [i["id"] for i in everything] == [i["id"] for i in incidents]
    assert all(i["acknowledged"] for i in everything)
    assert "open" not in sitegen("alerts", "--all").stdout.split("Incidents", 1)[1]

    final = build()
    assert final.exit_code == 0, final.output
    assert "unacknowledged" not in final.output
    assert build().exit_code == 0
    # the log: each event once, then its acknowledgement once; ids are stable
    lines = logged()
    assert len(lines) == 2 * len(events)
    assert raised() == events
    acks = [e for e in lines if e["acknowledged_at"]]
    assert sorted(e["id"] for e in acks) == sorted(events)
    for event in acks:
        validate_alert(event)
        assert {**event, "acknowledged_at": None} == events[event["id"]]
    # summaries show the acknowledged state
    for event in events.values():
        summary = artifact(f"daily-summary-{event['period']}")
        shown = {a["id"]: a for a in summary["alerts"]}
        assert shown[event["id"]]["acknowledged_at"] is not None


def test_ids_are_stable_and_only_new_events_are_appended_when_a_day_arrives(monkeypatch):
    monkeypatch.setenv(ENV_ROLLING, "4")
    logs({"2025-10-06": day("2025-10-06", "LLLL"), "2025-10-07": day("2025-10-07", "WWWW")})
    assert build().exit_code == 2
    before = ALERT_LOG.read_bytes()
    assert list(raised()) == ["win_rate_breach:daily:2025-10-06"]

    logs({"2025-10-08": day("2025-10-08", "LLLL")})
    result = build("-v")
    assert result.exit_code == 2
    after = ALERT_LOG.read_bytes()
    assert after.startswith(before)  # earlier lines never rewritten
    assert list(raised()) == [
        "win_rate_breach:daily:2025-10-06",
        "win_rate_breach:daily:2025-10-08",
    ]
    assert result.stderr.count("WARNING: alert ") == 1
    assert build().exit_code == 2
    assert ALERT_LOG.read_bytes() == after


def test_a_torn_alert_log_line_is_healed_by_the_next_build(monkeypatch):
    monkeypatch.setenv(ENV_ROLLING, "4")
    logs({"2025-10-06": day("2025-10-06", "LLLL"), "2025-10-07": day("2025-10-07", "LLLL")})
    assert build().exit_code == 2
    whole = ALERT_LOG.read_bytes()
    torn = whole[: len(whole) - 25]  # a crash in the middle of the last line
    ALERT_LOG.write_bytes(torn)
    assert build().exit_code == 2
    healed = ALERT_LOG.read_bytes()
    assert healed.startswith(torn + b"\n")
    assert list(raised(torn=1)) == [
        "win_rate_breach:daily:2025-10-06",
        "win_rate_breach:daily:2025-10-07",
    ]
    assert build().exit_code == 2
    assert ALERT_LOG.read_bytes() == healed


# --------------------------------------------------------------------------- ack


def test_ack_unknown_id_exits_1_with_a_clear_message(monkeypatch):
    monkeypatch.setenv(ENV_ROLLING, "4")
    logs({"2025-10-06": day("2025-10-06", "LLLL")})
    assert build().exit_code == 2
    before = ALERT_LOG.read_bytes()
    result = sitegen("ack", "win_rate_breach:daily:1999-01-01")
    assert result.exit_code == 1
    no_traceback(result)
    assert "no alert or incident with id 'win_rate_breach:daily:1999-01-01'" in result.stderr
    assert "sitegen alerts --all" in result.stderr
    assert ALERT_LOG.read_bytes() == before


def test_ack_twice_says_so(monkeypatch):
    monkeypatch.setenv(ENV_ROLLING, "4")
    logs({"2025-10-06": day("2025-10-06", "LLLL")})
    build()
    alert_id = "win_rate_breach:daily:2025-10-06"
    assert sitegen("ack", alert_id).exit_code == 0
    before = ALERT_LOG.read_bytes()
    again = sitegen("ack", alert_id)
    assert again.exit_code == 0
    assert "Nothing to acknowledge: 1 matching alert, already acknowledged" in (again.stdout)
    assert ALERT_LOG.read_bytes() == before


# a run of breaches (Mon, Tue), a day at 100 % that ends it, then another run (Thu, Fri);
# with N = 4 each day's four trades are the window
RUNS = {
    "2025-10-06": "LLLL",
    "2025-10-07": "LLLL",
    "2025-10-08": "WWWW",
    "2025-10-09": "LLLL",
    "2025-10-10": "LLLL",
}
FIRST = ["win_rate_breach:daily:2025-10-06", "win_rate_breach:daily:2025-10-07"]
SECOND = ["win_rate_breach:daily:2025-10-09", "win_rate_breach:daily:2025-10-10"]


@pytest.fixture
def two_runs(monkeypatch):
    monkeypatch.setenv(ENV_ROLLING, "4")
    logs({date: day(date, letters) for date, letters in RUNS.items()})
    assert build().exit_code == 2
    assert sorted(raised()) == FIRST + SECOND


def acked() -> list[str]:
    """Ids acknowledged in the alert log, in the order of their lines."""
    return [e["id"] for e in logged() if e["acknowledged_at"]]


def test_alerts_json_is_an_array_of_incidents_with_exactly_their_fields(two_runs):
    found = alerts_json()
    assert found == [
        {
            "id": SECOND[0],
            "rule": "win_rate_breach",
            "window": "daily",
            "severity": "WARN",
            "since": "2025-10-09",
            "latest": "2025-10-10",
            "periods": 2,
            "worst": "0.000000",
            "acknowledged": False,
            "events": SECOND,
        },
        {
            "id": FIRST[0],
            "rule": "win_rate_breach",
            "window": "daily",
            "severity": "WARN",
            "since": "2025-10-06",
            "latest": "2025-10-07",
            "periods": 2,
            "worst": "0.000000",
            "acknowledged": False,
            "events": FIRST,
        },
    ]
    table = sitegen("alerts").stdout
    assert "Incidents" in table and FIRST[0] in table and FIRST[1] not in table
    assert sitegen("ack", FIRST[0]).exit_code == 0
    assert [i["id"] for i in alerts_json()] == [SECOND[0]]
    everything = alerts_json("--all")
    assert [(i["id"], i["acknowledged"]) for i in everything] == [
        (SECOND[0], False),
        (FIRST[0], True),
    ]
    assert "acknowledged" in sitegen("alerts", "--all").stdout


def test_ack_an_event_id_acknowledges_that_event_only(two_runs):
    result = sitegen("ack", FIRST[1])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Acknowledged 1 alert in 1 incident at ")
    assert acked() == [FIRST[1]]
    assert not alerts_json()[1]["acknowledged"]  # not every event of the incident


def test_ack_an_incident_id_acknowledges_its_events_in_one_append(two_runs, monkeypatch):
    from sitegen import alertlog

    appends = []
    real = alertlog.append_events
    monkeypatch.setattr(
        alertlog, "append_events", lambda *a, **k: appends.append(a[1]) or real(*a, **k)
    )
    result = sitegen("ack", SECOND[0])
    assert result.exit_code == 0, result.output
    assert "Acknowledged 2 alerts in 1 incident at " in result.stdout
    assert [[e["id"] for e in batch] for batch in appends] == [SECOND]
    assert acked() == SECOND
    # each acknowledgement is the event as raised, with the time set
    for event in logged()[-2:]:
        assert {**event, "acknowledged_at": None} == raised()[event["id"]]


def test_ack_all(two_runs):
    result = sitegen("ack", "--all")
    assert result.exit_code == 0, result.output
    assert "Acknowledged 4 alerts in 2 incidents at " in result.stdout
    assert sorted(acked()) == FIRST + SECOND
    assert build().exit_code == 0
    again = sitegen("ack", "--all")
    assert again.exit_code == 0
    assert "Nothing to acknowledge: 4 matching alerts, already acknowledged" in (again.stdout)


def test_ack_by_rule_before_a_date_and_combined(two_runs):
    before = ALERT_LOG.read_bytes()
    none = sitegen("ack", "--rule", "drawdown_breach")
    assert none.exit_code == 0
    assert none.stdout.strip() == "Nothing to acknowledge: no alert matches."
    assert ALERT_LOG.read_bytes() == before
    # periods that end before the date, the date itself not included
    assert sitegen("ack", "--before", "2025-10-07").exit_code == 0
    assert acked() == FIRST[:1]
    # filters narrow ids: only SECOND's first day ends before 2025-10-10
    result = sitegen(
        "ack", SECOND[0], FIRST[1], "--before", "2025-10-10", "--rule", "win_rate_breach"
    )
    assert result.exit_code == 0, result.output
    assert "Acknowledged 2 alerts in 2 incidents" in result.stdout
    assert acked() == [FIRST[0], FIRST[1], SECOND[0]]
    assert [i["id"] for i in alerts_json()] == [SECOND[0]]  # SECOND[1] is still open


def test_ack_before_today_quiets_a_long_history_in_one_command(monkeypatch):
    monkeypatch.setenv(ENV_ROLLING, "4")
    dates = [f"2025-09-{d:02d}" for d in (1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 15, 16, 17)]
    logs({date: day(date, "LLLL") for date in dates})
    assert build().exit_code == 2
    assert len(raised()) == len(dates)
    (incident,) = alerts_json()  # 13 days of one breach: one incident
    assert incident["periods"] == len(dates)
    result = sitegen("ack", "--before", "2025-09-17")
    assert result.exit_code == 0, result.output
    assert "Acknowledged 12 alerts in 1 incident" in result.stdout
    assert build().exit_code == 2  # the latest day is still open
    assert sitegen("ack", "--before", "2025-09-18").exit_code == 0
    assert build().exit_code == 0
    assert sitegen("alerts").stdout.strip() == "No open alerts."


def test_ack_an_unknown_id_among_known_ones_acknowledges_nothing(two_runs):
    before = ALERT_LOG.read_bytes()
    result = sitegen("ack", FIRST[0], "nope:daily:2025-10-06", "--all")
    assert result.exit_code == 1
    no_traceback(result)
    assert "no alert or incident with id 'nope:daily:2025-10-06'" in result.stderr
    assert "sitegen alerts --all" in result.stderr
    assert ALERT_LOG.read_bytes() == before


@pytest.mark.parametrize("args", [[], ["--before", "soon"]])
def test_ack_needs_something_to_acknowledge(two_runs, args):
    before = ALERT_LOG.read_bytes()
    result = sitegen("ack", *args)
    assert result.exit_code == 1, result.output
    no_traceback(result)
    assert "--before" in result.stderr
    assert ALERT_LOG.read_bytes() == before


def test_values_from_the_alert_log_print_as_text(two_runs):
    """An alert log edited by hand: a terminal escape in a value prints as U+FFFD."""
    event = {**raised()[FIRST[0]], "id": "evil\x1b[2J:daily:x", "rule": "r\x1b]0;pwned\x07"}
    event["acknowledged_at"] = None
    with ALERT_LOG.open("a", encoding="utf-8") as fp:
        fp.write(json.dumps(event) + "\n")
    listed = sitegen("alerts", "--all")
    assert listed.exit_code == 0
    assert "\x1b" not in listed.stdout and "\x07" not in listed.stdout
    assert "evil\ufffd[2J" in listed.stdout
    unknown = sitegen("ack", "\x1b[31mred")
    assert unknown.exit_code == 1 and "\x1b" not in unknown.stderr
    assert "\ufffd[31mred" in unknown.stderr


def test_exit_zero_exits_0_with_open_alerts_but_1_on_an_error(two_runs):
    result = build("--exit-zero")
    assert result.exit_code == 0, result.output
    assert "2 open incidents (4 unacknowledged alerts)" in result.stderr
    write("config/sitegen.yaml", "rolling_window: many\n")
    assert build("--exit-zero").exit_code == 1


def test_alert_log_from_the_config_is_the_one_build_and_ack_use(monkeypatch):
    import sitegen as library

    monkeypatch.setenv(ENV_ROLLING, "4")
    config = write("settings/sitegen.yaml", "logs_dir: ../logs\nalert_log: ../state/alerts.jsonl\n")
    logs({"2025-10-06": day("2025-10-06", "LLLL")})
    report = library.build(library.load_config(config))  # relative to the config file
    state = Path("state/alerts.jsonl")
    assert [e["id"] for e in report.alerts_raised] == ["win_rate_breach:daily:2025-10-06"]
    assert list(raised(state)) == ["win_rate_breach:daily:2025-10-06"]
    assert not ALERT_LOG.exists()
    # without --config, the default logs/performance-alerts.jsonl: nothing there
    assert sitegen("ack", "--all").stdout.startswith("Nothing to acknowledge")
    assert not ALERT_LOG.exists()
    acked = sitegen("ack", "win_rate_breach:daily:2025-10-06", "--config", config)
    assert acked.exit_code == 0, acked.output
    assert [e["acknowledged_at"] is not None for e in logged(state)] == [False, True]
    assert build("--config", config).exit_code == 0
    assert not ALERT_LOG.exists()
    # a symlink in its place stays refused
    state.unlink()
    state.symlink_to(Path("elsewhere.jsonl").resolve())
    refused = sitegen("alerts", "--config", config)
    assert refused.exit_code == 1 and "symbolic link" in refused.stderr


def test_ack_with_logs_finds_the_log_the_build_wrote(monkeypatch):
    monkeypatch.setenv(ENV_ROLLING, "4")
    logs({"2025-10-06": day("2025-10-06", "LLLL")}, "data/trades")
    assert build("--logs", "data/trades").exit_code == 2
    log_file = Path("data/trades/performance-alerts.jsonl")
    (alert_id,) = raised(log_file)
    assert not ALERT_LOG.exists()

    elsewhere = sitegen("ack", alert_id)  # default logs/: no such alert there
    assert elsewhere.exit_code == 1
    assert "--logs" in elsewhere.stderr

    assert alert_id in sitegen("alerts", "--logs", "data/trades").stdout
    acked = sitegen("ack", alert_id, "--logs", "data/trades")
    assert acked.exit_code == 0, acked.output
    assert sitegen("alerts", "--logs", "data/trades").stdout.strip() == "No open alerts."
    assert build("--logs", "data/trades").exit_code == 0
    assert not ALERT_LOG.exists()


def test_ack_with_logs_from_the_config_file(monkeypatch):
    monkeypatch.setenv(ENV_ROLLING, "4")
    write("config/sitegen.yaml", "logs_dir: ../bot/logs\n")  # relative to the config file
    logs({"2025-10-06": day("2025-10-06", "LLLL")}, "bot/logs")
    assert build().exit_code == 2
    (alert_id,) = raised(Path("bot/logs/performance-alerts.jsonl"))
    assert sitegen("ack", alert_id).exit_code == 0
    assert build().exit_code == 0


def test_alerts_with_no_log():
    assert sitegen("alerts").stdout.strip() == "No open alerts."
    assert sitegen("alerts", "--all").stdout.strip() == "No alerts."


# --------------------------------------------------------------------------- exit codes


def test_exit_2_only_for_the_latest_day_week_or_month(monkeypatch):
    monkeypatch.setenv(ENV_ROLLING, "4")
    logs({"2025-09-26": day("2025-09-26", "LLLL"), "2025-10-06": day("2025-10-06", "WWWW")})
    result = build()
    assert result.exit_code == 0, result.output  # the breach is in an earlier week and month
    assert list(raised()) == ["win_rate_breach:daily:2025-09-26"]
    assert "win_rate_breach:daily:2025-09-26" in sitegen("alerts").stdout


def test_quiet_build_still_exits_2(monkeypatch):
    monkeypatch.setenv(ENV_ROLLING, "4")
    logs({"2025-10-06": day("2025-10-06", "LLLL")})
    result = build("-q")
    assert result.exit_code == 2
    assert result.output == ""
    assert list(raised()) == ["win_rate_breach:daily:2025-10-06"]


def test_no_alerts_exit_0_and_no_alert_log():
    logs({"2025-10-06": day("2025-10-06", "WWLL", rr=2.0)})
    result = build()
    assert result.exit_code == 0, result.output
    assert not ALERT_LOG.exists()


# --------------------------------------------------------------------------- default rules


def test_win_rate_fewer_than_n_then_at_target_then_breach(monkeypatch):
    monkeypatch.setenv(ENV_ROLLING, "4")
    logs(
        {
            "2025-10-06": day("2025-10-06", "LLL"),  # 3 < N closed trades: not evaluated
            "2025-10-07": day("2025-10-07", "WW"),  # L L W W = 50 %: exactly the target
            "2025-10-08": day("2025-10-08", "LL"),  # W W L L = 50 %
            "2025-10-09": day("2025-10-09", "L"),  # W L L L = 25 %
        }
    )
    assert build().exit_code == 2
    (event,) = raised().values()
    assert event["id"] == "win_rate_breach:daily:2025-10-09"
    assert (event["actual"], event["target"], event["severity"]) == ("25.000000", "50", "WARN")
    assert event["context"]["last_n"] == 4
    assert event["raised_at"] == "2025-10-09T14:00:00Z"


@pytest.mark.parametrize(
    ("config", "env", "fires"),
    [
        (None, None, False),  # default N = 20 > 8 closed trades
        (None, "8", True),
        ("rolling_window: 8\n", None, True),
        ("rolling_window: 9\n", None, False),
        ("rolling_window: 9\n", "8", True),  # the environment wins over the config file
        ("rolling_window: 8\n", "9", False),
    ],
)
def test_rolling_window_config_and_env_override(monkeypatch, config, env, fires):
    if config:
        write("config/sitegen.yaml", config)
    if env:
        monkeypatch.setenv(ENV_ROLLING, env)
    logs({"2025-10-06": day("2025-10-06", "WLLL"), "2025-10-07": day("2025-10-07", "WLLL")})
    result = build()
    assert result.exit_code == (2 if fires else 0), result.output
    events = raised()
    if fires:
        assert list(events) == ["win_rate_breach:daily:2025-10-07"]
        assert events["win_rate_breach:daily:2025-10-07"]["context"]["last_n"] == 8
    else:
        assert events == {}


@pytest.mark.parametrize("value", ["abc", "0", "-3", "2.5"])
def test_bad_rolling_window_env_exits_1_naming_it(monkeypatch, value):
    monkeypatch.setenv(ENV_ROLLING, value)
    logs({"2025-10-06": day("2025-10-06", "WL")})
    result = build()
    assert result.exit_code == 1
    no_traceback(result)
    assert ENV_ROLLING in result.stderr


def test_risk_reward_critical_below_1_and_warn_below_target():
    logs(
        {
            "2025-10-06": day("2025-10-06", "W" * 10, rr=0.8),
            "2025-10-07": day("2025-10-07", "W" * 10, rr=1.2),
            "2025-10-08": day("2025-10-08", "W" * 10, rr=1.5),  # at the target: no alert
            "2025-10-09": day("2025-10-09", "W" * 10, rr=1.0),  # not below 1.0: WARN
        }
    )
    assert build().exit_code == 2
    events = raised()
    assert {i: (e["severity"], e["actual"]) for i, e in events.items()} == {
        "risk_reward_breach:daily:2025-10-06": ("CRITICAL", "0.800000"),
        "risk_reward_breach:daily:2025-10-07": ("WARN", "1.200000"),
        "risk_reward_breach:daily:2025-10-09": ("WARN", "1.000000"),
    }
    assert all(e["target"] == "1.5" for e in events.values())


def test_drawdown_breach_and_exactly_at_target():
    write("config/dashboard-targets.yaml", "max_drawdown_target: -100\n")
    logs(
        {
            "2025-10-06": day("2025-10-06", "WLL", loss="-50.00"),  # 10, -40, -90: dd -100
            "2025-10-07": day("2025-10-07", "LWL", loss="-50.00"),  # -50, -40, -90: dd -90
            "2025-10-08": day("2025-10-08", "LLW", loss="-50.01"),  # dd -100.02
        }
    )
    assert build().exit_code == 2
    (event,) = raised().values()
    assert event["id"] == "drawdown_breach:daily:2025-10-08"
    assert (event["severity"], event["actual"], event["target"]) == (
        "CRITICAL",
        "-100.020000",
        "-100",
    )
    assert artifact("daily-summary-2025-10-06")["max_drawdown"] == "-100.00"
    assert artifact("daily-summary-2025-10-06")["alerts"] == []


# --------------------------------------------------------------------------- config rules


WEEKLY_LOSS = (
    "rules:\n"
    '  weekly_loss: {metric: net_pnl, window: weekly, comparison: "<", target: 0,'
    " severity: WARN}\n"
)


def test_custom_rule_fires_on_a_losing_week():
    write("config/sitegen.yaml", WEEKLY_LOSS)
    logs(
        {
            "2025-10-06": day("2025-10-06", "WL", loss="-15.00"),  # W41: -5
            **{f"2025-10-{d:02d}": [] for d in (7, 8, 9, 10)},
            "2025-10-13": day("2025-10-13", "WL", loss="-5.00"),  # W42: +5
        }
    )
    result = build()
    assert result.exit_code == 2, result.output  # W41 lies in the latest month
    (event,) = raised().values()
    validate_alert(event)
    assert event["id"] == "weekly_loss:weekly:2025-W41"
    assert (event["window"], event["metric"], event["actual"], event["target"]) == (
        "weekly",
        "net_pnl",
        "-5.000000",
        "0",
    )
    assert event["severity"] == "WARN"
    assert event["raised_at"] == "2025-10-06T14:01:00Z"  # the week's last close
    assert [a["id"] for a in artifact("weekly-summary-2025-W41")["alerts"]] == [event["id"]]
    assert artifact("weekly-summary-2025-W42")["alerts"] == []
    assert [a["id"] for a in artifact("monthly-summary-2025-10")["alerts"]] == [event["id"]]
    assert artifact("daily-summary-2025-10-06")["alerts"] == []  # a week is not inside a day
    assert sitegen("ack", event["id"]).exit_code == 0
    assert build().exit_code == 0


def test_rules_can_come_from_a_config_file_passed_with_config():
    write("elsewhere/my.yaml", WEEKLY_LOSS)
    logs({"2025-10-06": day("2025-10-06", "L")})
    assert build().exit_code == 0
    assert build("--config", "elsewhere/my.yaml").exit_code == 2
    assert list(raised()) == ["weekly_loss:weekly:2025-W41"]


@pytest.mark.parametrize("off", ["{enabled: false}", "null", "false"])
def test_disabling_a_default_rule_stops_it(off):
    generate(Path("logs"), days=8, per_day=6, seed=3)
    write("config/dashboard-targets.yaml", STRICT)
    write("config/sitegen.yaml", f"rules:\n  drawdown_breach: {off}\n")
    assert build().exit_code == 2
    assert {e["rule"] for e in raised().values()} == DEFAULT_RULES - {"drawdown_breach"}


def test_disabling_every_rule_means_no_alerts():
    generate(Path("logs"), days=8, per_day=6, seed=3)
    write("config/dashboard-targets.yaml", STRICT)
    write(
        "config/sitegen.yaml",
        "rules:\n"
        "  drawdown_breach: {enabled: false}\n"
        "  win_rate_breach: {enabled: false}\n"
        "  risk_reward_breach: {enabled: false}\n",
    )
    assert build().exit_code == 0
    assert not ALERT_LOG.exists()


@pytest.mark.parametrize(
    ("rules", "key"),
    [
        ("win_rate_breach: {last_n: 0}", "rules.win_rate_breach.last_n"),
        ("win_rate_breach: {last_n: many}", "rules.win_rate_breach.last_n"),
        ("drawdown_breach: {severity: INFO}", "rules.drawdown_breach.severity"),
        ("drawdown_breach: {enabled: maybe}", "rules.drawdown_breach.enabled"),
        ("risk_reward_breach: {critical_below: low}", "rules.risk_reward_breach.critical_below"),
        ("risk_reward_breach: {window: weekly}", "rules.risk_reward_breach.window"),
        ("x: {metric: nope, target: 0}", "rules.x.metric"),
        ("x: {metric: net_pnl, target: abc}", "rules.x.target"),
        ("x: {metric: net_pnl, target: [1, 2]}", "rules.x.target"),
        ('x: {metric: net_pnl, target: 0, comparison: "=<"}', "rules.x.comparison"),
        ("x: {metric: net_pnl, target: 0, comparison: [1]}", "rules.x.comparison"),
        ("x: {metric: net_pnl, target: 0, window: hourly}", "rules.x.window"),
        ("x: {metric: net_pnl, target: 0, colour: red}", "rules.x: unknown setting(s) colour"),
        ("x: {metric: net_pnl}", "rules.x: a new rule needs"),
        ("x: net_pnl < 0", "rules.x: expected a mapping"),
    ],
)
def test_invalid_rule_setting_exits_1_naming_it(rules, key):
    write("config/sitegen.yaml", f"rules:\n  {rules}\n")
    logs({"2025-10-06": day("2025-10-06", "LLLL")})
    result = build()
    assert result.exit_code == 1, result.output
    no_traceback(result)
    assert key in result.stderr
    assert "config/sitegen.yaml" in result.stderr
    assert not ALERT_LOG.exists()
    assert not ARTIFACTS.exists()
    assert sitegen("alerts").exit_code == 1  # every command reads the same config


def test_rules_not_a_mapping_exits_1():
    write("config/sitegen.yaml", "rules: [win_rate_breach]\n")
    result = build()
    assert result.exit_code == 1
    assert "rules: expected a mapping" in result.stderr


# --------------------------------------------------------------------------- targets file


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("win_rate_target: 150\n", "win_rate_target"),
        ("win_rate_target: -1\n", "win_rate_target"),
        ('win_rate_target: "abc"\n', "win_rate_target"),
        ("win_rate_target: .nan\n", "win_rate_target"),
        ("win_rate_target: true\n", "win_rate_target"),
        ("win_rate_target:\n", "win_rate_target"),
        ("max_drawdown_target: 50\n", "max_drawdown_target"),
        ("avg_risk_reward_target: [1]\n", "avg_risk_reward_target"),
        ("trades_per_day_target: -2\n", "trades_per_day_target"),
        ("daily_pl_target: lots\n", "daily_pl_target"),
    ],
)
@pytest.mark.parametrize("how", ["default", "--targets"])
def test_bad_targets_file_exits_1_naming_the_key(text, key, how):
    logs({"2025-10-06": day("2025-10-06", "LLLL")})
    if how == "default":
        path = write("config/dashboard-targets.yaml", text)
        result = build()
    else:
        path = write("mine/targets.yaml", text)
        result = build("--targets", path)
    assert result.exit_code == 1, result.output
    no_traceback(result)
    assert f"{key}:" in result.stderr
    assert str(path) in result.stderr
    assert not ALERT_LOG.exists()


@pytest.mark.parametrize("how", ["default", "--targets"])
def test_targets_file_with_invalid_yaml_exits_1_naming_file_and_line(how):
    logs({"2025-10-06": day("2025-10-06", "LLLL")})
    text = "win_rate_target: 60\navg_risk_reward_target: [1.5\n"
    if how == "default":
        path = write("config/dashboard-targets.yaml", text)
        result = build()
    else:
        path = write("mine/targets.yaml", text)
        result = build("--targets", path)
    assert result.exit_code == 1, result.output
    no_traceback(result)
    assert "invalid YAML" in result.stderr
    assert re.search(re.escape(str(path)) + r":\d+:", result.stderr)
    assert not ALERT_LOG.exists()


def test_targets_file_that_is_not_a_mapping_or_missing():
    write("config/dashboard-targets.yaml", "- 1\n- 2\n")
    result = build()
    assert result.exit_code == 1
    assert "must be a mapping" in result.stderr
    result = build("--targets", "nope.yaml")
    assert result.exit_code == 1
    assert "--targets" in result.stderr and "nope.yaml" in result.stderr


def test_targets_nested_under_targets_key_and_unknown_keys_warn(monkeypatch):
    monkeypatch.setenv(ENV_ROLLING, "4")
    write("config/dashboard-targets.yaml", "targets:\n  win_rate_target: 20\n  colour: red\n")
    logs({"2025-10-06": day("2025-10-06", "WLLL")})  # 25 % is above 20 %
    result = build()
    assert result.exit_code == 0, result.output
    assert "unknown target key 'colour'" in result.stderr


# --------------------------------------------------------------------------- summaries


def test_summaries_carry_the_alerts_of_their_period_and_their_ack_state(monkeypatch):
    monkeypatch.setenv(ENV_ROLLING, "4")
    logs(
        {
            "2025-10-06": day("2025-10-06", "LLLL"),  # 0 %: alert
            "2025-10-07": day("2025-10-07", "WWWW"),  # 100 %
            "2025-10-08": day("2025-10-08", "WLLL"),  # 25 %: alert
            "2025-10-09": day("2025-10-09", "WWWW"),
            "2025-10-10": day("2025-10-10", "WWWW"),
            "2025-10-13": day("2025-10-13", "WWWW"),
        }
    )
    assert build().exit_code == 2  # W41 is inside the latest month
    mon, wed = "win_rate_breach:daily:2025-10-06", "win_rate_breach:daily:2025-10-08"
    assert list(raised()) == [mon, wed]

    def shown(name: str) -> dict[str, str | None]:
        summary = artifact(name)
        validate_summary(summary)
        return {a["id"]: a["acknowledged_at"] for a in summary["alerts"]}

    assert shown("daily-summary-2025-10-06") == {mon: None}
    assert shown("daily-summary-2025-10-07") == {}
    assert shown("daily-summary-2025-10-08") == {wed: None}
    assert shown("weekly-summary-2025-W41") == {mon: None, wed: None}
    assert shown("weekly-summary-2025-W42") == {}
    assert shown("monthly-summary-2025-10") == {mon: None, wed: None}
    assert shown("all-summary") == {mon: None, wed: None}
    assert artifact("weekly-summary-2025-W41")["alerts"][0] == raised()[mon]

    assert sitegen("ack", mon).exit_code == 0
    assert build().exit_code == 2  # wed is still open
    stamp = logged()[-1]["acknowledged_at"]
    assert stamp
    assert shown("daily-summary-2025-10-06") == {mon: stamp}
    assert shown("weekly-summary-2025-W41") == {mon: stamp, wed: None}
    assert shown("monthly-summary-2025-10") == {mon: stamp, wed: None}
    assert "2025-10-06" in (ARTIFACTS / "weekly-summary-2025-W41.md").read_text()

    assert sitegen("ack", wed).exit_code == 0
    assert build().exit_code == 0
    assert all(shown("weekly-summary-2025-W41").values())


def test_summary_command_shows_alerts_of_the_period(monkeypatch):
    monkeypatch.setenv(ENV_ROLLING, "4")
    logs({"2025-10-06": day("2025-10-06", "LLLL")})
    assert build().exit_code == 2
    result = sitegen("summary", "--window", "weekly", "--json")
    assert result.exit_code == 0, result.output
    alerts = json.loads(result.stdout)["alerts"]
    assert [a["id"] for a in alerts] == ["win_rate_breach:daily:2025-10-06"]


def test_no_alerts_for_empty_windows(monkeypatch):
    monkeypatch.setenv(ENV_ROLLING, "4")
    write(
        "config/sitegen.yaml",
        "rules:\n"
        "  few: {metric: trades_total, target: 100}\n"
        "  weekly_few: {metric: trades_total, window: weekly, target: 100}\n"
        "  monthly_loss: {metric: net_pnl, window: monthly, comparison: '<=', target: 0}\n",
    )
    empty = [f"2025-10-{d:02d}" for d in (7, 8, 9, 10, 13, 14, 15, 16, 17)]
    logs(
        {
            "2025-10-06": day("2025-10-06", "LLLL"),
            **{date: [] for date in empty},
            "2025-10-20": day("2025-10-20", "LLLL"),
        }
    )
    assert build().exit_code == 2
    events = raised()
    assert sorted(events) == [
        "few:daily:2025-10-06",
        "few:daily:2025-10-20",
        "monthly_loss:monthly:2025-10",
        "weekly_few:weekly:2025-W41",
        "weekly_few:weekly:2025-W43",
        "win_rate_breach:daily:2025-10-06",
        "win_rate_breach:daily:2025-10-20",
    ]
    for date in empty:
        summary = artifact(f"daily-summary-{date}")
        assert summary["trades_total"] == 0
        assert summary["note"] == "No trades in window"
        assert summary["alerts"] == []
    assert artifact("weekly-summary-2025-W42")["alerts"] == []
    assert not any(e["period"] in empty or e["period"] == "2025-W42" for e in events.values())


def test_alert_events_are_never_read_as_trades(monkeypatch):
    monkeypatch.setenv(ENV_ROLLING, "4")
    logs({"2025-10-06": day("2025-10-06", "LLLL")})
    assert build().exit_code == 2
    result = sitegen("validate")
    assert result.exit_code == 0, result.output
    assert "1 file," in result.stdout
    assert artifact("all-summary")["trades_total"] == 4


def test_an_alert_the_rest_of_its_day_cleared_is_not_listed_as_open(monkeypatch):
    """Raised while the day was being written (three losses in a row), gone once the
    day is complete (the last three trades win): the log keeps the event, append-only,
    but `sitegen alerts` no longer lists it as open, and --all shows it cleared."""
    monkeypatch.setenv(ENV_ROLLING, "3")
    write("config/dashboard-targets.yaml", "win_rate_target: 50\n")
    logs({"2025-10-06": day("2025-10-06", "WWW"), "2025-10-07": day("2025-10-07", "LLL")})
    assert build().exit_code == 2
    alert_id = "win_rate_breach:daily:2025-10-07"
    assert alert_id in raised()
    assert alert_id in sitegen("alerts").stdout

    write_log(Path("logs"), "2025-10-07", day("2025-10-07", "LLLWWW"))  # the rest of the day
    assert build().exit_code == 0
    assert alert_id in raised()  # the log is append-only
    assert sitegen("alerts").stdout.strip() == "No open alerts."
    everything = sitegen("alerts", "--all").stdout
    assert alert_id in everything and "cleared" in everything and "open" not in everything
