"""Shared checks for the publishers' real samples (tests/fixtures/publishers, see its README.md): golden exports,
the command line, and recognition of every file by its own format.

Each sample is loaded into a fresh store (retrieval date fixed) and exported with etl.export.write_csv; the export,
sorted by every column, must equal tests/golden/publishers/<folder>/<sample>.csv, which was reviewed by hand
against the raw sample. Regenerate after a deliberate change, then review `git diff tests/golden/publishers`:
    UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/test_publishers_*.py
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from etl import formats, store
from etl.export import ExportFilter, write_csv
from etl.load import load_file

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "fixtures" / "publishers"
GOLDEN = ROOT / "tests" / "golden" / "publishers"
RETRIEVED = dt.date(2026, 11, 25)
UPDATE = os.environ.get("UPDATE_GOLDENS") == "1"


def manifest(folder: str) -> dict[str, str]:
    """sample file -> its format, from the folder's MANIFEST.csv."""
    with (SAMPLES / folder / "MANIFEST.csv").open(encoding="utf-8", newline="") as fh:
        return {row["file"]: row["format"] for row in csv.DictReader(fh)}


def load(engine, *paths: Path):
    """Load files in order into an initialised store; every load must succeed."""
    results = []
    for path in paths:
        result = load_file(engine, path, retrieved_on=RETRIEVED, today=RETRIEVED)
        assert result.status == "success", (path.name, result.message, result.set_aside[:3])
        results.append(result)
    return results


def export(engine, flt: ExportFilter | None = None) -> pd.DataFrame:
    out = io.StringIO()
    with engine.connect() as conn:
        write_csv(conn, flt or ExportFilter(), out)
    df = pd.read_csv(io.StringIO(out.getvalue()), dtype=str, keep_default_na=False)
    return df.sort_values(list(df.columns), kind="stable").reset_index(drop=True)


def check_golden(engine, folder: str, name: str) -> None:
    store.init(engine)
    load(engine, SAMPLES / folder / name)
    got = export(engine)
    golden = GOLDEN / folder / (Path(name).stem + ".csv")
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        got.to_csv(golden, index=False, lineterminator="\n")
    want = pd.read_csv(golden, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(got, want, check_like=False)


def one(df: pd.DataFrame, **match: str) -> pd.Series:
    rows = df
    for col, val in match.items():
        rows = rows[rows[col] == val]
    assert len(rows) == 1, f"{len(rows)} rows match {match}"
    return rows.iloc[0]


class Cli:
    """`python -m etl ...` in a subprocess, with DATABASE_URL pointing at one SQLite file."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 's.db'}"}

    def __call__(self, *args: object, expect: int = 0) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == expect, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done

    def export(self, *args: str) -> pd.DataFrame:
        out = self.folder / "x.csv"
        self("export", "--out", out, *args)
        return pd.read_csv(out, dtype=str, keep_default_na=False)


def _all_samples() -> list[tuple[Path, str]]:
    found = []
    for folder in sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()):
        found += [(SAMPLES / folder / name, fmt) for name, fmt in manifest(folder).items()]
    for base in (ROOT / "tests" / "fixtures" / "samples", ROOT / "data" / "raw"):
        with (base / "MANIFEST.csv").open(encoding="utf-8", newline="") as fh:
            found += [(base / row["file"], row["format"]) for row in csv.DictReader(fh)]
    return found


@pytest.mark.parametrize(("path", "fmt"), _all_samples(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_every_file_is_recognised_as_its_own_format(path, fmt):
    assert formats.choose(path).FORMAT == fmt


def test_no_publisher_format_claims_the_damaged_fixtures():
    ours = {"iom_dtm", "idmc_gidd", "unhcr_rdf_download", "unhcr_api", "hxl_table"}
    for path in sorted((ROOT / "tests" / "fixtures" / "bad").glob("*.csv*")):
        mods = formats.modules()
        claimed = [name for name, mod in mods.items() if name in ours and mod.detect(path) is None]
        assert not claimed, (path.name, claimed)


def test_an_unknown_file_says_which_formats_were_tried(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"data": [1, 2]}', encoding="utf-8")
    result = load_file_rejected(path)
    for name in ("iom_dtm", "idmc_gidd", "unhcr_api", "hxl_table"):
        assert f"{name}:" in result


def load_file_rejected(path: Path) -> str:
    from etl.records import FileRejected

    with pytest.raises(FileRejected) as exc:
        formats.choose(path)
    return str(exc.value)
