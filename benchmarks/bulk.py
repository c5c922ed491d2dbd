"""The practical limit of writing rows: executemany in large batches on SQLite, COPY on PostgreSQL."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import Engine

BATCH_ROWS = 100_000


def insert_rows(engine: Engine, table: str, columns: Sequence[str], rows: Iterable[Sequence],
                batch: int = BATCH_ROWS) -> int:
    """Write `rows` (tuples in `columns` order) into `table`, one transaction per batch; returns the count."""
    if engine.dialect.name == "sqlite":
        return _sqlite(engine, table, columns, rows, batch)
    if engine.dialect.name == "postgresql":
        return _copy(engine, table, columns, rows, batch)
    raise ValueError(f"no bulk writer for {engine.dialect.name}")


def _batches(rows: Iterable[Sequence], size: int):
    chunk: list = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _sqlite(engine: Engine, table: str, columns: Sequence[str], rows: Iterable[Sequence], batch: int) -> int:
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    n = 0
    raw = engine.raw_connection()  # the engine's connect hook has set WAL, foreign keys and synchronous=NORMAL
    try:
        for chunk in _batches(rows, batch):
            dates = [i for i, v in enumerate(chunk[0]) if isinstance(v, dt.date)]
            if dates:  # SQLAlchemy's Date on SQLite is ISO text; convert only the columns that need it
                chunk = [_iso_dates(r, dates) for r in chunk]
            cur = raw.cursor()
            cur.executemany(sql, chunk)
            cur.close()
            raw.commit()
            n += len(chunk)
    finally:
        raw.close()
    return n


def _iso_dates(row: Sequence, dates: list[int]) -> list:
    out = list(row)
    for i in dates:
        if isinstance(out[i], dt.date):
            out[i] = out[i].isoformat()
    return out


def _copy(engine: Engine, table: str, columns: Sequence[str], rows: Iterable[Sequence], batch: int) -> int:
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    n = 0
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection  # psycopg 3
        for chunk in _batches(rows, batch):
            with conn.cursor() as cur, cur.copy(sql) as copy:
                copy.write("".join("\t".join(_copy_text(v) for v in r) + "\n" for r in chunk))
            conn.commit()
            n += len(chunk)
    finally:
        raw.close()
    return n


def _copy_text(v) -> str:
    """A value in COPY's text format (the generator's and loader's text has no tabs, newlines or backslashes
    except where escaped here)."""
    if v is None:
        return "\\N"
    if v is True:
        return "t"
    if v is False:
        return "f"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str):
        return v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return str(v)
