"""PNG of a chart rendered on the server by kaleido (Debian's Chromium), with map geometry from assets/."""
from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio

TOPOJSON_DIR = Path(__file__).resolve().parent.parent / "assets" / "topojson"
# Geo traces would fetch their topojson from plotly's CDN: point kaleido at the files we ship instead.
pio.defaults.topojson = TOPOJSON_DIR.as_uri() + "/"


def render(figure: dict | go.Figure, width: int = 1200, height: int = 700) -> bytes:
    fig = figure if isinstance(figure, go.Figure) else go.Figure(figure)
    return pio.to_image(fig, format="png", width=width, height=height, scale=1)
