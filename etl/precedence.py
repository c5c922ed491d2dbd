"""The ordered preference rules of data/source_precedence.csv: parse them, rank figures, say which rule decided.

One file decides both the figure ledger's choice (etl.ledger) and the dashboard's headline cards
(dashboard.queries.overview), so they agree. A rule names a column of the figures' frame and what it prefers:
`is_secondary`/`is_rounded` prefer "no" (or "yes"); a date column prefers "latest" or "earliest" (a missing date
comes last); a list column prefers values in the listed order (a value not listed comes after all listed ones).
A column missing from the frame ranks every figure equal on that rule.
"""
from __future__ import annotations

import csv
import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl import config

PRECEDENCE_FILE = config.DATA_DIR / "source_precedence.csv"
FLAG_FIELDS = ("is_secondary", "is_rounded")  # is_rounded: rounded or hedged (a qualifier other than exact)
DATE_FIELDS = {"reference_period_end": ("latest", "earliest"), "reference_period_start": ("latest", "earliest"),
               "published_on": ("latest", "earliest"), "released_on": ("latest", "earliest")}
LIST_FIELDS = ("source_kind", "series_slug")
WORST = 10**9  # the key of a missing date: after every real one


@dataclass(frozen=True)
class Rule:
    """One line of data/source_precedence.csv: which figure comes first on `field`, and why."""

    order: int
    field: str
    prefer: tuple[str, ...]
    label: str
    why: str

    @property
    def text(self) -> str:
        """The rule as the ledger records it: 'rule 2 (source_kind): registration, then ...'."""
        return f"rule {self.order} ({self.field}): {self.label}"


def load_precedence(path: Path | str = PRECEDENCE_FILE) -> tuple[Rule, ...]:
    """The ordered rules; a malformed file is an error naming its line (it is shipped, so tests catch it)."""
    rules = []
    with Path(path).open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            name, prefer = row["field"].strip(), tuple(p.strip() for p in row["prefer"].split(">"))
            ok = (name in FLAG_FIELDS and prefer in (("no",), ("yes",))) or \
                (name in DATE_FIELDS and len(prefer) == 1 and prefer[0] in DATE_FIELDS[name]) or \
                (name in LIST_FIELDS and all(prefer))
            if not ok:
                raise ValueError(f"{path} line {line}: field {name!r} cannot prefer {row['prefer']!r}")
            rules.append(Rule(int(row["order"]), name, prefer, row["label"].strip(), row["why"].strip()))
    orders = [r.order for r in rules]
    if len(set(orders)) != len(orders):
        raise ValueError(f"{path}: two rules have the same order")
    return tuple(sorted(rules, key=lambda r: r.order))


@functools.lru_cache(maxsize=1)
def precedence() -> tuple[Rule, ...]:
    """The shipped rules, read once."""
    return load_precedence()


def rules_sha(path: Path | str = PRECEDENCE_FILE) -> str:
    """SHA-256 of the rules file, recorded with every choice the ledger makes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def key(rule: Rule, df: pd.DataFrame) -> pd.Series:
    """Smaller is better."""
    if rule.field not in df.columns and not (rule.field == "is_rounded" and "qualifier" in df.columns):
        return pd.Series(0, index=df.index)
    if rule.field in FLAG_FIELDS:
        flag = df[rule.field].fillna(False).astype(bool) if rule.field in df.columns else \
            pd.Series(False, index=df.index)
        if rule.field == "is_rounded" and "qualifier" in df.columns:  # a hedged figure is not a stated exact one
            flag = flag | (df["qualifier"].fillna("exact") != "exact")
        return flag.astype(int) if rule.prefer == ("no",) else (~flag).astype(int)
    if rule.field in DATE_FIELDS:
        days = pd.to_datetime(df[rule.field]).map(lambda d: WORST if pd.isna(d) else d.toordinal())
        sign = -1 if rule.prefer == ("latest",) else 1
        return days.map(lambda d: WORST if d == WORST else sign * d)
    order = {v: i for i, v in enumerate(rule.prefer)}
    return df[rule.field].map(lambda v: order.get(v, len(order)))


def sort_keys(df: pd.DataFrame, rules: Sequence[Rule]) -> pd.DataFrame:
    """One column per rule (smaller is better), then the series name: the order of `rank`."""
    keys = pd.DataFrame({f"_k{r.order}": key(r, df) for r in rules}, index=df.index)
    keys["_slug"] = df["series_slug"] if "series_slug" in df.columns else ""
    return keys


def rank(df: pd.DataFrame, rules: Sequence[Rule] | None = None, tie_break: str | None = None) -> pd.DataFrame:
    """The figures best first by the rules, then by series name (and `tie_break`, e.g. the id), so the order is
    total."""
    if df.empty:
        return df
    rules = precedence() if rules is None else rules
    keys = sort_keys(df, rules)
    if tie_break:
        keys["_tie"] = df[tie_break]
    order = keys.sort_values(list(keys.columns), kind="stable").index
    return df.loc[order]


def deciding_rule(chosen: pd.DataFrame, other: pd.DataFrame, rules: Sequence[Rule] | None = None) -> Rule | None:
    """The first rule on which the one-row frames `chosen` and `other` differ (None: they tie on every rule)."""
    rules = precedence() if rules is None else rules
    for rule in rules:
        if key(rule, chosen).iloc[0] != key(rule, other).iloc[0]:
            return rule
    return None
