"""Stage 6 of a build: which pages to render, and rendering them — the daily pages of
a big build in forked worker processes (they dominate a cold build).

The site package renders what it is handed (summaries, and a SiteInput with the
periods, day counts and trade rows); this stage gathers that from the history.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence

from sitegen.alerting import attach_alerts
from sitegen.cache import CACHE_DIR, Manifest
from sitegen.config import Config
from sitegen.history import History
from sitegen.report import BuildReport
from sitegen.rows import KEEP_DAYS, ROWS_DIR, DayRows
from sitegen.site import DayStats, SiteInput, mixed_books, render_site, with_neighbours
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
    summaries: dict[tuple[str, str], dict],
    memo: dict[tuple[str, str], dict],
    events: list[dict],
    *,
    every: bool = False,
) -> dict[tuple[str, str], dict]:
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
    return {**summaries, **extra}


def render_pages(
    history: History,
    config: Config,
    summaries: dict[tuple[str, str], dict],
    events: list[dict],
    memo: dict[tuple[str, str], dict],
    report: BuildReport,
    manifest: Manifest,
    previous_books: Sequence[str] | None = None,
) -> tuple[str, ...]:
    """Stage 6: render the pages of page_summaries(); each file written (or found
    right) is recorded in ``manifest``. Returns the books the pages' mixed-books notice
    names, for the index: when they differ from ``previous_books`` (what the last build's
    pages name; None: no last build) every page is rendered again."""
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
    if not history.empty:  # the scan stage kept rows of every file it read: keep recent ones
        site.rows.prune(history.last - dt.timedelta(days=KEEP_DAYS - 1))
    return books


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
