"""Score a blind relabel against the committed labels as the extractor is scored (matched by number).

    PYTHONPATH=. .venv/bin/python scripts/labels/relabel_score.py RELABEL.csv

RELABEL.csv has `id,number,low,high,qualifier,kind,unit,place,origin,period_start,period_end`, one row per figure
and one row with only the id for a negative. Prints aggregates only: agreement on negatives, then precision and
recall per field of the relabel against the committed labels.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

from etl.extract import quality


def load(path: Path) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            figs = out.setdefault(row["id"], [])
            if row["number"]:
                figs.append({"number": int(row["number"]), "qualifier": row["qualifier"], "kind": row["kind"],
                             "place": row["place"], "period": (row["period_start"], row["period_end"])})
    return out


def score(relabel: dict[str, list[dict]], committed: dict[str, dict]) -> dict:
    agree = {"both negative": 0, "both positive": 0, "committed only": 0, "relabel only": 0}
    for i, pred in relabel.items():
        exp = committed[i]["expected"]
        agree["both positive" if pred and exp else "both negative" if not pred and not exp
              else "relabel only" if pred else "committed only"] += 1
    got = quality.tally((pred, committed[i]["expected"]) for i, pred in relabel.items())
    return {"sentences": len(relabel), "negatives": agree,
            "figures": {"relabel": got["number"]["predicted"], "committed": got["number"]["expected"]},
            "fields": {f: (r["precision"], r["recall"]) for f, r in got.items()}}


def main(argv: list[str]) -> int:
    got = score(load(Path(argv[0])), quality.labelled())
    print(f"{got['sentences']} sentences; {got['negatives']}; figures {got['figures']}")
    for f, (p, r) in got["fields"].items():
        print(f"  {f}: precision {p:.2f} / recall {r:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
