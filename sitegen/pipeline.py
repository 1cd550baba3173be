"""``build(config)``: the stages in order — the table of contents of sitegen.

1–2 scan the logs through the cache index and assemble the history (scan.py,
  digest.py, history.py) · 3 plan what changed · 4 summaries and alerts (metrics.py,
  alerting.py) · 5 artifacts (export.py) · 6 pages (site/) · 7 save the index (cache.py).

Every stage gathers its data before anything is written, and writers write atomically.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen import export
from sitegen.alerting import (
    attach_alerts,
    compute_alerts,
    open_breaches,
    record_alerts,
    rule_inputs,
    rule_periods,
)
from sitegen.alertlog import read_alert_log_stamped
from sitegen.cache import (
    INDEX_NAME,
    BuildState,
    Manifest,
    Stamp,
    fingerprint,
    inputs_key,
    load_index,
    output_roots,
    quick_report,
    read_head,
    save_index,
    settings_key,
)
from sitegen.config import Config, check_templates
from sitegen.digest import FileDigest
from sitegen.errors import ConfigError, NoDataError
from sitegen.export import artifact_name
from sitegen.history import History, build_history, resolve_identity
from sitegen.incidents import open_incidents
from sitegen.incremental import (
    affected_days,
    changed_events,
    periods_from,
    periods_of_days,
)
from sitegen.lock import DEFAULT_TIMEOUT as DEFAULT_LOCK_TIMEOUT
from sitegen.lock import BuildLock
from sitegen.packed import Summaries
from sitegen.report import DETAIL, BuildReport, finish
from sitegen.scan import Rescanner, ScanResult, list_logs, scan_logs
from sitegen.stale import remove_stale
from sitegen.trade_export import trade_rows
from sitegen.windows import MAX_GAP_DAYS, WINDOWS, clip, parse_period, period_bounds, zone
from sitegen.writer import Writer, remove_leftovers

if TYPE_CHECKING:
    from sitegen.render import Rendered

log = logging.getLogger("sitegen")


class ScanCache:
    """Digests of the log files kept between builds (a Tracker keeps one in memory; a
    build starts from the on-disk index)."""

    def __init__(self) -> None:
        self.fingerprint: str | None = None
        self.digests: dict[str, FileDigest] = {}
        self.state: BuildState | None = None  # what the last complete build produced
        self.last_scan: ScanResult | None = None
        self.days: dict = {}  # days rebuilt from interleaved files (history.AssembledDay)
        self.rescanner: Rescanner | None = None  # reads of log files after the scan stage

    def stale(self, index_path: Path) -> bool:
        """Whether another build (a command-line build while serve runs) saved the index
        since this cache's last build: then this cache no longer describes the outputs."""
        if self.state is None:
            return False
        head = read_head(index_path)
        return head is None or head.state != self.state

    def prepare(self, config: Config, *, use_index: bool = True) -> None:
        expected = fingerprint(config.timezone, config.modes)
        if self.fingerprint == expected:
            return
        self.fingerprint = expected
        self.digests, self.days, self.state = {}, {}, None
        if use_index:
            cached = load_index(config.artifacts / INDEX_NAME, expected)
            self.digests, self.days, self.state = cached.files, cached.days, cached.state


def scan_stage(
    config: Config,
    cache: ScanCache,
    report: BuildReport,
    *,
    use_index: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
    site: bool = False,
    parts: bool = True,
) -> ScanResult:
    """Stage 1: digest the log files, through the cache (which keeps the digests, and
    what the scan found — changed and removed files — in ``cache.last_scan``). With
    ``site``, the daily pages' trade rows of each file read are kept too. With
    ``parts`` False, the files read are digested without their per-day parts (see
    scan_logs), and the cache is left as it was: such digests make no summary."""
    cache.prepare(config, use_index=use_index)
    on_file = None
    if site:
        from sitegen.cache import CACHE_DIR
        from sitegen.rows import ROWS_DIR, write_fragments

        folder = config.artifacts / CACHE_DIR / ROWS_DIR
        on_file = functools.partial(write_fragments, folder, config.timezone, config.modes)
    result = scan_logs(
        config.logs_dir,
        config.timezone,
        cache.digests,
        progress=progress,
        on_file=on_file,
        modes=config.mode_filter,
        parts=parts,
    )
    if parts:
        cache.digests = {d.name: d for d in result.digests}
        cache.last_scan = result
    report.files_total = len(result.digests)
    report.files_read = result.read
    report.cache_hits = result.hits
    report.cache_misses = len(result.changed)
    return result


def load_history(
    config: Config,
    cache: ScanCache,
    report: BuildReport,
    *,
    use_index: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
    site: bool = False,
) -> History:
    """Stages 1–2: digest the log files (through the cache, see scan_stage) and
    assemble the history."""
    result = scan_stage(config, cache, report, use_index=use_index, progress=progress, site=site)
    rescanner = Rescanner(config.logs_dir, seed=result.scans)
    history = build_history(
        result.digests,
        zone(config.timezone),
        config.timezone,
        config.holidays,
        rescanner,
        assembled=cache.days,
        modes=config.mode_filter,
        starting_equity=config.starting_equity,
    )
    cache.days = history.assembled
    rescanner.forget()  # files read back to assemble days: the pages have their rows
    cache.rescanner = rescanner
    report.trades = history.trades_total
    for problems in history.problems.values():
        report.bad_lines.extend(problems)
    report.skipped_lines = history.skipped_lines
    return history


def load_trades(config: Config, cache: ScanCache, report: BuildReport) -> History:
    """Stage 1 without the days' parts, then identities resolved across files
    (history.resolve_identity): what reading the analysed trades back a day at a time
    needs (a trade export), without assembling any day. What it returns holds the
    superseded records' ids, not the history's partials or every record's id."""
    result = scan_stage(config, cache, report, parts=False)
    for dg in result.digests:
        report.bad_lines.extend(dg.problems)
        report.skipped_lines += dg.skipped_lines
    return resolve_identity(
        result.digests,
        zone(config.timezone),
        config.timezone,
        config.holidays,
        # a day's trades lie in its own file and the ones before whose trades close
        # that day: read in order of days, two kept scans (not 4) rarely read one again
        Rescanner(config.logs_dir, keep=2, seed=result.scans),
        modes=config.mode_filter,
    )


def _parse_day(value: dt.date | str | None, key: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"{key}: {value!r} is not a date (YYYY-MM-DD)") from exc


#: --backfill looks back at most this many days (a century): dates stay in range
MAX_BACKFILL = 36_500


def _check_backfill(backfill: int | None) -> None:
    if backfill is not None and not 1 <= backfill <= MAX_BACKFILL:
        raise ConfigError(
            f"--backfill {backfill}: expected a number of days from 1 to {MAX_BACKFILL} "
            "(a century); --full rebuilds everything"
        )


def select_periods(
    history: History,
    window: str | None,
    start: dt.date | None,
    end: dt.date | None,
    backfill: int | None,
) -> list[tuple[str, str]]:
    """The (window, period) pairs a build writes: all of them unless narrowed."""
    if window is not None and window not in WINDOWS:
        raise ConfigError(f"--window: {window!r} is not one of {', '.join(WINDOWS)}")
    if backfill is not None:
        _check_backfill(backfill)
        if not history.empty:
            last = history.last
            start = max(history.first, last - dt.timedelta(days=backfill - 1))
            end = last
    kinds = [window] if window else list(WINDOWS)
    chosen = []
    for kind in kinds:
        for period in history.periods(kind):
            if kind != "all" and (start or end):
                first, last = period_bounds(kind, period)
                if (start and last < start) or (end and first > end):
                    continue
            chosen.append((kind, period))
    return chosen


def compute_summaries(
    history: History,
    config: Config,
    chosen: list[tuple[str, str]],
    memo: Mapping[tuple[str, str], dict] | None = None,
) -> Summaries:
    """Stage 3: one summary per chosen period (reusing those in ``memo``), kept encoded
    (sitegen.packed): a long history has thousands."""
    targets = config.targets.specs()
    memo = memo or {}
    out = Summaries()
    for key in chosen:
        out[key] = memo.get(key) or history.summary(*key, targets)
    return out


def write_artifacts(
    summaries: Mapping[tuple[str, str], dict], writer: Writer, *, validate: bool = False
) -> None:
    """Stage 5: write each summary as JSON and Markdown (validated against the schema
    when ``validate``: the test suite always does; a build does with --strict)."""
    for (window, period), summary in summaries.items():
        if validate:
            export.validate_summary(summary)
        name = artifact_name(window, period)
        writer.write(f"{name}.json", export.summary_json(summary))
        writer.write(f"{name}.md", export.summary_markdown(summary))


def build(
    config: Config,
    *,
    window: str | None = None,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    backfill: int | None = None,
    full: bool = False,
    site: bool = True,
    validate: bool = False,
    cache: ScanCache | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    lock_timeout: float | None = DEFAULT_LOCK_TIMEOUT,
) -> BuildReport:
    """Build summaries, alerts, artifacts and the site for ``config``, redoing only what
    changed since the last build (everything with ``full``).

    Holds the build lock of the artifacts folder meanwhile, waiting up to
    ``lock_timeout`` seconds (None: no limit) for another build of it to finish.
    Raises SitegenError subclasses for anything the user must fix.
    """
    began = time.perf_counter()
    report = BuildReport(artifacts_dir=config.artifacts, site_dir=config.site_dir if site else None)
    start_day, end_day = _parse_day(start, "--start"), _parse_day(end, "--end")
    if start_day and end_day and start_day > end_day:
        raise ConfigError(f"--start {start_day} is after --end {end_day}")
    _check_backfill(backfill)
    if site:
        check_templates(config)
    narrowed = bool(window or start_day or end_day)
    index_path = config.artifacts / INDEX_NAME
    settings = settings_key(config, site)

    # A no-change build: every input stamp as the last build left it.
    if not (full or narrowed or backfill) and (quick := quick_report(config, site, began)):
        return quick

    # One build at a time per output (see sitegen/lock.py): from reading the index to
    # saving it. A build that had to wait may find the other one did its work.
    list_logs(config.logs_dir)  # a missing logs dir is an error, not created for the lock
    with BuildLock(config.artifacts, timeout=lock_timeout) as lock:
        locked_at = time.time()  # temp files older than this are a killed build's
        for folder in (config.artifacts, config.site_dir) if site else (config.artifacts,):
            remove_leftovers(folder, before=locked_at)
        recheck = lock.waited and not (full or narrowed or backfill)
        if recheck and (quick := quick_report(config, site, began)):
            return quick

        if full or cache is None or cache.stale(index_path):
            cache = ScanCache()
        with report.stage("scan"):
            history = load_history(
                config, cache, report, use_index=not full, progress=progress, site=site
            )
            note_modes(history, config, report)
        if progress:
            progress("summarising", 0, 0)

        with report.stage("summaries"):
            plan = plan_work(
                history,
                config,
                cache,
                settings,
                full=full,
                backfill=backfill,
                chosen=select_periods(history, window, start_day, end_day, backfill),
                site=site,
                report=report,
            )
            todo = sorted(plan.todo, key=_period_order)
            summaries = compute_summaries(history, config, todo, plan.memo)
            for key in summaries:  # the memo is read from now on only for other periods
                plan.memo.pop(key, None)
            report.alerts_raised, alert_log = record_alerts(
                plan.events, config, plan.logged, plan.alert_log, validate=validate
            )
            attach_alerts(history, summaries, plan.events)
            report.open_breaches = open_breaches(history, plan.events)
            report.open_incidents = open_incidents(plan.events, report.open_breaches)
            report.summaries = len(summaries)
            note_windows(history, summaries, report)

        with report.stage("artifacts"):
            writer = Writer(config.artifacts, on_write=plan.manifests["artifacts"].record)
            write_artifacts(summaries, writer, validate=validate)
            report.artifacts_written, report.artifacts_unchanged = writer.written, writer.unchanged

        rendered = None
        if site:
            if progress:
                progress("rendering pages", 0, 0)
            with report.stage("pages"):
                from sitegen.render import render_pages  # Jinja2 loads only when needed

                # every page names the books the report mixes: when they are not those
                # the last build's pages name (cache.state), every page is rendered again
                rendered = render_pages(
                    history,
                    config,
                    summaries,
                    plan.events,
                    plan.memo,
                    report,
                    plan.manifests["site"],
                    previous_books=None if cache.state is None else cache.state.books,
                    previous_keys=None if cache.state is None else cache.state.key_pages,
                )

        if not narrowed:  # a narrowed build leaves the index alone: the next build redoes the rest
            removed = remove_stale(
                history,
                config.artifacts,
                config.site_dir if site else None,
                key_pages=rendered.key_pages if rendered else {},
            )
            for manifest in plan.manifests.values():
                manifest.forget(removed)
            report.outputs_removed = len(removed)
            with report.stage("index"):
                save_state(history, cache, settings, plan, alert_log, report, rendered)
        if cache.rescanner is not None:  # files read back for pages or rare identity cases
            report.files_read += cache.rescanner.reads
        return finish(report, began)


@dataclass
class Plan:
    """What a build redoes: the periods to summarise (and render), the summaries already
    made for the alert rules, the rules' inputs, the alert log as read and the alert
    events, and the manifests of the outputs still as the last build wrote them."""

    todo: set[tuple[str, str]]
    memo: Summaries
    inputs: dict[str, dict]
    events: list[dict]
    logged: dict[str, dict]
    alert_log: Stamp | None
    manifests: dict[str, Manifest]


def plan_work(
    history: History,
    config: Config,
    cache: ScanCache,
    settings: str,
    *,
    full: bool,
    backfill: int | None,
    chosen: list[tuple[str, str]],
    site: bool,
    report: BuildReport,
) -> Plan:
    """Stage 3: everything (a first build, --full, other settings), or the periods whose
    inputs changed since the last build or whose outputs are not as it wrote them —
    and, for any, the alert events."""
    previous, scan = cache.state, cache.last_scan
    valid = {(w, p) for w in WINDOWS for p in history.periods(w)}
    everything = full or previous is None or previous.settings != settings
    roots = output_roots(config, site)
    manifests = {
        name: Manifest(root, None if everything else previous.outputs.get(name))
        for name, root in roots.items()
    }
    for manifest in manifests.values():
        manifest.verify()  # outputs deleted or changed since: their periods are redone
    unwritten = {key for key in valid if not _written(manifests, *key)}
    if everything:
        changed = set(valid)
    else:
        days = affected_days(
            history.digests,
            scan.changed,
            scan.previous,
            scan.removed,
            (previous.spans, previous.log_spans),
            (history.spans, history.log_spans),
            previous.identity,
            history.identity,
        )
        touched = periods_of_days(days)
        if config.starting_equity is not None and days:  # returns: equity moves every later period
            touched |= periods_from(history.periods, min(days))
        changed = (touched & valid) | unwritten | _beside(history, touched - valid)
    # Rules read every period of their windows: changed ones are summarised now
    # (and reused below), the rest come from the last build's rule inputs.
    memo = Summaries()
    for key in sorted(changed & rule_periods(history, config), key=_period_order):
        memo[key] = history.summary(*key, config.targets.specs())
    inputs = rule_inputs(history, config, memo, None if everything else previous.rule_inputs)
    logged, alert_log = read_alert_log_stamped(config.alerts_file)
    events = compute_alerts(history, config, inputs, logged)
    todo = set(changed)
    if not everything:  # an alert that appeared, went or was acknowledged
        todo |= changed_events(previous.events, events) & valid
    chosen_set = set(chosen)
    todo &= chosen_set
    if backfill:  # also whatever of the last N days is not as the last build wrote it
        todo |= chosen_set & unwritten
        report.backfill_generated = [f"{w} {p}" for w, p in sorted(todo, key=_period_order)]
        report.backfill_skipped = [
            f"{w} {p}" for w, p in sorted(chosen_set - todo, key=_period_order)
        ]
    return Plan(todo, memo, inputs, events, logged, alert_log, manifests)


#: a warning names at most this many modes
LISTED_MODES = 20


def shown_mode(text: str) -> str:
    """A mode name from the logs as a console line shows it (export.plain_text)."""
    return export.plain_text(text)


def note_modes(history: History, config: Config, report: BuildReport) -> None:
    """The analysed trades' modes in the report, and a warning when they mix books (one
    line naming each mode with its closed trades), or when a mode asked for is nowhere
    in the logs (mode names are matched exactly: LIVE is not live)."""
    analysed = sorted(history.closed_by_mode.keys() | history.open_by_mode.keys())
    report.modes = {mode: history.closed_by_mode.get(mode, 0) for mode in analysed}
    if len(analysed) > 1:
        listed = list(report.modes.items())
        counts = ", ".join(
            f"{shown_mode(mode)} ({n:,} closed trade{'' if n == 1 else 's'})"
            for mode, n in listed[:LISTED_MODES]
        )
        if len(listed) > LISTED_MODES:
            counts += f" and {len(listed) - LISTED_MODES:,} more modes"
        log.warning(
            "the report mixes books: %s; their results are added together (--mode MODE, "
            "or the modes config key, reports on one)",
            counts,
        )
    if config.modes is not None and not history.empty:
        seen = set(analysed).union(*history.excluded_by_mode.values())
        unseen = [mode for mode in config.modes if mode not in seen]
        if unseen:
            found = ", ".join(shown_mode(mode) for mode in sorted(seen)[:LISTED_MODES]) or "none"
            if len(seen) > LISTED_MODES:
                found += f" and {len(seen) - LISTED_MODES:,} more"
            log.warning(
                "no record in the logs has mode %s (modes found: %s; names must match "
                "execution_mode exactly)",
                ", ".join(shown_mode(mode) for mode in unseen),
                found,
            )


def note_windows(
    history: History, summaries: Mapping[tuple[str, str], dict], report: BuildReport
) -> None:
    """The latest periods, the gaps in the data, and a warning for each partial window,
    in the report."""
    for first, last in history.gaps:
        gap = f"{first} to {last} ({(last - first).days + 1} days)"
        report.gaps.append(gap)
        log.warning("gap in the data: no log or trade from %s; no pages inside", gap, extra=DETAIL)
    for kind in WINDOWS:
        latest = history.latest_period(kind)
        if latest:
            report.latest[kind] = latest
    for (kind, period), summary in summaries.items():
        if summary["partial"]:
            report.partial_windows.append(f"{kind} {period}")
            log.warning(
                "%s %s is partial: %s", kind, period, _partial_reason(summary), extra=DETAIL
            )


def save_state(
    history: History,
    cache: ScanCache,
    settings: str,
    plan: Plan,
    alert_log: Stamp | None,
    report: BuildReport,
    rendered: Rendered | None = None,
) -> None:
    """Stage 7: the index — digests, rebuilt days, and the state of this build: the
    stamps of what it read and of what it wrote, the books its pages name and what its
    drill-down pages were made of (``rendered``: None without a site)."""
    logs = [(dg.name, (dg.size, dg.mtime_ns)) for dg in history.digests]
    state = BuildState(
        inputs=inputs_key(settings, logs, alert_log),
        settings=settings,
        spans=list(history.spans),
        log_spans=list(history.log_spans),
        events=plan.events,
        open_breaches=report.open_breaches,
        complete=all(d.complete for d in history.digests),
        rule_inputs=plan.inputs,
        identity=history.identity,
        outputs={name: manifest.entries for name, manifest in plan.manifests.items()},
        books=list(rendered.books) if rendered else [],
        key_pages=dict(rendered.key_pages) if rendered else {},
    )
    index_path = next(iter(plan.manifests.values())).root / INDEX_NAME
    save_index(index_path, history.digests, history.assembled, cache.fingerprint or "", state)
    cache.state = state


def _period_order(item: tuple[str, str]) -> tuple[int, str]:
    return (WINDOWS.index(item[0]), item[1])


def _beside(history: History, gone: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The periods on either side of periods that no longer exist (a log file deleted,
    a day made a holiday): their previous/next links pointed at them."""
    out = set()
    for window, period in gone:
        ordered = history.periods(window)
        i = bisect_left(ordered, period)  # period ids sort in time order
        out.update((window, ordered[j]) for j in (i - 1, i) if 0 <= j < len(ordered))
    return out


def _written(manifests: dict[str, Manifest], window: str, period: str) -> bool:
    """Whether every output of a period is as the last build wrote it."""
    name = artifact_name(window, period)
    if not {f"{name}.json", f"{name}.md"} <= manifests["artifacts"].entries.keys():
        return False
    if "site" not in manifests:
        return True
    from sitegen.site.paths import data_path, page_path

    needed = {data_path(window, period, "json"), data_path(window, period, "md")}
    needed.add(page_path(window, period))
    return needed <= manifests["site"].entries.keys()


def _partial_reason(summary: dict) -> str:
    parts = []
    if summary["missing_days"]:
        parts.append("missing days " + ", ".join(summary["missing_days"]))
    skipped = summary["data_quality"]["skipped_lines"]
    if skipped:
        parts.append(f"{skipped} skipped line{'s' if skipped != 1 else ''}")
    return "; ".join(parts)


class Tracker:
    """The engine as a library object for the bot: summaries on demand.

    Log files are scanned once and kept; a later call re-reads only files whose
    size or modification time changed. (``trades`` reads through what is kept, and
    keeps nothing: it digests files without the days' figures.)
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self._cache = ScanCache()
        self.last_report: BuildReport | None = None

    def history(self) -> History:
        report = BuildReport()
        history = load_history(self.config, self._cache, report)
        if self._cache.rescanner is not None:  # files read back for rare identity cases
            report.files_read += self._cache.rescanner.reads
        self.last_report = report
        return history

    def periods(
        self, window: str, start: dt.date | str | None = None, end: dt.date | str | None = None
    ) -> list[str]:
        """The ids of ``window``'s periods that overlap ``start`` .. ``end``."""
        if window not in WINDOWS:
            raise ConfigError(f"window: {window!r} is not one of {', '.join(WINDOWS)}")
        first, last = _parse_day(start, "--start"), _parse_day(end, "--end")
        return [p for w, p in select_periods(self.history(), window, first, last, None)]

    def get_summary(self, window: str, period: str | None = None) -> dict | None:
        """The summary of ``window`` for ``period`` (latest when None), exactly as its
        JSON artifact holds it; None when there is no data at all and no period is
        asked for. A period outside the data range (before it, after it, or only in a
        gap of it) is a NoDataError naming the range; a malformed id a ConfigError."""
        if window not in WINDOWS:
            raise ConfigError(f"window: {window!r} is not one of {', '.join(WINDOWS)}")
        history = self.history()
        if period is not None:
            period = _checked_period(history, window, period, self.config.logs_dir)
        elif history.empty:
            return None
        else:
            period = history.latest_period(window)
            if period is None:  # log files whose records fall on no day with a period
                raise NoDataError(f"no {window} period has data: {data_range(history)}")
        return self._summaries(history, window, [period])[0]

    def trades(
        self, start: dt.date | str | None = None, end: dt.date | str | None = None
    ) -> Iterator[dict]:
        """The analysed trades (open ones too) of the local days ``start`` .. ``end``,
        one dict per trade with the columns of ``sitegen export trades``, in attribution
        order. The logs are read now (through the digests this tracker keeps, which it
        leaves as they were, see load_trades); the rows are made a day at a time as
        the iterator is consumed (memory holds a day's trades, not the history's)."""
        first, last = _parse_day(start, "start"), _parse_day(end, "end")
        if first and last and first > last:
            raise ConfigError(f"start {first} is after end {last}")
        report = BuildReport()
        history = load_trades(self.config, self._cache, report)
        self.last_report = report
        return trade_rows(history, zone(self.config.timezone), first, last)

    def summaries(
        self, window: str, start: dt.date | str | None = None, end: dt.date | str | None = None
    ) -> list[dict]:
        """The summaries of ``window``'s periods that overlap ``start`` .. ``end``, in
        order, each as :meth:`get_summary` gives it (the logs read once). A range with
        no such period is a NoDataError naming the data range."""
        if window not in WINDOWS:
            raise ConfigError(f"window: {window!r} is not one of {', '.join(WINDOWS)}")
        first, last = _parse_day(start, "--start"), _parse_day(end, "--end")
        if first and last and first > last:
            raise ConfigError(f"--start {first} is after --end {last}")
        history = self.history()
        chosen = [p for _, p in select_periods(history, window, first, last, None)]
        if not chosen:
            between = (
                f"between {first} and {last}"
                if first and last
                else f"from {first} on"
                if first
                else f"up to {last}"
                if last
                else "at all"
            )
            if history.empty:
                cause = f"there are no trade logs in {self.config.logs_dir}/"
            else:
                cause = data_range(history)
            raise NoDataError(f"no {window} data {between}: {cause}")
        return self._summaries(history, window, chosen)

    def _summaries(self, history: History, window: str, periods: list[str]) -> list[dict]:
        targets = self.config.targets.specs()
        chosen = {(window, p): history.summary(window, p, targets) for p in periods}
        inputs = rule_inputs(history, self.config, dict(chosen))
        events = compute_alerts(
            history, self.config, inputs, read_alert_log_stamped(self.config.alerts_file)[0]
        )
        attach_alerts(history, chosen, events)
        return list(chosen.values())


#: a data range of more runs than this is described by its ends and its number of runs
LISTED_RUNS = 4


def data_range(history: History) -> str:
    """What dates the logs hold data for, for a message: 'the logs cover 2025-10-06 to
    2025-12-31', with each run when gaps of more than 31 days split the range."""
    runs = [f"{first} to {last}" for first, last in history.spans]
    if len(runs) == 1:
        return f"the logs cover {runs[0]}"
    if len(runs) <= LISTED_RUNS:
        return f"the logs cover {', '.join(runs[:-1])} and {runs[-1]}"
    return (
        f"the logs cover {history.first} to {history.last} in {len(runs)} runs, with gaps of "
        f"more than {MAX_GAP_DAYS} days without data between them"
    )


def _checked_period(history: History, window: str, period: str, logs_dir: Path) -> str:
    """``period``, when it is a well-formed id of ``window`` with data; else the error
    that says why not, naming the data range."""
    where = data_range(history) if not history.empty else f"there are no trade logs in {logs_dir}/"
    if window == "all":
        if period != "all":
            raise ConfigError(f"period: {period!r}: the all window has one period, 'all'")
        if history.empty:
            raise NoDataError(f"no data at all: {where}")
        return period
    try:
        first, last = parse_period(window, period)
    except ValueError as exc:
        raise ConfigError(f"{exc}; {where}") from exc
    if clip(history.spans, first, last):
        return period
    gap = next(((a, b) for a, b in history.gaps if a <= first and last <= b), None)
    if gap is None:
        raise NoDataError(f"no data for {window} {period}: {where}")
    days = (gap[1] - gap[0]).days + 1
    raise NoDataError(
        f"no data for {window} {period}: it lies in a gap of {days} days without logs or "
        f"trades ({gap[0]} to {gap[1]}); {where}"
    )
