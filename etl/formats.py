"""The registry of source formats and recognition of a file's format by its content."""
from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from etl.records import FileRejected

# Adding a publisher: write etl/sources/<name>.py (FORMAT, detect, extract, transform) and list it here.
SOURCE_MODULES = (
    "unhcr_population",
    "unhcr_flows",
    "unhcr_solutions",
    "unhcr_demographics",
    "idmc_via_unhcr",
    "reference_figures",
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
    reasons = []
    for name, mod in mods.items():
        why_not = mod.detect(Path(path))
        if why_not is None:
            return mod
        reasons.append(f"{name}: {why_not}")
    raise FileRejected(path, "format not recognised; tried " + "; ".join(reasons))
