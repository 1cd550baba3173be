"""The metric registry against what it drives: the summary schema, the example
artifacts, definitions.html and the alert rules."""

from __future__ import annotations

import json
import os
import re
from importlib import resources
from pathlib import Path

import pytest
from markupsafe import escape

from sitegen import registry
from sitegen.config import Targets
from sitegen.registry import BY_FIELD, METRICS, Kind, Metric
from sitegen.rules import SUMMARY_METRICS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "summary-format.md"
BEGIN = (
    "<!-- generated from sitegen/registry.py: "
    "SITEGEN_WRITE_DOCS=1 pytest tests/test_registry.py -->\n"
)
END = "<!-- end of the generated table -->\n"

# The top-level summary fields that are not metrics: what the window is, the lists
# that are not metrics (targets, alerts, the daily breakdown tables) and the dates of
# the best and worst day.
NOT_METRICS = {
    "schema_version",
    "window",
    "period",
    "start",
    "end",
    "timezone",
    "partial",
    "missing_days",
    "small_sample",
    "note",
    "best_day_date",
    "worst_day_date",
    "by_symbol",
    "by_strategy",
    "targets",
    "alerts",
    "undefined_reasons",
    "data_quality",
}

# kind (and nullable) -> the schema definition the field refers to
SCHEMA_REFS = {
    (Kind.COUNT, False): "count",
    (Kind.MONEY, False): "money",
    (Kind.MONEY, True): "money_or_null",
    (Kind.DAY, True): "money_or_null",
    (Kind.STREAK, False): "streak",
    **{(kind, False): "quotient" for kind in (Kind.RATE, Kind.AVG, Kind.RATIO, Kind.R)},
    **{(kind, True): "quotient_or_null" for kind in (Kind.RATE, Kind.AVG, Kind.RATIO, Kind.R)},
}


#: the schema's rows: by_symbol, by_strategy and by_mode entries, grid cells, by_version
#: entries; each carries every field of the registry's ROW entries
ROWS = ("breakdown_row", "cell_row", "version_row")


@pytest.fixture(scope="module")
def schema() -> dict:
    text = resources.files("sitegen.schemas").joinpath("performance-summary.schema.json")
    return json.loads(text.read_text(encoding="utf-8"))


def test_every_schema_metric_has_an_entry_and_back(schema) -> None:
    fields = set(schema["properties"])
    top = {m.field for m in METRICS if m.within is None}
    assert fields - NOT_METRICS == top
    assert set(registry.summary_keys("all", returns=True)) == fields
    returns = {m.field for m in METRICS if m.returns}
    assert set(registry.summary_keys("all")) == fields - returns
    for m in METRICS:
        if m.within == registry.ROW:  # a field of every row: by_* entries and grid cells
            for row in ROWS:
                assert m.field in schema["$defs"][row]["properties"], (m.field, row)
        elif m.within is not None:
            assert m.field in schema["properties"][m.within]["properties"], m.field


def test_entries_agree_with_their_schema_types(schema) -> None:
    for m in METRICS:
        if m.kind is Kind.TABLE:
            assert m.shape, m.field
            continue
        if m.within == registry.ROW:
            for row in ROWS:
                field = schema["$defs"][row]["properties"][m.field]
                assert field["$ref"] == f"#/$defs/{SCHEMA_REFS[m.kind, m.nullable]}", m.field
                reasons = schema["$defs"][row]["properties"]["undefined_reasons"]
                assert m.field in reasons["propertyNames"]["enum"], (m.field, row)
            continue
        ref = schema["properties"][m.field]["$ref"]
        assert ref == f"#/$defs/{SCHEMA_REFS[m.kind, m.nullable]}", m.field
    nullable = {m.field for m in METRICS if m.nullable and m.within is None}
    enum = set(schema["properties"]["undefined_reasons"]["propertyNames"]["enum"])
    assert enum == nullable | {"best_day_date", "worst_day_date"}


def test_only_longer_windows_lack_the_daily_fields(schema) -> None:
    rule = next(r for r in schema["allOf"] if "daily_pnl" in r.get("else", {}).get("required", []))
    longer_only = {
        m.field
        for m in METRICS
        if not m.daily and not m.all_only and m.within is None and not m.returns
    }
    assert set(rule["else"]["required"]) == longer_only
    assert set(rule["then"]["properties"]) == longer_only
    daily_keys = set(registry.summary_keys("daily"))
    assert daily_keys == set(registry.summary_keys("weekly")) - longer_only


def test_only_the_all_summary_has_the_all_only_fields(schema) -> None:
    rule = next(
        r
        for r in schema["allOf"]
        if r["if"]["properties"].get("window") == {"const": "all"} and "else" in r
    )
    # (cagr and calmar are all-only too, but written only with starting_equity: the
    # returns' own rules hold them)
    all_only = {m.field for m in METRICS if m.all_only and not m.returns}
    assert all_only == {"version_change"}
    assert {m.field for m in METRICS if m.all_only and m.returns} == {"cagr", "calmar"}
    assert all(not m.daily and m.within is None for m in METRICS if m.all_only)
    assert set(rule["then"]["required"]) == all_only
    assert set(rule["else"]["properties"]) == all_only
    for window in ("daily", "weekly", "monthly"):
        assert not all_only & set(registry.summary_keys(window)), window
    assert set(registry.summary_keys("all")) == set(registry.summary_keys("monthly")) | all_only


@pytest.mark.parametrize(
    "example", ["daily-summary-2025-10-10.json", "weekly-summary-2025-W41.json"]
)
def test_examples_keep_the_registry_key_order(example) -> None:
    summary = json.loads((ROOT / "docs" / "examples" / example).read_text(encoding="utf-8"))
    assert tuple(summary) == registry.summary_keys(summary["window"])


def test_labels_are_unique() -> None:
    for attribute in ("label", "md_label"):
        labels = [getattr(m, attribute) for m in METRICS]
        assert len(labels) == len(set(labels)), attribute


def test_every_entry_has_a_definition() -> None:
    for m in METRICS:
        assert m.definition.strip() and m.definition.endswith("."), m.field
        assert m.label.strip(), m.field


def test_orders_name_each_entry_once() -> None:
    assert sorted(registry.DEFINITION_ORDER) == sorted(BY_FIELD)
    assert sorted(registry.PAGE_ORDER) == sorted(m.field for m in registry.LISTED)
    # a group's metrics stand together in PAGE_ORDER, so the pages keep its order
    shown = [m.field for _, rows in registry.PAGE_GROUPS for m in rows]
    assert shown == list(registry.PAGE_ORDER)
    assert all(m.group == title for title, rows in registry.PAGE_GROUPS for m in rows)


def test_structures_are_not_in_the_metric_tables() -> None:
    for m in METRICS:
        assert m.group is None or m.kind is not Kind.TABLE, m.field


def test_grid_columns_are_cell_fields(schema) -> None:
    cell = schema["$defs"]["cell_row"]["properties"]
    for column in registry.GRID:
        assert column.field in cell, column.field
        assert column.metric is BY_FIELD[column.metric.field]


def test_rules_and_targets_check_registry_metrics() -> None:
    assert set(SUMMARY_METRICS) <= set(BY_FIELD)
    assert {spec.metric for spec in Targets().specs()} <= set(BY_FIELD)


def test_definitions_page_shows_every_entry() -> None:
    from sitegen.site import environment
    from sitegen.site.home import definitions_page

    text = environment().get_template("definitions.html").render(page=definitions_page("UTC"))
    item = r'<div class="def" id="([^"]+)">\s*<dt>(.*?) <code>.*?<dd>(.*?)</dd>'
    items = re.findall(item, text, re.S)
    # the returns only where the summaries have them: with starting_equity
    plain = [f for f in registry.DEFINITION_ORDER if not BY_FIELD[f].returns]
    assert [field for field, _, _ in items] == plain
    for field, label, definition in items:
        assert label == escape(BY_FIELD[field].label), field
        assert definition == escape(BY_FIELD[field].definition), field
    page = definitions_page("UTC", returns=True)
    text = environment().get_template("definitions.html").render(page=page)
    items = re.findall(item, text, re.S)
    assert [field for field, _, _ in items] == list(registry.DEFINITION_ORDER)
    for field, _, definition in items:
        said = registry.RETURNS_DEFINITIONS.get(field, BY_FIELD[field].definition)
        assert definition == escape(said), field
    assert escape(registry.RETURNS_NOTE) in text


# --- docs/summary-format.md ------------------------------------------------------------

JSON_TYPES = {
    Kind.COUNT: "int",
    Kind.RATE: "quotient",
    Kind.MONEY: "money",
    Kind.AVG: "quotient",
    Kind.RATIO: "quotient",
    Kind.R: "quotient",
    Kind.STREAK: '{"type": "win" | "loss" | "none", "count": int}',
    Kind.DAY: "money",
}


def json_type(m: Metric) -> str:
    text = m.shape or JSON_TYPES[m.kind]
    if m.nullable:
        text += " | null"
    if m.returns:
        text += "; only with starting_equity"
    if m.all_only:
        return text + "; only in the all-time summary"
    return text if m.daily else text + "; not in daily summaries"


def docs_table() -> str:
    """The metrics table of docs/summary-format.md: a row per metric, in summary order."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| field | type | label | definition |", "|---|---|---|---|"]
    for m in METRICS:
        if m.within == registry.ROW:
            field = f"each row's `{m.field}`"
        else:
            field = f"`{m.within}.{m.field}`" if m.within else f"`{m.field}`"
        label = m.label if m.md_label == m.label else f"{m.label} (Markdown: {m.md_label})"
        lines.append(f"| {field} | {cell(json_type(m))} | {cell(label)} | {cell(m.definition)} |")
    return "\n".join(lines) + "\n"


def test_docs_list_every_metric_as_the_registry_does() -> None:
    text = DOCS.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN)
    table, tail = rest.split(END)
    if table != docs_table() and os.environ.get("SITEGEN_WRITE_DOCS"):
        DOCS.write_text(head + BEGIN + docs_table() + END + tail, encoding="utf-8")
        return
    assert table == docs_table(), "stale: SITEGEN_WRITE_DOCS=1 pytest tests/test_registry.py"


def test_docs_name_every_other_summary_key() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for key in registry.summary_keys("all"):
        if key not in BY_FIELD:
            assert f"`{key}`" in text, key
