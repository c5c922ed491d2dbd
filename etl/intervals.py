"""What a published figure allows: the interval its qualifier and its rounding define (the glossary's rules).

exact → [v, v] (a rounded figure published without a hedge is widened like "about"); about → v ± half its
rounding unit; more than / at least → [v, ∞); almost → [v − unit, v]; up to → [0, v]; between → [low, high].

The rounding unit of a rounded figure is read from how it was written: the place of its last non-zero digit
(3,600,000 → 100,000, so "about 3.6 million" is [3,550,000, 3,650,000]; 586,000 → 1,000). A number with one
significant digit (800,000, 3 million) is read as if written with two ("0.80 million" → 10,000): a
publisher who writes "about 800,000" does not mean anything from 750,000 to 850,000, and the wider reading would
hide real differences of 6 %. A figure that is not rounded (is_rounded false, qualifier exact) has unit 0.
"""
from __future__ import annotations

from dataclasses import dataclass

INF = None  # an unbounded upper end is stored as NULL


@dataclass(frozen=True)
class Interval:
    """[low, high] in people (or the figure's unit); high None is unbounded."""

    low: int
    high: int | None

    def overlaps(self, other: Interval) -> bool:
        return (self.high is None or other.low <= self.high) and (other.high is None or self.low <= other.high)

    def __str__(self) -> str:
        return f"[{self.low:,}, {'∞' if self.high is None else f'{self.high:,}'}]"


def rounding_unit(value: int, is_rounded: bool = True) -> int:
    """The unit the figure was rounded to (0 when it is not rounded)."""
    if not is_rounded or value <= 0:
        return 0
    unit, v = 1, int(value)
    while v % 10 == 0:
        v //= 10
        unit *= 10
    if v < 10 and unit >= 100:  # one significant digit: read as two ("800,000" as "0.80 million")
        unit //= 10
    return unit if unit > 1 else 0


def interval(value: int, qualifier: str = "exact", *, is_rounded: bool = False, value_low: int | None = None,
             value_high: int | None = None) -> Interval:
    """The interval a figure allows."""
    v = int(value)
    rounded = is_rounded or qualifier not in ("exact", "between")
    unit = rounding_unit(v, rounded)
    if qualifier in ("more than", "at least"):
        return Interval(v, INF)
    if qualifier == "almost":
        return Interval(max(0, v - max(unit, 1)), v)
    if qualifier == "up to":
        return Interval(0, v)
    if qualifier == "between":
        low = v if value_low is None else int(value_low)
        high = v if value_high is None else int(value_high)
        return Interval(min(low, v), max(high, v))
    half = unit // 2  # about, or a rounded figure published as exact
    return Interval(max(0, v - half), v + half)


def sum_intervals(parts: list[Interval]) -> Interval:
    """The interval of a sum of figures."""
    high = None if any(p.high is None for p in parts) else sum(p.high for p in parts)
    return Interval(sum(p.low for p in parts), high)
