"""One typed, frozen Config, loaded from YAML, then environment, then overrides.

Every problem in a config file is collected and reported at once, naming the key.
Relative paths in a config file are relative to that file's folder; defaults and
command-line paths are relative to the working directory.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sitegen.errors import ConfigError
from sitegen.rules import DEFAULT_RULES, TAIL, Rule, TargetSpec, parse_rules
from sitegen.windows import zone

log = logging.getLogger("sitegen")

DEFAULT_CONFIG = Path("config/sitegen.yaml")
DEFAULT_TARGETS = Path("config/dashboard-targets.yaml")
ENV_TIMEZONE = "PERFORMANCE_SUMMARY_TIMEZONE"
ENV_ROLLING = "PERFORMANCE_ALERT_ROLLING_WINDOW"


@dataclass(frozen=True)
class Targets:
    """The operator's targets, with the keys the bot's dashboard uses.

    Defaults apply when no targets file exists.
    """

    win_rate_target: Decimal = Decimal("50")  # percent
    daily_pl_target: Decimal = Decimal("0")  # dollars per day
    trades_per_day_target: Decimal = Decimal("1")
    max_drawdown_target: Decimal = Decimal("-1000")  # dollars, ≤ 0
    avg_risk_reward_target: Decimal = Decimal("1.5")

    def values(self) -> dict[str, Decimal]:
        """Target key -> value, for alert rules that name a target."""
        return dataclasses.asdict(self)

    def specs(self) -> tuple[TargetSpec, ...]:
        """Each target with the summary field it is checked against."""
        return (
            TargetSpec("win_rate_target", "win_rate", self.win_rate_target),
            TargetSpec("daily_pl_target", "net_pnl", self.daily_pl_target),
            TargetSpec("trades_per_day_target", "trades_total", self.trades_per_day_target),
            TargetSpec("max_drawdown_target", "max_drawdown", self.max_drawdown_target),
            TargetSpec("avg_risk_reward_target", "avg_risk_reward", self.avg_risk_reward_target),
        )


@dataclass(frozen=True)
class Config:
    """Everything a build needs. Build one with :func:`load_config`."""

    logs_dir: Path = Path("logs")
    #: where JSON/Markdown artifacts and the cache index go; default ``logs_dir/performance``
    artifacts_dir: Path | None = None
    site_dir: Path = Path("site")
    #: IANA time zone used to attribute trades to local dates
    timezone: str = "UTC"
    #: dates that are not trading days (besides weekends)
    holidays: frozenset[dt.date] = frozenset()
    #: closed trades in the rolling win-rate alert window
    rolling_window: int = 20
    #: a folder with your own copy of the site templates
    templates_dir: Path | None = None
    targets_file: Path = DEFAULT_TARGETS
    #: the alert log (append-only JSONL); default ``logs_dir/performance-alerts.jsonl``
    alert_log: Path | None = None
    targets: Targets = field(default_factory=Targets)
    #: alert rules: rules.DEFAULT_RULES, changed or extended by the ``rules`` key
    rules: tuple[Rule, ...] = DEFAULT_RULES
    #: the books (execution_mode values) analysed, sorted; None: every mode
    modes: tuple[str, ...] | None = None
    config_file: Path | None = None
    #: the account size in dollars before the first day: with it, summaries carry returns
    #: (sitegen/returns.py); None: no returns anywhere
    starting_equity: Decimal | None = None

    @property
    def artifacts(self) -> Path:
        return (
            self.artifacts_dir if self.artifacts_dir is not None else self.logs_dir / "performance"
        )

    @property
    def alerts_file(self) -> Path:
        """The alert log every command reads and appends to (``alert_log``)."""
        if self.alert_log is not None:
            return self.alert_log
        return self.logs_dir / "performance-alerts.jsonl"

    @property
    def mode_filter(self) -> frozenset[str] | None:
        """The modes analysed as a set; None when every mode is."""
        return None if self.modes is None else frozenset(self.modes)


def default_templates_dir() -> Path:
    """The packaged theme (``sitegen/templates`` in a wheel), else the repository's
    top-level ``templates/`` (editable install)."""
    package = Path(__file__).parent
    shipped = package / "templates"
    return shipped if shipped.is_dir() else package.parent / "templates"


def check_templates(config: Config) -> None:
    """A ConfigError unless ``templates_dir`` (when set) is a folder: a theme that is
    not there would otherwise fall back to the default one without a word."""
    folder = config.templates_dir
    if folder is None or folder.is_dir():
        return
    where = f"{config.config_file}: " if config.config_file else ""
    state = "is not a folder" if folder.exists() else "does not exist"
    raise ConfigError(
        f"{where}templates_dir: {folder} {state}; copy the default theme there "
        f"({default_templates_dir()}) and change it, or remove the key to use the default"
    )


_PATH_KEYS = (
    "logs_dir",
    "artifacts_dir",
    "site_dir",
    "templates_dir",
    "targets_file",
    "alert_log",
)
_KNOWN_KEYS = frozenset(f.name for f in dataclasses.fields(Config)) - {
    "targets",
    "config_file",
    "rules",
}


@functools.cache
def _safe_loader() -> type:
    """yaml.SafeLoader that leaves dates as text, so that a bad date such as
    ``2025-13-01`` is reported against its key instead of escaping as ValueError.
    (Made on first use: PyYAML loads only when there is a file to read.)"""
    import yaml

    class _SafeLoader(yaml.SafeLoader):
        pass

    _SafeLoader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return _SafeLoader


def _read_yaml(path: Path, what: str) -> Mapping[str, Any]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read {what} ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: {what} is not UTF-8 text") from exc
    try:
        data = yaml.load(text, Loader=_safe_loader())  # a SafeLoader subclass: safe
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(
            f"{where}: invalid YAML in {what}: {getattr(exc, 'problem', exc)}"
        ) from exc
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        # PyYAML's constructors raise these for values such as `!!timestamp 2025-13-01`
        raise ConfigError(f"{path}: invalid YAML in {what}: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: {what} must be a mapping of keys to values")
    return data


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


#: targets and rule thresholds are at most this far from 0, with at most PLACES decimal
#: places: summaries print them in full, and every P&L a bot logs fits well inside
LIMIT = Decimal(10) ** 15
PLACES = 6


def _out_of_bounds(value: Decimal) -> str | None:
    """What is wrong with a finite target or threshold, if anything."""
    # No arithmetic: the default context would overflow on 1E+999999999 and round
    # 1E-999999999 to zero. Trailing zeros are not places (1.500000000 is 1.5).
    _, digits, exponent = value.as_tuple()
    zeros = len(digits) - len(bytes(digits).rstrip(b"\0")) if any(digits) else 0
    if value.copy_abs() > LIMIT:
        return "is beyond ±10^15; write a number from -10^15 to 10^15"
    if int(exponent) + zeros < -PLACES:
        return f"has more than {PLACES} decimal places; round it to {PLACES} at most"
    return None


_TARGET_RULES = {
    "win_rate_target": (lambda v: 0 <= v <= 100, "a percentage from 0 to 100"),
    "daily_pl_target": (lambda v: True, "a number of dollars"),
    "trades_per_day_target": (lambda v: v >= 0, "a number ≥ 0"),
    "max_drawdown_target": (lambda v: v <= 0, "a negative number of dollars (or 0)"),
    "avg_risk_reward_target": (lambda v: v >= 0, "a number ≥ 0"),
}


def load_targets(path: Path, *, required: bool = False, key: str = "--targets") -> Targets:
    """Targets from a dashboard-targets YAML file; defaults when it does not exist
    (an error naming ``key`` when the file was asked for explicitly)."""
    if not path.exists():
        if required:
            raise ConfigError(f"{key}: file {path} does not exist")
        return Targets()
    data = dict(_read_yaml(path, "targets file"))
    if isinstance(data.get("targets"), dict):  # also accept the keys nested under `targets:`
        data = data["targets"]
    errors, values = [], {}
    for key, raw in data.items():
        if key not in _TARGET_RULES:
            log.warning(
                "%s: unknown target key %r ignored (known: %s)", path, key, ", ".join(_TARGET_RULES)
            )
            continue
        check, expected = _TARGET_RULES[key]
        value = _decimal(raw)
        if value is None or not check(value):
            errors.append(f"{path}: {key}: {raw!r} is not valid; expected {expected}")
        elif problem := _out_of_bounds(value):
            errors.append(f"{path}: {key}: {raw!r} {problem}")
        else:
            values[key] = value
    if errors:
        raise ConfigError("\n".join(errors))
    return Targets(**values)


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _coerce(key: str, value: Any, base: Path, errors: list[str], where: str) -> Any:
    """One raw value as its typed field, or None with an error appended."""
    if key in _PATH_KEYS:
        if value is None and key in ("artifacts_dir", "templates_dir", "alert_log"):
            return None
        if not isinstance(value, str | os.PathLike) or not str(value).strip():
            errors.append(f"{where}{key}: expected a path, got {value!r}")
            return None
        path = Path(value).expanduser()
        return path if path.is_absolute() else base / path
    if key == "timezone":
        if not isinstance(value, str):
            errors.append(f"{where}timezone: expected an IANA zone name, got {value!r}")
            return None
        try:
            zone(value)
        except ValueError as exc:
            errors.append(f"{where}{exc}")
            return None
        return value
    if key == "holidays":
        if value is None:
            return frozenset()
        if not isinstance(value, list | tuple | set | frozenset):
            errors.append(f"{where}holidays: expected a list of dates (YYYY-MM-DD)")
            return None
        days = []
        for item in value:
            day = _parse_date(item)
            if day is None:
                errors.append(f"{where}holidays: {item!r} is not a date (YYYY-MM-DD)")
            else:
                days.append(day)
        return frozenset(days)
    if key == "rolling_window":
        number = value
        text = value.strip() if isinstance(value, str) else ""
        if text.isascii() and text.isdigit() and len(text) <= 9:  # not ² nor 5,000 digits
            number = int(text)
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= TAIL:
            errors.append(
                f"{where}rolling_window: expected a whole number from 1 to {TAIL}, got {value!r}"
            )
            return None
        return number
    if key == "modes":
        return _modes(value, errors, where)
    if key == "starting_equity":
        return _starting_equity(value, errors, where)
    raise AssertionError(key)  # pragma: no cover - keys are checked by the caller


def _modes(value: Any, errors: list[str], where: str) -> tuple[str, ...] | None:
    """A list of mode names (one name alone is a list of one) as a sorted tuple."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple | set | frozenset):
        errors.append(
            f"{where}modes: expected a list of execution modes (such as [LIVE] or "
            f"[PAPER, LIVE]), got {value!r}"
        )
        return None
    names = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            errors.append(
                f"{where}modes: {item!r} is not a mode name (a record's execution_mode, "
                f"such as PAPER or LIVE; UNKNOWN for records without one)"
            )
        else:
            names.append(item)
    if not names:
        if not value:
            errors.append(
                f"{where}modes: the list is empty; leave the key out to analyse every mode"
            )
        return None
    return tuple(sorted(set(names)))


def _starting_equity(value: Any, errors: list[str], where: str) -> Decimal | None:
    """The account size: dollars above 0, at most 10^15, at most 6 decimal places (null:
    not known)."""
    if value is None:
        return None
    number = _decimal(value)
    if number is None or number <= 0:
        errors.append(
            f"{where}starting_equity: {value!r} is not valid; expected the account size in "
            "dollars before the first day, a number above 0 (or leave the key out)"
        )
        return None
    if problem := _out_of_bounds(number):
        errors.append(f"{where}starting_equity: {value!r} {problem}")
        return None
    return number


def load_config(path: str | os.PathLike | None = None, **overrides: Any) -> Config:
    """Load the config file (``config/sitegen.yaml`` when it exists), then the
    environment, then ``overrides`` (None values are ignored).

    Raises ConfigError naming every bad key at once.
    """
    explicit = path is not None
    file = Path(path) if explicit else DEFAULT_CONFIG
    raw: dict[str, Any] = {}
    base = Path(".")
    errors: list[str] = []
    values: dict[str, Any] = {}
    if file.exists():
        raw = dict(_read_yaml(file, "config file"))
        base = file.parent
        for key, value in raw.items():
            if key == "rules":
                continue
            if key not in _KNOWN_KEYS:
                log.warning("%s: unknown config key %r ignored", file, key)
                continue
            values[key] = _coerce(key, value, base, errors, f"{file}: ")
    elif explicit:
        raise ConfigError(f"--config: file {file} does not exist")

    env = {"timezone": os.environ.get(ENV_TIMEZONE), "rolling_window": os.environ.get(ENV_ROLLING)}
    names = {"timezone": ENV_TIMEZONE, "rolling_window": ENV_ROLLING}
    for key, value in env.items():
        if value not in (None, ""):
            values[key] = _coerce(key, value, Path("."), errors, f"environment {names[key]}: ")

    targets_required, targets_key = False, "--targets"
    for key, value in overrides.items():
        if value is None:
            continue
        if key == "rules":
            continue
        if key not in _KNOWN_KEYS:
            raise TypeError(f"load_config() got an unknown setting {key!r}")
        if key == "targets_file":
            targets_required = True
        values[key] = _coerce(key, value, Path("."), errors, "")
    if errors:
        raise ConfigError("\n".join(errors))
    values = {k: v for k, v in values.items() if v is not None or k in ("artifacts_dir",)}
    targets_file = values.get("targets_file", DEFAULT_TARGETS)
    # the CLI passes targets_file=None when --targets is not given
    if "targets_file" in raw and overrides.get("targets_file") is None:
        targets_required, targets_key = True, f"{file}: targets_file"
    values["targets"] = load_targets(targets_file, required=targets_required, key=targets_key)
    try:
        if overrides.get("rules") is not None:
            values["rules"] = parse_rules(overrides["rules"], _TARGET_RULES)
        else:
            values["rules"] = parse_rules(raw.get("rules"), _TARGET_RULES, f"{file}: rules")
    except ValueError as exc:  # rules.py is pure: the edge says whose mistake it is
        raise ConfigError(str(exc)) from exc
    where = "rules" if overrides.get("rules") is not None else f"{file}: rules"
    _check_rule_bounds(values["rules"], where)
    return Config(config_file=file if file.exists() else None, **values)


def _check_rule_bounds(rules: tuple[Rule, ...], where: str) -> None:
    errors = [
        f"{where}.{rule.name}.{name}: {value} {problem}"
        for rule in rules
        for name, value in (("target", rule.target), ("critical_below", rule.critical_below))
        if isinstance(value, Decimal) and (problem := _out_of_bounds(value))
    ]
    if errors:
        raise ConfigError("\n".join(errors))
