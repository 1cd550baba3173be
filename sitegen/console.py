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

from sitegen.export import CONTROLS_AND_BIDI, shorten
from sitegen.registry import METRICS, Kind, Metric


def _shown(value: object) -> str:
    head, more = shorten(str(value))
    return head.translate(CONTROLS_AND_BIDI) + more


def _text(value: object) -> Text:
    return Text(_shown(value))


def _value(summary: dict, metric: Metric) -> str:
    value = summary[metric.field]
    if value is None:
        return f"n/a ({summary['undefined_reasons'].get(metric.field, 'undefined')})"
    if metric.kind is Kind.STREAK:
        kind, count = value["type"], value["count"]
        return "none" if kind == "none" else f"{count} {kind}{'s' if count != 1 else ''}"
    if metric.kind is Kind.RATE:
        return f"{float(value) * 100:.2f}%"
    return str(value)


def print_summary(summary: dict, console: Console | None = None) -> None:
    console = console or Console(highlight=False, soft_wrap=False)
    title = (
        f"{summary['window']} {summary['period']} ({summary['start']} – {summary['end']}, "
        f"{summary['timezone']})"
    )
    console.print(_text(title), style="bold")
    if summary["note"]:
        console.print(_text(summary["note"]))
    if summary["partial"]:
        missing = ", ".join(summary["missing_days"]) or "none"
        skipped = summary["data_quality"]["skipped_lines"]
        console.print(
            _text(f"partial: missing days {missing}; {skipped} skipped lines"), style="yellow"
        )
    if summary["small_sample"]:
        console.print(_text("small sample: fewer than 30 closed trades"), style="yellow")

    metrics = Table("Metric", "Value", title="Metrics")
    for metric in METRICS:
        # structures do not fit a table cell: `--json` and the artifacts have them
        if metric.kind is not Kind.TABLE and metric.field in summary:
            metrics.add_row(_text(metric.field), _text(_value(summary, metric)))
    console.print(metrics)

    targets = Table("Target", "Actual", "Target", "Variance", "Met", title="Targets")
    for key, row in summary["targets"].items():
        met = "n/a" if row["met"] is None else "yes" if row["met"] else "NO"
        cells = (key, row["actual"] or "n/a", row["target"], row["variance"] or "n/a", met)
        targets.add_row(*map(_text, cells))
    console.print(targets)


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
