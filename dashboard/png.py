"""PNG of a chart rendered on the server by kaleido (Debian's Chromium), with map geometry from assets/."""
from __future__ import annotations

from pathlib import Path

import kaleido
import plotly.graph_objects as go
import plotly.io as pio

from dashboard import geojson_route

TOPOJSON_DIR = Path(__file__).resolve().parent.parent / "assets" / "topojson"
# Geo traces would fetch their topojson from plotly's CDN: point kaleido at the files we ship instead.
pio.defaults.topojson = TOPOJSON_DIR.as_uri() + "/"
# Nothing a render needs is on the network: no MathJax (kaleido would load it from a CDN), and Chromium's own
# background requests (update checks, its start page) go to a dead local proxy, so nothing leaves the machine.
OFFLINE = {"mathjax": False, "proxy_server": "127.0.0.1:9"}


def render(figure: dict | go.Figure, width: int = 1200, height: int = 700) -> bytes:
    # Map boundaries are same-origin URLs the browser fetches (dashboard/geojson_route.py): kaleido gets them inline.
    fig = go.Figure(geojson_route.inline(figure.to_dict() if isinstance(figure, go.Figure) else figure))
    return kaleido.calc_fig_sync(fig.to_dict(), opts={"format": "png", "width": width, "height": height, "scale": 1},
                                 topojson=pio.defaults.topojson, kopts=dict(OFFLINE))
