"""Smoke tests of the app: it serves its layout, summarises the store, and renders in a real browser."""
from __future__ import annotations

import datetime as dt

from etl.models import Document, LoadRun, Observation, Place, Release, Series


def test_home_and_layout_are_served(dash_app):
    client = dash_app.server.test_client()

    assert client.get("/").status_code == 200
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200
    assert "Displacement dashboard" in layout.get_data(as_text=True)


def test_overview_page_explains_how_to_build_an_empty_store(dash_app):
    from dashboard.pages import overview

    text = str(overview.layout())

    assert "has not been built" in text or "is empty" in text
    assert "python -m etl refresh --offline" in text


def test_store_summary_counts_rows_and_latest_load_per_source(store):
    from sqlalchemy.orm import Session

    from dashboard.queries.status import store_summary

    assert store_summary(store) == {"has_schema": True, "observations": 0, "series": 0, "places": 0,
                                    "latest_loads": []}
    with Session(store) as session:
        _add_one_observation(session)
        session.commit()

    summary = store_summary(store)

    assert (summary["observations"], summary["series"], summary["places"]) == (1, 1, 1)
    assert [(run["source"], run["status"], run["rows_read"]) for run in summary["latest_loads"]] == [
        ("unhcr_population", "success", 1)]


def test_every_page_of_the_app_is_registered_once(dash_app):
    import dash

    pages = {p["path"]: p["name"] for p in dash.page_registry.values()}

    assert pages["/"] == "Overview" and pages["/status"] == "Data status"
    assert {"/trends", "/people", "/sources"} <= set(pages)
    assert not any(p["module"].endswith(".home") for p in dash.page_registry.values())


def test_overview_page_renders_offline_in_chromium(page, offsite_requests):
    page.goto("/")

    page.get_by_role("heading", name="Displacement dashboard").wait_for()
    page.locator("#store-summary").wait_for()  # filled by the Pages router callback: Dash's JS ran
    page.locator("#overview-cards .card").first.wait_for()  # filled by the page's callback

    assert "The store holds" in page.locator("#store-summary").inner_text()  # the served store has the samples
    assert "3,576,370 Syrian refugees in Türkiye, 31 Dec 2019, UNHCR" in page.locator("#overview-cards").inner_text()
    assert offsite_requests == []


def _add_one_observation(session) -> None:
    started = dt.datetime(2025, 1, 2, 3, 4, tzinfo=dt.UTC)
    session.add(Place(code="TUR", name="Türkiye", kind="country", admin_level=0, country_iso3="TUR",
                      source="ISO 3166-1"))
    series = Series(slug="unhcr-population", title="Refugee Population Statistics", publisher="UNHCR",
                    originator="UNHCR", source_kind="registration", licence="CC BY 4.0", citation="UNHCR")
    session.add(series)
    session.flush()
    # An older run of the same source shows that only the latest run per source is reported.
    for status in ("failed", "success"):
        session.add(LoadRun(source="unhcr_population", path="data/raw/unhcr.csv", status=status, started_at=started,
                            finished_at=started, rows_read=1))
        session.flush()
    run = session.query(LoadRun).filter_by(status="success").one()
    release = Release(series_id=series.id, label="2025")
    document = Document(series_id=series.id, title="Population figures", url="https://www.unhcr.org/refugee-statistics",
                        publisher="UNHCR", retrieved_on=dt.date(2025, 1, 2))
    session.add_all([release, document])
    session.flush()
    session.add(Observation(identity_key="k1", series_id=series.id, population_group="REF", measure="stock",
                            location_code="TUR", period_start=dt.date(2024, 12, 31), period_end=dt.date(2024, 12, 31),
                            release_id=release.id, value=100, document_id=document.id, run_id=run.id))


def test_every_page_callback_on_postgresql(pg_engine, use_store):
    """The pages' queries on the server store: the samples loaded into PostgreSQL give the same real values."""
    from conftest import load_samples

    from app import app  # noqa: F401  (registers the pages)
    from dashboard.pages import overview, people, sources, status, trends
    from dashboard.queries import core
    from dashboard.queries import overview as kit

    load_samples(pg_engine)
    use_store(pg_engine.url.render_as_string(hide_password=False))
    core._known.cache_clear()  # another test may have left a store of the same URL and data version
    kit._CACHE.clear()
    offensive = ("2019-12-01", "2020-03-31", "SYR", None, [], [], [], None)

    cards = str(overview.update_overview(*offensive)[0])
    assert "3,576,370 Syrian refugees in Türkiye, 31 Dec 2019, UNHCR" in cards
    rows = trends.update_trends("2017-01-01", "2021-12-31", "SYR", "TR-27", [], [], [], None, "linear", "share")[4]
    assert any(r["value"] == 446564 and r["parent_value"] == 3649750 for r in rows)
    assert "female 1,135,265" in people.update_people("2025-01-01", "2025-12-31", "SYR", "TUR", [], [], [],
                                                      None)[1]
    assert "UNICEF more than 961,000 (5 Mar 2020)" in sources.update_compare(
        "IDP|flow|SYR|XSY-NW|2019-12-01|people", *offensive)[1]
    assert len(status.update_status(None)[5]) == 11
    kit._CACHE.clear()
    core._known.cache_clear()
