"""The registry of source formats and recognition of a file's format by its content."""
from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from etl.extract import pdf
from etl.records import FileRejected
from etl.sources._table import check_text, read_head, read_header

# Adding a publisher: write etl/sources/<name>.py (FORMAT, detect, extract, transform) and list it here.
SOURCE_MODULES = (
    "unhcr_population",
    "unhcr_flows",
    "unhcr_solutions",
    "unhcr_demographics",
    "idmc_via_unhcr",
    "reference_figures",
    "iom_dtm",
    "idmc_gidd",
    "unhcr_rdf_download",
    "unhcr_api",
    "hxl_table",  # last: any table with an HXL row that no publisher-specific format claimed
    "report_text",  # prose, not a table: figures read from it are candidates for review (etl review)
)


def modules() -> dict[str, ModuleType]:
    mods = [importlib.import_module(f"etl.sources.{name}") for name in SOURCE_MODULES]
    return {m.FORMAT: m for m in mods}


def choose(path: Path, fmt: str | None = None) -> ModuleType:
    """The module for `fmt`, or the one whose detect() accepts the file; else say what each found."""
    mods = modules()
    if fmt:
        if fmt not in mods:
            raise FileRejected(path, f"unknown format {fmt!r}; known formats: {', '.join(sorted(mods))}")
        return mods[fmt]
    if not Path(path).is_file():
        raise FileRejected(path, "file not found")
    if pdf.is_pdf(read_head(Path(path), 1024)):  # binary by nature: only report text reads PDFs
        return mods["report"]
    _check_readable(Path(path))
    reasons = []
    for name, mod in mods.items():
        why_not = mod.detect(Path(path))
        if why_not is None:
            return mod
        reasons.append(f"{name}: {why_not}")
    header = read_header(Path(path)) or []
    hint = " (the header seems to use another delimiter than a comma)" if len(header) == 1 and any(
        d in header[0] for d in ";\t|") else ""
    raise FileRejected(path, f"format not recognised{hint}; tried " + "; ".join(reasons), row=1)


def _check_readable(path: Path) -> None:
    """Say why a file is unreadable (undecodable, truncated archive, empty, HTML) before guessing its format.
    The file is read block by block: memory does not grow with its size."""
    for _ in check_text(path):
        pass
