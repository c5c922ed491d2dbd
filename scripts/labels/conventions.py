"""Write the labelling conventions for people who label without seeing the extractor.

    python3 scripts/labels/conventions.py OUT.md

OUT.md is tests/fixtures/report_sentences.md less its measurement, protocol and fix sections (the `## ` sections
whose heading names a measurement, a protocol, a fix on train, a relabel's score or what the layer does), so that a
labeller reads every convention, rule and part account, but no score of the extractor and none of its errors.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

MD = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "report_sentences.md"
LEFT_OUT = re.compile(r"^## (Measured|Protocol|.*[Ff]ixe[ds]? on train|More fixes|After the measurement|The trained "
                      r"layer|Judged on train|Blind relabel|What the twentieth|Set \d+ moved to train|Relabel)")


def conventions(text: str) -> str:
    out, keep = [], True
    for line in text.splitlines(keepends=True):
        if line.startswith("## "):
            keep = not LEFT_OUT.match(line)
        if keep:
            out.append(line)
    return "".join(out)


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(conventions(MD.read_text(encoding="utf-8")), encoding="utf-8")
