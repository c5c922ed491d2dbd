"""People page: UNHCR's sex and age split as a pyramid, the shares of women and children in the north-west Syria
reports, and what is not disaggregated, on the real samples; breakdowns are never added to their totals."""
from __future__ import annotations

import pytest
from conftest import FigurePage


def bar(date_from="2025-01-01", date_to="2025-12-31", origin="SYR", location=None, groups=(), measures=(),
        sources=(), as_of=None) -> tuple:
    return date_from, date_to, origin, location, list(groups), list(measures), list(sources), as_of


def text(component) -> str:
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return " ".join(text(c) for c in component)
    return text(getattr(component, "children", None))


@pytest.fixture
def people(app_store):
    from app import app  # noqa: F401
    from dashboard.pages import people

    return FigurePage(people, {"update_people": (0, 5), "_pyramid": (0,)})


def test_pyramid_of_syrian_refugees_in_turkiye(people):
    fig, summary, columns, table, rows, *_ = people.update_people(*bar(location="TUR"))

    male, female = fig.data
    assert (male.name, female.name) == ("Male", "Female")
    assert list(female.y) == ["0-4", "5-11", "12-17", "18-59", "60+", "unknown"]
    assert list(female.x) == [154087, 238273, 148727, 558194, 35984, 0]
    assert list(male.x) == [164328, 252230, 158124, 607662, 30147, 0]
    # the bands add up to UNHCR's own female and male totals; the total is shown beside them, not added
    assert sum(female.x) == 1135265 and sum(male.x) == 1212491
    assert "female 1,135,265 (48%), male 1,212,491 (52%)" in summary
    assert "the same rows' own total 2,347,756 (shown beside the split, not added to it)" in summary
    assert sum(r["value"] for r in rows) == 2347756  # the store holds the bands only: no total row among them
    # the data store is what is drawn: one row per bar, same value
    drawn = sorted((t.name.lower(), y, x) for t in fig.data for x, y in zip(t.x, t.y, strict=True))
    assert drawn == sorted((r["sex"], r["age_group"], r["value"]) for r in rows)
    assert rows == table and {"publisher", "licence", "series_title", "citation", "retrieved_at"} <= set(rows[0])


def test_locations_split_by_accommodation_are_summed_per_sex_and_age_never_with_a_total(people):
    fig, summary, *_ = people.update_people(*bar(location="LBN", groups=["OOC"]))

    # Aakar: UNHCR gives three accommodation types and no total row: the parts make the place
    assert sum(fig.data[0].x) + sum(fig.data[1].x) == 15 + 84 + 5
    assert "others of concern from Syrian Arab Rep. in Aakar" in summary


def test_women_and_children_as_shares_of_the_total_of_the_same_report(people):
    *_, sfig, ssummary, _, _, srows, words, _ = people.update_people(
        *bar(date_from="2019-12-01", date_to="2020-03-31"))

    got = {(r["source"], r["reference_period_end"], r["breakdown"]): (r["value"], r["total"], r["share"])
           for r in srows}
    assert got[("OCHA", "2020-02-23", "children")] == (569000, 948000, pytest.approx(569000 / 948000))
    assert got[("OCHA", "2020-02-23", "women")] == (195000, 948000, pytest.approx(195000 / 948000))
    assert got[("UNICEF", "2020-03-05", "children")] == (575000, 961000, pytest.approx(575000 / 961000))
    assert got[("UNICEF", "2020-03-05", "women")][1] == 961000
    assert "OCHA, 23 Feb 2020: children about 569,000 of more than 948,000 (60%)" in ssummary
    drawn = sorted((t.name, x, round(y, 9)) for t in sfig.data for x, y in zip(t.x, t.y, strict=True))
    assert drawn == sorted((r["breakdown"], r["category"], round(r["share"], 9)) for r in srows)
    # no total was changed by its breakdowns (never added): each total is the published figure
    assert {r["total"] for r in srows} == {948000, 961000}


def test_what_is_not_disaggregated_is_said_in_words(people):
    *_, words, _ = people.update_people(*bar(location="SYR"))

    assert ("UNHCR gives no sex or age split for internally displaced people in 2 governorates of Syrian Arab "
            "Rep. on 31 Dec 2025: totals only.") in text(words)


def test_an_empty_period_points_to_the_next_split_and_errors_are_sentences(people, monkeypatch):
    fig, summary, *_ = people.update_people(*bar(location="TUR", date_from="2019-12-01", date_to="2020-03-31"))
    assert "No sex and age split is published for Türkiye" in summary
    assert "The first split after it is dated 31 Dec 2025" in summary

    fig, summary, *_ = people.update_people(*bar(origin=None))
    assert summary.startswith("Choose an origin or a location")

    from dashboard.queries import people as queries

    monkeypatch.setattr(queries, "frame", lambda *a, **k: 1 / 0)
    fig, summary, *_ = people.update_people(*bar())
    assert "could not be read (ZeroDivisionError)" in summary


def test_a_split_by_sex_without_age_bands_is_a_pyramid_of_the_sex_totals(people):
    """UNHCR's Türkiye rows with their age bands left out: female and male totals only (age 'all'). Once an
    IndexError (the page said it could not be drawn); now one band per sex, of all ages."""
    from dashboard import filters as flt_mod
    from dashboard.queries import core
    from dashboard.queries import people as queries

    engine = core.store_engine()
    filters = flt_mod.from_query({"from": "2025-01-01", "to": "2025-12-31", "origin": "SYR", "location": "TUR"},
                                 known_places=set(core.known(engine)["places"]),
                                 known_sources=set(core.known(engine)["series"]))
    every = queries.frame(engine, filters)
    sexes_only = every[every["age_group"] == "all"]
    assert set(sexes_only["sex"]) >= {"female", "male", "all"} and (every["age_group"] != "all").any()

    pyr = queries.pyramid(engine, filters, sexes_only)
    assert [(r["sex"], r["age_group"], r["value"]) for r in pyr.bands.to_dict("records")] == \
        [("female", "all", 1135265), ("male", "all", 1212491)]
    assert pyr.sex_totals == {"female": 1135265, "male": 1212491} and pyr.total == 2347756

    fig, summary, _, rows, store = people._pyramid(engine, filters, sexes_only)
    male, female = fig.data
    assert (list(male.y), list(male.x), list(female.y), list(female.x)) == \
        (["all ages"], [1212491], ["all ages"], [1135265])
    assert "all ages: 1,135,265" in female.hovertext[0]
    assert "female 1,135,265 (48%), male 1,212,491 (52%)" in summary
    assert "could not" not in summary and rows == store and sum(r["value"] for r in rows) == 2347756


def test_the_ledger_words_on_hover_are_those_of_the_figures_drawn_and_a_sum_says_it_is_one(people, app_store):
    """Each single figure drawn (a band of one figure, a breakdown and its total) carries its rivals in the figure
    ledger on hover, read here from the ledger tables; a band summing figures says so and counts no rival. The
    samples' one rival pair (Syrians in Türkiye, UNHCR vs DGMM) is a total of no split: no People figure has one."""
    from test_pages_flows import ledger_rivals

    from dashboard import filters as flt_mod
    from dashboard.queries import core
    from dashboard.queries import people as queries

    words = {r["observation_id"]: r["words"] for r in ledger_rivals(app_store)}
    assert words  # the ledger was rebuilt on the samples
    engine = core.store_engine()
    known = core.known(engine)
    summed = 0
    for args in ({"from": "2025-01-01", "to": "2025-12-31", "origin": "SYR", "location": "TUR"},
                 {"from": "2025-01-01", "to": "2025-12-31", "origin": "SYR", "location": "LBN", "group": ["OOC"]}):
        filters = flt_mod.from_query(args, known_places=set(known["places"]), known_sources=set(known["series"]))
        bands = queries.pyramid(engine, filters).bands
        fig, *_ = people._pyramid(engine, filters, queries.frame(engine, filters))
        hovers = [h for t in fig.data for h in t.hovertext]
        assert len(hovers) == len(bands)
        for band in bands.to_dict("records"):
            one = band["n_rows"] == 1
            expected = words.get(int(band["observation_id"]), "") if one else ""
            assert band["rival_note"] == expected
            hover = next(h for h in hovers if h.startswith(("Female" if band["sex"] == "female" else "Male")
                                                          + f", {band['age_group']}: {int(band['value']):,}"))
            assert ("a sum of" in hover) == (not one) and ("Figure ledger" in hover) == bool(expected)
            summed += not one
    assert summed  # Aakar's accommodation types: bands that sum figures
    filters = flt_mod.from_query({"from": "2019-12-01", "to": "2020-03-31", "origin": "SYR"},
                                 known_places=set(known["places"]), known_sources=set(known["series"]))
    shares, _ = queries.breakdown_shares(engine, filters)
    assert len(shares)
    assert list(shares["rival_note"]) == [words.get(int(i), "") for i in shares["observation_id"]]
    assert list(shares["total_rival_note"]) == [words.get(int(i), "") for i in shares["total_observation_id"]]
    # a look back (release filter): the ledger compares current figures, so no rival column nor words
    *_, srows, _, _ = people.update_people(*bar(date_from="2019-12-01", date_to="2020-03-31", as_of="2026-07-01"))
    assert srows and all("rival_note" not in r and "total_rival_note" not in r for r in srows)
    _, _, _, _, rows, *_ = people.update_people(*bar(location="TUR", as_of="2026-07-01"))
    assert rows and all("rival_note" not in r for r in rows)
