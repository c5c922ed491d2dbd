"""Fuzz: hostile values (SQL fragments, 100 kB strings, wrong types, control characters, impossible dates) sent
to every server callback of the app through /_dash-update-component, and to the export routes' query strings.
Never a status >= 500, never an SQL error or a traceback in the response or the log, and an export with
invalid filters added never holds more rows than the same export without them.

FUZZ_EXAMPLES (default 20) sets the number of generated examples per callback and per export route; the
fixed hostile list is always sent whole. The write callbacks (review) run on a throwaway copy of a store."""
from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import shutil

import pytest
from conftest import APP_STORE_URL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import make_url

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
HOSTILE = [
    "' OR 1=1 --", "\"; DROP TABLE observation; --", "1; SELECT * FROM source --", "SYR' UNION SELECT 1 --",
    "x" * 100_000, "%", "_", "*", "\\", "\x00", "\x1b[31m\r\n\t", "<script>alert(1)</script>", "‮evil", "🏳️‍🌈",
    "9999-99-99", "2020-02-30", "0000-00-00", "-1", "1e309", "NaN", "", " ", "any", "null",
    None, 0, -1, 2**63, 1.5, float("inf"), True, [], [None], ["' OR 1=1 --"], [1, 2], {}, {"a": 1},
    [{"nested": ["x" * 1000]}],
]
hostile_values = st.one_of(
    st.sampled_from(HOSTILE), st.text(max_size=200), st.integers(), st.floats(allow_nan=False),
    st.none(), st.booleans(), st.lists(st.one_of(st.text(max_size=30), st.integers(), st.none()), max_size=5),
    st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3))
id_values = st.one_of(st.sampled_from(["' OR 1=1 --", "x" * 5000, "", "-1", "9999-99-99"]), st.text(max_size=50),
                      st.integers())
# What must never reach a client or the log from a user's value.
# (Not "SELECT ... FROM": a message may quote the user's own text back, which is not a leak.)
LEAK = re.compile(r"Traceback|/work/|sqlite3\.|psycopg|OperationalError|ProgrammingError|DataError|"
                  r"IntegrityError|syntax error|\[SQL:|sqlalche\.me", re.IGNORECASE)
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                HealthCheck.data_too_large])


def server_callbacks() -> list[str]:
    from app import app

    app._setup_server()
    return [key for key, cb in app.callback_map.items() if cb.get("callback") is not None]


CALLBACKS = server_callbacks()


def _callback_name(key: str) -> str:
    from app import app

    return app.callback_map[key]["callback"].__name__


@pytest.fixture(scope="module")
def samples_copy(app_store, tmp_path_factory) -> str:
    """A copy of the samples store, so a fuzzed write can never change the store other tests read."""
    path = tmp_path_factory.mktemp("fuzz") / "samples.db"
    shutil.copyfile(make_url(APP_STORE_URL).database, path)
    return f"sqlite:///{path}"


def _concrete(spec_id, fill):
    """An id as the renderer posts it: a dict id parsed, each wildcard (["MATCH"], ["ALL"]) made `fill`."""
    if isinstance(spec_id, str) and spec_id.startswith("{"):
        spec_id = json.loads(spec_id)
    if isinstance(spec_id, dict):
        return {k: fill if isinstance(v, list) else v for k, v in spec_id.items()}
    return spec_id


def _prop_id(i: dict) -> str:
    return (json.dumps(i["id"], sort_keys=True, separators=(",", ":")) if isinstance(i["id"], dict) else i["id"]) \
        + "." + i["property"]


def body_for(key: str, values, fill) -> dict:
    """The body Dash's renderer would post, every input and state holding one of `values` (cycled)."""
    from dash._utils import split_callback_id

    from app import app

    cb = app.callback_map[key]
    vals = iter(values * (1 + (len(cb["inputs"]) + len(cb["state"])) // max(len(values), 1)))

    def one(spec):
        is_all = '["ALL"]' in spec["id"]
        item = {"id": _concrete(spec["id"], fill), "property": spec["property"], "value": next(vals)}
        return [item] if is_all else item

    def out(spec):
        is_all = '["ALL"]' in spec["id"]
        item = {"id": _concrete(spec["id"], fill), "property": spec["property"]}
        return [item] if is_all else item

    outputs = split_callback_id(key)
    outputs = [out(o) for o in outputs] if isinstance(outputs, list) else out(outputs)
    inputs = [one(i) for i in cb["inputs"]]
    state = [one(s) for s in cb["state"]]
    changed = [_prop_id(i[0] if isinstance(i, list) else i) for i in inputs]
    return {"output": key, "outputs": outputs, "inputs": inputs, "state": state, "changedPropIds": changed}


def check_response(response, caplog, what: str) -> None:
    text = response.get_data(as_text=True)
    assert response.status_code < 500, f"{what}: status {response.status_code}: {text[:300]}"
    assert not LEAK.search(text), f"{what}: the response leaks {LEAK.search(text).group(0)!r}"
    for record in caplog.records:
        message = record.getMessage() + (logging.Formatter().formatException(record.exc_info)
                                         if record.exc_info else "")
        assert record.levelno < logging.ERROR, f"{what}: logged an error: {message[:2000]}"
        assert not LEAK.search(message), f"{what}: the log holds {LEAK.search(message).group(0)!r}"


@pytest.fixture
def client_for(samples_copy, use_store, request):
    from app import app

    def _client(key: str):
        if _callback_name(key) in {"render", "fill_edit", "act", "save_edit", "read_report"}:  # the review page's
            request.getfixturevalue("review_store")
        else:
            use_store(samples_copy)
        return app.server.test_client()

    return _client


@pytest.mark.parametrize("key", CALLBACKS, ids=[_callback_name(k) for k in CALLBACKS])
def test_fixed_hostile_values_to_every_callback(key, client_for, caplog):
    client = client_for(key)
    caplog.set_level(logging.WARNING)
    for value in HOSTILE:
        for fill in ("' OR 1=1 --", 1):
            caplog.clear()
            response = client.post("/_dash-update-component", json=body_for(key, [value], fill))
            check_response(response, caplog, f"{_callback_name(key)} with {str(value)[:60]!r}")


@pytest.mark.parametrize("key", CALLBACKS, ids=[_callback_name(k) for k in CALLBACKS])
def test_generated_values_to_every_callback(key, client_for, caplog):
    client = client_for(key)
    caplog.set_level(logging.WARNING)

    @FUZZ_SETTINGS
    @given(values=st.lists(hostile_values, min_size=1, max_size=14), fill=id_values)
    def run(values, fill):
        caplog.clear()
        response = client.post("/_dash-update-component", json=body_for(key, values, fill))
        check_response(response, caplog, f"{_callback_name(key)} with {str(values)[:200]!r}")

    run()


@pytest.mark.parametrize("body", [b"not json", b"{}", b'{"output": "nope.children", "inputs": []}', b"[]",
                                  b'{"output": 5}', b"\xff\xfe"])
def test_malformed_callback_requests_are_refused_without_detail(samples_copy, use_store, body, caplog):
    from app import app

    use_store(samples_copy)
    caplog.set_level(logging.WARNING)
    response = app.server.test_client().post("/_dash-update-component", data=body,
                                             content_type="application/json")
    text = response.get_data(as_text=True)
    assert 400 <= response.status_code < 500, (response.status_code, text[:300])
    assert not LEAK.search(text)


# --- the export routes --------------------------------------------------------------------------------------

VALID = [("from", "2018-01-01"), ("to", "2021-12-31"), ("origin", "SYR")]
PARAMS = ["from", "to", "origin", "location", "group", "measure", "source", "as_of"]
query_texts = st.one_of(st.sampled_from([v for v in HOSTILE if isinstance(v, str)]), st.text(max_size=300))


def export_rows(client, pairs, caplog, route="/export.csv") -> list[tuple]:
    response = client.get(route, query_string=pairs)
    check_response(response, caplog, f"{route} with {str(pairs)[:300]!r}")
    assert response.status_code == 200
    if route == "/export.csv":
        return [tuple(r) for r in csv.reader(io.StringIO(response.get_data(as_text=True)))][1:]
    return [line for line in response.get_data(as_text=True).splitlines() if line.startswith("- ")]


def test_export_with_hostile_filters_never_widens_or_fails(samples_copy, use_store, caplog):
    from app import app

    use_store(samples_copy)
    caplog.set_level(logging.WARNING)
    client = app.server.test_client()
    baseline = export_rows(client, VALID, caplog)
    assert baseline, "the valid filters select figures of the samples"
    sources = export_rows(client, VALID, caplog, "/export.sources.txt")

    @FUZZ_SETTINGS
    @given(extra=st.lists(st.tuples(st.sampled_from(PARAMS), query_texts), min_size=1, max_size=6))
    def run(extra):
        caplog.clear()
        rows = export_rows(client, VALID + extra, caplog)
        assert len(rows) <= len(baseline) and set(rows) <= set(baseline), f"{extra!r} widened the export"
        cited = export_rows(client, VALID + extra, caplog, "/export.sources.txt")
        assert set(cited) <= set(sources), f"{extra!r} widened the sources"

    run()
    for name in PARAMS:  # and the fixed list, each value alone in each parameter
        for value in (v for v in HOSTILE if isinstance(v, str)):
            caplog.clear()
            rows = export_rows(client, VALID + [(name, value)], caplog)
            assert set(rows) <= set(baseline), f"{name}={value[:60]!r} widened the export"
