"""Report text -> pending candidates -> reviewed: only accepted figures enter `observation`, with their quotes."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from etl import review
from etl import store as ops
from etl.__main__ import main
from etl.load import load_file
from etl.models import Candidate, CandidateEvent, Document, Observation

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPORT = FIXTURES / "reports" / "idlib_sentences.txt"
SAMPLES = ("unhcr_population_sample.csv", "nw_syria_displacement_sample.csv")


@pytest.fixture
def loaded(store):
    """UNHCR's and OCHA's figures first, then the article's sentences read as a report (SQLite and PostgreSQL)."""
    engine = store
    ops.init(engine)
    for name in SAMPLES:
        result = load_file(engine, FIXTURES / "samples" / name)
        assert result.status == "success", result.message
    result = ops.load(engine, REPORT, "report")
    assert result.status == "success", result.message
    return engine


def _by_number(engine) -> dict[int, Candidate]:
    return {c.value: c for c in review.candidates(engine, None)}


def _count(engine, stmt) -> int:
    with engine.connect() as conn:
        return conn.scalar(stmt)


def test_report_gives_pending_candidates_and_nothing_in_observation(loaded):
    cands = _by_number(loaded)
    assert set(cands) == {800_000, 200_000, 3_600_000}  # never 13 soldiers, 5,000 troops or a dozen posts
    assert {c.status for c in cands.values()} == {"pending"}
    fled, hosted = cands[800_000], cands[3_600_000]
    assert (fled.qualifier, fled.kind, fled.location_code) == ("more than", "fled", "XSY-NW")
    assert (hosted.qualifier, hosted.kind, hosted.location_code, hosted.origin_code) == ("about", "hosted", "TUR",
                                                                                         "SYR")
    text = REPORT.read_text(encoding="utf-8")
    assert text[fled.char_start:fled.char_end] == fled.sentence == \
        "The offensive has forced more than 800,000 people to flee."
    assert (fled.doc_publisher, fled.source_kind, fled.published_on) == (
        "news article (BEIRUT dateline, reporting Reuters and Syrian state media)", "news", dt.date(2020, 2, 15))
    assert _count(loaded, select(func.count()).select_from(Observation).where(
        Observation.source_ref.like("%800,000 people to flee%"))) == 0
    with loaded.connect() as conn:
        (event,) = conn.execute(select(CandidateEvent)).all()
    assert event.event_date == dt.date(2020, 2, 15) and "recovering full control" in event.sentence
    again = ops.load(loaded, REPORT, "report", force=True)  # read again: nothing new
    assert again.status == "success" and len(review.candidates(loaded, None)) == 3


def test_accepting_puts_the_two_figures_next_to_unhcr_and_ocha(loaded):
    cands = _by_number(loaded)
    review.edit(loaded, cands[800_000].id, {"period_start": "2019-12-01"}, "analyst")
    obs_fled = review.accept(loaded, cands[800_000].id, "analyst")
    obs_hosted = review.accept(loaded, cands[3_600_000].id, "analyst")
    review.reject(loaded, cands[200_000].id, "vague range: 'hundreds of thousands'", "analyst")

    with loaded.connect() as conn:
        rows = {o.id: o for o in conn.execute(select(Observation).where(Observation.id.in_([obs_fled, obs_hosted])))}
        fled, hosted = rows[obs_fled], rows[obs_hosted]
        assert fled.source_ref == "The offensive has forced more than 800,000 people to flee."
        assert (fled.population_group, fled.measure, fled.location_code, fled.origin_code, fled.value,
                fled.value_low, fled.qualifier, fled.period_start, fled.period_end) == (
            "IDP", "flow", "XSY-NW", "SYR", 800_000, 800_000, "more than", dt.date(2019, 12, 1), dt.date(2020, 2, 15))
        assert "characters" in fled.note and "read as '800,000'" in fled.note and "accepted by analyst" in fled.note
        assert hosted.source_ref.startswith("Turkey, which currently hosts 3.6 million Syrian refugees")
        assert (hosted.population_group, hosted.measure, hosted.location_code, hosted.origin_code, hosted.value,
                hosted.qualifier, hosted.is_rounded) == ("REF", "stock", "TUR", "SYR", 3_600_000, "about", True)
        doc = conn.execute(select(Document).where(Document.id == hosted.document_id)).one()
        assert doc.publisher.startswith("news article") and doc.published_on == dt.date(2020, 2, 15)
        # the rivals are in the same store: UNHCR's Syrian refugees in Türkiye, OCHA's displaced in NW Syria
        unhcr = conn.scalar(select(Observation.value).where(
            Observation.population_group == "REF", Observation.origin_code == "SYR",
            Observation.location_code == "TUR", Observation.period_end == dt.date(2019, 12, 31)))
        ocha = conn.scalars(select(Observation.value).where(
            Observation.location_code == "XSY-NW", Observation.population_group == "IDP",
            Observation.measure == "flow", Observation.id != obs_fled)).all()
    assert unhcr == 3_576_370
    assert {586_000, 948_000} <= set(ocha)

    after = _by_number(loaded)
    assert {(c.status, c.reviewer) for c in after.values()} == {("accepted", "analyst"), ("rejected", "analyst")}
    assert all(c.reviewed_at is not None for c in after.values())
    assert after[200_000].reason == "vague range: 'hundreds of thousands'"
    assert after[800_000].observation_id == obs_fled
    (change,) = json.loads(after[800_000].edits)
    assert (change["field"], change["old"], change["new"], change["by"]) == (
        "period_start", "2020-02-15", "2019-12-01", "analyst")
    with pytest.raises(review.ReviewError, match="already accepted"):
        review.accept(loaded, after[800_000].id, "someone else")
    with pytest.raises(review.ReviewError, match="needs a reason"):
        review.reject(loaded, after[200_000].id, " ", "analyst")


def test_a_candidate_that_does_not_validate_stays_pending(loaded):
    cand = _by_number(loaded)[800_000]
    with pytest.raises(review.ReviewError, match="not a place code"):
        review.edit(loaded, cand.id, {"location_code": "NOWHERE"}, "analyst")
    review.edit(loaded, cand.id, {"period_end": "2999-01-01"}, "analyst")
    n_before = _count(loaded, select(func.count()).select_from(Observation))
    with pytest.raises(review.ReviewError, match="does not validate"):
        review.accept(loaded, cand.id, "analyst")
    assert _count(loaded, select(func.count()).select_from(Observation)) == n_before
    assert _by_number(loaded)[800_000].status == "pending"


def test_review_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("USER", "cli-reviewer")
    assert main(["load", str(REPORT), "--format", "report"]) == 0
    assert main(["review"]) == 0
    listing = capsys.readouterr().out
    assert "800,000" in listing and "3.6 million" in listing and "13" not in listing.split("\n", 2)[1][:10]
    assert main(["review", "--edit", "1", "qualifier=at least"]) == 0
    assert main(["review", "--reject", "2"]) == 1  # a rejection needs a reason
    assert main(["review", "--reject", "2", "--reason", "a vague range"]) == 0
    assert main(["review", "--accept", "1", "--reviewer", "named"]) == 0
    assert main(["review", "--all"]) == 0
    out = capsys.readouterr().out
    assert "accepted\t800000\tat least" in out and "named" in out and "cli-reviewer" in out


def test_detect_claims_report_text_only():
    from etl import formats
    from etl.sources import report_text

    assert report_text.detect(REPORT) is None
    assert formats.choose(REPORT).FORMAT == "report"
    for table in (FIXTURES / "samples").glob("*.csv"):
        assert report_text.detect(table) is not None, table.name
    assert formats.choose(FIXTURES / "samples" / "nw_syria_displacement_sample.csv").FORMAT != "report"


def test_html_report_is_read_as_text_and_its_scripts_never_run(engine, tmp_path):
    page = tmp_path / "flash_update.html"
    page.write_text(
        "<html><head><title>Flash Update</title><script>document.write('Some 9,999 people fled.')</script>"
        "<style>p{}</style></head><body><h1>North-west Syria</h1><p>From 9 to 12 February, some 142,000 "
        "more people were displaced.</p><p>Aid agencies sent 1,200 trucks in January 2020.</p></body></html>",
        encoding="utf-8")
    ops.init(engine)
    result = ops.load(engine, page, "report", place="XSY-NW", report_date=dt.date(2020, 2, 13))
    assert result.status == "success", result.message
    (cand,) = review.candidates(engine)
    assert (cand.value, cand.qualifier, cand.kind, cand.location_code, cand.period_start, cand.period_end,
            cand.doc_title) == (142_000, "about", "displaced", "XSY-NW", dt.date(2020, 2, 9),
                                dt.date(2020, 2, 12), "Flash Update")
    assert cand.char_end - cand.char_start == len(cand.sentence)


@pytest.mark.parametrize("given, place", [("SY07", "SY07"), ("Hatay", "TR-31"), ("north-west Syria", "XSY-NW"),
                                          ("Idlib", "SY07")])  # the governorate, not its district, as in report text
def test_the_report_place_may_be_a_code_or_a_name(given, place):
    from etl.extract import train
    from etl.records import snapshot
    from etl.sources import report_text

    report = report_text.transform(snapshot(REPORT), train.gazetteer(), place=given)
    assert report.document["place"] == place


def test_a_report_place_that_names_nothing_says_what_to_do():
    from etl.extract import train
    from etl.records import FileRejected, snapshot
    from etl.sources import report_text

    with pytest.raises(FileRejected, match=r"report place 'Atlantis' matches no known place \(no place called "
                                           r"'Atlantis'; add it with: python -m etl alias add Atlantis CODE\)"):
        report_text.transform(snapshot(REPORT), train.gazetteer(), place="Atlantis")
