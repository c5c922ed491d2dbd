"""Flows page callbacks on a store loaded with the real samples: Sankeys, top N plus 'other', arrows on maps."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from conftest import load_samples, validated
from dash import dcc

from dashboard import components, exports
from etl import db
from etl.load import load_file

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
MOVEMENTS = "syria_idp_movements_governorate_od_2019_2020.csv"
OFFENSIVE = ("2019-12-01", "2020-03-31")
DEC_2019 = "wos_idp_task_force_movements|IDP|movement|people|2019-12-01|2019-12-31"
UNHCR_2019 = "unhcr_rpsd|REF|stock|people|2019-12-31|2019-12-31"


def build_sample_store(folder: Path) -> str:
    """A SQLite store of every real sample plus the December 2019 lines of the shipped movements file (not in
    its sample: Idleb -> Aleppo 81,900), copied with their MANIFEST line into `folder`. Returns its URL."""
    url = f"sqlite:///{folder / 'samples.db'}"
    engine = db.make_engine(url)
    try:
        load_samples(engine)
        raw = folder / "raw"
        raw.mkdir()
        lines = (RAW / MOVEMENTS).read_text(encoding="utf-8").splitlines(keepends=True)
        (raw / MOVEMENTS).write_text(lines[0] + "".join(x for x in lines[1:] if x.startswith("2019-12-31")),
                                     encoding="utf-8")
        manifest = (RAW / "MANIFEST.csv").read_text(encoding="utf-8").splitlines(keepends=True)
        (raw / "MANIFEST.csv").write_text(manifest[0] + "".join(x for x in manifest if x.startswith(MOVEMENTS)),
                                          encoding="utf-8")
        result = load_file(engine, raw / MOVEMENTS)
        assert result.status == "success" and result.rows_new == 5, result.message
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="module")
def sample_store_url(tmp_path_factory) -> str:
    return build_sample_store(tmp_path_factory.mktemp("flows_store"))


@pytest.fixture
def flows(sample_store_url, use_store):
    """The Flows page module, its callbacks reading the sample store."""
    use_store(sample_store_url)
    from app import app  # noqa: F401  (importing the app registers the pages)
    from dashboard.pages import flows as page

    return page


def _call(callback, date_from, date_to, top_n=10, choice=None, origin="SYR", location=None):
    out = callback(date_from, date_to, origin, location, [], [], [], None, top_n, choice)
    names = ["options", "value", "sankey", "sankey_summary", "sankey_defs", "sankey_rows", "sankey_store",
             "map", "map_summary", "map_defs", "map_rows", "map_store"]
    assert len(out) == len(names)
    got = dict(zip(names, out, strict=True))
    return got | {"sankey": validated(got["sankey"]), "map": validated(got["map"])}


def _links(fig) -> list[tuple[str, str, int]]:
    (sankey,) = validated(fig).data
    labels = sankey.node.label
    return [(labels[s], labels[t], v) for s, t, v in zip(sankey.link.source, sankey.link.target, sankey.link.value,
                                                          strict=True)]


def test_country_sankey_names_turkiye_with_syrias_2019_refugee_stock(flows):
    out = _call(flows.update_country_flows, *OFFENSIVE)

    assert out["value"] == UNHCR_2019
    assert ("Syrian Arab Rep.", "Türkiye", 3576370) in _links(out["sankey"])
    assert "Türkiye" in out["sankey"].data[0].node.label
    turkiye = next(r for r in out["sankey_store"] if r["destination_code"] == "TUR")
    assert (turkiye["value"], turkiye["qualifier"], turkiye["reference_period_end"], turkiye["publisher"]) == \
        (3576370, "exact", "2019-12-31", "UNHCR")
    hover = out["sankey"].data[0].link.customdata[0]
    assert "Türkiye: 3,576,370 people" in hover and "31 Dec 2019" in hover and "exact" in hover and "UNHCR" in hover
    assert "3,576,370" in out["sankey_summary"] and "31 Dec 2019" in out["sankey_summary"]
    assert "UNHCR" in out["sankey"].layout.annotations[-1].text  # the citation drawn inside the figure


def test_top_n_keeps_the_largest_links_and_one_other_row_listing_members_and_sources(flows):
    out = _call(flows.update_country_flows, *OFFENSIVE, top_n=1)

    assert _links(out["sankey"]) == [("Syrian Arab Rep.", "Türkiye", 3576370),
                                     ("Syrian Arab Rep.", "Other (2 countries)", 51955 + 613)]
    other = out["sankey_store"][-1]
    assert other["destination_code"] == "OTHER" and other["n_figures"] == 2
    assert other["members"] == "Austria 51,955; Australia 613"
    assert other["publisher"] == "UNHCR" and other["licence"] == "CC BY 4.0"
    assert "2 more are one 'other' node (52,568)" in out["sankey_summary"]

    data = zipfile.ZipFile(io.BytesIO(exports.chart_csv_zip(out["sankey_store"], "flows-countries", "?x", 1)))
    rows = list(csv.DictReader(io.StringIO(data.read("flows-countries.csv").decode())))
    assert [(r["destination_name"], r["value"]) for r in rows] == [("Türkiye", "3576370"),
                                                                    ("Other (2 countries)", "52568")]
    assert "UNHCR Refugee Population Statistics Database" in data.read("flows-countries_sources.txt").decode()


def test_governorate_movements_use_the_latest_month_and_say_so_then_december_on_request(flows):
    latest = _call(flows.update_governorate_flows, *OFFENSIVE)

    assert [o["value"] for o in latest["options"]] == [
        "wos_idp_task_force_movements|IDP|movement|people|2020-01-01|2020-01-31", DEC_2019]
    assert latest["value"].endswith("2020-01-31")
    assert "the latest, Jan 2020, is shown" in latest["sankey_summary"]
    assert "Dec 2019" in latest["sankey_summary"]

    dec = _call(flows.update_governorate_flows, *OFFENSIVE, choice=DEC_2019)

    assert dec["value"] == DEC_2019
    assert ("Idleb", "Aleppo", 81900) in _links(dec["sankey"])
    row = next(r for r in dec["sankey_store"] if (r["origin_code"], r["destination_code"]) == ("SY07", "SY02"))
    assert (row["value"], row["measure"], row["reference"], row["publisher"]) == (81900, "movement", "Dec 2019",
                                                                                "OCHA")
    assert "movements, not people" in dec["sankey"].layout.title.text
    assert "Idleb → Aleppo 81,900 movements" in dec["sankey_summary"]
    assert "movements" in dec["sankey"].data[0].link.customdata[1]


def test_data_stores_hold_exactly_the_points_drawn(flows):
    for callback, args in ((flows.update_country_flows, {"top_n": 2}),
                           (flows.update_governorate_flows, {"choice": DEC_2019})):
        out = _call(callback, *OFFENSIVE, **args)
        assert _links(out["sankey"]) == [(r["origin_name"], r["destination_name"], r["value"])
                                         for r in out["sankey_store"]]
        assert out["sankey_rows"] == out["sankey_store"]
        drawn = [tuple(t.customdata[0][:3]) for t in out["map"].data if t.customdata is not None]
        assert drawn == [(r["origin_code"], r["destination_code"], r["value"]) for r in out["map_store"]]
        assert all(r["destination_code"] != "OTHER" for r in out["map_store"])
        for row in out["sankey_store"]:  # the CSV sidecar needs these on every row
            assert {"publisher", "licence", "series_title", "citation", "retrieved_at"} <= set(row)


def test_maps_draw_arrows_with_width_by_value_and_moves_within_a_governorate_as_rings(flows):
    out = _call(flows.update_governorate_flows, *OFFENSIVE, choice=DEC_2019)
    traces = {t.name: t for t in out["map"].data}

    arrow = traces["Idleb → Aleppo: 81,900"]
    assert arrow.mode == "lines+markers" and arrow.marker.symbol == "arrow" and arrow.marker.angleref == "previous"
    ring = traces["within Idleb: 214,500"]
    assert ring.mode == "markers"
    assert ring.marker.size > traces["within Aleppo: 2,100"].marker.size
    assert out["map"].layout.geo.fitbounds == "locations"
    assert "UN OCHA" in out["map"].layout.annotations[-1].text
    assert "do not imply official endorsement" in out["map"].layout.annotations[-1].text


def test_a_map_of_links_that_are_all_zero_draws_thin_arrows_not_an_error():
    """A set whose drawn links are all 0 (a published zero is a figure) divided by the largest value, 0: the whole
    panel was replaced by 'could not be drawn' (found on the synthetic benchmark store)."""
    import pandas as pd

    from dashboard.charts import flows as charts
    rows = [{"origin_code": "SYR", "origin_name": "Syria", "location_code": dest, "location_name": name, "value": 0,
             "qualifier": "exact", "population_group": "REF", "measure": "flow", "unit": "people",
             "reference_period_start": pd.Timestamp("2019-01-01"), "reference_period_end": pd.Timestamp("2019-12-31"),
             "publisher": "UNHCR", "originator": "UNHCR", "licence": "CC BY 4.0", "series_title": "t", "citation": "c",
             "retrieved_at": pd.Timestamp("2026-11-25"), "source_title": "s", "source_url": None,
             "is_secondary": False, "note": None} for dest, name in (("TUR", "Türkiye"), ("LBN", "Lebanon"))]
    links = charts.top_links(pd.DataFrame(rows), 10)
    fig, drawn = charts.arrows_map(links, "zeros", level="country")
    arrows = [t for t in fig["data"] if t.get("mode") == "lines+markers"]
    assert len(drawn) == 2 and len(arrows) == 2
    assert {t["line"]["width"] for t in arrows} == {1.5}


def test_figures_serialise_with_no_external_url(flows):
    for callback, args in ((flows.update_country_flows, {}), (flows.update_governorate_flows, {"choice": DEC_2019})):
        out = _call(callback, *OFFENSIVE, **args)
        for fig in (out["sankey"], out["map"]):
            text = fig.to_json()
            assert "http" not in text and "mapbox://" not in text and "glyphs" not in text


def test_empty_periods_and_bad_inputs_give_sentences_not_errors(flows):
    out = _call(flows.update_country_flows, "2000-01-01", "2000-12-31")

    assert out["options"] == [] and out["value"] is None and out["sankey_store"] == []
    assert "No countries-level origin → destination figures" in out["sankey_summary"]
    assert "31 December" in out["sankey"].layout.annotations[0].text

    out = _call(flows.update_governorate_flows, "not a date", None, top_n="lots")
    assert out["value"] == "wos_idp_task_force_movements|IDP|movement|people|2020-01-01|2020-01-31"


def _walk(comp):
    yield comp
    children = getattr(comp, "children", None)
    for child in children if isinstance(children, list) else [children] if children is not None else []:
        if hasattr(child, "to_plotly_json"):
            yield from _walk(child)


def test_layout_has_the_filter_bar_controls_panels_and_local_map_geometry(flows):
    page = flows.layout(**{"from": "2019-12-01", "to": "2020-03-31", "origin": "SYR"})
    text = str(page)

    for cid in ("filter-bar", "flows-top-n", "flows-country-choice", "flows-governorate-choice", "full-data-link",
                "flows-countries-summary", "flows-governorates-map-table"):
        assert cid in text
    graphs = {json.dumps(c.id, sort_keys=True): c for c in _walk(page) if isinstance(c, dcc.Graph)}
    geo_graph = graphs[json.dumps(components.graph_id("flows-countries-map"), sort_keys=True)]
    assert geo_graph.config["topojsonURL"] == "/assets/topojson/"
    assert "do not imply official endorsement" in text


def test_country_and_governorate_sankeys_on_postgresql(pg_engine, use_store):
    load_samples(pg_engine)
    from app import app  # noqa: F401
    from dashboard.pages import flows as page
    from dashboard.queries import core

    core._known.cache_clear()  # the wiped PostgreSQL store reuses load-run ids: no stale cached places
    use_store(pg_engine.url.render_as_string(hide_password=False))
    try:
        countries = _call(page.update_country_flows, *OFFENSIVE)
        movements = _call(page.update_governorate_flows, "2019-11-01", "2020-01-31")
    finally:
        core._known.cache_clear()
    assert ("Syrian Arab Rep.", "Türkiye", 3576370) in _links(countries["sankey"])
    assert _links(movements["sankey"]) == [("Idleb", "Idleb", 297000)]  # January 2020, the latest month
    assert movements["options"][1]["value"].endswith("2019-11-30")


def test_a_release_filter_gives_the_same_sankeys_through_one_cached_query(flows):
    out = flows.update_country_flows(*OFFENSIVE, "SYR", None, [], [], [], "2026-07-01", 10, None)
    assert out[1] == UNHCR_2019 and ("Syrian Arab Rep.", "Türkiye", 3576370) in _links(out[2])
    out = flows.update_governorate_flows(*OFFENSIVE, "SYR", None, [], [], [], "2026-07-01", 10, DEC_2019)
    assert ("Idleb", "Aleppo", 81900) in _links(out[2])
    # Before UNHCR's release of 25 Jun 2026 there were no UNHCR figures in this store: none are shown.
    out = flows.update_country_flows(*OFFENSIVE, "SYR", None, [], [], [], "2026-01-01", 10, None)
    assert not out[1] or not out[1].startswith("unhcr_rpsd")


def ledger_rivals(url: str) -> list[dict]:
    """Every figure in a group of the figure ledger of the store at `url`, with the words a chart's hover gives it
    ('chosen over 1 rival figure (see Sources)'), read from the ledger tables."""
    from sqlalchemy import select

    from dashboard.queries.ledger import rival_note
    from etl.models import LedgerGroup, LedgerMember, Observation, Series

    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(Observation.id.label("observation_id"), Series.slug, Observation.population_group,
                       Observation.measure, Observation.unit,
                       Observation.period_start, Observation.period_end, Observation.origin_code,
                       Observation.location_code, Observation.value, LedgerGroup.member_count, LedgerMember.rank)
                .join(LedgerMember, LedgerMember.observation_id == Observation.id)
                .join(LedgerGroup, LedgerGroup.id == LedgerMember.group_id)
                .join(Series, Series.id == Observation.series_id)).mappings().all()
    finally:
        engine.dispose()
    return [dict(r) | {"words": rival_note(r["member_count"] - 1, r["rank"] == 1)} for r in rows]


@pytest.fixture
def flows_ledger(app_store, use_store):
    """The Flows page reading the real samples store with its figure ledger rebuilt (as `refresh` does)."""
    use_store(app_store)
    from app import app  # noqa: F401
    from dashboard.pages import flows as page

    return page


def test_a_link_with_rivals_in_the_ledger_says_how_many_on_hover_and_in_the_csv(flows_ledger, app_store):
    # The samples' rivals: UNHCR's Syrian refugees in Türkiye (31 Dec 2019) and DGMM's, quoted by the press
    # (21 Jan 2020): the ledger chose one, passed over the other. Each is one link of its own Sankey.
    rivals = [r for r in ledger_rivals(app_store) if r["origin_code"] and r["location_code"] == "TUR"]
    assert len(rivals) >= 2 and {r["rank"] == 1 for r in rivals} == {True, False}
    for r in rivals:
        key = "|".join([r["slug"], r["population_group"], r["measure"], r["unit"], r["period_start"].isoformat(),
                        r["period_end"].isoformat()])
        out = _call(flows_ledger.update_country_flows, *OFFENSIVE, choice=key)
        assert out["value"] == key
        (row, hover), = [(row, h) for row, h in zip(out["sankey_store"], out["sankey"].data[0].link.customdata,
                                                    strict=True) if row["destination_code"] == "TUR"]
        assert row["value"] == r["value"]
        assert f"Figure ledger: {r['words']}" in hover and r["words"].endswith("1 rival figure (see Sources)")
        assert row["rival_note"] == r["words"] and row["is_chosen"] == (r["rank"] == 1)  # the CSV's column
        arrow = next(t.customdata[0][3] for t in out["map"].data if t.customdata is not None
                     and tuple(t.customdata[0][:2]) == ("SYR", "TUR"))
        assert f"Figure ledger: {r['words']}" in arrow
    # a look back (release filter): the ledger compares current figures, so no rival words anywhere
    back = flows_ledger.update_country_flows(*OFFENSIVE, "SYR", None, [], [], [], "2026-07-01", 10, UNHCR_2019)
    assert back[1] == UNHCR_2019
    assert not any("ledger" in h or "rival" in h for h in validated(back[2]).data[0].link.customdata)
    assert all("rival_note" not in row for row in back[6])


def test_the_other_link_sums_figures_and_gives_no_rival_count(flows_ledger):
    out = _call(flows_ledger.update_country_flows, *OFFENSIVE, top_n=1, choice=UNHCR_2019)
    other = out["sankey"].data[0].link.customdata[-1]
    assert "sum of 2 figures" in other and "Figure ledger" not in other
    assert out["sankey_store"][-1]["rival_note"] is None
