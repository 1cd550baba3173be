"""Pieces shared by every page's context: links, formatted values, metric groups,
targets, alert items, breakdown tables. Pure: a summary dict in, small frozen values
out. Templates only lay these out; text from the logs comes as text.log_html made it
(escaped, in ``<bdi>``), everything else as plain ``str`` that Jinja2 escapes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

import sitegen.site.fmt as fmt
from sitegen.figures import WINDOW_NAMES, figure, target_figures
from sitegen.incidents import grouped, run_start
from sitegen.metrics import SMALL_SAMPLE
from sitegen.registry import BY_FIELD, PAGE_GROUPS, TRADE_BY_TRADE, Kind
from sitegen.site.paths import key_path, page_path
from sitegen.site.returns import return_note
from sitegen.site.text import log_html


def definition_anchor(field: str) -> str | None:
    return field if field in BY_FIELD else None


# --- small values ------------------------------------------------------------------


@dataclass(frozen=True)
class BooksNotice:
    """The notice every page shows when the report adds more than one book (execution
    mode) together: the books by name, each with its closed trades in ``scope`` when the
    page's summary counts them, and the way to the compare page."""

    books: tuple[tuple[Markup, str], ...]  # (name from the logs, "1,204" or "")
    more: int  # books not listed
    scope: str  # "this day", "this week", "this month", "in all"
    href: str  # compare.html, relative to the page


@dataclass(frozen=True)
class Layout:
    """What base.html needs: the page title, the way back to the root, the nav item,
    and the mixed-books notice (None: one book)."""

    title: str
    root: str
    section: str  # home | archive | compare | alerts | definitions | period
    books: BooksNotice | None = None


@dataclass(frozen=True)
class Link:
    href: str
    label: str


@dataclass(frozen=True)
class Cell:
    """A formatted value: its text, a CSS class (pos, neg, na, ...), and for an
    undefined metric the reason it is undefined."""

    text: str
    cls: str = ""
    reason: str | None = None
    href: str | None = None
    note: str | None = None  # small text after the value, e.g. the date of the best day


def na(reason: str | None) -> Cell:
    return Cell("n/a", "na", reason or "undefined")


# --- metrics -----------------------------------------------------------------------


@dataclass(frozen=True)
class MetricRow:
    label: str
    anchor: str | None  # id on definitions.html
    value: Cell


@dataclass(frozen=True)
class MetricGroup:
    title: str
    rows: tuple[MetricRow, ...]


def metric_cell(summary: Mapping[str, Any], field: str, root: str = "") -> Cell:
    """One metric of a summary, formatted as its kind and sign in the registry say; n/a
    with its reason when null. A best or worst day links to its page."""
    shown = figure(summary, field)
    if shown.reason is not None:
        return na(shown.reason)
    href = None
    if BY_FIELD[field].kind is Kind.DAY and shown.note and summary.get("window") != "daily":
        href = f"{root}daily/{shown.note}.html"
    return Cell(shown.text, shown.tone, href=href, note=shown.note)


def metric_groups(summary: Mapping[str, Any], root: str) -> tuple[MetricGroup, ...]:
    # the returns (their own table) only where the summary has them: with starting_equity
    shown = [
        (title, [m for m in rows if not m.returns or m.field in summary])
        for title, rows in PAGE_GROUPS
    ]
    return tuple(
        MetricGroup(
            title,
            tuple(MetricRow(m.label, m.field, _with_return(summary, m.field, root)) for m in rows),
        )
        for title, rows in shown
        if rows
    )


def _with_return(summary: Mapping[str, Any], field: str, root: str) -> Cell:
    """A metric's cell, with the return beside its dollars where the summary has one."""
    cell = metric_cell(summary, field, root)
    note = return_note(summary, field)
    return cell if note is None else dataclasses.replace(cell, note=note)


# The headline cards above the tables.
HEADLINE = ("net_pnl", "win_rate", "profit_factor", "expectancy", "max_drawdown", "trades_total")


@dataclass(frozen=True)
class Card:
    label: str
    anchor: str | None
    value: Cell
    detail: str = ""


def card(summary: Mapping[str, Any], field: str, detail: str = "", *, label: str = "") -> Card:
    """One metric as a card; ``label`` stands in for the registry's where a card has
    room for less (its detail line says the rest)."""
    if (note := return_note(summary, field)) is not None:  # with starting_equity
        detail = f"{note} · {detail}" if detail else note
    return Card(label or BY_FIELD[field].label, field, metric_cell(summary, field), detail)


def headline(summary: Mapping[str, Any]) -> tuple[Card, ...]:
    cards = []
    for field in HEADLINE:
        detail = ""
        if field == "win_rate":
            detail = f"{summary['wins']}W · {summary['losses']}L · {summary['breakevens']}B"
        elif field == "trades_total":
            detail = f"{summary['trades_closed']} closed · {summary['trades_open']} open"
        elif field == "max_drawdown":
            cards.append(max_drawdown_card(summary))
            continue
        elif field == "expectancy":
            detail = "per closed trade"
        cards.append(card(summary, field, detail))
    return tuple(cards)


def max_drawdown_card(summary: Mapping[str, Any]) -> Card:
    """The trade-by-trade max drawdown: a card has room for "Max drawdown", so its
    detail line names the curve (the end-of-day drawdowns are another figure)."""
    n = summary.get("max_drawdown_duration_trades", 0)
    return card(
        summary,
        "max_drawdown",
        f"{TRADE_BY_TRADE}, {n:,} trade{'s' if n != 1 else ''} under water",
        label="Max drawdown",
    )


# --- targets -----------------------------------------------------------------------


@dataclass(frozen=True)
class TargetRow:
    label: str
    anchor: str | None
    actual: Cell
    target: str
    variance: Cell
    status: str  # Met | Not met | n/a
    status_cls: str  # met | missed | na
    gap: str  # "by 0.42" for a missed target, else ""


def target_rows(summary: Mapping[str, Any]) -> tuple[TargetRow, ...]:
    """Each configured target with its actual value, variance and status in words."""
    rows = []
    for t in target_figures(summary):
        if t.met is None:
            actual, variance = na(t.actual.reason), Cell(t.variance.text)
        else:
            actual, variance = Cell(t.actual.text), Cell(t.variance.text, t.variance.tone)
        rows.append(
            TargetRow(
                label=t.label,
                anchor=definition_anchor(t.metric),
                actual=actual,
                target=t.target,
                variance=variance,
                status=t.status,
                status_cls="na" if t.met is None else "met" if t.met else "missed",
                gap=t.gap,
            )
        )
    return tuple(rows)


def targets_met(summary: Mapping[str, Any]) -> tuple[int, int]:
    """(targets met, targets with a value)."""
    entries = [e for e in (summary.get("targets") or {}).values() if e.get("met") is not None]
    return sum(1 for e in entries if e["met"]), len(entries)


# --- alerts ------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertItem:
    id: str
    severity: str
    severity_cls: str  # sev-critical | sev-warn
    rule: str
    metric: str
    metric_anchor: str | None
    actual: str
    target: str
    window: str
    period: str
    href: str | None  # the period's page, when it has one
    raised_at: str
    acknowledged_at: Markup | None  # as read back from the alert log
    context: Markup


def _context_html(context: Any) -> Markup:
    """The rule's numbers as they are; its words may quote the logs (a symbol)."""
    if not isinstance(context, Mapping):
        return Markup("") if context is None else log_html(json.dumps(context, ensure_ascii=False))
    parts = []
    for key, value in context.items():
        shown = log_html(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        parts.append(Markup("{}={}").format(key, shown))
    return Markup(", ").join(parts)


def _plain_number(value: Any) -> str:
    number = fmt.dec(value)
    if number is None:
        return "n/a" if value is None else str(value)
    text = format(number.normalize(), "f") if number else "0"
    return text


def alert_item(
    event: Mapping[str, Any], root: str, pages: frozenset[str] = frozenset()
) -> AlertItem:
    """An alert event ready for a page; ``pages`` are the site paths that exist, to
    link the event to its period's page."""
    severity = str(event.get("severity", "WARN"))
    window, period = str(event.get("window", "")), str(event.get("period", ""))
    path = page_path(window, period) if window in WINDOW_NAMES else None
    metric = str(event.get("metric", ""))
    return AlertItem(
        id=str(event.get("id", "")),
        severity=severity,
        severity_cls="sev-critical" if severity == "CRITICAL" else "sev-warn",
        rule=str(event.get("rule", "")),
        metric=metric,
        metric_anchor=definition_anchor(metric),
        actual=_plain_number(event.get("actual")),
        target=_plain_number(event.get("target")),
        window=window,
        period=period,
        href=root + path if path and path in pages else None,
        raised_at=str(event.get("raised_at", "")),
        acknowledged_at=None
        if event.get("acknowledged_at") is None
        else log_html(event["acknowledged_at"]),
        context=_context_html(event.get("context")),
    )


# --- incidents ---------------------------------------------------------------------

#: the incidents a banner lists (then "and N more", linking to the alerts page)
BANNER_INCIDENTS = 5
_UNITS = {"daily": ("day", "days"), "weekly": ("week", "weeks"), "monthly": ("month", "months")}


@dataclass(frozen=True)
class IncidentItem:
    """An incident (sitegen/incidents.py) ready for a page: its events, or on a period
    page those of its events in that period."""

    id: str  # the id of the whole incident (its first event's): what `sitegen ack` takes
    anchor: str  # its row on alerts.html
    rule: str
    window: str
    severity: str
    severity_cls: str  # sev-critical | sev-warn
    since: Link  # the first period shown (href "" when it has no page)
    latest: Link  # the last period shown
    started: str  # the incident's first period when before ``since`` (a period page), else ""
    periods: str  # "12 days"
    worst: str
    target: str  # the target of the worst value's event
    acknowledged: bool
    events: tuple[AlertItem, ...]  # the most recent first


def incident_anchor(incident_id: str) -> str:
    """The id of an incident's row on alerts.html: the incident id itself when it is
    plain (a rule name of letters, digits and ``_.-``), else a digest of it."""
    if re.fullmatch(r"[A-Za-z0-9_.:-]+", incident_id):
        return incident_id
    return "incident-" + hashlib.sha256(incident_id.encode("utf-8", "replace")).hexdigest()[:16]


def _period_link(window: str, period: str, root: str, pages: frozenset[str] | None) -> Link:
    """A period's label, linked to its page when the site has one (every period of
    ``pages``, or any with None)."""
    path = page_path(window, period) if window in _UNITS else None
    known = path is not None and (pages is None or path in pages)
    return Link(root + path if known and path else "", period)


def incident_items(
    events: Iterable[Mapping[str, Any]], root: str, pages: frozenset[str] | None = None
) -> tuple[IncidentItem, ...]:
    """The incidents ``events`` form, open ones first, then the most severe, then the
    most recent (sitegen/incidents.py). ``pages``: the period pages that exist, to link
    periods to (None: every period has one)."""
    out = []
    for incident, members in grouped(events):
        first = members[0]
        started = run_start(first)
        whole_id = str(incident["id"])
        if started < incident["since"]:  # a period page shows part of the incident
            whole_id = f"{incident['rule']}:{incident['window']}:{started}"
        worst_event = next(
            (e for e in members if e.get("actual") == incident["worst"]), members[-1]
        )
        one, many = _UNITS.get(incident["window"], ("period", "periods"))
        n = incident["periods"]
        window = incident["window"]
        out.append(
            IncidentItem(
                id=whole_id,
                anchor=incident_anchor(whole_id),
                rule=incident["rule"],
                window=window,
                severity=incident["severity"],
                severity_cls="sev-critical" if incident["severity"] == "CRITICAL" else "sev-warn",
                since=_period_link(window, incident["since"], root, pages),
                latest=_period_link(window, incident["latest"], root, pages),
                started=started if started < incident["since"] else "",
                periods=f"{n:,} {one if n == 1 else many}",
                worst=_plain_number(incident["worst"]),
                target=_plain_number(worst_event.get("target")),
                acknowledged=incident["acknowledged"],
                events=tuple(
                    alert_item(e, root, pages if pages is not None else frozenset())
                    for e in reversed(members)
                ),
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class Banner:
    """The alert banner of a period page: its incidents, coloured by the worst open
    severity; at most BANNER_INCIDENTS of them, then how many more."""

    cls: str  # sev-critical | sev-warn | sev-acked
    headline: str
    items: tuple[IncidentItem, ...]
    more: int  # incidents not listed (the alerts page lists them)


def banner(events: Sequence[Mapping[str, Any]], root: str) -> Banner | None:
    """A period page's banner: the incidents its alerts (its own, and those of shorter
    periods inside it) belong to, each as much of it as lies in the period. It depends
    on these alerts only, so a page is rendered again exactly when they change."""
    if not events:
        return None
    items = incident_items(events, root)
    open_items = [i for i in items if not i.acknowledged]
    n = len(items)
    text = f"{n} incident{'s' if n != 1 else ''} in this period"
    if open_items:
        cls = open_items[0].severity_cls
        critical = sum(1 for i in open_items if i.severity == "CRITICAL")
        text += f": {len(open_items)} open"
        if critical:
            text += f", {critical} CRITICAL"
    else:
        cls = "sev-acked"
        text += ", all acknowledged"
    return Banner(cls, text, items[:BANNER_INCIDENTS], max(0, n - BANNER_INCIDENTS))


# --- breakdowns --------------------------------------------------------------------


@dataclass(frozen=True)
class BreakdownRow:
    key: Markup  # a symbol or strategy: text from the logs
    closed: str
    small: bool  # fewer than SMALL_SAMPLE closed trades: shown muted, marked
    wins: str
    win_rate: Cell  # with its 95% interval as the note
    net: Cell
    expectancy: Cell  # with its 95% interval as the note
    href: str | None = None  # the key's own page (a symbol's or strategy's)


def breakdown(
    rows: Iterable[Mapping[str, Any]], root: str = "", kind: str | None = None
) -> tuple[BreakdownRow, ...]:
    """The rows of a by-symbol or by-strategy table; with ``kind`` (symbol, strategy)
    each key links to its page."""
    out = []
    for r in rows:
        expectancy = fmt.rounded(r.get("expectancy"), signed=True)
        out.append(
            BreakdownRow(
                key=log_html(r["key"]),
                closed=f"{r['trades_closed']:,}",
                small=r["trades_closed"] < SMALL_SAMPLE,
                wins=f"{r['wins']:,}",
                win_rate=Cell(
                    fmt.percent(r.get("win_rate")),
                    note=fmt.rate_interval(r.get("win_rate_low"), r.get("win_rate_high")) or None,
                ),
                net=Cell(fmt.money(r["net_pnl"], signed=True), fmt.tone(r["net_pnl"])),
                expectancy=Cell(
                    expectancy,
                    fmt.tone(expectancy.replace(",", "")),
                    note=fmt.money_interval(r.get("expectancy_low"), r.get("expectancy_high"))
                    or None,
                ),
                href=None if kind is None else root + key_path(kind, str(r["key"])),
            )
        )
    return tuple(out)
