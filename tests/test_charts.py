"""The SVG chart functions: well-formed, accessible, deterministic, escaped."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from sitegen.site import charts


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == "svg"
    assert root.get("role") == "img"
    assert root.get("viewBox")
    label = root.get("aria-label")
    assert label
    title = root.find("title")
    assert title is not None and title.text == label
    assert "http" not in svg  # inline in HTML5: no xmlns, no external references
    return root


SERIES = {
    "empty": [],
    "single": [Decimal("12.50")],
    "normal": [Decimal(v) for v in ("100", "-250.5", "80", "0", "310.25", "-40")],
    "all negative": [-5.0, -1.0, -7.5],
    "all zero": [0, 0, 0],
}


@pytest.mark.parametrize("name", SERIES)
def test_equity_drawdown_is_well_formed(name: str) -> None:
    steps = SERIES[name]
    labels = [f"d{i}" for i in range(len(steps))]
    root = parse(charts.equity_drawdown(steps, labels, "Equity, test"))
    if steps:
        assert root.find("polyline") is not None
        texts = [t.text for t in root.iter("text")]
        assert "Equity" in texts and "Drawdown" in texts
        assert "0" in texts  # the zero line is labelled
    else:
        assert "No closed trades" in root.get("aria-label")


@pytest.mark.parametrize("name", SERIES)
def test_bar_chart_is_well_formed(name: str) -> None:
    values = SERIES[name]
    labels = [f"2025-09-{i + 1:02d}" for i in range(len(values))]
    root = parse(charts.bar_chart(values, labels, "Daily P&L"))
    bars = [r for r in root.iter("rect") if r.get("class") in ("c-pos", "c-neg")]
    assert len(bars) == len(values)
    for bar, value in zip(bars, values, strict=True):
        assert bar.get("class") == ("c-pos" if value >= 0 else "c-neg")
        assert bar.find("title") is not None  # a tooltip per bar


def test_equity_text_alternative_names_the_numbers() -> None:
    svg = charts.equity_drawdown([100, -250, 50], ["a", "b", "c"], "Equity")
    label = parse(svg).get("aria-label")
    assert "ends at -100.00" in label
    assert "peak +100.00" in label
    assert "deepest drawdown -250.00" in label


def test_equity_points() -> None:
    equity, drawdown = charts.equity_points([Decimal("100"), Decimal("-250"), Decimal("300")])
    assert equity == [0.0, 100.0, -150.0, 150.0]
    assert drawdown == [0.0, 0.0, -250.0, 0.0]
    # the peak starts at 0: a first loss is already a drawdown
    assert charts.equity_points([-10])[1] == [0.0, -10.0]


def test_bar_links_and_escaping() -> None:
    svg = charts.bar_chart(
        [1, -2],
        ["<script>alert(1)</script>", "b&c"],
        'Title "quoted" <b>',
        hrefs=["../daily/2025-09-01.html", None],
    )
    root = parse(svg)
    assert "<script>" not in svg and "<b>" not in svg
    links = list(root.iter("a"))
    assert [a.get("href") for a in links] == ["../daily/2025-09-01.html"]
    assert any("<script>alert(1)</script>" in (t.text or "") for t in root.iter("title"))


def test_charts_are_deterministic() -> None:
    steps = [Decimal("1.10"), Decimal("-0.30"), Decimal("2.00")]
    assert charts.equity_drawdown(steps, ["a", "b", "c"], "t") == charts.equity_drawdown(
        list(steps), ["a", "b", "c"], "t"
    )


def test_many_labels_are_thinned() -> None:
    n = 300
    svg = charts.bar_chart(list(range(-150, 150)), [f"L{i}" for i in range(n)], "Many")
    root = parse(svg)
    shown = [t.text for t in root.iter("text") if (t.text or "").startswith("L")]
    assert 2 <= len(shown) <= 8
    assert shown[0] == "L0" and shown[-1] == f"L{n - 1}"


def test_calendar_month() -> None:
    values = {dt.date(2025, 9, 1): Decimal("120"), dt.date(2025, 9, 2): Decimal("-40")}
    values[dt.date(2025, 9, 3)] = Decimal("0")
    hrefs = {dt.date(2025, 9, 1): "daily/2025-09-01.html"}
    root = parse(charts.calendar_month(2025, 9, values, 120.0, hrefs=hrefs))
    cells = [r for r in root.iter("rect")]
    assert len(cells) == 30
    classes = [c.get("class") for c in cells]
    assert classes[:4] == ["h-p4", "h-n2", "h-zero", "h-none"]
    assert [a.get("href") for a in root.iter("a")] == ["daily/2025-09-01.html"]
    assert "September 2025" in root.get("aria-label")
    assert "1 up, 1 down" in root.get("aria-label")


@pytest.mark.parametrize(
    ("value", "scale", "expected"),
    [
        (None, 10, "h-none"),
        (0, 10, "h-zero"),
        (1, 0, "h-zero"),
        (2, 10, "h-p1"),
        (5, 10, "h-p2"),
        (7, 10, "h-p3"),
        (10, 10, "h-p4"),
        (-30, 10, "h-n4"),
        (-1, 10, "h-n1"),
    ],
)
def test_heat_class(value, scale, expected) -> None:
    assert charts.heat_class(value, scale) == expected


@pytest.mark.parametrize(
    ("lo", "hi"), [(0, 0), (-404.17, 0), (-12, 1416), (0.001, 0.004), (-3e6, 2e6), (5, 5)]
)
def test_nice_ticks_cover_the_range(lo: float, hi: float) -> None:
    ticks = charts.nice_ticks(lo, hi)
    assert ticks == sorted(ticks)
    assert ticks[0] <= lo and ticks[-1] >= hi
    assert 2 <= len(ticks) <= 12
    if lo <= 0 <= hi:
        assert 0 in ticks


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (-0.0, "0"), (1250, "1.25k"), (-500, "-500"), (2_000_000, "2M"), (0.5, "0.5")],
)
def test_tick_label(value: float, text: str) -> None:
    assert charts.tick_label(value) == text


def test_amount() -> None:
    assert charts.amount(1234.5) == "+1,234.50"
    assert charts.amount(-0.001) == "0.00"
    assert charts.amount(-2) == "-2.00"
