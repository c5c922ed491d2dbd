"""UNHCR's population API (api.unhcr.org/population/v1/population/): every origin x asylum pair, page by page.

cf_type=ISO makes coo/coa ISO3 codes; yearFrom and yearTo are always sent together because a lone bound is
ignored and the whole history comes back (probed by cyanheads/unhcr-refugees-mcp-server, docs/design.md). The API
sends no ETag or Last-Modified, so an unchanged answer is recognised by its sha256."""
from __future__ import annotations

from etl.live import fingerprint
from etl.live.fetch import FetchContext, Fetched, LiveError, dumps, json_object

NAME = "unhcr"
FORMAT = "unhcr_api"
LOAD_FILE = "unhcr_api_population.json"
MAX_PAGES = 1_000  # a runaway maxPages is an error, not a loop


def params(ctx: FetchContext, page: int) -> dict:
    s = ctx.settings
    if s.unhcr_year_from > s.unhcr_year_to:
        raise LiveError(f"UNHCR_YEAR_FROM {s.unhcr_year_from} is after UNHCR_YEAR_TO {s.unhcr_year_to}")
    return {"cf_type": "ISO", "coo_all": "true", "coa_all": "true", "yearFrom": s.unhcr_year_from,
            "yearTo": s.unhcr_year_to, "limit": s.unhcr_page_limit, "page": page}


def fetch(ctx: FetchContext) -> Fetched:
    url = ctx.settings.unhcr_url
    first = json_object(ctx.get("page-0001.json", url, params=params(ctx, 1)), url, ("items", "maxPages"))
    pages = [first]
    max_pages = _max_pages(first, url)
    for page in range(2, max_pages + 1):
        body = json_object(ctx.get(f"page-{page:04d}.json", url, params=params(ctx, page)), url, ("items",))
        pages.append(body)
    items = [it for p in pages for it in _items(p, url)]
    if not items:
        raise LiveError(f"{url}: no rows for {ctx.settings.unhcr_year_from}-{ctx.settings.unhcr_year_to} "
                        "(an empty answer is never loaded)")
    # The pages as one response (envelope of page 1, every page's items): one file, so the source loads atomically.
    assembled = {"page": 1, "maxPages": max_pages, "total": first.get("total", []), "items": items,
                 "assembled_from_pages": max_pages}
    fp = fingerprint.of_json(items, envelope=first)
    return ctx.result([(LOAD_FILE, FORMAT, dumps(assembled))], fp,
                      {"channel": "UNHCR population API (JSON, cf_type=ISO), live", "obtained_from": url,
                       "licence": "CC BY 4.0"})


def _max_pages(first: dict, url: str) -> int:
    try:
        n = int(first["maxPages"])
    except (TypeError, ValueError):
        raise LiveError(f"{url}: maxPages is {first['maxPages']!r}, not a number") from None
    if not 1 <= n <= MAX_PAGES:
        raise LiveError(f"{url}: maxPages is {n}; expected 1 to {MAX_PAGES}")
    return n


def _items(page: dict, url: str) -> list[dict]:
    items = page["items"]
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise LiveError(f"{url}: page {page.get('page')}: 'items' is not a list of rows")
    return items
