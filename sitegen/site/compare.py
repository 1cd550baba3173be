"""``compare.html``: the bot's versions side by side and, when the report mixes books
(execution modes), the books side by side, each row with its 95% intervals in the
table and drawn (a dot and whisker per row), and the latest version against the one
before it in plain words. Also the mixed-books notice that every page carries.

Pure: the all-time summary in, small frozen values out. Everything it reads of the
versions and books (``by_version``, ``by_mode``, ``version_change``) is read with
``.get``: a summary without them gives a page that says so. Version keys and mode
names are text from the logs (text.log_html).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from markupsafe import Markup

import sitegen.site.charts as charts
import sitegen.site.fmt as fmt
from sitegen.metrics import SMALL_SAMPLE
from sitegen.site.pages import Chart
from sitegen.site.parts import BooksNotice, Cell, Layout, metric_cell
from sitegen.site.text import log_html

#: the mixed-books notice names at most this many books (then "and N more")
LISTED_BOOKS = 6
PAGE = "compare.html"


# --- the mixed-books notice ----------------------------------------------------------


def _rows(summary: Mapping[str, Any] | None, field: str) -> list[Mapping[str, Any]]:
    rows = (summary or {}).get(field)
    return [r for r in rows if isinstance(r, Mapping)] if isinstance(rows, list) else []


def mixed_books(everything: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The books the report adds together, by name in sorted order, when the all-time
    summary's ``by_mode`` has more than one; else ().

    This is what every page's notice depends on beyond its own summary (each page counts
    the closed trades of its own period), so it is the one site-wide input of period
    pages: a build that finds it changed renders every page again. Sorted names, not
    ``by_mode``'s order (by net P&L), so that a new trade does not change it."""
    names = sorted({str(r.get("key", "")) for r in _rows(everything, "by_mode")})
    return tuple(names) if len(names) > 1 else ()


def books_notice(
    books: Sequence[str], summary: Mapping[str, Any] | None, scope: str, root: str
) -> BooksNotice | None:
    """The notice of a page whose figures come from ``summary`` (the period's, or the
    all-time one), naming ``books`` with their closed trades in that summary; None when
    the report has one book. A summary without ``by_mode`` names the books only."""
    if not books:
        return None
    counted = "by_mode" in (summary or {})
    closed = {str(r.get("key", "")): r.get("trades_closed") for r in _rows(summary, "by_mode")}
    listed = []
    for name in books[:LISTED_BOOKS]:
        n = closed.get(name) or 0
        listed.append((log_html(name), f"{n:,}" if counted and isinstance(n, int) else ""))
    return BooksNotice(tuple(listed), max(0, len(books) - LISTED_BOOKS), scope, root + PAGE)


# --- the page ----------------------------------------------------------------------


@dataclass(frozen=True)
class SideRow:
    """A version or a book in a table: its figures, each interval as the note under its
    value (or why there is none)."""

    key: Markup  # text from the logs
    number: int  # its row in the charts, which name no text from the logs (only HTML can
    # isolate it: an SVG label or tooltip cannot hold a <bdi>)
    days: tuple[str, ...]  # the first and the last day (one when the same); () for a book
    closed: str
    small: bool  # fewer than SMALL_SAMPLE closed trades: muted, marked
    win_rate: Cell
    expectancy: Cell
    net: Cell
    avg_r: Cell
    sqn: Cell
    profit_factor: Cell


@dataclass(frozen=True)
class Side:
    """Versions or books side by side: the table and the two interval charts."""

    rows: tuple[SideRow, ...]
    charts: tuple[Chart, ...]
    small: bool  # some row has fewer than SMALL_SAMPLE closed trades


@dataclass(frozen=True)
class Verdict:
    """The latest version against the one before, on one measure, in a sentence."""

    measure: str  # "Expectancy", "Average R"
    cls: str  # better | worse | unclear | na
    text: Markup
    basis: str  # the trades each mean is of


@dataclass(frozen=True)
class ComparePage:
    layout: Layout
    empty: bool  # no closed trades at all
    closed: str  # closed trades of the whole history
    dates: str
    versions: Side | None  # None: the summary has no versions
    versions_note: str  # why there is no verdict ("" when there is one)
    verdicts: tuple[Verdict, ...]
    latest: Markup  # the two versions compared ("" without a verdict)
    previous: Markup
    books: Side | None  # None: one book (or the summary has no books)
    book_names: tuple[Markup, ...]


def _interval_note(row: Mapping[str, Any], field: str, text: str) -> str:
    """The note under a value: its 95% interval, or why it has none."""
    if text:
        return text
    if not row.get("trades_closed"):
        return ""
    reason = (row.get("undefined_reasons") or {}).get(f"{field}_low")
    return f"interval n/a: {reason}" if reason else "interval n/a"


def side_row(row: Mapping[str, Any], number: int, *, days: bool) -> SideRow:
    closed = row.get("trades_closed") or 0
    win = metric_cell(row, "win_rate")
    expectancy = metric_cell(row, "expectancy")
    rate_note = fmt.rate_interval(row.get("win_rate_low"), row.get("win_rate_high"))
    money_note = fmt.money_interval(row.get("expectancy_low"), row.get("expectancy_high"))
    first, last = row.get("first_day"), row.get("last_day")
    span: tuple[str, ...] = ()
    if days and first:
        span = (str(first),) if first == last or not last else (str(first), str(last))
    return SideRow(
        key=log_html(row.get("key", "")),
        number=number,
        days=span,
        closed=f"{closed:,}" if isinstance(closed, int) else str(closed),
        small=isinstance(closed, int) and closed < SMALL_SAMPLE,
        win_rate=Cell(
            win.text, win.cls, win.reason, note=_interval_note(row, "win_rate", rate_note) or None
        ),
        expectancy=Cell(
            expectancy.text,
            expectancy.cls,
            expectancy.reason,
            note=_interval_note(row, "expectancy", money_note) or None,
        ),
        net=metric_cell(row, "net_pnl"),
        avg_r=metric_cell(row, "avg_r_multiple"),
        sqn=metric_cell(row, "sqn"),
        profit_factor=metric_cell(row, "profit_factor"),
    )


def _float(value: object) -> float | None:
    number = fmt.dec(value)
    return None if number is None else float(number)


def _words(row: Mapping[str, Any], number: int, value: str, interval: str) -> str:
    n = row.get("trades_closed") or 0
    count = f"{n:,} closed trade{'' if n == 1 else 's'}" if isinstance(n, int) else ""
    small = ", fewer than 30" if isinstance(n, int) and 0 < n < SMALL_SAMPLE else ""
    where = f"95% interval {interval}" if interval else "no interval"
    return f"#{number}: {value} ({where}; {count}{small})"


def side_charts(rows: Sequence[Mapping[str, Any]], what: str, overall: float | None) -> tuple:
    """The win rate and the expectancy of ``rows``, each a dot at the value with a
    whisker over its 95% interval; the win rate against that of all trades, the
    expectancy against break-even (0)."""
    rates, means = [], []
    for number, r in enumerate(rows, 1):
        n = r.get("trades_closed")
        muted = isinstance(n, int) and n < SMALL_SAMPLE
        key = f"#{number}"  # the table's row number: no log text in the SVG
        rate_text = fmt.rate_interval(r.get("win_rate_low"), r.get("win_rate_high"))
        rates.append(
            charts.Interval(
                key,
                _float(r.get("win_rate")) if n else None,
                _float(r.get("win_rate_low")),
                _float(r.get("win_rate_high")),
                muted=muted,
                words=_words(r, number, fmt.percent(r.get("win_rate")), rate_text),
            )
        )
        money_text = fmt.money_interval(r.get("expectancy_low"), r.get("expectancy_high"))
        means.append(
            charts.Interval(
                key,
                _float(r.get("expectancy")) if n else None,
                _float(r.get("expectancy_low")),
                _float(r.get("expectancy_high")),
                muted=muted,
                words=_words(r, number, fmt.rounded(r.get("expectancy"), signed=True), money_text),
            )
        )
    reference = "all trades " + fmt.percent(overall) if overall is not None else ""
    return (
        Chart(
            "Win rate, 95% interval",
            Markup(
                charts.interval_chart(
                    rates,
                    f"Win rate by {what} with 95% intervals",
                    rate=True,
                    reference=overall,
                    reference_label=reference,
                )
            ),
        ),
        Chart(
            "Expectancy (P&L per closed trade), 95% interval",
            Markup(
                charts.interval_chart(
                    means,
                    f"Expectancy by {what} with 95% intervals",
                    rate=False,
                    reference=0,
                    reference_label="break-even",
                )
            ),
        ),
    )


def side(rows: Sequence[Mapping[str, Any]], what: str, overall: float | None, *, days: bool):
    made = tuple(side_row(r, number, days=days) for number, r in enumerate(rows, 1))
    return Side(made, side_charts(rows, what, overall), any(r.small for r in made))


# --- the verdicts --------------------------------------------------------------------


def _usd(value: Decimal, *, signed: bool = False) -> str:
    """'$1,234.50', '-$4.10', and with ``signed`` '+$28.70'."""
    text = fmt.rounded(abs(value))
    sign = "-" if value < 0 and text != "0.00" else "+" if signed and value > 0 else ""
    return f"{sign}${text}"


def _r(value: Decimal, *, signed: bool = False) -> str:
    text = fmt.rounded(abs(value))
    sign = "-" if value < 0 and text != "0.00" else "+" if signed and value > 0 else ""
    return f"{sign}{text}"


_WORDS = {"better": "better", "worse": "worse", "not_yet_clear": "not yet clear"}
_CLS = {"better": "better", "worse": "worse", "not_yet_clear": "unclear"}


def verdict(change: Mapping[str, Any], measure: str, reasons: Mapping[str, Any]) -> Verdict | None:
    """One measure of ``version_change`` (``expectancy`` or ``avg_r_multiple``) as a
    sentence: "Version B earns $d more per closed trade than version A (95% interval
    $lo to $hi): better." None when the change has no such measure."""
    r_multiple = measure == "avg_r_multiple"
    title = "Average R" if r_multiple else "Expectancy"
    latest = Markup("version {}").format(log_html(change.get("latest")))
    previous = Markup("version {}").format(log_html(change.get("previous")))
    x = change.get(measure)
    if not isinstance(x, Mapping):
        why = reasons.get(f"version_change.{measure}") or (
            "no trades with a usable stop in one of them" if r_multiple else "no value"
        )
        text = Markup("{} and {} cannot be compared on {} yet: {}.").format(
            _capitalised(latest), previous, "R per trade" if r_multiple else "P&L", why
        )
        return Verdict(title, "na", text, "")
    unit = "R per trade" if r_multiple else "per closed trade"
    show = _r if r_multiple else _usd
    d = fmt.dec(x.get("difference"))
    if d is None:
        claim = Markup("{} against {}, {}").format(latest, previous, unit)
    elif d == 0:
        claim = Markup("{} earns as much {} as {}").format(latest, unit, previous)
    else:
        amount = show(abs(d)) + (" R" if r_multiple else "")
        more = "more" if d > 0 else "less"
        per = "per trade" if r_multiple else "per closed trade"
        claim = Markup("{} earns {} {} {} than {}").format(latest, amount, more, per, previous)
    lo, hi = fmt.dec(x.get("low")), fmt.dec(x.get("high"))
    if lo is not None and hi is not None:
        suffix = " R" if r_multiple else ""
        interval = f" (95% interval {show(lo, signed=True)} to {show(hi, signed=True)}{suffix})"
    else:
        interval = " (no 95% interval yet: too few trades, or no spread, in one of them)"
    state = str(x.get("verdict") or "not_yet_clear")
    word = _WORDS.get(state, "not yet clear")
    ending = word
    if state not in ("better", "worse"):
        more_needed = x.get("more_trades_needed")
        trades = "trades with a stop" if r_multiple else "trades"
        if isinstance(more_needed, int) and not isinstance(more_needed, bool) and more_needed > 0:
            ending += (
                f" — about {more_needed:,} more {trades} per version at the current spread "
                "would tell"
            )
    text = Markup("{}{}: {}.").format(_capitalised(claim), interval, ending)
    n_prev, n_last = x.get("n_previous"), x.get("n_latest")
    basis = ""
    if isinstance(n_prev, int) and isinstance(n_last, int):
        what = "trades with a stop" if r_multiple else "closed trades"
        basis = f"{n_last:,} {what} of the latest version against {n_prev:,} of the one before"
    return Verdict(title, _CLS.get(state, "unclear"), text, basis)


def _capitalised(text: Markup) -> Markup:
    """``text`` with its first letter in upper case (it starts with our own words)."""
    return Markup(text[:1].upper()) + Markup(text[1:]) if text else text


def compare_page(everything: Mapping[str, Any] | None) -> ComparePage:
    """The compare page of the all-time summary (None: no logs yet)."""
    layout = Layout("Compare", "", "compare")
    summary = everything or {}
    closed_n = summary.get("trades_closed") or 0
    empty = not closed_n
    versions_rows = _rows(summary, "by_version")
    overall = _float(summary.get("win_rate"))
    versions = None
    if "by_version" in summary:
        versions = side(versions_rows, "version", overall, days=True)
    reasons = summary.get("undefined_reasons") or {}
    change = summary.get("version_change")
    verdicts: tuple[Verdict, ...] = ()
    latest = previous = Markup("")
    note = ""
    if isinstance(change, Mapping):
        latest, previous = log_html(change.get("latest")), log_html(change.get("previous"))
        found = (verdict(change, m, reasons) for m in ("expectancy", "avg_r_multiple"))
        verdicts = tuple(v for v in found if v is not None)
    elif empty:
        note = "No closed trades yet: nothing to compare."
    elif len(versions_rows) == 1:
        note = (
            "One version so far: the comparison starts when the bot's version "
            "(bot_version · config_hash) changes."
        )
    elif "by_version" not in summary:
        note = "These summaries do not break the trades down by version."
    else:
        note = str(reasons.get("version_change") or "No two versions to compare.")
    book_rows = _rows(summary, "by_mode")
    books = None
    if len(book_rows) > 1:
        ordered = sorted(book_rows, key=lambda r: str(r.get("key", "")))
        books = side(ordered, "book", overall, days=False)
    return ComparePage(
        layout=layout,
        empty=empty,
        closed=f"{closed_n:,}" if isinstance(closed_n, int) else str(closed_n),
        dates=f"{summary['start']} to {summary['end']}" if summary.get("start") else "",
        versions=versions,
        versions_note=note,
        verdicts=verdicts,
        latest=latest,
        previous=previous,
        books=books,
        book_names=tuple(log_html(r.get("key", "")) for r in book_rows),
    )
