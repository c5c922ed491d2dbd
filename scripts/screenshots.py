"""Refresh docs/screenshots/: serve the app on the real store and save one PNG per page from headless Chromium.

    .venv/bin/python scripts/screenshots.py [--store URL] [--out DIR] [--width 1280] [--page /flows ...]

Not part of the test run (see docs/screenshots/README.md). The store is only read; the default is DATABASE_URL or
the shipped data/displacement.db. Needs Debian's /usr/bin/chromium; any request off 127.0.0.1 is blocked and
makes the command fail, so the pictures show the dashboard as it works offline."""
from __future__ import annotations

import argparse
import os
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Ready: the page is in, no callback is running, every chart has its figure and its one-line summary.
READY_JS = """() => {
    const content = document.getElementById('_pages_content');
    if (!content || !content.textContent.trim()) return false;
    if (document.querySelector('[data-dash-is-loading="true"]')) return false;
    return [...document.querySelectorAll('.chart-panel')].every(p => {
        const g = p.querySelector('.js-plotly-plot');
        const s = p.querySelector('.chart-summary');
        return g && g._fullLayout && Array.isArray(g.data) && (!s || s.textContent.trim());
    });
}"""


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    url = args.store or os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'data' / 'displacement.db'}"
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        print(f"no store at {url}: build it first with `bash scripts/run.sh` (or `python -m etl init` then "
              "`python -m etl refresh --offline`)", file=sys.stderr)
        return 2
    if not os.access(CHROMIUM, os.X_OK):
        print(f"{CHROMIUM} is missing: apt-get install -y chromium", file=sys.stderr)
        return 2
    os.environ["DATABASE_URL"] = url  # before the app is imported: dashboard.config reads it once
    sys.path.insert(0, str(ROOT))
    import dash
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from app import app

    pages = [(p["path"], p["module"].rsplit(".", 1)[-1]) for p in dash.page_registry.values()
             if not args.page or p["path"] in args.page]
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    args.out.mkdir(parents=True, exist_ok=True)
    offsite: list[str] = []
    print(f"store {url}; app at {base}; writing {len(pages)} screenshots to {args.out}")
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": args.width, "height": 900}, locale="en-GB")
            context.route(re.compile(r"^(https?|wss?)://(?!127\.0\.0\.1[:/])"), lambda route: _block(route, offsite))
            page = context.new_page()
            for path, name in pages:
                started = time.monotonic()
                page.goto(base + path, timeout=args.timeout * 1000)
                page.wait_for_function(READY_JS, timeout=args.timeout * 1000)
                page.wait_for_load_state("networkidle", timeout=args.timeout * 1000)
                page.wait_for_timeout(500)  # let plotly finish its transitions
                target = args.out / f"{name}.png"
                page.screenshot(path=str(target), full_page=True)
                print(f"  {path:10} -> {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target} "
                      f"({target.stat().st_size // 1024} KiB, {time.monotonic() - started:.1f} s)")
            browser.close()
    finally:
        server.shutdown()
    if offsite:
        print(f"FAILED: the pages tried {len(offsite)} off-site request(s), e.g. {offsite[0]}", file=sys.stderr)
        return 1
    return 0


def _block(route, offsite: list[str]) -> None:
    offsite.append(urlsplit(route.request.url)._replace(query="").geturl())
    route.abort()


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", help="database URL to read (default: DATABASE_URL or data/displacement.db)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="folder for the PNGs")
    parser.add_argument("--width", type=int, default=1280, help="viewport width in CSS pixels")
    parser.add_argument("--page", action="append", help="only this page path (repeatable), e.g. --page /flows")
    parser.add_argument("--timeout", type=int, default=120, help="seconds to wait for a page")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
