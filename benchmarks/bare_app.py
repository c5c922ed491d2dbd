"""The baselines of the page and concurrency benchmarks: a bare Dash app with one graph, and a bare Flask endpoint
that returns fixed bytes (those of a dashboard callback response, from the file named by BENCH_BARE_BYTES).

gunicorn benchmarks.bare_app:server"""
from __future__ import annotations

import os
from pathlib import Path

import dash
from dash import dcc, html
from flask import Response

app = dash.Dash(__name__, serve_locally=True, assets_folder=str(Path(__file__).parent / "no_assets"))
app.layout = html.Div([dcc.Graph(id="graph", figure={
    "data": [{"type": "scatter", "x": [2019, 2020, 2021, 2022, 2023], "y": [3, 1, 4, 1, 5]}],
    "layout": {"title": {"text": "Bare Dash app, one graph (benchmark baseline)"}}})])
server = app.server
_BYTES_FILE = os.environ.get("BENCH_BARE_BYTES")
_BODY = Path(_BYTES_FILE).read_bytes() if _BYTES_FILE else b"{}"


@server.route("/bare-bytes", methods=["GET", "POST"])
def bare_bytes() -> Response:
    """The same bytes as the measured dashboard response, with no work: the ceiling of the HTTP stack."""
    return Response(_BODY, mimetype="application/json")
