"""Is the last build still current? Decided from stamps alone, without loading the
analytics, so a no-change ``sitegen build`` costs about what starting the program does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sitegen.cache import FORMAT_VERSION, INDEX_NAME, fingerprint, read_head
from sitegen.config import Config, default_templates_dir
from sitegen.incremental import key_of
from sitegen.ingest import list_log_files
from sitegen.report import BuildReport, finish


@dataclass(frozen=True)
class Current:
    """The last build's outcome, still valid."""

    files: int
    open_breaches: list[str]


def settings_key(config: Config, site: bool) -> str:
    """Everything besides the logs that summaries, alerts and pages depend on."""
    from sitegen import __version__

    return key_of(
        __version__,
        config.timezone,
        sorted(config.holidays),
        config.rolling_window,
        [rule.name for rule in config.rules],
        [rule.as_dict() for rule in config.rules],
        config.targets.values(),
        site,
        str(config.site_dir.resolve()) if site else None,
        _tree_stamp(config.templates_dir) if site else None,
        _tree_stamp(default_templates_dir()) if site else None,
    )


def _tree_stamp(folder: Path | None) -> list:
    """(name, size, mtime) of every file under a templates folder: edits show."""
    if folder is None:
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            found.append((str(path.relative_to(folder)), st.st_size, st.st_mtime_ns))
    return found


def _file_stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def outputs_key(config: Config, settings: str) -> str | None:
    """The stamps of every input (logs, alert log) with the settings: equal keys mean
    the outputs are up to date. None when the logs cannot be listed."""
    try:
        files = list_log_files(config.logs_dir)
    except OSError:
        return None
    stamps = [(path.name, _file_stamp(path)) for _, path in files]
    return key_of(settings, stamps, _file_stamp(config.alerts_file))


def _outputs_exist(config: Config, site: bool) -> bool:
    needed = [config.artifacts / "all-summary.json"]
    if site:
        needed.append(config.site_dir / "index.html")
    return all(path.exists() for path in needed)


def up_to_date(config: Config, site: bool) -> Current | None:
    """The last build's outcome when no input changed since (every log file, the alert
    log, the settings and the theme as they were) and its outputs exist; else None."""
    key = outputs_key(config, settings_key(config, site))
    if key is None:
        return None
    head = read_head(config.artifacts / INDEX_NAME)
    if (
        head is None
        or head.version != FORMAT_VERSION
        or head.fingerprint != fingerprint(config.timezone)
        or head.state is None
        or head.state.outputs != key
        or not head.state.complete
        or not _outputs_exist(config, site)
    ):
        return None
    files = len(list_log_files(config.logs_dir))
    return Current(files=files, open_breaches=list(head.state.open_breaches))


def quick_report(config: Config, site: bool, began: float) -> BuildReport | None:
    """The report of a build that has nothing to do, or None when something changed."""
    current = up_to_date(config, site)
    if current is None:
        return None
    report = BuildReport(
        files_total=current.files,
        cache_hits=current.files,
        open_breaches=current.open_breaches,
        up_to_date=True,
        artifacts_dir=config.artifacts,
        site_dir=config.site_dir if site else None,
    )
    return finish(report, began)
