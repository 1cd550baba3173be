"""The static site: every page's context is gathered first, then rendered with Jinja2
and written through the one Writer.

Pages: ``index.html``, ``archive.html``, ``compare.html``, ``alerts.html``,
``definitions.html``, ``daily/YYYY-MM-DD.html``, ``weekly/YYYY-Www.html``,
``monthly/YYYY-MM.html``, ``symbols/<key>.html`` and ``strategies/<key>.html`` (a
page per symbol and strategy, sitegen.site.keys), plus ``assets/style.css`` and a copy
of each period's JSON and Markdown artifact under ``data/`` so the site works when
moved or served alone. All links are relative. When the report mixes books, every page
carries a notice that says so (SiteInput.books).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sitegen import export
from sitegen.config import Config, default_templates_dir
from sitegen.errors import BuildError
from sitegen.site import home
from sitegen.site.compare import books_notice, compare_page, mixed_books
from sitegen.site.keys import key_page
from sitegen.site.pages import DayStats, neighbours, period_page
from sitegen.site.paths import data_path, key_path, page_path, root_of
from sitegen.site.rows import day_table
from sitegen.windows import zone
from sitegen.writer import Writer

if TYPE_CHECKING:
    import jinja2

    from sitegen.drill import KeySeries
    from sitegen.returns import MonthlyReturns
    from sitegen.rows import Row

__all__ = [
    "DayStats",
    "KeyInput",
    "RowSource",
    "SiteInput",
    "default_templates_dir",
    "environment",
    "mixed_books",
    "render_keys",
    "render_site",
    "with_neighbours",
]

WINDOWS = ("daily", "weekly", "monthly", "all")
STYLESHEET = "style.css"


class RowSource(Protocol):
    """The trade rows of a day, in time order (sitegen.rows.DayRows)."""

    reads: int  # log files read back so far, in this process

    def __call__(self, day: dt.date) -> Sequence[Row]: ...


@dataclass(frozen=True)
class SiteInput:
    """What the build hands the site besides the summaries: every period of each
    window in order, a few counts per day, a day's trade rows on demand, and the books
    the report adds together (:func:`mixed_books` of the all-time summary; () for one):
    every page's mixed-books notice names them, so a change of them changes every page."""

    periods: Mapping[str, Sequence[str]]
    days: Mapping[dt.date, DayStats]
    rows: RowSource
    books: tuple[str, ...] = ()
    #: every month's total_return and each year's, when the account size is known (the
    #: overview's table of monthly returns); None: no returns
    monthly_returns: MonthlyReturns | None = None

    @property
    def empty(self) -> bool:
        return not self.periods.get("all")

    def latest_period(self, window: str) -> str | None:
        found = self.periods.get(window)
        return found[-1] if found else None


@dataclass(frozen=True)
class KeyInput:
    """What the page of one symbol or strategy is made of: its series of days, its row
    of the all-time summary's breakdown grid (None: not there), and its latest closed
    trades, newest first, each with its day."""

    series: KeySeries
    row: Mapping[str, Any] | None
    rows: Sequence[tuple[dt.date, Row]]


def environment(
    templates_dir: Path | None = None, cache_dir: Path | None = None
) -> jinja2.Environment:
    """A Jinja2 environment with autoescaping and strict undefined variables.

    A user's ``templates_dir`` comes first; templates it does not have fall back to
    the default theme, so a restyle can override just ``base.html`` or the CSS.
    With ``cache_dir``, compiled templates are kept there (keyed by their source), so
    an incremental build does not compile them again.
    """
    import jinja2  # here: the scan stage's workers import this package for rows.py

    paths = [str(p) for p in (templates_dir, default_templates_dir()) if p is not None]
    bytecode = None
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        bytecode = jinja2.FileSystemBytecodeCache(str(cache_dir))
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(paths),
        bytecode_cache=bytecode,
        autoescape=jinja2.select_autoescape(("html", "htm", "xml", "svg"), default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _stylesheet(templates_dir: Path | None) -> bytes:
    for folder in (templates_dir, default_templates_dir()):
        if folder is not None and (folder / STYLESHEET).is_file():
            return (folder / STYLESHEET).read_bytes()
    raise BuildError(f"no {STYLESHEET} in the site templates")  # pragma: no cover


def with_neighbours(
    periods: Mapping[str, Sequence[str]], keys: Iterable[tuple[str, str]]
) -> set[tuple[str, str]]:
    """``keys`` plus the previous and next period of each (same window).

    A period page shows only its own period and its neighbours' ids, so when some
    periods changed (or are new), these are the period pages to render again: a new
    day also changes the "next" link of the day before it.
    """
    out = set()
    for window in {w for w, _ in keys}:
        ordered = periods.get(window, ())
        index = {p: i for i, p in enumerate(ordered)}
        for w, period in keys:
            if w != window:
                continue
            out.add((w, period))
            i = index.get(period)
            if i is None:
                continue
            out.update((w, ordered[j]) for j in (i - 1, i + 1) if 0 <= j < len(ordered))
    return out


def _page_keys(summaries: Mapping[tuple[str, str], dict]) -> list[tuple[str, str]]:
    """The periods of ``summaries`` in page order."""
    order = {w: i for i, w in enumerate(WINDOWS)}
    return sorted(summaries, key=lambda key: (order[key[0]], key[1]))


def _period_context(site: SiteInput, summaries, key, near, tz) -> object:
    """A period page's context; a day's trade rows are gathered only now, page by page."""
    summary = summaries[key]
    table = None
    if summary["window"] == "daily":
        table = day_table(site.rows(dt.date.fromisoformat(summary["period"])), summary["period"])
    return period_page(summary, near, table, site.days, tz)


#: what a page's mixed-books notice counts the books' closed trades over
_SCOPES = {"daily": "this day", "weekly": "this week", "monthly": "this month"}


def _with_notice(page: Any, notice: object) -> Any:
    """``page`` (a frozen page context) with the mixed-books notice in its layout."""
    return dataclasses.replace(page, layout=dataclasses.replace(page.layout, books=notice))


def render_site(
    site: SiteInput,
    summaries: Mapping[tuple[str, str], dict],
    alerts: list[dict],
    config: Config,
    writer: Writer,
    *,
    overview: bool = True,
    windows: tuple[str, ...] = ("daily", "weekly", "monthly"),
    cache_dir: Path | None = None,
    written_artifacts: frozenset[tuple[str, str]] = frozenset(),
) -> tuple[int, int]:
    """Render the site into writer.root; return (pages written, pages unchanged).

    ``overview=False`` renders only the period pages, and ``windows`` says of which
    windows (worker processes render shares of the daily pages); ``cache_dir`` keeps
    compiled templates between builds; ``written_artifacts`` are the periods whose
    artifacts this build wrote (their site copies are copied from them). With
    ``overview``, ``summaries`` must hold the all-time and the latest periods.

    One page (and one JSON/Markdown copy under ``data/``) per daily, weekly and
    monthly period in ``summaries``; ``index.html``, ``archive.html``,
    ``compare.html``, ``alerts.html`` and ``definitions.html`` always. To refresh only
    what changed, pass the changed periods widened by :func:`with_neighbours` — and
    every period when ``site.books`` changed (each page's mixed-books notice names
    them). Pages are the HTML files; the stylesheet and data copies are written too but
    not counted.
    """
    env = environment(config.templates_dir, cache_dir)
    tz = zone(config.timezone)
    ordered = {window: list(site.periods.get(window, ())) for window in WINDOWS}

    def summary_of(window: str, period: str | None) -> dict | None:
        return None if period is None else summaries[(window, period)]

    # Period contexts are made one at a time, right before rendering: a big history
    # has hundreds of days with thousands of trade rows each. Each page names the
    # summary its mixed-books notice counts the books' trades in.
    # (the summary a notice counts in is fetched when its page is rendered: ``summaries``
    # may keep them encoded, sitegen.packed)
    pages: list[tuple[str, str, Callable[[], object], Callable[[], Mapping | None], str]] = []
    for window, period in _page_keys(summaries):
        if window not in windows:
            continue
        near = neighbours(window, period, ordered)
        key = (window, period)
        make = functools.partial(_period_context, site, summaries, key, near, tz)
        counted = functools.partial(summaries.__getitem__, key)
        pages.append((page_path(window, period), f"{window}.html", make, counted, _SCOPES[window]))

    if overview:
        everything = None if site.empty else summary_of("all", "all")
        latest = []
        for window, label in (
            ("daily", "Latest day"),
            ("weekly", "This week"),
            ("monthly", "This month"),
        ):
            found = summary_of(window, site.latest_period(window))
            if found is not None:
                latest.append((label, found))
        daily_all = (everything or {}).get("daily_pnl") or {}
        index = home.index_page(
            latest, everything, alerts, ordered, config.timezone, monthly=site.monthly_returns
        )
        archive = home.archive_page(ordered, daily_all)
        compare = compare_page(everything)
        alerts_page = home.alerts_page(alerts, ordered)
        definitions = functools.partial(
            home.definitions_page, config.timezone, returns=site.monthly_returns is not None
        )
        for path, make in (
            ("index.html", lambda: index),
            ("archive.html", lambda: archive),
            ("compare.html", lambda: compare),
            ("alerts.html", lambda: alerts_page),
            ("definitions.html", definitions),
        ):
            pages.append((path, path, make, lambda: everything, "in all"))

    written = unchanged = 0
    if overview:
        writer.write(f"assets/{STYLESHEET}", _stylesheet(config.templates_dir))
    for window, period in _page_keys(summaries):
        if window not in windows and not (overview and window == "all"):
            continue
        if (window, period) in written_artifacts:  # the same bytes: copy, not encode again
            for ext in ("json", "md"):
                name = f"{export.artifact_name(window, period)}.{ext}"
                writer.write(data_path(window, period, ext), (config.artifacts / name).read_bytes())
            continue
        summary = summaries[(window, period)]
        writer.write(data_path(window, period, "json"), export.summary_json(summary))
        writer.write(data_path(window, period, "md"), export.summary_markdown(summary))
    templates: dict[str, jinja2.Template] = {}
    for path, name, make, counted, scope in pages:
        template = templates.get(name) or templates.setdefault(name, env.get_template(name))
        page = make()
        if site.books:
            page = _with_notice(page, books_notice(site.books, counted(), scope, root_of(path)))
        if writer.write(path, template.render(page=page)):
            written += 1
        else:
            unchanged += 1
    return written, unchanged


def render_keys(
    keys: Iterable[KeyInput],
    books: Sequence[str],
    config: Config,
    writer: Writer,
    *,
    latest: int,
    cache_dir: Path | None = None,
) -> tuple[int, int]:
    """Render the pages of ``keys`` (sitegen.site.keys) into writer.root; return (pages
    written, pages unchanged). ``books``: what their mixed-books notice names (no counts:
    a key's page would otherwise change with every day's trades of other keys);
    ``latest``: the most trades a page lists."""
    env = environment(config.templates_dir, cache_dir)
    template = env.get_template("key.html")
    written = unchanged = 0
    for item in keys:
        page = key_page(item.series, item.row, item.rows, config.timezone, latest)
        if books:
            notice = books_notice(books, None, "in all", page.layout.root)
            page = _with_notice(page, notice)
        path = key_path(item.series.kind, item.series.key)
        if writer.write(path, template.render(page=page)):
            written += 1
        else:
            unchanged += 1
    return written, unchanged
