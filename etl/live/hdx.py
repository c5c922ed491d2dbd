"""HDX (CKAN): package_show gives a dataset's resources; the chosen resource's file is downloaded as published.
The default dataset is HDX HAPI's IDPs table (HXL-tagged CSV), read by the hxl_table format."""
from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import urlsplit

from etl.live import fingerprint
from etl.live.fetch import FetchContext, Fetched, LiveError, json_object

NAME = "hdx"


def fetch(ctx: FetchContext) -> Fetched:
    s = ctx.settings
    url = s.hdx_url.rstrip("/") + "/package_show"
    meta = json_object(ctx.get("package_show.json", url, params={"id": s.hdx_dataset}, data=False), url,
                       ("success", "result"))
    if meta["success"] is not True or not isinstance(meta["result"], dict):
        raise LiveError(f"{url}?id={s.hdx_dataset}: CKAN answered success={meta['success']!r}: {meta.get('error')}")
    resource = _choose(meta["result"].get("resources") or [], s.hdx_resource, s.hdx_dataset)
    download = resource.get("download_url") or resource.get("url")
    if not download:
        raise LiveError(f"HDX dataset {s.hdx_dataset}: resource {resource.get('name')!r} has no url")
    name = PurePosixPath(urlsplit(download).path).name or "resource.csv"
    name = name if name.startswith("hdx") else f"hdx_{name}"  # the load run's source name: hdx_<file>
    got = ctx.get(name, download, kind="csv")
    fp = fingerprint.of_csv(got.body.decode("utf-8-sig", errors="replace"))
    return ctx.result([(name, None, None)], fp,
                      {"channel": f"HDX dataset {s.hdx_dataset}, resource {resource.get('name')}, live",
                       "obtained_from": download, "licence": meta["result"].get("license_title", "")})


def _choose(resources: list[dict], wanted: str, dataset: str) -> dict:
    if wanted:
        match = [r for r in resources if r.get("name") == wanted]
        if not match:
            raise LiveError(f"HDX dataset {dataset} has no resource named {wanted!r}; it has: "
                            f"{', '.join(repr(r.get('name')) for r in resources)[:300]}")
        return match[0]
    csvs = [r for r in resources if str(r.get("format", "")).upper() == "CSV"]
    if not csvs:
        raise LiveError(f"HDX dataset {dataset} has no CSV resource (formats: "
                        f"{', '.join(sorted({str(r.get('format')) for r in resources}))})")
    return csvs[0]
