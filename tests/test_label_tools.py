"""The tools that check, merge and score labelled sentences (scripts/labels/), on rows of the committed CSV."""
from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1] / "scripts" / "labels"
LABELS = Path(__file__).resolve().parent / "fixtures" / "report_sentences.csv"


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(f"labels_{name}", TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check = _tool("check")


def _part(tmp_path: Path, prefix: str, edit=None) -> Path:
    rows = [r for r in csv.DictReader(LABELS.open(encoding="utf-8", newline="")) if r["id"].startswith(prefix)]
    for r in rows:  # a new document and a new sentence, as a fresh part has them
        r["source_url"] = r["source_url"].replace("://", "://fresh.")
        r["sentence"] = "Fresh: " + r["sentence"]
    if edit:
        edit(rows)
    path = tmp_path / "part.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=check.HEADER)
        w.writeheader()
        w.writerows(rows)
    return path


def test_a_committed_part_passes_the_checker(tmp_path):
    assert check.check(_part(tmp_path, "la"), "18", "train") == []


def test_a_document_already_labelled_is_refused(tmp_path):
    def back_to_committed(rows):
        rows[0]["source_url"] = rows[0]["source_url"].replace("://fresh.", "://")
    problems = check.check(_part(tmp_path, "la", back_to_committed), "18", "train")
    assert len(problems) == 1 and "document already labelled" in problems[0]


def _first_positive(rows):
    return next(r for r in rows if r["number"])


@pytest.mark.parametrize("edit, problem", [
    (lambda rows: next(r for r in rows if not r["number"]).update(kind="fled"), "negative leaves every label"),
    (lambda rows: _first_positive(rows).update(qualifier="between", low="", high=""), "between needs low and high"),
    (lambda rows: _first_positive(rows).update(place="ZZZ"), "no gazetteer code"),
    (lambda rows: _first_positive(rows).update(period_start="2030-01-01"), "period ends before it starts"),
    (lambda rows: _first_positive(rows).update(kind="evacuated"), "kind 'evacuated' not in"),
    (lambda rows: rows[0].update(label_set="19"), "label_set 18"),
    (lambda rows: rows.pop(2), "ids must run on"),
])
def test_the_checker_names_each_broken_rule(tmp_path, edit, problem):
    problems = check.check(_part(tmp_path, "la", edit), "18", "train")
    assert any(problem in p for p in problems), problems


def test_the_labellers_conventions_hold_no_measurement():
    text = _tool("conventions").conventions(LABELS.with_suffix(".md").read_text(encoding="utf-8"))
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert any(h.startswith("## Conventions settled") for h in headings)
    assert not any(h.startswith(("## Measured", "## Protocol")) or "fixed on train" in h for h in headings)
    assert "| number | qualifier | kind | place | period |" not in text


def test_a_relabel_is_scored_against_the_committed_labels(tmp_path):
    score = _tool("relabel_score")
    cols = ["id", "number", "low", "high", "qualifier", "kind", "unit", "place", "origin", "period_start",
            "period_end"]
    rows = [{c: r[c] for c in cols} for r in csv.DictReader(LABELS.open(encoding="utf-8", newline=""))
            if r["label_set"] == "2"]
    from etl.extract import quality
    committed = quality.labelled()
    same = score.score(score.load(_write(tmp_path / "same.csv", cols, rows)), committed)
    assert same["fields"]["kind"] == (1.0, 1.0) and same["negatives"]["relabel only"] == 0
    _first_positive(rows).update(kind="crossed")
    rows.append({c: "" for c in cols} | {"id": next(r["id"] for r in rows if not r["number"]), "number": "7",
                                         "qualifier": "exact", "kind": "fled", "unit": "people"})
    rows.sort(key=lambda r: r["id"])
    other = score.score(score.load(_write(tmp_path / "other.csv", cols, rows)), committed)
    assert other["fields"]["kind"][0] < 1.0 and other["fields"]["number"][0] < 1.0
    assert other["fields"]["number"][1] == 1.0 and other["negatives"]["relabel only"] == 1


def _write(path: Path, cols: list[str], rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    return path
