"""A hand-made all-time summary with versions and books (``by_version``, ``by_mode``,
``version_change``) as the summary format defines them: three versions (the middle one
a small sample, the latest with undefined figures), two books, and a version change
that is better on one measure and not yet clear on the other."""

from __future__ import annotations

import copy

V1, V2, V3 = "1.4.2 · abc123", "1.5.0 · d4e5f6", "1.6.0 · 0a1b2c"


def _row(key: str, closed: int, wins: int, **fields) -> dict:
    row = {
        "key": key,
        "trades_closed": closed,
        "wins": wins,
        "win_rate": None,
        "win_rate_low": None,
        "win_rate_high": None,
        "net_pnl": "0",
        "expectancy": None,
        "expectancy_low": None,
        "expectancy_high": None,
        "undefined_reasons": {},
    }
    row.update(fields)
    return row


def _version(key: str, first: str, last: str, closed: int, wins: int, **fields) -> dict:
    row = _row(key, closed, wins, first_day=first, last_day=last)
    row.update(
        {"avg_r_multiple": None, "r_trades": 0, "sqn": None, "profit_factor": None}, **fields
    )
    return row


BY_VERSION = [
    _version(
        V1,
        "2025-06-02",
        "2025-09-12",
        1200,
        640,
        win_rate="0.533333",
        win_rate_low="0.505047",
        win_rate_high="0.561411",
        net_pnl="14520.00",
        expectancy="12.100000",
        expectancy_low="3.250000",
        expectancy_high="20.950000",
        avg_r_multiple="0.110000",
        r_trades=1180,
        sqn="1.920000",
        profit_factor="1.180000",
    ),
    _version(
        V2,
        "2025-09-15",
        "2025-09-19",
        24,
        9,
        win_rate="0.375000",
        win_rate_low="0.211628",
        win_rate_high="0.572889",
        net_pnl="-310.80",
        expectancy="-12.950000",
        expectancy_low="-41.200000",
        expectancy_high="15.300000",
        avg_r_multiple="-0.080000",
        r_trades=24,
        sqn="-0.410000",
        profit_factor="0.820000",
    ),
    _version(
        V3,
        "2025-09-22",
        "2025-11-14",
        182,
        104,
        win_rate="0.571429",
        win_rate_low="0.498797",
        win_rate_high="0.641156",
        net_pnl="1541.54",
        expectancy="8.470000",
        expectancy_low="-2.600000",
        expectancy_high="19.540000",
        avg_r_multiple="0.210000",
        r_trades=175,
        sqn=None,
        profit_factor=None,
        undefined_reasons={"sqn": "stdev of R is 0", "profit_factor": "no losing trades"},
    ),
]

BY_MODE = [
    _row(
        "PAPER",
        840,
        452,
        win_rate="0.538095",
        win_rate_low="0.504265",
        win_rate_high="0.571567",
        net_pnl="11250.10",
        expectancy="13.393000",
        expectancy_low="3.900000",
        expectancy_high="22.886000",
    ),
    _row(
        "LIVE",
        566,
        301,
        win_rate="0.531802",
        win_rate_low="0.490633",
        win_rate_high="0.572543",
        net_pnl="4500.64",
        expectancy="7.951661",
        expectancy_low="-3.420000",
        expectancy_high="19.323322",
    ),
]

VERSION_CHANGE = {
    "previous": V2,
    "latest": V3,
    "expectancy": {
        "difference": "21.420000",
        "low": "-3.100000",
        "high": "45.940000",
        "verdict": "not_yet_clear",
        "n_previous": 24,
        "n_latest": 182,
        "more_trades_needed": 57,
    },
    "avg_r_multiple": {
        "difference": "0.290000",
        "low": "0.020000",
        "high": "0.560000",
        "verdict": "better",
        "n_previous": 24,
        "n_latest": 175,
        "more_trades_needed": None,
    },
}


def all_summary() -> dict:
    """The fields of an all-time summary the compare page reads (a fresh copy)."""
    return copy.deepcopy(
        {
            "window": "all",
            "period": "all",
            "start": "2025-06-02",
            "end": "2025-11-14",
            "trades_closed": 1406,
            "win_rate": "0.535562",
            "undefined_reasons": {},
            "by_mode": BY_MODE,
            "by_version": BY_VERSION,
            "version_change": VERSION_CHANGE,
        }
    )


def with_versions(summary: dict) -> dict:
    """A real all-time summary with the hand-made versions, books and version change
    (for a site built before the engine computes them)."""
    made = all_summary()
    out = dict(summary)
    for field in ("by_mode", "by_version", "version_change"):
        out[field] = made[field]
    return out
