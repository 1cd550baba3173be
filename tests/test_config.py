"""load_config(): file values, then environment, then keyword overrides; targets file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from decimal import Decimal
from pathlib import Path

import pytest

from sitegen.config import DEFAULT_TARGETS, Config, Targets, load_config, load_targets
from sitegen.errors import ConfigError, SitegenError

ENV_TZ = "PERFORMANCE_SUMMARY_TIMEZONE"
ENV_ROLLING = "PERFORMANCE_ALERT_ROLLING_WINDOW"
TZ_HINT = "use an IANA name such as 'UTC' or 'America/New_York'"


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Each test runs in an empty folder with none of sitegen's variables set."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_TZ, raising=False)
    monkeypatch.delenv(ENV_ROLLING, raising=False)
    # The CLI stops "sitegen" records from reaching the root logger; caplog needs them.
    logger = logging.getLogger("sitegen")
    monkeypatch.setattr(logger, "propagate", True)
    monkeypatch.setattr(logger, "handlers", [])
    return tmp_path


def write(path: str, text: str) -> Path:
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    return file


def error_of(**kwargs) -> str:
    path = kwargs.pop("path", None)
    with pytest.raises(ConfigError) as info:
        load_config(path, **kwargs)
    assert isinstance(info.value, SitegenError)
    return str(info.value)


# --------------------------------------------------------------------------- defaults


def test_defaults_without_any_file():
    config = load_config()
    assert config == Config(
        logs_dir=Path("logs"),
        artifacts_dir=None,
        site_dir=Path("site"),
        timezone="UTC",
        holidays=frozenset(),
        rolling_window=20,
        templates_dir=None,
        targets_file=DEFAULT_TARGETS,
        targets=Targets(),
        config_file=None,
    )
    assert config.artifacts == Path("logs/performance")
    assert config.alerts_file == Path("logs/performance-alerts.jsonl")
    assert config.targets == Targets(
        win_rate_target=Decimal(50),
        daily_pl_target=Decimal(0),
        trades_per_day_target=Decimal(1),
        max_drawdown_target=Decimal(-1000),
        avg_risk_reward_target=Decimal("1.5"),
    )


def test_config_is_frozen():
    config = load_config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.timezone = "Europe/Berlin"  # type: ignore[misc]


def test_empty_config_file_gives_defaults():
    write("config/sitegen.yaml", "# nothing yet\n")
    config = load_config()
    assert config.timezone == "UTC"
    assert config.config_file == Path("config/sitegen.yaml")


# --------------------------------------------------------------------------- YAML values


def test_yaml_values_are_read_and_typed(tmp_path):
    write(
        "config/sitegen.yaml",
        "logs_dir: ../data/logs\n"
        "artifacts_dir: out/artifacts\n"
        f"site_dir: {tmp_path / 'public'}\n"
        "templates_dir: theme\n"
        "timezone: America/New_York\n"
        "holidays: [2025-12-25, '2026-01-01']\n"
        "rolling_window: 30\n",
    )
    config = load_config()
    assert config.logs_dir == Path("config/../data/logs")  # relative to the config's folder
    assert config.artifacts_dir == Path("config/out/artifacts")
    assert config.artifacts == Path("config/out/artifacts")
    assert config.site_dir == tmp_path / "public"  # absolute stays absolute
    assert config.templates_dir == Path("config/theme")
    assert config.timezone == "America/New_York"
    assert config.holidays == frozenset({dt.date(2025, 12, 25), dt.date(2026, 1, 1)})
    assert config.rolling_window == 30
    assert config.config_file == Path("config/sitegen.yaml")


def test_paths_are_relative_to_an_explicit_config_files_folder():
    write("elsewhere/deep/my.yaml", "logs_dir: trades\ntargets_file: t.yaml\n")
    write("elsewhere/deep/t.yaml", "win_rate_target: 65\n")
    config = load_config("elsewhere/deep/my.yaml")
    assert config.logs_dir == Path("elsewhere/deep/trades")
    assert config.targets_file == Path("elsewhere/deep/t.yaml")
    assert config.targets.win_rate_target == Decimal(65)
    assert config.config_file == Path("elsewhere/deep/my.yaml")


def test_keyword_paths_are_relative_to_the_working_directory():
    write("config/sitegen.yaml", "logs_dir: from-file\n")
    assert load_config(logs_dir="cli-logs").logs_dir == Path("cli-logs")
    assert load_config(logs_dir=Path("cli-logs")).logs_dir == Path("cli-logs")


# --------------------------------------------------------------------------- precedence


def test_environment_overrides_the_file(monkeypatch):
    write("config/sitegen.yaml", "timezone: Europe/Berlin\nrolling_window: 30\n")
    monkeypatch.setenv(ENV_TZ, "America/New_York")
    monkeypatch.setenv(ENV_ROLLING, "7")
    config = load_config()
    assert (config.timezone, config.rolling_window) == ("America/New_York", 7)


def test_empty_environment_variables_are_ignored(monkeypatch):
    write("config/sitegen.yaml", "timezone: Europe/Berlin\n")
    monkeypatch.setenv(ENV_TZ, "")
    monkeypatch.setenv(ENV_ROLLING, "")
    config = load_config()
    assert (config.timezone, config.rolling_window) == ("Europe/Berlin", 20)


def test_keyword_overrides_win_over_file_and_environment(monkeypatch):
    write("config/sitegen.yaml", "timezone: Europe/Berlin\nrolling_window: 30\n")
    monkeypatch.setenv(ENV_TZ, "America/New_York")
    monkeypatch.setenv(ENV_ROLLING, "7")
    config = load_config(timezone="Asia/Tokyo", rolling_window=5)
    assert (config.timezone, config.rolling_window) == ("Asia/Tokyo", 5)


def test_none_overrides_are_ignored(monkeypatch):
    write("config/sitegen.yaml", "timezone: Europe/Berlin\nlogs_dir: trades\n")
    monkeypatch.setenv(ENV_ROLLING, "7")
    config = load_config(timezone=None, rolling_window=None, logs_dir=None, targets_file=None)
    assert config.timezone == "Europe/Berlin"
    assert config.rolling_window == 7
    assert config.logs_dir == Path("config/trades")
    assert config.targets_file == DEFAULT_TARGETS


def test_unknown_keyword_override_is_a_type_error():
    with pytest.raises(TypeError, match="unknown setting 'colour'"):
        load_config(colour="red")


# --------------------------------------------------------------------------- errors


def test_unknown_timezone_names_the_key():
    write("config/sitegen.yaml", "timezone: Mars/Olympus_Mons\n")
    assert error_of() == (
        f"config/sitegen.yaml: timezone: unknown time zone 'Mars/Olympus_Mons'; {TZ_HINT}"
    )


def test_unknown_timezone_from_environment_names_the_variable(monkeypatch):
    monkeypatch.setenv(ENV_TZ, "Nowhere/Land")
    assert error_of() == (
        f"environment {ENV_TZ}: timezone: unknown time zone 'Nowhere/Land'; {TZ_HINT}"
    )


@pytest.mark.parametrize("name", ["../../etc/passwd", "UTC ", "", "utc/../UTC"])
def test_odd_timezone_names_are_config_errors(name):
    message = error_of(timezone=name)
    assert message.startswith("timezone: ")


def test_bad_rolling_window_from_environment(monkeypatch):
    monkeypatch.setenv(ENV_ROLLING, "twenty")
    assert error_of() == (
        f"environment {ENV_ROLLING}: rolling_window: "
        "expected a whole number from 1 to 500, got 'twenty'"
    )


@pytest.mark.parametrize("value", ["0", "-3", "1.5", "true", "[20]", "'20x'"])
def test_bad_rolling_window_in_the_file(value):
    write("config/sitegen.yaml", f"rolling_window: {value}\n")
    message = error_of()
    assert message.startswith(
        "config/sitegen.yaml: rolling_window: expected a whole number from 1 to 500"
    )


def test_every_error_in_the_file_is_reported_at_once():
    write(
        "config/sitegen.yaml",
        "timezone: Mars/Base\n"
        "holidays: [2025-12-25, 2025-13-01, christmas]\n"
        "rolling_window: 0\n"
        "logs_dir: 5\n",
    )
    assert error_of().splitlines() == [
        f"config/sitegen.yaml: timezone: unknown time zone 'Mars/Base'; {TZ_HINT}",
        "config/sitegen.yaml: holidays: '2025-13-01' is not a date (YYYY-MM-DD)",
        "config/sitegen.yaml: holidays: 'christmas' is not a date (YYYY-MM-DD)",
        "config/sitegen.yaml: rolling_window: expected a whole number from 1 to 500, got 0",
        "config/sitegen.yaml: logs_dir: expected a path, got 5",
    ]


def test_holidays_must_be_a_list():
    write("config/sitegen.yaml", "holidays: 2025-12-25\n")
    assert error_of() == "config/sitegen.yaml: holidays: expected a list of dates (YYYY-MM-DD)"


def test_empty_holidays_is_no_holidays():
    write("config/sitegen.yaml", "holidays:\n")
    assert load_config().holidays == frozenset()


def test_invalid_yaml_reports_file_and_line():
    write("config/sitegen.yaml", "timezone: UTC\nholidays: [2025-12-25\nrolling_window: 3\n")
    message = error_of()
    assert message.startswith("config/sitegen.yaml:3: invalid YAML in config file: ")


def test_invalid_explicit_date_tag_is_a_config_error():
    write("config/sitegen.yaml", "holidays: [!!timestamp 2025-13-01]\n")
    assert error_of() == "config/sitegen.yaml: invalid YAML in config file: month must be in 1..12"


def test_yaml_list_is_not_a_config():
    write("config/sitegen.yaml", "- timezone\n- UTC\n")
    assert error_of() == "config/sitegen.yaml: config file must be a mapping of keys to values"


def test_non_utf8_config_file():
    Path("config").mkdir()
    Path("config/sitegen.yaml").write_bytes(b"timezone: \xff\n")
    assert error_of() == "config/sitegen.yaml: config file is not UTF-8 text"


def test_config_path_that_is_a_folder():
    Path("cfg").mkdir()
    assert error_of(path="cfg").startswith("cfg: cannot read config file (")


def test_unknown_key_is_a_warning(caplog):
    write("config/sitegen.yaml", "colour: red\ntimezone: UTC\n")
    with caplog.at_level(logging.WARNING, logger="sitegen"):
        config = load_config()
    assert config.timezone == "UTC"
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.WARNING, "config/sitegen.yaml: unknown config key 'colour' ignored")
    ]


def test_python_tags_are_refused(tmp_path):
    write(
        "config/sitegen.yaml",
        "timezone: !!python/object/apply:os.system ['touch pwned']\n",
    )
    message = error_of()
    assert message.startswith("config/sitegen.yaml:1: invalid YAML in config file: ")
    assert "could not determine a constructor" in message
    assert not (tmp_path / "pwned").exists()


def test_python_object_tag_in_targets_is_refused():
    write("config/dashboard-targets.yaml", "win_rate_target: !!python/object:decimal.Decimal {}\n")
    assert "could not determine a constructor" in error_of()


def test_missing_explicit_config_file():
    assert error_of(path="nope.yaml") == "--config: file nope.yaml does not exist"


# --------------------------------------------------------------------------- targets file


def test_targets_default_when_the_file_is_missing():
    assert load_config().targets == Targets()
    assert load_targets(Path("no-such.yaml")) == Targets()


def test_targets_are_read():
    write(
        "config/dashboard-targets.yaml",
        "win_rate_target: 55\n"
        "daily_pl_target: 250.50\n"
        "trades_per_day_target: 5\n"
        "max_drawdown_target: -1500\n"
        "avg_risk_reward_target: '2.0'\n",
    )
    assert load_config().targets == Targets(
        win_rate_target=Decimal(55),
        daily_pl_target=Decimal("250.50"),  # exactly, not via float
        trades_per_day_target=Decimal(5),
        max_drawdown_target=Decimal(-1500),
        avg_risk_reward_target=Decimal("2.0"),
    )


def test_targets_may_be_nested_under_targets_key():
    write(
        "config/dashboard-targets.yaml", "targets:\n  win_rate_target: 60\n  daily_pl_target: 100\n"
    )
    targets = load_config().targets
    assert (targets.win_rate_target, targets.daily_pl_target) == (Decimal(60), Decimal(100))
    assert targets.max_drawdown_target == Targets().max_drawdown_target


def test_partial_targets_file_keeps_the_other_defaults():
    write("config/dashboard-targets.yaml", "win_rate_target: 70\n")
    assert load_config().targets == dataclasses.replace(Targets(), win_rate_target=Decimal(70))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "win_rate_target: 150",
            "win_rate_target: 150 is not valid; expected a percentage from 0 to 100",
        ),
        (
            "win_rate_target: -1",
            "win_rate_target: -1 is not valid; expected a percentage from 0 to 100",
        ),
        (
            "max_drawdown_target: 500",
            "max_drawdown_target: 500 is not valid; expected a negative number of dollars (or 0)",
        ),
        (
            "daily_pl_target: abc",
            "daily_pl_target: 'abc' is not valid; expected a number of dollars",
        ),
        (
            "daily_pl_target: .nan",
            "daily_pl_target: nan is not valid; expected a number of dollars",
        ),
        (
            "trades_per_day_target: -2",
            "trades_per_day_target: -2 is not valid; expected a number ≥ 0",
        ),
        (
            "avg_risk_reward_target: true",
            "avg_risk_reward_target: True is not valid; expected a number ≥ 0",
        ),
        (
            "avg_risk_reward_target: [1]",
            "avg_risk_reward_target: [1] is not valid; expected a number ≥ 0",
        ),
        (
            "win_rate_target:",
            "win_rate_target: None is not valid; expected a percentage from 0 to 100",
        ),
    ],
)
def test_invalid_target_value_names_the_key(line, message):
    write("config/dashboard-targets.yaml", line + "\n")
    assert error_of() == f"config/dashboard-targets.yaml: {message}"


def test_every_invalid_target_is_reported_at_once():
    write(
        "config/dashboard-targets.yaml",
        "win_rate_target: 150\nmax_drawdown_target: 500\ndaily_pl_target: abc\n",
    )
    assert error_of().splitlines() == [
        "config/dashboard-targets.yaml: win_rate_target: 150 is not valid; "
        "expected a percentage from 0 to 100",
        "config/dashboard-targets.yaml: max_drawdown_target: 500 is not valid; "
        "expected a negative number of dollars (or 0)",
        "config/dashboard-targets.yaml: daily_pl_target: 'abc' is not valid; "
        "expected a number of dollars",
    ]


def test_unknown_target_key_is_a_warning(caplog):
    write("config/dashboard-targets.yaml", "win_rate_target: 60\nsharpe_target: 2\n")
    with caplog.at_level(logging.WARNING, logger="sitegen"):
        targets = load_config().targets
    assert targets.win_rate_target == Decimal(60)
    assert [r.getMessage() for r in caplog.records] == [
        "config/dashboard-targets.yaml: unknown target key 'sharpe_target' ignored (known: "
        "win_rate_target, daily_pl_target, trades_per_day_target, max_drawdown_target, "
        "avg_risk_reward_target)"
    ]


def test_targets_file_that_is_a_list():
    write("config/dashboard-targets.yaml", "- 1\n")
    assert error_of() == (
        "config/dashboard-targets.yaml: targets file must be a mapping of keys to values"
    )


def test_invalid_yaml_in_targets_reports_file_and_line():
    write("config/dashboard-targets.yaml", "win_rate_target: 50\ndaily_pl_target: [\n")
    assert error_of().startswith("config/dashboard-targets.yaml:3: invalid YAML in targets file: ")


def test_explicit_targets_file_is_used():
    write("config/dashboard-targets.yaml", "win_rate_target: 10\n")
    write("mine.yaml", "win_rate_target: 90\n")
    config = load_config(targets_file="mine.yaml")
    assert config.targets_file == Path("mine.yaml")
    assert config.targets.win_rate_target == Decimal(90)


def test_explicit_targets_file_that_does_not_exist():
    assert error_of(targets_file="nope.yaml") == "--targets: file nope.yaml does not exist"


@pytest.mark.parametrize("cli_style", [False, True])
def test_targets_file_named_in_the_config_must_exist(cli_style):
    """Also when the CLI passes targets_file=None because --targets was not given."""
    write("config/sitegen.yaml", "targets_file: nope.yaml\n")
    kwargs = {"targets_file": None} if cli_style else {}
    assert error_of(**kwargs) == (
        "config/sitegen.yaml: targets_file: file config/nope.yaml does not exist"
    )
