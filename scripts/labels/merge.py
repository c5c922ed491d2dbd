"""Merge checked parts into tests/fixtures/report_sentences.csv and their accounts into report_sentences.md.

    python3 scripts/labels/merge.py LABEL_SET SPLIT PART_DIR... [--write]

Each PART_DIR holds one part's `*.csv` (checked with check.py first; a part with a problem stops the merge) and its
`account.md`. Without --write it only checks and counts; with --write it appends the rows to the CSV and, to the
markdown, a `### Part XX, set N (ids xx...)` section holding the account as written.
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check  # noqa: E402

MD = check.LABELS.with_suffix(".md")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("label_set")
    ap.add_argument("split", choices=("train", "heldout"))
    ap.add_argument("parts", nargs="+", type=Path)
    ap.add_argument("--write", action="store_true")
    a = ap.parse_args(argv)
    failed = False
    merged = []
    for part in a.parts:
        (path,) = sorted(part.glob("*.csv"))
        problems = check.check(path, a.label_set, a.split)
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        ids = {r["id"] for r in rows}
        positive = {r["id"] for r in rows if r["number"]}
        print(f"{part.name}: {len(ids)} sentences, {len(ids) - len(positive)} negatives, "
              f"{sum(1 for r in rows if r['number'])} figures, {len({r['source_url'] for r in rows})} documents; "
              f"{'OK' if not problems else f'{len(problems)} problem(s)'}")
        for p in problems:
            print("   ", p)
        failed |= bool(problems)
        merged.append((part, rows))
    if failed or not a.write:
        return 1 if failed else 0
    with check.LABELS.open("a", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=check.HEADER, lineterminator="\n")
        for _, rows in merged:
            w.writerows(rows)
    with MD.open("a", encoding="utf-8") as fh:
        for part, _rows in merged:
            account = (part / "account.md").read_text(encoding="utf-8").strip()
            fh.write(f"\n### Part {part.name.upper()}, set {a.label_set} (ids {part.name.lower()}...)\n\n{account}\n")
    print(f"written: {sum(len(r) for _, r in merged)} rows to {check.LABELS.name}, {len(merged)} accounts to {MD.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
