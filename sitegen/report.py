"""BuildReport: what one build did (counts, timings, alerts, bad lines)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sitegen.ingest import Problem

log = logging.getLogger("sitegen")

#: ``extra`` of a log line about one item (an alert raised, a partial window, a gap, the
#: structured build line): always logged for a library caller, shown by the command
#: line only with -v, which by default prints a count instead
DETAIL = {"detail": True}


@dataclass
class BuildReport:
    """What one build did. ``str()`` gives the one structured log line."""

    files_total: int = 0
    files_read: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    trades: int = 0
    bad_lines: list[Problem] = field(default_factory=list)  # the first 100 of each file
    skipped_lines: int = 0  # every bad line, counted
    summaries: int = 0
    artifacts_written: int = 0
    artifacts_unchanged: int = 0
    pages_rendered: int = 0
    pages_skipped: int = 0
    #: artifacts and pages of periods the logs no longer have, removed
    outputs_removed: int = 0
    alerts_raised: list[dict] = field(default_factory=list)
    partial_windows: list[str] = field(default_factory=list)
    #: stretches of more than 31 days without data ("first to last (N days)"): no pages
    gaps: list[str] = field(default_factory=list)
    #: ids of unacknowledged alerts in the latest day, week or month (exit code 2)
    open_breaches: list[str] = field(default_factory=list)
    #: ids of the incidents those alerts belong to (sitegen/incidents.py)
    open_incidents: list[str] = field(default_factory=list)
    up_to_date: bool = False  # nothing changed since the last build: nothing was redone
    backfill_generated: list[str] = field(default_factory=list)
    backfill_skipped: list[str] = field(default_factory=list)
    latest: dict[str, str] = field(default_factory=dict)
    #: closed trades per mode (book) of the trades analysed (a mode with only open
    #: trades has 0); more than one mode means the report mixes books
    modes: dict[str, int] = field(default_factory=dict)
    artifacts_dir: Path | None = None
    site_dir: Path | None = None
    duration_ms: int = 0
    #: milliseconds spent in each stage, in the order they ran
    stages_ms: dict[str, int] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a stage of the build into ``stages_ms``."""
        began = time.perf_counter()
        try:
            yield
        finally:
            spent = round((time.perf_counter() - began) * 1000)
            self.stages_ms[name] = self.stages_ms.get(name, 0) + spent

    def log_fields(self) -> dict:
        return {
            "event": "build",
            "duration_ms": self.duration_ms,
            "files": self.files_total,
            "files_read": self.files_read,
            "trades": self.trades,
            "bad_lines": max(self.skipped_lines, len(self.bad_lines)),
            "cache_hits": self.cache_hits,
            "cache_misses": self.cache_misses,
            "summaries": self.summaries,
            "artifacts_written": self.artifacts_written,
            "artifacts_unchanged": self.artifacts_unchanged,
            "pages_rendered": self.pages_rendered,
            "pages_skipped": self.pages_skipped,
            "outputs_removed": self.outputs_removed,
            "alerts_raised": len(self.alerts_raised),
            "stages_ms": self.stages_ms,
        }

    def __str__(self) -> str:
        return json.dumps(self.log_fields(), separators=(",", ":"))


def finish(report: BuildReport, began: float) -> BuildReport:
    report.duration_ms = round((time.perf_counter() - began) * 1000)
    log.info("%s", report, extra=DETAIL)
    return report
