"""What the hostile-input tests share: the corpus manifest, a store holding real data, a content digest, a CLI run."""
from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect, select, text

from etl import db
from etl import store as ops
from etl.load import load_file
from etl.models import Base

HOSTILE = Path(__file__).resolve().parent
ROOT = HOSTILE.parents[1]
SAMPLES = ROOT / "tests" / "fixtures" / "samples"
# The real data the store holds before each hostile file arrives (so "unchanged" is checked against content).
PRELOADED = [SAMPLES / "unhcr_population_sample.csv", SAMPLES / "turkey_temporary_protection_sample.csv",
             SAMPLES / "nw_syria_displacement_sample.csv", SAMPLES / "unhcr_idmc_sample.csv"]
RUN_LOG = {"load_run", "alembic_version"}  # what a rejected file may change: the log of the attempt
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Entry:
    file: str
    format: str
    cli_format: str
    derived_from: str
    defect: str
    expected: str
    n_set_aside: int | None
    reason: str
    row: int | None
    column: str

    @property
    def path(self) -> Path:
        return HOSTILE / self.file

    def cli_args(self) -> list[str]:
        return ["load", str(self.path)] + (["--format", self.cli_format] if self.cli_format else [])


def manifest() -> list[Entry]:
    with (HOSTILE / "MANIFEST.csv").open(encoding="utf-8", newline="") as fh:
        return [Entry(r["file"], r["format"], r["cli_format"], r["derived_from"], r["defect"], r["expected"],
                      int(r["n_set_aside"]) if r["n_set_aside"] else None, r["reason"],
                      int(r["row"]) if r["row"] else None, r["column"]) for r in csv.DictReader(fh)]


def preload(engine: Engine) -> None:
    ops.init(engine)
    for path in PRELOADED:
        result = load_file(engine, path)
        assert result.status == "success", f"{path.name}: {result.message}"


def build_sqlite_base(folder: Path) -> Path:
    """A SQLite store file with the gazetteer and the real samples loaded (copied for each case)."""
    path = folder / "base.db"
    eng = db.make_engine(f"sqlite:///{path}")
    try:
        preload(eng)
        with eng.connect() as conn:  # fold the WAL into the file, so a copy of the file is the whole store
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    finally:
        eng.dispose()
    return path


def copy_store(base: Path, folder: Path, name: str = "store.db") -> str:
    target = folder / name
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(base, target)
    return f"sqlite:///{target}"


def digest(engine: Engine, exclude: set[str] = RUN_LOG) -> dict[str, str]:
    """Per table (the run log apart), a SHA-256 of every row in a stable order: equal digests, equal content."""
    out = {}
    with engine.connect() as conn:
        names = set(inspect(conn).get_table_names()) - exclude
        unknown = names - set(Base.metadata.tables)
        assert not unknown, f"tables the models do not declare: {unknown}"  # every table is digested
        for name in sorted(names):
            table = Base.metadata.tables[name]
            rows = conn.execute(select(table).order_by(*table.columns)).all()
            out[name] = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest() + f" ({len(rows)} rows)"
    return out


@dataclass
class CliRun:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def run_cli(args: list[str], url: str, monkeypatch) -> CliRun:
    """`python -m etl ARGS` in this process (etl.__main__.main, as the console runs it), output captured.
    An exception escaping main() is a traceback the user would see: it propagates and fails the test."""
    from etl.__main__ import main

    monkeypatch.setenv("DATABASE_URL", url)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(args)
    return CliRun(code, out.getvalue(), err.getvalue())


def cells_that_could_run(rows: list[list[str]]) -> list[str]:
    """Export cells a spreadsheet would run as a formula (real negative numbers apart)."""
    return [cell[:80] for row in rows for cell in row
            if cell.startswith(FORMULA_START) and not re.fullmatch(r"-\d+(\.\d+)?", cell)]
