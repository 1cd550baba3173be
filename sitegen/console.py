"""Console tables for `sitegen summary` and `sitegen alerts` (rich; plain text when not a
terminal).

Every value is printed as a rich Text, never as markup: an alert log or a summary is
data, and "[bold]" or ":smile:" in it must print as typed (an unbalanced "[/b]" would
even stop the command). Control and bidi characters show as U+FFFD, so an ESC sequence
in a value cannot drive the terminal, and a long value is cut with its length.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from rich.console import Console
from rich.table import Column, Table
from rich.text import Text

from sitegen.export import plain_text
from sitegen.figures import WINDOW_NAMES, Figure, figure, percent, plural, target_figures
from sitegen.registry import BY_FIELD
from sitegen.versions import change_words

_shown = plain_text


def _text(value: object) -> Text:
    return Text(_shown(value))


# --- sitegen summary --------------------------------------------------------------------

#: what `sitegen summary` shows of one period, headline first; every other figure is
#: in `--json`, the artifacts and the site
KEY_FIGURES = (
    "trades_total",
    "win_rate",
    "net_pnl",
    "profit_factor",
    "expectancy",
    "payoff_ratio",
    "max_drawdown",
    "sharpe",
    "sortino",
    "avg_r_multiple",
    "avg_risk_reward",
    "costs_total",
    "unrealized_pnl",
    "current_streak",
    "best_day",
    "worst_day",
    # with starting_equity (shown only where the summary has them)
    "total_return",
    "max_drawdown_relative",
    "volatility_annual",
    "cagr",
    "calmar",
)
#: figures of a day's own series that say nothing about one day
_NOT_DAILY = ("sharpe", "sortino", "best_day", "worst_day")
#: the columns of a range, one row per period
RANGE_COLUMNS = (
    "trades_total",
    "win_rate",
    "net_pnl",
    "profit_factor",
    "expectancy",
    "max_drawdown",
)
#: symbols listed under a period's figures (the best by net P&L)
TOP_SYMBOLS = 3
#: missing days listed by name in a note; the rest are counted
LISTED_DAYS = 5
_TONES = {"pos": "green", "neg": "red", "na": "dim"}


def _styled(shown: Figure) -> Text:
    return Text(_shown(shown.text), style=_TONES.get(shown.tone, ""))


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:]


def _detail(summary: dict, field: str) -> str:
    """What a key figure's row says after its value."""
    s = summary
    if field == "trades_total":
        return f"{s['trades_closed']:,} closed · {s['trades_open']:,} open"
    if field == "win_rate":
        counts = (("wins", "win"), ("losses", "loss"), ("breakevens", "breakeven"))
        return " · ".join(plural(s[key], word) for key, word in counts)
    if field == "net_pnl":
        return (
            f"{_lower(BY_FIELD['gross_profit'].label)} {figure(s, 'gross_profit').text} · "
            f"{_lower(BY_FIELD['gross_loss'].label)} {figure(s, 'gross_loss').text}"
        )
    if field == "expectancy":
        return "per closed trade"
    if field == "payoff_ratio":
        return (
            f"{_lower(BY_FIELD['avg_win'].label)} {figure(s, 'avg_win').text} · "
            f"{_lower(BY_FIELD['avg_loss'].label)} {figure(s, 'avg_loss').text}"
        )
    if field == "max_drawdown":
        return plural(s.get("max_drawdown_duration_trades", 0), "trade") + " under water"
    if field == "avg_r_multiple":
        return (
            f"{BY_FIELD['sqn'].label} {figure(s, 'sqn').text} · "
            f"{plural(s.get('r_trades', 0), 'trade')} with a stop"
        )
    if field == "avg_risk_reward":
        tried = s.get("planned_rr_trades", 0)
        if not tried:
            return "planned"
        rate = figure(s, "planned_rr_reached_rate").text
        return f"planned; reached on {s.get('planned_rr_reached', 0):,} of {tried:,} ({rate})"
    if field == "costs_total":
        share = s.get("costs_share")
        return f"{percent(share)} of {_lower(BY_FIELD['gross_profit'].label)}" if share else ""
    if field == "unrealized_pnl":
        return "on " + plural(s["trades_open"], "open trade")
    if field == "current_streak":
        return (
            f"longest: {plural(s['max_win_streak'], 'win')}, {plural(s['max_loss_streak'], 'loss')}"
        )
    return ""


def _key_figures(summary: dict) -> list[Text]:
    """A line per key figure: its label, its value aligned right, what else to know
    (n/a's reason, the day of the best day, the counts behind a rate)."""
    rows = []
    for field in KEY_FIGURES:
        if field not in summary:
            continue
        if summary["window"] == "daily" and field in _NOT_DAILY:
            continue
        if field == "unrealized_pnl" and not summary["trades_open"]:
            continue
        shown = figure(summary, field)
        if shown.reason is not None:
            detail = shown.reason
        elif shown.note is not None:
            detail = shown.note
        else:
            detail = _detail(summary, field)
        rows.append((BY_FIELD[field].label, _styled(shown), _shown(detail)))
    labels = max(len(label) for label, _, _ in rows)
    values = max(value.cell_len for _, value, _ in rows)
    lines = []
    for label, value, detail in rows:
        line = Text(label.ljust(labels + 2) + " " * (values - value.cell_len))
        line.append_text(value)
        if detail:
            line.append("  " + detail)
        lines.append(line)
    return lines


def _notes(summary: dict) -> list[str]:
    """What to keep in mind reading a period's figures: why it is partial, a small
    sample, gaps in the data, its alerts."""
    notes = []
    if summary["note"]:
        notes.append(summary["note"] + ".")
    quality = summary["data_quality"]
    if summary["partial"]:
        why = []
        missing = summary["missing_days"]
        if missing:
            listed = ", ".join(missing[:LISTED_DAYS])
            more = len(missing) - LISTED_DAYS
            listed += f" and {more:,} more" if more > 0 else ""
            why.append(f"{plural(len(missing), 'missing day')} ({listed})")
        if quality["skipped_lines"]:
            skipped = plural(quality["skipped_lines"], "skipped line")
            why.append(f"{skipped} (`sitegen validate` lists them)")
        notes.append("Partial: " + "; ".join(why or ["incomplete data"]) + ".")
    if summary["small_sample"]:
        closed = summary["trades_closed"]
        notes.append(
            f"Small sample: {plural(closed, 'closed trade')} (fewer than 30); "
            "read the ratios with care."
        )
    excluded = quality.get("excluded_by_mode") or {}
    if excluded:
        counts = ", ".join(f"{_shown(mode)} {n:,}" for mode, n in excluded.items())
        notes.append(f"Records of other modes, not analysed: {counts}.")
    gaps = quality.get("gaps") or []
    if gaps:
        spans = ", ".join(
            f"{g['first']} to {g['last']} ({plural(g['days'], 'day')})" for g in gaps[:3]
        )
        more = f" and {len(gaps) - 3:,} more" if len(gaps) > 3 else ""
        notes.append(f"No data in {plural(len(gaps), 'gap')}: {spans}{more}.")
    alerts = summary.get("alerts") or []
    if alerts:
        unacked = sum(1 for a in alerts if not a.get("acknowledged_at"))
        notes.append(
            f"{plural(len(alerts), 'alert')} in this period ({unacked:,} not acknowledged): "
            "`sitegen alerts` lists them."
        )
    return notes


def _targets(summary: dict) -> tuple[str, Table | None]:
    rows = target_figures(summary)
    if not rows:
        return "", None
    table = Table(
        "Target",
        Column("Actual", justify="right"),
        Column("Target", justify="right"),
        Column("Variance", justify="right"),
        "Status",
    )
    for t in rows:
        if t.met is None:
            status = Text(_shown(f"n/a ({t.actual.reason})"), style="dim")
        elif t.met:
            status = Text("met", style="green")
        else:
            status = Text(f"missed {t.gap}", style="red")
        table.add_row(
            _text(t.label), _styled(t.actual), _text(t.target), _styled(t.variance), status
        )
    return "Targets", table


def _top_symbols(summary: dict) -> tuple[str, Table | None]:
    symbols = summary.get("by_symbol") or []
    if not symbols:
        return "", None
    shown = symbols[:TOP_SYMBOLS]
    title = f"Top {len(shown)} of {plural(len(symbols), 'symbol')} by net P&L"
    if len(symbols) <= TOP_SYMBOLS:
        title = f"{plural(len(symbols), 'symbol')} by net P&L"
    table = Table(
        "Symbol",
        *(Column(BY_FIELD[f].label, justify="right") for f in ("trades_closed", "win_rate")),
        Column(BY_FIELD["net_pnl"].label, justify="right"),
    )
    for row in shown:
        table.add_row(
            _text(row["key"]),
            _styled(figure(row, "trades_closed")),
            _styled(figure(row, "win_rate")),
            _styled(figure(row, "net_pnl")),
        )
    return title, table


def summary_title(summary: dict) -> str:
    """'Month 2025-10 (2025-10-01 – 2025-10-31, UTC)', 'All time (... – ..., UTC)'."""
    name = WINDOW_NAMES.get(summary["window"], summary["window"])
    if summary["window"] != "all":
        name = f"{name} {summary['period']}"
    return f"{name} ({summary['start']} – {summary['end']}, {summary['timezone']})"


def _console(console: Console | None) -> Console:
    console = console or Console(highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console.width = 160  # piped: whole lines, no wrapping at 80 columns
    return console


def print_summary(summary: dict, console: Console | None = None) -> None:
    """One period: its title, notes, key figures, targets and top symbols, and in the
    all summary the version change in words. Colours on a terminal (green gain, red
    loss), plain text when piped."""
    console = _console(console)
    console.print(_text(summary_title(summary)), style="bold")
    for note in _notes(summary):
        console.print(_text(note), style="yellow")
    console.print()
    for line in _key_figures(summary):
        console.print(line)
    for title, table in (_targets(summary), _top_symbols(summary)):
        if table is not None:
            console.print()
            console.print(_text(title), style="bold")
            console.print(table)
    change = summary.get("version_change")
    if change is not None:  # the all summary, with two versions or more
        console.print()
        console.print(_text("Version change"), style="bold")
        for line in change_words(change, _shown):  # the versions made safe by _shown
            console.print(Text(line))


def _flags(summary: dict) -> str:
    flags = []
    if not summary["trades_total"]:
        flags.append("no trades")
    elif summary["small_sample"]:
        flags.append("small sample")
    if summary["partial"]:
        flags.append("partial")
    alerts = summary.get("alerts") or []
    if alerts:
        flags.append(plural(len(alerts), "alert"))
    return ", ".join(flags)


def print_summaries(summaries: list[dict], console: Console | None = None) -> None:
    """Periods of one window as one table, a row per period."""
    console = _console(console)
    first, last = summaries[0], summaries[-1]
    window = first["window"]
    if window == "all" or len(summaries) == 1:
        title = summary_title(first)
    else:
        title = (
            f"{WINDOW_NAMES.get(window, window)}s {first['period']} to {last['period']} "
            f"({first['start']} – {last['end']}, {first['timezone']}): "
            f"{plural(len(summaries), 'period')}"
        )
    table = Table(
        "Period",
        *(Column(BY_FIELD[f].label, justify="right") for f in RANGE_COLUMNS),
        "Notes",
    )
    for s in summaries:
        cells = [_styled(figure(s, f)) for f in RANGE_COLUMNS]
        table.add_row(_text(s["period"] if window != "all" else "all"), *cells, _text(_flags(s)))
    console.print(_text(title), style="bold")
    console.print(table)
    if any(s["small_sample"] for s in summaries):
        console.print(
            _text("small sample: fewer than 30 closed trades; read the ratios with care."),
            style="dim",
        )
    if any(s["partial"] for s in summaries):
        console.print(_text("partial: missing days or skipped lines."), style="dim")


def print_incidents(rows: list[tuple[dict, str]], console: Console | None = None) -> None:
    """The incidents (incidents.listing: each with its state) as a table."""
    console = console or Console(highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console.width = 160
    # ids stay whole on a narrow terminal: they are what `sitegen ack` needs
    width = max((len(_shown(incident["id"])) for incident, _ in rows), default=2)
    table = Table(
        Column("Id", no_wrap=True, min_width=width),
        "Rule",
        "Severity",
        "Since",
        "Latest",
        Column("Periods", justify="right"),
        Column("Worst", justify="right"),
        "State",
        title="Incidents",
    )
    for incident, state in rows:
        cells = (
            incident["id"],
            incident["rule"],
            incident["severity"],
            incident["since"],
            incident["latest"],
            incident["periods"],
            _number(incident["worst"]),
            state,
        )
        table.add_row(*map(_text, cells))
    console.print(table)


def _number(value: object) -> object:
    """A decimal as plain as it reads: -1280.43, not -1280.430000."""
    if value is None:
        return "n/a"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return value
    return format(number.normalize(), "f") if number.is_finite() else value


def shown(value: object) -> str:
    """A value from a log or the alert log as plain text that cannot drive a terminal:
    control and bidi characters as U+FFFD, a long value cut with its length."""
    return _shown(value)
