"""Stage 6 of a build: which pages to render, and rendering them — the daily pages of
a big build in forked worker processes (they dominate a cold build).

The site package renders what it is handed (summaries, and a SiteInput with the
periods, day counts and trade rows); this stage gathers that from the history.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sitegen.alerting import attach_alerts
from sitegen.cache import CACHE_DIR, Manifest, day_rows_key, key_of, key_page_key
from sitegen.config import Config
from sitegen.drill import (
    KINDS,
    LATEST_TRADES,
    KeySeries,
    key_series,
    latest_rows,
    page_inputs,
    row_day_inputs,
)
from sitegen.history import History
from sitegen.packed import Summaries
from sitegen.report import BuildReport
from sitegen.rows import KEEP_DAYS, KEY_ROWS_DIR, ROWS_DIR, DayRows, KeyRowsStore
from sitegen.site import (
    DayStats,
    KeyInput,
    SiteInput,
    mixed_books,
    render_keys,
    render_site,
    with_neighbours,
)
from sitegen.site.paths import key_path
from sitegen.windows import PERIOD_WINDOWS, WINDOWS
from sitegen.workers import exit_with_parent
from sitegen.writer import Writer


def site_input(
    history: History,
    config: Config,
    *,
    fragments: bool = True,
    books: tuple[str, ...] = (),
) -> SiteInput:
    """What the site is handed of ``history``. Trade rows come from the fragments the
    scan stage kept (``fragments``), or else from the log files; ``books``: the books
    every page's notice names (mixed_books of the all-time summary)."""
    folder = config.artifacts / CACHE_DIR / ROWS_DIR if fragments else None
    return SiteInput(
        periods={window: history.periods(window) for window in WINDOWS},
        days={
            d: DayStats(p.trades_total, p.trades_closed, p.wins) for d, p in history.days.items()
        },
        rows=DayRows(history, folder),
        books=books,
        monthly_returns=history.monthly_returns(),
    )


def page_summaries(
    history: History,
    config: Config,
    summaries: Mapping[tuple[str, str], dict],
    memo: Mapping[tuple[str, str], dict],
    events: list[dict],
    *,
    every: bool = False,
) -> Summaries:
    """The summaries of the pages to render: the recomputed periods, their neighbours
    (whose previous/next links may have changed) and the latest periods (the overview
    pages show them), each with its alerts; with ``every``, every period."""
    periods = {window: history.periods(window) for window in WINDOWS}
    keys = with_neighbours(periods, summaries)
    keys |= {(w, found[-1]) for w, found in periods.items() if found}
    if every:
        keys |= {(w, p) for w, found in periods.items() for p in found}
    extra = {key: memo.get(key) for key in keys if key not in summaries}
    for key in extra:
        if extra[key] is None:
            extra[key] = history.summary(*key, config.targets.specs())
    attach_alerts(history, extra, events)
    out = Summaries(summaries)  # (kept encoded, as the build keeps them)
    out.update(extra)
    return out


@dataclass(frozen=True)
class Rendered:
    """What the index keeps of a build's pages: the books their mixed-books notice names
    and, per drill-down page, the key of its inputs (cache.key_page_key)."""

    books: tuple[str, ...] = ()
    key_pages: dict[str, str] = field(default_factory=dict)


def render_pages(
    history: History,
    config: Config,
    summaries: Mapping[tuple[str, str], dict],
    events: list[dict],
    memo: Mapping[tuple[str, str], dict],
    report: BuildReport,
    manifest: Manifest,
    previous_books: Sequence[str] | None = None,
    previous_keys: Mapping[str, str] | None = None,
) -> Rendered:
    """Stage 6: render the pages of page_summaries() and the drill-down pages whose
    inputs changed; each file written (or found right) is recorded in ``manifest``.
    When the books the pages' mixed-books notice names differ from ``previous_books``
    (what the last build's pages name; None: no last build) every page is rendered
    again. ``previous_keys``: the last build's Rendered.key_pages."""
    pages = page_summaries(history, config, summaries, memo, events)
    books = mixed_books(pages.get(("all", "all")))
    if previous_books is not None and tuple(previous_books) != books:
        pages = page_summaries(history, config, pages, memo, events, every=True)
    site = site_input(history, config, books=books)
    written = frozenset(summaries)  # their artifacts were written by this build
    cache_dir = config.artifacts / CACHE_DIR / "templates"
    periods = sorted((key for key in pages if key[0] in PERIOD_WINDOWS), key=_page_order)
    daily = [key for key in periods if key[0] == "daily"]
    workers = min(os.cpu_count() or 1, len(daily) // PAGES_PER_WORKER)
    if workers > 1 and _can_fork():
        # Period pages (a daily page has a table row per trade) dominate a cold build:
        # render them in forked workers that share this process's history, in
        # contiguous runs (neighbouring days share log files), a few runs per worker
        # so that one slow run does not leave a core idle. Workers write their pages.
        global _SHARED
        _SHARED = (site, pages, events, config, cache_dir, written)
        size = max(PAGES_PER_WORKER, -(-len(periods) // (workers * RUNS_PER_WORKER)))
        chunks = [periods[i : i + size] for i in range(0, len(periods), size)]
        import multiprocessing  # loaded only for a big build
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("fork")
        # The workers share this process's memory until they write to it; a collection
        # in a worker would touch (and so copy) every object it inherited. Moved out of
        # the collector's sight while they run: their peak RSS stays near their own work.
        gc.freeze()
        try:
            with ProcessPoolExecutor(
                max_workers=workers,
                mp_context=context,
                initializer=exit_with_parent,
                initargs=(os.getpid(),),
            ) as pool:
                for done, same, reads, entries in pool.map(_render_periods, chunks):
                    report.pages_rendered += done
                    report.pages_skipped += same
                    report.files_read += reads
                    manifest.entries.update(entries)
        finally:
            gc.unfreeze()
            _SHARED = None
        rest: tuple[str, ...] = ()
    else:
        rest = PERIOD_WINDOWS
    written_pages, unchanged = render_site(
        site,
        pages,
        events,
        config,
        Writer(config.site_dir, on_write=manifest.record),
        windows=rest,
        cache_dir=cache_dir,
        written_artifacts=written,
    )
    report.pages_rendered += written_pages
    report.pages_skipped += unchanged
    kept = KeyRowsStore(config.artifacts / CACHE_DIR / KEY_ROWS_DIR, config.timezone, history.modes)
    keys = render_key_pages(
        history,
        config,
        pages.get(("all", "all")),
        site,
        manifest,
        previous_keys or {},
        report,
        kept,
    )
    if not history.empty:  # the scan stage kept rows of every file it read: keep recent ones
        site.rows.prune(history.last - dt.timedelta(days=KEEP_DAYS - 1))
    return Rendered(books, keys)


def render_key_pages(
    history: History,
    config: Config,
    everything: Mapping[str, Any] | None,
    site: SiteInput,
    manifest: Manifest,
    previous: Mapping[str, str],
    report: BuildReport,
    kept: KeyRowsStore | None = None,
) -> dict[str, str]:
    """The page of every symbol and strategy with closed trades, rendered when what it is
    made of (drill.page_inputs, the books) is not what the last build made it of, or its
    file is not as that build wrote it (``manifest``, verified). Its latest trades come
    from the rows ``kept`` by the last build where their day is unchanged, else from the
    day's rows. Returns each page's key of its inputs, by path, for the index."""
    series = key_series(history.days)
    day_keys = _DayKeys(history)
    stamps: dict[str, str] = {}
    todo: list[tuple[KeySeries, dict[dt.date, str]]] = []
    for (kind, key), one in series.items():
        path = key_path(kind, key)
        row_days = row_day_inputs(one, day_keys.of(one.row_days()))
        row_keys = {day: key_of(*inputs) for day, inputs in row_days.items()}
        stamps[path] = key_page_key(site.books, page_inputs(one, row_keys))
        if path not in manifest.entries or previous.get(path) != stamps[path]:
            todo.append((one, row_keys))
    grid = (everything or {}).get("breakdowns") or {}
    rows_of = {kind: {str(r.get("key")): r for r in grid.get(kind) or []} for kind in KINDS}

    def wanted():
        for one, keys in todo:
            yield one, keys, kept.load(one.kind, one.key) if kept else {}

    latest = latest_rows(wanted(), site.rows)
    if kept is not None:
        for (kind, key), (_, days) in latest.items():
            kept.save(kind, key, days)
        kept.prune(series)
    written, unchanged = render_keys(
        (
            KeyInput(one, rows_of[one.kind].get(one.key), latest[(one.kind, one.key)][0])
            for one, _ in todo
        ),
        site.books,
        config,
        Writer(config.site_dir, on_write=manifest.record),
        latest=LATEST_TRADES,
        cache_dir=config.artifacts / CACHE_DIR / "templates",
    )
    report.pages_rendered += written
    report.pages_skipped += unchanged + len(series) - len(todo)
    return stamps


class _DayKeys:
    """Each day's cache.day_rows_key, made when first asked for."""

    def __init__(self, history: History) -> None:
        self.history = history
        self.found: dict[dt.date, str] = {}

    def of(self, days: Sequence[dt.date]) -> dict[dt.date, str]:
        out = {}
        for day in days:
            if day not in self.found:
                h = self.history
                found = h.day_files.get(day, ())
                self.found[day] = day_rows_key(
                    [(h.digests[fi].name, h.digests[fi].hash) for fi in found],
                    [[bytes(x).hex() for x in h.excluded.get(fi, ())] for fi in found],
                )
            out[day] = self.found[day]
        return out


#: a forked page worker is worth starting for at least this many daily pages
PAGES_PER_WORKER = 24
#: runs of pages given to each worker
RUNS_PER_WORKER = 4


def _page_order(key: tuple[str, str]) -> tuple[int, str]:
    return PERIOD_WINDOWS.index(key[0]), key[1]


_SHARED: tuple | None = None  # what forked page workers read (set only while they run)


def _render_periods(keys: list[tuple[str, str]]) -> tuple[int, int, int, dict]:
    """In a forked worker: render these period pages; (written, unchanged, files read,
    the manifest entries of the files)."""

    assert _SHARED is not None
    site, pages, events, config, cache_dir, artifacts_written = _SHARED
    reads_before = site.rows.reads
    manifest = Manifest(config.site_dir)
    done, same = render_site(
        site,
        {key: pages[key] for key in keys},
        events,
        config,
        Writer(config.site_dir, on_write=manifest.record),
        overview=False,
        windows=PERIOD_WINDOWS,
        cache_dir=cache_dir,
        written_artifacts=artifacts_written,
    )
    return done, same, site.rows.reads - reads_before, manifest.entries


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()
