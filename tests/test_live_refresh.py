"""refresh --live end to end against the replay server: every publisher fetched and loaded, unchanged sources
skipped (304 / same sha256), failures (500, HTML, truncation, schema, missing key) leave the store unchanged while
the other sources load, the archive, schema acceptance and the command line. SQLite, and once on PostgreSQL."""
from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import func, select

from etl import db, store
from etl.live.config import FINGERPRINT_DIR
from etl.live.refresh import live_refresh
from etl.models import Observation, Series
from tests.replay import DTM, HDX_FILE, HDX_META, IDMC, UNHCR, Reply, html, live_settings, script_normal

SERIES = {"unhcr": "unhcr_rpsd", "idmc": "idmc_gidd", "dtm": "iom_dtm_tcd_lake_chad_basin_crisis"}


def figures(engine) -> dict[str, int]:
    """Current figures per series, and their values: what a failed refresh must leave exactly as it was."""
    with engine.connect() as conn:
        rows = conn.execute(select(Series.slug, func.count(), func.sum(Observation.value))
                            .join(Series, Series.id == Observation.series_id)
                            .where(Observation.is_latest.is_(True)).group_by(Series.slug)).all()
    return {slug: (n, total) for slug, n, total in rows}


def by_source(results) -> dict:
    return {r.source: r for r in results}


@pytest.fixture(scope="module")
def _initialised(tmp_path_factory):
    """A migrated, seeded SQLite store, built once for the module (seeding the gazetteer takes seconds)."""
    path = tmp_path_factory.mktemp("live") / "template.db"
    eng = db.make_engine(f"sqlite:///{path}")
    store.init(eng)
    eng.dispose()
    return path


@pytest.fixture
def engine(_initialised, tmp_path):
    """A copy of the seeded store for one test."""
    shutil.copy(_initialised, tmp_path / "store.db")
    eng = db.make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    yield eng
    eng.dispose()


@pytest.fixture
def run(engine, replay, tmp_path):
    """live_refresh against the replay server, archive under tmp_path; keyword arguments change the settings."""

    def _run(sources=None, fingerprint_dir=None, accept_schema=False, **changes):
        settings = live_settings(replay, tmp_path / "archive", **changes)
        return by_source(live_refresh(engine, sources, settings=settings, fingerprint_dir=fingerprint_dir,
                                      accept_schema=accept_schema))
    return _run


def test_every_publisher_is_fetched_and_loaded(engine, replay, run, tmp_path):
    script_normal(replay)
    results = run()
    assert {s: r.status for s, r in results.items()} == dict.fromkeys(["unhcr", "hdx", "idmc", "dtm"], "fetched"), \
        [r.line() for r in results.values()]
    have = figures(engine)
    assert have["unhcr_rpsd"][0] == 21 and have["idmc_gidd"][0] == 17
    assert any(slug.startswith("iom_dtm_hti") for slug in have)  # HDX HAPI's Haiti table, read by hxl_table
    assert any(slug.startswith("iom_dtm_tcd") for slug in have)  # DTM's own API
    # UNHCR: pages 1..3, each with both year bounds (a lone bound returns the whole history), ISO codes, every pair.
    pages = replay.requests_to(UNHCR)
    assert [p.param("page") for p in pages] == ["1", "2", "3"]
    for p in pages:
        assert (p.param("yearFrom"), p.param("yearTo"), p.param("cf_type"), p.param("limit")) == (
            "2023", "2025", "ISO", "3")
        assert (p.param("coo_all"), p.param("coa_all")) == ("true", "true")
    assert [r.param("offset") for r in replay.requests_to(IDMC)] == ["0", "5"]
    assert {r.param("client_id") for r in replay.requests_to(IDMC)} == {"replay-client-id"}
    assert replay.requests_to(DTM)[0].headers["Ocp-Apim-Subscription-Key"] == "replay-subscription-key"
    assert replay.requests_to(HDX_META)[0].param("id") == "hdx-hapi-idps" and len(replay.requests_to(HDX_FILE)) == 1
    assert results["unhcr"].requests == 3 and results["unhcr"].rows == 21


def test_raw_responses_are_archived_by_date_with_their_meta(replay, run, tmp_path):
    script_normal(replay, etag=True)
    results = run(["unhcr", "idmc"])
    folder = tmp_path / "archive" / "unhcr" / results["unhcr"].started.strftime("%Y-%m-%d")
    (run_folder,) = folder.iterdir()
    names = sorted(p.name for p in run_folder.iterdir())
    assert names == ["MANIFEST.csv", "page-0001.json", "page-0001.json.meta.json", "page-0002.json",
                     "page-0002.json.meta.json", "page-0003.json", "page-0003.json.meta.json",
                     "unhcr_api_population.json"]
    assert (run_folder / "page-0002.json").read_bytes() == replay.fixture("unhcr/population_page2.json")
    meta = json.loads((run_folder / "page-0002.json.meta.json").read_text())
    assert meta["status"] == 200 and meta["headers"]["ETag"] == '"p2-v1"'
    assert meta["headers"]["Last-Modified"] == "Mon, 20 Jan 2025 10:11:12 GMT"
    assert "yearFrom=2023" in meta["url"] and "yearTo=2025" in meta["url"] and meta["retrieved_at"]
    import hashlib
    assert meta["sha256"] == hashlib.sha256(replay.fixture("unhcr/population_page2.json")).hexdigest()
    assert results["unhcr"].files == [str(run_folder / "unhcr_api_population.json")]
    idmc_meta = next((tmp_path / "archive" / "idmc").rglob("offset-0000000.json.meta.json"))
    assert "client_id=***" in json.loads(idmc_meta.read_text())["url"]  # the key never reaches the archive
    assert "replay-client-id" not in idmc_meta.read_text()


def test_etag_gives_304_on_the_second_run_and_the_source_is_skipped(engine, replay, run):
    script_normal(replay, etag=True)
    assert {r.status for r in run().values()} == {"fetched"}
    before = figures(engine)
    second = run()
    assert {s: r.status for s, r in second.items()} == dict.fromkeys(["unhcr", "hdx", "idmc", "dtm"], "unchanged")
    assert {r.message for r in second.values()} == {"unchanged (304)"}
    assert "unchanged (304): skipped" in second["unhcr"].line()
    assert replay.requests_to(UNHCR)[-1].headers["If-None-Match"] == '"p3-v1"'
    assert replay.requests_to(DTM)[-1].headers["If-Modified-Since"] == "Mon, 20 Jan 2025 10:11:12 GMT"
    assert figures(engine) == before


def test_same_content_without_etag_is_skipped_by_its_hash(engine, replay, run):
    script_normal(replay)
    run(["unhcr", "hdx"])
    second = run(["unhcr", "hdx"])
    assert {r.message for r in second.values()} == {"unchanged (same sha256)"}
    assert "If-None-Match" not in replay.requests_to(UNHCR)[-1].headers


def test_one_changed_page_reloads_the_source(engine, replay, run):
    script_normal(replay)
    run(["unhcr"])
    changed = json.loads(replay.fixture("unhcr/population_page3.json"))
    changed["items"][0]["refugees"] = 420836  # SYNTHETIC revision of one figure
    replay.route(UNHCR, Reply(200, json.dumps(changed).encode(), {}), query={"page": 3})
    second = run(["unhcr"])
    assert second["unhcr"].status == "fetched" and second["unhcr"].rows == 21
    assert figures(engine)["unhcr_rpsd"] == (21, figures(engine)["unhcr_rpsd"][1])


def test_500_forever_fails_the_source_after_the_attempts_store_unchanged_others_load(engine, replay, run):
    script_normal(replay)
    run(["unhcr"])
    before = figures(engine)
    replay.route(UNHCR, Reply(500, replay.fixture("common/error_500.html"), {"Content-Type": "text/html"}),
                 query={"page": 2})
    results = run()
    assert results["unhcr"].status == "failed"
    assert "HTTP 500" in results["unhcr"].error and "after 3 attempts" in results["unhcr"].error
    assert "page=2" in results["unhcr"].error and "yearFrom=2023" in results["unhcr"].error
    assert "FAILED" in results["unhcr"].line()
    assert len([r for r in replay.requests_to(UNHCR) if r.param("page") == "2"]) == 1 + 3
    assert figures(engine)["unhcr_rpsd"] == before["unhcr_rpsd"]  # the previous data stays
    assert {results[s].status for s in ("hdx", "idmc", "dtm")} == {"fetched"}
    # the failed run did not move the source's state: the next good run compares with the last loaded answer
    script_normal(replay)
    assert run(["unhcr"])["unhcr"].message == "unchanged (same sha256)"


def test_429_with_retry_after_then_success_loads(engine, replay, run):
    script_normal(replay)
    replay.route(UNHCR, Reply(429, replay.fixture("common/too_many_requests.json"), {"Retry-After": "1"}),
                 replay.ok("unhcr/population_page2.json"), query={"page": 2})
    results = run(["unhcr"])
    assert results["unhcr"].status == "fetched" and results["unhcr"].requests == 4
    assert figures(engine)["unhcr_rpsd"][0] == 21


def test_a_slow_publisher_times_out_and_fails_alone(engine, replay, run):
    script_normal(replay)
    replay.route(DTM, Reply(200, replay.fixture("iom_dtm/admin0_tcd.json"), {}, delay_s=1.2),
                 query={"Admin0Pcode": "TCD"})
    results = run(["dtm", "idmc"])
    assert results["dtm"].status == "failed" and "timed out" in results["dtm"].error
    assert results["idmc"].status == "fetched"
    assert not any(slug.startswith("iom_dtm") for slug in figures(engine))


def test_a_truncated_page_fails_the_source_and_loads_nothing(engine, replay, run):
    script_normal(replay)
    body = replay.fixture("unhcr/population_page3.json")
    replay.route(UNHCR, Reply(200, body, {"Content-Type": "application/json"}, truncate_to=len(body) // 2),
                 query={"page": 3})
    results = run(["unhcr"])
    assert results["unhcr"].status == "failed" and "truncated body" in results["unhcr"].error
    assert "unhcr_rpsd" not in figures(engine)


def test_json_cut_short_without_a_content_length_mismatch_is_an_error(engine, replay, run):
    script_normal(replay)
    replay.route(IDMC, Reply(200, replay.fixture("idmc/conflicts_offset5.json")[:300], {}), query={"offset": 5})
    results = run(["idmc"])
    assert results["idmc"].status == "failed" and "the JSON does not parse" in results["idmc"].error
    assert "offset=5" in results["idmc"].error and "HTTP 200" in results["idmc"].error


def test_a_bot_challenge_page_instead_of_the_csv_fails_hdx_with_a_clear_message(engine, replay, run):
    script_normal(replay)
    replay.route(HDX_FILE, html(replay))
    results = run(["hdx", "unhcr"])
    err = results["hdx"].error
    assert results["hdx"].status == "failed"
    assert "hdx_hapi_idps_global.csv: HTTP 200: an HTML page titled 'Just a moment...' where CSV data" in err
    assert results["unhcr"].status == "fetched"
    assert not any(slug.startswith("iom_dtm_hti") for slug in figures(engine))


def test_a_renamed_json_key_fails_the_source_and_shows_the_difference(engine, replay, run):
    script_normal(replay)
    run(["unhcr"])
    before = figures(engine)
    replay.route(UNHCR, replay.ok("unhcr/population_page1_renamed_key.json"), query={"page": 1})
    results = run(["unhcr"])
    err = results["unhcr"].error
    assert results["unhcr"].status == "failed"
    assert err.startswith("the schema of unhcr changed (added key 'coa_iso3' (text); key 'coa_iso' missing from 3 of "
                          "9 rows)") and "--accept-schema" in err
    assert figures(engine) == before


def test_a_renamed_column_fails_hdx_until_the_schema_is_accepted(engine, replay, run, tmp_path):
    fingerprints = tmp_path / "fingerprints"
    shutil.copytree(FINGERPRINT_DIR, fingerprints)
    script_normal(replay)
    replay.route(HDX_FILE, replay.ok("hdx/hdx_hapi_idps_global_renamed_column.csv", "text/csv"))
    failed = run(["hdx"], fingerprint_dir=fingerprints)["hdx"]
    assert failed.status == "failed"
    assert "removed column 'population'" in failed.error and "added column 'idps' (number)" in failed.error
    assert not any(slug.startswith("iom_dtm_hti") for slug in figures(engine))
    accepted = run(["hdx"], fingerprint_dir=fingerprints, accept_schema=True)["hdx"]
    assert accepted.status == "fetched" and "schema accepted into hdx.json" in accepted.message
    assert "removed column 'population'" in accepted.message
    assert "idps" in json.loads((fingerprints / "hdx.json").read_text())["fields"]
    assert any(slug.startswith("iom_dtm_hti") for slug in figures(engine))  # HXL tags unchanged: it loads
    assert FINGERPRINT_DIR.joinpath("hdx.json").read_text() != (fingerprints / "hdx.json").read_text()


def test_a_missing_key_fails_that_source_with_a_clear_message_and_the_others_load(engine, replay, run):
    script_normal(replay)
    results = run(idmc_client_id=None, dtm_api_key=None)
    assert results["idmc"].status == "failed" and results["idmc"].error.startswith("IDMC_CLIENT_ID is not set")
    assert results["dtm"].status == "failed" and results["dtm"].error.startswith("DTM_API_KEY is not set")
    assert replay.requests_to(IDMC) == [] and replay.requests_to(DTM) == []
    assert results["unhcr"].status == results["hdx"].status == "fetched"


def test_an_empty_answer_is_never_an_empty_load(engine, replay, run):
    replay.route(UNHCR, Reply(200, b'{"page": 1, "short-url": "", "maxPages": 1, "total": [], "items": []}', {}))
    results = run(["unhcr"])
    assert results["unhcr"].status == "failed" and "no rows for 2023-2025" in results["unhcr"].error


def test_unknown_source_is_refused(run):
    with pytest.raises(store.StoreError, match="unknown live source nope; known: unhcr, hdx, idmc, dtm"):
        run(["nope"])


def test_command_line_prints_a_line_per_source_and_exits_non_zero_on_failure(replay, tmp_path, monkeypatch, capsys):
    from etl.__main__ import main
    script_normal(replay)
    base = replay.base_url
    for k, v in {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "ARCHIVE_DIR": str(tmp_path / "archive"),
                 "UNHCR_API_URL": base + UNHCR, "UNHCR_YEAR_FROM": "2023", "UNHCR_YEAR_TO": "2025",
                 "UNHCR_PAGE_LIMIT": "3", "IDMC_API_URL": base + IDMC, "IDMC_PAGE_LIMIT": "5",
                 "LIVE_BACKOFF_BASE_S": "0.01", "LIVE_MAX_ATTEMPTS": "2", "LIVE_READ_TIMEOUT_S": "2"}.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("IDMC_CLIENT_ID", raising=False)
    assert main(["refresh", "--live", "--source", "unhcr"]) == 0
    out = capsys.readouterr().out
    assert "unhcr  fetched   1 file(s) unhcr_api_population.json, 21 rows read" in out
    assert "refresh --live: 1 sources, 1 fetched, 0 unchanged, 0 failed" in out
    assert main(["refresh", "--live", "--source", "unhcr", "--source", "idmc"]) == 1
    captured = capsys.readouterr()
    assert "unhcr  unchanged unchanged (same sha256): skipped" in captured.out
    assert "FAILED idmc: IDMC_CLIENT_ID is not set" in captured.err
    assert "1 failed (idmc)" in captured.out
    assert main(["refresh", "--live", "--offline"]) == 1


def test_end_to_end_on_postgresql(pg_engine, replay, tmp_path):
    store.init(pg_engine)
    script_normal(replay, etag=True)
    settings = live_settings(replay, tmp_path / "archive")
    first = by_source(live_refresh(pg_engine, settings=settings))
    assert {r.status for r in first.values()} == {"fetched"}, [r.line() for r in first.values()]
    have = figures(pg_engine)
    assert have["unhcr_rpsd"][0] == 21 and have["idmc_gidd"][0] == 17
    second = by_source(live_refresh(pg_engine, settings=settings))
    assert {r.message for r in second.values()} == {"unchanged (304)"}
    replay.route(UNHCR, html(replay, 503), query={"page": 1})
    third = by_source(live_refresh(pg_engine, ["unhcr"], settings=settings))
    assert third["unhcr"].status == "failed" and "HTTP 503" in third["unhcr"].error
    assert figures(pg_engine) == have
