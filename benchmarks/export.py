"""Export: the streaming CSV export of a whole synthetic store against pandas to_csv of the same frame, each in
its own process so that its peak memory (RSS) is measured alone."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.report import Table, rate, ratio, seconds

ROOT = Path(__file__).resolve().parent.parent
RSS_GOAL_MB = 250


def _run(url: str, mode: str, out: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "benchmarks.export_worker", url, mode, str(out)], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"export {mode} failed: {done.stderr[-1000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["bytes"] = out.stat().st_size
    out.unlink()
    return result


def run(store_urls: dict[tuple[str, str], str]) -> Table:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        for (kind, label), url in store_urls.items():
            s = _run(url, "stream", Path(tmp) / "stream.csv")
            p = _run(url, "pandas", Path(tmp) / "pandas.csv")
            rows += [
                [kind, label, "streaming export (etl.export.write_csv)", f"{s['rows']:,}", seconds(s["seconds"]),
                 rate(s["rows"], s["seconds"]), f"{s['peak_rss_mb']:,.0f} MB", f"{s['bytes'] / 1e6:,.0f} MB",
                 f"{ratio(p['seconds'], s['seconds'])} the speed of pandas"],
                [kind, label, "pandas read_sql + to_csv of the same query", f"{p['rows']:,}", seconds(p["seconds"]),
                 rate(p["rows"], p["seconds"]), f"{p['peak_rss_mb']:,.0f} MB", f"{p['bytes'] / 1e6:,.0f} MB",
                 f"to_csv alone: {seconds(p['seconds'] - p['read_seconds'])} "
                 f"({rate(p['rows'], p['seconds'] - p['read_seconds'])})"],
            ]
    return Table("Export", ["store", "rows in store", "what", "rows", "time", "rows/s", "peak RSS", "CSV size",
                            "ratio"], rows,
                 notes=["Every figure of the synthetic store with its provenance (the `python -m etl export` query, no "
                        "filter), written to a CSV file. Each export runs in its own Python process; peak RSS is that "
                        "process's VmHWM from /proc (interpreter and imports included). "
                        f"Goal: streaming export ≤ {RSS_GOAL_MB} MB RSS at 1 M rows.",
                        "The HTTP route /export.csv (dashboard/exports.py) streams the same query with the same "
                        "cursor; it is not measured separately here."])
