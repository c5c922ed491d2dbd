"""Talk to a served Dash app as its browser does: read the layout and callback graph, load a page, and fire a
page's callbacks through /_dash-update-component with real payloads."""
from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

PAGES_CALLBACK_OUTPUT = ".._pages_content.children..._pages_store.data.."


def id_key(cid) -> str:
    """A component id as Dash writes it in callback strings and responses (dict ids: sorted compact JSON)."""
    return cid if isinstance(cid, str) else json.dumps(cid, sort_keys=True, separators=(",", ":"))


class Client:
    """One keep-alive HTTP connection per thread to the app at `base_url`."""

    def __init__(self, base_url: str, timeout_s: float = 300):
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout_s = parts.hostname, parts.port, timeout_s
        self._local = threading.local()

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout_s)
        return conn

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        for attempt in (1, 2):  # a worker may close an idle keep-alive connection: reconnect once
            conn = self._conn()
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                return resp.status, resp.read()
            except (http.client.HTTPException, ConnectionError):
                conn.close()
                self._local.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def get_json(self, path: str):
        status, body = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: HTTP {status}")
        return json.loads(body)


@dataclass
class Callback:
    output: str  # Dash's output string, sent back as is
    outputs: list[dict]
    inputs: list[dict]
    state: list[dict]

    @property
    def output_keys(self) -> set[tuple[str, str]]:
        return {(id_key(o["id"]), o["property"]) for o in self.outputs}

    @property
    def input_keys(self) -> list[tuple[str, str]]:
        return [(id_key(i["id"]), i["property"]) for i in self.inputs]


@dataclass
class Page:
    name: str
    path: str
    values: dict[tuple[str, str], object]  # (id, prop) -> value in the page as first drawn
    callbacks: list[list[Callback]] = field(default_factory=list)  # in levels: a level's inputs come from earlier


def parse_outputs(output: str) -> list[dict]:
    """'..a.children...{"chart":"x","type":"y"}.figure..' -> [{'id': 'a', 'property': 'children'}, ...]."""
    body = output[2:-2] if output.startswith("..") else output
    out = []
    for part in body.split("..."):
        cid, prop = part.rsplit(".", 1)
        out.append({"id": json.loads(cid) if cid.startswith("{") else cid, "property": prop.split("@")[0]})
    return out


def server_callbacks(deps: list[dict]) -> list[Callback]:
    """Callbacks that run on the server for a plain component (no pattern wildcards, not the page router)."""
    out = []
    for d in deps:
        if d.get("clientside_function") or d["output"] == PAGES_CALLBACK_OUTPUT:
            continue
        if any(w in d["output"] for w in ('["MATCH"]', '["ALL"]', '["ALLSMALLER"]')):
            continue
        out.append(Callback(d["output"], parse_outputs(d["output"]), d["inputs"], d.get("state", [])))
    return out


def walk(tree) -> Iterator[dict]:
    """Every component's props in a layout tree."""
    if isinstance(tree, list):
        for t in tree:
            yield from walk(t)
    elif isinstance(tree, dict) and "props" in tree:
        props = tree["props"]
        yield props
        for v in props.values():
            yield from walk(v)


def load_page(client: Client, name: str, path: str, search: str = "") -> Page:
    """Ask the page router for the page as a browser does, and keep every component's props."""
    payload = {"output": PAGES_CALLBACK_OUTPUT,
               "outputs": [{"id": "_pages_content", "property": "children"},
                           {"id": "_pages_store", "property": "data"}],
               "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                          {"id": "_pages_location", "property": "search", "value": search}],
               "changedPropIds": ["_pages_location.pathname"], "state": []}
    status, body = client.request("POST", "/_dash-update-component", json.dumps(payload).encode())
    if status != 200:
        raise RuntimeError(f"page {path}: HTTP {status}: {body[:300]!r}")
    tree = json.loads(body)["response"]["_pages_content"]["children"]
    values = {}
    for props in walk(tree):
        if "id" in props:
            for prop, v in props.items():
                values[(id_key(props["id"]), prop)] = v
            values.setdefault((id_key(props["id"]), "id"), props["id"])
    return Page(name, path, values)


def attach_callbacks(page: Page, callbacks: list[Callback], shell_ids: set[str]) -> None:
    """The page's own callbacks (every input on the page or in the shell), ordered in levels so that a callback
    that reads another's output runs after it, as Dash's renderer does."""
    present = {k[0] for k in page.values} | shell_ids
    mine = [c for c in callbacks if all(id_key(i["id"]) in present for i in c.inputs)
            and any(id_key(o["id"]) in {k[0] for k in page.values} for o in c.outputs)]
    levels: list[list[Callback]] = []
    pending = list(mine)
    while pending:
        produced_later = {k for c in pending for k in c.output_keys}
        ready = [c for c in pending if not any(k in produced_later - c.output_keys for k in c.input_keys)]
        if not ready:  # a cycle between callbacks: run the rest together
            ready = pending
        levels.append(ready)
        pending = [c for c in pending if c not in ready]
    page.callbacks = levels


def discover_pages(client: Client) -> list[Page]:
    """Every page of the nav (layout, then its callbacks as the renderer would attach them), in nav order."""
    layout = client.get_json("/_dash-layout")
    callbacks = server_callbacks(client.get_json("/_dash-dependencies"))
    shell = {id_key(p["id"]) for p in walk(layout) if "id" in p}
    nav = [p for p in walk(layout) if isinstance(p.get("id"), dict) and p["id"].get("type") == "nav-link"]
    pages = []
    for link in nav:
        page = load_page(client, link["children"], link["href"])
        attach_callbacks(page, callbacks, shell)
        pages.append(page)
    return pages


def payload(cb: Callback, values: dict[tuple[str, str], object], changed: list[str]) -> bytes:
    def item(d: dict) -> dict:
        return {"id": d["id"], "property": d["property"],
                "value": values.get((id_key(d["id"]), d["property"]))}

    outputs = cb.outputs if len(cb.outputs) > 1 else cb.outputs[0]
    return json.dumps({"output": cb.output, "outputs": outputs, "inputs": [item(i) for i in cb.inputs],
                       "changedPropIds": changed, "state": [item(s) for s in cb.state]}).encode()


@dataclass
class Interaction:
    seconds: float
    requests: int
    errors: list[str]


def interact(client: Client, page: Page, overrides: dict[tuple[str, str], object], pool,
             responses: list | None = None) -> Interaction:
    """Set `overrides` (the filters) and run the page's callbacks as the browser would: each level's callbacks
    at once (one request each, in parallel), the next level with the values the previous one returned.
    Returns the wall time until the last response; each (callback output, status, body) is appended to
    `responses` when given."""
    values = {**page.values, **overrides}
    changed = [f"{k[0]}.{k[1]}" for k in overrides]
    errors: list[str] = []
    n = 0
    started = time.perf_counter()
    for level in page.callbacks:
        futures = [pool.submit(client.request, "POST", "/_dash-update-component", payload(cb, values, changed))
                   for cb in level]
        for cb, fut in zip(level, futures, strict=True):
            status, body = fut.result()
            n += 1
            if responses is not None:
                responses.append((cb.output, status, body))
            if status == 204:
                continue
            if status != 200:
                errors.append(f"{cb.output[:60]}: HTTP {status}")
                continue
            for cid, props in json.loads(body).get("response", {}).items():
                for prop, v in props.items():
                    values[(cid, prop)] = v
        changed = [f"{k[0]}.{k[1]}" for cb in level for k in cb.output_keys]
    return Interaction(time.perf_counter() - started, n, errors)
