"""Schema fingerprints: the column names and types, HXL tags and JSON keys a source is expected to deliver.
A fetched file whose fingerprint differs from the accepted one fails its source and shows the difference."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from etl.live.config import FINGERPRINT_DIR

NUMBER = re.compile(r"-?\d+(\.\d+)?")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?")
NOT_A_VALUE = {"", "-"}  # empty, or UNHCR's "-" (not applicable): says nothing about a column's type


class SchemaChanged(Exception):
    """The publisher changed what it sends: the message lists added, removed and retyped columns or keys."""

    def __init__(self, source: str, differences: list[str], path: Path):
        self.source, self.differences = source, differences
        super().__init__(f"the schema of {source} changed ({'; '.join(differences)}); if the change is expected, "
                         f"accept it with `python -m etl refresh --live --source {source} --accept-schema` "
                         f"(updates {path.name})")


def kind(value: object) -> str | None:
    """The coarse type of one published value; None for a value that shows no type (null, empty, '-')."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    text = str(value).strip()
    if text in NOT_A_VALUE:
        return None
    if NUMBER.fullmatch(text):
        return "number"
    if DATE.fullmatch(text):
        return "date"
    return "text"


def of_json(records: list[dict], envelope: dict | None = None) -> dict:
    """Keys of the records with the kinds of their values, keys some records lack, and the envelope's keys."""
    keys = list(dict.fromkeys(k for rec in records[:1000] for k in rec))  # the usual keys, in published order
    keys += [k for k in dict.fromkeys(k for rec in records for k in rec) if k not in keys]
    fields, missing = {}, {}
    for key in keys:  # column by column: a page holds ~10^5 values per key
        col = [rec.get(key, _MISSING) for rec in records]
        n_missing = col.count(_MISSING)
        if n_missing:
            missing[key] = f"{n_missing} of {len(records)}"
        types = {v.__class__ for v in col}
        kinds = {kind(v) for v in {v for v in col if v.__class__ is str}}
        kinds |= {kind(v) for v in {v for v in col if v.__class__ is bool}}
        kinds |= {_TYPE_KIND[t] for t in types if t in _TYPE_KIND}
        fields[key] = "|".join(sorted(k for k in kinds if k))
    return {"kind": "json", "envelope": sorted(envelope) if envelope is not None else None, "fields": fields,
            "missing_in_some": missing}


_MISSING = object()
_TYPE_KIND = {int: "number", float: "number", dict: "object", list: "array"}


def of_csv(text: str) -> dict:
    """Column names with the kinds of their cells, and the HXL hashtag of each column when row 2 is HXL."""
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip() for h in rows[0]] if rows else []
    body = rows[1:]
    hxl = None
    if body and all(c.strip().startswith("#") for c in body[0] if c.strip()) and any(c.strip() for c in body[0]):
        hxl = {h: t.strip() for h, t in zip(header, body[0], strict=False) if t.strip()}
        body = body[1:]
    fields: dict[str, set] = {h: set() for h in header}
    for row in body:
        for h, cell in zip(header, row, strict=False):
            if (k := kind(cell)) is not None:
                fields[h].add(k)
    return {"kind": "csv", "envelope": None, "fields": {h: "|".join(sorted(v)) for h, v in fields.items()}, "hxl": hxl}


def differences(expected: dict, observed: dict) -> list[str]:
    """Human-readable differences: added / removed / retyped fields, envelope keys and HXL tags."""
    out = []
    exp_f = {k: set(filter(None, v.split("|"))) for k, v in expected.get("fields", {}).items()}
    obs_f = {k: set(filter(None, v.split("|"))) for k, v in observed.get("fields", {}).items()}
    label = "column" if observed.get("kind") == "csv" else "key"
    for name in [n for n in exp_f if n not in obs_f]:
        out.append(f"removed {label} {name!r}")
    for name in [n for n in obs_f if n not in exp_f]:
        out.append(f"added {label} {name!r} ({'|'.join(sorted(obs_f[name])) or 'empty'})")
    for name in [n for n in obs_f if n in exp_f]:
        if exp_f[name] and obs_f[name] - exp_f[name]:
            out.append(f"retyped {label} {name!r}: {'|'.join(sorted(exp_f[name]))} -> {'|'.join(sorted(obs_f[name]))}")
    gaps = expected.get("missing_in_some") or {}
    for name, count in (observed.get("missing_in_some") or {}).items():
        if name not in gaps and name in exp_f:
            out.append(f"{label} {name!r} missing from {count} rows")
    exp_e, obs_e = expected.get("envelope"), observed.get("envelope")
    if exp_e is not None and obs_e is not None:
        out += [f"removed envelope key {k!r}" for k in exp_e if k not in obs_e]
        out += [f"added envelope key {k!r}" for k in obs_e if k not in exp_e]
    exp_h, obs_h = expected.get("hxl") or {}, observed.get("hxl") or {}
    if exp_h or obs_h:
        for col in sorted(set(exp_h) | set(obs_h)):
            if exp_h.get(col) != obs_h.get(col) and col in obs_f and col in exp_f:
                out.append(f"HXL tag of {col!r}: {exp_h.get(col) or 'none'} -> {obs_h.get(col) or 'none'}")
    return out


def path_for(source: str, folder: Path | None = None) -> Path:
    return (folder or FINGERPRINT_DIR) / f"{source}.json"


def load(source: str, folder: Path | None = None) -> dict | None:
    path = path_for(source, folder)
    if not path.is_file():
        return None
    doc = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(doc.get("envelope"), str):
        doc["envelope"] = doc["envelope"].split()
    return doc


def save(source: str, fingerprint: dict, folder: Path | None = None) -> Path:
    path = path_for(source, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"source": source, **fingerprint}
    if doc.get("envelope") is not None:
        doc["envelope"] = " ".join(doc["envelope"])  # one line: diffs of the committed file stay readable
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def check(source: str, observed: dict, folder: Path | None = None) -> None:
    """Raise SchemaChanged unless `observed` matches the accepted fingerprint (none accepted yet is a failure)."""
    path = path_for(source, folder)
    expected = load(source, folder)
    if expected is None:
        raise SchemaChanged(source, [f"no accepted fingerprint at {path}"], path)
    diff = differences(expected, observed)
    if diff:
        raise SchemaChanged(source, diff, path)
