"""Deterministic generator of realistic demo trade logs.

``generate()`` writes one ``YYYY-MM-DD.jsonl`` file per UTC trading day in the
exact format of the bot's trade logger: one compact JSON object per line, all
27 fields in the logger's order, money as decimal strings with two places,
timestamps in ISO 8601 UTC with milliseconds and ``Z``.

The data is shaped to exercise the whole report:

* 8 symbols on their own random walks and 5 strategies with different edges
  (one of them loses money), BUY and SELL (short) trades, stops and targets on
  the correct side of the entry;
* roughly 50 % wins, 40 % losses, 5-10 % breakevens, a few open trades; market
  regimes that last several days, so there are losing streaks and drawdowns;
* open trades that are closed the next written day under the same
  ``order_id`` (the open record sits in the entry day's file, the closed one in
  the next file); the last open trade of the dataset stays open;
* after-hours trades at 23:40-23:59Z that exit after midnight UTC (written in
  the entry day's file) and trades at 00:10-03:00Z, which are the previous
  local day in America/New_York;
* one missing trading day in the middle of the range (when ``days >= 5``);
* about 1 record in 25 without a planned ``risk_reward_ratio`` or without a
  stop (``stop_loss`` null);
* a version change: ``bot_version`` and ``config_hash`` change about 60 % of
  the way through the range (``1.4.2`` to ``1.5.0``);
* every trade in the ``PAPER`` book, unless ``books`` (or ``live_from``) asks
  for a switch to ``LIVE``: from ``live_from`` on, by default about 40 % of the
  way through the range (before the version change). A position opened in
  paper is closed in paper, the next day.

Everything comes from ``random.Random(seed)``: the same arguments give
byte-identical files.  Money is computed in integer cents, so
``net_profit_loss == profit_loss - commission`` holds exactly, and every
``profit_loss`` is ``quantity`` times a whole-cent price move.

Files are written atomically (a temporary file in ``out_dir``, then a link or a
rename).  A folder of logs may hold the bot's real ones: unless ``force`` is
given, nothing is written when any file this call would write already exists.
Files it does not write (for example the missing day of an earlier run with
another seed) are always left alone.
"""

from __future__ import annotations

import datetime
import math
import os
import random
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from sitegen.errors import ConfigError
from sitegen.writer import atomic_write, why, write_new

__all__ = ["MAX_DAYS", "MAX_PER_DAY", "generate"]

#: at most this many trading days (a century) and mean trades per day
MAX_DAYS = 36_500
MAX_PER_DAY = 100_000


class DemoArgumentError(ConfigError, ValueError):
    """An argument of generate() out of range (a ValueError, as for any function)."""


_MIN_MS = 60_000
_HOUR_MS = 3_600_000
_DAY_MS = 86_400_000
_SESSION_OPEN_MS = 13 * _HOUR_MS + 30 * _MIN_MS  # 13:30Z
_SESSION_CLOSE_MS = 20 * _HOUR_MS  # 20:00Z

# Probability that a closed trade ends flat (profit_loss "0.00").
_P_BREAKEVEN = 0.07

# symbol, start price in cents, daily volatility, selection weight
_SYMBOLS: tuple[tuple[str, int, float, int], ...] = (
    ("NVDA", 17_450, 0.026, 16),
    ("AAPL", 23_220, 0.014, 10),
    ("MSFT", 50_640, 0.012, 9),
    ("TSLA", 33_380, 0.034, 14),
    ("AMD", 16_210, 0.029, 11),
    ("META", 74_560, 0.019, 9),
    ("SPY", 64_380, 0.008, 17),
    ("QQQ", 57_090, 0.010, 14),
)

# Market regimes: (win-probability shift, transition row to (hot, normal, cold)).
_REGIME_SHIFT = (0.06, 0.0, -0.25)
_REGIME_NEXT = ((0.70, 1.00, 1.00), (0.10, 0.90, 1.00), (0.00, 0.35, 1.00))

_WIN_PARTIAL_EXITS = (
    "trailing stop hit",
    "time exit in profit",
    "momentum fading, took profit",
    "scaled out into strength",
)
_LOSS_PARTIAL_EXITS = (
    "time stop",
    "reversal signal",
    "cut loss before close",
    "setup invalidated, lost VWAP",
)
_BREAKEVEN_EXITS = ("stopped out at breakeven", "flat exit, no follow-through")


@dataclass(frozen=True, slots=True)
class _Strategy:
    name: str
    entry_type: str
    weight: int
    p_long: float  # probability of a BUY (else SELL short)
    p_win: float  # P(win | not breakeven) in a normal regime
    rr: tuple[float, float]  # planned reward:risk range
    risk: tuple[float, float]  # stop distance as a fraction of the price
    hold: tuple[int, int]  # holding time range in seconds (log-uniform)
    window: tuple[int, int]  # entry window, ms of the UTC day
    p_target: float  # P(win exits at the target | win)
    p_stop: float  # P(loss exits at the stop | loss)
    indicators: tuple[str, ...]  # pre-encoded JSON arrays
    long_reasons: tuple[str, ...]  # "%d.%02d" is a price level in dollars and cents
    short_reasons: tuple[str, ...]


_STRATEGIES: tuple[_Strategy, ...] = (
    _Strategy(
        name="bull-flag-breakout",
        entry_type="breakout",
        weight=25,
        p_long=1.0,
        p_win=0.62,
        rr=(1.8, 2.5),
        risk=(0.003, 0.008),
        hold=(300, 5400),
        window=(_SESSION_OPEN_MS, _SESSION_CLOSE_MS),
        p_target=0.6,
        p_stop=0.75,
        indicators=(
            '["VWAP","EMA-9"]',
            '["VWAP","EMA-9","Volume"]',
            '["EMA-9","EMA-20","Volume"]',
        ),
        long_reasons=(
            "flag breakout above %d.%02d on volume",
            "tight bull flag, break of %d.%02d with rising volume",
            "flag reclaim of %d.%02d, EMA-9 holding",
        ),
        short_reasons=(),
    ),
    _Strategy(
        name="vwap-reversion",
        entry_type="pullback",
        weight=20,
        p_long=0.55,
        p_win=0.66,
        rr=(0.9, 1.4),
        risk=(0.002, 0.006),
        hold=(180, 2700),
        window=(_SESSION_OPEN_MS + 15 * _MIN_MS, _SESSION_CLOSE_MS),
        p_target=0.55,
        p_stop=0.7,
        indicators=('["VWAP","RSI-14"]', '["VWAP","Bollinger-20"]', '["VWAP","RSI-14","ATR-14"]'),
        long_reasons=(
            "RSI-14 < 30 & reclaim of VWAP at %d.%02d",
            "stretched below VWAP, bounce off %d.%02d",
            "lower band tag at %d.%02d, reverting to VWAP",
        ),
        short_reasons=(
            "RSI-14 > 70 & rejection at %d.%02d",
            "stretched above VWAP, failed push at %d.%02d",
            "upper band tag at %d.%02d, reverting to VWAP",
        ),
    ),
    _Strategy(
        name="opening-range-breakout",
        entry_type="breakout",
        weight=20,
        p_long=0.6,
        p_win=0.57,
        rr=(1.5, 2.2),
        risk=(0.003, 0.009),
        hold=(300, 7200),
        window=(_SESSION_OPEN_MS + 5 * _MIN_MS, _SESSION_OPEN_MS + 90 * _MIN_MS),
        p_target=0.55,
        p_stop=0.75,
        indicators=('["ORB-15","VWAP"]', '["ORB-15","VWAP","Volume"]', '["ORB-30","Volume"]'),
        long_reasons=(
            "break of opening range high %d.%02d",
            "15-min range high %d.%02d taken out on volume",
        ),
        short_reasons=(
            "break of opening range low %d.%02d",
            "15-min range low %d.%02d lost on volume",
        ),
    ),
    _Strategy(
        name="momentum-scalp",
        entry_type="momentum",
        weight=20,
        p_long=0.6,
        p_win=0.60,
        rr=(0.8, 1.2),
        risk=(0.0015, 0.004),
        hold=(30, 900),
        window=(_SESSION_OPEN_MS, _SESSION_CLOSE_MS),
        p_target=0.5,
        p_stop=0.65,
        indicators=('["EMA-9","MACD"]', '["EMA-9","EMA-20","Level2"]', '["Tape","Level2"]'),
        long_reasons=(
            "tape accelerating through %d.%02d",
            "EMA-9 cross up, bid stacking at %d.%02d",
            "momentum push over %d.%02d",
        ),
        short_reasons=(
            "tape accelerating down through %d.%02d",
            "EMA-9 cross down, offers stacking at %d.%02d",
            "momentum flush under %d.%02d",
        ),
    ),
    _Strategy(
        name="gap-fade",
        entry_type="reversal",
        weight=15,
        p_long=0.25,
        p_win=0.42,
        rr=(1.0, 1.5),
        risk=(0.004, 0.010),
        hold=(600, 7200),
        window=(_SESSION_OPEN_MS + 5 * _MIN_MS, _SESSION_OPEN_MS + 150 * _MIN_MS),
        p_target=0.5,
        p_stop=0.75,
        indicators=('["Gap%","RSI-14"]', '["Gap%","VWAP"]', '["Gap%","RSI-14","VWAP"]'),
        long_reasons=(
            "gap down | buyers defending %d.%02d",
            "gap-down fade, reclaim of %d.%02d",
        ),
        short_reasons=(
            "gap up | fading below %d.%02d",
            "gap-up exhaustion, lost %d.%02d",
            "overextended gap, rejection at %d.%02d",
        ),
    ),
)
_SCALP = 3  # index of momentum-scalp, used for extended-hours trades
_EXTENDED_LONG = (
    "after-hours earnings reaction through %d.%02d",
    "overnight momentum through %d.%02d",
)
_EXTENDED_SHORT = ("after-hours earnings drop under %d.%02d", "overnight flush under %d.%02d")

# Kinds of new trades.
_NORMAL, _OPEN, _LATE, _EARLY = 0, 1, 2, 3

# A record is rendered as head + tail.  The head (entry side) is identical in the
# open record and in the closed record that supersedes it, so it is kept for the
# closure.  Positive money values go through "%d.%02d" with divmod(cents, 100).
_HEAD = (
    '{"timestamp":"%s","symbol":"%s","action":"%s","quantity":%d,"price":"%d.%02d",'
    '"total_value":"%d.%02d","order_id":"ord-%08d","execution_mode":"%s","account_id":null,'
    '"strategy_name":"%s","entry_type":"%s","stop_loss":%s,"target":"%d.%02d",'
    '"decision_reasoning":"%s","indicators_used":%s,"risk_reward_ratio":%s,'
)
_CLOSED_TAIL = (
    '"outcome":"%s","profit_loss":"%s","hold_duration_seconds":%d,"exit_timestamp":"%s",'
    '"exit_reasoning":"%s","slippage":"%d.%02d","commission":"%d.%02d","net_profit_loss":"%s",%s'
)
_OPEN_TAIL = (
    '"outcome":"open","profit_loss":"%s","hold_duration_seconds":null,"exit_timestamp":null,'
    '"exit_reasoning":null,"slippage":"%d.%02d","commission":"%d.%02d","net_profit_loss":null,%s'
)
_QUOTED_MONEY = '"%d.%02d"'
_SESSION_TAIL = '"session_id":"sess-%d","bot_version":"%s","config_hash":"%s"}\n'


def _money(cents: int) -> str:
    """Integer cents as a decimal string with two places (``-1414.80``)."""
    if cents < 0:
        cents = -cents
        return f"-{cents // 100}.{cents % 100:02d}"
    return f"{cents // 100}.{cents % 100:02d}"


def _rr_text(target_cents: int, risk_cents: int) -> str:
    """Planned reward:risk as a JSON number with one or two decimals."""
    hundredths = (200 * target_cents + risk_cents) // (2 * risk_cents)
    whole, frac = divmod(hundredths, 100)
    if frac % 10 == 0:
        return f"{whole}.{frac // 10}"
    return f"{whole}.{frac:02d}"


_DATE_CACHE: dict[int, str] = {}


def _timestamp(day_ordinal: int, ms: int) -> str:
    """ISO 8601 UTC with milliseconds for ``ms`` after midnight of the given day."""
    if ms >= _DAY_MS or ms < 0:
        day_ordinal += ms // _DAY_MS
        ms %= _DAY_MS
    date = _DATE_CACHE.get(day_ordinal)
    if date is None:
        date = _DATE_CACHE[day_ordinal] = datetime.date.fromordinal(day_ordinal).isoformat()
    sec, milli = divmod(ms, 1000)
    minute, sec = divmod(sec, 60)
    hour, minute = divmod(minute, 60)
    return f"{date}T{hour:02d}:{minute:02d}:{sec:02d}.{milli:03d}Z"


def _trading_days(start: datetime.date, count: int) -> list[datetime.date]:
    days: list[datetime.date] = []
    day = start
    one = datetime.timedelta(days=1)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += one
    return days


class _Generator:
    """Holds the state that carries across days (prices, regime, ids, open trades)."""

    def __init__(
        self, rng: random.Random, per_day: int, n_days: int, live_at: int | None = None
    ) -> None:
        self.rng = rng
        self.live_at = live_at  # index of the first day traded live (None: paper only)
        self.mode = "PAPER"
        self.per_day = per_day
        self.n_days = n_days
        self.prices = [float(s[1]) for s in _SYMBOLS]
        self.regime = 1
        self.order_seq = 4000 + rng.randrange(1000)
        self.session = 0
        self.pending: list[tuple] = []  # open trades waiting to be closed
        self.sym_cum = list(accumulate(s[3] for s in _SYMBOLS))
        self.strat_cum = list(accumulate(s.weight for s in _STRATEGIES))
        self.hold_log = [
            (math.log(s.hold[0]), math.log(s.hold[1] / s.hold[0])) for s in _STRATEGIES
        ]
        hash_a = f"{rng.getrandbits(24):06x}"
        hash_b = f"{rng.getrandbits(24):06x}"
        # The bot was upgraded about 60 % of the way through the range.
        self.upgrade_at = (n_days * 3) // 5 if n_days >= 5 else n_days
        self.versions = (("1.4.2", hash_a), ("1.5.0", hash_b))

    # -- one day ----------------------------------------------------------------

    def day(self, date: datetime.date, index: int) -> bytes:
        rng = self.rng
        rnd = rng.random
        first = index == 0
        last = index == self.n_days - 1
        self.session += 1
        version, config_hash = self.versions[index >= self.upgrade_at]
        self.mode = "LIVE" if self.live_at is not None and index >= self.live_at else "PAPER"
        self.session_tail = _SESSION_TAIL % (self.session, version, config_hash)
        day_ord = date.toordinal()

        # Market state for the day: regime, per-symbol drift, per-strategy form.
        u = rnd()
        row = _REGIME_NEXT[self.regime]
        self.regime = 0 if u < row[0] else (1 if u < row[1] else 2)
        shift = _REGIME_SHIFT[self.regime]
        for i, sym in enumerate(_SYMBOLS):
            self.prices[i] *= math.exp(rng.gauss(0.0003, sym[2]))
        self.form = [shift + rng.gauss(0.0, 0.06) for _ in _STRATEGIES]

        lines: list[str] = []
        # Yesterday's open trades, closed today (entry timestamps are earlier
        # than anything entered today, so the file stays in timestamp order).
        pending, self.pending = self.pending, []
        for trade in pending:
            lines.append(self._close(trade, day_ord))

        n = 0
        if self.per_day > 0:
            n = max(1, round(self.per_day * (0.7 + 0.6 * rnd())))
        n_open = 1 if (last or first) else (0 if rnd() >= 0.35 else 1 + (rnd() < 0.3))
        n_late = 1 if (first or rnd() < 0.3) else 0
        n_early = 0 if rnd() >= 0.3 else 1 + (rnd() < 0.4)
        n_open = min(n_open, n)
        n_late = min(n_late, n - n_open)
        n_early = min(n_early, n - n_open - n_late)

        plans: list[tuple[int, int, int, int, int]] = []  # entry, seq, kind, strategy, hold
        strat_cum = self.strat_cum
        strat_total = strat_cum[-1]
        hold_log = self.hold_log
        exp = math.exp
        for seq in range(n):
            if seq < n_open:
                kind = _OPEN
                s = bisect_right(strat_cum, rnd() * strat_total)
                entry = 18 * _HOUR_MS + 30 * _MIN_MS + int(rnd() * 85 * _MIN_MS)
                hold = 0
            elif seq < n_open + n_late:
                kind, s = _LATE, _SCALP
                entry = 23 * _HOUR_MS + 40 * _MIN_MS + int(rnd() * 20 * _MIN_MS)
                hold = _DAY_MS + 5 * _MIN_MS + int(rnd() * 25 * _MIN_MS) - entry
            elif seq < n_open + n_late + n_early:
                kind, s = _EARLY, _SCALP
                entry = 10 * _MIN_MS + int(rnd() * 170 * _MIN_MS)
                hold = int(exp(4.1 + rnd() * 3.4) * 1000) + int(rnd() * 1000)
            else:
                kind = _NORMAL
                s = bisect_right(strat_cum, rnd() * strat_total)
                lo, span = hold_log[s]
                hold = int(exp(lo + rnd() * span)) * 1000 + int(rnd() * 1000)
                w0, w1 = _STRATEGIES[s].window
                w1 = min(w1, _SESSION_CLOSE_MS - hold)
                entry = w0 + int(rnd() * max(1, w1 - w0))
            plans.append((entry, seq, kind, s, hold))
        plans.sort()

        new = self._new_trade
        for entry, _seq, kind, s, hold in plans:
            lines.append(new(day_ord, entry, kind, s, hold))
        if last:
            self.pending = []  # the last open trade of the dataset stays open
        return "".join(lines).encode()

    # -- trades -----------------------------------------------------------------

    def _new_trade(self, day_ord: int, entry_ms: int, kind: int, s: int, hold_ms: int) -> str:
        rng = self.rng
        rnd = rng.random
        strat = _STRATEGIES[s]
        self.order_seq += 1

        sym_i = bisect_right(self.sym_cum, rnd() * self.sym_cum[-1])
        symbol, _, vol, _ = _SYMBOLS[sym_i]
        price = int(self.prices[sym_i] * (1.0 + rng.gauss(0.0, vol * 0.35)) + 0.5)
        if price < 100:
            price = 100
        long = rnd() < strat.p_long
        sign = 1 if long else -1

        r_lo, r_hi = strat.risk
        risk = int(price * (r_lo + rnd() * (r_hi - r_lo)) + 0.5)
        if risk < 2:
            risk = 2
        rr_lo, rr_hi = strat.rr
        reward = int(risk * (rr_lo + rnd() * (rr_hi - rr_lo)) + 0.5)
        if reward < 1:
            reward = 1
        target = price + sign * reward

        qty = int((4000.0 + rnd() * 36000.0) * 100.0 / price)  # $4k-$40k position
        if qty >= 200:
            qty -= qty % 10
        elif qty >= 50:
            qty -= qty % 5
        elif qty < 1:
            qty = 1

        u = rnd()
        if u < 0.02:  # no usable stop: no stop and no planned R:R
            stop_text = rr_text = "null"
        else:
            stop_text = _QUOTED_MONEY % divmod(price - sign * risk, 100)
            rr_text = "null" if u < 0.04 else _rr_text(reward, risk)

        if kind >= _LATE:  # extended hours (_LATE or _EARLY)
            reasons = _EXTENDED_LONG if long else _EXTENDED_SHORT
        else:
            reasons = strat.long_reasons if long else strat.short_reasons
        level = price - sign * int(risk * (0.1 + 0.4 * rnd()))
        reasoning = reasons[int(rnd() * len(reasons))] % divmod(level, 100)
        indicators = strat.indicators[int(rnd() * len(strat.indicators))]
        head = _HEAD % (
            _timestamp(day_ord, entry_ms), symbol, "BUY" if long else "SELL", qty,
            price // 100, price % 100, (price * qty) // 100, (price * qty) % 100, self.order_seq,
            self.mode, strat.name, strat.entry_type, stop_text, target // 100, target % 100,
            reasoning, indicators, rr_text,
        )  # fmt: skip
        slippage = 1 + int(rnd() * 5)
        commission = max(5, (qty + 2) // 5)  # $0.002 per share, 5 cent minimum

        if kind == _OPEN:
            unrealized = int(risk * (rnd() * 2.0 - 0.8)) * qty  # marked at the close
            self.pending.append(
                (head, day_ord, entry_ms, s, qty, risk, reward, slippage, commission)
            )
            return head + _OPEN_TAIL % (
                _money(unrealized), 0, slippage, commission // 100, commission % 100,
                self.session_tail,
            )  # fmt: skip

        # Closed the same session (or just after midnight UTC for late trades).
        u = rnd()
        if u < _P_BREAKEVEN:
            outcome, move = "breakeven", 0
            exit_reason = _BREAKEVEN_EXITS[int(rnd() * 2)]
        elif rnd() < strat.p_win + self.form[s]:
            outcome = "win"
            if rnd() < strat.p_target:
                move = reward - int(rnd() * 3)
                exit_reason = "target hit"
            else:
                move = int(reward * (0.2 + 0.75 * rnd()))
                exit_reason = _WIN_PARTIAL_EXITS[int(rnd() * 4)]
            if move < 1:
                move = 1
        else:
            outcome = "loss"
            v = rnd()
            if v < 0.03:  # fast move straight through the stop: a tail loss
                move = -risk - int(risk * (0.5 + 1.5 * rnd()))
                exit_reason = "stop slipped through fast move"
            elif v < strat.p_stop:
                move = -risk - int(rnd() * 4)
                exit_reason = "stop hit"
            else:
                move = -int(risk * (0.2 + 0.7 * rnd()))
                exit_reason = _LOSS_PARTIAL_EXITS[int(rnd() * 4)]
            if move > -1:
                move = -1
        profit = move * qty
        return head + _CLOSED_TAIL % (
            outcome, _money(profit), (hold_ms + 500) // 1000,
            _timestamp(day_ord, entry_ms + hold_ms), exit_reason, 0, slippage,
            commission // 100, commission % 100, _money(profit - commission), self.session_tail,
        )  # fmt: skip

    def _close(self, trade: tuple, day_ord: int) -> str:
        """Closed record of an open trade from an earlier file, exiting on ``day_ord``."""
        head, entry_day, entry_ms, s, qty, risk, reward, slippage, commission = trade
        rnd = self.rng.random
        strat = _STRATEGIES[s]
        exit_ms = _SESSION_OPEN_MS + int(rnd() * 150 * _MIN_MS)
        if rnd() < strat.p_win + self.form[s]:
            outcome = "win"
            v = rnd()
            if v < 0.15:
                move = reward + int(reward * rnd() * 0.5) + 1
                exit_reason = "gapped through target at the open"
            elif v < 0.6:
                move = reward
                exit_reason = "target hit next session"
            else:
                move = max(1, int(reward * (0.2 + 0.75 * rnd())))
                exit_reason = "closed next session in profit"
        else:
            outcome = "loss"
            v = rnd()
            if v < 0.25:
                move = -risk - int(risk * (0.2 + 1.3 * rnd()))
                exit_reason = "gapped through stop at the open"
            elif v < 0.7:
                move = -risk - int(rnd() * 4)
                exit_reason = "stop hit next session"
            else:
                move = min(-1, -int(risk * (0.2 + 0.7 * rnd())))
                exit_reason = "closed next session at a loss"
        profit = move * qty
        hold_ms = (day_ord - entry_day) * _DAY_MS + exit_ms - entry_ms
        return head + _CLOSED_TAIL % (
            outcome, _money(profit), (hold_ms + 500) // 1000, _timestamp(day_ord, exit_ms),
            exit_reason, 0, slippage, commission // 100, commission % 100,
            _money(profit - commission), self.session_tail,
        )  # fmt: skip


def generate(
    out_dir: Path,
    *,
    days: int = 60,
    per_day: int = 20,
    seed: int = 7,
    start: datetime.date = datetime.date(2025, 9, 1),
    force: bool = False,
    books: bool = False,
    live_from: datetime.date | None = None,
) -> list[Path]:
    """Write `days` trading days of logs (YYYY-MM-DD.jsonl, one per UTC day) into out_dir;
    return the paths written, sorted.

    Trading days are Monday-Friday from ``start`` on (a weekend ``start`` moves to the
    following Monday).  When ``days >= 5`` one trading day in the middle of the range has
    no file, so ``days - 1`` files are written.  ``per_day`` is the mean number of new
    trades per file (varied by +-30 % from day to day).  The same arguments always give
    byte-identical files.

    Every trade is in the PAPER book, unless ``books``: then the bot trades LIVE from
    the trading day about 40 % of the way through the range on (``live_from``, when
    given, is that day, and implies ``books``). Open positions are closed in the book
    they were opened in. The version changes about 60 % of the way through, either way.

    Raises ConfigError, writing nothing, when a file it would write exists (unless
    ``force``: then it is replaced) or the folder cannot be written.
    """
    if not 0 <= days <= MAX_DAYS:
        raise DemoArgumentError(f"days must be from 0 to {MAX_DAYS}, got {days}")
    if not 0 <= per_day <= MAX_PER_DAY:
        raise DemoArgumentError(f"per_day must be from 0 to {MAX_PER_DAY}, got {per_day}")
    if not -(2**63) <= seed < 2**63:
        raise DemoArgumentError(f"seed must be from {-(2**63)} to {2**63 - 1}, got {seed}")
    if isinstance(start, datetime.datetime):
        start = start.date()
    out_dir = Path(out_dir)

    rng = random.Random(seed)
    try:
        calendar = _trading_days(start, days)
    except OverflowError:
        raise DemoArgumentError(
            f"{days} trading days from {start} run past the year 9999"
        ) from None
    missing = -1
    if days >= 5:
        lo = max(1, days // 3)
        hi = min(days - 2, (2 * days) // 3)
        missing = lo + rng.randrange(hi - lo + 1)
    written = [d for i, d in enumerate(calendar) if i != missing]
    paths = [out_dir / f"{date.isoformat()}.jsonl" for date in written]
    if not force:
        _refuse_existing(out_dir, [p for p in paths if os.path.lexists(p)])

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot make the folder {out_dir} for demo logs: {why(exc)}") from exc
    live_at = None
    if live_from is not None:
        if isinstance(live_from, datetime.datetime):
            live_from = live_from.date()
        live_at = bisect_right([d.toordinal() for d in written], live_from.toordinal() - 1)
    elif books:
        live_at = (len(written) * 2) // 5
    gen = _Generator(rng, per_day, len(written), live_at)
    for index, (date, path) in enumerate(zip(written, paths, strict=True)):
        data = gen.day(date, index)
        try:
            if force:
                atomic_write(path, data)
            else:  # exists now, though not a moment ago: the bot's own log, say
                write_new(path, data)
        except FileExistsError:
            _refuse_existing(out_dir, [path], paths[:index])
        except OSError as exc:
            raise ConfigError(f"cannot write demo logs to {path}: {why(exc)}") from exc
    return paths


def _refuse_existing(out_dir: Path, found: list[Path], written: Sequence[Path] = ()) -> None:
    if not found:
        return
    names = ", ".join(str(p) for p in found[:3])
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    done = (
        f"only {len(written)} new files were written ({written[0].name} to {written[-1].name})"
        if written
        else "nothing was written"
    )
    raise ConfigError(
        f"demo logs would replace files that already exist in {out_dir}: {names}{more}; "
        f"{done}. A folder of logs may hold a bot's real ones: choose another folder "
        "(--out DIR), or pass --force to replace them."
    )
