"""The grammar the trained layer reads around a number (etl/extract/syntax.py): the noun it counts and the verb that
governs it, from spaCy's small English parser; and a model is refused unless it was trained on that parser's reading."""
from __future__ import annotations

import json

import pytest

from etl.extract import learned, syntax

# The worked example's two figures (the February 2020 article, tests/fixtures/report_sentences.csv) and common shapes.
CASES = [
    ("The offensive has forced more than 800,000 people to flee towards the Turkish border.", "800,000",
     {"nl:people", "dn:dobj", "gv:force"}),
    ("Turkey, which currently hosts 3.6 million Syrian refugees, says it cannot take more.", "3.6 million",
     {"nl:refugee", "dn:dobj", "gv:host"}),
    ("More than 40,000 people were displaced by the fighting.", "40,000",
     {"nl:people", "dn:nsubjpass", "gv:displace", "gv:passive"}),
    ("The clashes displaced people from 1,200 villages.", "1,200",
     {"nl:village", "gv:displace", "gvp:displace|from"}),
]


@pytest.mark.parametrize(("sentence", "number", "expected"), CASES, ids=[c[1] for c in CASES])
def test_the_parse_names_the_noun_counted_and_the_verb_governing_it(sentence, number, expected):
    start = sentence.index(number)
    got = set(syntax.features(sentence, start, start + len(number)))
    assert expected <= got, got


def test_two_verbs_in_one_clause_each_govern_their_own_count():
    """What bags of words cannot tell apart: which of two verbs a count belongs to."""
    sentence = "Some 5,000 people fled the town while 2,000 returned to nearby villages."
    first, second = sentence.index("5,000"), sentence.index("2,000")
    assert "gv:flee" in syntax.features(sentence, first, first + 5)
    assert "gv:return" in syntax.features(sentence, second, second + 5)


def test_the_parser_is_part_of_the_shipped_models_provenance():
    model = learned.shipped()
    assert model.provenance["parser"] == syntax.parser()
    assert syntax.parser().startswith(f"{syntax.PACKAGE} 3.8.0 (spaCy 3.8.")
    assert any(name.startswith("gv:") for name in model.vocabulary)


def test_a_model_trained_with_another_parser_is_refused(tmp_path):
    doc = json.loads(learned.MODEL_PATH.read_text(encoding="utf-8"))
    doc["provenance"]["parser"] = "en_core_web_sm 3.7.1 (spaCy 3.7.5)"
    path = tmp_path / "figure_model.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(RuntimeError, match="trained with the parser 'en_core_web_sm 3.7.1"):
        learned.load(path)
    del doc["provenance"]["parser"]
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(RuntimeError, match="trained with the parser None"):
        learned.load(path)
