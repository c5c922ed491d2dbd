"""The boundary files shipped in assets/geo/, loaded once, each feature keyed by its canonical place code."""
from __future__ import annotations

import functools
import json
import math
import re
from pathlib import Path

GEO_DIR = Path(__file__).resolve().parent.parent / "assets" / "geo"

# layer -> (file, property holding the code). Syria's OCHA p-codes and Türkiye's ISO 3166-2 codes are already
# the gazetteer's canonical codes; Natural Earth countries carry ISO 3166-1 alpha-3.
LAYERS = {
    "syr_admin1": ("syr_admin1_ocha_simplified.geojson", "ADM1_PCODE"),
    "syr_admin2": ("syr_admin2_ocha_simplified.geojson", "ADM2_PCODE"),
    "syr_admin2_nw": ("syr_admin2_ocha_idleb_aleppo_simplified.geojson", "ADM2_PCODE"),
    "tur_admin1": ("tur_admin1_naturalearth.geojson", "iso_3166_2"),
    "countries": ("countries_110m_world_naturalearth.geojson", "iso_a3"),
    "countries_me": ("countries_50m_middle_east_naturalearth.geojson", "iso_a3"),
}
# Composite layers: several layers in one collection, for a map that draws areas of different levels from one
# file. Where two layers hold the same code the later (more detailed) one's feature is kept.
COMPOSITES = {
    # Border region: governorates, districts (Idleb and Aleppo in the detailed file) and Turkish provinces.
    "border_areas": ("syr_admin1", "syr_admin2", "syr_admin2_nw", "tur_admin1"),
}
NAME_PROPERTIES = ("ADM2_EN", "ADM1_EN", "name_iso", "name")
# Natural Earth gives Kosovo no ISO code; the gazetteer's documented X-code is XKX. N. Cyprus and Somaliland
# have no place of their own in the gazetteer and stay unmapped (id None).
CODE_BY_NAME = {"Kosovo": "XKX"}

DISCLAIMER = ("The boundaries and names shown and the designations used on this map do not imply official "
              "endorsement or acceptance by the United Nations.")
ATTRIBUTION = {
    "ocha": "Administrative boundaries: UN OCHA / UN Cartographic Section, Syria COD-AB (via HDX), CC BY 3.0 IGO.",
    "naturalearth": "Türkiye provinces and country outlines: Natural Earth (public domain).",
}


@functools.cache
def layer(name: str) -> dict:
    """A FeatureCollection whose features carry `id` = canonical place code (None where there is none).

    Cached: callers must not modify it (build new collections with subset())."""
    path, prop = LAYERS[name]
    data = json.loads((GEO_DIR / path).read_text(encoding="utf-8"))
    for feature in data["features"]:
        props = feature["properties"]
        code = props.get(prop) or CODE_BY_NAME.get(props.get("name", ""))
        feature["id"] = code
        props["code"] = code
        props["label"] = next((props[p] for p in NAME_PROPERTIES if props.get(p)), code)
    return data


def codes(name: str) -> list[str]:
    return [f["id"] for f in _features(name) if f["id"]]


def names() -> tuple[str, ...]:
    """Every layer and composite a figure may name."""
    return (*LAYERS, *COMPOSITES)


@functools.cache
def _features(name: str) -> tuple[dict, ...]:
    """The features of a layer, or of a composite (a later layer's feature replaces an earlier one's code)."""
    if name not in COMPOSITES:
        return tuple(layer(name)["features"])
    parts = [_features(part) for part in COMPOSITES[name]]
    later = [{f["id"] for p in parts[i + 1:] for f in p} for i in range(len(parts))]
    return tuple(f for part, replaced in zip(parts, later, strict=True) for f in part if f["id"] not in replaced)


def layer_for(code: str) -> str | None:
    """The layer that draws a place code: SY07 -> syr_admin1, SY0700 -> syr_admin2, TR-31 -> tur_admin1."""
    if re.fullmatch(r"SY\d\d", code):
        return "syr_admin1"
    if re.fullmatch(r"SY\d{4}", code):
        return "syr_admin2"
    if re.fullmatch(r"TR-\d\d", code):
        return "tur_admin1"
    if re.fullmatch(r"[A-Z]{3}", code):
        return "countries"
    return None


def subset(name: str, wanted) -> dict:
    """A new FeatureCollection with the features of `wanted` codes (geometries shared, not copied)."""
    wanted = set(wanted)
    return {"type": "FeatureCollection",
            "features": [f for f in layer(name)["features"] if f["id"] in wanted]}


def within(name: str, box: tuple[float, float, float, float], exclude=()) -> dict:
    """Features whose bounding box meets `box` (lon0, lat0, lon1, lat1): context outlines around a view."""
    exclude = set(exclude)
    out = []
    for f, b in zip(_features(name), _bboxes(name), strict=True):
        if f["id"] not in exclude and b[0] <= box[2] and b[2] >= box[0] and b[1] <= box[3] and b[3] >= box[1]:
            out.append(f)
    return {"type": "FeatureCollection", "features": out}


def lean(name: str, wanted=None, *, box: tuple[float, float, float, float] | None = None, step: int = 1) -> dict:
    """A small FeatureCollection for a figure: only id and code kept, every `step`-th vertex (context outlines
    need less detail), limited to `wanted` codes and/or features meeting `box`."""
    wanted = None if wanted is None else set(wanted)
    out = []
    for f, b in zip(_lean_features(name, step), _bboxes(name), strict=True):
        if wanted is not None and f["id"] not in wanted:
            continue
        if box is not None and not (b[0] <= box[2] and b[2] >= box[0] and b[1] <= box[3] and b[3] >= box[1]):
            continue
        out.append(f)
    return {"type": "FeatureCollection", "features": out}


@functools.cache
def _lean_features(name: str, step: int) -> tuple[dict, ...]:
    return tuple({"type": "Feature", "id": f["id"], "properties": {"code": f["id"]},
                  "geometry": _thin(f["geometry"], step)} for f in _features(name))


def _thin(geometry: dict, step: int) -> dict:
    def ring(r):
        if step <= 1 or len(r) < 4 * step:
            return r
        kept = r[:-1:step]
        return kept + [r[0]]  # closed again
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geometry["coordinates"]]}
    if geometry["type"] == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [[ring(r) for r in poly] for poly in geometry["coordinates"]]}
    return geometry


def feature(name: str, code: str) -> dict | None:
    return next((f for f in layer(name)["features"] if f["id"] == code), None)


def centroid(code: str, name: str | None = None) -> tuple[float, float] | None:
    """(lon, lat) of the area-weighted centre of a place's largest polygon, for arrow ends; None if unmapped."""
    name = name or layer_for(code)
    f = feature(name, code) if name else None
    if f is None:
        return None
    ring = max(_outer_rings(f["geometry"]), key=lambda r: abs(_ring_area(r)))
    area = _ring_area(ring)
    if area == 0:
        return ring[0][0], ring[0][1]
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return round(cx / (6 * area), 4), round(cy / (6 * area), 4)


def bbox(name: str, wanted) -> tuple[float, float, float, float] | None:
    wanted = set(wanted)
    boxes = [b for f, b in zip(_features(name), _bboxes(name), strict=True) if f["id"] in wanted]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def union_bbox(*boxes) -> tuple[float, float, float, float] | None:
    boxes = [b for b in boxes if b]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def map_view(box: tuple[float, float, float, float], width: int = 760, height: int = 430) -> dict:
    """Explicit center and zoom (MapLibre, 512-px tiles, Web Mercator) that fit `box` in width x height px."""
    lon0, lat0, lon1, lat1 = box
    zoom_x = math.log2(width * 360 / (max(lon1 - lon0, 1e-6) * 512))
    y0, y1 = _merc(lat0), _merc(lat1)
    zoom_y = math.log2(height * 2 * math.pi / (max(y1 - y0, 1e-9) * 512))
    centre_lat = math.degrees(math.atan(math.sinh((y0 + y1) / 2)))
    return {"center": {"lon": round((lon0 + lon1) / 2, 4), "lat": round(centre_lat, 4)},
            "zoom": round(min(zoom_x, zoom_y) - 0.15, 2)}


def outline_lines(collection: dict) -> tuple[list, list]:
    """Lon and lat lists of every ring, separated by None: outlines drawn as lines (no fill, no topojson)."""
    lons, lats = [], []
    for f in collection["features"]:
        for ring in _all_rings(f["geometry"]):
            lons += [p[0] for p in ring] + [None]
            lats += [p[1] for p in ring] + [None]
    return lons, lats


def _merc(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _outer_rings(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [poly[0] for poly in geometry["coordinates"]]
    return []


def _all_rings(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for poly in geometry["coordinates"] for ring in poly]
    return []


def _ring_area(ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)) / 2


@functools.cache
def _bboxes(name: str) -> tuple[tuple[float, float, float, float], ...]:
    """Each feature's bounding box, in layer order (computed once per layer)."""
    return tuple(_points_bbox(f["geometry"]) for f in _features(name))


def _points_bbox(geometry: dict) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for ring in _all_rings(geometry):
        xs += [p[0] for p in ring]
        ys += [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)
