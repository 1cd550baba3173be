"""Kept trade tables of recent days, so re-rendering a daily page (its "next" link
changes when the following day arrives, an open trade gets closed) does not read its
log files again.

A day's table is kept as one fragment per log file that contributes to it, in
``<artifacts>/.sitegen-cache/rows/<day>_<file date>.json``: a fragment stays valid
while its file (checksum, rewritten closed trades, time zone) is unchanged, so a new
file only adds its own fragment. Open trades are kept with their order id and dropped
when shown if a later file closed them. Only the most recent days are kept: older
pages rarely change, and when their logs do, reading them is due anyway.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec

from sitegen.history import History
from sitegen.site.pages import DayTable, TradeRow, trade_rows
from sitegen.writer import atomic_write

#: days, counted back from the last day of the data, whose tables are kept
KEEP_DAYS = 14


class Fragment(msgspec.Struct):
    """The rows one file contributes to one day's table, in the file's line order."""

    key: str
    sort: list[tuple[int, int]]  # (attribution instant in µs, line)
    rows: list[list[str]]
    pnl: list[Decimal | None]  # a closed trade's P&L; None for an open trade
    order_ids: list[str | None]  # an open trade's order id


class RowCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.built = 0  # fragments made (their file read) in this process

    def _path(self, day: dt.date, name: str) -> Path:
        return self.folder / f"{day.isoformat()}_{name.removesuffix('.jsonl')}.json"

    def fragment(self, history: History, day: dt.date, fi: int, tz: ZoneInfo) -> Fragment:
        name, key = history.digests[fi].name, history.file_key(fi)
        path = self._path(day, name)
        try:
            found = msgspec.json.decode(path.read_bytes(), type=Fragment)
            if found.key == key and all(len(row) == len(TradeRow._fields) for row in found.rows):
                return found
        except (OSError, msgspec.DecodeError, msgspec.ValidationError):
            pass
        pairs = history.file_day_trades(fi, day, keep_replaced=True)
        rows = trade_rows(pairs, tz)
        made = Fragment(
            key=key,
            sort=[(_micros(t.when), t.line) for t, _ in pairs],
            rows=[list(row) for row in rows],
            pnl=[None if t.outcome == "open" else t.pnl for t, _ in pairs],
            order_ids=[
                None if t.outcome != "open" or rec.order_id in (None, "") else str(rec.order_id)
                for t, rec in pairs
            ],
        )
        atomic_write(path, msgspec.json.encode(made))
        self.built += 1
        return made

    def table(self, history: History, day: dt.date, tz: ZoneInfo) -> DayTable:
        """The day's table from its files' fragments, merged in time order (ties by
        file, then line), without the open trades a later file closed."""
        entries = []
        for fi in history.day_files.get(day, ()):
            frag = self.fragment(history, day, fi, tz)
            replaced = history.replaced_opens.get(fi, frozenset())
            for (when, line), row, pnl, oid in zip(
                frag.sort, frag.rows, frag.pnl, frag.order_ids, strict=True
            ):
                if pnl is None and oid is not None and oid in replaced:
                    continue
                entries.append(((when, fi, line), TradeRow(*row), pnl))
        entries.sort(key=lambda entry: entry[0])
        rows = tuple(row for _, row, _ in entries)
        closed = [(row, pnl) for _, row, pnl in entries if pnl is not None]
        return DayTable(
            rows, tuple(pnl for _, pnl in closed), tuple(row.time[:5] for row, _ in closed)
        )

    def prune(self, keep_from: dt.date) -> None:
        """Drop the fragments of days before ``keep_from``."""
        if not self.folder.is_dir():
            return
        for path in self.folder.glob("*.json"):
            with contextlib.suppress(ValueError, OSError):
                if dt.date.fromisoformat(path.stem[:10]) < keep_from:
                    path.unlink()


def _micros(instant: dt.datetime) -> int:
    from sitegen.digest import micros

    return micros(instant)
