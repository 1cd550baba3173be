"""Confidence intervals: the Wilson interval of a rate, the t interval of a mean and
Welch's interval of a difference of two means, with the Student t quantile they need
(and SQN, a t statistic of R). Pure: values in, values out; standard library only.

Money and counts go in as exact ``Decimal`` and ``int``, and the bounds come out as
``Decimal`` (callers round them like every other derived value): sums and spreads are
exact, square roots and quotients carry 40 significant digits. Only the t quantile is
computed in binary floating point:

* :func:`t_quantile` starts from Hill's approximation (G. W. Hill, "Algorithm 396:
  Student's t-quantiles", CACM 13(10), 1970; about 6 significant digits), then takes
  Newton steps on the upper tail ``P(T > t) = I_x(df/2, 1/2) / 2``, ``x = df/(df +
  t²)``, the regularized incomplete beta function evaluated by its continued fraction
  (modified Lentz). Against 40-digit reference values, for df from 1 to 10⁶, integer
  or not, its absolute error is below 1e-13 (tests/test_stats.py holds the table).
* :func:`t_critical` rounds that to T_PLACES (9) decimal places and returns it as a
  Decimal: a figure made with it is the same on every machine whatever its libm, and
  its error is below 5e-10 (a relative error below 3e-10 on the bounds' half-width).
  Welch's degrees of freedom are computed exactly (rationals) and are seldom whole.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from fractions import Fraction
from statistics import NormalDist
from typing import NamedTuple

from sitegen.partials import EXACT, ZERO

#: z of a two-sided 95% interval (the 0.975 quantile of the normal distribution)
Z95 = Decimal("1.959964")
#: the quantile of a two-sided 95% t interval
P95 = 0.975
#: decimal places t_critical keeps of the t quantile
T_PLACES = 9
#: Hill's expansion alone is used from this many degrees of freedom on, where it is
#: exact to the last bits of a double (and the incomplete beta fraction, near its
#: transition for a large df/2, is slow and no more precise)
POLISH_BELOW = 200
NEWTON_STEPS = 4

# Square roots and quotients: 40 significant digits, so a bound below 10¹⁵ in size is
# within 10⁻²⁴ of its exact value before it is rounded to 6 places (and a square root
# costs a third of what it costs at 120 digits).
_WIDE = Context(prec=40, rounding=ROUND_HALF_EVEN)

#: why an interval is undefined
NO_TRADES = "no closed trades"
FEW_TRADES = "fewer than 2 closed trades"
NO_SPREAD = "closed-trade P&L has zero spread"


# --- intervals -------------------------------------------------------------------------


# a history repeats a few small (wins, n) often; larger ones rarely (at a million trades
# 15,000 distinct pairs, a third of the calls hits): a small cache keeps the repeats
@functools.lru_cache(maxsize=2048)
def wilson(wins: int, n: int, z: Decimal = Z95) -> tuple[Decimal, Decimal] | None:
    """The Wilson score interval of the rate wins / n: (low, high), within [0, 1];
    None when n = 0.

    low, high = (2w + z² ∓ z·√(z² + 4·w·(n − w)/n)) / (2·(n + z²)). With 0 wins the
    low bound is exactly 0, with n wins the high bound exactly 1.
    """
    if n <= 0:
        return None
    c = _WIDE
    z2 = EXACT.multiply(z, z)
    root = c.sqrt(c.add(z2, c.divide(Decimal(4 * wins * (n - wins)), Decimal(n))))
    spread = c.multiply(z, root)
    centre = EXACT.add(Decimal(2 * wins), z2)
    den = EXACT.multiply(2, EXACT.add(Decimal(n), z2))
    low = max(Decimal(0), c.divide(c.subtract(centre, spread), den))
    high = min(Decimal(1), c.divide(c.add(centre, spread), den))
    return low, high


def mean_interval(
    n: int, total: Decimal, sumsq: Decimal, p: float = P95
) -> tuple[tuple[Decimal, Decimal] | None, str | None]:
    """The t interval of a mean from n values, their sum and the sum of their squares:
    mean ± t(p, n − 1) · s / √n, s the sample standard deviation. ((low, high), None),
    or (None, why) when n < 2 or s = 0.
    """
    if n <= 0:
        return None, NO_TRADES
    if n < 2:
        return None, FEW_TRADES
    x = EXACT
    spread = x.subtract(x.multiply(n, sumsq), x.multiply(total, total))  # n(n−1)·s², exact
    if spread <= 0:
        return None, NO_SPREAD
    c = _WIDE
    # s/√n = √(spread / (n²(n − 1)))
    half = c.multiply(t_critical(n - 1, p), c.sqrt(c.divide(spread, Decimal(n * n * (n - 1)))))
    mean = c.divide(total, Decimal(n))
    return (c.subtract(mean, half), c.add(mean, half)), None


def sqn_of(n: int, r_sum: Decimal, r_sumsq: Decimal) -> tuple[Decimal | None, str | None]:
    """√n · mean(R) / sample stdev(R); undefined when n < 2 or stdev = 0."""
    with localcontext(EXACT):
        if n < 2:
            return None, "fewer than 2 closed trades with a usable stop"
        spread = n * r_sumsq - r_sum * r_sum  # exact: n(n-1)·var
        if spread <= 0:
            return None, "R multiples have zero spread"
        stdev = EXACT.sqrt(spread / (n * (n - 1)))
        return EXACT.sqrt(Decimal(n)) * (r_sum / n) / stdev, None


# --- two means: Welch's interval -------------------------------------------------------


class Sample(NamedTuple):
    """n values as their count, sum and sum of squares (exact)."""

    n: int
    total: Decimal
    sumsq: Decimal

    def spread(self) -> Decimal:
        """n·Σx² − (Σx)² = n(n − 1)·s², exact (0 for n < 2)."""
        x = EXACT
        return x.subtract(x.multiply(self.n, self.sumsq), x.multiply(self.total, self.total))

    def variance(self) -> Fraction:
        """The sample variance s², exactly; needs n ≥ 2."""
        return Fraction(self.spread()) / (self.n * (self.n - 1))


def difference(a: Sample, b: Sample) -> Decimal | None:
    """mean(b) − mean(a) (to 120 significant digits: exact before it is rounded to 6
    places); None when a side has no values."""
    if not a.n or not b.n:
        return None
    x = EXACT
    cross = x.subtract(x.multiply(b.total, a.n), x.multiply(a.total, b.n))
    return x.divide(cross, Decimal(a.n * b.n))


def welch_df(a: Sample, b: Sample) -> Fraction:
    """Welch–Satterthwaite degrees of freedom, exactly: (v₁ + v₂)² / (v₁²/(n₁ − 1) +
    v₂²/(n₂ − 1)), vᵢ = sᵢ²/nᵢ. Needs n ≥ 2 on both sides and a spread on one; it lies
    between min(n₁, n₂) − 1 and n₁ + n₂ − 2."""
    va, vb = a.variance() / a.n, b.variance() / b.n
    return (va + vb) ** 2 / (va * va / (a.n - 1) + vb * vb / (b.n - 1))


def welch_interval(a: Sample, b: Sample, p: float = P95) -> tuple[Decimal, Decimal]:
    """Welch's interval of mean(b) − mean(a): the difference ± t(p, ν)·√(s₁²/n₁ +
    s₂²/n₂), ν = welch_df. Needs n ≥ 2 on both sides and a spread on at least one (the
    caller says why not otherwise)."""
    if a.n < 2 or b.n < 2:
        raise ValueError("Welch's interval needs at least 2 values on each side")
    spread_a, spread_b = a.spread(), b.spread()
    if spread_a <= 0 and spread_b <= 0:
        raise ValueError("Welch's interval needs a spread on at least one side")
    c = _WIDE
    # sᵢ²/nᵢ = spreadᵢ / (nᵢ²(nᵢ − 1))
    se2 = c.add(
        c.divide(spread_a, Decimal(a.n * a.n * (a.n - 1))),
        c.divide(spread_b, Decimal(b.n * b.n * (b.n - 1))),
    )
    half = c.multiply(t_critical(float(welch_df(a, b)), p), c.sqrt(se2))
    diff = difference(a, b)
    assert diff is not None
    return c.subtract(diff, half), c.add(diff, half)


def more_per_side(a: Sample, b: Sample, z: Decimal = Z95) -> int | None:
    """About how many more values per side would make the 95% interval of mean(b) −
    mean(a) exclude 0, were the difference d and both spreads to stay as they are: the
    smallest k ≥ 1 with z·√(s₁²/(n₁ + k) + s₂²/(n₂ + k)) < |d|. The normal quantile z
    stands in for Welch's t (whose degrees of freedom would grow with k), so for small
    samples it is a slight underestimate. Solved exactly (rationals, bisection on k: the
    left side falls as k grows). None when d = 0, or without n ≥ 2 on both sides and a
    spread on one."""
    if a.n < 2 or b.n < 2:
        return None
    va, vb = a.variance(), b.variance()
    if not va and not vb:
        return None
    d = Fraction(b.total) / b.n - Fraction(a.total) / a.n
    if not d:
        return None
    z2, d2 = Fraction(z) ** 2, d * d

    def enough(k: int) -> bool:
        return z2 * (va / (a.n + k) + vb / (b.n + k)) < d2

    # va/(n₁+k) + vb/(n₂+k) < (va + vb)/k, so from k > z²(va + vb)/d² on it is enough
    low, high = 1, math.floor(z2 * (va + vb) / d2) + 1
    while low < high:
        mid = (low + high) // 2
        if enough(mid):
            high = mid
        else:
            low = mid + 1
    return low


# --- the t quantile --------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def t_critical(df: float, p: float = P95) -> Decimal:
    """t_quantile(p, df) rounded half-even to T_PLACES decimal places, as a Decimal."""
    return Decimal(format(t_quantile(p, df), f".{T_PLACES}f"))


def t_quantile(p: float, df: float) -> float:
    """The p-quantile of Student's t distribution with df ≥ 1 degrees of freedom (df
    need not be an integer; df = inf is the normal distribution), 0 < p < 1."""
    if not 0 < p < 1:
        raise ValueError(f"p must be in (0, 1), not {p!r}")
    if not df >= 1:  # also refuses NaN
        raise ValueError(f"df must be at least 1, not {df!r}")
    if p == 0.5:
        return 0.0
    tail = min(p, 1 - p)  # the probability beyond the quantile, in one tail
    sign = 1.0 if p > 0.5 else -1.0
    if math.isinf(df):
        return -sign * NormalDist().inv_cdf(tail)
    t = _hill(2 * tail, df)
    if df < POLISH_BELOW:
        # Newton on the tail: from Hill's 6 digits, two steps reach the precision of
        # the tail itself; a third only confirms it.
        for _ in range(NEWTON_STEPS):
            step = (_upper_tail(t, df) - tail) / _density(t, df)
            t = t + step if t + step > 0 else t / 2
            if abs(step) <= 1e-15 * t:
                break
    return sign * t


def _hill(two_tail: float, df: float) -> float:
    """Hill's approximation of the t with P(|T| > t) = two_tail (Algorithm 396)."""
    if df == 1:  # Cauchy: exact
        angle = two_tail * math.pi / 2
        return math.cos(angle) / math.sin(angle)
    if df == 2:  # exact
        return math.sqrt(2 / (two_tail * (2 - two_tail)) - 2)
    a = 1 / (df - 0.5)
    b = 48 / (a * a)
    c = ((20700 * a / b - 98) * a - 16) * a + 96.36
    d = ((94.5 / (b + c) - 3) / b + 1) * math.sqrt(a * math.pi / 2) * df
    y = (d * two_tail) ** (2 / df)
    if y > 0.05 + a:  # an expansion about the normal quantile
        x = NormalDist().inv_cdf(two_tail / 2)
        y = x * x
        if df < 5:
            c += 0.3 * (df - 4.5) * (x + 0.6)
        c = (((0.05 * d * x - 5) * x - 7) * x - 2) * x + b + c
        y = (((((0.4 * y + 6.3) * y + 36) * y + 94.5) / c - y - 3) / b + 1) * x
        y = math.expm1(a * y * y)
    else:
        y = (
            (1 / (((df + 6) / (df * y) - 0.089 * d - 0.822) * (df + 2) * 3) + 0.5 / (df + 4)) * y
            - 1
        ) * (df + 1) / (df + 2) + 1 / y
    return math.sqrt(df * y)


def _upper_tail(t: float, df: float) -> float:
    """P(T > t) for t > 0: I_x(df/2, 1/2) / 2 with x = df / (df + t²)."""
    a, b = df / 2, 0.5
    u = t * t / df
    log_x = -math.log1p(u)  # ln(df / (df + t²)), precise when t² ≪ df
    log_y = math.log(u) + log_x  # ln(t² / (df + t²))
    x, y = math.exp(log_x), math.exp(log_y)
    # ln(x^a · y^b / B(a, b)), B(a, 1/2) = Γ(a)·√π / Γ(a + 1/2)
    front = a * log_x + b * log_y + _log_gamma_ratio(a) - 0.5 * math.log(math.pi)
    if x < (a + 1) / (a + b + 2):
        beta = math.exp(front) * _beta_fraction(a, b, x) / a
    else:  # the fraction converges fast on the other side: I_x(a, b) = 1 − I_y(b, a)
        beta = 1 - math.exp(front) * _beta_fraction(b, a, y) / b
    return beta / 2


def _density(t: float, df: float) -> float:
    """The density of Student's t at t."""
    log_c = _log_gamma_ratio(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_c - (df + 1) / 2 * math.log1p(t * t / df))


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function, by the modified Lentz
    method: I_x(a, b) = x^a (1 − x)^b / (a B(a, b)) times this, for x < (a+1)/(a+b+2)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1, a - 1
    c = 1.0
    d = 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 100_000):
        m2 = 2 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1 + aa * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-16:
            return h
    raise ArithmeticError("the incomplete beta fraction did not converge")  # pragma: no cover


# ln Γ(z) = (z − ½)·ln z − z + ½·ln 2π + Σ B₂ₖ / (2k(2k − 1)·z^(2k−1)): the coefficients
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156)


def _stirling_tail(z: float) -> float:
    w = 1 / (z * z)
    total = 0.0
    for coefficient in reversed(_STIRLING):
        total = total * w + coefficient
    return total / z


def _log_gamma_ratio(a: float) -> float:
    """ln Γ(a + ½) − ln Γ(a). For large a the two logarithms are large and nearly
    equal, so their difference is taken from Stirling's series term by term."""
    if a < 10:
        return math.lgamma(a + 0.5) - math.lgamma(a)
    return (
        0.5 * math.log(a)
        + (a * math.log1p(0.5 / a) - 0.5)
        + (_stirling_tail(a + 0.5) - _stirling_tail(a))
    )


# --------------------------------------------------------------------------- summaries

#: a derived value's places, and the trading days of a year
Q6 = Decimal("0.000001")
ANNUALISATION = 252


def money(value: Decimal) -> str:
    """An exact decimal as text: no exponent, never -0."""
    if not value:
        value = value.copy_abs()
    return format(value, "f")


def quotient(value: Decimal) -> str:
    """A derived value rounded half-even to 6 places."""
    return money(value.quantize(Q6, context=EXACT))


def sharpe_ratio(values: Sequence[Decimal]) -> tuple[Decimal | None, str | None]:
    """mean / sample stdev × √252; undefined for fewer than 2 days or zero spread."""
    with localcontext(EXACT):
        n = len(values)
        if n < 2:
            return None, "fewer than 2 days in the daily P&L series"
        total = sum(values, ZERO)
        spread = n * sum((x * x for x in values), ZERO) - total * total  # exact: n(n-1)·var
        if not spread:
            return None, "daily P&L has zero spread"
        stdev = EXACT.sqrt(spread / (n * (n - 1)))
        return total / n / stdev * EXACT.sqrt(Decimal(ANNUALISATION)), None


def sortino_ratio(values: Sequence[Decimal]) -> tuple[Decimal | None, str | None]:
    """mean / √(Σ min(0, x)² / n) × √252; undefined when no day is negative."""
    with localcontext(EXACT):
        n = len(values)
        downside = sum((x * x for x in values if x < 0), ZERO)
        if not downside:
            return None, "no losing days"
        mean = sum(values, ZERO) / n
        return mean / EXACT.sqrt(downside / n) * EXACT.sqrt(Decimal(ANNUALISATION)), None
