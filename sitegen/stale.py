"""Outputs of periods the logs no longer have (a log file deleted, the time zone or
the holidays changed, every log gone), and pages of symbols and strategies they no
longer have: found by name and removed, so that an incremental build leaves the same
files as a fresh one. Only names sitegen itself writes are ever matched."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Collection
from pathlib import Path

from sitegen.history import History
from sitegen.windows import PERIOD_WINDOWS

_ARTIFACT = re.compile(r"(?:(daily|weekly|monthly)-summary-([0-9W-]+)|(all)-summary)\.(?:json|md)")
_PAGE = re.compile(r"([0-9W-]+)\.html")


def _names(folder: Path) -> list[str]:
    try:
        with os.scandir(folder) as it:
            return [entry.name for entry in it if entry.is_file(follow_symlinks=False)]
    except OSError:
        return []


def stale_outputs(
    history: History, artifacts: Path, site: Path | None, key_pages: Collection[str] = ()
) -> list[Path]:
    """Artifacts, pages and the site's data copies of daily, weekly and monthly periods
    that ``history`` does not have, and drill-down pages not in ``key_pages`` (site
    paths)."""
    valid = {window: set(history.periods(window)) for window in (*PERIOD_WINDOWS, "all")}
    found = []
    folders = [artifacts] + ([site / "data"] if site is not None else [])
    for folder in folders:
        for name in _names(folder):
            m = _ARTIFACT.fullmatch(name)
            if m is None:
                continue
            window, period = (m.group(1), m.group(2)) if m.group(1) else ("all", "all")
            if period not in valid[window]:
                found.append(folder / name)
    for window in PERIOD_WINDOWS if site is not None else ():
        pages = site / window  # type: ignore[operator]
        for name in _names(pages):
            m = _PAGE.fullmatch(name)
            if m and m.group(1) not in valid[window]:
                found.append(pages / name)
    if site is not None:
        from sitegen.site.paths import KEY_FOLDERS, KEY_NAME  # the site package: only for a site

        keep = set(key_pages)
        for folder in KEY_FOLDERS.values():
            for name in _names(site / folder):
                if KEY_NAME.fullmatch(name) and f"{folder}/{name}" not in keep:
                    found.append(site / folder / name)
    return sorted(found)


def remove_stale(
    history: History, artifacts: Path, site: Path | None, key_pages: Collection[str] = ()
) -> list[Path]:
    """Remove :func:`stale_outputs`; returns those removed."""
    removed = []
    for path in stale_outputs(history, artifacts, site, key_pages):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
    return removed
