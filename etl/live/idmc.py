"""IDMC's GIDD API (helix-tools-api.idmcdb.org/external-api/gidd/conflicts/): conflict IDP stocks and new
displacements by country and year, paged by limit/offset; the client id comes from IDMC_CLIENT_ID."""
from __future__ import annotations

import math

from etl.live import fingerprint
from etl.live.fetch import FetchContext, Fetched, LiveError, dumps, json_object

NAME = "idmc"
FORMAT = "idmc_gidd"
LOAD_FILE = "idmc_gidd_conflicts.json"


def fetch(ctx: FetchContext) -> Fetched:
    s = ctx.settings
    if not s.idmc_client_id:
        raise LiveError("IDMC_CLIENT_ID is not set: IDMC's GIDD API needs a client id "
                        "(https://www.internal-displacement.org/database/api-documentation/); idmc not fetched")
    url, limit = s.idmc_url, s.idmc_page_limit
    results, first, offset, n_pages = [], None, 0, None
    while True:
        p = {"client_id": s.idmc_client_id, "format": "json", "limit": limit, "offset": offset}
        page = json_object(ctx.get(f"offset-{offset:07d}.json", url, params=p), url, ("results", "count"))
        first = first or page
        if n_pages is None:
            n_pages = max(1, math.ceil(int(page["count"]) / limit))
        if not isinstance(page["results"], list):
            raise LiveError(f"{url}: offset {offset}: 'results' is not a list")
        results += page["results"]
        offset += limit
        if not page.get("next") or offset >= int(page["count"]) or offset // limit >= n_pages:
            break
    if not results:
        raise LiveError(f"{url}: no results (an empty answer is never loaded)")
    if len(results) != int(first["count"]):
        raise LiveError(f"{url}: {len(results)} results received but count says {first['count']}: incomplete paging")
    assembled = {"last_updated": first.get("last_updated"), "count": len(results), "next": None, "previous": None,
                 "results": results}
    fp = fingerprint.of_json(results, envelope=first)
    return ctx.result([(LOAD_FILE, FORMAT, dumps(assembled))], fp,
                      {"channel": "IDMC GIDD API (JSON), live", "obtained_from": url,
                       "licence": "CC BY-NC-SA 3.0 IGO"})
