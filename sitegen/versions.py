"""Versions: the by_version rows of a window summary and the all summary's
version_change, from a merged partial. Pure: values in, JSON-ready values out.

A version is ``bot_version · config_hash``. Its rows come in order of first appearance:
by the attribution instant of its first closed trade, ties (the same microsecond) in
trade order, by file then line, which is the order the merged maps keep. The
definitions are in sitegen/registry.py and docs/summary-format.md.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from sitegen import depth, stats
from sitegen.partials import EXACT, Cell, Partial
from sitegen.stats import Sample

Number = Callable[[Decimal], str]

BETTER, WORSE, NOT_YET_CLEAR = "better", "worse", "not_yet_clear"
#: why version_change is null
NO_CLOSED_TRADES = "no closed trades"
ONLY_ONE_VERSION = "only one version"
#: how each comparison names its values: (field, what is counted, what is compared)
COMPARED = (
    ("expectancy", "closed trades", "P&L"),
    ("avg_r_multiple", "closed trades with a usable stop", "R multiples"),
)


def in_order(p: Partial) -> list[str]:
    """The versions with closed trades, in order of first appearance."""
    keys = [key for key, cell in p.by_version.items() if cell[0]]
    # stable: versions first seen in the same microsecond keep the maps' order
    keys.sort(key=lambda key: p.version_span[key][0])
    return keys


def version_rows(p: Partial, money: Number, quotient: Number) -> list[dict]:
    """One row per version with closed trades in the window, in order of first
    appearance: its first and last day, the by_symbol row's fields, average R, SQN and
    profit factor, and why each null one is null."""
    rows = []
    for key in in_order(p):
        cell = p.by_version[key]
        _, first_day, _, last_day = p.version_span[key]
        closed, wins, losses, net, gross_profit, gross_loss, r_n, r_sum = cell[:8]
        why: dict[str, str] = {}
        win_low, win_high = depth.win_rate_interval(cell, quotient, why)
        exp_low, exp_high = depth.expectancy_interval(cell, quotient, why)
        div = EXACT.divide
        if r_n:
            avg_r = quotient(div(r_sum, Decimal(r_n)))
        else:
            avg_r = None
            why["avg_r_multiple"] = "no closed trades with a usable stop"
        sqn, reason = stats.sqn_of(r_n, r_sum, cell[11])
        if sqn is None:
            why["sqn"] = reason or "undefined"
        if gross_loss:
            pf = quotient(div(gross_profit, abs(gross_loss)))
        else:
            pf = None
            why["profit_factor"] = depth.profit_factor_reason(losses)
        rows.append(
            {
                "key": key,
                "first_day": first_day.isoformat(),
                "last_day": last_day.isoformat(),
                "trades_closed": closed,
                "wins": wins,
                "win_rate": quotient(div(Decimal(wins), Decimal(closed))),
                "win_rate_low": win_low,
                "win_rate_high": win_high,
                "net_pnl": money(net),
                "expectancy": quotient(div(net, Decimal(closed))),
                "expectancy_low": exp_low,
                "expectancy_high": exp_high,
                "avg_r_multiple": avg_r,
                "r_trades": r_n,
                "sqn": None if sqn is None else quotient(sqn),
                "profit_factor": pf,
                "undefined_reasons": why,
            }
        )
    return rows


def _samples(cell: Cell) -> tuple[Sample, Sample]:
    """A version's closed-trade P&L and its R multiples, as samples."""
    return Sample(cell[0], cell[3], cell[10]), Sample(cell[6], cell[7], cell[11])


def _sides(previous: bool, latest: bool) -> str:
    if previous and latest:
        return "both versions"
    return "the previous version" if previous else "the latest version"


def compare(previous: Sample, latest: Sample, counted: str, values: str, quotient: Number) -> dict:
    """The latest version's mean against the previous one's: the difference, its Welch
    95% interval, the verdict and how many more trades per version would likely settle
    it (see stats.more_per_side). ``counted`` names what n counts, ``values`` the
    values, for the reasons."""
    why: dict[str, str] = {}
    diff = stats.difference(previous, latest)
    if diff is None:
        why["difference"] = f"no {counted} in " + _sides(not previous.n, not latest.n)
    low = high = None
    few = (previous.n < 2, latest.n < 2)
    if any(few):
        reason = f"fewer than 2 {counted} in " + _sides(*few)
    elif previous.spread() <= 0 and latest.spread() <= 0:
        reason = f"{values} have zero spread in both versions"
    else:
        reason = None
        bounds = stats.welch_interval(previous, latest)
        low, high = quotient(bounds[0]), quotient(bounds[1])
    if reason is not None:
        why["low"] = why["high"] = reason
    # the verdict reads the bounds as written, so that it agrees with them
    if low is not None and Decimal(low) > 0:
        verdict = BETTER
    elif high is not None and Decimal(high) < 0:
        verdict = WORSE
    else:
        verdict = NOT_YET_CLEAR
    more = None
    if verdict != NOT_YET_CLEAR:
        why["more_trades_needed"] = "the interval already excludes 0"
    elif reason is not None:
        why["more_trades_needed"] = reason
    else:
        more = stats.more_per_side(previous, latest)
        if more is None:
            why["more_trades_needed"] = "the difference is 0"
    return {
        "difference": None if diff is None else quotient(diff),
        "low": low,
        "high": high,
        "verdict": verdict,
        "n_previous": previous.n,
        "n_latest": latest.n,
        "more_trades_needed": more,
        "undefined_reasons": why,
    }


def version_change(p: Partial, quotient: Number, why: dict[str, str]) -> dict | None:
    """The latest version (by first appearance) against the one before it; None with
    the reason in ``why`` when there are fewer than two versions."""
    keys = in_order(p)
    if len(keys) < 2:
        why["version_change"] = ONLY_ONE_VERSION if keys else NO_CLOSED_TRADES
        return None
    previous, latest = keys[-2], keys[-1]
    before, after = _samples(p.by_version[previous]), _samples(p.by_version[latest])
    out: dict = {"previous": previous, "latest": latest}
    for i, (field, counted, values) in enumerate(COMPARED):
        out[field] = compare(before[i], after[i], counted, values, quotient)
    return out


# --- in plain words ----------------------------------------------------------------------

#: how each comparison reads, and the places its values are shown with
WORDS = {
    "expectancy": ("Expectancy (P&L per closed trade)", "closed trades", "0.01"),
    "avg_r_multiple": ("Average R (per closed trade with a usable stop)", "trades", "0.001"),
}
VERDICT_WORDS = {
    BETTER: "better: the whole 95% interval is above 0",
    WORSE: "worse: the whole 95% interval is below 0",
    NOT_YET_CLEAR: "not yet clear: the 95% interval includes 0",
}


def _shown(value: str, places: str, sign: bool = False) -> str:
    """A written quotient rounded half-even for reading ('-5.12'), '+' on a gain when
    ``sign``."""
    try:
        shown = Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_EVEN)
    except (InvalidOperation, TypeError):
        return str(value)
    if not shown:
        shown = shown.copy_abs()
    return f"+{shown}" if sign and shown > 0 else str(shown)


def change_words(change: dict, show: Callable[[str], str]) -> list[str]:
    """version_change in plain words: a heading sentence, then one sentence per
    comparison. ``show`` renders text from the logs (the version keys); every other
    word is sitegen's own."""
    lines = [
        f"Latest version {show(change['latest'])} against the one before it, "
        f"{show(change['previous'])}:"
    ]
    for field, (title, counted, places) in WORDS.items():
        c = change[field]
        why = c.get("undefined_reasons") or {}
        if c["difference"] is None:
            lines.append(f"{title}: n/a ({why.get('difference', 'undefined')}).")
            continue
        text = (
            f"{title}: {_shown(c['difference'], places, sign=True)} "
            f"({c['n_latest']} {counted} against {c['n_previous']}"
        )
        if c["low"] is None:
            text += f"; no interval: {why.get('low', 'undefined')}"
        else:
            text += f"; 95% interval {_shown(c['low'], places)} to {_shown(c['high'], places)}"
        text += f"), {VERDICT_WORDS[c['verdict']]}"
        more = c["more_trades_needed"]
        if more is not None:
            text += (
                f"; about {more:,} more {counted} per version would likely settle it, "
                "if the difference and the spreads stayed as they are"
            )
        lines.append(text + ".")
    return lines
