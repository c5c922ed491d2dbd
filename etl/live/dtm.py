"""IOM DTM API v3 (dtmapi.iom.int/v3/displacement/admin{0,1,2}?Admin0Pcode=ISO3): IDP figures per round; the
subscription key from DTM_API_KEY goes in the Ocp-Apim-Subscription-Key header."""
from __future__ import annotations

from etl.live import fingerprint
from etl.live.fetch import FetchContext, Fetched, LiveError, dumps, json_object

NAME = "dtm"
FORMAT = "iom_dtm"


def fetch(ctx: FetchContext) -> Fetched:
    s = ctx.settings
    if not s.dtm_api_key:
        raise LiveError("DTM_API_KEY is not set: IOM DTM's API needs a subscription key "
                        "(https://dtm.iom.int/data-and-analysis/dtm-api); dtm not fetched")
    headers = {"Ocp-Apim-Subscription-Key": s.dtm_api_key}
    files, rows_all, envelope = [], [], None
    for level in s.dtm_admin_levels:
        url = s.dtm_url.rstrip("/") + f"/admin{level}"
        rows = []
        for iso3 in s.dtm_countries:
            got = ctx.get(f"admin{level}-{iso3}.json", url, params={"Admin0Pcode": iso3}, headers=headers)
            body = json_object(got, url, ("result", "isSuccess"))
            if body["isSuccess"] is not True:
                raise LiveError(f"{url}?Admin0Pcode={iso3}: isSuccess is {body['isSuccess']!r}: "
                                f"{body.get('errorMessages')}")
            envelope = envelope or body
            rows += body["result"]
        if not rows:
            raise LiveError(f"{url}: no rows for {', '.join(s.dtm_countries)} (an empty answer is never loaded)")
        rows_all += rows
        files.append((f"iom_dtm_admin{level}.json", FORMAT,
                      dumps({"result": rows, "statusCode": 200, "isSuccess": True, "errorMessages": []})))
    fp = fingerprint.of_json(rows_all, envelope=envelope)
    return ctx.result(files, fp, {"channel": "DTM API v3, live", "obtained_from": s.dtm_url,
                                  "licence": "IOM DTM terms (non-commercial)"})
