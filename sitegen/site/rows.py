"""The trade table of a daily page: one HTML row per trade, made when its log file is
read, kept beside the index, and joined when the page is rendered.

A daily page lists thousands of trades; a Jinja2 loop over them was most of a cold
build. Rows are therefore made in plain Python (every text from the logs escaped) by
the scan stage, in its worker processes, while the records are in memory: the logs
are read once per build, not once for the digest and again for the page.

A log file's rows are kept as one :class:`Fragment` per local day it contributes to,
in ``<artifacts>/.sitegen-cache/rows/<day>_<file date>.rows``. A fragment depends on
its file's bytes and the time zone only (its key says which): the rows of records a
later file supersedes are dropped when the page is made, by order id. After a build
only the fragments of the last KEEP_DAYS days are kept (pages of recent days change
most: a new day changes its neighbour's "next" link, closes its open trades); an
older page whose fragment is gone reads its files again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import repeat
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import msgspec
from markupsafe import Markup, escape

from sitegen.digest import id_hash, micros, order_key
from sitegen.history import History
from sitegen.ingest import FileScan, TradeRecord
from sitegen.partials import Trade
from sitegen.site import fmt
from sitegen.windows import zone
from sitegen.writer import atomic_write

#: the fragments' folder, in the cache folder (cache.CACHE_DIR)
ROWS_DIR = "rows"
#: days, counted back from the last day of the data, whose fragments are kept
KEEP_DAYS = 14
#: changes when the row markup or the fragment layout changes: older fragments are remade
FORMAT = "rows-1"
SUFFIX = ".rows"

_SPECIAL = re.compile(r"[&<>\"']").search


def esc(text: str) -> str:
    """``text`` escaped for HTML (as Jinja2's autoescape does); most need nothing."""
    return str(escape(text)) if _SPECIAL(text) else text


@functools.lru_cache(maxsize=4096)
def esc_name(text: str) -> str:
    """esc() of the short texts a table repeats on every row (symbols, sides,
    strategies), remembered: a day has thousands of rows and a few dozen names."""
    return esc(text)


def clock(when: dt.datetime, tz: ZoneInfo) -> str:
    """An instant as local HH:MM:SS."""
    return when.astimezone(tz).time().isoformat("seconds")


# The table's numbers, as fmt.money / fmt.quantity / fmt.rounded write them, for the
# finite Decimals of a validated record: a row per trade, so without fmt's checks.


def money(value: Decimal, signed: bool = False) -> str:
    """fmt.money of a finite Decimal: exact, thousands separators, at least 2 places."""
    text = format(value, ",f")
    dot = text.find(".")
    if dot < 0:
        text += ".00"
    elif len(text) - dot == 2:
        text += "0"
    if not value:
        return text.removeprefix("-")
    return "+" + text if signed and value > 0 else text


def quantity(value: Decimal | None) -> str:
    """fmt.quantity of a finite Decimal (or None)."""
    return fmt.DASH if value is None else _quantity(value)


@functools.lru_cache(maxsize=4096)
def _quantity(value: Decimal) -> str:
    """Remembered: a table repeats a few quantities (and equal values have equal text:
    120 and 120.0 are both "120")."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return format(value.normalize(), ",f")


def rounded(value: Decimal, signed: bool = False) -> str:
    """fmt.rounded of a finite Decimal, to 2 places half-even."""
    number = value.quantize(fmt.CENT, rounding=ROUND_HALF_EVEN)
    text = format(number, ",f")
    if not number:
        return text.removeprefix("-")
    return "+" + text if signed and number > 0 else text


def r_text(trade: Trade) -> str:
    """A trade's R for the table; a closed trade without a usable stop says so."""
    if trade.r is not None:
        return rounded(trade.r, signed=True)
    return fmt.DASH if trade.outcome == "open" else "no stop"


def row_html(trade: Trade, rec: TradeRecord, time: str) -> str:
    """One ``<tr>`` of the trade table. Columns: time, symbol, side, quantity, price,
    outcome, P&L, R, strategy, reasoning (styled by position in style.css)."""
    pnl = trade.pnl
    if trade.outcome == "open":
        pnl_text = fmt.DASH if pnl is None else money(pnl, signed=True) + " unreal."
        pnl_cls = "muted"
    else:
        pnl_text = money(pnl, signed=True)
        pnl_cls = "pos" if pnl > 0 else "neg" if pnl < 0 else "zero"
    exit_text = rec.exit_reasoning
    return (
        f'<tr><td>{time}</td><th scope="row">{esc_name(trade.symbol)}</th>'
        f"<td>{esc_name(rec.action) if rec.action else fmt.DASH}</td>"
        f"<td>{quantity(rec.quantity)}</td>"
        f"<td>{fmt.DASH if rec.price is None else money(rec.price)}</td>"
        f'<td class="out-{trade.outcome}">{trade.outcome}</td>'
        f'<td class="{pnl_cls}">{pnl_text}</td><td>{r_text(trade)}</td>'
        f"<td>{esc_name(trade.strategy)}</td><td>{esc(rec.decision_reasoning or '')}"
        f"{'<span>Exit: ' + esc(exit_text) + '</span>' if exit_text else ''}</td></tr>\n"
    )


class Fragment(msgspec.Struct, array_like=True, gc=False):
    """The rows one log file contributes to one day's table, in the file's line order."""

    key: str  # fragment_key() of the file it was made from
    when: list[int]  # attribution instant, µs since the epoch
    line: list[int]
    html: list[str]
    pnl: list[Decimal | None]  # a closed trade's P&L; None for an open trade
    oid: list[str | None]  # order id (a later file may supersede the record)
    label: list[str]  # local HH:MM


def fragment_key(timezone: str, name: str, checksum: str) -> str:
    return f"{FORMAT}:{timezone}:{name}:{checksum}"


def make_fragments(
    pairs: Iterable[tuple[Trade, TradeRecord]], key: str, tz: ZoneInfo
) -> dict[dt.date, Fragment]:
    """The fragments of one file's kept records (``pairs`` in line order), by day."""
    out: dict[dt.date, Fragment] = {}
    for trade, rec in pairs:
        frag = out.get(trade.day)
        if frag is None:
            frag = out[trade.day] = Fragment(key, [], [], [], [], [], [])
        time = clock(trade.when, tz)
        frag.when.append(micros(trade.when))
        frag.line.append(trade.line)
        frag.html.append(row_html(trade, rec, time))
        frag.pnl.append(None if trade.outcome == "open" else trade.pnl)
        frag.oid.append(order_key(rec.order_id))
        frag.label.append(time[:5])
    return out


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Fragment)


def fragment_path(folder: Path, day: dt.date, name: str) -> Path:
    return folder / f"{day.isoformat()}_{name.removesuffix('.jsonl')}{SUFFIX}"


def write_fragments(
    folder: Path,
    timezone: str,
    scan: FileScan,
    pairs: Sequence[tuple[Trade, TradeRecord]],
    checksum: str,
) -> None:
    """Keep the rows of a file just read (called by the scan stage, in its workers)."""
    key = fragment_key(timezone, scan.name, checksum)
    _keep(folder, scan.name, make_fragments(pairs, key, zone(timezone)))


def _keep(folder: Path, name: str, fragments: dict[dt.date, Fragment]) -> None:
    """Write fragments; they are a cache: one that cannot be written (a full disk, a
    read-only folder) is made again from its log file when its page needs it."""
    for day, frag in fragments.items():
        with contextlib.suppress(OSError):
            atomic_write(fragment_path(folder, day, name), _encoder.encode(frag))


class DayTable(NamedTuple):
    """What a daily page shows of its trades: the rows, and the P&L of each closed trade
    in time order with its local HH:MM (for the equity chart)."""

    html: Markup
    count: int
    steps: tuple[Decimal, ...]
    labels: tuple[str, ...]


def day_table(pairs: Sequence[tuple[Trade, TradeRecord]], tz: ZoneInfo) -> DayTable:
    """A day's table from its trades in time order (each with its record)."""
    rows, steps, labels = [], [], []
    for trade, rec in pairs:
        time = clock(trade.when, tz)
        rows.append(row_html(trade, rec, time))
        if trade.outcome != "open":
            steps.append(trade.pnl)
            labels.append(time[:5])
    return DayTable(Markup("".join(rows)), len(rows), tuple(steps), tuple(labels))


class RowCache:
    """The kept fragments; a missing or stale one is made again from its log file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.built = 0  # log files read back for fragments in this process

    def fragment(self, history: History, day: dt.date, fi: int, tz: ZoneInfo) -> Fragment:
        dg = history.digests[fi]
        key = fragment_key(history.timezone, dg.name, dg.hash)
        path = fragment_path(self.folder, day, dg.name)
        with contextlib.suppress(OSError, msgspec.DecodeError, msgspec.ValidationError):
            found = _decoder.decode(path.read_bytes())
            if found.key == key:
                return found
        if history.rescan is None:
            raise RuntimeError("this history cannot read its log files back")
        scan = history.rescan(dg)
        pairs = history.file_pairs(fi, scan)
        self.built += 1
        made = make_fragments(pairs, key, tz)
        _keep(self.folder, dg.name, made)
        return made.get(day) or Fragment(key, [], [], [], [], [], [])

    def table(self, history: History, day: dt.date, tz: ZoneInfo) -> DayTable:
        """The day's table from its files' fragments, merged in time order (ties by
        file, then line), without the records a later file superseded."""
        keys: list[tuple[int, int, int, int]] = []  # (when, file, line, row number)
        html: list[str] = []
        pnl: list[Decimal | None] = []
        label: list[str] = []
        for fi in history.day_files.get(day, ()):
            frag = self.fragment(history, day, fi, tz)
            gone = history.excluded.get(fi, frozenset()) | history.replaced_opens.get(
                fi, frozenset()
            )
            keep = [
                i
                for i, oid in enumerate(frag.oid)
                if not gone or oid is None or id_hash(oid) not in gone
            ]
            start = len(html)
            keys += zip(
                (frag.when[i] for i in keep),
                repeat(fi, len(keep)),
                (frag.line[i] for i in keep),
                range(start, start + len(keep)),
                strict=True,
            )
            html += (frag.html[i] for i in keep)
            pnl += (frag.pnl[i] for i in keep)
            label += (frag.label[i] for i in keep)
        keys.sort()  # tuples compare in C: time, then file, then line (rows are unique)
        order = [key[3] for key in keys]
        closed = [i for i in order if pnl[i] is not None]
        return DayTable(
            Markup("".join([html[i] for i in order])),
            len(order),
            tuple(pnl[i] for i in closed),  # type: ignore[misc]
            tuple(label[i] for i in closed),
        )

    def prune(self, keep_from: dt.date) -> None:
        """Drop the fragments of days before ``keep_from``, and temp files of a killed
        build."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            with contextlib.suppress(ValueError, OSError):
                temp = path.name.startswith(".") and path.name.endswith(".tmp")
                if temp or dt.date.fromisoformat(path.name[:10]) < keep_from:
                    path.unlink()
