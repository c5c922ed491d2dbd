"""Row counts written as 2k / 100k / 1m / 10m, and back."""
from __future__ import annotations

_UNITS = {"k": 1_000, "m": 1_000_000}


def parse_size(text: str) -> int:
    """'100k' -> 100000, '1m' -> 1000000, '2500' -> 2500."""
    t = text.strip().lower()
    if t and t[-1] in _UNITS:
        return int(float(t[:-1]) * _UNITS[t[-1]])
    return int(t)


def size_label(n: int) -> str:
    """100000 -> '100k', 1000000 -> '1m' (the name used in store names and tables)."""
    for suffix, unit in (("m", 1_000_000), ("k", 1_000)):
        if n >= unit and n % unit == 0:
            return f"{n // unit}{suffix}"
    return str(n)


def parse_sizes(text: str) -> list[int]:
    return [parse_size(s) for s in text.split(",") if s.strip()]
