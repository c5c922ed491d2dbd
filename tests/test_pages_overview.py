"""Overview page: the headline cards picked by data/source_precedence.csv, per-place cards, the trend panel and its
data store, on the store loaded with the real samples (conftest `app_store`)."""
from __future__ import annotations

import pandas as pd
import pytest
from conftest import FigurePage

from dashboard.filters import Filters
from dashboard.queries import overview as queries


def bar(date_from="2019-12-01", date_to="2020-03-31", origin="SYR", location=None, groups=(), measures=(),
        sources=(), as_of=None) -> tuple:
    """The filter bar's values (f-from ... f-as-of) as a browser would send them."""
    return date_from, date_to, origin, location, list(groups), list(measures), list(sources), as_of


def text(component) -> str:
    """All the text of a Dash component tree."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return " ".join(text(c) for c in component)
    return text(getattr(component, "children", None))


def assert_store_is_the_traces(fig, rows: list[dict], x: str = "reference_period_end", y: str = "value") -> None:
    """The chart's data store holds exactly the points drawn: per trace, the same x and the same y, in order."""
    assert rows, "the data store is empty"
    drawn = [(t.name, pd.Timestamp(px).date().isoformat(), None if py is None else float(py))
             for t in fig.data for px, py in zip(t.x, t.y, strict=True)]
    stored = [(r["trace"], r[x], None if r[y] is None else float(r[y])) for r in rows]
    assert sorted(drawn, key=str) == sorted(stored, key=str)


@pytest.fixture
def overview(app_store):
    from app import app  # noqa: F401  (registers the pages)
    from dashboard.pages import overview

    return FigurePage(overview, {"update_overview": (1,)})


def test_precedence_file_is_ordered_documented_and_checked(tmp_path):
    rules = queries.load_precedence()

    assert [r.field for r in rules] == ["is_secondary", "source_kind", "reference_period_end",
                                        "reference_period_start", "is_rounded", "published_on", "released_on",
                                        "series_slug"]
    assert rules[1].prefer == ("registration", "assessment", "estimate", "report", "news", "secondary")
    assert all(len(r.why) > 40 and r.label for r in rules)  # every line says why
    bad = tmp_path / "p.csv"
    bad.write_text("order,field,prefer,label,why\n1,reference_period_end,newest,x,y\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        queries.load_precedence(bad)


def test_default_view_is_the_worked_example_with_unhcr_registration_as_headline(overview):
    cards, fig, summary, columns, table, rows, link = overview.update_overview(*bar())
    words = text(cards)

    assert "3,576,370 Syrian refugees in Türkiye, 31 Dec 2019, UNHCR" in words
    # the Interior Ministry's 3,649,750 (21 Jan 2020, quoted by the press) is later but a copy: rule 1
    assert "Chosen by rule 1 of the source precedence: a figure read from its own publisher" in words
    assert "1 other figure for the same quantity in the period (DGMM (Türkiye) via People's Daily" in words
    # north-west Syria: REACH's assessment (10 Mar) before UNICEF's and OCHA's reports
    assert "about 959,000 displaced in North-west Syria, 1 Dec 2019 – 10 Mar 2020, REACH Initiative" in words
    assert "source kind assessment before report (next: UNICEF, more than 961,000, 5 Mar 2020)" in words
    assert "6,146,994 internally displaced people in Syrian Arab Rep., 31 Dec 2019, UNHCR" in words
    assert "source kind registration before estimate (next: IDMC via UNHCR," in words and "6,495,000" in words
    assert "3,576,370 Syrian refugees in Türkiye" in summary
    assert "/export.csv?" in str(link.to_plotly_json())
    assert_store_is_the_traces(fig, rows)
    assert rows == table
    assert {"publisher", "licence", "series_title", "citation", "retrieved_at"} <= set(rows[0])


def test_the_headline_follows_the_period(overview):
    cards = text(overview.update_overview(*bar(date_to="2020-02-15"))[0])

    # before REACH and UNICEF reported: OCHA's own sitrep; the secondary copy of 14 Jan never heads
    assert "more than 800,000 displaced in North-west Syria, 1 Dec 2019 – 12 Feb 2020, OCHA" in cards


def test_a_chosen_place_gets_one_card_per_group_and_measure_with_staleness(overview):
    cards, fig, summary, _, _, rows, _ = overview.update_overview(*bar(location="TUR"))
    words = text(cards)

    assert "3,576,370 Syrian refugees in Türkiye, 31 Dec 2019, UNHCR" in words
    # UNHCR's last flow of Syrian refugees into Türkiye in the samples is 2018: older than the period
    assert "397,552 Syrian refugees in Türkiye (newly counted during the period), 1 Jan 2018 – 31 Dec 2018" in words
    assert "No figure since 2018" in words
    assert len(cards) == len({(r["population_group"], r["measure"]) for r in rows})
    assert_store_is_the_traces(fig, rows)


def test_no_origin_adds_only_one_sources_figures_of_one_date_across_origins(overview):
    cards, *_ = overview.update_overview(*bar(location="TUR", origin=None))
    words = text(cards)

    # UNHCR end-2019 refugees in Türkiye: Syria 3,576,370 + unknown origin 142, same source, release and date
    assert "3,576,512 refugees from 2 countries of origin in Türkiye, 31 Dec 2019, UNHCR" in words
    assert "Syrian Arab Rep. 3,576,370" in words
    assert "3,649,750" not in words.split("Sum over")[0]  # the press figure is a rival, never added


def test_cards_never_combine_sources_or_dates(app_store):
    from dashboard.queries import core

    engine = core.store_engine()
    for card in queries.headline_cards(engine, Filters()):
        fig = card.figure
        assert card.trend["series_slug"].eq(fig["series_slug"]).all()
        assert not card.parts  # an origin is chosen: one row, never a sum
        row = card.trend[card.trend["reference_period_end"] == fig["reference_period_end"]]
        assert int(row["value"].iloc[0]) == fig["value"]


def test_an_empty_period_and_an_error_are_sentences(overview, monkeypatch):
    cards, fig, summary, *_ = overview.update_overview(*bar(location="SY07", date_from="1995-01-01",
                                                            date_to="1995-12-31"))
    assert "No figure for Idleb" in summary and not fig.data
    assert "The first figure after the period is dated 31 Dec 2025." in summary  # UNHCR's governorate figures

    def boom(*_a, **_k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(queries, "headline_cards", boom)
    cards, fig, summary, *_ = overview.update_overview(*bar())
    assert "could not be read (RuntimeError)" in summary and "Traceback" not in text(cards)


def test_layout_keeps_filters_and_finds_places_by_alias(overview):
    page = overview.layout(origin="SYR", location="TR-63", **{"from": "2020-01-01"})
    dump = str(page.to_plotly_json())

    assert "overview-cards" in dump and "full-data-link" in dump and "location=TR-63" in dump
    urfa = next(o for o in queries.place_options(queries.core.store_engine()) if o["value"] == "TR-63")
    assert "Urfa" in urfa["search"] and urfa["label"].startswith("Şanlıurfa")


def test_overview_explains_how_to_build_an_empty_store(dash_app):
    from dashboard.pages import overview

    page = str(overview.layout())
    assert "has not been built" in page or "is empty" in page
    assert "python -m etl refresh --offline" in page
    cards, fig, summary, *_ = overview.update_overview(*bar())
    assert "empty" in summary


def test_the_callback_reads_the_store_as_of_a_release(overview):
    # UNHCR's release refugees 2025.12.1 came out on 2026-06-25: the day before, only the press copy exists
    before = text(overview.update_overview(*bar(as_of="2026-06-24"))[0])

    assert "3,576,370" not in before
    assert "3,649,750 Syrian refugees in Türkiye, 21 Jan 2020, DGMM (Türkiye) via People's Daily (French ed.)" \
        in before
