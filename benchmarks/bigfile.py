"""Write a big labelled-synthetic UNHCR population table (the Refugee Data Finder's wide CSV) of a given size.

Every figure is invented: the file is named synthetic-benchmark-not-real_*.csv and its MANIFEST.csv line (beside
it, read by the loader) gives the release and channel "synthetic benchmark, not real", so the document title and
release label in the store say so. Places are the real gazetteer's countries (ISO3 and UNHCR codes, names from
data/gazetteer/countries.csv). Each line is one (year, origin, asylum) of 1900-2025, never repeated, with one to
three non-zero group cells; the others are UNHCR's structural zeros ("0", or empty for oip), which the loader
drops. hst (host community, no origin) stays 0: it would repeat one figure per asylum country and year.

    .venv/bin/python -m benchmarks.bigfile --mb 500 [--out /tmp] [--seed 7] [--load sqlite:////tmp/big.db]
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from etl.gazetteer import DATA_DIR as GAZETTEER_DIR

ROOT = Path(__file__).resolve().parents[1]
LABEL = "synthetic benchmark, not real"
PREFIX = "synthetic-benchmark-not-real"
HEADER = ["year", "coo_name", "coo", "coo_iso", "coa_name", "coa", "coa_iso", "refugees", "asylum_seekers",
          "returned_refugees", "idps", "returned_idps", "stateless", "ooc", "oip", "hst"]
GROUP_COLUMNS = HEADER[7:15]  # hst excluded: see the module docstring
FIRST_YEAR, LAST_YEAR = 1900, 2025
MANIFEST_FIELDS = ["file", "format", "retrieved_on", "release", "released_on", "channel", "obtained_from", "licence"]


@dataclass
class Written:
    path: Path
    bytes: int
    lines: int  # data lines (the header not counted)
    figures: int  # non-zero cells: what the loader keeps


def countries() -> list[tuple[str, str, str]]:
    """(iso3, UNHCR code, name) of every country in the gazetteer."""
    with (GAZETTEER_DIR / "countries.csv").open(encoding="utf-8", newline="") as fh:
        return [(r["iso3"], r["unhcr_code"] or r["iso3"], r["name"]) for r in csv.DictReader(fh)]


def write(folder: Path, mb: float, *, seed: int = 7, name: str | None = None, manifest: bool = True) -> Written:
    """Write about `mb` megabytes (10**6 bytes) of data lines to folder/name (and its MANIFEST.csv line)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{PREFIX}_unhcr_population_{mb:g}mb.csv")
    target = int(mb * 1_000_000)
    rng = np.random.default_rng(seed)
    places = countries()
    n = len(places)
    place_part = [f"{_csv_cell(nm)},{code},{iso}" for iso, code, nm in places]
    pairs = np.array([(o, a) for o in range(n) for a in range(n)], dtype=np.int32)
    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    rng.shuffle(years)
    size = lines = figures = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(HEADER) + "\n")
        size += len(",".join(HEADER)) + 1
        for year in years:
            order = pairs[rng.permutation(len(pairs))]
            k = rng.integers(1, 4, size=len(order))  # non-zero cells per line
            values = np.minimum(np.rint(rng.lognormal(4.0, 2.5, size=(len(order), 3))).astype(np.int64) + 1,
                                28_000_000)
            which = np.argsort(rng.random((len(order), len(GROUP_COLUMNS))), axis=1)[:, :3]
            buf = io.StringIO()
            for i, (o, a) in enumerate(order):
                row = ["0"] * len(GROUP_COLUMNS)
                row[GROUP_COLUMNS.index("oip")] = ""
                for j in range(k[i]):
                    row[which[i, j]] = str(values[i, j])
                line = f"{year},{place_part[o]},{place_part[a]},{','.join(row)},0\n"
                buf.write(line)
                size += len(line.encode())
                lines += 1
                figures += int(k[i])
                if size >= target:
                    break
            fh.write(buf.getvalue())
            if size >= target:
                break
        else:
            raise ValueError(f"{mb} MB is more than one line per year, origin and asylum ({size:,} bytes)")
    if manifest:
        _write_manifest(folder, path.name, seed)
    return Written(path, path.stat().st_size, lines, figures)


def truncate_mid_row(path: Path, from_end_bytes: int = 1000) -> int:
    """Cut the file inside a line near its end (that line then has too few fields); returns its line number."""
    size = path.stat().st_size
    with path.open("rb+") as fh:
        fh.seek(max(size - from_end_bytes, 0))
        tail = fh.read()
        cut = size - len(tail) + tail.index(b"\n") + 1 + 10  # ten bytes into the next line
        fh.truncate(cut)
        fh.seek(0)
        newlines = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))
    return newlines + 1


def _csv_cell(value: str) -> str:
    return f'"{value.replace(chr(34), chr(34) * 2)}"' if any(c in value for c in ',"\n') else value


def _write_manifest(folder: Path, file: str, seed: int) -> None:
    """The file's line in folder/MANIFEST.csv (other lines kept): the loader labels release and document with it."""
    manifest = folder / "MANIFEST.csv"
    rows = []
    if manifest.is_file():
        with manifest.open(encoding="utf-8", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r["file"] != file]
    rows.append({"file": file, "format": "unhcr_population", "retrieved_on": "2026-01-01",
                 "release": f"{LABEL} (benchmarks/bigfile.py, seed {seed})", "released_on": "2026-01-01",
                 "channel": f"{LABEL}: generated by benchmarks/bigfile.py", "obtained_from": LABEL,
                 "licence": f"{LABEL}: generated, no licence applies; never cite"})
    with manifest.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=MANIFEST_FIELDS)
        w.writeheader()
        w.writerows(rows)


@dataclass
class Child:
    code: int
    stdout: str
    stderr: str
    peak_rss_mb: float
    seconds: float


# `python -m etl ...` that writes its own peak RSS (VmHWM of /proc/self/status) to argv[1] when it exits. Not
# ru_maxrss from wait4: Linux carries the parent's high-water mark into a forked child across exec, so a big
# pytest process (after the browser tests) made a small load look like 600 MB.
LAUNCH = """
import atexit, runpy, sys
hwm_file = sys.argv[1]
def report():
    with open("/proc/self/status") as fh:
        kb = next(line.split()[1] for line in fh if line.startswith("VmHWM:"))
    with open(hwm_file, "w") as out:
        out.write(kb)
atexit.register(report)
sys.argv = ["etl", *sys.argv[2:]]
runpy.run_module("etl", run_name="__main__", alter_sys=True)
"""


def run_load(url: str, path: Path, folder: Path) -> Child:
    """`python -m etl load path` against `url`; its own peak RSS (VmHWM, written by the process as it exits)."""
    out, err, hwm = folder / "load.out", folder / "load.err", folder / "load.hwm"
    started = time.monotonic()
    with out.open("w") as fo, err.open("w") as fe:
        proc = subprocess.run([sys.executable, "-c", LAUNCH, str(hwm), "load", str(path)], cwd=ROOT, stdout=fo,
                              stderr=fe, env={**os.environ, "DATABASE_URL": url}, check=False)
    if not hwm.exists():
        raise RuntimeError(f"the load process reported no peak RSS (exit {proc.returncode}): {err.read_text()[-2000:]}")
    return Child(proc.returncode, out.read_text(), err.read_text(), int(hwm.read_text()) / 1024,
                 time.monotonic() - started)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=500, help="size in megabytes (10**6 bytes); default 500")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()), help="folder (default: the temp dir)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--load", metavar="DATABASE_URL",
                        help="then load it with `python -m etl load` into this store (migrated first; use an empty "
                             "one) and print the time and the load process's peak RSS")
    args = parser.parse_args(argv)
    w = write(args.out, args.mb, seed=args.seed)
    print(f"{w.path}: {w.bytes:,} bytes, {w.lines:,} lines, {w.figures:,} figures (non-zero cells)", flush=True)
    if args.load:
        from etl import db
        from etl import store as ops

        engine = db.make_engine(args.load)
        ops.init(engine)
        engine.dispose()
        done = run_load(args.load, w.path, args.out)
        print(f"load: exit {done.code} in {done.seconds:,.0f} s ({w.figures / done.seconds:,.0f} figures/s), "
              f"peak RSS {done.peak_rss_mb:,.0f} MB\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        raise SystemExit(done.code)


if __name__ == "__main__":
    main()
