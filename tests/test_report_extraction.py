"""Extraction quality on the labelled sentences: precision and recall per field on both splits (held-aside gate)."""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import os
import sys

import pytest

from etl import store
from etl.extract import figures, learned, numbers, train
from etl.extract.figures import extract
from etl.extract.quality import FIELDS, LABELS, labelled, predicted, score
from etl.gazetteer import Gazetteer

MIN_PRECISION, MIN_RECALL = 0.9, 0.8
# The documents-left-out run over train fits the layer once per fold (about 7 s each on 7,432 sentences since the fit
# is sparse; 110 s before): the suite and CI run all 8 folds; EXTRACTION_CV_FOLDS=2 runs the first 2 only.
CV_FOLDS = 8
CV_RUNS = int(os.environ.get("EXTRACTION_CV_FOLDS", str(CV_FOLDS)))


def rules(*args, **kw):
    """The rules alone, without the trained layer: the tests below that specify a reading of the rules use it."""
    return extract(*args, model=False, **kw)


@pytest.fixture(scope="module")
def gazetteer():
    from etl.db import make_engine

    eng = make_engine("sqlite://")
    store.init(eng)
    with eng.connect() as conn:
        yield Gazetteer.load(conn)
    eng.dispose()


def _table(results: dict) -> str:
    lines = ["report extraction quality (precision / recall per field; the rules were written on the train split, so "
             "their train figures are fitted too)",
             f"{'split':40} {'field':10} {'precision':>9} {'recall':>7}  (predicted / expected)"]
    for split, fields in results.items():
        for f, r in fields.items():
            lines.append(f"{split:40} {f:10} {r['precision']:9.2f} {r['recall']:7.2f}  ({r['predicted']} / "
                         f"{r['expected']})")
    return "\n".join(lines)


# Held aside: label set 11, collected and committed by twelve blind helpers, measured once after the extractor was
# chosen on sets 1-10 and sixteen times since, each after work on train only; label set 17, collected blind by ten
# helpers after set 16 moved to train, measured eleven times; and label set 19, collected blind by fourteen helper
# parts with set 18 (which went to train), measured ten times. A field listed here fell short at the last measurement
# (sets 11, 17 and 19 together); fixing it because of these sentences would be tuning on the held-aside set. The
# marker is strict, so the day the held-aside set passes a field, its entry must go. (Sets 2, 4-10, 12-16, 18 and 20 are
# train; every measurement is in tests/fixtures/report_sentences.md.)
_MEASURED = ("sets 11 (seventeenth look), 17 (eleventh) and 19 (tenth), layer trained with sets 18 and 20, kind cues "
             "and stems, period rules settled from the train relabels, the twenty-fifth session's train-fold changes; "
             "not tuned on the held-aside sets")
KNOWN_HELDOUT_MISSES: dict[str, str] = {
    "number": f"held-aside number precision 0.876 / recall 0.817 (925 right of 1,056 predicted, 1,132 expected); "
              f"{_MEASURED}",
    "qualifier": f"held-aside qualifier precision 0.86 / recall 0.80 (908 right of 1,056 predicted, 1,132 expected); "
                 f"{_MEASURED}",
    "kind": f"held-aside kind precision 0.75 / recall 0.70 (789 right of 1,056 predicted, 1,132 expected); {_MEASURED}",
    "place": f"held-aside place precision 0.79 / recall 0.73 (832 right of 1,056 predicted, 1,132 expected); "
             f"{_MEASURED}",
    "period": f"held-aside period precision 0.76 / recall 0.71 (803 right of 1,056 predicted, 1,132 expected); "
              f"{_MEASURED}",
}


@pytest.fixture(scope="module")
def quality(gazetteer, tmp_path_factory, request):
    """Precision and recall per field on both splits: printed, shown on the terminal whatever the capture
    setting (with or without -s), and written as JSON."""
    sentences = labelled()
    results = {"train": score([s for s in sentences.values() if s["split"] == "train"], gazetteer)}
    # each held-aside label set alone (a first look and a set measured before differ), then all of them together
    held_sets = sorted({s["label_set"] for s in sentences.values() if s["split"] == "heldout"}, key=int)
    parts = {k: train._counts([s for s in sentences.values() if s["split"] == "heldout" and s["label_set"] == k],
                              gazetteer, None) for k in held_sets}
    results["heldout"] = train._rates(list(parts.values()))
    for k, counts in parts.items():
        results[f"heldout, set {k}"] = train._rates([counts])
    results["heldout, rules alone"] = score([s for s in sentences.values() if s["split"] == "heldout"], gazetteer,
                                            model=False)
    # the train figures above are fitted; leaving whole documents out says what the layer does on unseen text
    cv = train.cross_validate([s for s in sentences.values() if s["split"] == "train"], gazetteer,
                              {s["label_set"] for s in sentences.values() if s["split"] == "train"}, folds=CV_FOLDS,
                              runs=CV_RUNS)
    results["train, documents left out, rules alone"] = cv["rules"]
    results["train, documents left out"] = cv["trained"]
    table = _table(results) + (f"\n(documents left out: {min(CV_RUNS, CV_FOLDS)} of {CV_FOLDS} folds; "
                                f"EXTRACTION_CV_FOLDS={CV_FOLDS} runs all of them)")
    print(table)
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():  # what capsys.disabled() does, for a module-scoped fixture
        sys.stderr.write("\n" + table + "\n")
    report = tmp_path_factory.mktemp("quality") / "report_extraction_quality.json"
    report.write_text(json.dumps(results, indent=2), encoding="utf-8")
    with capture.global_and_fixture_disabled():
        sys.stderr.write(f"(also written to {report})\n")
    return results, report


def test_quality_is_reported(quality, record_property):
    results, report = quality
    record_property("report_extraction_quality", json.dumps(results))
    assert json.loads(report.read_text(encoding="utf-8")) == results
    assert set(results["train"]) == set(FIELDS)
    assert set(results) >= {"train", "heldout", "train, documents left out"}


@pytest.mark.parametrize("field", [pytest.param(f, marks=pytest.mark.xfail(
    reason=KNOWN_HELDOUT_MISSES[f], strict=True)) if f in KNOWN_HELDOUT_MISSES else f for f in FIELDS])
def test_heldout_precision_and_recall(quality, field):
    r = quality[0]["heldout"][field]
    assert r["precision"] >= MIN_PRECISION and r["recall"] >= MIN_RECALL, (
        f"held-aside {field}: precision {r['precision']:.2f}, recall {r['recall']:.2f} "
        f"(needs {MIN_PRECISION} / {MIN_RECALL})\n" + _table(quality[0]))


def test_the_held_aside_sets_are_label_sets_11_17_and_19():
    """Sentences looked at or trained on (label sets 1-10, 12-16, 18 and 20) are never held aside; the held-aside sets
    (11, measured seventeen times; 17, collected blind after set 16 moved to train, measured eleven times; 19,
    collected blind with set 18 and measured ten times) are about a third of all sentences, hold negatives, and come
    from documents used in no other set."""
    rows = list(csv.DictReader(LABELS.open(encoding="utf-8", newline="")))
    sentences = labelled().values()
    heldout = [s for s in sentences if s["split"] == "heldout"]
    assert {s["label_set"] for s in heldout} == {"11", "17", "19"}
    assert {s["split"] for s in sentences if s["label_set"] not in ("11", "17", "19")} == {"train"}
    assert len(heldout) >= 50 and sum(not s["expected"] for s in heldout) >= 15
    assert 0.3 <= len(heldout) / len(sentences) <= 0.4
    urls = {split: {r["source_url"] for r in rows if r["split"] == split and r["source_url"]} for split in ("train",
                                                                                                          "heldout")}
    assert urls["heldout"] and not urls["heldout"] & urls["train"]


def test_the_trained_layer_is_fitted_to_its_optimum(gazetteer):
    """The layer's fit settles: twice the steps move no probability of a train number by more than 0.01 (with a fixed
    step size the fit oscillated, and where it stopped decided how readily the layer added a number: 904 of 914
    positives at p >= 0.7 after 400 steps against 871 after 800)."""
    figure_rows, kind_rows = train.rows([s for s in labelled().values() if s["split"] == "train"], gazetteer,
                                        use_rules=False)
    short, long = (learned.Model.train(figure_rows, kind_rows, l2=3e-3, steps=n) for n in (400, 800))
    assert max(abs(short.figure_probability(row) - long.figure_probability(row)) for row, _ in figure_rows) < 0.01
    assert [short.kind(row) for row, _ in kind_rows] == [long.kind(row) for row, _ in kind_rows]


def test_the_sparse_fit_is_the_dense_fit(gazetteer):
    """The layer is fitted on sparse rows (the features each number has): the same weights as the dense matrices it was
    fitted on before (report_sentences.md, twenty-third session), on a sample of train with both models' features."""
    sample = [s for s in labelled().values() if s["split"] == "train"][:800]
    figure_rows, kind_rows = train.rows(sample, gazetteer, use_rules=False, kind_cues=True)
    sparse, dense = (learned.Model.train(figure_rows, kind_rows, l2=3e-3, kind_cues=True, dense=d)
                     for d in (False, True))
    assert sparse.vocabulary == dense.vocabulary and len(sparse.vocabulary) > 500
    assert abs(sparse.figure_weights - dense.figure_weights).max() < 1e-9
    assert abs(sparse.kind_weights - dense.kind_weights).max() < 1e-9
    assert abs(sparse.figure_weights).max() > 0.1 and abs(sparse.kind_weights).max() > 0.1


def test_the_shipped_model_is_what_the_train_command_writes(tmp_path):
    """data/extract/figure_model.json is `python -m etl.extract.train` on the current labels: the same weights, and
    its provenance names the train rows' digest and the train split's label sets (a label edited without retraining, or
    a held-aside sentence trained on, fails here)."""
    shipped = json.loads(learned.MODEL_PATH.read_text(encoding="utf-8"))
    sentences = [s for s in labelled().values() if s["split"] == "train"]
    assert shipped["provenance"]["train_rows_sha256"] == train.train_digest()
    assert shipped["provenance"]["label_sets"] == sorted({s["label_set"] for s in sentences}, key=int)
    assert not {s["label_set"] for s in labelled().values() if s["split"] == "heldout"} & set(
        shipped["provenance"]["label_sets"])
    out = tmp_path / "model.json"
    assert train.main(["--out", str(out)]) == 0
    retrained = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert list(retrained) == list(shipped["features"])
    # the same weights up to float summation order (another BLAS may add in another order)
    assert all(abs(retrained[n]["figure"] - w["figure"]) < 1e-4 and
               all(abs(a - b) < 1e-4 for a, b in zip(retrained[n]["kind"], w["kind"], strict=True))
               for n, w in shipped["features"].items())


def test_the_trained_layer_adds_what_the_rules_miss_and_the_conventions_veto(gazetteer, monkeypatch):
    """A number the rules reject (no verb of their list) becomes a candidate when the trained layer scores it high;
    a count the conventions say is no figure (a rate) stays out whatever the layer scores (here a layer that scores
    every number 0.99); `model=False` is the rules alone. Sentences written by the project (synthetic)."""
    day = dt.date(2020, 3, 20)
    sentence = "Over 60,000 people are crammed into informal settlements in Idleb."
    assert rules(sentence, day, gazetteer, "SYR").candidates == []
    # the shipped layer scores this one near its threshold (0.81 after the retraining of the fifteenth session), so
    # the layer's score is fixed here: what is tested is what the layer does with a high score, not one weight of one
    # model
    monkeypatch.setattr(learned.Model, "figure_probability", lambda self, names: 0.99)
    (c,) = extract(sentence, day, gazetteer, "SYR").candidates
    assert (c.number, c.qualifier, c.kind, c.place, c.period_start) == (60000, "more than", "hosted", "SY07", day)
    monkeypatch.setattr(learned.Model, "figure_probability", lambda self, names: 0.01)
    assert extract(sentence, day, gazetteer, "SYR").candidates == []
    rate = "Up to 2,000 Syrians arrive in Kilis every day."
    _, views, _ = figures._rules(rate, day, gazetteer, "TUR")
    assert [v.filter for _, v in views] == ["a rate (people every day), not a figure"]
    monkeypatch.setattr(learned.Model, "figure_probability", lambda self, names: 0.99)
    assert extract(rate, day, gazetteer, "TUR").candidates == []
    assert [c.number for c in extract("Some 2,000 Syrians arrive in Kilis.", day, gazetteer, "TUR").candidates] == [
        2000]


def test_the_article_yields_its_two_figures_and_no_soldiers(gazetteer):
    article = [s for s in labelled().values() if s["id"] in {f"s{i:02d}" for i in range(1, 13)}]
    got = [p for s in article for p in predicted(s, gazetteer)]
    assert {(p["number"], p["kind"], p["place"]) for p in got} >= {(800000, "fled", "XSY-NW"),
                                                                   (3600000, "hosted", "TUR")}
    assert not {p["number"] for p in got} & {13, 5000, 12}
    sentence = "Turkey, which currently hosts 3.6 million Syrian refugees, has said it cannot handle a new influx."
    (hosted,) = extract(sentence, dt.date(2020, 2, 15), gazetteer, "XSY-NW").candidates
    assert (hosted.number, hosted.qualifier, hosted.place, hosted.origin) == (3600000, "about", "TUR", "SYR")


def test_numbers_that_are_not_displacement_are_rejected(gazetteer):
    found = extract("But tensions have spiralled, as 13 Turkish soldiers have been killed; it has poured more "
                    "than 5,000 troops and deployed at a dozen observation posts under a 2018 deal.",
                    dt.date(2020, 2, 15), gazetteer, "XSY-NW")
    assert found.candidates == []
    assert {w for w, _ in found.rejected} >= {"13", "5,000", "a dozen"}


@pytest.mark.parametrize(("sentence", "context", "expected"), [
    # written by the project (synthetic), in forms of the third labelled set (train)
    ("Some 9,000 people were displaced in north-west Syria.", "SYR", [(9000, "XSY-NW")]),
    ("Some 9,000 people fled to southern Idleb.", "SYR", [(9000, "SY07")]),
    ("Some 9,000 people fled, mainly from western Aleppo governorate.", "XSY-NW", [(9000, "XSY-NW")]),
    ("In northern Syria, 7,000 people were displaced in Idleb governorate.", "SYR", [(7000, "SY07")]),
    ("There are 12,687 Syrian refugees living in Hatay; 52,015 in Şanlıurfa.", "TUR",
     [(12687, "TR-31"), (52015, "TR-63")]),
    ("A total of 285,984 Syrians sought shelter in Turkey, 93,991 of them have returned to Syria.", "TUR",
     [(285984, "TUR"), (93991, "SYR")]),
    # returns are placed in the country of the people counted, not the one they left (forms of sets 18 and 20)
    ("Since fighting began in Sudan in April, 2,800 Nigerians have returned home.", "NGA", [(2800, "NGA")]),
    ("Pakistan forcibly returned more than 3,000 Afghans during the year.", "PAK", [(3000, "AFG")]),
    ("Some 52,000 registered Syrian refugees in Jordan have returned to Syria.", "JOR", [(52000, "SYR")]),
    ("Some 30,000 Burundian refugees have returned home, although 50,000 remain in Rwanda.", "RWA",
     [(30000, "BDI"), (50000, "RWA")]),
    # the names of a "from" list with their counts in brackets are origins, not places (a form of set 20)
    ("In March, 7,400 new refugees from Democratic Republic of Congo (3,700), South Sudan (3,000) and Burundi (620) "
     "arrived in Uganda.", "UGA", [(7400, "UGA"), (3700, "UGA"), (3000, "UGA"), (620, "UGA")]),
    # a possessive before a place: the place after it, else (after "in", "into") the one before it; not an actor's
    # possessive (forms of the train folds, twenty-fifth session)
    ("Some 5,000 refugees arrived in Turkey's Hatay province.", "SYR", [(5000, "TR-31")]),
    ("More than 3,100 refugees crossed into Albania's Kukes district.", "XKX", [(3100, "ALB")]),
    ("Some 1,256 asylum seekers arrived in Sudan’s Blue Nile Province.", "ETH", [(1256, "SDN")]),
    ("Turkey’s military operation displaced some 160,000 people.", "SYR", [(160000, "SYR")]),
])
def test_place_is_read_from_the_sentence(gazetteer, sentence, context, expected):
    found = rules(sentence, dt.date(2020, 3, 1), gazetteer, context).candidates
    assert [(c.number, c.place) for c in found] == expected


@pytest.mark.parametrize("sentence, expected", [
    # written by the project (synthetic), one for each period rule settled from the train relabels (24th session)
    ("Some 14,418 individuals returned to their homes, while 6,634 remained displaced as of 1 November 2022.",
     [(14418, "2022-11-01", "2022-11-01"), (6634, "2022-11-01", "2022-11-01")]),  # rule 3: a closing "as of"
    ("OCHA reported in January that 20,000 people had fled their villages.",
     [(20000, "2023-01-01", "2023-01-31")]),  # rule 6: the month it was reported in
    ("BBC Indonesia reported in early March 2023 that approximately 2,000 IDPs have sought refuge in Jayawijaya.",
     [(2000, "2023-03-01", "2023-03-10")]),
    ("Officials said on Saturday that 2,000 people had fled.", [(2000, "2023-03-20", "2023-03-20")]),  # not a weekday
    ("More than 680,000 people have arrived since April last year.",
     [(680000, "2022-04-01", "2023-03-20")]),  # rule 8: from the report date as given
    ("The fighting erupted on Saturday, leaving 3,000 people displaced.",
     [(3000, "2023-03-18", "2023-03-18")]),  # rule 9: the day of the outbreak
    ("Since the coup, nearly 20,000 people have been displaced.", [(20000, "2023-03-20", "2023-03-20")]),  # rule 1
    ("A total of 8,857 refugees repatriated during the year.", [(8857, "2023-03-20", "2023-03-20")]),  # rule 4
    ("Several hundred people were forced to flee when violence restarted at the end of January.",
     [(200, "2023-01-31", "2023-01-31")]),  # rule 7
])
def test_the_settled_period_rules(gazetteer, sentence, expected):
    found = rules(sentence, dt.date(2023, 3, 20), gazetteer, "SYR").candidates
    assert [(c.number, c.period_start.isoformat(), c.period_end.isoformat()) for c in found] == expected


@pytest.mark.parametrize("sentence, context, expected", [
    # written by the project (synthetic). For a return the people's nationality is where they went back to; the
    # origin is the country a "from" names, else the report's country when it is another (twenty-fourth session)
    ("Some 5,000 Syrians returned to Idlib from Turkey.", "TUR", [(5000, "SY07", "TUR")]),
    ("Some 5,000 Syrian refugees returned home from Lebanon last week.", "LBN", [(5000, "SYR", "LBN")]),
    ("About 1.3 million Afghans have returned from Pakistan.", "PAK", [(1300000, "AFG", "PAK")]),
    ("About 1.3 million Afghans have returned.", "PAK", [(1300000, "AFG", "PAK")]),
    # a count in brackets came from the name it is written against
    ("In March, 7,400 new refugees from Democratic Republic of Congo (3,700), South Sudan (3,000) and Burundi (620) "
     "arrived in Uganda.", "UGA", [(7400, "UGA", "COD"), (3700, "UGA", "COD"), (3000, "UGA", "SSD"),
                                   (620, "UGA", "BDI")]),
    # a nationality stays the origin of people who did not return
    ("Turkey hosts 3.6 million Syrian refugees.", "TUR", [(3600000, "TUR", "SYR")]),
])
def test_origin_is_where_the_people_came_from(gazetteer, sentence, context, expected):
    found = rules(sentence, dt.date(2020, 3, 1), gazetteer, context).candidates
    assert [(c.number, c.place, c.origin) for c in found] == expected


def test_from_x_is_the_origin_and_the_border_is_no_place(gazetteer):
    (c,) = rules("Some 5,000 people fled from Afrin to A'zaz.", dt.date(2020, 3, 1), gazetteer, "XSY-NW").candidates
    assert (c.place, c.origin, c.kind) == ("SY0204", "SY0203", "fled")
    (c,) = rules("There were 262,134 Syrian refugees in camps close to the border with Syria.",
                   dt.date(2015, 8, 15), gazetteer, "TUR").candidates
    assert (c.place, c.kind) == ("TUR", "hosted")


@pytest.mark.parametrize(("sentence", "context", "expected"), [
    # written by the project (synthetic), in forms of the train sentences of sets 2 and 3
    ("Some 9,000 people were displaced since 1 March, the majority into northern Idleb.", "XSY-NW",
     [(9000, "XSY-NW", None)]),
    ("Some 9,000 people fled, mostly escaping by moving to camps in northwest Idleb.", "XSY-NW",
     [(9000, "XSY-NW", None)]),
    ("Notably, 5,000 IDPs arrived from Suran sub-district in Hama governorate.", "SYR", [(5000, "SYR", "SY05")]),
    ("Türkiye hosts some 3.6 million Syrians, more than 400,000 of them in Hatay province.", "TUR",
     [(3600000, "TUR", "SYR"), (400000, "TR-31", "SYR")]),
    ("Shelling displaced 9,000 people from and within southern Idleb governorate and western Aleppo governorate.",
     "SYR", [(9000, "XSY-NW", None)]),
    ("There are 8,000 refugees in Kilis, and over 6,000 each in Adana and Maraş.", "TUR",
     [(8000, "TR-79", None), (6000, "TR-01", None), (6000, "TR-46", None)]),
])
def test_partial_and_joint_places(gazetteer, sentence, context, expected):
    found = rules(sentence, dt.date(2020, 3, 20), gazetteer, context).candidates
    assert [(c.number, c.place, c.origin) for c in found] == expected


@pytest.mark.parametrize(("sentence", "expected"), [
    # written by the project (synthetic)
    ("Since the ceasefire of 5 March 2020, some 6,000 IDPs have returned to Idleb.",
     [(6000, "2020-03-05", "2020-03-20")]),
    ("The number of displaced is 5,000 people (figures as at 15 March), an increase from 4,000 two weeks ago.",
     [(5000, "2020-03-15", "2020-03-15"), (4000, "2020-03-06", "2020-03-06")]),
    ("From 9 to 12 March, some 7,000 more people were displaced.", [(7000, "2020-03-09", "2020-03-12")]),
    ("Since 1 March, shelling, and air strikes have displaced some 9,000 people, including 2,000 people displaced "
     "from 9 to 12 March alone.", [(9000, "2020-03-01", "2020-03-20"), (2000, "2020-03-09", "2020-03-12")]),
])
def test_period_belongs_to_its_own_count(gazetteer, sentence, expected):
    found = rules(sentence, dt.date(2020, 3, 20), gazetteer, "SYR").candidates
    assert [(c.number, c.period_start.isoformat(), c.period_end.isoformat()) for c in found] == expected


@pytest.mark.parametrize(("sentence", "context", "expected"), [
    # written by the project (synthetic), in forms of UNHCR, IOM DTM and OCHA reports (set 4, train), 2026-11-26
    ("DTM identified 9,000 IDPs (1,500 families) and 12,000 returnees (2,000 households) in Iraq.", "IRQ",
     [(9000, "displaced", "people"), (1500, "displaced", "families"), (12000, "returned", "people"),
      (2000, "returned", "households")]),
    ("Jordan is home to many refugees, with nearly 700,000 Syrians under temporary protection.", "JOR",
     [(700000, "hosted", "people")]),
    ("A rise in Iraqi refugees: some 8,000 were in Jordan by May 2015.", "JOR", [(8000, "hosted", "people")]),
    ("The number of displaced Syrians rose from an estimated one million to 1.5 million people.", "SYR",
     [(1000000, "displaced", "people"), (1500000, "displaced", "people")]),
    ("Returns rose in two governorates: Ninewa (9,110 individuals) and Anbar (2,264).", "IRQ",
     [(9110, "returned", "people"), (2264, "returned", "people")]),
    ("Since 1 May, 9,000 people, including 4,000 children, have been displaced.", "SYR",
     [(9000, "displaced", "people")]),
    ("Some 6,000 displaced people stay with host communities in Idleb.", "SYR", [(6000, "displaced", "people")]),
    ("Due to shelling, 5,000 people were displaced, and 3,000 were displaced due to floods.", "SYR",
     [(5000, "displaced", "people"), (3000, "displaced", "people")]),
])
def test_kind_and_unit_in_report_wording(gazetteer, sentence, context, expected):
    found = rules(sentence, dt.date(2020, 3, 20), gazetteer, context).candidates
    assert [(c.number, c.kind, c.unit) for c in found] == expected


@pytest.mark.parametrize("sentence", [
    # written by the project (synthetic): counts of people that are not displacement figures
    "The number of refugees in Jordan is expected to rise to 800,000, including 700,000 Syrian refugees.",
    "Some 2,000 IDPs are expected to return to Sinjar by the end of the year.",
    "DTM recorded a decrease of 9,872 IDPs in March.",
    "Nearly 400,000 refugees in Jordan are under 18 years old.",
    "Over 300,000 are aged between 15 and 24.",
    "The station serves over 400,000 people in Al-Hasakeh city.",
    "Some 76,000 people have been reached through relief convoys.",
    "The plan seeks USD 1 billion to assist 4 million people.",
    "Some 4,000 refugees a day are fleeing Syria.",
    "In 2019, 2,900 refugees departed for resettlement from Turkey.",
    "Some 2 million IDPs are in urgent need of assistance.",
    # (twenty-fifth session, from the train folds' false figures)
    "Up to one million IDPs living in camps across northwest Syria intend to return to their areas of origin.",
    "Some 2,115 refugees were resettled to third-party countries in 2021.",
    "Over 1,000 asylum seekers in Kisoro underwent individual refugee status determination.",
    "The town has seen its population increase from 30,000 in 2019 to more than 200,000 after waves of displacement.",
    "Families are taking shelter here, after Adiyaman, a bustling city of around 600,000, was devastated.",
    "Ali*, 75, arrived at the camp after walking for two days.",
    "Between April and August 2022, the average monthly displacement was 1,260 people.",
    "We will return a total of 2,000 Ethiopians who have registered for repatriation.",
    "Baghdad is preparing for the repatriation of more than 600 Iraqis from al-Hol camp.",
    "Assad agreed that 1,000 Syrian refugees living in Jordan would be allowed to return home.",
])
def test_people_counts_that_are_not_figures(gazetteer, sentence):
    found = rules(sentence, dt.date(2020, 3, 20), gazetteer, "SYR").candidates
    assert found == []


@pytest.mark.parametrize(("sentence", "expected"), [
    # written by the project (synthetic): a period right after another verb dates that action, not the figure
    ("Since the crisis began in 2011, Turkey has hosted over one million Syrians.", ("2020-03-20", "2020-03-20")),
    ("Data collected since November 2018 show that 1.2 million IDPs remained displaced.",
     ("2020-03-20", "2020-03-20")),
    ("On the 1 March a corridor opened, and over 3,000 people fled the enclave.", ("2020-03-01", "2020-03-01")),
    ("In Anbar, 5,000 IDPs returned in the past week.", ("2020-03-13", "2020-03-20")),
])
def test_period_of_report_wording(gazetteer, sentence, expected):
    (c,) = rules(sentence, dt.date(2020, 3, 20), gazetteer, "IRQ").candidates
    assert (c.period_start.isoformat(), c.period_end.isoformat()) == expected


def test_a_sentence_initial_word_is_no_part_of_a_place_and_from_lists_are_origins(gazetteer):
    (c,) = rules("In Anbar, 5,000 IDPs returned.", dt.date(2020, 3, 20), gazetteer, "IRQ").candidates
    assert c.place == "IQ-AN"
    (c,) = rules("In 2019, 29,000 Syrian refugees returned from Turkey, Lebanon and Jordan.", dt.date(2020, 1, 31),
                   gazetteer, "SYR").candidates
    assert (c.place, c.kind) == ("SYR", "returned")


# Written by the project (synthetic, not quoted), 2026-11-26, in forms of OCHA, UNHCR, IOM DTM, IDMC and news reports,
# after set 5 moved to train: each form a set-5 sentence showed (weekdays, "since last week", "between 2014 and 2016",
# a running total, a footnote digit glued to a number, capacities, denied counts, shares in brackets, "in need" after
# "displaced and", a place fled being the origin, modal projections) and forms no labelled sentence holds yet
# ("a quarter of a million", "1.5m", "900 000", "could not absorb"), written before the rule and checked after it.
# An empty list is a negative. Tuples: (number, kind, place, period start, period end).
REPORT_FORMS = [
    ('Since Monday, some 4,500 people have fled to Turkey.',
     '2015-06-05', 'TUR', [(4500, 'fled', 'TUR', '2015-06-01', '2015-06-05')]),
    # "since last month" from the first day of that month (set 10g's convention)
    ('About 2,000 families have returned to their villages since last month.',
     '2019-03-15', 'IRQ', [(2000, 'returned', 'IRQ', '2019-02-01', '2019-03-15')]),
    ('An estimated 700,000 people returned to Mosul between 2017 and 2019.',
     '2020-01-10', 'IRQ', [(700000, 'returned', 'IRQ', '2017-01-01', '2019-12-31')]),
    ('Over 12,000 people are currently displaced and living in camps.',
     '2018-05-01', 'IRQ', [(12000, 'displaced', 'IRQ', '2018-05-01', '2018-05-01')]),
    ('12,000 people are in need of assistance.',
     '2018-05-01', 'IRQ', []),
    ('Some 35,000 displaced people have been assisted with food.',
     '2018-05-01', 'IRQ', []),
    ('The new camp will be able to accommodate 60,000 people.',
     '2018-05-01', 'IRQ', []),
    ('The site could house up to 10,000 refugees.',
     '2018-05-01', 'JOR', []),
    ('No large-scale displacements of more than 100 families were reported.',
     '2018-05-01', 'IRQ', []),
    ('An estimated 250 refugees (12%) are older people.',
     '2018-05-01', 'JOR', []),
    ('In 2017, 500,000 people were newly displaced, bringing the total number of IDPs to 2.6 million.',
     '2018-05-20', 'IRQ',
     [(500000, 'displaced', 'IRQ', '2017-01-01', '2017-12-31'),
      (2600000, 'displaced', 'IRQ', '2018-05-20', '2018-05-20')]),
    ('The cumulative number of displaced people stands at 120,000 (since the operation began on 1 March).',
     '2018-05-20', 'IRQ', [(120000, 'displaced', 'IRQ', '2018-03-01', '2018-05-20')]),
    ('On Tuesday 5 June, 3,000 people escaped the fighting.',
     '2018-06-08', 'IRQ', [(3000, 'fled', 'IRQ', '2018-06-05', '2018-06-05')]),
    ('About 800 Syrians crossed into Turkey on Monday, and the number rose to 1,500 on Tuesday.',
     '2015-06-05', 'TUR',
     [(800, 'crossed', 'TUR', '2015-06-01', '2015-06-01'), (1500, 'crossed', 'TUR', '2015-06-02', '2015-06-02')]),
    ('Thousands of people have fled the town of Afrin for Azaz.',
     '2018-03-20', 'SYR', [(2000, 'fled', 'SY0204', '2018-03-20', '2018-03-20')]),
    ('As many as 500,000 people could be displaced if the offensive continues.',
     '2018-03-20', 'SYR', []),
    ('It is feared that up to 300,000 people might flee towards the border.',
     '2018-03-20', 'SYR', []),
    ('Jordan hosts 650,000 Syrian refugees, with over 80,000 individuals registered in Zaatari camp.',
     '2018-03-20', 'JOR',
     [(650000, 'hosted', 'JOR', '2018-03-20', '2018-03-20'), (80000, 'hosted', 'JOR', '2018-03-20', '2018-03-20')]),
    ('There were 2,345,6781 IDPs across the country.',
     '2018-03-20', 'IRQ', [(2345678, 'displaced', 'IRQ', '2018-03-20', '2018-03-20')]),
    ('Fighting forced 4,000 families to flee their homes in Idlib governorate.',
     '2020-03-01', 'XSY-NW', [(4000, 'fled', 'SY07', '2020-03-01', '2020-03-01')]),
    ('The camp hosted 20,000 people at full capacity.',
     '2020-03-01', 'JOR', []),
    ('Between 2015 and 2016, 3,000 returnees were recorded in Anbar.',
     '2017-01-01', 'IRQ', [(3000, 'returned', 'IQ-AN', '2015-01-01', '2016-12-31')]),
    ('Since 1 December 2019, nearly 950,000 people have been displaced in north-west Syria, more than 80 '
     'per cent of them women and children.',
     '2020-02-26', 'XSY-NW', [(950000, 'displaced', 'XSY-NW', '2019-12-01', '2020-02-26')]),
    ('Between 1 and 16 February, an estimated 40,000 people moved from Idleb to Afrin district.',
     '2020-02-26', 'XSY-NW', [(40000, 'arrived', 'SY0203', '2020-02-01', '2020-02-16')]),
    ('More than 100,000 people have been displaced from Ras Al Ain and Tell Abiad since 9 October.',
     '2019-10-20', 'SYR', [(100000, 'displaced', 'SYR', '2019-10-09', '2019-10-20')]),
    ('Over 1,200 IDP families arrived in Azaz district over the past week.',
     '2020-02-26', 'XSY-NW', [(1200, 'arrived', 'SY0204', '2020-02-19', '2020-02-26')]),
    ('The UN estimates that 2.8 million people are internally displaced in north-west Syria.',
     '2020-02-26', 'XSY-NW', [(2800000, 'displaced', 'XSY-NW', '2020-02-26', '2020-02-26')]),
    ('Airstrikes killed at least 20 civilians in Ariha on Tuesday.',
     '2020-02-26', 'XSY-NW', []),
    ('Some 300 trucks crossed into north-west Syria through Bab al-Hawa in January.',
     '2020-02-26', 'XSY-NW', []),
    ('As of 10 March, around 4.1 million people in north-west Syria need humanitarian assistance.',
     '2020-03-10', 'XSY-NW', []),
    ('Turkey hosts some 3.7 million Syrian refugees under temporary protection, the largest refugee '
     'population in the world.',
     '2021-06-30', 'TUR', [(3700000, 'hosted', 'TUR', '2021-06-30', '2021-06-30')]),
    ('Istanbul hosts the largest number of Syrians, with more than 500,000 registered in the city.',
     '2021-06-30', 'TUR', [(500000, 'hosted', 'TR-34', '2021-06-30', '2021-06-30')]),
    ('In 2019, UNHCR submitted 10,500 refugees for resettlement from Turkey.',
     '2020-01-31', 'TUR', []),
    ('Some 2,000 Syrians returned voluntarily from Turkey to Syria in January 2020.',
     '2020-02-29', 'TUR', [(2000, 'returned', 'SYR', '2020-01-01', '2020-01-31')]),
    ('IDMC recorded 1.8 million new displacements associated with conflict in Syria in 2019.',
     '2020-04-28', 'SYR', [(1800000, 'displaced', 'SYR', '2019-01-01', '2019-12-31')]),
    ('As of the end of 2019, 6.5 million people were living in internal displacement in Syria.',
     '2020-04-28', 'SYR', [(6500000, 'displaced', 'SYR', '2019-12-31', '2019-12-31')]),
    ('The number of IDPs in Syria has decreased by 200,000 compared with the previous year.',
     '2020-04-28', 'SYR', []),
    ("Thousands of families fled southwards from Ma'arrat An Nu'man on Monday as the bombardment "
     'intensified.',
     '2019-12-27', 'XSY-NW', [(2000, 'fled', 'XSY-NW', '2019-12-23', '2019-12-23')]),
    ('Dozens of civilians were killed in the strikes, and at least 30,000 fled the area, the monitor said.',
     '2019-12-27', 'XSY-NW', [(30000, 'fled', 'XSY-NW', '2019-12-27', '2019-12-27')]),
    ("Turkey's president said the country could not absorb another wave of 1 million refugees.",
     '2019-12-27', 'TUR', []),
    ("Some 235,000 people had fled Ma'arrat An Nu'man and surrounding villages in the past two weeks, OCHA"
     ' said.',
     '2019-12-27', 'XSY-NW', [(235000, 'fled', 'XSY-NW', '2019-12-13', '2019-12-27')]),
    ('The Kurdistan Region of Iraq hosts nearly 250,000 Syrian refugees, most of them in Erbil, Duhok and '
     'Sulaymaniyah.',
     '2020-06-30', 'IRQ', [(250000, 'hosted', 'IRQ', '2020-06-30', '2020-06-30')]),
    ('Since 14 October, more than 17,000 refugees have arrived in Iraq from north-east Syria.',
     '2019-11-20', 'IRQ', [(17000, 'arrived', 'IRQ', '2019-10-14', '2019-11-20')]),
    ('Domiz camp, the largest camp in Duhok governorate, hosts 32,000 refugees.',
     '2020-06-30', 'IRQ', [(32000, 'hosted', 'IQ-DA', '2020-06-30', '2020-06-30')]),
    ('The registration of new Syrian refugees has been suspended since May 2015.',
     '2019-03-31', 'LBN', []),
    ('An estimated 70,000 people were displaced in north-east Syria within 24 hours of the start of the '
     'operation.',
     '2019-10-11', 'SYR', [(70000, 'displaced', 'SYR', '2019-10-11', '2019-10-11')]),
    ('Al-Hol camp now hosts more than 68,000 people, 94 per cent of them women and children.',
     '2019-10-11', 'SYR', [(68000, 'hosted', 'SYR', '2019-10-11', '2019-10-11')]),
    ('Some 137,000 people were displaced by the fighting in Afrin district between January and March 2018.',
     '2018-04-05', 'SYR', [(137000, 'displaced', 'SY0203', '2018-01-01', '2018-03-31')]),
    ('By 20 March, over 75,000 people had arrived in Tell Refaat, Nabul and Zahraa.',
     '2018-03-21', 'SYR', [(75000, 'arrived', 'SYR', '2018-03-20', '2018-03-20')]),
    ('The earthquake left more than 4,000 people dead in north-west Syria.',
     '2023-02-20', 'XSY-NW', []),
    ('An estimated 86,000 people were displaced by the earthquakes in north-west Syria and are staying in '
     'reception centres.',
     '2023-02-20', 'XSY-NW', [(86000, 'displaced', 'XSY-NW', '2023-02-20', '2023-02-20')]),
    ('More than 1,700 buildings were completely destroyed.',
     '2023-02-20', 'XSY-NW', []),
    ('Nearly 10,000 Syrians have returned from Turkey since the earthquake struck on 6 February.',
     '2023-03-05', 'SYR', [(10000, 'returned', 'SYR', '2023-02-06', '2023-03-05')]),
    ('Roughly 8,000 people remain stranded in Rukban, near the Jordanian border.',
     '2019-09-30', 'SYR', []),
    # "left <a place>" is fled (the settled convention 5, report_sentences.md; this expected no figure before)
    ('About 50 families left the camp on Sunday.',
     '2019-09-30', 'SYR', [(50, 'fled', 'SYR', '2019-09-29', '2019-09-29')]),
    ('In eastern Ghouta, an estimated 393,000 people remain besieged.',
     '2018-02-28', 'SY03', []),
    ('Over 50,000 people have left eastern Ghouta through the humanitarian corridors since 9 March.',
     '2018-03-20', 'SY03', []),
    ('Half a million people have fled their homes since the start of the year.',
     '2020-02-15', 'XSY-NW', [(500000, 'fled', 'XSY-NW', '2020-01-01', '2020-02-15')]),
    ('Nearly a quarter of a million people have been displaced in the past month.',
     '2020-02-15', 'XSY-NW', [(250000, 'displaced', 'XSY-NW', '2020-01-15', '2020-02-15')]),
    ('Some 1.5m Syrians have fled to Lebanon.',
     '2020-02-15', 'LBN', [(1500000, 'fled', 'LBN', '2020-02-15', '2020-02-15')]),
    ('About 900 000 people have been displaced since 1 December.',
     '2020-02-15', 'XSY-NW', [(900000, 'displaced', 'XSY-NW', '2019-12-01', '2020-02-15')]),
    ('Some 1,000 households (5,000 individuals) returned to Sinjar in March 2019.',
     '2019-04-30', 'IRQ',
     [(1000, 'returned', 'IRQ', '2019-03-01', '2019-03-31'), (5000, 'returned', 'IRQ', '2019-03-01', '2019-03-31')]),
    ('A further 20,000 people were displaced over the weekend.',
     '2020-02-15', 'XSY-NW', [(20000, 'displaced', 'XSY-NW', '2020-02-15', '2020-02-15')]),
    ('The total number of displaced since December now stands at 800,000.',
     '2020-02-15', 'XSY-NW', [(800000, 'displaced', 'XSY-NW', '2019-12-01', '2020-02-15')]),
    ('UNHCR has registered 25,000 new refugees in Kurdistan since the border reopened.',
     '2020-02-15', 'IRQ', [(25000, 'hosted', 'IRQ', '2020-02-15', '2020-02-15')]),
    ('More than 60 people, including 20 children, were killed in the attacks.',
     '2020-02-15', 'XSY-NW', []),
    ('Over 500,000 children are out of school in north-west Syria.',
     '2020-02-15', 'XSY-NW', []),
    ('The operation has displaced an estimated 300,000 people, according to the UN.',
     '2020-02-15', 'XSY-NW', [(300000, 'displaced', 'XSY-NW', '2020-02-15', '2020-02-15')]),
    ('At least 150,000 people, mostly women and children, have crossed into Turkey since Wednesday.',
     '2015-06-05', 'TUR', [(150000, 'crossed', 'TUR', '2015-06-03', '2015-06-05')]),
    ("Iraq's Ministry of Migration said 12,000 families returned to Anbar in January.",
     '2018-02-28', 'IRQ', [(12000, 'returned', 'IQ-AN', '2018-01-01', '2018-01-31')]),
    ('The camp, which opened in 2013, now houses 80,000 refugees.',
     '2019-05-31', 'JOR', [(80000, 'hosted', 'JOR', '2019-05-31', '2019-05-31')]),
    ('Some 4,000 refugees per day crossed the border at the peak.',
     '2020-02-15', 'TUR', []),
    ('In total, 1.4 million people have returned to their areas of origin in Ninewa.',
     '2019-06-30', 'IRQ', [(1400000, 'returned', 'IQ-NI', '2019-06-30', '2019-06-30')]),
    ('The figure of 800,000 displaced is the largest since the war began in 2011.',
     '2020-02-15', 'XSY-NW', [(800000, 'displaced', 'XSY-NW', '2020-02-15', '2020-02-15')]),
    ('According to local councils, 45,000 people were displaced from Afrin district in the past 24 hours.',
     '2018-03-15', 'SYR', [(45000, 'displaced', 'SYR', '2018-03-14', '2018-03-15')]),
    ('The fighting has led to the displacement of more than 300,000 people.',
     '2018-03-15', 'SYR', [(300000, 'displaced', 'SYR', '2018-03-15', '2018-03-15')]),
    ('Some 98,000 people were forced to leave their homes in Afrin.',
     '2018-03-15', 'SYR', [(98000, 'fled', 'SY0203', '2018-03-15', '2018-03-15')]),
    ('Around 5,000 people sought refuge in Tell Refaat.',
     '2018-03-15', 'SYR', [(5000, 'arrived', 'SYR', '2018-03-15', '2018-03-15')]),
    ('An estimated 6.2 million people remain internally displaced across Syria.',
     '2018-03-15', 'SYR', [(6200000, 'displaced', 'SYR', '2018-03-15', '2018-03-15')]),
    # "last week" is the Monday-to-Sunday week before the report's week (set 10e's convention)
    ('Over 1,000 IDPs returned to their homes in Jarablus last week.',
     '2018-03-15', 'SYR', [(1000, 'returned', 'SY0208', '2018-03-05', '2018-03-11')]),
    ('The population of Al-Hol camp has reached 70,000.',
     '2019-04-10', 'SYR', [(70000, 'hosted', 'SYR', '2019-04-10', '2019-04-10')]),
    ('Syrian refugees registered in Lebanon number 865,531.',
     '2020-12-31', 'LBN', [(865531, 'hosted', 'LBN', '2020-12-31', '2020-12-31')]),
    ('Some 430,000 Syrians under temporary protection reside in Hatay.',
     '2020-12-31', 'TUR', [(430000, 'hosted', 'TR-31', '2020-12-31', '2020-12-31')]),
    ('Since 14 October, 20,000 people have crossed the border into Iraq.',
     '2019-11-20', 'IRQ', [(20000, 'crossed', 'IRQ', '2019-10-14', '2019-11-20')]),
    ('As of 5 March, a total of 961,000 individuals had been displaced since 1 December.',
     '2020-03-05', 'XSY-NW', [(961000, 'displaced', 'XSY-NW', '2019-12-01', '2020-03-05')]),
    ('So far, 3,200 refugees have returned to Syria from Jordan this year.',
     '2019-06-30', 'JOR', [(3200, 'returned', 'SYR', '2019-01-01', '2019-06-30')]),
    ('More than 300 schools were damaged or destroyed.',
     '2018-03-15', 'SYR', []),
    ('Some 12,000 tents were distributed in February.',
     '2018-03-15', 'SYR', []),
    ('About 65 per cent of IDPs are women and children.',
     '2018-03-15', 'SYR', []),
    ('Food assistance reached 1.2 million people in January.',
     '2018-03-15', 'SYR', []),
    ('The Security Council adopted resolution 2165 in 2014.',
     '2018-03-15', 'SYR', []),
    ('At least 25 health facilities were hit in the first two months of the year.',
     '2018-03-15', 'SYR', []),
    ('There were 120 confirmed COVID-19 cases in the camps.',
     '2018-03-15', 'SYR', []),
    ('The border crossing at Bab al-Salam was closed for 3 days.',
     '2018-03-15', 'SYR', []),
    ('Of the 2.7 million IDPs in the north-west, 1.7 million live in camps.',
     '2018-03-15', 'XSY-NW', [(2700000, 'displaced', 'XSY-NW', '2018-03-15', '2018-03-15')]),
    ('In Idleb governorate alone, over 500,000 people were displaced in February 2020.',
     '2020-03-05', 'XSY-NW', [(500000, 'displaced', 'SY07', '2020-02-01', '2020-02-29')]),
    ('Between 9 and 12 February, some 142,000 people fled, OCHA said.',
     '2020-02-15', 'XSY-NW', [(142000, 'fled', 'XSY-NW', '2020-02-09', '2020-02-12')]),
    ('The number of refugees who have returned since 2016 is estimated at 250,000.',
     '2019-06-30', 'SYR', [(250000, 'returned', 'SYR', '2016-01-01', '2019-06-30')]),
    ('Turkey says it has received 200,000 Syrians over the past week.',
     '2019-10-20', 'TUR', [(200000, 'arrived', 'TUR', '2019-10-13', '2019-10-20')]),
    ('Up to 2,000 Syrians arrive in Kilis every day.',
     '2019-10-20', 'TUR', []),
    ("Iraq's Kurdistan Region received 12,000 refugees within a week of the incursion.",
     '2019-10-20', 'IRQ', [(12000, 'arrived', 'IRQ', '2019-10-20', '2019-10-20')]),
    ('The UN said 180,000 people, including 80,000 children, had been displaced.',
     '2019-10-20', 'SYR', [(180000, 'displaced', 'SYR', '2019-10-20', '2019-10-20')]),
    ('Approximately 1,500 families have been displaced to Idleb city and surrounding areas.',
     '2019-10-20', 'XSY-NW', [(1500, 'displaced', 'SY0700', '2019-10-20', '2019-10-20')]),
    ('Turkey is host to the largest refugee population worldwide, with 3.6 million Syrians under temporary'
     ' protection and 320,000 international protection applicants.',
     '2020-12-31', 'TUR',
     [(3600000, 'hosted', 'TUR', '2020-12-31', '2020-12-31'),
      (320000, 'hosted', 'TUR', '2020-12-31', '2020-12-31')]),
    ('The number of Syrians in Turkey reached 3.7 million in 2021.',
     '2021-12-31', 'TUR', [(3700000, 'hosted', 'TUR', '2021-01-01', '2021-12-31')]),
    ('Some 55,000 Syrians live in seven temporary accommodation centres in five provinces.',
     '2021-12-31', 'TUR', [(55000, 'hosted', 'TUR', '2021-12-31', '2021-12-31')]),
    ('In March, DTM recorded 42,000 IDP arrivals and 18,000 IDP departures in Aleppo governorate.',
     '2021-04-15', 'SYR', [(42000, 'arrived', 'SY02', '2021-03-01', '2021-03-31')]),
    ('Some 7,500 spontaneous returns were observed during the month.',
     '2021-04-15', 'SYR', [(7500, 'returned', 'SYR', '2021-04-15', '2021-04-15')]),
    ('Syria had 6.7 million IDPs at the end of 2020, the highest number in the world.',
     '2021-05-20', 'SYR', [(6700000, 'displaced', 'SYR', '2020-12-31', '2020-12-31')]),
    ('Conflict triggered 1.8 million new displacements in Syria during 2020.',
     '2021-05-20', 'SYR', [(1800000, 'displaced', 'SYR', '2020-01-01', '2020-12-31')]),
    ('Tens of thousands of Syrians have massed at the Turkish border, fleeing a government offensive.',
     '2016-02-06', 'TUR', [(20000, 'fled', 'TUR', '2016-02-06', '2016-02-06')]),
    ('Turkey has kept its border closed to the 35,000 people gathered near the Oncupinar crossing.',
     '2016-02-06', 'TUR', []),
    ('About 30,000 Syrians fled towards the Turkish border over the weekend.',
     '2016-02-08', 'SYR', [(30000, 'fled', 'SYR', '2016-02-08', '2016-02-08')]),
    ('Iraq hosts some 250,000 Syrian refugees, 97 per cent of them in the Kurdistan Region.',
     '2020-06-30', 'IRQ', [(250000, 'hosted', 'IRQ', '2020-06-30', '2020-06-30')]),
    ('Since 14 October 2019, 21,000 new Syrian refugees have arrived in the Kurdistan Region of Iraq.',
     '2020-06-30', 'IRQ', [(21000, 'arrived', 'IRQ', '2019-10-14', '2020-06-30')]),
    ('In 2019, more than 30,000 Syrian refugees returned from Lebanon in group returns organised by '
     'General Security.',
     # returns are placed in the country returned to (the written convention, set 3; was the report's place)
     '2020-01-31', 'LBN', [(30000, 'returned', 'SYR', '2019-01-01', '2019-12-31')]),
    ('As of 15 October, an estimated 160,000 people have been displaced in north-east Syria.',
     '2019-10-16', 'SYR', [(160000, 'displaced', 'SYR', '2019-10-15', '2019-10-15')]),
    # a closing reference date dates every count without a date of its own (settled period rule 3, 24th session;
    # the 180,000 was on the report date before)
    ('Of the 180,000 people displaced, 106,000 remain displaced as of 25 October.',
     '2019-10-26', 'SYR',
     [(180000, 'displaced', 'SYR', '2019-10-25', '2019-10-25'),
      (106000, 'displaced', 'SYR', '2019-10-25', '2019-10-25')]),
    ('Al-Hol camp hosts over 68,000 people, of whom some 30,000 are Iraqis.',
     '2019-10-26', 'SYR', [(68000, 'hosted', 'SYR', '2019-10-26', '2019-10-26')]),
    ('More than 137,000 people have been displaced from Afrin to Tell Refaat, Nabul and Zahraa.',
     '2018-03-25', 'SYR', [(137000, 'displaced', 'SYR', '2018-03-25', '2018-03-25')]),
    ('The earthquakes killed more than 50,000 people in Türkiye and Syria.',
     '2023-03-01', 'SYR', []),
    ('In Türkiye, some 3 million people were displaced by the earthquakes.',
     '2023-03-01', 'TUR', [(3000000, 'displaced', 'TUR', '2023-03-01', '2023-03-01')]),
    ('More than 170,000 buildings collapsed or were severely damaged.',
     '2023-03-01', 'TUR', []),
    # people staying in shelters are hosted (set 7a's "are staying in 14 tent cities", set 13e's "are still staying
    # in these shelters"; this sentence expected no figure until the rules knew "staying in", fifteenth session)
    ('Over 1.9 million people are staying in tents, container cities and other temporary shelters.',
     '2023-03-01', 'TUR', [(1900000, 'hosted', 'TUR', '2023-03-01', '2023-03-01')]),
    ('The 2020 Humanitarian Response Plan sought USD 3.8 billion.',
     '2020-03-01', 'SYR', []),
    ('There are 11.1 million people in need of humanitarian assistance in Syria.',
     '2020-03-01', 'SYR', []),
    ('The Turkish military has 12 observation posts in Idlib.',
     '2020-03-01', 'XSY-NW', []),
    ('At least 33 Turkish soldiers were killed in an air strike on 27 February.',
     '2020-03-01', 'XSY-NW', []),
    # people evacuated out of a besieged place fled (set 9c's convention)
    ('Around 1,000 people were evacuated from eastern Aleppo on the first day.',
     '2016-12-16', 'SYR', [(1000, 'fled', 'SYR', '2016-12-16', '2016-12-16')]),
    ('More than 2,000 Syrians crossed into Lebanon through illegal crossings during the week.',
     '2020-03-01', 'LBN', [(2000, 'crossed', 'LBN', '2020-03-01', '2020-03-01')]),
    ('UNHCR estimates that 60,000 refugees have returned since the beginning of the year.',
     '2020-06-30', 'SYR', [(60000, 'returned', 'SYR', '2020-01-01', '2020-06-30')]),
    # forms of set 15 (now train), sixteenth session
    ('Airstrikes and fighting have forced millions of people out of their homes.',
     '2020-03-20', 'YEM', [(2000000, 'fled', 'YEM', '2020-03-20', '2020-03-20')]),
    ('The disaster caused the evacuation of over 150,000 residents of the prefecture.',
     '2020-03-20', 'JPN', [(150000, 'fled', 'JPN', '2020-03-20', '2020-03-20')]),
    # the other party of a conflict is not where the people are
    ('Over 4,200 people have been displaced from southern Lebanese villages due to border conflicts with Israel.',
     '2020-03-20', 'LBN', [(4200, 'displaced', 'LBN', '2020-03-20', '2020-03-20')]),
    # the day a statement was made dates the statement, not the figure (set 9d)
    ('The head of the camp told SMART on Wednesday that the camp received 6,103 Iraqi refugees.',
     '2020-03-20', 'SYR', [(6103, 'arrived', 'SYR', '2020-03-20', '2020-03-20')]),
    ('The camp received 6,103 Iraqi refugees on Wednesday.',
     '2020-03-20', 'SYR', [(6103, 'arrived', 'SYR', '2020-03-18', '2020-03-18')]),
    # the counted noun written before the number; residents a verb displaces are no place's population
    ('The number of IDPs had swelled to more than 20,000.',
     '2020-03-20', 'SSD', [(20000, 'displaced', 'SSD', '2020-03-20', '2020-03-20')]),
    ('At least 10,000 residents have been displaced from the town.',
     '2020-03-20', 'MMR', [(10000, 'displaced', 'MMR', '2020-03-20', '2020-03-20')]),
    ('About 146,000 residents of Fukushima Prefecture are still evacuees.',
     '2020-03-20', 'JPN', [(146000, 'displaced', 'JPN', '2020-03-20', '2020-03-20')]),
    ('Altogether 2,92,852 inmates are currently living in 228 relief camps.',
     '2020-03-20', 'IND', [(292852, 'hosted', 'IND', '2020-03-20', '2020-03-20')]),
    # a stock set beside new figures takes no date of theirs
    ('Some 20,000 more people fled their homes last week to join the 700,000 people already displaced.',
     '2020-03-20', 'HTI', [(20000, 'fled', 'HTI', '2020-03-09', '2020-03-15'),
                           (700000, 'displaced', 'HTI', '2020-03-20', '2020-03-20')]),
    # set 16's forms (seventeenth session): "since" after a statement verb dates the figure; a day before its
    # statement dates the statement; periods of a decade, of this year's first months, since a year ago, since an
    # event in mid-year
    ('The agency said since November, over 3,600 refugees have arrived in the reception centre.',
     '2019-12-29', 'ETH', [(3600, 'arrived', 'ETH', '2019-11-01', '2019-12-29')]),
    ('On Wednesday, the government said 2,885 families have returned to their villages.',
     '2009-07-16', 'PAK', [(2885, 'returned', 'PAK', '2009-07-16', '2009-07-16')]),
    ('According to the disaster council on Dec. 17, a total of 332,855 individuals were evacuated.',
     '2021-12-31', 'PHL', [(332855, 'fled', 'PHL', '2021-12-31', '2021-12-31')]),
    ('In the 1990s, around 150,000 people fled Mali to find refuge in Mauritania.',
     '2012-09-21', 'MRT', [(150000, 'fled', 'MRT', '1990-01-01', '1999-12-31')]),
    ('More than 250,000 people have fled Burundi since it descended into violence one year ago.',
     '2016-05-04', 'TZA', [(250000, 'fled', 'TZA', '2015-05-04', '2016-05-04')]),
    ('Since a long-standing ceasefire broke down in mid-2011, more than 100,000 people have been displaced.',
     '2015-06-05', 'MMR', [(100000, 'displaced', 'MMR', '2011-05-01', '2015-06-05')]),
    # ... people where they stay are hosted; a return denied is no return
    ('Approximately 1,500 of these displaced individuals are taking refuge in schools.',
     '2023-10-22', 'LBN', [(1500, 'hosted', 'LBN', '2023-10-22', '2023-10-22')]),
    ('There are 1.23 million IDPs living with host families in the district.',
     '2009-04-24', 'PAK', [(1230000, 'hosted', 'PAK', '2009-04-24', '2009-04-24')]),
    ('More than 85,000 people are stranded in the desert camp.',
     '2016-06-28', 'SYR', [(85000, 'hosted', 'SYR', '2016-06-28', '2016-06-28')]),
    ('There are still around 35,500 families who have not yet returned, residing in 26 displacement camps.',
     '2023-06-30', 'IRQ', [(35500, 'hosted', 'IRQ', '2023-06-30', '2023-06-30')]),
    # ... the dead are no figure, also where a number is written "60, 000"; Macedonia's names of 1993-2019
    ('The storm killed no one in the capital, killing more than 800 people elsewhere and leaving thousands displaced.',
     '2016-10-31', 'HTI', [(2000, 'displaced', 'HTI', '2016-10-31', '2016-10-31')]),
    ('Over 150 individuals lost their lives and over 60, 000 people were displaced in the violence.',
     '2023-08-28', 'IND', [(60000, 'displaced', 'IND', '2023-08-28', '2023-08-28')]),
    ('About 3,900 Kosovars arrived in the FYR of Macedonia yesterday.',
     '1999-05-03', 'XKX', [(3900, 'arrived', 'MKD', '1999-05-02', '1999-05-02')]),
    # ... a refugee population is a hosted stock; the injured past ", and" and a projection past "and" veto nothing
    # before them; a people's name the lists lack; "made it out"
    ('The refugee population in Ethiopia reached 689,107 by April 30.',
     '2013-12-31', 'ETH', [(689107, 'hosted', 'ETH', '2013-04-30', '2013-04-30')]),
    ('The number of displaced persons reached more than 275,000 people, including 70,000 children, and many injured '
     'people.', '2020-05-25', 'SYR', [(275000, 'displaced', 'SYR', '2020-05-25', '2020-05-25')]),
    ('The offensive has displaced some 20,000 civilians and could uproot about 216,000 more if it continues.',
     '2016-06-06', 'SYR', [(20000, 'displaced', 'SYR', '2016-06-06', '2016-06-06')]),
    ('At the time there were some 25,000 Ivorian refugees in Liberia.',
     '2011-05-24', 'LBR', [(25000, 'hosted', 'LBR', '2011-05-24', '2011-05-24')]),
    ('Tens of thousands have made it out of the valley.',
     '2009-05-13', 'PAK', [(20000, 'fled', 'PAK', '2009-05-13', '2009-05-13')]),
]


@pytest.mark.parametrize(("sentence", "report_date", "context", "expected"), REPORT_FORMS)
def test_report_forms(gazetteer, sentence, report_date, context, expected):
    found = rules(sentence, dt.date.fromisoformat(report_date), gazetteer, context).candidates
    assert [(c.number, c.kind, c.place, c.period_start.isoformat(), c.period_end.isoformat()) for c in found] == [
        tuple(e) for e in expected]


@pytest.mark.parametrize(("sentence", "report_date", "expected"), [
    # written by the project (synthetic): a review's cases against the rules above (each failed before its fix)
    ("Some 5,000 IDPs fled in May to Azaz.", "2019-06-10", [(5000, "fled", "SY0204", "2019-05-01", "2019-05-31")]),
    ("Some 2,000 people fled the fighting and arrived in Azaz.", "2020-02-15",
     [(2000, "fled", "SY0204", "2020-02-15", "2020-02-15")]),
    ("In March this year, 5,000 people fled to Azaz.", "2020-05-15",
     [(5000, "fled", "SY0204", "2020-03-01", "2020-03-31")]),
    ("Some 5,000 people have fled to Azaz since last Friday.", "2020-05-15",
     [(5000, "fled", "SY0204", "2020-05-08", "2020-05-15")]),
    ("The shelters in Azaz accommodated 3,000 IDPs last night.", "2020-02-15",
     [(3000, "displaced", "SY0204", "2020-02-15", "2020-02-15")]),
    ("Camps in Azaz house 40,000 IDPs.", "2020-02-15", [(40000, "displaced", "SY0204", "2020-02-15", "2020-02-15")]),
    ("Lebanon can't cope with 1.5 million Syrian refugees, the minister said.", "2020-02-15",
     [(1500000, "hosted", "LBN", "2020-02-15", "2020-02-15")]),
    ("Some 5,000 IDPs (60%) have returned to Azaz.", "2020-02-15",
     [(5000, "returned", "SY0204", "2020-02-15", "2020-02-15")]),
])
def test_rules_do_not_overreach(gazetteer, sentence, report_date, expected):
    found = rules(sentence, dt.date.fromisoformat(report_date), gazetteer, "SYR").candidates
    assert [(c.number, c.kind, c.place, c.period_start.isoformat(), c.period_end.isoformat()) for c in found] == \
        expected


@pytest.mark.parametrize(("sentence", "expected"), [
    # written by the project (synthetic), in the wordings of the train folds' misses (twenty-fifth session)
    ("The ministry announced the return of 48 thousand and 257 displaced families.", [(48257, "exact")]),
    ("The figure of two thousand 500 refugees was announced.", [(2500, "exact")]),
    ("Uganda hosts one million four hundred refugees.", [(1000400, "exact")]),
    ("Approximately 1 104 905 individuals were staying in collective sites.", [(1104905, "about")]),
    ("Sectarian conflict caused the displacement of 1,6 million people.", [(1600000, "about")]),
    ("About 1,1m refugees arrived in Germany in 2015.", [(1100000, "about")]),
    ("Estimates are between 1,5 and 2 million.", [(1500000, "between")]),
    ("Their numbers reached nearly two and a half million.", [(2500000, "almost")]),
    ("Nearly a half million people have fled.", [(500000, "almost")]),
    ("Nine families were displaced to Jalawla.", [(9, "exact")]),
    ("Thirty-two foreigners appealed for refugee status.", [(32, "exact")]),
    ("Four-thousand of them have fled during last week.", [(4000, "about")]),
    ("She fled with her five children and two or three families from her street.", []),  # a family, not a count
    ("One in ten people displaced in 2016 were displaced in Iraq.", []),  # a ratio
    # hedges (the same session): a count given again in other units takes the first one's; "estimates N" is about,
    # "estimates that N" no hedge (set 10's convention, kh077)
    ("Some 8,214 people (1,369 families) were displaced.", [(8214, "about"), (1369, "about")]),
    ("An estimated 14,679 households or 59,720 individuals are still in sites.", [(14679, "about"), (59720, "about")]),
    ("Some 3,000 IDPs in camps and another 500 with host families.", [(3000, "about"), (500, "exact")]),
    ("DTM estimates 168,000 IDPs in Gedo.", [(168000, "about")]),
    ("OCHA estimates that 360,000 people were displaced.", [(360000, "exact")]),
    ("Now, ~100,000 people have fled, near 11,000 remain and just under 15,000 arrived.",
     [(100000, "about"), (11000, "almost"), (15000, "almost")]),
    ("Sites host 21,000 households (116,000 persons approximately).", [(21000, "exact"), (116000, "about")]),
])
def test_numbers_written_in_words_or_with_a_decimal_comma(sentence, expected):
    assert [(m.value, m.qualifier) for m in numbers.find(sentence)] == expected


def test_the_numbers_of_a_sentence_are_found_once(gazetteer, monkeypatch):
    """Each number's clause needs every number of the sentence: they are found once per sentence, not once per
    number (a sentence of 80 numbers took 48 s when they were found again for each)."""
    from etl.extract import figures, numbers

    calls = []
    find = numbers.find
    monkeypatch.setattr(figures.numbers, "find", lambda s: calls.append(s) or find(s))
    figures._mentions.cache_clear()
    found = rules("Some 1,000 people fled, 2,000 were displaced, 3,000 returned and 4,000 arrived in Azaz.",
                    dt.date(2020, 1, 1), gazetteer, "SYR").candidates
    assert [c.number for c in found] == [1000, 2000, 3000, 4000]
    assert len(calls) <= 2


@pytest.mark.parametrize(("sentence", "context", "expected"), [
    # written by the project (synthetic), 2026-11-27, in forms set 7 showed (now train): dots grouping thousands,
    # "300 thousands", "left homeless", "sheltered in", a place written before another number, a place only in a
    # later clause, "the 2015 figure", "as of 1st October"
    ("As of today, 193.767 Syrian citizens are staying in 14 tent cities.", "TUR", [(193767, "hosted", "TUR")]),
    ("More than 300 thousands Syrian citizens have been living in camps in Turkey.", "TUR",
     [(300000, "hosted", "TUR")]),
    ("The earthquakes left 11,000 families homeless in Idleb.", "XSY-NW", [(11000, "displaced", "SY07")]),
    ("As of today, 44.038 Syrians have been sheltered in 8 tent cities.", "TUR", [(44038, "hosted", "TUR")]),
    ("In Kilis there are 12,561 refugees and in Hatay 29,696.", "TUR",
     [(12561, "hosted", "TR-79"), (29696, "hosted", "TR-31")]),
    ("Some 176,000 people have been displaced, and 4,100 people have fled to Iraq.", "SYR",
     [(176000, "displaced", "SYR"), (4100, "fled", "IRQ")]),
])
def test_forms_of_set_7(gazetteer, sentence, context, expected):
    found = extract(sentence, dt.date(2020, 3, 20), gazetteer, context).candidates  # with the layer
    assert [(c.number, c.kind, c.place) for c in found] == expected


@pytest.mark.parametrize(("sentence", "context", "expected"), [
    # written by the project (synthetic), fifteenth session, in forms set 13 showed (now train): "accommodates",
    # "are still staying in", a demonym's returns in a report about a place of that country, "lakh", a list of places
    # the gazetteer lacks, "taken to", "forced to take refuge", "yesterday"
    ("The primary school accommodates 20,928 IDPs.", "NGA", [(20928, "hosted", "NGA", "2020-03-20")]),
    ("A total of 178 sites are active, accommodating 71,704 people.", "KEN", [(71704, "hosted", "KEN", "2020-03-20")]),
    ("Some 37,176 people are still staying in these shelters.", "BGD", [(37176, "hosted", "BGD", "2020-03-20")]),
    ("He added that 109,714 Syrians have returned to their homes.", "SY07",
     [(109714, "returned", "SY07", "2020-03-20")]),
    ("Almost 30 lakh people have been rendered homeless.", "BGD", [(3000000, "displaced", "BGD", "2020-03-20")]),
    ("Tana River (3,864 displaced), Homa Bay (2,046) and Kisumu (7,704).", "KEN",
     [(3864, "displaced", "KEN", "2020-03-20"), (2046, "displaced", "KEN", "2020-03-20"),
      (7704, "displaced", "KEN", "2020-03-20")]),
    ("As many as 472,856 people have been taken to 1,605 shelter centres.", "BGD",
     [(472856, "arrived", "BGD", "2020-03-20")]),
    ("Hundreds of Yemenis had been forced to take refuge in schools.", "YEM", [(200, "arrived", "YEM", "2020-03-20")]),
    ("Almost 30,000 people crossed into Poland yesterday.", "POL", [(30000, "crossed", "POL", "2020-03-19")]),
    ("Some 15,000 people have taken shelter near the base.", "SSD", [(15000, "hosted", "SSD", "2020-03-20")]),
    ("At least 40,000 families remain housed in evacuation centers.", "PHL", [(40000, "hosted", "PHL", "2020-03-20")]),
    ("In Tilkef over 700 refugee families were given shelter.", "IRQ", [(700, "hosted", "IRQ", "2020-03-20")]),
    ("A total of 974 people reached the small island in several boats.", "ITA",
     [(974, "arrived", "ITA", "2020-03-20")]),
    # a place and the area holding it, written side by side, name the smaller one (not their common ancestor)
    ("Nearly 110,000 displaced Syrians have returned to their homes in Idlib province, northwestern Syria.", "SYR",
     [(110000, "returned", "SY07", "2020-03-20")]),
    ("The airstrikes were leaving thousands of displaced people in the open.", "SYR",
     [(2000, "displaced", "SYR", "2020-03-20")]),
    # a part by period continues the count before it; a part by who they are does not (a breakdown)
    ("Some 117,000 refugees had returned to Syria since 2015, including 37,000 this year.", "LBN",
     [(117000, "returned", "SYR", "2015-01-01"), (37000, "returned", "SYR", "2020-01-01")]),
    ("Al-Hol contains 68,000 displaced people, including 12,000 family members of foreign fighters.", "SYR",
     [(68000, "hosted", "SYR", "2020-03-20")]),
    ("Some 2,000 families were displaced within Anbar, 13,251 to Baghdad and 1,000 to Babylon.", "IRQ",
     [(2000, "displaced", "IQ-AN", "2020-03-20"), (13251, "displaced", "IQ-BG", "2020-03-20"),
      (1000, "displaced", "IQ-BB", "2020-03-20")]),
    # forms of set 14 (now train): South Asian grouping and "lakh", tens in words, people in shelters or sites,
    # "running for their lives", a camp's population, returns from where they stayed
    ("In Dhubri, 1,55,314 people are living in the relief camps.", "IND", [(155314, "hosted", "IND", "2020-03-20")]),
    ("More than four lakh people had taken shelter in these camps.", "IND",
     [(400000, "hosted", "IND", "2020-03-20")]),
    ("Thirty thousand are now living in IDP camps outside Sittwe.", "MMR", [(30000, "hosted", "MMR", "2020-03-20")]),
    ("There are now upwards of 5,742 people in 108 shelters on the island.", "PRI",
     [(5742, "hosted", "PRI", "2020-03-20")]),
    ("Some 18,200 people are located in temporary sites.", "ECU", [(18200, "hosted", "ECU", "2020-03-20")]),
    ("Tens of thousands of people are running for their lives.", "MLI", [(20000, "fled", "MLI", "2020-03-20")]),
    ("The camp population now stands at 149,365, just 635 persons short of its capacity.", "KEN",
     [(149365, "hosted", "KEN", "2020-03-20")]),
    ("Over the same period, 3,106 Syrian refugees in Jordan returned.", "JOR",
     [(3106, "returned", "SYR", "2020-03-20")]),
])
def test_forms_of_set_13(gazetteer, sentence, context, expected):
    found = rules(sentence, dt.date(2020, 3, 20), gazetteer, context).candidates
    assert [(c.number, c.kind, c.place, c.period_start.isoformat()) for c in found] == expected


def test_the_kind_cues_are_the_nearest_on_each_side_and_only_the_kind_model_sees_them(gazetteer):
    """`figures._near_kinds` names the lexicon's kind nearest the number on each side of it within its clause; with
    `kind_cues` those features (and the rules' kind) reach the kind model, while the figure model's weights for them
    stay zero, so whether a number is a figure does not depend on them."""
    sentence = "Some 12,000 IDPs who fled Ariha are now living in camps near the border."
    _, views, _ = figures._rules(sentence, dt.date(2020, 3, 20), gazetteer, "SY07")
    assert [(m.value, v.near_kinds) for m, v in views] == [
        (12000, ("R:fled", "N:fled", "noun:displaced"))]
    names = learned.features(sentence, views[0][0].start, views[0][0].end, views[0][0].qualifier, 12000,
                             views[0][0].is_rounded, views[0][1], kind_cues=True)
    assert {"k:R:fled", "k:noun:displaced", f"k:rule:{views[0][1].kind}"} <= set(names)
    assert not any(n.startswith("k:") for n in learned.features(
        sentence, views[0][0].start, views[0][0].end, views[0][0].qualifier, 12000, views[0][0].is_rounded,
        views[0][1]))
    sample = [s for s in labelled().values() if s["split"] == "train" and s["label_set"] == "20"][:150]
    model = train.fit(sample, gazetteer, kind_cues=True)
    cues = [i for n, i in model.vocabulary.items() if n.startswith("k:")]
    assert cues, "no kind cue reached the vocabulary"
    assert (model.figure_weights[cues] == 0).all()
    assert (model.kind_weights[cues] != 0).any()


def test_words_of_one_stem_share_a_feature(gazetteer):
    """With `stems` the words around a number are also given by their stems, so the layer learns "returned" and
    "returning" as one word as well as two; without it no stem feature is made."""
    def names(sentence, stems):
        _, views, _ = figures._rules(sentence, dt.date(2020, 3, 20), gazetteer, "SY07")
        (m, view), = views
        return set(learned.features(sentence, m.start, m.end, m.qualifier, m.value, m.is_rounded, view, stems=stems))

    returned, returning = (names(s, True) for s in ("Some 1,200 displaced families returned to Ariha.",
                                                    "Some 1,200 displaced families are returning to Ariha."))
    assert {"sR:return", "s+1:displac", "sR:famili"} <= returned & returning
    assert "R:returned" in returned - returning and "R:returning" in returning - returned
    assert not any(n[:2] in ("sL", "sR", "sC", "s+", "s-") for n in names("Some 1,200 displaced families returned to "
                                                                          "Ariha.", False))


def test_a_confident_trained_kind_replaces_the_rules_kind(gazetteer):
    """The rules read the kind from the verb nearest the number, here another clause's; the shipped layer is sure of
    another kind (at least `kind_override`), so its kind is given; with the override off the rules' kind stays."""
    sentence = "Thousands of refugees fleeing the insecurity in Afghanistan have arrived at the Chaman border crossing."
    model = learned.shipped()
    assert model.kind_override <= 1
    assert [c.kind for c in rules(sentence, dt.date(2020, 3, 20), gazetteer, "PAK").candidates] == ["fled"]
    assert [c.kind for c in extract(sentence, dt.date(2020, 3, 20), gazetteer, "PAK", model=model).candidates] == [
        "arrived"]
    off = dataclasses.replace(model, kind_override=1.01)
    assert [c.kind for c in extract(sentence, dt.date(2020, 3, 20), gazetteer, "PAK", model=off).candidates] == [
        "fled"]


@pytest.mark.parametrize("sentence, context, kind, before, after", [
    # written by the project (synthetic). Arrivals "since January 2019" are dated from then; as a stock of hosted
    # refugees the same count is on the report date (`_for_kind`)
    ("Since January 2019, some 40,000 Syrian refugees have arrived in Jordan.", "JOR", "hosted",
     ("arrived", "JOR", "SYR", "2019-01-01", "2020-03-20"), ("hosted", "JOR", "SYR", "2020-03-20", "2020-03-20")),
    # and the other way: hosted "since January 2019" is on the report date; as arrivals they are dated from then
    ("Since January 2019, Jordan has hosted some 40,000 Syrian refugees.", "JOR", "arrived",
     ("hosted", "JOR", "SYR", "2020-03-20", "2020-03-20"), ("arrived", "JOR", "SYR", "2019-01-01", "2020-03-20")),
    # a period both kinds take is kept, and so is the place (a return's is not chosen again)
    ("Some 3,106 Syrian refugees in Jordan left the Azraq camp last week.", "JOR", "returned",
     ("hosted", "JOR", "SYR", "2020-03-09", "2020-03-15"), ("returned", "JOR", "SYR", "2020-03-09", "2020-03-15")),
])
def test_a_replaced_kind_takes_its_own_period(gazetteer, sentence, context, kind, before, after):
    """When the trained kind replaces the rules' kind (`kind_override`), the period is chosen again for the new kind,
    as the rules would have chosen it (twenty-fourth session)."""
    day = dt.date(2020, 3, 20)
    out, views, read = figures._rules(sentence, day, gazetteer, context)
    (c,) = out.candidates
    ((m, view),) = [(m, v) for m, v in views if (m.start, m.end) == c.span]
    new = figures._rekinded(c, kind, m, view.clause, read, sentence, day, [m for m, _ in views])

    def fields(x):
        return x.kind, x.place, x.origin, x.period_start.isoformat(), x.period_end.isoformat()
    assert (fields(c), fields(new)) == (before, after)
    assert (new.number, new.qualifier, new.unit, new.span) == (c.number, c.qualifier, c.unit, c.span)


@pytest.mark.parametrize("sentence", [
    # written by the project (synthetic): counts the conventions call no figure, vetoed whatever the layer scores
    "Idleb is home to around 3 million civilians.",
    "The region is inhabited by about 4.5 million people.",
    "Over 800,000 people are at risk of displacement.",
    "The offensive may displace tens of thousands of civilians.",
    "Some 29,637 Syrian students have studied in 437 classes.",
    "Around 280,000 people in Idleb have been affected by the earthquakes.",
    "Some 4 million people living in the rebel-held areas of northwest Syria rely on aid.",
    "Everyone has joined the hundreds of thousands fleeing in front of the army.",
    "They were removed from the camp on Monday (24) and relocated.",
    "Thousands of displaced people prepared for another tough day.",
    "Thousands of civilians who have fled their homes face the prospect of another winter.",
    # sixteenth session (set 15's conventions): an order to leave, aid given to arrivals, a group named
    "The military told some 1 million people to evacuate toward the south.",
    "The council has offered life-saving assistance to more than 1,700 refugees arrived in the settlement.",
    "The fighting resulted in the displacement of thousands of civilians.",
])
def test_counts_that_are_no_figures_with_the_layer(gazetteer, sentence):
    assert extract(sentence, dt.date(2020, 3, 20), gazetteer, "SY07").candidates == []


@pytest.mark.parametrize(("sentence", "number"), [
    # written by the project (synthetic): wordings of aid that still count displaced people (twenty-fifth session,
    # train folds): a stock that reached a number, people given shelter, returns that were helped. None is vetoed as
    # people served, so the rules or the trained layer may take it.
    ("The number of refugees in Turkey has now reached 4.9 million.", 4900000),
    ("Red Crescent teams have provided emergency shelter for 27 households in Karun County.", 27),
    ("The agency helped about 7,400 refugees return.", 7400),
    ("A total of 364 Rwandans were assisted to return in safety and dignity.", 364),
    ("The camp houses 806 families, for a total of 2,600 individuals.", 2600),
])
def test_aid_words_that_still_count_displaced_people(gazetteer, sentence, number):
    _, views, _ = figures._rules(sentence, dt.date(2020, 3, 20), gazetteer, "TUR")
    (view,) = [v for m, v in views if m.value == number]
    assert view.filter == ""
    assert figures._not_a_figure(sentence, next(m for m, _ in views if m.value == number)) is None


@pytest.mark.parametrize(("sentence", "expected"), [
    # written by the project (synthetic): wordings of what happened the rules did not know (twenty-fifth session, train
    # folds), and a count right after a displacing verb with no noun
    ("In all, 3.5 million people have lost their homes.", [(3500000, "displaced")]),
    ("Some 2.5 million people have been forced from their homes across the region.", [(2500000, "displaced")]),
    ("The attack led to forced population movements of about 5,000 persons towards Banibangou.", [(5000, "displaced")]),
    ("The mission brought home 30 Filipinos from the city.", [(30, "returned")]),
    ("The island has seen an influx of 82 families.", [(82, "arrived")]),
    ("Some 1,640 people are now occupying the three sites.", [(1640, "hosted")]),
    ("The first attack left scores dead, displacing over 300, according to the administrator.", [(300, "displaced")]),
    ("The camp’s population was initially around 60,000.", [(60000, "hosted")]),
])
def test_what_happened_in_words_the_rules_learned_on_train(gazetteer, sentence, expected):
    found = rules(sentence, dt.date(2020, 3, 20), gazetteer, "SYR").candidates
    assert [(c.number, c.kind) for c in found] == expected


@pytest.mark.parametrize(("sentence", "expected"), [
    # written by the project (synthetic): the parts of a figure listed after it take its period (twenty-fifth
    # session, train folds), unless a time of their own is written; a number after a date is no year of it
    ("Kenya hosted approximately 190,000 refugees at the end of 1998: some 140,000 from Somalia, about 45,000 from "
     "Sudan.", [("1998-12-31", "1998-12-31")] * 3),
    ("Some 700,000 people have arrived in Goma in 2023, including more than 200,000 people who arrived in recent "
     "weeks.",
     [("2023-01-01", "2023-12-31"), ("2024-04-23", "2024-04-23")]),
    ("On 24 January, 1256 asylum seekers reportedly arrived in Sudan.", [("2024-01-24", "2024-01-24")]),
])
def test_a_figure_s_parts_take_its_period(gazetteer, sentence, expected):
    found = figures.extract(sentence, dt.date(2024, 4, 23), gazetteer, "KEN").candidates  # the parts: the layer's
    assert [(c.period_start.isoformat(), c.period_end.isoformat()) for c in found] == expected
