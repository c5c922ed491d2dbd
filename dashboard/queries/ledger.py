"""The figure ledger as the charts use it: for the figures a chart draws, how many rivals each has and whether the
ledger chose it or passed it over (one query; never cached: an override changes it without a load)."""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Engine, select

from etl.models import LedgerGroup, LedgerMember

CHUNK = 900  # ids per IN (...): below SQLite's bound-parameter limit


def marks(engine: Engine, observation_ids: Iterable) -> dict[int, tuple[int, bool]]:
    """{observation id: (rival figures, chosen by the ledger)} for the ids in a group; others are left out."""
    ids = sorted({int(i) for i in observation_ids if i is not None and not pd.isna(i)})
    out: dict[int, tuple[int, bool]] = {}
    if not ids:
        return out
    with engine.connect() as conn:
        for i in range(0, len(ids), CHUNK):
            q = (select(LedgerMember.observation_id, LedgerGroup.member_count, LedgerMember.rank)
                 .join(LedgerGroup, LedgerGroup.id == LedgerMember.group_id)
                 .where(LedgerMember.observation_id.in_(ids[i:i + CHUNK])))
            out.update({int(o): (int(n) - 1, int(r) == 1) for o, n, r in conn.execute(q)})
    return out


def rival_note(n: int, chosen: bool | None = None) -> str:
    """'2 rival figures (see Sources)', with the ledger's choice when known; '' when there is none."""
    if not n:
        return ""
    words = f"{n} rival figure{'s' if n != 1 else ''} (see Sources)"
    if chosen is None:
        return words
    return f"chosen over {words}" if chosen else f"passed over: {words}"


def with_marks(engine: Engine, df: pd.DataFrame, id_column: str = "observation_id") -> pd.DataFrame:
    """df with `rivals` (int), `is_chosen` (True: the ledger's choice in a group) and `rival_note` (hover words)."""
    found = marks(engine, df[id_column].dropna()) if id_column in df and len(df) else {}
    ids = df[id_column] if id_column in df else pd.Series([None] * len(df), index=df.index)
    got = [found.get(int(i)) if i is not None and not pd.isna(i) else None for i in ids]
    return df.assign(rivals=[m[0] if m else 0 for m in got], is_chosen=[bool(m and m[1]) for m in got],
                     rival_note=[rival_note(*m) if m else "" for m in got])


def passed_over(engine: Engine, observation_ids: Iterable) -> set[int]:
    """Of these figures, the ones whose group chose a rival instead (charts of one figure per quantity drop them)."""
    return {i for i, (_, chosen) in marks(engine, observation_ids).items() if not chosen}
