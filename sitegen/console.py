"""Console tables for `sitegen summary` (rich; plain text when not a terminal)."""

from __future__ import annotations

from collections.abc import Collection

from rich.console import Console
from rich.table import Column, Table

from sitegen.registry import METRICS, Kind, Metric


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
    console.print(title, style="bold", markup=False)
    if summary["note"]:
        console.print(summary["note"], markup=False)
    if summary["partial"]:
        missing = ", ".join(summary["missing_days"]) or "none"
        skipped = summary["data_quality"]["skipped_lines"]
        console.print(
            f"partial: missing days {missing}; {skipped} skipped lines",
            style="yellow",
            markup=False,
        )
    if summary["small_sample"]:
        console.print("small sample: fewer than 30 closed trades", style="yellow", markup=False)

    metrics = Table("Metric", "Value", title="Metrics")
    for metric in METRICS:
        # structures do not fit a table cell: `--json` and the artifacts have them
        if metric.kind is not Kind.TABLE and metric.field in summary:
            metrics.add_row(metric.field, _value(summary, metric))
    console.print(metrics)

    targets = Table("Target", "Actual", "Target", "Variance", "Met", title="Targets")
    for key, row in summary["targets"].items():
        met = "n/a" if row["met"] is None else "yes" if row["met"] else "NO"
        targets.add_row(key, row["actual"] or "n/a", row["target"], row["variance"] or "n/a", met)
    console.print(targets)


def print_alerts(
    events: list[dict], console: Console | None = None, *, cleared: Collection[str] = ()
) -> None:
    """The alerts as a table; ``cleared``: ids the last build no longer raises."""
    console = console or Console(highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console.width = 160
    # ids stay whole on a narrow terminal: they are what `sitegen ack` needs
    width = max((len(str(e.get("id", ""))) for e in events), default=2)
    table = Table(
        Column("Id", no_wrap=True, min_width=width),
        "Severity",
        "Actual",
        "Target",
        "Raised",
        "Acknowledged",
        title="Alerts",
    )
    for e in events:
        table.add_row(
            e.get("id", ""),
            e.get("severity", ""),
            str(e.get("actual")),
            str(e.get("target")),
            e.get("raised_at", ""),
            e.get("acknowledged_at") or ("cleared" if e.get("id") in cleared else "open"),
        )
    console.print(table)
