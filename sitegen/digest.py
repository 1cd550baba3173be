"""One scanned log file -> its FileDigest: what it contributes to each local day.

A digest is small (per-day partials, the file's open records, the ids of its closed
records), serialisable (the cache index stores it) and computed per file, so files
can be digested in parallel and an unchanged file is never read again.

Open trades are kept out of the partials: they add only counts and unrealised P&L,
so a later record superseding one (an open trade closed the next day) just drops
it. A closed record superseded from a later file, or two files whose trades
interleave within one day, are rare; history.py then re-reads those files.
Pure: no files, no clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from zoneinfo import ZoneInfo

import msgspec

from sitegen.ingest import (
    MAX_KEPT_PROBLEMS,
    UNKNOWN_MODE,
    FileScan,
    Problem,
    Record,
    TradeRecord,
    record_mode,
    record_version,
)
from sitegen.partials import (
    NO_KEY,
    NO_REASON,
    ZERO,
    Partial,
    Trade,
    from_trades,
    hold_bucket,
    r_multiple,
)
from sitegen.rules import TAIL

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)
SECOND = dt.timedelta(seconds=1)


def micros(instant: dt.datetime) -> int:
    """An aware instant as whole microseconds since the epoch (exact, sortable)."""
    return (instant - EPOCH) // MICROSECOND


def order_key(value: str | int | None) -> str | None:
    """The identity of a record: its order_id as text; None (or "") means none."""
    if value is None or value == "":
        return None
    return str(value)


#: bytes of an order id's hash (see id_hash)
ID_SIZE = 16


def id_hash(key: str) -> bytes:
    """An order id as 16 bytes (BLAKE2b-128). Identity resolution works on these, kept
    packed per file in its digest (FileDigest.closed_ids), not on the ids themselves. Two different
    ids share a hash with a probability of about n²/2^129 for n ids (below 10^-20 for a
    billion), so equal hashes are taken as equal ids."""
    return hashlib.blake2b(key.encode(), digest_size=ID_SIZE).digest()


def pack_ids(hashes: Iterable[bytes]) -> bytes:
    """Id hashes as one sorted concatenation (each ID_SIZE bytes)."""
    return b"".join(sorted(hashes))


def unpack_ids(packed: bytes) -> list[bytes]:
    """The hashes of a pack_ids() concatenation."""
    return [packed[i : i + ID_SIZE] for i in range(0, len(packed), ID_SIZE)]


def leading(packed: bytes, lo: int, hi: int) -> bytes:
    """The hashes of a sorted pack_ids() concatenation whose leading byte is in
    ``lo`` .. ``hi - 1``."""
    items = _Leading(packed)
    return packed[bisect_left(items, lo) * ID_SIZE : bisect_left(items, hi) * ID_SIZE]


class _Leading:
    """The leading byte of each hash of a packed concatenation (for bisect)."""

    def __init__(self, packed: bytes) -> None:
        self.packed = packed

    def __len__(self) -> int:
        return len(self.packed) // ID_SIZE

    def __getitem__(self, i: int) -> int:
        return self.packed[i * ID_SIZE]


#: a part with at most this many trades keeps them (an after-hours spill-over into the
#: next day, say), so a day whose files interleave can be rebuilt without re-reading
SMALL_PART = 64


class Compact(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """A closed trade, as much of it as the partials need."""

    when: int  # attribution instant, µs since the epoch
    line: int
    outcome: str
    pnl: Decimal
    symbol: str
    strategy: str
    r: Decimal | None
    risk_reward: Decimal | None
    commission: Decimal | None
    slippage: Decimal | None
    pnl_missing: bool
    gross: Decimal | None
    side: str
    hour: int
    weekday: int
    hold: int
    mode: str
    version: str
    exit_reason: str

    def trade(self, day: dt.date, file_index: int) -> Trade:
        return Trade(  # day, when, file, line, outcome, pnl, symbol, strategy
            day,
            EPOCH + self.when * MICROSECOND,
            file_index,
            self.line,
            self.outcome,
            self.pnl,
            self.symbol,
            self.strategy,
            r=self.r,
            risk_reward=self.risk_reward,
            commission=self.commission,
            slippage=self.slippage,
            pnl_missing=self.pnl_missing,
            gross=self.gross,
            side=self.side,
            hour=self.hour,
            weekday=self.weekday,
            hold=self.hold,
            mode=self.mode,
            version=self.version,
            exit_reason=self.exit_reason,
        )


# The tails of a day's closed trades are kept packed in one string each: a digest is
# kept per file for the whole history, and a tuple of 500 objects per day adds up.
_OUTCOME_CHAR = {"win": "w", "loss": "l", "breakeven": "b"}
_CHAR_OUTCOME = {c: o for o, c in _OUTCOME_CHAR.items()}


def pack_outcomes(outcomes: Iterable[str]) -> str:
    return "".join(_OUTCOME_CHAR[o] for o in outcomes)


def unpack_outcomes(packed: str) -> tuple[str, ...]:
    return tuple(_CHAR_OUTCOME[c] for c in packed)


def pack_decimals(values: Iterable[Decimal]) -> str:
    return ",".join(map(str, values))


def join_tail(a: str, b: str, keep: int, sep: str = "") -> str:
    """The last ``keep`` items of packed tails ``a`` then ``b`` (items split by ``sep``,
    or one character each when ``sep`` is empty)."""
    if not sep:
        return (a + b)[-keep:]
    items = [x for x in (a, b) if x]
    return sep.join(sep.join(items).split(sep)[-keep:]) if items else ""


def compact(t: Trade) -> Compact:
    return Compact(
        micros(t.when),
        t.line,
        t.outcome,
        t.pnl,
        t.symbol,
        t.strategy,
        t.r,
        t.risk_reward,
        t.commission,
        t.slippage,
        t.pnl_missing,
        t.gross,
        t.side,
        t.hour,
        t.weekday,
        t.hold,
        t.mode,
        t.version,
        t.exit_reason,
    )


class DayPart(msgspec.Struct, frozen=True, gc=False):
    """The closed trades one file contributes to one local date, in time order."""

    first: int  # attribution instant of the first and last trade, µs since the epoch
    first_line: int
    last: int
    last_line: int
    partial: Partial
    tail: str  # pack_outcomes() of the last TAIL closed trades
    tail_rr: str  # pack_decimals() of the planned R:R of the last TAIL closed trades with one
    missing_pnl: tuple[tuple[int, str | None], ...] = ()  # (line, order_id)
    trades: tuple[Compact, ...] | None = None  # the trades themselves, for small parts
    modes: dict[str, int] = {}  # its closed trades per execution_mode (book)


class OpenRecord(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """An open trade: counted until a later record with its order_id supersedes it."""

    order_id: str | None
    line: int
    day: dt.date
    pnl: Decimal | None
    mode: str = UNKNOWN_MODE


class Excluded(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """Records of a book a build does not analyse (a mode not selected), of one local
    date and mode: they take part in identity (a later record of their order_id
    supersedes them, and they supersede earlier ones) and are counted in
    ``data_quality.excluded_by_mode``, nothing else."""

    day: dt.date
    mode: str
    count: int


#: bytes of the index of an Excluded entry, per excluded order id (FileDigest.excluded_slots)
SLOT_SIZE = 4


class _Ids(Sequence[bytes]):
    """The hashes of a pack_ids() concatenation, read in place (for bisect)."""

    def __init__(self, packed: bytes) -> None:
        self.packed = packed

    def __len__(self) -> int:
        return len(self.packed) // ID_SIZE

    def __getitem__(self, i):  # type: ignore[override]
        return self.packed[i * ID_SIZE : (i + 1) * ID_SIZE]


class FileDigest(msgspec.Struct, frozen=True, gc=False):
    """What one log file contributes; the cache index stores one per file."""

    name: str
    date: dt.date
    size: int
    mtime_ns: int
    hash: str
    complete: bool  # ends with a newline: nothing is being written to it
    lines: int
    problems: tuple[Problem, ...]
    in_progress: int | None
    parts: msgspec.Raw  # JSON of {date: DayPart}: decoded by day_parts() only when needed
    opens: tuple[OpenRecord, ...]
    closed_ids: bytes  # pack_ids() of the order ids of the closed records it counts
    superseded: int  # records replaced by a later line of the same file
    part_days: tuple[dt.date, ...] = ()  # the local dates of its parts, in order
    more_problems: int = 0  # bad lines beyond the first MAX_KEPT_PROBLEMS, counted only
    #: its counted records of the modes a build does not analyse, per local date and mode
    #: (sorted); excluded_ids: pack_ids() of their order ids; excluded_slots: for each of
    #: those ids in that order, the index of its entry in ``excluded`` (SLOT_SIZE bytes,
    #: big-endian)
    excluded: tuple[Excluded, ...] = ()
    excluded_ids: bytes = b""
    excluded_slots: bytes = b""

    @property
    def skipped_lines(self) -> int:
        """Its bad lines (and a file-level problem), all counted, reported or not."""
        return len(self.problems) + self.more_problems

    @property
    def has_records(self) -> bool:
        """Whether it holds a valid record (its date is then a log date), counted or
        superseded by a later line."""
        return bool(self.part_days or self.opens or self.superseded or self.excluded)

    def excluded_counts(self, gone: Iterable[bytes] = ()) -> dict[dt.date, dict[str, int]]:
        """Its excluded records per local date and mode, without those whose order id
        hash is in ``gone`` (superseded by a later file)."""
        counts = [e.count for e in self.excluded]
        ids = _Ids(self.excluded_ids)
        for h in gone:
            i = bisect_left(ids, h)
            if i < len(ids) and ids[i] == h:
                at = i * SLOT_SIZE
                counts[int.from_bytes(self.excluded_slots[at : at + SLOT_SIZE], "big")] -= 1
        out: dict[dt.date, dict[str, int]] = {}
        for e, n in zip(self.excluded, counts, strict=True):
            if n:
                out.setdefault(e.day, {})[e.mode] = n
        return out

    def day_parts(self) -> dict[dt.date, DayPart]:
        """What it contributes to each local date. (A digest is kept for every file of
        the history, and read for its parts once a build: they stay encoded, as the
        index holds them, and are written back to it as they are.)"""
        return _decode_parts(self.parts)

    def raw_parts(self) -> dict[dt.date, msgspec.Raw]:
        """day_parts(), each still encoded (see decode_part): cheap to read."""
        return _decode_raw_parts(self.parts)


_encode_parts = msgspec.json.Encoder().encode
_decode_parts = msgspec.json.Decoder(dict[dt.date, DayPart]).decode
_decode_raw_parts = msgspec.json.Decoder(dict[dt.date, msgspec.Raw]).decode
decode_part = msgspec.json.Decoder(DayPart).decode
NO_PARTS = msgspec.Raw(b"{}")


def bare(dg: FileDigest) -> FileDigest:
    """``dg`` without what its file contributes (parts, records, ids, problems): its
    name, date and stamp, enough to read the file back."""
    return msgspec.structs.replace(
        dg,
        problems=(),
        parts=NO_PARTS,
        opens=(),
        closed_ids=b"",
        part_days=(),
        excluded=(),
        excluded_ids=b"",
        excluded_slots=b"",
    )


def attribution_day(rec: Record, tz: ZoneInfo) -> dt.date:
    """The local date a record is attributed to (as to_trade attributes it): a closed
    one's exit time, else its entry time."""
    if rec.exit is not None and rec.trade.outcome != "open":
        return rec.exit.astimezone(tz).date()
    return rec.entry.astimezone(tz).date()


def selected(rec: Record, modes: frozenset[str] | None) -> bool:
    """Whether a record is analysed: its mode is one of ``modes`` (None: every mode)."""
    return modes is None or record_mode(rec.trade) in modes


def to_trade(rec: Record, file_index: int, tz: ZoneInfo) -> Trade:
    """A valid record as a Trade attributed to its local date."""
    t = rec.trade
    if t.outcome == "open":
        return Trade(
            day=rec.entry.astimezone(tz).date(),
            when=rec.entry,
            file=file_index,
            line=rec.line,
            outcome="open",
            pnl=t.profit_loss,
            symbol=t.symbol,
            strategy=t.strategy_name or NO_KEY,
            mode=record_mode(t),
            version=record_version(t),
        )
    when = rec.exit if rec.exit is not None else rec.entry
    pnl = t.net_profit_loss if t.net_profit_loss is not None else t.profit_loss
    missing = pnl is None
    if missing:
        pnl = ZERO
    entry = rec.entry.astimezone(tz)
    held = t.hold_duration_seconds
    if held is None and rec.exit is not None:
        held = (rec.exit - rec.entry) / SECOND
    # Every field goes by position: with keywords msgspec takes a slower path, and this
    # runs once per trade.
    return Trade(
        when.astimezone(tz).date() if rec.exit is not None else entry.date(),  # day
        when,
        file_index,
        rec.line,
        t.outcome,
        pnl,
        t.symbol,
        t.strategy_name or NO_KEY,
        r_multiple(pnl, t.price, t.stop_loss, t.quantity),  # r
        t.risk_reward_ratio,
        t.commission,
        t.slippage,
        missing,  # pnl_missing
        t.profit_loss if t.profit_loss is not None else pnl,  # gross
        t.action or NO_KEY,  # side
        entry.hour,
        entry.weekday(),
        hold_bucket(held),
        t.execution_mode or UNKNOWN_MODE,  # mode (record_mode, inlined)
        record_version(t),
        t.exit_reasoning or NO_REASON,  # exit_reason
    )


def sort_key(t: Trade) -> tuple:
    """Within a day: attribution time, then file, then line."""
    return (t.when, t.file, t.line)


def kept_records(scan: FileScan, exclude: frozenset[bytes] = frozenset()) -> list[Record]:
    """Records that count: the last line of each order id in the file, minus ``exclude``
    (id_hash() of the ids a later file supersedes)."""
    keys = [order_key(rec.trade.order_id) for rec in scan.records]
    last = {key: index for index, key in enumerate(keys) if key is not None}
    return [
        rec
        for index, (rec, key) in enumerate(zip(scan.records, keys, strict=True))
        if key is None or (last[key] == index and not (exclude and id_hash(key) in exclude))
    ]


def day_part(trades: list[Trade]) -> DayPart:
    """The DayPart of closed ``trades`` already in time order."""
    closed_rr = [t.risk_reward for t in trades if t.risk_reward is not None]
    return DayPart(
        first=micros(trades[0].when),
        first_line=trades[0].line,
        last=micros(trades[-1].when),
        last_line=trades[-1].line,
        partial=from_trades(trades),
        tail=pack_outcomes(t.outcome for t in trades[-TAIL:]),
        tail_rr=pack_decimals(closed_rr[-TAIL:]),
        missing_pnl=tuple((t.line, None) for t in trades if t.pnl_missing),
        trades=tuple(map(compact, trades)) if len(trades) <= SMALL_PART else None,
        modes=count_modes(trades),
    )


def count_modes(trades: Iterable[Trade]) -> dict[str, int]:
    """Closed trades per mode, in sorted key order."""
    counts = Counter(t.mode for t in trades if t.outcome != "open")
    return dict(sorted(counts.items()))


def digest(
    scan: FileScan,
    tz: ZoneInfo,
    *,
    size: int = 0,
    mtime_ns: int = 0,
    content_hash: str = "",
    complete: bool = True,
    exclude: frozenset[bytes] = frozenset(),
    modes: frozenset[str] | None = None,
) -> tuple[FileDigest, list[tuple[Trade, TradeRecord]]]:
    """The digest of one scanned file (``exclude``: hashes of closed ids superseded
    elsewhere; ``modes``: the modes analysed, None for every one); each analysed record
    as a Trade with its record, in line order (the scan stage makes the daily pages'
    trade rows from them).

    Identity comes first: the last line of each order id counts, whatever its mode;
    only then are the counted records of other modes set aside (``excluded``), with
    their ids, so that they still supersede, and are superseded, across files."""
    records = kept_records(scan, exclude)
    pairs = []
    by_day: dict[dt.date, list[Trade]] = defaultdict(list)
    opens, closed_ids = [], []
    ids_of_line: dict[int, str | None] = {}
    left_out: dict[tuple[dt.date, str], int] = {}
    left_out_ids: list[tuple[bytes, tuple[dt.date, str]]] = []
    for rec in records:
        key = order_key(rec.trade.order_id)
        if modes is not None:
            mode = record_mode(rec.trade)
            if mode not in modes:
                slot = (attribution_day(rec, tz), mode)
                left_out[slot] = left_out.get(slot, 0) + 1
                if key is not None:
                    left_out_ids.append((id_hash(key), slot))
                continue
        trade = to_trade(rec, 0, tz)
        pairs.append((trade, rec.trade))
        if trade.outcome == "open":
            opens.append(OpenRecord(key, rec.line, trade.day, trade.pnl, trade.mode))
            continue
        if key is not None:
            closed_ids.append(id_hash(key))
        if trade.pnl_missing:
            ids_of_line[rec.line] = key
        by_day[trade.day].append(trade)
    parts = {}
    for day in sorted(by_day):
        trades = sorted(by_day[day], key=sort_key)
        part = day_part(trades)
        if part.missing_pnl:
            part = msgspec.structs.replace(
                part, missing_pnl=tuple((line, ids_of_line[line]) for line, _ in part.missing_pnl)
            )
        parts[day] = part
    kept = records if not exclude else kept_records(scan)
    superseded = len(scan.records) - len(kept)  # by a later line of this file
    slots = sorted(left_out)
    slot_of = {slot: i for i, slot in enumerate(slots)}
    left_out_ids.sort()
    dg = FileDigest(
        name=scan.name,
        date=scan.date,
        size=size,
        mtime_ns=mtime_ns,
        hash=content_hash,
        complete=complete,
        lines=scan.lines,
        problems=scan.problems[:MAX_KEPT_PROBLEMS],
        in_progress=scan.in_progress_line,
        parts=msgspec.Raw(_encode_parts(parts)),
        opens=tuple(opens),
        closed_ids=pack_ids(closed_ids),
        superseded=superseded,
        part_days=tuple(parts),
        more_problems=max(0, len(scan.problems) - MAX_KEPT_PROBLEMS) + scan.more_problems,
        excluded=tuple(Excluded(day, mode, left_out[day, mode]) for day, mode in slots),
        excluded_ids=b"".join(h for h, _ in left_out_ids),
        excluded_slots=b"".join(
            slot_of[slot].to_bytes(SLOT_SIZE, "big") for _, slot in left_out_ids
        ),
    )
    return dg, pairs


def open_partial(opens: list[OpenRecord]) -> Partial:
    """The partial of open trades alone: counts and unrealised P&L (order-free)."""
    pnls = [o.pnl for o in opens if o.pnl is not None]
    total = ZERO
    for pnl in pnls:
        total += pnl
    return Partial(
        trades_total=len(opens), trades_open=len(opens), unrealized=total, unrealized_n=len(pnls)
    )
