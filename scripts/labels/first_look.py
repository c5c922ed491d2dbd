"""A set's look: precision and recall per field of the shipped extractor on label sets, aggregates only.

    PYTHONPATH=. .venv/bin/python scripts/labels/first_look.py SET [SET...]

For each set, then all together: rules + layer, and rules alone; then counts of what went wrong (predictions that
match no figure, misses, wrong fields, the commonest kind confusions). No sentence is printed, so a set can be
measured without being read.
"""
from __future__ import annotations

import collections
import sys

from etl.extract import quality, train


def _row(name: str, rates: dict) -> str:
    return f"| {name} | " + " | ".join(f"{rates[f]['precision']:.2f} / {rates[f]['recall']:.2f}"
                                        for f in quality.FIELDS) + " |"


def errors(sentences: list[dict], gazetteer) -> dict:
    out = collections.Counter()
    kinds = collections.Counter()
    for s in sentences:
        pred, exp = quality.predicted(s, gazetteer), list(s["expected"])
        out["predicted"] += len(pred)
        out["expected"] += len(exp)
        for p in pred:
            match = next((e for e in exp if e["number"] == p["number"]), None)
            if match is None:
                out["match no figure"] += 1
                out["of those, in negatives"] += not s["expected"]
                continue
            exp.remove(match)
            out["right number"] += 1
            for f in ("kind", "place", "period"):
                out[f"wrong {f}"] += p[f] != match[f]
            if p["kind"] != match["kind"]:
                kinds[f"{match['kind']} read as {p['kind']}"] += 1
        out["missed"] += len(exp)
    return {"counts": dict(out), "kind confusions": kinds.most_common(6)}


def main(argv: list[str]) -> int:
    sets = argv or sys.argv[1:]
    gaz = train.gazetteer()
    sentences = list(quality.labelled().values())
    print("| set | " + " | ".join(quality.FIELDS) + " |\n|---|" + "---|" * len(quality.FIELDS))
    parts = {}
    for k in sets:
        chosen = [s for s in sentences if s["label_set"] == k]
        parts[k] = chosen
        print(_row(f"set {k} ({len(chosen)} sentences, {sum(len(s['expected']) for s in chosen)} figures), "
                   f"rules + layer", train._rates([train._counts(chosen, gaz, None)])))
    everything = [s for k in sets for s in parts[k]]
    print(_row(f"sets {' + '.join(sets)}, rules + layer", train._rates([train._counts(everything, gaz, None)])))
    print(_row(f"sets {' + '.join(sets)}, rules alone", train._rates([train._counts(everything, gaz, False)])))
    print(errors(everything, gaz))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
