"""Page weight and time to first chart in headless Chromium (Debian's, through playwright): the dashboard against
a bare Dash app with one graph."""
from __future__ import annotations

import contextlib
import os

from benchmarks import server
from benchmarks.report import Table, ms, ratio

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RUNS = 3  # each in a new browser context (cold cache); the median is reported
# A chart has been drawn when a plotly div holds traces, or the annotation of an empty-state figure.
FIRST_CHART_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).some(el =>
    (el.data && el.data.length > 0) || (el.layout && el.layout.annotations && el.layout.annotations.length > 0))"""


def measure(base_url: str, path: str = "/", runs: int = RUNS) -> dict:
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for _ in range(runs):
                ctx = browser.new_context()
                page = ctx.new_page()
                sizes = {"script": 0, "stylesheet": 0}
                offsite: list[str] = []

                def on_response(resp, sizes=sizes):
                    kind = resp.request.resource_type
                    if kind in sizes:
                        with contextlib.suppress(Exception):
                            sizes[kind] += len(resp.body())

                page.on("response", on_response)
                page.on("request", lambda r, offsite=offsite: offsite.append(r.url)
                        if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
                page.goto(base_url + path, wait_until="commit")
                page.wait_for_function(FIRST_CHART_JS, timeout=120_000)
                first_chart_ms = page.evaluate("() => performance.now()")
                has_traces = page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot'))
                    .some(el => el.data && el.data.length > 0)""")
                page.wait_for_load_state("networkidle")
                results.append({"first_chart_ms": first_chart_ms, "js": sizes["script"], "css": sizes["stylesheet"],
                                "has_traces": has_traces, "offsite": offsite})
                ctx.close()
        finally:
            browser.close()
    results.sort(key=lambda r: r["first_chart_ms"])
    return results[len(results) // 2]


def run(store_url: str, label: str) -> Table:
    if not os.access(CHROMIUM, os.X_OK):
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with server.gunicorn("app:server", {"DATABASE_URL": store_url}) as served:
        dash_page = measure(served.base_url, "/")
        trends = measure(served.base_url, "/trends")
    with server.gunicorn("benchmarks.bare_app:server", {}) as served:
        bare = measure(served.base_url, "/")
    rows = []
    for name, r in (("dashboard Overview (/)", dash_page), ("dashboard Trends (/trends)", trends),
                    ("bare Dash app, one graph", bare)):
        rows.append([name, f"{r['js'] / 1e6:.2f} MB", f"{r['css'] / 1e3:.0f} kB",
                     ratio(r["js"] + r["css"], bare["js"] + bare["css"]), ms(r["first_chart_ms"]),
                     ratio(r["first_chart_ms"], bare["first_chart_ms"]), "yes" if r["has_traces"] else "empty state",
                     str(len(r["offsite"]))])
    return Table("Page", ["page", "JavaScript", "CSS", "bytes ÷ bare", "first chart", "time ÷ bare",
                          "chart has data", "off-site requests"], rows,
                 notes=[f"Headless Chromium ({CHROMIUM}) through playwright, each load in a new browser context (empty "
                        f"cache), median of {RUNS}; the app under gunicorn on 127.0.0.1 reading the {label} synthetic "
                        "store. Bytes = uncompressed bodies of script and stylesheet responses.",
                        "First chart = from navigation start until a plotly graph holds traces or an empty-state "
                        "annotation (the callbacks have answered and plotly has drawn).",
                        "Goal (issue 7): ≤ 1.5× the bare app's bytes; first chart ≤ 1.5 s on loopback."])
