"""Border region callbacks on a store of the real samples: the map and bars by month, 'no data' never 0."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest
from test_pages_flows import build_sample_store, ledger_rivals

from dashboard import geo, geojson_route
from dashboard.charts import border as charts

OFFENSIVE = ("2019-12-01", "2020-03-31")
WITH_2017 = ("2017-01-01", "2020-03-31")  # contains DGMM's 28 Sep 2017 provincial figures


@pytest.fixture(scope="module")
def sample_store_url(tmp_path_factory) -> str:
    return build_sample_store(tmp_path_factory.mktemp("border_store"))


@pytest.fixture
def border(sample_store_url, use_store):
    """The Border region page module, its callback reading the sample store."""
    use_store(sample_store_url)
    from app import app  # noqa: F401  (importing the app registers the pages)
    from dashboard.pages import border as page

    return page


def _call(page, date_from, date_to, pairing="nw-syria", month=None, origin="SYR"):
    out = page.update_border(date_from, date_to, origin, None, [], [], [], None, pairing, month)
    names = ["options", "month", "map", "map_summary", "map_defs", "map_rows", "map_store",
             "bars", "bars_summary", "bars_defs", "bars_rows", "bars_store"]
    assert len(out) == len(names)
    out = dict(zip(names, out, strict=True))
    for name in ("map", "bars"):  # the page sends plain dicts: plotly must accept them as they are
        out[name] = go.Figure(out[name])
    return out


def _bar_points(fig) -> list[tuple[str, int]]:
    return [(y, x) for t in fig.data if t.type == "bar" for y, x in zip(t.y, t.x, strict=True) if x is not None]


def test_bars_show_hatay_in_september_2017_from_dgmm_via_the_press(border):
    out = _call(border, *WITH_2017, month="2017-09")

    assert out["month"] == "2017-09"
    assert {"label": "September 2017 (reference dates 28 Sep)", "value": "2017-09"} in out["options"]
    hatay = next(r for r in out["bars_store"] if r["area_code"] == "TR-31")
    assert (hatay["value"], hatay["reference"], hatay["publisher"], hatay["is_secondary"], hatay["qualifier"]) == \
        (416589, "28 Sep 2017", "gaphaberleri.com", True, "exact")
    assert "DGMM" in hatay["originator"] or "Migration" in hatay["originator"]
    assert ("Hatay", 416589) in _bar_points(out["bars"])
    hover = next(t for t in out["bars"].data if t.type == "bar" and "Hatay" in (t.y or ())).customdata[0]
    assert "416,589" in hover and "28 Sep 2017" in hover and "gaphaberleri.com" in hover and "exact" in hover
    assert "Hatay: Syrians hosted 416,589 (gaphaberleri.com, via the press, 28 Sep 2017)" in out["bars_summary"]
    # The national figure of the same report stands beside the provinces, never added to them.
    national = [r for r in out["bars_store"] if r["quantity"] == "national"]
    assert [(r["area_code"], r["value"]) for r in national] == [("TUR", 3208131)]
    assert "never added" in out["bars_summary"]


def test_no_data_areas_are_drawn_as_no_data_never_as_zero(border):
    out = _call(border, *WITH_2017, month="2017-09")
    traces = {t.name: t for t in out["map"].data}

    gaps = [r for r in out["map_store"] if r["status"] == "no data"]
    assert {r["area_code"] for r in gaps} == {"SY07", "SY02", "TR-79", "TR-27", "TR-63"}
    assert all(r["value"] is None and r["value_text"] == "no data" for r in gaps)
    grey = traces["No data for this month (not zero)"]
    assert set(grey.locations) == {r["area_code"] for r in gaps} and grey.showlegend
    assert all("no data" in text for text in grey.customdata)
    for t in out["map"].data:
        if t is not grey:
            assert not set(t.locations) & set(grey.locations)
            assert 0 not in t.z
    assert all(x != 0 for _, x in _bar_points(out["bars"]))
    labels = [a.y for a in out["bars"].layout.annotations if a.text == "no data"]
    assert sorted(labels) == sorted(r["bar_label"] for r in out["bars_store"] if r["status"] == "no data")
    assert {"Idleb", "Aleppo", "North-west Syria", "Kilis"} <= set(labels)
    assert "No data (not zero): Idleb, Aleppo, North-west Syria" in out["bars_summary"]
    defs = {d["field"]: d for d in out["bars_defs"]}
    assert "no data" in defs["value"]["valueFormatter"]["function"]


def test_data_stores_hold_exactly_what_the_map_and_bars_draw(border):
    for month in ("2017-09", "2020-01", "2019-12"):
        out = _call(border, *WITH_2017, month=month)
        drawn = [(loc, z) for t in out["map"].data if t.name != "No data for this month (not zero)"
                 for loc, z in zip(t.locations, t.z, strict=True)]
        assert sorted(drawn) == sorted((r["area_code"], r["value"]) for r in out["map_store"]
                                       if r["status"] == "figure")
        assert sorted(_bar_points(out["bars"])) == sorted((r["bar_label"], r["value"]) for r in out["bars_store"]
                                                          if r["status"] == "figure")
        assert out["map_rows"] == out["map_store"] and out["bars_rows"] == out["bars_store"]
        for row in out["bars_store"] + out["map_store"]:
            assert {"publisher", "licence", "series_title", "citation", "retrieved_at"} <= set(row)


def test_time_control_lists_the_months_of_the_period_and_changes_map_and_bars(border):
    default = _call(border, *OFFENSIVE)

    assert [o["value"] for o in default["options"]] == ["2020-03", "2020-02", "2020-01", "2019-12"]
    assert default["month"] == "2020-01"  # the month with the most areas with a figure
    jan = {(r["area_code"], r["quantity"]): r for r in default["bars_store"]}
    assert jan[("TR-27", "hosted")]["value"] == 446564 and jan[("TR-27", "hosted")]["reference"] == "21 Jan 2020"
    assert jan[("SY07", "arrivals")]["value"] == 297000 and jan[("SY07", "arrivals")]["measure"] == "movement"
    assert "movements, not people" in jan[("SY07", "arrivals")]["note"]
    assert jan[("TR-31", "hosted")]["status"] == "no data"

    dec = _call(border, *OFFENSIVE, month="2019-12")
    rows = {(r["area_code"], r["quantity"]): r for r in dec["bars_store"]}
    # Arrivals in Aleppo: Idleb -> Aleppo 81,900 and Aleppo -> Aleppo 2,100 of the same map and month.
    assert rows[("SY02", "arrivals")]["value"] == 81900 + 2100
    assert rows[("SY02", "arrivals")]["members"] == "Idleb → Aleppo 81,900; Aleppo → Aleppo 2,100"
    assert rows[("SY07", "departures")]["value"] == 214500 + 81900
    assert rows[("XSY-NW", "displaced")]["value_text"] == "about 284,000"
    assert dec["map"].to_json() != default["map"].to_json()
    assert ("SY02", 84000) in [(loc, z) for t in dec["map"].data for loc, z in zip(t.locations, t.z, strict=True)]


def test_map_is_maplibre_white_bg_with_local_geojson_explicit_view_and_attribution(border):
    out = _call(border, *OFFENSIVE)
    fig = out["map"]

    assert {t.type for t in fig.data} == {"choroplethmap"}
    assert fig.layout.map.style == "white-bg"
    assert 36 < fig.layout.map.center.lon < 40 and 35 < fig.layout.map.center.lat < 38
    assert 5 < fig.layout.map.zoom < 9
    client = border.dash.get_app().server.test_client()
    for t in fig.data:  # each trace's boundaries: a same-origin URL the app serves, holding its areas
        served = client.get(t.geojson)
        assert t.geojson.startswith("/geo/") and t.featureidkey == "id" and served.status_code == 200
        assert set(t.locations) <= {f["id"] for f in served.get_json()["features"]}
    for layer in fig.layout.map.layers:
        assert layer.sourcetype == "geojson" and layer.source.startswith("/geo/")
        assert client.get(layer.source).get_json()["features"], layer.source
    cited = fig.layout.annotations[-1].text.replace("<br>", " ")
    assert "UN OCHA / UN Cartographic Section" in cited and "Natural Earth" in cited
    assert "do not imply official endorsement or acceptance by the United Nations" in cited
    for f in (fig, out["bars"]):
        text = f.to_json()
        assert "http" not in text and "mapbox://" not in text and "glyphs" not in text and "sprite" not in text
        assert "markers+text" not in text


def test_north_east_pairing_and_empty_periods(border):
    ne = _call(border, *OFFENSIVE, pairing="ne-syria")

    assert ne["month"] == "2019-12"  # Al-Hasakeh and Ar-Raqqa movements; January has Şanlıurfa alone
    assert {r["area_code"] for r in ne["map_store"]} == {"SY08", "SY11", "TR-63", "TR-47", "TR-73"}
    assert ("Al-Hasakeh: arrivals (movements in)", 4800) in _bar_points(ne["bars"])
    jan = _call(border, *OFFENSIVE, pairing="ne-syria", month="2020-01")
    assert ("Şanlıurfa", 446564) in _bar_points(jan["bars"])
    assert {r["area_code"] for r in jan["map_store"] if r["status"] == "no data"} == {"SY08", "SY11", "TR-47",
                                                                                       "TR-73"}

    empty = _call(border, "2000-01-01", "2000-12-31")
    assert empty["options"] == [] and empty["month"] is None and empty["map_store"] == []
    assert "No figures for north-west syria" in empty["map_summary"]


def test_layout_has_the_controls_the_panels_and_the_attribution(border):
    text = str(border.layout(**{"from": "2019-12-01", "to": "2020-03-31"}))

    for cid in ("filter-bar", "border-pairing", "border-month", "border-map-summary", "border-bars-table",
                "full-data-link"):
        assert cid in text
    assert "do not imply official endorsement" in text and "CC BY 3.0 IGO" in text


def test_border_on_postgresql(pg_engine, use_store):
    from conftest import load_samples

    load_samples(pg_engine)
    from app import app  # noqa: F401
    from dashboard.pages import border as page
    from dashboard.queries import core

    core._known.cache_clear()  # the wiped PostgreSQL store reuses load-run ids: no stale cached places
    use_store(pg_engine.url.render_as_string(hide_password=False))
    try:
        out = _call(page, *WITH_2017, month="2017-09")
    finally:
        core._known.cache_clear()
    assert ("Hatay", 416589) in _bar_points(out["bars"])
    assert {r["area_code"] for r in out["map_store"] if r["status"] == "no data"} >= {"SY07", "SY02"}


def test_a_release_filter_gives_the_same_border_figures(border):
    out = border.update_border(*WITH_2017, "SYR", None, [], [], [], "2026-07-01", "nw-syria", "2017-09")
    assert ("Hatay", 416589) in _bar_points(go.Figure(out[7]))
    assert {r["area_code"] for r in out[6] if r["status"] == "no data"} >= {"SY07", "SY02"}


def _inline_collection(codes) -> dict:
    """The collection the map drew before boundaries were served by URL: each code from map_layer()'s layer."""
    by_layer: dict[str, list[str]] = {}
    for code in dict.fromkeys(codes):
        if charts.map_layer(code):
            by_layer.setdefault(charts.map_layer(code), []).append(code)
    return {"type": "FeatureCollection",
            "features": [f for name, cs in by_layer.items() for f in geo.lean(name, cs)["features"]]}


@pytest.mark.parametrize("pairing", ["nw-syria", "ne-syria"])
def test_map_boundaries_by_url_are_the_outlines_it_drew_inline(border, pairing):
    """Served boundaries draw exactly what the inline collections drew: per trace the features of its locations
    (plotly draws no other), per layer every feature of the same subset, and the PNG gets them inline."""
    client = border.dash.get_app().server.test_client()
    for month in ("2017-09", "2019-12", "2020-01", "2020-03"):
        out = _call(border, *WITH_2017, pairing=pairing, month=month)
        fig = out["map"]
        if month not in {o["value"] for o in out["options"]}:
            continue
        for t in fig.data:
            served = client.get(t.geojson).get_json()["features"]
            assert [f for f in served if f["id"] in set(t.locations)] == \
                _inline_collection(t.locations)["features"], (month, t.name)
        gaps = {r["area_code"] for r in out["map_store"] if r["status"] == "no data"}
        layers = [client.get(layer.source).get_json() for layer in fig.layout.map.layers]
        areas = [a for a in border.queries.pairing(pairing).areas if a.kind in ("governorate", "province")]
        box = geo.union_bbox(*(geo.bbox(charts.map_layer(a.code), [a.code]) for a in areas))
        pad = (box[0] - 3, box[1] - 2, box[2] + 3, box[3] + 2)
        syr = {a.code for a in areas if a.side == "syria"}
        district_layer = "syr_admin2_nw" if syr <= {"SY07", "SY02"} else "syr_admin2"
        expected = [geo.lean("countries_me", box=pad, step=2)] * 2 + [
            geo.lean("syr_admin1", box=pad, step=2), geo.lean("tur_admin1", box=pad, step=2),
            geo.lean(district_layer, [c for c in geo.codes(district_layer) if c[:4] in syr])]
        if gaps:
            expected.append(_inline_collection(r["area_code"] for r in out["map_store"] if r["status"] == "no data"))
        assert layers == expected, month
        inline = geojson_route.inline(fig.to_dict())
        assert [t["geojson"] for t in inline["data"]] == [client.get(t.geojson).get_json() for t in fig.data]
        assert [layer["source"] for layer in inline["layout"]["map"]["layers"]] == layers


def test_boundary_route_serves_known_layers_and_refuses_the_rest(border):
    client = border.dash.get_app().server.test_client()
    address = geojson_route.url("border_areas", ["SY07", "TR-31", "SY0700"])
    response = client.get(address)

    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    assert "immutable" in response.headers["Cache-Control"] and response.headers["Content-Security-Policy"]
    assert [f["id"] for f in response.get_json()["features"]] == ["SY07", "SY0700", "TR-31"]
    # the detailed Idleb/Aleppo districts, as map_layer() chooses them
    assert response.get_json()["features"][1] == geo.lean("syr_admin2_nw", ["SY0700"])["features"][0]
    assert geojson_route.collection(address) == response.get_json()
    version = geojson_route.version()
    for bad in (f"/geo/{version}/no_such_layer.geojson", f"/geo/{version}/countries_me.geojson?box=1,2,3",
                f"/geo/{version}/countries_me.geojson?box=1,2,3,nan", f"/geo/{version}/countries_me.geojson?step=0",
                f"/geo/{version}/countries_me.geojson?codes=<script>", f"/geo/{version}/countries_me.geojson?x=1",
                "/geo/zz/countries_me.geojson"):
        assert client.get(bad).status_code == 404, bad
        assert geojson_route.collection(bad) is None
    assert geojson_route.collection("http://example.org" + address) is None


def test_png_of_the_map_renders_with_the_served_boundaries_inline(border):
    from dashboard import png

    fig = _call(border, *WITH_2017, month="2017-09")["map"]
    assert all(t.geojson.startswith("/geo/") for t in fig.data)
    image = png.render(fig.to_dict())
    assert image[:8] == b"\x89PNG\r\n\x1a\n" and len(image) > 10_000


@pytest.fixture
def border_ledger(app_store, use_store):
    """The Border region page reading the real samples store with its figure ledger rebuilt."""
    use_store(app_store)
    from app import app  # noqa: F401
    from dashboard.pages import border as page

    return page


def test_national_figures_with_rivals_in_the_ledger_say_how_many_on_hover(border_ledger, app_store):
    # UNHCR's (31 Dec 2019) and DGMM's (21 Jan 2020, via the press) Syrians in Türkiye are rivals in the ledger;
    # January 2020's national panel draws both, side by side.
    rivals = [r for r in ledger_rivals(app_store) if r["location_code"] == "TUR" and r["origin_code"] == "SYR"
              and r["period_end"].isoformat() <= "2020-01-31"]
    assert len(rivals) == 2 and {r["rank"] == 1 for r in rivals} == {True, False}
    out = _call(border_ledger, *OFFENSIVE, month="2020-01")
    national = [r for r in out["bars_store"] if r["quantity"] == "national"]
    hovers = {x: h for t in out["bars"].data if t.type == "bar" and t.customdata
              for x, h in zip(t.x, t.customdata, strict=True)}
    for r in rivals:
        (row,) = [n for n in national if n["value"] == r["value"]]
        assert row["rival_note"] == r["words"] and row["is_chosen"] == (r["rank"] == 1)  # the CSV's column
        assert f"Figure ledger: {r['words']}" in hovers[r["value"]]
    # every other bar (provinces, Syrian movements summed per area) has no rival in the ledger: no words
    others = [h for x, h in hovers.items() if x not in {r["value"] for r in rivals}]
    assert others and not any("Figure ledger" in h for h in others)
    # a look back (release filter): the ledger compares current figures, so no rival words
    back = border_ledger.update_border(*OFFENSIVE, "SYR", None, [], [], [], "2026-07-01", "nw-syria", "2020-01")
    assert {r["value"] for r in back[11] if r["quantity"] == "national"} == {r["value"] for r in rivals}
    assert not any("ledger" in str(h) for t in go.Figure(back[7]).data if t.customdata is not None
                   for h in t.customdata)
    assert all("rival_note" not in row for row in back[11])


@pytest.mark.parametrize("cap", [None, 3])
def test_the_month_is_chosen_and_read_alike_on_both_paths(border, monkeypatch, cap):
    """month_figures: the fast path (the month chosen on grouped dates and areas, whole rows for that month only)
    gives the baseline's options, month and month rows; a kind with as many figures as a view reads (the cap,
    lowered here to 3) makes it read the period whole, as the baseline does."""
    import datetime as dt

    from dashboard import config
    from dashboard.cache import cache
    from dashboard.queries import border as queries
    from dashboard.queries import core
    from dashboard.queries.flows import inputs_to_filters

    cache.clear()  # side_index is cached per store and filters: this test's cap must decide it
    if cap:
        monkeypatch.setattr(core, "FIGURES_LIMIT", cap)
    engine = core.store_engine()
    flt = inputs_to_filters(engine, "2017-01-01", "2020-12-31", "SYR", None, [], [], [], None)
    p = queries.pairing("nw-syria")
    got = {}
    for fast in (False, True):
        monkeypatch.setattr(config, "FAST_PATH", fast)
        for month in (None, "2020-01", "1999-01"):
            options, chosen, figs = queries.month_figures(engine, flt, p, month)
            start, end = pd.Timestamp(f"{chosen}-01"), pd.Timestamp(queries._month_end(chosen))
            here = figs[(figs["reference_period_end"] >= start) & (figs["reference_period_end"] <= end)]
            got[fast, month] = (options, chosen, here.reset_index(drop=True))
    assert queries.side_index.uncached(engine, flt, p) is None if cap else not queries.side_index.uncached(
        engine, flt, p).empty
    for month in (None, "2020-01", "1999-01"):
        (o1, m1, f1), (o2, m2, f2) = got[False, month], got[True, month]
        assert (o1, m1) == (o2, m2) and len(o1) > 3
        assert month != "2020-01" or m1 == "2020-01"  # a month the options hold is the one shown
        pd.testing.assert_frame_equal(f1, f2)
        assert len(f1) > 0
    assert dt.date.fromisoformat(f"{got[True, None][1]}-01") <= dt.date(2020, 12, 31)
