"""The analysed trades as rows, for a spreadsheet (CSV) or a script (JSONL).

One row per trade after identity resolution and the mode filter — open trades too —
in attribution order (local day, then time, then file and line), with exactly the
columns of ``COLUMNS``. Rows are made a day at a time from the days' log files, so
memory holds one day's trades, not the history's. Pure, except for reading the logs
back through the history it is given.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

from sitegen.history import History
from sitegen.ingest import TradeRecord, parse_time
from sitegen.partials import Trade

COLUMNS = (
    "day",
    "entry_time",
    "exit_time",
    "symbol",
    "strategy",
    "side",
    "quantity",
    "price",
    "stop_loss",
    "outcome",
    "pnl",
    "commission",
    "slippage",
    "r_multiple",
    "hold_seconds",
    "exit_reason",
    "order_id",
    "mode",
    "version",
    "file",
    "line",
)
FORMATS = ("csv", "jsonl")
#: columns holding text from the logs: in CSV one that a spreadsheet would read as a
#: formula is neutralised (see csv_safe); numbers and times are made here, never are
TEXT_COLUMNS = frozenset(
    {"symbol", "strategy", "side", "outcome", "exit_reason", "order_id", "mode", "version"}
)
_SIX = Decimal("0.000001")
#: rows written per chunk of output
CHUNK = 1000


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _local(instant: dt.datetime | None, tz: ZoneInfo) -> str | None:
    return None if instant is None else instant.astimezone(tz).isoformat()


def _time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return parse_time(text)
    except ValueError:  # (a valid record's times parse: the reader checked them)
        return None


def row(trade: Trade, record: TradeRecord, file: str, tz: ZoneInfo) -> dict:
    """One trade as a row of COLUMNS (None where absent; decimals as exact strings)."""
    entry = _time(record.timestamp)
    exit_ = _time(record.exit_timestamp) if trade.closed else None
    hold = record.hold_duration_seconds
    if hold is None and entry is not None and exit_ is not None:
        hold = Decimal((exit_ - entry) // dt.timedelta(microseconds=1)).scaleb(-6).normalize()
    r = trade.r
    return {
        "day": trade.day.isoformat(),
        "entry_time": _local(entry, tz),
        "exit_time": _local(exit_, tz),
        "symbol": record.symbol,
        "strategy": record.strategy_name or None,
        "side": record.action,
        "quantity": _decimal(record.quantity),
        "price": _decimal(record.price),
        "stop_loss": _decimal(record.stop_loss),
        "outcome": record.outcome,
        "pnl": _decimal(trade.pnl),
        "commission": _decimal(record.commission),
        "slippage": _decimal(record.slippage),
        "r_multiple": None if r is None else format(r.quantize(_SIX, ROUND_HALF_EVEN), "f"),
        "hold_seconds": _decimal(hold),
        "exit_reason": record.exit_reasoning,
        "order_id": None if record.order_id in (None, "") else str(record.order_id),
        "mode": trade.mode,
        "version": trade.version,
        "file": file,
        "line": trade.line,
    }


def trade_rows(
    history: History, tz: ZoneInfo, start: dt.date | None = None, end: dt.date | None = None
) -> Iterator[dict]:
    """The rows of the analysed trades of the local days ``start`` .. ``end`` (both
    optional), in attribution order, a day's files read at a time. ``history`` needs
    no partials: history.resolve_identity makes what this reads."""
    names = [dg.name for dg in history.digests]
    for day in sorted(history.day_files):
        if start is not None and day < start:
            continue
        if end is not None and day > end:
            break
        for trade, record in history.day_trades(day):
            yield row(trade, record, names[trade.file], tz)


def csv_safe(value: str) -> str:
    """A text value a spreadsheet shows as typed: one starting like a formula (=, +, -,
    @, a tab or a carriage return) gets a leading apostrophe, as OWASP recommends for
    CSV injection."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_chunks(rows: Iterable[dict]) -> Iterator[bytes]:
    """UTF-8 CSV with a header row; empty where absent; text from the logs quoted as
    needed and neutralised when formula-like."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(COLUMNS)
    for n, r in enumerate(rows, 1):
        out.writerow(
            ""
            if r[c] is None
            else csv_safe(r[c])
            if c in TEXT_COLUMNS and isinstance(r[c], str)
            else r[c]
            for c in COLUMNS
        )
        if n % CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def jsonl_chunks(rows: Iterable[dict]) -> Iterator[bytes]:
    """One JSON object per line, keys in COLUMNS order; values as they are (null where
    absent, decimals as strings)."""
    lines: list[str] = []
    for r in rows:
        lines.append(json.dumps(r, ensure_ascii=False, separators=(",", ":")))
        if len(lines) == CHUNK:
            yield ("\n".join(lines) + "\n").encode("utf-8")
            lines = []
    if lines:
        yield ("\n".join(lines) + "\n").encode("utf-8")


def chunks(rows: Iterable[dict], fmt: str) -> Iterator[bytes]:
    if fmt not in FORMATS:
        raise ValueError(f"format: {fmt!r} is not one of {', '.join(FORMATS)}")
    return csv_chunks(rows) if fmt == "csv" else jsonl_chunks(rows)
