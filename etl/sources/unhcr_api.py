"""UNHCR's population API (api.unhcr.org/population/v1, cf_type=ISO): JSON pages of the same database as the
R package and the website download, so the same figures through this channel add nothing."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.records import FileRejected, Snapshot, Transformed, snapshot
from etl.sources import _unhcr
from etl.sources._json import cell, head, read_json
from etl.sources.unhcr_population import COLUMNS

FORMAT = "unhcr_api"
TRANSFORM_VERSION = "1"
API_URL = "https://api.unhcr.org/population/v1/population/"


def detect(path: Path) -> str | None:
    text = head(path)
    if not text.startswith("{"):
        return "not a JSON response"
    ok = '"items"' in text and '"coa_iso"' in text and '"maxPages"' in text
    return None if ok else "a JSON file without the UNHCR API's items / coa_iso / maxPages fields"


def extract(path: Path, retrieved_on=None) -> Snapshot:
    return snapshot(path, retrieved_on)


def transform(snap: Snapshot) -> Transformed:
    body = read_json(snap.path)
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise FileRejected(snap.path, "not a UNHCR API page: no 'items' rows")
    if (bad := next((i for i, it in enumerate(items) if not isinstance(it, dict)), None)) is not None:
        raise FileRejected(snap.path, f"items[{bad}] is not an object but {type(items[bad]).__name__} "
                           f"{str(items[bad])[:60]!r}: not a UNHCR API page", row=bad + 1)
    df = pd.DataFrame([{k: cell(v) for k, v in it.items()} for it in items])
    missing = [c for c in _unhcr.KEY_COLUMNS if c not in df.columns]
    if missing:
        raise FileRejected(snap.path, f"items have no {missing[0]!r}: was the request made with cf_type=ISO "
                           "and the population endpoint?", column=missing[0])
    # The API writes "-" for a summed dimension (no single country) and, in count cells, where the R package and
    # the website leave the cell empty (a group the row does not report): neither is a figure.
    df = df.replace({"-": ""}).fillna("")
    df["row_number"] = range(1, len(df) + 1)
    meta = {**snap.meta, "channel": snap.meta.get("channel", "UNHCR population API (JSON, cf_type=ISO)")}
    recs = _unhcr.unpivot(df, {c: v for c, v in COLUMNS.items() if c in df.columns},
                          Snapshot(snap.path, snap.sha256, snap.size_bytes, snap.retrieved_on, meta),
                          "population API", _unhcr.RPSD)
    recs["doc_url"] = API_URL
    recs["source_ref"] = (snap.path.name + " items[" + (recs["row_number"] - 1).astype(str) + "], "
                          + recs["column"])
    names = dict(zip(df["coo_iso"], df["coo_name"], strict=True))
    names.update(zip(df["coa_iso"], df["coa_name"], strict=True))
    recs["origin_published"] = recs["origin_ref"].map(names)
    recs["location_published"] = recs["location_ref"].map(names)
    return Transformed(recs, {_unhcr.RPSD.slug: _unhcr.RPSD})
