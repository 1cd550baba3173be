"""Inline SVG charts made at build time. Pure: numbers and labels in, an SVG string out.

Every chart is an ``<svg role="img">`` with an ``aria-label`` and a ``<title>`` that
say in words what the chart shows, axes with tick labels, and CSS classes (``c-*``,
``h-*``) that the stylesheet colours for light, dark and print; presentation
attributes give sane colours when the SVG is viewed without the stylesheet.

Geometry uses floats (a chart is a picture; the exact numbers are in the tables
next to it), always written with a fixed number of decimals, so the same input
gives the same bytes. No ``xmlns`` is written: the SVG is meant to be inlined in
HTML5, where it is implied.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate

from markupsafe import escape

from sitegen.export import CONTROLS_AND_BIDI
from sitegen.site.fmt import MONTHS

Number = float | int | Decimal

WIDTH = 960
_LEFT, _RIGHT, _TOP = 64, 16, 14
_FONT = 13


def _f(x: float) -> str:
    """A coordinate with one decimal (fixed, so bytes are stable)."""
    return f"{x:.1f}"


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 5 × 10^k steps) covering ``lo`` .. ``hi``."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0]
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        pad = abs(hi) * 0.5 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(lo / step) * step
    ticks, value = [], start
    while value < hi + step * 0.5:
        ticks.append(round(value, 10) + 0.0)
        value += step
    if ticks[-1] < hi:  # pragma: no cover - guarded by the loop condition
        ticks.append(ticks[-1] + step)
    return ticks


def tick_label(value: float) -> str:
    """Short axis text: 1250 -> '1.25k', -0.5 -> '-0.5', 2000000 -> '2M'."""
    size = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            text = f"{value / limit:.2f}".rstrip("0").rstrip(".")
            return text + suffix
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def amount(value: float) -> str:
    """A value for a text alternative: two decimals, thousands separators, signed."""
    text = f"{value:+,.2f}"
    return "0.00" if text in ("+0.00", "-0.00") else text


def _svg(width: float, height: float, label: str, body: list[str], cls: str) -> str:
    text = escape(label)
    return (
        f'<svg class="chart {cls}" viewBox="0 0 {_f(width)} {_f(height)}" role="img" '
        f'aria-label="{text}" preserveAspectRatio="xMidYMid meet">'
        f"<title>{text}</title>{''.join(body)}</svg>"
    )


def _pick(count: int, most: int) -> list[int]:
    """Up to ``most`` evenly spread indexes of ``count`` items, first and last included."""
    if count <= 0:
        return []
    if count <= most:
        return list(range(count))
    step = (count - 1) / (most - 1)
    return sorted({round(i * step) for i in range(most)})


class _Scale:
    """Maps values ``lo`` .. ``hi`` onto pixels ``bottom`` .. ``top``."""

    def __init__(self, lo: float, hi: float, top: float, bottom: float) -> None:
        self.lo, self.hi = lo, hi
        self.top, self.bottom = top, bottom

    def __call__(self, value: float) -> float:
        span = self.hi - self.lo or 1.0
        return self.bottom - (value - self.lo) / span * (self.bottom - self.top)


def axis(lo: float, hi: float, top: float, bottom: float, count: int = 5):
    """Ticks and a scale for data from ``lo`` to ``hi`` (0 included by the caller).

    The domain is the data padded by 6 % away from 0, not rounded out to whole
    ticks, so the curve uses the height it is given; ticks outside it are dropped.
    """
    ticks = nice_ticks(lo, hi, count)
    if hi - lo <= 0:
        return ticks, _Scale(ticks[0], ticks[-1], top, bottom)
    pad = (hi - lo) * 0.06
    lo = lo - pad if lo < 0 else lo
    hi = hi + pad if hi > 0 else hi
    inside = [t for t in ticks if lo - 1e-9 <= t <= hi + 1e-9]
    return inside, _Scale(lo, hi, top, bottom)


def _y_axis(ticks: Sequence[float], y: _Scale, left: float, right: float) -> list[str]:
    out = []
    for tick in ticks:
        py = _f(y(tick))
        cls = "c-zero" if tick == 0 else "c-grid"
        colour = "#888" if tick == 0 else "#ddd"
        out.append(
            f'<line class="{cls}" x1="{_f(left)}" x2="{_f(right)}" y1="{py}" y2="{py}" '
            f'stroke="{colour}" stroke-width="1"/>'
        )
        out.append(
            f'<text class="c-label" x="{_f(left - 6)}" y="{py}" text-anchor="end" '
            f'dominant-baseline="middle" font-size="{_FONT}" fill="#555">'
            f"{escape(tick_label(tick))}</text>"
        )
    return out


def _x_labels(positions: Sequence[tuple[float, str]], y: float) -> list[str]:
    out = []
    for i, (px, text) in enumerate(positions):
        anchor = "middle"
        if len(positions) > 1 and i == 0:
            anchor = "start"
        elif len(positions) > 1 and i == len(positions) - 1:
            anchor = "end"
        out.append(
            f'<text class="c-label" x="{_f(px)}" y="{_f(y)}" text-anchor="{anchor}" '
            f'font-size="{_FONT}" fill="#555">{escape(text)}</text>'
        )
    return out


def _empty(width: float, height: float, label: str, message: str, cls: str) -> str:
    body = [
        f'<rect class="c-frame" x="{_LEFT}" y="{_TOP}" width="{_f(width - _LEFT - _RIGHT)}" '
        f'height="{_f(height - _TOP - 30)}" fill="none" stroke="#ddd"/>',
        f'<text class="c-label" x="{_f(width / 2)}" y="{_f(height / 2)}" text-anchor="middle" '
        f'font-size="{_FONT + 1}" fill="#555">{escape(message)}</text>',
    ]
    return _svg(width, height, f"{label}: {message}", body, cls)


def equity_points(steps: Sequence[Number]) -> tuple[list[float], list[float]]:
    """Equity (starting at 0, one point per step) and drawdown below the running peak
    (the peak starts at 0, so drawdown ≤ 0)."""
    equity = list(accumulate(map(float, steps), initial=0.0))
    peaks = accumulate(equity, max)
    return equity, [total - peak for total, peak in zip(equity, peaks, strict=True)]


def _polyline(xs: Sequence[str], values: Sequence[float], y: _Scale) -> str:
    """SVG points "x,y x,y ...": ``xs`` are the formatted "x," prefixes. The same
    arithmetic as ``_f(y(v))``, inlined: a daily chart has a point per trade."""
    span = y.hi - y.lo or 1.0
    lo, bottom, height = y.lo, y.bottom, y.bottom - y.top
    points = zip(xs, values, strict=True)
    return " ".join([f"{x}{bottom - (v - lo) / span * height:.1f}" for x, v in points])


def equity_drawdown(
    steps: Sequence[Number],
    labels: Sequence[str],
    title: str,
    *,
    width: float = WIDTH,
    basis: str = "",
) -> str:
    """Cumulative P&L of ``steps`` (one label each) with its drawdown in a panel below.

    The curve starts at 0 before the first step. The text alternative names the end
    value, the peak and the deepest drawdown; ``basis`` names the curve the drawdown is
    on ("trade by trade", "end of day") in the panel's caption and in that text.
    """
    if not steps:
        return _empty(width, 200, title, "No closed trades", "c-equity")
    equity, drawdown = equity_points(steps)
    top, top_h, dd_h, gap = 26.0, 200.0, 80.0, 40.0
    height = top + top_h + gap + dd_h + 30
    left, right = float(_LEFT), width - _RIGHT
    n = len(equity)

    def px(i: int) -> float:
        return left + (right - left) * i / (n - 1)

    eq_ticks, ey = axis(min(0.0, *equity), max(0.0, *equity), top, top + top_h)
    dd_top = top + top_h + gap
    if min(drawdown) < 0:
        dd_ticks, dy = axis(min(drawdown), 0.0, dd_top, dd_top + dd_h, 3)
        dd_ticks = [t for t in dd_ticks if t <= 0]
    else:  # never below a peak: a flat line at the top of the panel
        dd_ticks, dy = [0.0], _Scale(-1.0, 0.0, dd_top, dd_top + dd_h)

    body = _y_axis(eq_ticks, ey, left, right) + _y_axis(dd_ticks, dy, left, right)
    xs = [f"{px(i):.1f}," for i in range(n)]  # _f(px(i)), shared by both curves
    line = _polyline(xs, equity, ey)
    zero = _f(ey(0.0))
    body.append(
        f'<polygon class="c-area" points="{_f(px(0))},{zero} {line} {_f(px(n - 1))},{zero}" '
        f'fill="#2563eb" fill-opacity="0.12" stroke="none"/>'
    )
    body.append(
        f'<polyline class="c-line" points="{line}" fill="none" stroke="#2563eb" '
        f'stroke-width="2" stroke-linejoin="round"/>'
    )
    dd_line = _polyline(xs, drawdown, dy)
    dd_zero = _f(dy(0.0))
    body.append(
        f'<polygon class="c-dd" points="{_f(px(0))},{dd_zero} {dd_line} '
        f'{_f(px(n - 1))},{dd_zero}" fill="#dc2626" fill-opacity="0.35" stroke="#dc2626" '
        f'stroke-width="1"/>'
    )
    body.append(
        f'<text class="c-caption" x="{_f(left)}" y="{_f(top - 12)}" font-size="{_FONT}" '
        f'font-weight="600" fill="#555">Equity</text>'
    )
    body.append(
        f'<text class="c-caption" x="{_f(left)}" y="{_f(dd_top - 12)}" font-size="{_FONT}" '
        f'font-weight="600" fill="#555">Drawdown{escape(f", {basis}" if basis else "")}</text>'
    )
    shown = _pick(len(labels), 6)
    body += _x_labels([(px(i + 1), labels[i]) for i in shown], dd_top + dd_h + 22)
    end, peak, deepest = equity[-1], max(equity), min(drawdown)
    alt = (
        f"{title}: {len(steps)} steps from {labels[0]} to {labels[-1]}; ends at {amount(end)}, "
        f"peak {amount(peak)}, deepest drawdown{f' ({basis})' if basis else ''} "
        f"{amount(deepest)}"
    )
    return _svg(width, height, alt, body, "c-equity")


def bar_chart(
    values: Sequence[Number],
    labels: Sequence[str],
    title: str,
    *,
    hrefs: Sequence[str | None] | None = None,
    width: float = WIDTH,
) -> str:
    """One bar per value (positive up, negative down from a zero line), each with a
    tooltip and, when ``hrefs`` gives one, a link."""
    if not values:
        return _empty(width, 160, title, "No days in this period", "c-bars")
    nums = [float(v) for v in values]
    plot_h = 170.0
    height = _TOP + plot_h + 30
    left, right = float(_LEFT), width - _RIGHT
    ticks, y = axis(min(0.0, *nums), max(0.0, *nums), _TOP, _TOP + plot_h)
    slot = (right - left) / len(nums)
    bar_w = max(1.0, min(slot * 0.7, 48.0))
    body = _y_axis(ticks, y, left, right)
    zero = y(0.0)
    for i, value in enumerate(nums):
        cx = left + slot * (i + 0.5)
        top, bottom = sorted((y(value), zero))
        cls, colour = ("c-pos", "#16a34a") if value >= 0 else ("c-neg", "#dc2626")
        tip = escape(f"{labels[i]}: {amount(value)}")
        rect = (
            f'<rect class="{cls}" x="{_f(cx - bar_w / 2)}" y="{_f(top)}" width="{_f(bar_w)}" '
            f'height="{_f(max(bottom - top, 0.5))}" fill="{colour}"><title>{tip}</title></rect>'
        )
        href = hrefs[i] if hrefs is not None else None
        body.append(f'<a href="{escape(href)}">{rect}</a>' if href else rect)
    shown = _pick(len(labels), 8)
    body += _x_labels([(left + slot * (i + 0.5), labels[i]) for i in shown], _TOP + plot_h + 20)
    up = sum(1 for v in nums if v > 0)
    down = sum(1 for v in nums if v < 0)
    alt = (
        f"{title}: {len(nums)} days from {labels[0]} to {labels[-1]}, {up} up, {down} down; "
        f"best {amount(max(nums))}, worst {amount(min(nums))}"
    )
    return _svg(width, height, alt, body, "c-bars")


_CELL, _GAP, _HEAD = 24, 3, 34
_BUCKETS = (0.25, 0.5, 0.75)


def heat_class(value: float | None, scale: float) -> str:
    """The colour class of a calendar cell: h-none, h-zero, h-p1..h-p4 or h-n1..h-n4."""
    if value is None:
        return "h-none"
    if value == 0 or scale <= 0:
        return "h-zero"
    share = min(abs(value) / scale, 1.0)
    level = 1 + sum(1 for b in _BUCKETS if share > b)
    return f"h-{'p' if value > 0 else 'n'}{level}"


_HEAT_FILL = {
    "h-none": "#f3f4f6",
    "h-zero": "#d1d5db",
    "h-p1": "#bbf7d0",
    "h-p2": "#4ade80",
    "h-p3": "#16a34a",
    "h-p4": "#166534",
    "h-n1": "#fecaca",
    "h-n2": "#f87171",
    "h-n3": "#dc2626",
    "h-n4": "#991b1b",
}


def calendar_month(
    year: int,
    month: int,
    values: Mapping[dt.date, Number],
    scale: float,
    *,
    hrefs: Mapping[dt.date, str] | None = None,
) -> str:
    """A month as a Monday-first calendar; each day with a value is coloured by its sign
    and size relative to ``scale`` (the largest absolute day), with a tooltip and an
    optional link. Days without a value are drawn empty."""
    hrefs = hrefs or {}
    first_weekday, days = calendar.monthrange(year, month)
    rows = (first_weekday + days + 6) // 7
    width = 7 * _CELL + 6 * _GAP
    height = _HEAD + rows * (_CELL + _GAP)
    name = f"{MONTHS[month - 1]} {year}"
    body = [
        f'<text class="c-caption" x="0" y="13" font-size="13" font-weight="600" '
        f'fill="#333">{escape(name)}</text>'
    ]
    for col, letter in enumerate("MTWTFSS"):
        body.append(
            f'<text class="c-label" x="{col * (_CELL + _GAP) + _CELL / 2:g}" y="29" '
            f'text-anchor="middle" font-size="10" fill="#666">{letter}</text>'
        )
    up = down = traded = 0
    for day_no in range(1, days + 1):
        day = dt.date(year, month, day_no)
        slot = first_weekday + day_no - 1
        x, y = (slot % 7) * (_CELL + _GAP), _HEAD + (slot // 7) * (_CELL + _GAP)
        value = values.get(day)
        number = None if value is None else float(value)
        cls = heat_class(number, scale)
        if number is not None:
            traded += 1
            up += number > 0
            down += number < 0
        tip = day.isoformat() + (": no data" if number is None else f": {amount(number)}")
        light = cls in ("h-p3", "h-p4", "h-n3", "h-n4")
        cell = (
            f'<rect class="{cls}" x="{x}" y="{y}" width="{_CELL}" height="{_CELL}" rx="3" '
            f'fill="{_HEAT_FILL[cls]}"><title>{escape(tip)}</title></rect>'
            f'<text class="{"h-tl" if light else "h-td"}" x="{x + _CELL / 2:g}" '
            f'y="{y + _CELL / 2 + 3.5:g}" text-anchor="middle" font-size="10" '
            f'fill="{"#fff" if light else "#333"}" aria-hidden="true">{day_no}</text>'
        )
        href = hrefs.get(day)
        body.append(f'<a href="{escape(href)}">{cell}</a>' if href else cell)
    alt = f"{name} daily P&L calendar: {traded} days with data, {up} up, {down} down"
    return _svg(width, height, alt, body, "c-cal")


def histogram(
    counts: Sequence[int],
    labels: Sequence[str],
    title: str,
    *,
    negative: Sequence[bool] = (),
    width: float = WIDTH,
) -> str:
    """One bar per bucket, its count written above it; ``negative`` marks the buckets
    drawn in the loss colour (the rest use the gain colour)."""
    if not counts or not any(counts):
        return _empty(width, 160, title, "No closed trades with R", "c-hist")
    plot_h = 160.0
    top = _TOP + 12  # room for the count over the tallest bar
    height = top + plot_h + 30
    left, right = float(_LEFT), width - _RIGHT
    ticks, y = axis(0.0, float(max(counts)), top, top + plot_h, 4)
    ticks = [t for t in ticks if t == int(t)]  # counts: whole ticks only
    slot = (right - left) / len(counts)
    bar_w = min(slot * 0.72, 96.0)
    body = _y_axis(ticks, y, left, right)
    zero = y(0.0)
    for i, n in enumerate(counts):
        cx = left + slot * (i + 0.5)
        low = i < len(negative) and negative[i]
        cls, colour = ("c-neg", "#dc2626") if low else ("c-pos", "#16a34a")
        bar_top = y(float(n))
        tip = escape(f"{labels[i]}: {n} trade{'s' if n != 1 else ''}")
        body.append(
            f'<rect class="{cls}" x="{_f(cx - bar_w / 2)}" y="{_f(bar_top)}" '
            f'width="{_f(bar_w)}" height="{_f(max(zero - bar_top, 0.5 if n else 0.0))}" '
            f'fill="{colour}"><title>{tip}</title></rect>'
        )
        body.append(
            f'<text class="c-label" x="{_f(cx)}" y="{_f(bar_top - 5)}" text-anchor="middle" '
            f'font-size="{_FONT}" fill="#555">{n}</text>'
        )
    body += [
        f'<text class="c-label" x="{_f(left + slot * (i + 0.5))}" y="{_f(top + plot_h + 20)}" '
        f'text-anchor="middle" font-size="{_FONT}" fill="#555">{escape(text)}</text>'
        for i, text in enumerate(labels)
    ]
    parts = ", ".join(f"{text}: {n}" for text, n in zip(labels, counts, strict=True))
    return _svg(width, height, f"{title}: {sum(counts)} trades; {parts}", body, "c-hist")


# --- intervals: a dot for each value, a whisker for its 95% interval ----------------

_ROW, _LABEL_W, _CI_FONT, _LABEL_CHARS = 28, 132, 13, 15


@dataclass(frozen=True)
class Interval:
    """One row of an interval chart: a value (None: nothing to show) with its 95%
    interval (either end None: undefined); ``muted`` draws it faint and hollow (a small
    sample); ``words`` is the row in words, for its tooltip and the text alternative."""

    label: str
    value: float | None
    low: float | None
    high: float | None
    muted: bool = False
    words: str = ""


def _chart_text(text: str, most: int) -> str:
    """A label from the logs inside an SVG (no ``<bdi>`` there): control and direction
    characters replaced, cut to ``most`` characters."""
    shown = text.translate(CONTROLS_AND_BIDI)
    return shown if len(shown) <= most else shown[: most - 1] + "…"


def _rate_tick(value: float) -> str:
    return f"{value * 100:.1f}".rstrip("0").rstrip(".") + "%"


def _money_tick(value: float) -> str:
    text = tick_label(abs(value))
    return "$0" if text == "0" else ("-$" if value < 0 else "$") + text


def interval_chart(
    rows: Sequence[Interval],
    title: str,
    *,
    rate: bool,
    reference: Number | None = None,
    reference_label: str = "",
    width: float = 440,
) -> str:
    """One row per item: its label, a whisker from the low to the high end of its 95%
    interval and a dot at its value, over an axis of rates (``rate``: 0..1, shown as
    percentages) or of money; a dashed line at ``reference`` (the break-even 0, the
    win rate of all trades), named by ``reference_label``."""
    shown = [r for r in rows if r.value is not None]
    if not shown:
        return _empty(width, 120, title, "No closed trades", "c-ci")
    ref = None if reference is None else float(reference)
    values = [r.value for r in shown if r.value is not None]
    values += [
        v for r in shown if r.low is not None and r.high is not None for v in (r.low, r.high)
    ]
    if ref is not None:
        values.append(ref)
    lo, hi = min(values), max(values)
    if rate:
        lo, hi = max(0.0, lo), min(1.0, hi)
    ticks = nice_ticks(lo, hi, 5)
    if rate:
        ticks = [t for t in ticks if 0.0 <= t <= 1.0] or [0.0, 1.0]
    first, last = ticks[0], ticks[-1]
    if last <= first:  # pragma: no cover - nice_ticks widens a flat range
        last = first + 1.0
    top = 24.0 if ref is not None else 8.0
    left, right = float(_LABEL_W), width - 26.0
    plot_h = _ROW * len(rows)
    height = top + plot_h + 30

    def px(value: float) -> float:
        value = min(max(value, first), last)
        return left + (right - left) * (value - first) / (last - first)

    tick_text = _rate_tick if rate else _money_tick
    body = []
    for tick in ticks:
        x = _f(px(tick))
        body.append(
            f'<line class="c-grid" x1="{x}" x2="{x}" y1="{_f(top)}" y2="{_f(top + plot_h)}" '
            f'stroke="#ddd" stroke-width="1"/>'
        )
        body.append(
            f'<text class="c-label" x="{x}" y="{_f(top + plot_h + 20)}" text-anchor="middle" '
            f'font-size="{_CI_FONT}" fill="#555">{escape(tick_text(tick))}</text>'
        )
    if ref is not None:
        x = _f(px(ref))
        body.append(
            f'<line class="c-zero" x1="{x}" x2="{x}" y1="{_f(top - 4)}" y2="{_f(top + plot_h)}" '
            f'stroke="#888" stroke-width="1.5" stroke-dasharray="4 3"/>'
        )
        anchor = "end" if px(ref) > (left + right) / 2 else "start"
        nudge = -4 if anchor == "end" else 4
        body.append(
            f'<text class="c-label" x="{_f(px(ref) + nudge)}" y="{_f(top - 8)}" '
            f'text-anchor="{anchor}" font-size="{_CI_FONT - 1}" fill="#555">'
            f"{escape(reference_label)}</text>"
        )
    for i, r in enumerate(rows):
        y = top + _ROW * i + _ROW / 2
        parts = [
            f'<text class="c-label c-key" x="{_f(left - 10)}" y="{_f(y)}" text-anchor="end" '
            f'dominant-baseline="middle" font-size="{_CI_FONT}" fill="#555">'
            f"{escape(_chart_text(r.label, _LABEL_CHARS))}</text>"
        ]
        if r.value is None:
            parts.append(
                f'<text class="c-label" x="{_f(left + 4)}" y="{_f(y)}" '
                f'dominant-baseline="middle" font-size="{_CI_FONT - 1}" fill="#555">'
                "no closed trades</text>"
            )
        else:
            if r.low is not None and r.high is not None:
                x1, x2 = _f(px(r.low)), _f(px(r.high))
                cap1, cap2 = _f(y - 6), _f(y + 6)
                parts.append(
                    f'<path class="c-whisker" d="M{x1} {_f(y)}H{x2}M{x1} {cap1}V{cap2}'
                    f'M{x2} {cap1}V{cap2}" fill="none" stroke="#2563eb" stroke-width="2"/>'
                )
            dot = "c-dot c-dot-muted" if r.muted else "c-dot"
            fill = "none" if r.muted else "#2563eb"
            parts.append(
                f'<circle class="{dot}" cx="{_f(px(r.value))}" cy="{_f(y)}" r="5.5" '
                f'fill="{fill}" stroke="#2563eb" stroke-width="2"/>'
            )
        tip = f"<title>{escape(r.words.translate(CONTROLS_AND_BIDI))}</title>" if r.words else ""
        muted = ' class="c-muted" opacity="0.6"' if r.muted else ""
        body.append(f"<g{muted}>{tip}{''.join(parts)}</g>")
    words = [r.words.translate(CONTROLS_AND_BIDI) for r in rows if r.words]
    alt = f"{title}: " + "; ".join(words[:12])
    if len(words) > 12:
        alt += f"; and {len(words) - 12} more"
    return _svg(width, height, alt, body, "c-ci")
