"""The Dash app (one module per page under dashboard/pages/) and `server` for gunicorn."""
from __future__ import annotations

from pathlib import Path

import dash
from dash import html

from dashboard import config

app = dash.Dash(
    __name__,
    use_pages=True,
    pages_folder=str(Path(__file__).resolve().parent / "dashboard" / "pages"),
    serve_locally=True,  # the dashboard must work offline: Dash's JS from this server, no CDN
    external_stylesheets=[],
    title="Displacement dashboard",
)
server = app.server


def layout() -> html.Div:
    nav = [html.A(page["name"], href=page["relative_path"]) for page in dash.page_registry.values()]
    return html.Div([
        html.Header([html.H1("Displacement dashboard"), html.Nav(nav)]),
        html.Main(dash.page_container),
    ])


app.layout = layout

if __name__ == "__main__":
    app.run(host=config.HOST, port=config.PORT, debug=config.DEBUG)
