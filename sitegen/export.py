"""JSON and Markdown artifacts for one window summary, and schema validation.

Everything here is pure: values in, bytes or text out. The one writer elsewhere
puts the results on disk. Output is deterministic: the same summary dict gives the
same bytes, so an unchanged artifact is never rewritten.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from importlib import resources
from typing import TYPE_CHECKING, Any

import msgspec

from sitegen.depth import BREAKDOWN_TITLES, R_LABELS, key_label
from sitegen.errors import BuildError
from sitegen.metrics import SMALL_SAMPLE
from sitegen.partials import EXACT  # wide enough for any summary value
from sitegen.registry import BY_FIELD, GRID, LISTED, Column, Kind
from sitegen.versions import change_words

if TYPE_CHECKING:  # jsonschema is imported when a validation first runs: it is slow to load
    from jsonschema import Draft202012Validator, ValidationError

SUMMARY_SCHEMA = "performance-summary.schema.json"
ALERT_SCHEMA = "performance-alert.schema.json"

# How many schema errors one BuildError lists; the rest are counted.
_MAX_ERRORS = 5
# A long instance repr in a schema message (a whole row, say) is cut to this length.
_MAX_MESSAGE = 300


# --- JSON ----------------------------------------------------------------------------


def artifact_name(window: str, period: str) -> str:
    """A summary's file name without extension: ``daily-summary-2025-10-10``,
    ``all-summary``; the artifacts folder and the site's ``data/`` copies use it."""
    return "all-summary" if window == "all" else f"{window}-summary-{period}"


def summary_json(summary: dict) -> bytes:
    """The summary as UTF-8 JSON, 2-space indented, ending with one newline.

    Keys keep the order the engine built them in (never sorted), so the bytes
    follow docs/summary-format.md and are identical for identical input. (The same
    bytes as ``json.dumps(summary, indent=2, ensure_ascii=False)``, made by msgspec:
    the stdlib's encoder is pure Python when it indents.)
    """
    return msgspec.json.format(msgspec.json.encode(summary), indent=2) + b"\n"


# --- validation ----------------------------------------------------------------------


@functools.cache
def _validator(schema_name: str) -> Draft202012Validator:
    """Load a shipped schema once per process (from the installed package, not the CWD)."""
    from jsonschema import Draft202012Validator

    text = resources.files("sitegen.schemas").joinpath(schema_name).read_text(encoding="utf-8")
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _message(error: ValidationError) -> str:
    # A "not" failure says nothing useful by default; the schemas put the reason
    # in the forbidden subschema's description.
    forbidden = error.validator_value
    if error.validator == "not" and isinstance(forbidden, dict) and "description" in forbidden:
        return f"{error.instance!r} is not allowed: {forbidden['description']}"
    return error.message


def _validate(instance: Any, schema_name: str, what: str) -> None:
    errors = sorted(
        _validator(schema_name).iter_errors(instance),
        key=lambda e: (e.json_path, e.message),
    )
    if not errors:
        return
    lines = []
    for error in errors[:_MAX_ERRORS]:
        message = _message(error)
        if len(message) > _MAX_MESSAGE:
            message = message[: _MAX_MESSAGE - 3] + "..."
        lines.append(f"  at {error.json_path}: {message}")
    if len(errors) > _MAX_ERRORS:
        lines.append(f"  ... and {len(errors) - _MAX_ERRORS} more")
    raise BuildError(f"{what} does not match {schema_name}:\n" + "\n".join(lines))


def validate_summary(summary: dict) -> None:
    """Raise BuildError naming each failing path if the summary breaks its schema."""
    label = "summary"
    if isinstance(summary, Mapping):
        label = f"summary {summary.get('window')!s} {summary.get('period')!s}"
    _validate(summary, SUMMARY_SCHEMA, label)


def validate_alert(event: dict) -> None:
    """Raise BuildError naming each failing path if the alert event breaks its schema."""
    label = "alert event"
    if isinstance(event, Mapping):
        label = f"alert event {event.get('id')!s}"
    _validate(event, ALERT_SCHEMA, label)


# --- text from the logs, wherever it is shown -----------------------------------------

#: a log value longer than this is shown cut to this many characters, with its length;
#: only the JSON carries it whole (a 50 MB symbol must not become gigabytes of pages)
SHOWN_CHARS = 200

# Tab and line breaks are whitespace to every reader: a space keeps their meaning and
# cannot end a Markdown table row or a terminal line. Every other control character
# has no visible meaning and can hide or rewrite text (NUL, a terminal's ESC
# sequences), so it shows as U+FFFD.
_BREAKS = "\t\n\r\u2028\u2029"
_CONTROL_CODES = [*range(0x00, 0x20), *range(0x7F, 0xA0)]
CONTROLS = {c: "\ufffd" for c in _CONTROL_CODES} | {ord(c): " " for c in _BREAKS}
# A page isolates log text in <bdi>, so there the bidirectional embeddings, overrides
# and isolates stay (right-to-left names need them) and cannot reach past the value.
# Markdown and a terminal have no such isolation: one U+202E would reverse the rest
# of its line, so they show these as U+FFFD too.
_BIDI_CONTROLS = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
CONTROLS_AND_BIDI = CONTROLS | {c: "\ufffd" for c in _BIDI_CONTROLS}


def shorten(text: str) -> tuple[str, str]:
    """What is shown of a log value, and a note of its length when it is cut:
    ``(text, "")`` up to SHOWN_CHARS characters, else the first SHOWN_CHARS and
    ``"… (50,000 characters)"``."""
    if len(text) <= SHOWN_CHARS:
        return text, ""
    return text[:SHOWN_CHARS], f"… ({len(text):,} characters)"


# --- Markdown ------------------------------------------------------------------------

# Log text is escaped, not put in a code span. An escaped value reads as itself in
# every renderer and in the raw file, and holds no raw "<" at all; a code span would
# keep "<script>" raw in the file, cannot hold a table's "|" in every renderer
# (Python-Markdown shows "\|" inside code) and makes every name monospace. Each
# character that starts a link, an image, HTML, emphasis, strikethrough, code, an
# attribute list or a table cell is backslash-escaped where CommonMark and
# Python-Markdown both honour that escape, and written as a character reference where
# one of them does not ("<", ">", "&", "~"): references are literal text, never
# syntax.
_MD_TEXT = CONTROLS_AND_BIDI | {ord(c): "\\" + c for c in "\\`*_{}[]()!|"}
_MD_TEXT |= {ord("<"): "&lt;", ord(">"): "&gt;", ord("&"): "&amp;", ord("~"): "&#126;"}
# GitHub-flavoured renderers also link bare "http://x", "www.x" and e-mail addresses.
# The first two are found in the raw text, so a reference for the ":" of "://" or an
# escaped "." after "www" stops them. Addresses are found after escapes are decoded,
# so only a code span keeps one from being linked: each run of "@" is shown as `@`.
_AUTOLINK = re.compile(r":(?=//)|(?<=www)\.|@+", re.IGNORECASE)
# First on a line (a list item's text) these would begin a heading, a list or an
# indented code block.
_LINE_START = re.compile(r"[#+-]|\d+(?=\.)|[ ]+")


def plain_text(value: object) -> str:
    """A log value as a terminal or a log line shows it: cut when long (with its
    length), control and bidi characters as U+FFFD, so it cannot drive the terminal."""
    head, more = shorten(str(value))
    return head.translate(CONTROLS_AND_BIDI) + more


def _unlink(match: re.Match[str]) -> str:
    found = match.group()
    if found == ":":
        return "&#58;"
    return "\\." if found == "." else f"`{found}`"


def md_text(value: object) -> str:
    """Text from the logs (a symbol, a strategy, a side, a file name, a skipped line's
    reason, an order id, an alert's context) made inert in Markdown: no link, image,
    HTML, emphasis, code or table cell can come from it in any renderer, it stays on
    one line, and it may stand anywhere inline, even first in a list item. A value
    longer than SHOWN_CHARS is cut, with its length."""
    text, more = shorten(str(value))
    if "\r\n" in text:  # one line break, one space
        text = text.replace("\r\n", "\n")
    text = _AUTOLINK.sub(_unlink, text.translate(_MD_TEXT))
    start = _LINE_START.match(text)
    if start is not None:
        found = start.group()
        if found[0] == " ":
            found = "&#32;" * len(found)
        elif found[0].isdigit():
            found += "\\"
        else:
            found = "\\" + found
        text = found + text[start.end() :]
    return text + more


#: breakdowns whose keys sitegen makes (an hour, a weekday, a hold-time bucket); the keys
#: of every other breakdown (symbol, strategy, side, ...) are text from the logs
MADE_KEYS = frozenset({"entry_hour", "entry_weekday", "hold_time"})


def keys_from_logs(breakdown: str) -> bool:
    """Whether the keys of a breakdown are text from the logs (shown as such)."""
    return breakdown not in MADE_KEYS


def md_escape(text: str) -> str:
    """Text sitegen makes (numbers, dates, periods, reasons, names from the config) as
    a Markdown table cell or list item: it cannot split a cell, break a row or hold
    raw HTML. Text from the logs goes through md_text.

    Backslash and ``|`` are backslash-escaped, CR/LF become a space, and ``&``,
    ``<``, ``>`` become HTML entities.
    """
    text = str(text)
    text = text.replace("\\", "\\\\")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("|", "\\|")
    return text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


_TITLES = {"daily": "Daily", "weekly": "Weekly", "monthly": "Monthly", "all": "All-time"}


def _percent(rate: str) -> str:
    """'0.666667' -> '66.67%' (half-even, 2 places)."""
    try:
        value = Decimal(rate).scaleb(2, EXACT)
        value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN, context=EXACT)
    except (InvalidOperation, TypeError):
        return md_escape(str(rate))
    return f"{value}%"


def _na(field: str, reasons: Mapping[str, str]) -> str:
    reason = reasons.get(field)
    return f"n/a ({md_escape(reason)})" if reason else "n/a"


def _streak(streak: Mapping[str, Any]) -> str:
    kind, count = streak.get("type"), streak.get("count", 0)
    if kind == "win":
        return f"{count} win" if count == 1 else f"{count} wins"
    if kind == "loss":
        return f"{count} loss" if count == 1 else f"{count} losses"
    return "none"


def _metric_value(summary: Mapping[str, Any], field: str) -> str:
    value = summary.get(field)
    reasons = summary.get("undefined_reasons") or {}
    kind = BY_FIELD[field].kind
    if kind is Kind.STREAK:
        return _streak(value or {})
    if value is None:
        return _na(field, reasons)
    if kind is Kind.RATE:
        return _percent(value)
    if kind is Kind.DAY:
        date = summary.get(f"{field}_date")
        return f"{md_escape(str(value))} ({md_escape(date)})" if date else md_escape(str(value))
    return md_escape(str(value))


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    """A GitHub-style table; cells must already be escaped."""
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def _or_na(value: Any) -> str:
    return "n/a" if value is None else md_escape(str(value))


def _log_or_na(value: Any) -> str:
    return "n/a" if value is None else md_text(value)


def _overview(s: Mapping[str, Any]) -> list[str]:
    lines = [
        "## Overview",
        "",
        f"- Period: {md_escape(s['period'])} ({md_escape(s['window'])})",
        f"- Dates: {md_escape(s['start'])} to {md_escape(s['end'])}",
        f"- Time zone: {md_escape(s['timezone'])}",
    ]
    if s.get("partial"):
        missing = s.get("missing_days") or []
        detail = ", ".join(md_escape(d) for d in missing) if missing else "none"
        lines.append(f"- Partial: yes (missing days or skipped lines). Missing days: {detail}")
    else:
        lines.append("- Partial: no")
    if s.get("small_sample"):
        lines.append(
            f"- Small sample: {s['trades_closed']} closed trades (fewer than 30); "
            "read the ratios with care"
        )
    if s.get("note"):
        lines.append(f"- Note: {md_escape(s['note'])}")
    return lines


def _metrics(s: Mapping[str, Any]) -> list[str]:
    rows = [
        (m.md_label, _beside(s, m.field, _metric_value(s, m.field)))
        for m in LISTED
        if not m.returns or m.field in s  # returns: only with starting_equity
    ]
    return ["## Metrics", "", *_table(("Metric", "Value"), rows)]


#: dollars -> the return shown beside them, when the summary has returns
RETURN_BESIDE = {
    "net_pnl": ("total_return", "total return"),
    "max_drawdown": ("max_drawdown_relative", "relative, end of day"),
}


def _beside(s: Mapping[str, Any], field: str, text: str) -> str:
    """A dollar figure with its return beside it ('1234.50 (1.23% total return)'), where
    the summary has returns and that one is defined."""
    other, words = RETURN_BESIDE.get(field, ("", ""))
    if s.get(other) is None:
        return text
    return f"{text} ({_percent(s[other])} {words})"


def _targets(s: Mapping[str, Any]) -> list[str]:
    targets = s.get("targets") or {}
    if not targets:
        return ["## Targets", "", "No targets configured."]
    rows = []
    for key, entry in targets.items():
        met = entry.get("met")
        rows.append(
            (
                f"{md_escape(key)} ({md_escape(entry.get('metric', ''))})",
                _or_na(entry.get("actual")),
                _or_na(entry.get("target")),
                _or_na(entry.get("variance")),
                "n/a" if met is None else ("yes" if met else "no"),
            )
        )
    return ["## Targets", "", *_table(("Target", "Actual", "Target", "Variance", "Met"), rows)]


def _context_text(context: Any) -> str:
    if not isinstance(context, Mapping):
        return md_text(json.dumps(context, ensure_ascii=False))
    parts = []
    for key, value in context.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        parts.append(f"{md_escape(key)}={md_text(shown)}")
    return ", ".join(parts)


def _alerts(s: Mapping[str, Any]) -> list[str]:
    alerts = s.get("alerts") or []
    if not alerts:
        return ["## Alerts", "", "No alerts."]
    rows = [
        tuple(
            _or_na(a.get(field))
            for field in ("severity", "rule", "metric", "actual", "target", "id")
        )
        for a in alerts
    ]
    header = ("Severity", "Rule", "Metric", "Actual", "Target", "Id")
    lines = ["## Alerts", "", *_table(header, rows), ""]
    for a in alerts:
        acked = a.get("acknowledged_at")
        status = f"acknowledged {md_text(acked)}" if acked else "not acknowledged"
        detail = f"- {_or_na(a.get('id'))}: raised {_or_na(a.get('raised_at'))}, {status}"
        if a.get("context"):
            detail += f"; context: {_context_text(a['context'])}"
        lines.append(detail)
    return lines


# A breakdown row with fewer than SMALL_SAMPLE closed trades is marked, like a window.
SMALL_MARK = "\\*"  # a literal "*" in Markdown
SMALL_NOTE = f"{SMALL_MARK} fewer than {SMALL_SAMPLE} closed trades: read with care."
INTERVALS_NOTE = (
    "Brackets hold 95% intervals: Wilson for the win rate (in %), mean ± t · s / √n for "
    "the expectancy; a row with fewer than 2 closed trades, or with the same P&L on "
    "each, has none for its expectancy."
)


def _small(row: Mapping[str, Any]) -> bool:
    n = row.get("trades_closed")
    return isinstance(n, int) and n < SMALL_SAMPLE


def _closed(row: Mapping[str, Any]) -> str:
    """A row's closed trades, marked when they are a small sample."""
    return f"{row['trades_closed']}{SMALL_MARK if _small(row) else ''}"


def _bound(value: Any, places: str, scale: int = 1) -> str:
    """An interval bound, rounded half-even for reading: '49.1' for a rate's 0.491042."""
    try:
        shown = (Decimal(value) * scale).quantize(Decimal(places), rounding=ROUND_HALF_EVEN)
    except (InvalidOperation, TypeError):
        return md_escape(str(value))
    return md_escape(str(shown if shown else shown.copy_abs()))


def _interval(row: Mapping[str, Any], field: str) -> str | None:
    """A row's 95% interval of ``field``: '49.1–60.3' for the win rate (in %),
    '-5.12 to 31.12' for the expectancy (whose bounds may be negative); None when the
    row has none."""
    low, high = row.get(f"{field}_low"), row.get(f"{field}_high")
    if low is None or high is None:
        return None
    if field == "win_rate":
        return f"{_bound(low, '0.1', 100)}–{_bound(high, '0.1', 100)}"
    return f"{_bound(low, '0.01')} to {_bound(high, '0.01')}"


def _with_interval(shown: str, row: Mapping[str, Any], field: str) -> str:
    interval = _interval(row, field)
    return shown if interval is None else f"{shown} ({interval})"


def _with_notes(lines: list[str], rows: list[Mapping[str, Any]]) -> list[str]:
    return [*lines, "", SMALL_NOTE] if any(map(_small, rows)) else lines


def _breakdown_table(title: str, rows: list[Mapping[str, Any]]) -> list[str]:
    if not rows:
        return [f"### {title}", "", "No closed trades."]
    cells = [
        (
            md_text(r["key"]),
            _closed(r),
            str(r["wins"]),
            _with_interval(
                _percent(r["win_rate"]) if r.get("win_rate") is not None else "n/a",
                r,
                "win_rate",
            ),
            md_escape(str(r["net_pnl"])),
            _interval(r, "expectancy") or _na("expectancy_low", r.get("undefined_reasons") or {}),
        )
        for r in rows
    ]
    header = ("Key", "Closed", "Wins", "Win rate", "Net P&L", "Expectancy 95%")
    return _with_notes([f"### {title}", "", *_table(header, cells)], rows)


def _cell_value(row: Mapping[str, Any], column: Column) -> str:
    value = row.get(column.field)
    if column.field == "trades_closed":
        return _closed(row)
    if value is None:
        return _na(column.field, row.get("undefined_reasons") or {})
    shown = _percent(value) if column.metric.kind is Kind.RATE else md_escape(str(value))
    if column.field in ("win_rate", "expectancy"):
        return _with_interval(shown, row, column.field)
    return shown


def _grid_table(name: str, rows: list[Mapping[str, Any]], timezone: str) -> list[str]:
    title = BREAKDOWN_TITLES.get(name, name)
    heading = f"### By {title[0].lower()}{title[1:]}"
    if name in ("entry_hour", "entry_weekday"):
        heading += f" ({md_escape(timezone)})"
    if not rows:
        return [heading, "", "No closed trades."]
    cells = [
        (
            md_text(r["key"])
            if keys_from_logs(name)
            else md_escape(key_label(name, str(r["key"]))),
            *(_cell_value(r, column) for column in GRID),
        )
        for r in rows
    ]
    header = (title, *(column.label for column in GRID))
    return _with_notes([heading, "", *_table(header, cells)], rows)


def _breakdown(s: Mapping[str, Any]) -> list[str]:
    lines = ["## Breakdown", ""]
    grid = s.get("breakdowns")
    if grid is None:  # a daily summary: symbol and strategy only
        lines += [INTERVALS_NOTE, ""]
        lines += _breakdown_table("By symbol", s.get("by_symbol") or [])
        lines += ["", *_breakdown_table("By strategy", s.get("by_strategy") or [])]
    else:
        lines.append(
            "Closed trades only. Entry hour and weekday are local to the time zone named; "
            "hold time buckets include their lower bound. " + INTERVALS_NOTE
        )
        for name, rows in grid.items():
            lines += ["", *_grid_table(name, rows or [], str(s.get("timezone", "")))]
    modes = s.get("by_mode") or []
    if len(modes) > 1:  # the window mixes books: each on its own
        lines += ["", *_breakdown_table("By mode", modes)]
        lines += [
            "",
            "This window mixes books (execution modes): its totals add up paper and live "
            "trades; each book's own figures are in this table.",
        ]
    daily = s.get("daily_pnl")
    if daily is not None:
        rows = [(md_escape(d), md_escape(str(v))) for d, v in daily.items()]
        lines += ["", "### Daily P&L", ""]
        lines += _table(("Date", "P&L"), rows) if rows else ["No trading days."]
    return lines


def _version_value(row: Mapping[str, Any], field: str) -> str:
    value = row.get(field)
    if value is None:
        return _na(field, row.get("undefined_reasons") or {})
    return md_escape(str(value))


def _versions(s: Mapping[str, Any]) -> list[str]:
    """The By version table (weekly, monthly and all summaries) and, in the all
    summary, the version change in plain words."""
    rows = s.get("by_version")
    if rows is None:  # a daily summary
        return []
    lines = ["## Versions", ""]
    if not rows:
        lines.append("No closed trades.")
    else:
        lines += [
            "Versions (bot_version · config_hash) in order of first appearance. " + INTERVALS_NOTE,
            "",
        ]
        cells = [
            (
                md_text(r["key"]),
                md_escape(str(r["first_day"])),
                md_escape(str(r["last_day"])),
                _closed(r),
                _with_interval(_percent(r["win_rate"]), r, "win_rate"),
                md_escape(str(r["net_pnl"])),
                _with_interval(md_escape(str(r["expectancy"])), r, "expectancy"),
                _version_value(r, "avg_r_multiple"),
                _version_value(r, "sqn"),
                _version_value(r, "profit_factor"),
            )
            for r in rows
        ]
        header = (
            "Version",
            "First day",
            "Last day",
            "Closed",
            "Win rate",
            "Net P&L",
            "Expectancy",
            "Avg R",
            "SQN",
            "Profit factor",
        )
        lines += _with_notes(_table(header, cells), rows)
    if s.get("window") == "all":
        lines += ["", "### Version change", ""]
        change = s.get("version_change")
        if change is None:
            reason = (s.get("undefined_reasons") or {}).get("version_change", "undefined")
            lines.append(f"No comparison: {md_escape(reason)}.")
        else:
            head, *rest = change_words(change, md_text)
            lines += [head, "", *(f"- {line}" for line in rest)]
    return lines


def _r_multiples(s: Mapping[str, Any]) -> list[str]:
    lines = [
        "## R multiples",
        "",
        f"- Expectancy in R (average R): {_metric_value(s, 'avg_r_multiple')}",
        f"- SQN: {_metric_value(s, 'sqn')}",
        f"- Closed trades with a usable stop: {s.get('r_trades', 0)}; without one (left out "
        f"of every R figure): {s.get('no_stop_trades', 0)}",
    ]
    n, hits = s.get("planned_rr_trades", 0), s.get("planned_rr_reached", 0)
    rate = _metric_value(s, "planned_rr_reached_rate")
    lines.append(f"- Planned R:R reached (R ≥ risk_reward_ratio): {hits} of {n} ({rate})")
    histogram = s.get("r_histogram") or []
    if histogram:
        rows = [(R_LABELS.get(b["key"], md_escape(b["key"])), str(b["trades"])) for b in histogram]
        lines += ["", "### R histogram", "", *_table(("R bucket", "Closed trades"), rows)]
    return lines


def _day_or(value: Any, missing: str) -> str:
    return missing if value is None else md_escape(str(value))


def _drawdowns(s: Mapping[str, Any]) -> list[str]:
    current = s.get("current_drawdown")
    if current is None:  # a daily summary
        return []
    lines = ["## Drawdowns (end-of-day equity)", ""]
    if current.get("recovered", True):
        lines.append("- Current drawdown: none (equity at its peak)")
    else:
        since = _day_or(current.get("peak_day"), "the window's start")
        lines.append(
            f"- Current drawdown: {md_escape(str(current['depth']))} since {since} "
            f"({current['days']} days, {current['trades']} closed trades), not yet recovered"
        )
    rows = s.get("drawdowns") or []
    total = s.get("drawdown_count", len(rows))
    listed = " (deepest 5 listed)" if total > len(rows) else ""
    lines.append(f"- Drawdowns in the window: {total}{listed}")
    if not rows:
        return [*lines, "", "No drawdowns."]
    cells = [
        (
            str(i),
            _day_or(r.get("peak_day"), "start"),
            _day_or(r.get("valley_day"), "n/a"),
            _day_or(r.get("recovery_day"), "not recovered"),
            md_escape(str(r["depth"])),
            str(r["days"]),
            str(r["trades"]),
        )
        for i, r in enumerate(rows, 1)
    ]
    header = ("#", "Peak day", "Valley day", "Recovery day", "Depth", "Days", "Closed trades")
    return [*lines, "", *_table(header, cells)]


def _data_quality(s: Mapping[str, Any]) -> list[str]:
    dq = s.get("data_quality") or {}
    problems = dq.get("problems") or []
    in_progress = dq.get("in_progress") or []
    missing = dq.get("missing_pnl") or []
    lines = [
        "## Data quality",
        "",
        f"- Skipped lines: {dq.get('skipped_lines', 0)}",
        f"- Superseded records: {dq.get('superseded', 0)}",
    ]
    excluded = dq.get("excluded_by_mode") or {}
    if excluded:
        counts = ", ".join(f"{md_text(mode)} {n}" for mode, n in excluded.items())
        lines.append(f"- Records of other modes (not analysed): {counts}")
    if problems:
        lines += ["", "### Skipped lines", ""]
        lines += [f"- {md_text(p['file'])}:{p['line']}: {md_text(p['reason'])}" for p in problems]
        # Unreadable files are listed with line 0 and are not skipped lines.
        shown = sum(1 for p in problems if p.get("line") != 0)
        total = dq.get("skipped_lines", 0)
        if isinstance(total, int) and total > shown:
            lines.append(f"- ... {total - shown} more not listed")
    if in_progress:
        lines += ["", "### In-progress lines (not counted)", ""]
        lines += [f"- {md_text(p['file'])}:{p['line']}" for p in in_progress]
    if missing:
        lines += ["", "### Closed trades without P&L (counted as 0)", ""]
        lines += [
            f"- {md_text(p['file'])}:{p['line']}: order {_log_or_na(p.get('order_id'))}"
            for p in missing
        ]
    gaps = dq.get("gaps") or []
    if gaps:
        lines += ["", "### Gaps (more than 31 days without a log or a trade)", ""]
        lines += [f"- {g['first']} to {g['last']} ({g['days']} days)" for g in gaps]
    if not (problems or in_progress or missing or gaps):
        lines += ["", "No data quality problems."]
    return lines


def summary_markdown(summary: dict) -> str:
    """A Markdown report of one summary: Overview, Metrics, Targets, Alerts, Breakdown
    (with By mode when the window mixes modes), Versions (windows longer than a day; the
    version change in the all summary), R multiples, Drawdowns (windows longer than a
    day), Data quality. Text from the
    logs goes through md_text; the result ends with one newline and depends on
    nothing but the summary."""
    window = str(summary["window"])
    title = f"# {_TITLES.get(window, window.capitalize())} summary — {md_escape(summary['period'])}"
    sections = [
        [title],
        _overview(summary),
        _metrics(summary),
        _targets(summary),
        _alerts(summary),
        _breakdown(summary),
        _versions(summary),
        _r_multiples(summary),
        _drawdowns(summary),
        _data_quality(summary),
    ]
    return "\n\n".join("\n".join(section) for section in sections if section).rstrip("\n") + "\n"
