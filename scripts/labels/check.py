"""Check one part of labelled sentences before it is merged into tests/fixtures/report_sentences.csv.

    python3 scripts/labels/check.py PART.csv LABEL_SET SPLIT [--others DIR]

Standard library only, and nothing from etl/: the people who label a part run it without seeing the extractor.
It checks the form of every row against the written conventions (tests/fixtures/report_sentences.md): the exact
header, ids contiguous from 001 with one prefix and the rows of one id adjacent and sharing their sentence fields,
the split and label set asked for, label columns empty on negatives and filled on positives, known qualifier, kind
and unit words, `between` with its bounds, ISO dates with start <= end, place codes the gazetteer knows, and that
no document (URL) is in the labelled CSV already or in another part under --others. It cannot check that a label is
right; it prints every problem found, then OK or the count, and exits 1 on any problem.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LABELS = ROOT / "tests" / "fixtures" / "report_sentences.csv"
GAZ = ROOT / "data" / "gazetteer"
HEADER = ["id", "sentence", "source", "source_url", "report_date", "context_place", "split", "number", "low", "high",
          "qualifier", "kind", "unit", "place", "origin", "period_start", "period_end", "label_set", "first_split"]
SENTENCE_FIELDS = ("sentence", "source", "source_url", "report_date", "context_place")
LABEL_FIELDS = ("number", "low", "high", "qualifier", "kind", "unit", "place", "origin", "period_start", "period_end")
QUALIFIERS = {"exact", "about", "more than", "between", "almost", "at least", "up to"}
KINDS = {"displaced", "hosted", "fled", "returned", "arrived", "crossed"}
UNITS = {"people", "families", "households"}


def place_codes() -> set[str]:
    codes: set[str] = set()
    for name, cols in (("countries.csv", ("iso3",)), ("iso3166_2.csv", ("iso_3166_2", "canonical_code")),
                       ("syria_admin.csv", ("pcode",)), ("pseudo_places.csv", ("code",))):
        with (GAZ / name).open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                codes.update(row[c] for c in cols if row[c])
    return codes


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
    except ValueError:
        return None


def _urls(path: Path) -> set[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {r.get("source_url", "") for r in csv.DictReader(fh)} - {""}


def check(path: Path, label_set: str, split: str, others: Path | None = None) -> list[str]:
    problems: list[str] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        if header != HEADER:
            return [f"header is {header}, not {HEADER}"]
        raw = list(reader)
    rows = []
    for n, values in enumerate(raw, start=2):
        if len(values) != len(HEADER):
            problems.append(f"line {n}: {len(values)} columns, not {len(HEADER)}")
            continue
        rows.append((n, dict(zip(HEADER, values, strict=True))))
    codes = place_codes()
    used = _urls(LABELS)
    with LABELS.open(encoding="utf-8", newline="") as fh:
        labelled_sentences = {r["sentence"] for r in csv.DictReader(fh)}
    if others:
        for other in sorted(others.rglob("*.csv")):
            if other.resolve() != path.resolve():
                used |= _urls(other)
    prefix = rows[0][1]["id"][:2] if rows else ""
    seen: dict[str, dict] = {}
    last_id, expected_no = None, 1
    for n, r in rows:
        where = f"line {n} ({r['id']})"
        m = re.fullmatch(r"([a-z]{2})(\d{3})", r["id"])
        if not m or m.group(1) != prefix:
            problems.append(f"{where}: id must be '{prefix}' and three digits")
        elif r["id"] != last_id:
            if r["id"] in seen:
                problems.append(f"{where}: rows of one id must be adjacent")
            if int(m.group(2)) != expected_no:
                problems.append(f"{where}: ids must run on from {prefix}{expected_no:03d}")
            expected_no = int(m.group(2)) + 1
        if r["id"] in seen:
            first = seen[r["id"]]
            if any(first[k] != r[k] for k in SENTENCE_FIELDS):
                problems.append(f"{where}: rows of one id must share {', '.join(SENTENCE_FIELDS)}")
            if not first["number"] or not r["number"]:
                problems.append(f"{where}: a negative has one row; a positive's rows are all figures")
        else:
            seen[r["id"]] = r
        last_id = r["id"]
        if r["split"] != split or r["label_set"] != label_set or r["first_split"]:
            problems.append(f"{where}: split must be {split}, label_set {label_set}, first_split empty")
        if not r["sentence"].strip() or not r["source"].strip():
            problems.append(f"{where}: sentence and source are required")
        if re.search(r"\s{2}|[\r\n\t]", r["sentence"]):
            problems.append(f"{where}: a sentence has no line break, tab or double space")
        if r["sentence"] in labelled_sentences:
            problems.append(f"{where}: the same sentence is labelled already (a copy of a used document?)")
        if not r["source_url"].startswith(("http://", "https://")):
            problems.append(f"{where}: source_url must be the document's address")
        elif r["source_url"] in used:
            problems.append(f"{where}: document already labelled (in the CSV or another part): {r['source_url']}")
        if not _date(r["report_date"]):
            problems.append(f"{where}: report_date must be YYYY-MM-DD")
        if r["context_place"] and r["context_place"] not in codes:
            problems.append(f"{where}: context_place {r['context_place']!r} is no gazetteer code")
        if not r["number"]:
            if any(r[k] for k in LABEL_FIELDS):
                problems.append(f"{where}: a negative leaves every label column empty")
            continue
        if not re.fullmatch(r"[1-9]\d*", r["number"]):
            problems.append(f"{where}: number must be a whole number of at least 1, digits only")
            continue
        if r["qualifier"] not in QUALIFIERS:
            problems.append(f"{where}: qualifier {r['qualifier']!r} not in {sorted(QUALIFIERS)}")
        if r["kind"] not in KINDS:
            problems.append(f"{where}: kind {r['kind']!r} not in {sorted(KINDS)}")
        if r["unit"] not in UNITS:
            problems.append(f"{where}: unit {r['unit']!r} not in {sorted(UNITS)}")
        if r["qualifier"] == "between":
            if not (re.fullmatch(r"\d+", r["low"]) and re.fullmatch(r"\d+", r["high"])):
                problems.append(f"{where}: between needs low and high")
            elif not int(r["low"]) == int(r["number"]) <= int(r["high"]) or int(r["low"]) >= int(r["high"]):
                problems.append(f"{where}: between needs low = number < high")
        elif r["low"] or r["high"]:
            problems.append(f"{where}: low and high are for between only")
        if not r["place"]:
            if r["context_place"]:
                problems.append(f"{where}: place is the named place, else the context place")
        elif r["place"] not in codes:
            problems.append(f"{where}: place {r['place']!r} is no gazetteer code")
        if r["origin"] and r["origin"] not in codes:
            problems.append(f"{where}: origin {r['origin']!r} is no gazetteer code")
        if r["origin"] and r["origin"] == r["place"]:
            problems.append(f"{where}: origin and place are the same")
        start, end = _date(r["period_start"]), _date(r["period_end"])
        if not start or not end:
            problems.append(f"{where}: period_start and period_end must be YYYY-MM-DD")
        elif start > end:
            problems.append(f"{where}: period ends before it starts")
        elif _date(r["report_date"]) and end > _date(r["report_date"]):
            problems.append(f"{where}: period ends after the report date")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("part", type=Path)
    ap.add_argument("label_set")
    ap.add_argument("split", choices=("train", "heldout"))
    ap.add_argument("--others", type=Path, help="folder whose other *.csv parts must not share a document")
    a = ap.parse_args(argv)
    problems = check(a.part, a.label_set, a.split, a.others)
    for p in problems:
        print(p)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
