"""Per-day mergeable aggregates. Pure: values in, values out.

A :class:`Partial` summarises an ordered run of trades so that
``merge(partial(a), partial(b)) == partial(a + b)`` exactly, for any split. Window
summaries are folds of per-day partials in date order; nothing re-reads trades.

Money is exact ``Decimal``. R-multiples are rationals; each is rounded half-even to
18 places once, when the trade is made, so that their sums are exact and the
merge law holds to the last digit.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from operator import sub

import msgspec

ZERO = Decimal(0)
# Wide enough that sums of money and of 18-place R values (and their squares) are exact.
EXACT = Context(prec=120, rounding=ROUND_HALF_EVEN)
R_QUANTUM = Decimal("1e-18")


#: the key of a trade without a strategy_name (or without an action)
NO_KEY = "(none)"
#: the exit reason of a trade without exit_reasoning
NO_REASON = "unknown"

#: Hold-time buckets: (key, lower bound in seconds, upper bound in seconds). Each
#: bucket holds durations d with lower <= d < upper: the lower bound is inclusive,
#: the upper exclusive. Exactly 5 minutes is "5m-30m"; exactly one day is ">=1d".
HOLD_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("<5m", 0, 300),
    ("5m-30m", 300, 1_800),
    ("30m-2h", 1_800, 7_200),
    ("2h-1d", 7_200, 86_400),
    (">=1d", 86_400, None),
)
HOLD_KEYS = (*(key for key, _, _ in HOLD_BUCKETS), "unknown")
#: trades with neither hold_duration_seconds nor an exit time, or a negative duration
HOLD_UNKNOWN = len(HOLD_BUCKETS)

#: R histogram: buckets are right-closed, (lower, upper]; the first is R <= -2 and the
#: last R > 3. So R = 0 falls in (-1, 0] and R = 3 in (2, 3].
R_EDGES = tuple(Decimal(edge) for edge in (-2, -1, 0, 1, 2, 3))  # Decimals: cheap to compare
R_BUCKETS = len(R_EDGES) + 1
EMPTY_HIST = (0,) * R_BUCKETS


_HOLD_EDGES = tuple(low for _, low, _ in HOLD_BUCKETS[1:])


def hold_bucket(seconds: Decimal | float | int | None) -> int:
    """The index in HOLD_BUCKETS of a hold time; HOLD_UNKNOWN when None or negative."""
    if seconds is None or seconds < 0:
        return HOLD_UNKNOWN
    return bisect_right(_HOLD_EDGES, seconds)  # edges equal to ``seconds`` count: [lo, hi)


def r_bucket(r: Decimal) -> int:
    """The index of the R histogram bucket holding ``r`` (see R_EDGES)."""
    return bisect_left(R_EDGES, r)  # edges equal to ``r`` do not count: (lo, hi]


class Trade(msgspec.Struct, frozen=True, gc=False):
    """One trade after identity resolution, reduced to what the aggregates need."""

    day: dt.date  # local date it is attributed to
    when: dt.datetime  # attribution instant (exit time when closed, else entry)
    file: int  # order of its log file, then its line: tie-breakers within a day
    line: int
    outcome: str  # win | loss | breakeven | open
    pnl: Decimal | None  # closed: net P&L (0 when missing); open: profit_loss or None
    symbol: str
    strategy: str
    r: Decimal | None = None  # R multiple when closed with a usable stop
    risk_reward: Decimal | None = None
    commission: Decimal | None = None
    slippage: Decimal | None = None
    pnl_missing: bool = False
    gross: Decimal | None = None  # closed: profit_loss, else its P&L (before costs)
    side: str = NO_KEY  # the record's action
    hour: int = 0  # entry hour, 0..23, in the configured time zone
    weekday: int = 0  # entry weekday, 0 = Monday .. 6 = Sunday, same zone
    hold: int = HOLD_UNKNOWN  # index into HOLD_BUCKETS
    mode: str = "UNKNOWN"  # the record's execution_mode (its book), UNKNOWN without one
    version: str = "unknown · unknown"  # bot_version · config_hash, missing parts unknown
    exit_reason: str = NO_REASON  # the record's exit_reasoning, NO_REASON without one

    @property
    def closed(self) -> bool:
        return self.outcome != "open"


def r_multiple(
    pnl: Decimal, price: Decimal | None, stop: Decimal | None, quantity: Decimal | None
) -> Decimal | None:
    """R = P&L / (|price − stop_loss| × quantity); None without a usable stop."""
    if price is None or stop is None or quantity is None or quantity <= 0 or price == stop:
        return None
    risk = EXACT.multiply(abs(EXACT.subtract(price, stop)), quantity)
    return EXACT.divide(pnl, risk).quantize(R_QUANTUM, context=EXACT)


# A breakdown cell: closed, wins, losses, net, gross_profit, gross_loss, r_n, r_sum,
# commission, slippage, pnl_sumsq (Σ P&L², for the expectancy's interval), r_sumsq
# (Σ R²). A plain tuple keeps partials small and cheap to merge.
Cell = tuple[
    int, int, int, Decimal, Decimal, Decimal, int, Decimal, Decimal, Decimal, Decimal, Decimal
]
EMPTY_CELL: Cell = (0, 0, 0, ZERO, ZERO, ZERO, 0, ZERO, ZERO, ZERO, ZERO, ZERO)
CELL_SIZE = len(EMPTY_CELL)


def _cell_add(a: Cell, b: Cell) -> Cell:
    add = EXACT.add
    return (
        a[0] + b[0],
        a[1] + b[1],
        a[2] + b[2],
        add(a[3], b[3]),
        add(a[4], b[4]),
        add(a[5], b[5]),
        a[6] + b[6],
        add(a[7], b[7]),
        add(a[8], b[8]),
        add(a[9], b[9]),
        add(a[10], b[10]),
        add(a[11], b[11]),
    )


#: When a version was traded (its closed trades only): the attribution instant (µs since
#: the epoch) and local date of its first closed trade, then of its last one.
Span = tuple[int, dt.date, int, dt.date]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def _micros(instant: dt.datetime) -> int:
    return (instant - _EPOCH) // _MICROSECOND


def _merge_spans(a: dict[str, Span], b: dict[str, Span]) -> dict[str, Span]:
    """The spans of ``a``'s trades followed by ``b``'s. The earlier first trade wins and
    the later last trade; on a tie (the same microsecond) ``a``'s first and ``b``'s last,
    which come first and last in trade order (by file, then line)."""
    if not a:
        return b
    if not b:
        return a
    out = dict(a)
    for key, span in b.items():
        old = out.get(key)
        if old is None:
            out[key] = span
            continue
        first = old if old[0] <= span[0] else span
        last = span if span[2] >= old[2] else old
        out[key] = (first[0], first[1], last[2], last[3])
    return out


def _merge_maps(a: dict[str, Cell], b: dict[str, Cell]) -> dict[str, Cell]:
    if not a:
        return b
    if not b:
        return a
    out = dict(a)
    for key, cell in b.items():
        out[key] = _cell_add(out[key], cell) if key in out else cell
    return out


class Streaks(msgspec.Struct, frozen=True, gc=False):
    """Runs of wins and losses; breakevens neither extend nor break a run.

    ``head``/``tail`` are the first and last runs as (type, length), type "win" or
    "loss"; ``uniform`` says the whole sequence is one run.
    """

    head_type: str | None = None
    head_len: int = 0
    tail_type: str | None = None
    tail_len: int = 0
    max_win: int = 0
    max_loss: int = 0
    uniform: bool = True


def streaks_of(outcomes: list[str]) -> Streaks:
    runs: list[list] = []
    for outcome in outcomes:
        if outcome not in ("win", "loss"):
            continue
        if runs and runs[-1][0] == outcome:
            runs[-1][1] += 1
        else:
            runs.append([outcome, 1])
    if not runs:
        return Streaks()
    return Streaks(
        head_type=runs[0][0],
        head_len=runs[0][1],
        tail_type=runs[-1][0],
        tail_len=runs[-1][1],
        max_win=max((n for kind, n in runs if kind == "win"), default=0),
        max_loss=max((n for kind, n in runs if kind == "loss"), default=0),
        uniform=len(runs) == 1,
    )


def merge_streaks(a: Streaks, b: Streaks) -> Streaks:
    if a.head_type is None:
        return b
    if b.head_type is None:
        return a
    joined = a.tail_type == b.head_type
    span = a.tail_len + b.head_len if joined else 0
    return Streaks(
        head_type=a.head_type,
        head_len=a.head_len + b.head_len if a.uniform and joined else a.head_len,
        tail_type=b.tail_type,
        tail_len=a.tail_len + b.tail_len if b.uniform and joined else b.tail_len,
        max_win=max(a.max_win, b.max_win, span if b.head_type == "win" else 0),
        max_loss=max(a.max_loss, b.max_loss, span if b.head_type == "loss" else 0),
        uniform=a.uniform and b.uniform and joined,
    )


class Equity(msgspec.Struct, frozen=True, gc=False):
    """The closed-trade equity curve c_1..c_n (c_0 = 0), relative to its start.

    The at-peak trades (t, c_t), with c_t ≥ max(0, c_1..c_{t-1}), carry everything the
    drawdown duration needs for any incoming gap below the peak. They are kept packed,
    their t in ``ts`` and their c_t in ``cs`` (comma-separated, in order; c_t never
    decreases): a day has hundreds, every day's partial is kept for the whole history,
    and a fold reads every t but only the few c_t its bisection looks at.
    ``low`` = min(0, c_t); ``dd`` = min over t of (c_t − running peak).
    """

    n: int = 0
    total: Decimal = ZERO
    peak: Decimal = ZERO  # max(0, c_t)
    low: Decimal = ZERO
    dd: Decimal = ZERO
    ts: str = ""
    cs: str = ""
    #: set by fold_equity, which drops the points: the duration they would give
    duration: int | None = None

    def times(self) -> list[int]:
        """The t of each at-peak point, in order."""
        return list(map(int, self.ts.split(","))) if self.ts else []

    def heights(self) -> Sequence[Decimal]:
        """The c_t of each at-peak point, in order, parsed only where read."""
        return _Heights(self.cs.split(",") if self.cs else [])

    def max_duration(self) -> int:
        """Longest run of consecutive trades below the running peak (peak starts at 0)."""
        if self.duration is not None:
            return self.duration
        times = [0, *self.times(), self.n + 1]  # the start, the at-peak trades, the end
        return _widest(times)


def _widest(times: Sequence[int]) -> int:
    """The most trades strictly between two consecutive ``times`` (0 for fewer than 2)."""
    return max(map(sub, times[1:], times[:-1]), default=1) - 1


class _Heights(Sequence[Decimal]):
    def __init__(self, texts: list[str]) -> None:
        self.texts = texts

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, i):  # type: ignore[override]
        return Decimal(self.texts[i])


def equity_of(pnls: list[Decimal]) -> Equity:
    total = peak = low = dd = ZERO
    ts, cs = [], []
    for t, pnl in enumerate(pnls, 1):
        total = EXACT.add(total, pnl)
        if total >= peak:
            peak = total
            ts.append(str(t))
            cs.append(str(total))
        low = min(low, total)
        dd = min(dd, EXACT.subtract(total, peak))
    return Equity(len(pnls), total, peak, low, dd, ",".join(ts), ",".join(cs))


class EquityFold:
    """The equity of parts added in order, as ``merge_equity`` would give it, but
    without building the merged points: for a window's summary, the end of the line.
    Walks each part's own points once (O(points), no shifted copies), and holds no part:
    a window's days can be read one at a time."""

    def __init__(self) -> None:
        self.n, self.total, self.peak, self.low, self.dd = 0, ZERO, ZERO, ZERO, ZERO
        self.run = self.best = 0

    def add(self, e: Equity) -> None:
        if not e.n:
            return
        with localcontext(EXACT):
            gap = self.peak - self.total  # how far below its peak the curve stands
            self.dd = min(self.dd, e.dd, e.low - gap)
            self.low = min(self.low, self.total + e.low)
            self.peak = max(self.peak, self.total + e.peak)
            heights = e.heights()
            k = bisect_left(heights, gap)  # first point back at the peak
            if k == len(heights):
                self.run += e.n
            else:
                times = e.times()[k:]
                self.best = max(self.best, self.run + times[0] - 1, _widest(times))
                self.run = e.n - times[-1]
            self.best = max(self.best, self.run)
            self.n += e.n
            self.total += e.total

    def result(self) -> Equity:
        return Equity(self.n, self.total, self.peak, self.low, self.dd, "", "", self.best)


def fold_equity(parts: Iterable[Equity]) -> Equity:
    """The equity of ``parts`` in order (see EquityFold)."""
    fold = EquityFold()
    for e in parts:
        fold.add(e)
    return fold.result()


def merge_equity(a: Equity, b: Equity) -> Equity:
    if a.n == 0:
        return b
    if b.n == 0:
        return a
    gap = EXACT.subtract(a.peak, a.total)  # how far below its peak ``a`` ends
    heights = b.heights()
    k = bisect_left(heights, gap)  # b's points from k on are at-peak in a + b
    ts = [str(a.n + t) for t in b.times()[k:]]
    cs = [str(EXACT.add(a.total, heights[i])) for i in range(k, len(heights))]
    return Equity(
        n=a.n + b.n,
        total=EXACT.add(a.total, b.total),
        peak=max(a.peak, EXACT.add(a.total, b.peak)),
        low=min(a.low, EXACT.add(a.total, b.low)),
        dd=min(a.dd, b.dd, EXACT.subtract(b.low, gap)),
        ts=",".join(x for x in (a.ts, *ts) if x),
        cs=",".join(x for x in (a.cs, *cs) if x),
    )


class Partial(msgspec.Struct, frozen=True, gc=False):
    """Everything the window metrics need, for an ordered run of trades."""

    trades_total: int = 0
    trades_open: int = 0
    wins: int = 0
    losses: int = 0
    breakevens: int = 0
    net: Decimal = ZERO
    gross_profit: Decimal = ZERO
    gross_loss: Decimal = ZERO
    largest_win: Decimal | None = None
    largest_loss: Decimal | None = None
    rr_n: int = 0
    rr_sum: Decimal = ZERO
    r_n: int = 0
    r_sum: Decimal = ZERO
    r_sumsq: Decimal = ZERO
    commission: Decimal = ZERO
    slippage: Decimal = ZERO
    unrealized: Decimal = ZERO
    unrealized_n: int = 0
    streaks: Streaks = Streaks()
    equity: Equity = Equity()
    daily: dict[dt.date, Decimal] = {}  # net P&L per local date with closed trades
    by_symbol: dict[str, Cell] = {}
    by_strategy: dict[str, Cell] = {}
    gross_pnl: Decimal = ZERO  # Σ gross P&L (profit_loss, else P&L) of closed trades
    r_hist: tuple[int, ...] = EMPTY_HIST  # closed trades with R per bucket (R_EDGES)
    rr_r_n: int = 0  # closed trades with both R and a planned risk_reward_ratio
    rr_r_hits: int = 0  # ... whose R reached the planned R:R (R >= risk_reward_ratio)
    daily_closed: dict[dt.date, int] = {}  # closed trades per local date
    by_side: dict[str, Cell] = {}
    by_hour: dict[str, Cell] = {}  # "00" .. "23"
    by_weekday: dict[str, Cell] = {}  # "Mon" .. "Sun"
    by_hold: dict[str, Cell] = {}  # HOLD_KEYS
    by_exit: dict[str, Cell] = {}  # exit_reasoning (NO_REASON without one)
    by_mode: dict[str, Cell] = {}  # execution_mode (book)
    #: per version (bot_version · config_hash); its keys, like every map's here, are in
    #: order of first appearance, and merge() keeps that order (``a``'s keys first)
    by_version: dict[str, Cell] = {}
    version_span: dict[str, Span] = {}  # per version: its first and last closed trade

    @property
    def trades_closed(self) -> int:
        return self.wins + self.losses + self.breakevens


def _opt(fn, a, b):
    if a is None:
        return b
    if b is None:
        return a
    return fn(a, b)


def from_trades(trades: list[Trade]) -> Partial:
    """The partial of ``trades``, which must already be in time order."""
    wins = losses = breakevens = opened = rr_n = r_n = unrealized_n = rr_r_n = rr_r_hits = 0
    net = gp = gl = rr_sum = r_sum = r_sumsq = comm = slip = unrealized = gross = ZERO
    largest_win = largest_loss = None
    closed_pnls: list[Decimal] = []
    outcomes: list[str] = []
    daily: dict[dt.date, Decimal] = {}
    daily_closed: dict[dt.date, int] = {}
    hist = [0] * R_BUCKETS
    # One cell per (symbol, strategy, mode, version) and one per (side, hour, weekday,
    # hold), rolled up into the eight maps at the end: a day has few such combinations,
    # and two cell updates per trade cost less than eight. Each cell also holds its
    # first and last trade, for the versions' spans.
    cells: tuple[dict, dict] = ({}, {})
    with localcontext(EXACT):  # plain operators below are exact
        for t in trades:
            outcome = t.outcome
            if outcome == "open":
                opened += 1
                if t.pnl is not None:
                    unrealized += t.pnl
                    unrealized_n += 1
                continue
            pnl = t.pnl if t.pnl is not None else ZERO
            outcomes.append(outcome)
            closed_pnls.append(pnl)
            net += pnl
            win = outcome == "win"
            loss = outcome == "loss"
            if win:
                wins += 1
                gp += pnl
                if largest_win is None or pnl > largest_win:
                    largest_win = pnl
            elif loss:
                losses += 1
                gl += pnl
                if largest_loss is None or pnl < largest_loss:
                    largest_loss = pnl
            else:
                breakevens += 1
            rr = t.risk_reward
            if rr is not None:
                rr_n += 1
                rr_sum += rr
            r = t.r
            if r is not None:
                r_n += 1
                r_sum += r
                r2 = r * r
                r_sumsq += r2
                hist[bisect_left(R_EDGES, r)] += 1  # r_bucket(r), inlined: per trade
                if rr is not None:
                    rr_r_n += 1
                    if r >= rr:
                        rr_r_hits += 1
            c = t.commission or ZERO
            s = t.slippage or ZERO
            comm += c
            slip += s
            gross += pnl if t.gross is None else t.gross
            day = t.day
            daily[day] = daily.get(day, ZERO) + pnl
            daily_closed[day] = daily_closed.get(day, 0) + 1
            pnl2 = pnl * pnl
            for table, key in (
                (cells[0], (t.symbol, t.strategy, t.mode, t.version)),
                (cells[1], (t.side, t.hour, t.weekday, t.hold, t.exit_reason)),
            ):
                cell = table.get(key)
                if cell is None:
                    cell = table[key] = [*EMPTY_CELL, t, t]  # and its first and last trade
                else:
                    cell[13] = t
                cell[0] += 1
                if win:
                    cell[1] += 1
                    cell[4] += pnl
                elif loss:
                    cell[2] += 1
                    cell[5] += pnl
                cell[3] += pnl
                cell[10] += pnl2
                if r is not None:
                    cell[6] += 1
                    cell[7] += r
                    cell[11] += r2
                cell[8] += c
                cell[9] += s
    return Partial(
        trades_total=len(trades),
        trades_open=opened,
        wins=wins,
        losses=losses,
        breakevens=breakevens,
        net=net,
        gross_profit=gp,
        gross_loss=gl,
        largest_win=largest_win,
        largest_loss=largest_loss,
        rr_n=rr_n,
        rr_sum=rr_sum,
        r_n=r_n,
        r_sum=r_sum,
        r_sumsq=r_sumsq,
        commission=comm,
        slippage=slip,
        unrealized=unrealized,
        unrealized_n=unrealized_n,
        streaks=streaks_of(outcomes),
        equity=equity_of(closed_pnls),
        daily=daily,
        gross_pnl=gross,
        r_hist=tuple(hist),
        rr_r_n=rr_r_n,
        rr_r_hits=rr_r_hits,
        daily_closed=daily_closed,
        **_roll_up(
            cells[0], ("by_symbol", "by_strategy", "by_mode", "by_version"), lambda combo: combo
        ),
        **_roll_up(
            cells[1], ("by_side", "by_hour", "by_weekday", "by_hold", "by_exit"), _slot_keys
        ),
        version_span=_spans(cells[0]),
    )


def _spans(combined: dict[tuple, list]) -> dict[str, Span]:
    """Each version's first and last closed trade, from the cells of the (symbol,
    strategy, mode, version) combinations, which are in order of first appearance."""
    ends: dict[str, tuple[Trade, Trade]] = {}
    for combo, cell in combined.items():
        first, last = cell[12], cell[13]
        old = ends.get(combo[3])
        if old is not None:  # a later combination: its first trade is not earlier; its
            # last one is later when it comes later in trade order (ties on the time too)
            first = old[0]
            if (last.when, last.file, last.line) < (old[1].when, old[1].file, old[1].line):
                last = old[1]
        ends[combo[3]] = (first, last)
    return {
        version: (_micros(first.when), first.day, _micros(last.when), last.day)
        for version, (first, last) in ends.items()
    }


_HOURS = tuple(f"{h:02d}" for h in range(24))
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _slot_keys(combo: tuple[str, int, int, int, str]) -> tuple[str, str, str, str, str]:
    side, hour, weekday, hold, exit_reason = combo
    return side, _HOURS[hour], WEEKDAYS[weekday], HOLD_KEYS[hold], exit_reason


def _roll_up(
    combined: dict[tuple, list], names: tuple[str, ...], keys: Callable[[tuple], tuple]
) -> dict[str, dict[str, Cell]]:
    """The maps ``names`` from the cells of key combinations; ``keys`` gives each
    combination's key in each map."""
    maps: list[dict[str, Cell]] = [{} for _ in names]
    for combo, cell in combined.items():
        value = tuple(cell[:CELL_SIZE])
        for table, key in zip(maps, keys(combo), strict=True):
            table[key] = _cell_add(table[key], value) if key in table else value
    return dict(zip(names, maps, strict=True))


def merge(a: Partial, b: Partial) -> Partial:
    """The partial of ``a``'s trades followed by ``b``'s. Associative; Partial() is neutral."""
    add = EXACT.add
    daily = dict(a.daily)
    for day, pnl in b.daily.items():
        daily[day] = add(daily[day], pnl) if day in daily else pnl
    return Partial(
        trades_total=a.trades_total + b.trades_total,
        trades_open=a.trades_open + b.trades_open,
        wins=a.wins + b.wins,
        losses=a.losses + b.losses,
        breakevens=a.breakevens + b.breakevens,
        net=add(a.net, b.net),
        gross_profit=add(a.gross_profit, b.gross_profit),
        gross_loss=add(a.gross_loss, b.gross_loss),
        largest_win=_opt(max, a.largest_win, b.largest_win),
        largest_loss=_opt(min, a.largest_loss, b.largest_loss),
        rr_n=a.rr_n + b.rr_n,
        rr_sum=add(a.rr_sum, b.rr_sum),
        r_n=a.r_n + b.r_n,
        r_sum=add(a.r_sum, b.r_sum),
        r_sumsq=add(a.r_sumsq, b.r_sumsq),
        commission=add(a.commission, b.commission),
        slippage=add(a.slippage, b.slippage),
        unrealized=add(a.unrealized, b.unrealized),
        unrealized_n=a.unrealized_n + b.unrealized_n,
        streaks=merge_streaks(a.streaks, b.streaks),
        equity=merge_equity(a.equity, b.equity),
        daily=daily,
        by_symbol=_merge_maps(a.by_symbol, b.by_symbol),
        by_strategy=_merge_maps(a.by_strategy, b.by_strategy),
        gross_pnl=add(a.gross_pnl, b.gross_pnl),
        r_hist=tuple(x + y for x, y in zip(a.r_hist, b.r_hist, strict=True)),
        rr_r_n=a.rr_r_n + b.rr_r_n,
        rr_r_hits=a.rr_r_hits + b.rr_r_hits,
        daily_closed=_merge_counts(a.daily_closed, b.daily_closed),
        by_side=_merge_maps(a.by_side, b.by_side),
        by_hour=_merge_maps(a.by_hour, b.by_hour),
        by_weekday=_merge_maps(a.by_weekday, b.by_weekday),
        by_hold=_merge_maps(a.by_hold, b.by_hold),
        by_exit=_merge_maps(a.by_exit, b.by_exit),
        by_mode=_merge_maps(a.by_mode, b.by_mode),
        by_version=_merge_maps(a.by_version, b.by_version),
        version_span=_merge_spans(a.version_span, b.version_span),
    )


def _merge_counts(a: dict, b: dict) -> dict:
    if not a:
        return b
    if not b:
        return a
    out = dict(a)
    for key, n in b.items():
        out[key] = out.get(key, 0) + n
    return out


def merge_stream(parts: Iterable[Partial]) -> Partial:
    """Merge ``parts`` in order, pairwise as a balanced tree would (a long history costs
    O(n log n), not O(n²): maps are copied by each merge), holding only O(log n)
    partials: ``parts`` may be read one at a time."""
    stack: list[tuple[int, Partial]] = []  # merged runs, oldest first, sizes decreasing
    for part in parts:
        size = 1
        while stack and stack[-1][0] == size:
            below, earlier = stack.pop()
            part = merge(earlier, part)
            size += below
        stack.append((size, part))
    if not stack:
        return Partial()
    merged = stack[-1][1]
    for _, earlier in reversed(stack[:-1]):
        merged = merge(earlier, merged)
    return merged
