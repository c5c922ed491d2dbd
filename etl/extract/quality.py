"""Precision and recall per field of the extractor on labelled sentences (tests/fixtures/report_sentences.csv)."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from etl.extract.figures import extract
from etl.gazetteer import Gazetteer

LABELS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "report_sentences.csv"
FIELDS = ("number", "qualifier", "kind", "place", "period")


def labelled(path: Path = LABELS) -> dict[str, dict]:
    """Sentences by id, each with its split, label set, document, context and expected candidates."""
    out: dict[str, dict] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            s = out.setdefault(row["id"], {**{k: row[k] for k in ("id", "sentence", "report_date", "context_place",
                                                                  "split", "label_set", "source_url")},
                                           "expected": []})
            if row["number"]:
                s["expected"].append({"number": int(row["number"]), "qualifier": row["qualifier"],
                                      "kind": row["kind"], "place": row["place"],
                                      "period": (row["period_start"], row["period_end"])})
    return out


def predicted(sentence: dict, gazetteer: Gazetteer, model=None) -> list[dict]:
    found = extract(sentence["sentence"], dt.date.fromisoformat(sentence["report_date"]), gazetteer,
                    sentence["context_place"] or None, model=model)
    return [{"number": c.number, "qualifier": c.qualifier, "kind": c.kind, "place": c.place or "",
             "period": (c.period_start.isoformat(), c.period_end.isoformat())} for c in found.candidates]


def score(sentences: list[dict], gazetteer: Gazetteer, model=None) -> dict[str, dict[str, float]]:
    """Per field: a predicted figure is matched to the expected one with the same number (else it is a
    false positive for every field); a field is correct when the matched pair agrees on it."""
    return tally((predicted(s, gazetteer, model), s["expected"]) for s in sentences)


def tally(pairs) -> dict[str, dict[str, float]]:
    """`score` for (predicted figures, expected figures) of each sentence, whoever predicted them."""
    tp = dict.fromkeys(FIELDS, 0)
    n_pred = n_exp = 0
    for pred, expected in pairs:
        exp = list(expected)
        n_pred, n_exp = n_pred + len(pred), n_exp + len(exp)
        for p in pred:
            match = next((e for e in exp if e["number"] == p["number"]), None)
            if match is None:
                continue
            exp.remove(match)
            for f in FIELDS:
                tp[f] += p[f] == match[f]
    return {f: {"precision": tp[f] / n_pred if n_pred else 1.0, "recall": tp[f] / n_exp if n_exp else 1.0,
                "predicted": n_pred, "expected": n_exp} for f in FIELDS}
