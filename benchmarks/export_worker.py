"""One export in its own process, so its peak memory is its own: prints rows, seconds and peak RSS as JSON.

python -m benchmarks.export_worker URL stream|pandas OUT.csv"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pandas as pd

from etl import db
from etl.export import EXPORT_COLUMNS, ExportFilter, export_query, write_csv


def main(url: str, mode: str, out: str) -> dict:
    engine = db.make_engine(url)
    try:
        started = time.perf_counter()
        with engine.connect() as conn, open(out, "w", encoding="utf-8", newline="") as fh:
            if mode == "stream":  # etl/export.py: rows from a server-side cursor, 5,000 at a time
                n = write_csv(conn, ExportFilter(), fh)["rows"]
                read_s = None
            else:  # the same query into one DataFrame, then to_csv
                df = pd.read_sql(export_query(ExportFilter()), conn)
                read_s = time.perf_counter() - started
                df.to_csv(fh, index=False, columns=list(EXPORT_COLUMNS))
                n = len(df)
        took = time.perf_counter() - started
    finally:
        engine.dispose()
    return {"rows": n, "seconds": took, "read_seconds": read_s, "peak_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's own high-water RSS (VmHWM). Not ru_maxrss: Linux carries that over from the parent across
    fork and exec, so a child of a large process would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4])))
