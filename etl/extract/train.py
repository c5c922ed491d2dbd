"""Train the extractor's trained layer (`learned`) on the labelled sentences of the train split, or measure it.

    python -m etl.extract.train            # fit on every train sentence, write data/extract/figure_model.json
    python -m etl.extract.train --cv 6     # cross-validate: each document of label set 6 in turn is left out
    python -m etl.extract.train --cv 6 --runs 2   # only the first 2 of the 8 folds (a quarter of the documents)

Cross-validation leaves out whole documents (a document's sentences share wording) and prints precision and recall
per field for the rules alone and with the trained layer on the left-out documents. Only label sets the rules were
not written on say how the layer does on unseen text: on the sets the rules were fixed on, the rules score ~1.0.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import random
import sys
from pathlib import Path

from etl import store
from etl.db import make_engine
from etl.extract import figures, learned, quality
from etl.gazetteer import Gazetteer

SEED = 20200215


def rows(sentences: list[dict], gazetteer: Gazetteer, use_rules: bool, kind_cues: bool = False,
         stems: bool = False) -> tuple[list, list]:
    """(features, is a figure) for every number the rules see, and (features, kind) for the figures."""
    figure_rows, kind_rows = [], []
    for s in sentences:
        _, views, _ = figures._rules(s["sentence"], dt.date.fromisoformat(s["report_date"]), gazetteer,
                                  s["context_place"] or None)
        expected = list(s["expected"])
        for mention, view in views:
            names = learned.features(s["sentence"], mention.start, mention.end, mention.qualifier, mention.value,
                                     mention.is_rounded, view, use_rules, kind_cues, stems)
            match = next((e for e in expected if e["number"] == mention.value), None)
            if match is not None:
                expected.remove(match)
                kind_rows.append((names, match["kind"]))
            figure_rows.append((names, int(match is not None)))
    return figure_rows, kind_rows


def fit(sentences: list[dict], gazetteer: Gazetteer, use_rules: bool = False, threshold: float = 0.7,
        keep_threshold: float = 0.3, l2: float = 3e-3, provenance: dict | None = None,
        kind_override: float = 0.6, kind_cues: bool = False, kind_l2: float | None = None,
        stems: bool = False) -> learned.Model:
    figure_rows, kind_rows = rows(sentences, gazetteer, use_rules, kind_cues, stems)
    return learned.Model.train(figure_rows, kind_rows, threshold=threshold, use_rules=use_rules, l2=l2,
                               provenance=provenance, keep_threshold=keep_threshold, kind_override=kind_override,
                               kind_cues=kind_cues, kind_l2=kind_l2, stems=stems)


def cross_validate(sentences: list[dict], gazetteer: Gazetteer, test_sets: set[str], folds: int,
                   runs: int | None = None, **kw) -> dict:
    """Precision and recall on documents left out: the documents are dealt into `folds` groups and each group in turn
    is left out of the fit and scored; `runs` < `folds` scores only the first `runs` groups (the same groups whatever
    `runs`, so a short run is a subset of the full one)."""
    docs = sorted({s["source_url"] for s in sentences if s["label_set"] in test_sets})
    random.Random(SEED).shuffle(docs)
    groups = [set(docs[i::folds]) for i in range(folds)][:runs]
    totals = {"rules": [], "trained": []}
    for left_out in groups:
        test = [s for s in sentences if s["label_set"] in test_sets and s["source_url"] in left_out]
        model = fit([s for s in sentences if s["source_url"] not in left_out], gazetteer, **kw)
        totals["rules"].append(_counts(test, gazetteer, False))
        totals["trained"].append(_counts(test, gazetteer, model))
    return {name: _rates(parts) for name, parts in totals.items()}


def _counts(sentences, gazetteer, model) -> dict:
    got = quality.score(sentences, gazetteer, model)
    return {f: (round(r["precision"] * r["predicted"]), r["predicted"], r["expected"]) for f, r in got.items()}


def _rates(parts: list[dict]) -> dict:
    out = {}
    for f in quality.FIELDS:
        right = sum(p[f][0] for p in parts)
        pred, exp = sum(p[f][1] for p in parts), sum(p[f][2] for p in parts)
        out[f] = {"precision": right / pred if pred else 1.0, "recall": right / exp if exp else 1.0,
                  "right": right, "predicted": pred, "expected": exp}
    return out


def train_digest(path=quality.LABELS) -> str:
    """SHA-256 of the train split's rows as written (adding held-aside rows does not change it)."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [",".join(f"{k}={v}" for k, v in r.items()) for r in csv.DictReader(fh) if r["split"] == "train"]
    return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()


def gazetteer() -> Gazetteer:
    eng = make_engine("sqlite://")
    store.init(eng)
    with eng.connect() as conn:
        return Gazetteer.load(conn)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cv", metavar="SETS", help="label sets whose documents are left out in turn, e.g. 6")
    ap.add_argument("--folds", type=int, default=8)
    ap.add_argument("--runs", type=int, default=None, help="score only the first RUNS of the folds (default: all)")
    ap.add_argument("--rule-verdict", action="store_true",
                    help="add the rules' verdict to the features (the layer then learns to trust the rules, which "
                         "score ~1.0 on the sentences they were written on, and gains little on unseen documents)")
    # 0.7 (0.5 before set 9 moved to train): chosen on documents left out of sets 1-9; the gate asks more of
    # precision (0.9) than of recall (0.8), and recall ran ahead of precision on every held-aside set
    ap.add_argument("--threshold", type=float, default=0.7, help="to add a number the rules rejected")
    # 0.3 (0.1 before the sixteenth session): chosen on train's documents left out, sets 12-15 (the sets collected
    # last, whose wording the rules knew least), as the threshold pair nearest the gate on both measures (the smaller
    # of precision / 0.9 and recall / 0.8): number 0.90 / 0.82 there, against 0.88 / 0.83 at 0.1 (report_sentences.md)
    ap.add_argument("--keep-threshold", type=float, default=0.3, help="to keep a figure the rules accepted")
    # 0.6: on set 15's documents left out, before any rule was fixed on set 15, the rules' kind was right on 95 of 108
    # figures they accepted, the trained kind on 95, and the trained kind where it was at least 0.6 sure on 99
    # (report_sentences.md, sixteenth session); above 1 the rules' kind is always kept
    ap.add_argument("--kind-override", type=float, default=0.6, help="to replace the rules' kind with the trained kind")
    # on (twenty-second session): on the documents of sets 18 and 20 left out, right kinds 1,020 -> 1,025 of 1,450,
    # numbers unchanged (1,164); the override 0.6 did as well as 0.3 or 0.0 with them (report_sentences.md)
    ap.add_argument("--kind-cues", action=argparse.BooleanOptionalAction, default=True,
                    help="the kind model also sees the rules' kind and the lexicon's nearest kind cues")
    # on (twenty-third session): on the documents of sets 18 and 20 left out, right numbers 1,164 -> 1,179 of 1,450 and
    # number precision 0.907 -> 0.909 at the same thresholds, and more right at every threshold tried (0.6-0.8)
    ap.add_argument("--stems", action=argparse.BooleanOptionalAction, default=True,
                    help="the words near the number are also given by their Snowball stems")
    ap.add_argument("--l2", type=float, default=3e-3)
    # 1e-3 (twenty-third session; 3e-3, the figure model's, before): on the documents of sets 18 and 20 left out, with
    # stems, right kinds 1,047 at 3e-3 and at 3e-4, 1,051 at 1e-3 (without stems 1,025, 1,034 and 1,032)
    ap.add_argument("--kind-l2", type=float, default=1e-3, help="the kind model's L2 penalty")
    ap.add_argument("--out", type=Path, default=learned.MODEL_PATH, help="where to write the model")
    args = ap.parse_args(argv)
    g = gazetteer()
    train = [s for s in quality.labelled().values() if s["split"] == "train"]
    kw = {"use_rules": args.rule_verdict, "threshold": args.threshold, "keep_threshold": args.keep_threshold,
          "l2": args.l2, "kind_override": args.kind_override, "kind_cues": args.kind_cues, "kind_l2": args.kind_l2,
          "stems": args.stems}
    if args.cv:
        result = cross_validate(train, g, set(args.cv.split(",")), args.folds, args.runs, **kw)
        for name, fields in result.items():
            for f, r in fields.items():
                print(f"{name:8} {f:10} {r['precision']:5.2f} {r['recall']:5.2f}  "
                      f"({r['right']} right / {r['predicted']} predicted / {r['expected']} expected)")
        return 0
    model = fit(train, g, provenance={
        "trained_on": "tests/fixtures/report_sentences.csv, split = train",
        "label_sets": sorted({s["label_set"] for s in train}, key=int), "sentences": len(train),
        "train_rows_sha256": train_digest(), "command": "python -m etl.extract.train", **kw}, **kw)
    model.save(args.out)
    print(f"wrote {args.out} ({len(model.vocabulary)} features, {len(train)} sentences)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
