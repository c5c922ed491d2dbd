"""Boundary collections served by URL (GET /geo/<version>/<layer>.geojson): a map figure names a short same-origin
URL that the browser fetches once and keeps, instead of carrying the geometry in every callback response (and
through plotly's validation and JSON encoding on the server at every click)."""
from __future__ import annotations

import copy
import functools
import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from flask import Flask, Response, abort, request

from dashboard import geo

PREFIX = "/geo/"
CODE = re.compile(r"[A-Za-z0-9-]{1,20}")
VERSION = re.compile(r"[0-9a-f]{12}")
MAX_CODES = 500
MAX_STEP = 8
# The URL carries a digest of the files and of the code that thins them: a browser may keep a collection for good.
CACHE_CONTROL = "private, max-age=31536000, immutable"

Key = tuple[str, tuple[str, ...] | None, tuple[float, float, float, float] | None, int]


@functools.cache
def version() -> str:
    """12 hex digits of the boundary files and of dashboard/geo.py: a new deployment's geometry gets new URLs."""
    digest = hashlib.sha256()
    for path, _prop in geo.LAYERS.values():
        digest.update((geo.GEO_DIR / path).read_bytes())
    digest.update(Path(geo.__file__).read_bytes())
    return digest.hexdigest()[:12]


def url(name: str, codes: Iterable[str] | None = None, *, box: tuple[float, float, float, float] | None = None,
        step: int = 1) -> str:
    """The URL of geo.lean(name, codes, box=box, step=step); codes sorted, so one set has one URL."""
    if name not in geo.names():
        raise ValueError(f"unknown boundary layer {name!r}")
    query = {}
    if codes is not None:
        query["codes"] = ",".join(sorted(set(codes)))
    if box is not None:
        query["box"] = ",".join(repr(float(v)) for v in box)  # repr: the exact float comes back
    if step != 1:
        query["step"] = str(step)
    return f"{PREFIX}{version()}/{name}.geojson" + (f"?{urlencode(query, safe=',')}" if query else "")


def parse(path: str, args: Mapping[str, str]) -> Key:
    """(layer, codes, box, step) of a URL path and its query arguments; ValueError if it names no collection."""
    m = re.fullmatch(re.escape(PREFIX) + r"([0-9a-f]+)/([a-z0-9_]+)\.geojson", path)
    if not m or not VERSION.fullmatch(m.group(1)) or m.group(2) not in geo.names():
        raise ValueError("not a boundary collection")
    if set(args) - {"codes", "box", "step"}:
        raise ValueError("unknown argument")
    codes = None
    if "codes" in args:
        codes = tuple(sorted({c for c in args["codes"].split(",") if c}))
        if len(codes) > MAX_CODES or not all(CODE.fullmatch(c) for c in codes):
            raise ValueError("bad codes")
    box = None
    if "box" in args:
        values = tuple(float(v) for v in args["box"].split(","))
        if len(values) != 4 or not all(math.isfinite(v) for v in values):
            raise ValueError("bad box")
        box = values
    step = int(args.get("step", "1")) if re.fullmatch(r"\d{1,2}", args.get("step", "1")) else 0
    if not 1 <= step <= MAX_STEP:
        raise ValueError("bad step")
    return m.group(2), codes, box, step


def collection(address: str) -> dict | None:
    """The collection a url() names (a new dict), or None for any other string."""
    parts = urlsplit(address)
    if parts.scheme or parts.netloc:
        return None
    try:
        args = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True, strict_parsing=False).items()}
        name, codes, box, step = parse(parts.path, args)
    except ValueError:
        return None
    return geo.lean(name, codes, box=box, step=step)


def inline(figure: dict) -> dict:
    """A copy of a figure dict with each boundary URL (trace geojson, map layer source) replaced by its
    collection: for renderers that cannot fetch from this server (kaleido's PNG)."""
    out = copy.deepcopy(figure)
    for trace in out.get("data") or []:
        if isinstance(trace, dict) and isinstance(trace.get("geojson"), str):
            trace["geojson"] = collection(trace["geojson"]) or trace["geojson"]
    layout = out.get("layout")
    for key, subplot in (layout.items() if isinstance(layout, dict) else ()):
        if key.startswith("map") and isinstance(subplot, dict) and isinstance(subplot.get("layers"), list):
            for layer in subplot["layers"]:
                if isinstance(layer, dict) and isinstance(layer.get("source"), str):
                    layer["source"] = collection(layer["source"]) or layer["source"]
    return out


@functools.lru_cache(maxsize=256)
def _body(key: Key) -> bytes:
    name, codes, box, step = key
    return json.dumps(geo.lean(name, codes, box=box, step=step), separators=(",", ":")).encode()


def register(server: Flask) -> None:
    """GET /geo/<version>/<layer>.geojson[?codes=A,B&box=lon0,lat0,lon1,lat1&step=N] on the app's server."""

    @server.get(PREFIX + "<version>/<name>.geojson")
    def geojson(version: str, name: str) -> Response:  # noqa: ARG001  (the version only busts caches)
        try:
            key = parse(request.path, request.args)
        except ValueError:
            abort(404)
        return Response(_body(key), mimetype="application/geo+json", headers={"Cache-Control": CACHE_CONTROL})
