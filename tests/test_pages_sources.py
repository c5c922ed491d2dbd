"""Sources page: every series with its provenance and row count, one quantity as different publishers give it
(the worked example's rivals; a cumulative count's points are one series), on the real samples; and the figure
ledger (groups, members, intervals, flags, overrides through the app's own callback route and its write gate) on
the real samples with the news article's two figures accepted, as tests/test_ledger.py builds them."""
from __future__ import annotations

import getpass
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPORT, FigurePage, callback_body, load_samples, validated
from sqlalchemy import select

from etl import db, review
from etl import store as ops
from etl.models import LedgerOverride, Observation

LOCAL = f"local:{getpass.getuser()}"
SYNTHETIC_SUM = Path(__file__).resolve().parent / "fixtures" / "ledger" / "synthetic_national_vs_provinces.csv"


def bar(date_from="2019-12-01", date_to="2020-03-31", origin="SYR", location=None, groups=(), measures=(),
        sources=(), as_of=None) -> tuple:
    return date_from, date_to, origin, location, list(groups), list(measures), list(sources), as_of


@pytest.fixture
def sources(app_store):
    from app import app  # noqa: F401
    from dashboard.pages import sources

    return FigurePage(sources, {"update_catalogue": (0,), "update_compare": (0,), "show_group": (1,)})


def test_every_series_with_publisher_licence_release_retrieval_and_rows(sources):
    fig, summary, columns, table, rows = sources.update_catalogue(None)

    by_slug = {r["series_slug"]: r for r in rows}
    assert len(rows) == 10
    unhcr = by_slug["unhcr_rpsd"]
    assert (unhcr["publisher"], unhcr["licence"], unhcr["release"]) == ("UNHCR", "CC BY 4.0", "refugees 2025.12.1")
    assert unhcr["retrieved_at"] and unhcr["originator"].startswith("UNHCR")
    assert by_slug["idmc_gidd"]["licence"] == "CC BY-NC-SA 3.0 IGO"
    assert "People's Daily (French ed.)" in by_slug["dgmm_temporary_protection"]["published_via"]
    assert by_slug["unicef_wos_nw_syria_sitreps"]["rows"] == 3
    assert {c["field"] for c in columns} >= {"publisher", "originator", "licence", "release", "retrieved_at", "rows"}
    # the bars are the rows: one bar per series, its length the row count
    (trace,) = fig.data
    assert list(zip(trace.y, trace.x, strict=True)) == [(r["label"], r["rows"]) for r in rows]
    assert "10 source series" in summary


def test_displaced_in_north_west_syria_side_by_side_with_the_ocha_series_as_one_series(sources):
    options, value = sources.update_quantities(*bar(), None)
    assert value == "IDP|flow|SYR|XSY-NW|2019-12-01|people"  # the worked example is offered first

    fig, summary, columns, table, rows, link = sources.update_compare(value, *bar())

    assert 'UNICEF more than 961,000 (5 Mar 2020)' in summary
    assert 'REACH Initiative about 959,000 (10 Mar 2020)' in summary
    assert "OCHA: one series of 9 points, about 284,000 → more than 948,000" in summary
    traces = {t.name: t for t in fig.data}
    assert set(traces) == {"OCHA", "REACH Initiative", "UNICEF"}
    assert traces["OCHA"].mode == "lines+markers+text" and traces["UNICEF"].mode == "markers+text"
    assert traces["UNICEF"].marker.symbol == ("triangle-up",)  # "more than" is drawn, not just written
    roles = {r["trace"]: r["role"] for r in rows}
    assert roles == {"OCHA": "one of 9 points of one series", "REACH Initiative": "single figure",
                     "UNICEF": "single figure"}
    assert all(r["reference_period_start"] == "2019-12-01" for r in rows)  # one quantity: since 1 Dec 2019
    drawn = sorted((t.name, pd.Timestamp(x).date().isoformat(), y) for t in fig.data
                   for x, y in zip(t.x, t.y, strict=True))
    assert drawn == sorted((r["trace"], r["reference_period_end"], r["value"]) for r in rows)
    assert rows == table


def test_syrians_in_turkiye_around_end_2019(sources):
    fig, summary, _, _, rows, _ = sources.update_compare("REF|stock|SYR|TUR||people", *bar())

    assert "UNHCR 3,576,370 (31 Dec 2019)" in summary
    assert "DGMM (Türkiye) via People's Daily (French ed.) 3,649,750 (21 Jan 2020)" in summary
    assert {r["originator"] for r in rows if r["trace"] == "DGMM (Türkiye)"} == {
        "Presidency of Migration Management (DGMM / Göç İdaresi), Türkiye"}


def test_quotes_are_text_never_html(sources):
    from dashboard.charts import sources as charts

    _, _, columns, _, rows, _ = sources.update_compare("IDP|flow|SYR|XSY-NW|2019-12-01|people", *bar())
    unicef = next(r for r in rows if r["trace"] == "UNICEF")
    assert unicef["source_ref"].startswith('"more than 961,000"')  # the publisher's words, kept as published
    assert not any("cellRenderer" in c or c.get("dangerously_allow_code") for c in columns)
    row = {**unicef, "source_ref": '<img src=x onerror=alert(1)> "x"', "value": 1, "qualifier": "exact",
           "reference_period_start": pd.Timestamp("2020-01-01"), "reference_period_end": pd.Timestamp("2020-01-02")}
    hover = charts._hover(row)
    assert "<img" not in hover and "&lt;img src=x onerror=alert(1)&gt;" in hover


def test_no_quantity_and_errors_are_sentences(sources, monkeypatch):
    fig, summary, *_ = sources.update_compare(None, *bar(date_from="1990-01-01", date_to="1990-01-02"))
    assert summary.startswith("No quantity in these filters")
    fig, summary, *_ = sources.update_compare("REF|stock|SYR|TUR||people", *bar(date_from="1995-01-01",
                                                                               date_to="1995-12-31"))
    assert summary.startswith("No source gives this quantity")

    from dashboard.queries import sources as queries

    monkeypatch.setattr(queries, "compare", lambda *a, **k: 1 / 0)
    fig, summary, *_ = sources.update_compare("REF|stock|SYR|TUR||people", *bar())
    assert "could not be read (ZeroDivisionError)" in summary


# --- the figure ledger ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def _ledger_template(tmp_path_factory) -> Path:
    """Every real sample, then the article read as a report, its 800,000 edited to start on 1 Dec 2019 ("since
    early December") and accepted with the 3.6 million (each accept rebuilds the ledger)."""
    path = tmp_path_factory.mktemp("ledger") / "ledger.db"
    eng = db.make_engine(f"sqlite:///{path}")
    try:
        load_samples(eng)
        assert ops.load(eng, REPORT, "report").status == "success"
        cands = {c.value: c for c in review.candidates(eng)}
        review.edit(eng, cands[800_000].id, {"period_start": "2019-12-01"}, "analyst")
        ops.accept_candidate(eng, cands[800_000].id, "analyst")
        ops.accept_candidate(eng, cands[3_600_000].id, "analyst")
    finally:
        eng.dispose()
    return path


@pytest.fixture
def ledger_store(_ledger_template, tmp_path, use_store, monkeypatch) -> str:
    """A fresh copy of that store, read by the app during this test (served on 127.0.0.1, no authentication)."""
    from dashboard import config

    for name, value in (("DASHBOARD_HOST", "127.0.0.1"), ("DASHBOARD_USERS", ""),
                        ("DASHBOARD_TRUSTED_USER_HEADER", "")):
        monkeypatch.setattr(config, name, value)
    path = tmp_path / "ledger.db"
    shutil.copyfile(_ledger_template, path)
    url = f"sqlite:///{path}"
    use_store(url)
    return url


@pytest.fixture
def src(ledger_store):
    from app import app  # noqa: F401
    from dashboard.pages import sources

    return FigurePage(sources, {"update_catalogue": (0,), "update_compare": (0,), "show_group": (1,)})


@pytest.fixture
def db_engine(ledger_store):
    eng = db.make_engine(ledger_store)
    yield eng
    eng.dispose()


def _obs(engine, value: int, **where) -> int:
    with engine.connect() as conn:
        (oid,) = conn.scalars(select(Observation.id).where(
            Observation.value == value, Observation.is_latest.is_(True),
            *[getattr(Observation, k) == v for k, v in where.items()])).all()
    return oid


def _groups(src, **bar_args) -> tuple:
    return src.update_ledger(0, [], *bar(**bar_args), None)


def _show(src, gid: int) -> tuple:
    """show_group as the app runs it: in a request from this machine (the override form asks who may write)."""
    from app import app

    with app.server.test_request_context("/_dash-update-component", method="POST",
                                         environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        return src.show_group(gid, 0)


def _turkiye(src) -> int:
    summary, _, rows, *_ = _groups(src)
    (row,) = [r for r in rows if r["place"].startswith("Türkiye")]
    return row["group_id"]


def test_groups_listed_with_spread_verdict_chosen_figure_and_rule(src):
    summary, columns, rows, store, options, value, flags_summary, _, flags = _groups(src)

    assert summary.startswith("2 groups of rival figures in these filters, 1 inconsistent, 0 with an override")
    by_place = {r["place"]: r for r in rows}
    tur = by_place["Türkiye (TUR)"]
    assert (tur["member_count"], tur["spread"], tur["verdict"]) == (3, "3,576,370 – 3,649,750", "inconsistent")
    assert (tur["chosen"], tur["chosen_publisher"], tur["origin"]) == ("3,576,370", "UNHCR", "Syrian Arab Rep. (SYR)")
    assert tur["span"] == "31 Dec 2019 – 15 Feb 2020" and tur["quantity"] == "refugees"
    assert tur["rule"].startswith("rule 1 (is_secondary): a figure read from its own publisher before a copy")
    assert "People's Daily" in tur["rule_why"]  # the rules file's reason, not only its label
    nw = by_place["North-west Syria (XSY-NW)"]
    assert (nw["verdict"], nw["chosen"], nw["chosen_publisher"]) == ("consistent", "more than 800,000", "OCHA")
    assert store == rows and {c["field"] for c in columns} >= {"spread", "verdict", "rule", "override_status"}
    assert value == options[0]["value"] and len(options) == 2
    assert flags == [] and flags_summary.startswith("No flag in these filters")
    # the filter bar applies: population group, place, period
    assert [r["place"] for r in _groups(src, groups=["REF"])[2]] == ["Türkiye (TUR)"]
    assert [r["place"] for r in _groups(src, location="XSY-NW")[2]] == ["North-west Syria (XSY-NW)"]
    empty = _groups(src, date_from="2021-01-01", date_to="2021-12-31")
    assert empty[0].startswith("No group of rival figures in these filters") and empty[2] == []
    only_bad = src.update_ledger(0, ["inconsistent"], *bar(), None)[2]
    assert [r["place"] for r in only_bad] == ["Türkiye (TUR)"]


def test_a_group_shows_its_members_their_intervals_and_the_chart(src, db_engine):
    gid = _turkiye(src)
    members, fig, summary, columns, rows, store, form = _show(src, gid)

    unhcr, dgmm, news = (_obs(db_engine, 3_576_370, location_code="TUR", origin_code="SYR"),
                         _obs(db_engine, 3_649_750, location_code="TUR"), _obs(db_engine, 3_600_000,
                                                                               location_code="TUR"))
    assert [r["observation_id"] for r in rows] == [unhcr, dgmm, news]  # registration before news (rule 2)
    by_id = {r["observation_id"]: r for r in rows}
    assert (by_id[unhcr]["verdict"], by_id[unhcr]["interval"], by_id[unhcr]["rank"]) == (
        "chosen", "[3,576,370, 3,576,370]", 1)
    assert (by_id[news]["figure"], by_id[news]["interval"], by_id[news]["verdict"]) == (
        "about 3,600,000", "[3,550,000, 3,650,000]", "consistent")
    assert by_id[dgmm]["verdict"] == "inconsistent" and by_id[dgmm]["rule"].startswith("rule 1 (is_secondary)")
    assert by_id[news]["published_on"] == "2020-02-15" and by_id[news]["source_ref"].startswith("Turkey, which")
    assert all(r["licence"] and r["citation"] and r["retrieved_at"] for r in rows)  # the CSV carries provenance
    assert store == rows and "Chosen: UNHCR 3,576,370 (31 Dec 2019)" in summary
    assert "about 3,600,000 [3,550,000, 3,650,000]: consistent" in summary

    # the chart: a bar per interval (its ends), a dot per value, the chosen one in its own trace
    traces = {t.name: t for t in fig.data}
    assert set(traces) == {"interval", "interval of the chosen figure", "rival figure", "chosen figure"}
    assert list(traces["chosen figure"].x) == [3_576_370]
    assert sorted(traces["rival figure"].x) == [3_600_000, 3_649_750]
    bars = [x for x in traces["interval"].x if x is not None]
    assert sorted(bars) == [3_550_000, 3_649_750, 3_649_750, 3_650_000]
    assert list(traces["interval of the chosen figure"].x)[:2] == [3_576_370, 3_576_370]
    colours = dict(zip(traces["rival figure"].x, traces["rival figure"].marker.color, strict=True))
    assert colours[3_649_750] != colours[3_600_000]  # the inconsistent one stands out

    text = " ".join(strings(members))
    assert "Rule that put the chosen figure ahead of it" in text and "inconsistent" in text
    links = components_of(members, "A")
    assert links and all(a["props"]["href"].startswith(("http://", "https://")) for a in links)
    # writes are allowed here (127.0.0.1, no authentication): the override form is there
    assert "ledger-override-save" in _dumps(form) and "ledger-override-reason" in _dumps(form)


def test_an_open_ended_interval_is_drawn_with_an_arrow(src):
    summary, _, rows, *_ = _groups(src)
    gid = next(r["group_id"] for r in rows if r["place"].startswith("North-west Syria"))
    _, fig, *_ = _show(src, gid)

    arrows = [t for t in fig.data if t.name == "no upper bound (more than, at least)"]
    assert {a.marker.symbol for a in arrows} == {"triangle-right"}
    assert sum(len(a.x) for a in arrows) == 2  # OCHA's and the news' "more than 800,000"
    assert [a.showlegend for a in arrows] == [True, False]  # one legend entry
    top = fig.layout.xaxis.range[1]
    assert all(800_000 < x < top for a in arrows for x in a.x)


def test_flags_are_listed_in_a_table(src, db_engine):
    assert ops.load(db_engine, SYNTHETIC_SUM).status == "success"  # SYNTHETIC: a total below its provinces' sum

    out = _groups(src, date_from="2020-01-01", date_to="2020-03-31", origin=None)
    flags_summary, flags = out[6], out[8]

    assert flags_summary.startswith("1 flag in these filters: 1 national vs sum of sub-national")
    (flag,) = flags
    assert (flag["kind"], flag["value"], flag["compared_value"], flag["location_code"]) == (
        "national_vs_subnational_sum", 100_000, 160_000, "TUR")
    assert "add up to 160,000" in flag["detail"]


def post_override(client, app, gid: int, observation_id: int, reason: str, **request_args):
    from dashboard.pages import sources as page

    body = callback_body(app, page.save_override, [{"id": "ledger-override-save", "property": "n_clicks",
                                                    "value": 1}],
                         [{"id": "ledger-override-group", "property": "data", "value": gid},
                          {"id": "ledger-override-member", "property": "value", "value": observation_id},
                          {"id": "ledger-override-reason", "property": "value", "value": reason},
                          {"id": "ledger-version", "property": "data", "value": 2}],
                         ["ledger-override-save.n_clicks"])
    return client.post("/_dash-update-component", json=body, **request_args)


def test_override_through_the_page_is_stored_with_reviewer_and_shown(src, db_engine):
    from app import app

    client = app.server.test_client()
    gid = _turkiye(src)
    dgmm = _obs(db_engine, 3_649_750, location_code="TUR")

    no_reason = post_override(client, app, gid, dgmm, "   ").get_json()["response"]
    assert no_reason["ledger-message"]["children"] == "Not done: an override needs a reason."
    response = post_override(client, app, gid, dgmm, "the Interior Ministry's count is the newer one")

    assert response.status_code == 200, response.get_data(as_text=True)
    out = response.get_json()["response"]
    assert out["ledger-version"]["data"] == 3
    assert out["ledger-message"]["children"].startswith(f"Override 1 by {LOCAL}: figure {dgmm} chosen")
    with db_engine.connect() as conn:
        (over,) = conn.execute(select(LedgerOverride)).all()
    assert (over.status, over.reviewer, over.reason) == ("active", LOCAL, "the Interior Ministry's count is the "
                                                                          "newer one")
    assert abs(pd.Timestamp(over.created_at).tz_localize(None) - pd.Timestamp.now("UTC").tz_localize(None)) < \
        pd.Timedelta(minutes=5)
    # the table refreshed: the chosen figure, the rule (the override), who and when
    rows = _groups(src)[2]
    tur = next(r for r in rows if r["place"].startswith("Türkiye"))
    assert (tur["chosen"], tur["chosen_publisher"]) == ("3,649,750", "People's Daily (French ed.)")
    assert tur["override_status"] == "override 1: active" and tur["override_by"] == LOCAL
    assert tur["override_at"].endswith("UTC") and f"override 1 by {LOCAL}" in tur["rule"]
    assert tur["rule_why"].startswith("chosen by a person")
    members, *_, form = _show(src, tur["group_id"])
    assert f"Override 1 (active): 3,649,750 chosen by {LOCAL} at " in " ".join(strings(members))
    assert "ledger-withdraw" in _dumps(form)

    # withdraw it: the rules choose again, who and when kept
    from dashboard.pages import sources as sources_page

    body = callback_body(app, sources_page.withdraw_override,
                         [{"id": "ledger-withdraw", "property": "n_clicks", "value": 1}],
                         [{"id": "ledger-withdraw-id", "property": "data", "value": 1},
                          {"id": "ledger-version", "property": "data", "value": 3}], ["ledger-withdraw.n_clicks"])
    done = client.post("/_dash-update-component", json=body).get_json()["response"]
    assert done["ledger-message"]["children"] == f"Override 1 withdrawn by {LOCAL}: the rules choose again."
    tur = next(r for r in _groups(src)[2] if r["place"].startswith("Türkiye"))
    assert (tur["chosen"], tur["override_status"]) == ("3,576,370", "")
    with db_engine.connect() as conn:
        over = conn.execute(select(LedgerOverride)).one()
    assert over.status == "withdrawn" and f"withdrawn by {LOCAL}" in over.recheck_note


def test_override_refused_when_writes_are_not_allowed(src, db_engine, monkeypatch):
    from app import app
    from dashboard import config

    client = app.server.test_client()
    gid = _turkiye(src)
    dgmm = _obs(db_engine, 3_649_750, location_code="TUR")
    monkeypatch.setattr(config, "DASHBOARD_HOST", "0.0.0.0")  # served to the network, no authentication

    refused = post_override(client, app, gid, dgmm, "a reason")
    *_, form = _show(src, gid)

    assert refused.status_code == 403 and "switched off" in refused.get_json()["error"]
    with db_engine.connect() as conn:
        assert conn.execute(select(LedgerOverride)).all() == []
    assert components_of(form, "Button") == [] and components_of(form, "Input") == []
    assert "served to the network without authentication" in " ".join(strings(form))
    # and the callback itself refuses, should the gate before it be bypassed
    with app.server.test_request_context("/_dash-update-component", method="POST"):
        assert src.save_override(1, gid, dgmm, "a reason", 0)[0].startswith("Not done: ")
    with db_engine.connect() as conn:
        assert conn.execute(select(LedgerOverride)).all() == []


def test_an_override_to_recheck_is_shown_so(src, db_engine, tmp_path):
    from etl import ledger

    gid = _turkiye(src)
    dgmm = _obs(db_engine, 3_649_750, location_code="TUR")
    with db_engine.begin() as conn:
        ledger.override(conn, gid, dgmm, "the newer count", "analyst")
    # a new release of the chosen figure (same identity, another value), as tests/test_ledger.py does
    sample = Path(__file__).resolve().parent / "fixtures" / "samples" / "turkey_temporary_protection_sample.csv"
    lines = sample.read_text(encoding="utf-8").splitlines()
    revised = tmp_path / "turkey_revised.csv"
    revised.write_text("\n".join([lines[0]] + [ln.replace(",3649750,", ",3649900,") for ln in lines[1:]
                                                 if ",3649750," in ln]) + "\n", encoding="utf-8")
    assert ops.load(db_engine, revised).status == "success"

    tur = next(r for r in _groups(src)[2] if r["place"].startswith("Türkiye"))
    assert tur["override_status"] == "override 1: to re-check" and tur["override_by"] == "analyst"
    assert tur["chosen"] == "3,576,370"  # the rules choose meanwhile
    members, *_ = _show(src, tur["group_id"])
    assert "Override 1 (to re-check)" in " ".join(strings(members))


def test_ledger_source_text_is_text_never_html(src, db_engine):
    from sqlalchemy import update

    from etl.models import Document

    gid = _turkiye(src)
    with db_engine.begin() as conn:  # SYNTHETIC: a document title and URL a source could send
        conn.execute(update(Document).where(Document.publisher.like("news article%")).values(
            title="<img src=x onerror=alert(1)>", url="javascript:alert(2)"))
    members, fig, *_ = _show(src, gid)

    text = strings(members)
    assert "<img src=x onerror=alert(1)>" in text  # a text node: React escapes it
    assert not any(a["props"]["href"].startswith("javascript") for a in components_of(members, "A"))
    assert any("javascript:alert(2)" in s for s in text)  # shown as text, not a link
    hovers = " ".join(h for t in fig.data if t.hovertext for h in t.hovertext)
    assert "<img" not in hovers and "&lt;img src=x" in hovers


def test_compare_hover_says_how_many_rival_figures(src):
    fig, summary, _, _, rows, _ = src.update_compare("REF|stock|SYR|TUR||people", *bar())

    by_value = {r["value"]: r for r in rows}
    assert by_value[3_576_370]["rivals"] == 2 and by_value[3_576_370]["is_chosen"] is True
    assert by_value[3_576_370]["rival_note"] == "chosen over 2 rival figures (see Sources)"
    assert by_value[3_649_750]["rival_note"] == "passed over: 2 rival figures (see Sources)"
    hovers = " ".join(h for t in fig.data for h in t.hovertext)
    assert "chosen over 2 rival figures (see Sources)" in hovers


def _dumps(tree) -> str:
    from plotly.utils import PlotlyJSONEncoder

    return json.dumps(tree, cls=PlotlyJSONEncoder)


def strings(tree) -> list[str]:
    """Every text child of a component tree (live components or their JSON), in order."""
    if hasattr(tree, "to_plotly_json"):
        tree = json.loads(_dumps(tree))
    if isinstance(tree, str):
        return [tree]
    if isinstance(tree, list):
        return [s for item in tree for s in strings(item)]
    if isinstance(tree, dict):
        props = tree.get("props", {})
        return [s for key in ("children",) if key in props for s in strings(props[key])]
    return []


def components_of(tree, type_name: str) -> list[dict]:
    if hasattr(tree, "to_plotly_json") or (isinstance(tree, list) and any(hasattr(t, "to_plotly_json")
                                                                          for t in tree)):
        tree = json.loads(_dumps(tree))
    if isinstance(tree, list):
        return [c for item in tree for c in components_of(item, type_name)]
    if isinstance(tree, dict):
        own = [tree] if tree.get("type") == type_name else []
        return own + [c for v in tree.get("props", {}).values() for c in components_of(v, type_name)]
    return []


# --- charts use the ledger's choice and say how many rivals exist ----------------------------------------------

def _overview(**bar_args):
    from dashboard.pages import overview

    cards, fig, summary, _, rows, _, _ = overview.update_overview(*bar(**bar_args))
    return cards, validated(fig), summary, rows


def _empty_ledger(engine) -> None:
    from sqlalchemy import delete

    from etl.models import LedgerFlag, LedgerGroup, LedgerMember

    with engine.begin() as conn:
        for model in (LedgerMember, LedgerGroup, LedgerFlag):
            conn.execute(delete(model))


def test_overview_card_takes_the_ledgers_choice_and_says_how_many_rivals(src, db_engine):
    cards, fig, summary, rows = _overview()
    before = [r for r in rows if r["is_headline"] and r["location_code"] == "TUR"]
    assert [(r["value"], r["rival_note"]) for r in before] == [
        (3_576_370, "chosen over 2 rival figures (see Sources)")]
    assert "The figure ledger chose this figure over 2 rival figures (see Sources)." in " ".join(strings(cards))
    hovers = [h for t in fig.data for h in t.hovertext]
    assert any("3,576,370" in h and "chosen over 2 rival figures (see Sources)" in h for h in hovers)

    # a person chooses the Interior Ministry's count in the ledger: the headline follows
    from etl import ledger

    gid = _turkiye(src)
    with db_engine.begin() as conn:
        ledger.override(conn, gid, _obs(db_engine, 3_649_750, location_code="TUR"), "the newer count", "analyst")
    cards, fig, summary, rows = _overview()
    after = [r for r in rows if r["is_headline"] and r["location_code"] == "TUR"]
    assert [(r["value"], r["source"], r["rival_note"]) for r in after] == [
        (3_649_750, "DGMM (Türkiye) via People's Daily (French ed.)", "chosen over 2 rival figures (see Sources)")]
    words = " ".join(strings(cards))
    assert "Chosen in the figure ledger over the figure the rules put first here (see Sources)." in words


def test_no_number_changes_for_a_quantity_without_rivals(src, db_engine):
    with_ledger = _overview()
    trends_with = _trends(src)
    _empty_ledger(db_engine)
    without = _overview()
    trends_without = _trends(src)

    def numbers(rows, skip=("rival_note",)):
        return [{k: v for k, v in r.items() if k not in skip} for r in rows]

    # every card and point is the same with and without the ledger here: the rules and the ledger agree
    assert numbers(with_ledger[3]) == numbers(without[3])
    assert all(r["rival_note"] == "" for r in without[3])
    assert [r["rival_note"] for r in with_ledger[3] if r["location_code"] != "TUR"] == \
        [""] * sum(r["location_code"] != "TUR" for r in with_ledger[3])
    skip = ("rival_note", "is_chosen")
    assert numbers(trends_with[4], skip) == numbers(trends_without[4], skip)


def _trends(src, **bar_args):
    from dashboard.pages import trends

    args = {"location": "TUR", **bar_args}
    return FigurePage(trends, {"update_trends": (0,)}).update_trends(*bar(**args), "linear", "values")


def test_trend_lines_keep_every_publisher_and_mark_the_chosen_figure(src):
    fig, summary, _, _, rows, *_ = _trends(src)

    by_value = {r["value"]: r for r in rows if r["value"] is not None}
    assert by_value[3_576_370]["is_chosen"] is True and by_value[3_649_750]["is_chosen"] is False
    assert by_value[3_649_750]["rival_note"] == "passed over: 2 rival figures (see Sources)"
    assert 3_600_000 in by_value  # the news figure keeps its own point: every publisher's line is drawn
    (unhcr,) = [t for t in fig.data if 3_576_370 in (t.y or ())]
    i = list(unhcr.y).index(3_576_370)
    sizes = unhcr.marker.size if isinstance(unhcr.marker.size, tuple) else [unhcr.marker.size] * len(unhcr.y)
    assert sizes[i] == 12 and unhcr.marker.line.color[i] == "#000000"
    assert "Figure ledger: chosen over 2 rival figures (see Sources)" in unhcr.hovertext[i]
    (dgmm,) = [t for t in fig.data if 3_649_750 in (t.y or ())]
    assert "passed over: 2 rival figures (see Sources)" in dgmm.hovertext[list(dgmm.y).index(3_649_750)]


def test_quantity_key_of_a_figure_without_origin_read_as_nan():
    """Found by the load test: a pandas column gives NaN, not None, for a figure without origin."""
    import pandas as pd

    from dashboard.queries.sources import quantity_key

    row = {"population_group": "REF", "measure": "stock", "origin_code": float("nan"), "location_code": "TUR",
           "reference_period_start": pd.Timestamp("2019-12-31"), "unit": "people"}
    assert quantity_key(row) == "REF|stock||TUR||people"
    flow = {**row, "measure": "flow", "origin_code": "SYR"}
    assert quantity_key(flow) == "REF|flow|SYR|TUR|2019-12-31|people"
