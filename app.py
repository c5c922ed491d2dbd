"""The Dash app (one module per page under dashboard/pages/) and `server` for gunicorn."""
from __future__ import annotations

from pathlib import Path

import dash
from dash import ALL, MATCH, Input, Output, State, dcc, html

from dashboard import auth, cache, config, exports, geojson_route, health, png, response_cache, security
from dashboard.queries import core
from etl import config as etl_config

HERE = Path(__file__).resolve().parent
FILTER_IDS = ["f-from", "f-to", "f-origin", "f-location", "f-group", "f-measure", "f-source", "f-as-of"]

app = dash.Dash(
    __name__,
    use_pages=True,
    pages_folder=str(HERE / "dashboard" / "pages"),
    assets_folder=str(HERE / "assets"),
    serve_locally=True,  # the dashboard works offline: Dash's JS and plotly.js come from this server, no CDN
    external_stylesheets=[],
    suppress_callback_exceptions=True,  # each page brings its own components; callbacks are module-level
    title="Displacement dashboard",
)
# Screen readers need the language; Dash's scripts sit in a <footer>, a second footer landmark: make it a div.
app.index_string = (app.index_string.replace("<html>", '<html lang="en">', 1)
                    .replace("<footer>", "<div>").replace("</footer>", "</div>"))
server = app.server  # gunicorn app:server (see gunicorn.conf.py and docs/deploy.md)
# no request body is bigger than a report read on the review page (base64 in JSON: 4/3 of the file, and some)
server.config["MAX_CONTENT_LENGTH"] = 2 * etl_config.UPLOAD_MAX_BYTES
exports.register(server)
auth.register(server)  # who may view and who may write (review): checked on every request
cache.init_app(server)  # page queries cached per data version: Redis with CACHE_REDIS_URL, else per process
health.register(server)  # GET /healthz
response_cache.register(app)  # repeated read-only chart requests answered from the cache (fast path)
security.register(app)  # CSP and security headers; error pages and callback errors without detail
geojson_route.register(server)  # GET /geo/...: map boundaries by URL, fetched once by the browser


def layout() -> html.Div:
    nav = [dcc.Link(page["name"], href=page["relative_path"], id={"type": "nav-link", "page": page["module"]},
                    className="nav-link") for page in dash.page_registry.values()]
    return html.Div([
        html.A("Skip to content", href="#main", className="skip-link"),
        html.Header([html.H1("Displacement dashboard"), html.Nav(nav, **{"aria-label": "Pages"})],
                    className="site-header"),
        html.Main(dash.page_container, id="main"),
        html.Footer(html.P(["Every figure is real and cited; see the Sources page. Data licences vary by source "
                            "(UNHCR CC BY 4.0; IDMC CC BY-NC-SA 3.0 IGO)."]), className="site-footer"),
        dcc.Store(id="url-query"),
        html.Div(id=security.ERROR_ID, role="alert", className="server-error"),  # a callback's failure, in words
    ])


app.layout = layout

# The filters go into the URL (so a link reproduces the view) and into every page link (so they are kept
# when moving between pages), without reloading the page.
app.clientside_callback(
    """
    function(from, to, origin, loc, groups, measures, sources, asOf, hrefs) {
        const p = new URLSearchParams();
        if (from) p.append('from', from);
        if (to) p.append('to', to);
        p.append('origin', origin || 'any');
        if (loc) p.append('location', loc);
        (groups || []).forEach(g => p.append('group', g));
        (measures || []).forEach(m => p.append('measure', m));
        (sources || []).forEach(s => p.append('source', s));
        if (asOf) p.append('as_of', asOf);
        const query = '?' + p.toString();
        if (window.location.search !== query) {
            window.history.replaceState(null, '', window.location.pathname + query);
        }
        return [query, hrefs.map(h => h.split('?')[0] + query)];
    }
    """,
    Output("url-query", "data"),
    Output({"type": "nav-link", "page": ALL}, "href"),
    *[Input(i, "value") for i in FILTER_IDS],
    State({"type": "nav-link", "page": ALL}, "href"),
)


@dash.callback(
    Output({"type": "chart-download", "chart": MATCH}, "data", allow_duplicate=True),
    Input({"type": "chart-csv-button", "chart": MATCH}, "n_clicks"),
    State({"type": "chart-data", "chart": MATCH}, "data"),
    State("url-query", "data"),
    prevent_initial_call=True,
)
def download_chart_csv(n_clicks, rows, query):
    """A chart's CSV (exactly its points) with the citation sidecar, as one zip."""
    chart = exports.safe_name(dash.ctx.triggered_id["chart"])
    engine = core.store_engine()
    version = core.data_version(engine) if engine is not None else "none"
    data = exports.chart_csv_zip(rows, chart, query if isinstance(query, str) else "", version)
    return dcc.send_bytes(data, f"{chart}.zip")


@dash.callback(
    Output({"type": "chart-download", "chart": MATCH}, "data", allow_duplicate=True),
    Input({"type": "chart-png-button", "chart": MATCH}, "n_clicks"),
    State({"type": "chart-graph", "chart": MATCH}, "figure"),
    prevent_initial_call=True,
)
def download_chart_png(n_clicks, figure):
    """The chart as PNG, rendered on the server by kaleido with the local map geometry (no network)."""
    chart = exports.safe_name(dash.ctx.triggered_id["chart"])
    if not isinstance(figure, dict) or not isinstance(figure.get("data", []), list):
        raise dash.exceptions.PreventUpdate  # not a figure (a tampered request): nothing to render
    try:
        image = png.render(figure)
    except ValueError:  # plotly refuses it as a figure
        raise dash.exceptions.PreventUpdate from None
    return dcc.send_bytes(image, f"{chart}.png")


if __name__ == "__main__":
    app.run(host=config.DASHBOARD_HOST, port=config.PORT, debug=config.DEBUG)
