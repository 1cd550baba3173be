"""The trades of a day as rows for its page: values only (the site makes the HTML).

A daily page lists thousands of trades, and reading every log file a second time for
the pages would cost a cold build about a fifth more. So the scan stage, while a
file's records are in memory, keeps what a row shows of each trade of the file as one
:class:`Fragment` per local day it contributes to, in
``<artifacts>/.sitegen-cache/rows/<day>_<file date>.rows``. A fragment depends on its
file's bytes and the time zone only (its key says which): the rows of records a later
file supersedes are dropped when a day's rows are gathered, by order id. After a build
only the fragments of the last KEEP_DAYS days are kept (pages of recent days change
most: a new day changes its neighbour's "next" link, closes its open trades); an older
day whose fragment is gone reads its files again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import msgspec

from sitegen.digest import id_hash, micros, order_key
from sitegen.history import History
from sitegen.ingest import FileScan, TradeRecord, parse_time
from sitegen.partials import Trade
from sitegen.windows import zone
from sitegen.writer import atomic_write

#: the fragments' folder, in the cache folder (cache.CACHE_DIR)
ROWS_DIR = "rows"
#: days, counted back from the last day of the data, whose fragments are kept
KEEP_DAYS = 14
#: changes when a row's fields or the fragment layout change: older fragments are remade
FORMAT = "rows-4"
SUFFIX = ".rows"


class Row(NamedTuple):
    """What a daily page's trade table shows of one trade."""

    time: str  # local HH:MM:SS of its attribution instant
    symbol: str
    side: str | None  # the record's action
    quantity: Decimal | None
    price: Decimal | None
    outcome: str
    pnl: Decimal | None  # a closed trade's P&L; an open trade's unrealised P&L, if given
    r: Decimal | None
    strategy: str
    reasoning: str | None
    exit_reason: str | None
    entry: str  # local YYYY-MM-DDTHH:MM:SS of its entry
    exit: str | None  # the same of its exit (closed trades with an exit time)
    hold: Decimal | None  # seconds: hold_duration_seconds, else exit − entry
    stop: Decimal | None


def to_row(trade: Trade, rec: TradeRecord, tz: ZoneInfo) -> Row:
    entry = parse_time(rec.timestamp)
    exit_ = parse_time(rec.exit_timestamp) if trade.closed and rec.exit_timestamp else None
    hold = rec.hold_duration_seconds
    if hold is None and exit_ is not None:
        us = (exit_ - entry) // dt.timedelta(microseconds=1)
        hold = Decimal(us // 10**6) if us % 10**6 == 0 else Decimal(us).scaleb(-6)
    return Row(
        trade.when.astimezone(tz).time().isoformat("seconds"),
        trade.symbol,
        rec.action,
        rec.quantity,
        rec.price,
        trade.outcome,
        trade.pnl,
        trade.r,
        trade.strategy,
        rec.decision_reasoning,
        rec.exit_reasoning,
        _local(entry, tz),
        None if exit_ is None else _local(exit_, tz),
        hold,
        rec.stop_loss,
    )


def _local(instant: dt.datetime, tz: ZoneInfo) -> str:
    return instant.astimezone(tz).replace(tzinfo=None, microsecond=0).isoformat()


class Fragment(msgspec.Struct, array_like=True, gc=False):
    """The rows one log file contributes to one day, in the file's line order."""

    key: str  # fragment_key() of the file it was made from
    when: list[int]  # attribution instant, µs since the epoch
    line: list[int]
    oid: list[str | None]  # order id (a later file may supersede the record)
    rows: list[Row]


def fragment_key(
    timezone: str, name: str, checksum: str, modes: Iterable[str] | None = None
) -> str:
    """What a fragment depends on: its file's bytes, the time zone and the modes
    analysed (its rows are those of the analysed records only)."""
    chosen = "*" if modes is None else ",".join(sorted(modes))
    return f"{FORMAT}:{timezone}:{chosen}:{name}:{checksum}"


def make_fragments(
    pairs: Iterable[tuple[Trade, TradeRecord]], key: str, tz: ZoneInfo
) -> dict[dt.date, Fragment]:
    """The fragments of one file's kept records (``pairs`` in line order), by day."""
    out: dict[dt.date, Fragment] = {}
    for trade, rec in pairs:
        frag = out.get(trade.day)
        if frag is None:
            frag = out[trade.day] = Fragment(key, [], [], [], [])
        frag.when.append(micros(trade.when))
        frag.line.append(trade.line)
        frag.oid.append(order_key(rec.order_id))
        frag.rows.append(to_row(trade, rec, tz))
    return out


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Fragment)


def fragment_path(folder: Path, day: dt.date, name: str) -> Path:
    return folder / f"{day.isoformat()}_{name.removesuffix('.jsonl')}{SUFFIX}"


def write_fragments(
    folder: Path,
    timezone: str,
    modes: Iterable[str] | None,
    scan: FileScan,
    pairs: Sequence[tuple[Trade, TradeRecord]],
    checksum: str,
) -> None:
    """Keep the rows of a file just read (the scan stage's OnFile, in its workers);
    ``pairs`` are its analysed records (of ``modes``; None: every mode)."""
    key = fragment_key(timezone, scan.name, checksum, modes)
    _keep(folder, scan.name, make_fragments(pairs, key, zone(timezone)))


def _keep(folder: Path, name: str, fragments: dict[dt.date, Fragment]) -> None:
    """Write fragments; they are a cache: one that cannot be written (a full disk, a
    read-only folder) is made again from its log file when its page needs it."""
    for day, frag in fragments.items():
        with contextlib.suppress(OSError):
            atomic_write(fragment_path(folder, day, name), _encoder.encode(frag))


class DayRows:
    """A day's rows in time order (ties by file, then line), without the records a
    later file superseded: from the kept fragments, or else from the day's log files.
    The provider of trade rows the site is handed."""

    def __init__(self, history: History, folder: Path | None) -> None:
        self.history = history
        self.folder = folder
        self.tz = zone(history.timezone)

    @property
    def reads(self) -> int:
        """Log files read back in this process (for rows, or identity cases)."""
        return getattr(self.history.rescan, "reads", 0)

    def __call__(self, day: dt.date) -> list[Row]:
        if self.folder is None:
            return [to_row(t, rec, self.tz) for t, rec in self.history.trades.get(day, [])]
        keys: list[tuple[int, int, int, int]] = []  # (when, file, line, row number)
        rows: list[Row] = []
        history = self.history
        for fi in history.day_files.get(day, ()):
            frag = self.fragment(day, fi)
            gone = history.excluded.get(fi, frozenset()) | history.replaced_opens.get(
                fi, frozenset()
            )
            for i, oid in enumerate(frag.oid):
                if not gone or oid is None or id_hash(oid) not in gone:
                    keys.append((frag.when[i], fi, frag.line[i], len(rows)))
                    rows.append(frag.rows[i])
        keys.sort()  # tuples compare in C: time, then file, then line (rows are unique)
        return [rows[key[3]] for key in keys]

    def fragment(self, day: dt.date, fi: int) -> Fragment:
        assert self.folder is not None
        dg = self.history.digests[fi]
        key = fragment_key(self.history.timezone, dg.name, dg.hash, self.history.modes)
        path = fragment_path(self.folder, day, dg.name)
        with contextlib.suppress(OSError, msgspec.DecodeError, msgspec.ValidationError):
            found = _decoder.decode(path.read_bytes())
            if found.key == key:
                return found
        if self.history.rescan is None:
            raise RuntimeError("this history cannot read its log files back")
        scan = self.history.rescan(self.history.digests[fi])
        made = make_fragments(self.history.file_pairs(fi, scan), key, self.tz)
        _keep(self.folder, dg.name, made)
        return made.get(day) or Fragment(key, [], [], [], [])

    def prune(self, keep_from: dt.date) -> None:
        """Drop the fragments of days before ``keep_from``, and temp files of a killed
        build."""
        if self.folder is None or not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            with contextlib.suppress(ValueError, OSError):
                temp = path.name.startswith(".") and path.name.endswith(".tmp")
                if temp or dt.date.fromisoformat(path.name[:10]) < keep_from:
                    path.unlink()


# --- the drill-down pages' rows --------------------------------------------------------

#: the folder of each symbol's and strategy's kept rows, in the cache folder
KEY_ROWS_DIR = "keys"


class KeyRows(msgspec.Struct, array_like=True, gc=False):
    """The rows a symbol's or strategy's page lists, by day, each day with the key of
    what its rows are made of (drill.latest_rows reuses a day whose key is the same)."""

    key: str  # FORMAT, time zone, modes, kind and key: read back for its own key only
    days: list[tuple[str, str, list[Row]]]  # (ISO day, its inputs' key, rows in time order)


_key_rows_decoder = msgspec.msgpack.Decoder(KeyRows)


class KeyRowsStore:
    """Kept rows of the drill-down pages, a file per key: a page rendered again for a
    new day reads that day, not the older days its latest trades also lie on (whose
    fragments may be gone). A cache: a file that cannot be read is made again."""

    def __init__(self, folder: Path, timezone: str, modes: Iterable[str] | None) -> None:
        self.folder = folder
        # what a row is made of besides its day's files (as fragment_key says)
        self.context = fragment_key(timezone, "", "", modes)

    def _path(self, kind: str, key: str) -> Path:
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return self.folder / f"{kind}-{digest}{SUFFIX}"

    def _id(self, kind: str, key: str) -> str:
        return f"{self.context}:{kind}:{key}"

    def load(self, kind: str, key: str) -> dict[dt.date, tuple[str, list[Row]]]:
        with contextlib.suppress(OSError, msgspec.DecodeError, msgspec.ValidationError, ValueError):
            found = _key_rows_decoder.decode(self._path(kind, key).read_bytes())
            if found.key == self._id(kind, key):
                return {dt.date.fromisoformat(day): (k, rows) for day, k, rows in found.days}
        return {}

    def save(self, kind: str, key: str, days: dict[dt.date, tuple[str, list[Row]]]) -> None:
        kept = KeyRows(self._id(kind, key), [(d.isoformat(), k, r) for d, (k, r) in days.items()])
        with contextlib.suppress(OSError):
            atomic_write(self._path(kind, key), _encoder.encode(kept))

    def prune(self, keep: Iterable[tuple[str, str]]) -> None:
        """Drop the files of keys not in ``keep`` ((kind, key) pairs), and temp files."""
        wanted = {self._path(kind, key).name for kind, key in keep}
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.name not in wanted:
                with contextlib.suppress(OSError):
                    path.unlink()
