"""A trained layer over the rules: is this number a displacement figure, and what happened to the people.

The rules in `figures` read each number's unit, kind, place and period; on sentences written after them they miss
figures in wording they do not know and accept counts that are not figures (tests/fixtures/report_sentences.md). This
module scores every number of a sentence with two logistic regressions trained on the labelled sentences: one gives
the probability that the number is an expected figure, the other the kind (given for the numbers the layer adds, and
for the rules' figures where its probability is at least `kind_override`). Their features are the words around the
number and in its clause (as written and as Snowball stems), the number's shape, and what the rules said about it.
The weights, the features they know and the sentences they were trained on are data
(`data/extract/figure_model.json`, written by `python -m etl.extract.train`); nothing here is tuned by hand.
"""
from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import snowballstemmer

MODEL_PATH = Path(__file__).resolve().parents[2] / "data" / "extract" / "figure_model.json"
KIND_LABELS = ("fled", "displaced", "returned", "hosted", "arrived", "crossed")
KIND_ONLY = "k:"  # features of the kind model alone
_STEMMER = snowballstemmer.stemmer("english")
_TOKEN = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*|\d[\d,.]*|[%$();:–-]")


def _norm(token: str) -> str:
    if token[0].isdigit():
        return "<year>" if re.fullmatch(r"(?:19|20)\d\d", token) else "<num>"
    return token.lower()


@dataclass(frozen=True)
class RuleView:
    """What the rules said about one number: accepted (with its kind) or why not."""
    accepted: bool
    kind: str | None
    why: str
    kinds_in_clause: tuple[str, ...]
    clause: tuple[int, int]
    filter: str = ""  # why the rules' filters say it is no figure (a projection, people killed, a rate...), else ""
    near_kinds: tuple[str, ...] = ()  # the lexicon's kind cues nearest the number (figures._near_kinds)


@functools.cache
def _stem(token: str) -> str:
    return _STEMMER.stemWord(token) if token[0] != "<" else token


def features(sentence: str, start: int, end: int, qualifier: str, value: int, is_rounded: bool,
             rule: RuleView, use_rules: bool = False, kind_cues: bool = False, stems: bool = False) -> list[str]:
    """Sparse binary features of one number (names only; the model maps them to weights). With `kind_cues`, features
    for the kind model only (prefixed `KIND_ONLY`; the figure model never sees them): the kind the rules read for the
    number, accepted or not, and the lexicon's kind cues nearest it. With `stems`, the words near the number and in its
    clause are also given by their Snowball stems ("returned", "returning", "returns" share "return")."""
    left = [_norm(t) for t in _TOKEN.findall(sentence[:start])]
    right = [_norm(t) for t in _TOKEN.findall(sentence[end:])]
    lo, hi = rule.clause
    clause = {_norm(t) for t in _TOKEN.findall(sentence[lo:start] + " " + sentence[end:hi])}
    out = [f"q:{qualifier}", f"mag:{min(int(math.log10(max(value, 1))), 7)}", "bias"]
    out += [f"w-{i}:{t}" for i, t in enumerate(reversed(left[-3:]), 1)]
    out += [f"w+{i}:{t}" for i, t in enumerate(right[:3], 1)]
    out += [f"L:{t}" for t in set(left[-8:])] + [f"R:{t}" for t in set(right[:8])]
    out += [f"C:{t}" for t in clause]
    if stems:
        out += [f"s-1:{_stem(left[-1])}"] if left else []
        out += [f"s+1:{_stem(right[0])}"] if right else []
        out += [f"sL:{t}" for t in {_stem(t) for t in left[-8:]}] + [f"sR:{t}" for t in {_stem(t) for t in right[:8]}]
        out += [f"sC:{t}" for t in {_stem(t) for t in clause}]
    if len(right) >= 2:
        out.append(f"bi+:{right[0]}_{right[1]}")
    if len(left) >= 2:
        out.append(f"bi-:{left[-2]}_{left[-1]}")
    if is_rounded:
        out.append("rounded")
    if value < 10:
        out.append("small")
    if re.search(r"\(\s*$", sentence[:start]) or re.match(r"\s*\)", sentence[end:]):
        out.append("in_brackets")
    out += [f"kv:{k}" for k in rule.kinds_in_clause]
    if rule.filter:
        out.append(f"filter:{' '.join(rule.filter.split()[:3]).lower()}")
    if use_rules:
        out.append("rule:accepted" if rule.accepted else f"rule:no:{' '.join(rule.why.split()[:3]).lower()}")
        if rule.kind:
            out.append(f"rule:kind:{rule.kind}")
    if kind_cues:
        out.append(f"{KIND_ONLY}rule:{rule.kind or 'none'}")
        out += [f"{KIND_ONLY}{c}" for c in rule.near_kinds]
    return out


class _Rows:
    """Binary rows as the column indices of their ones (a CSR matrix in numpy): the products the fit needs are sums
    over the few features a row has, not over all of them (a dense matrix of 7,000 rows by 14,500 features took 0.8 GB
    and 105 s per fit)."""

    def __init__(self, rows: list[list[int]], columns: int):
        self.shape = (len(rows), columns)
        self.indices = np.fromiter((c for r in rows for c in r), dtype=np.int64)
        self.row_of = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
        self.starts = np.cumsum([0] + [len(r) for r in rows])[:-1]
        self._empty = np.array([len(r) == 0 for r in rows], dtype=bool)

    def dot(self, w: np.ndarray) -> np.ndarray:
        """x @ w."""
        if not len(self.indices):
            return np.zeros((self.shape[0], w.shape[1]))
        out = np.add.reduceat(w[self.indices], self.starts.clip(max=len(self.indices) - 1), axis=0)
        out[self._empty] = 0.0
        return out

    def tdot(self, g: np.ndarray) -> np.ndarray:
        """x.T @ g."""
        vals = g[self.row_of]
        return np.stack([np.bincount(self.indices, weights=vals[:, k], minlength=self.shape[1])
                         for k in range(g.shape[1])], axis=1)


class _LogReg:
    """Logistic (or softmax) regression with an L2 penalty, fitted by full-batch gradient descent with Adam steps."""

    @staticmethod
    def fit(x: _Rows | np.ndarray, y: np.ndarray, classes: int, l2: float, steps: int = 400,
            weights: np.ndarray | None = None) -> np.ndarray:
        """The penalised optimum, to a tolerance: Adam steps whose size falls from 0.1 to 0 along a cosine, so the
        fit settles instead of oscillating around the optimum (with a fixed step of 0.1 it did, and where it stopped
        decided how readily the layer added a number; tests/fixtures/report_sentences.md, fourteenth session)."""
        n, d = x.shape
        dot, tdot = (x.dot, x.tdot) if isinstance(x, _Rows) else ((lambda w: x @ w), (lambda g: x.T @ g))
        w = np.zeros((d, classes))
        target = np.eye(classes)[y]
        sw = np.ones(n) if weights is None else weights
        m = v = np.zeros_like(w)
        for t in range(1, steps + 1):
            p = _softmax(dot(w))
            grad = tdot((p - target) * sw[:, None]) / sw.sum() + l2 * w
            m = 0.9 * m + 0.1 * grad
            v = 0.999 * v + 0.001 * grad * grad
            rate = 0.05 * (1 + math.cos(math.pi * (t - 1) / steps))
            w = w - rate * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        return w


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@dataclass
class Model:
    vocabulary: dict[str, int]
    figure_weights: np.ndarray  # (features, 2): not a figure, a figure
    kind_weights: np.ndarray  # (features, len(KIND_LABELS))
    threshold: float  # a number the rules rejected becomes a figure at this probability or above
    use_rules: bool
    provenance: dict
    keep_threshold: float = 0.5  # a figure the rules accepted stays at this probability or above
    kind_override: float = 1.01  # the trained kind replaces the rules' kind at this probability or above (> 1: never)
    kind_cues: bool = False  # the kind model also sees the rules' kind and the nearest kind cues (`features`)
    stems: bool = False  # the words near the number are also given by their stems (`features`)

    def _rows(self, names: list[str]) -> list[int]:
        """The weight rows of the features this model knows (features are present or absent, so a score is a sum)."""
        return sorted({i for n in names if (i := self.vocabulary.get(n)) is not None})

    def figure_probability(self, names: list[str]) -> float:
        z = self.figure_weights[self._rows(names)].sum(axis=0)
        return float(1.0 / (1.0 + math.exp(-(z[1] - z[0]))))

    def kind(self, names: list[str]) -> str:
        return self.kind_probability(names)[0]

    def kind_probability(self, names: list[str]) -> tuple[str, float]:
        """The most probable kind and its probability."""
        p = _softmax(self.kind_weights[self._rows(names)].sum(axis=0)[None, :])[0]
        return KIND_LABELS[int(np.argmax(p))], float(p.max())

    @classmethod
    def train(cls, figure_rows: list[tuple[list[str], int]], kind_rows: list[tuple[list[str], str]],
              threshold: float = 0.5, use_rules: bool = False, l2: float = 1e-3, min_count: int = 2,
              provenance: dict | None = None, keep_threshold: float = 0.5, steps: int = 400,
              kind_override: float = 1.01, kind_cues: bool = False, dense: bool = False,
              kind_l2: float | None = None, stems: bool = False) -> Model:
        """Fit both regressions, with the L2 penalty `l2` (the kind model's `kind_l2` if given); `dense`: on dense
        matrices, as before the twenty-third session (the same optimum, kept for the test that says so)."""
        counts: dict[str, int] = {}
        for names, _ in figure_rows:
            for n in set(names):
                counts[n] = counts.get(n, 0) + 1
        # the kind model's own features are in every row's names; the figure model is fitted without them
        figure_rows = [([n for n in names if not n.startswith(KIND_ONLY)], label) for names, label in figure_rows]
        vocabulary = {n: i for i, n in enumerate(sorted(n for n, c in counts.items() if c >= min_count))}

        def matrix(rows, dense=False):
            cols = [sorted({vocabulary[n] for n in names if n in vocabulary}) for names, _ in rows]
            if not dense:
                return _Rows(cols, len(vocabulary))
            x = np.zeros((len(rows), len(vocabulary)))
            for r, c in enumerate(cols):
                x[r, c] = 1.0
            return x

        fy = np.array([label for _, label in figure_rows])
        # the two classes weigh the same in the loss (most numbers are no figure)
        pos = max(int(fy.sum()), 1)
        balance = np.where(fy == 1, len(fy) / (2 * pos), len(fy) / (2 * max(len(fy) - pos, 1)))
        fw = _LogReg.fit(matrix(figure_rows, dense), fy, 2, l2, steps=steps, weights=balance)
        ky = np.array([KIND_LABELS.index(k) for _, k in kind_rows])
        kw = _LogReg.fit(matrix(kind_rows, dense), ky, len(KIND_LABELS), l2 if kind_l2 is None else kind_l2,
                         steps=steps) if kind_rows else np.zeros(
            (len(vocabulary), len(KIND_LABELS)))
        return cls(vocabulary, fw, kw, threshold, use_rules, provenance or {}, keep_threshold, kind_override, kind_cues,
                   stems)

    def save(self, path: Path = MODEL_PATH) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        names = sorted(self.vocabulary, key=self.vocabulary.get)
        doc = {"provenance": self.provenance, "threshold": self.threshold, "keep_threshold": self.keep_threshold,
               "kind_override": self.kind_override, "kind_cues": self.kind_cues, "stems": self.stems,
               "use_rules": self.use_rules,
               "kinds": list(KIND_LABELS),
               "features": {n: {"figure": round(float(self.figure_weights[i, 1] - self.figure_weights[i, 0]), 6),
                                "kind": [round(float(v), 6) for v in self.kind_weights[i]]}
                            for i, n in enumerate(names)}}
        path.write_text(json.dumps(doc, indent=0, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")

    @classmethod
    def from_json(cls, doc: dict) -> Model:
        names = list(doc["features"])
        vocabulary = {n: i for i, n in enumerate(names)}
        fw = np.zeros((len(names), 2))
        fw[:, 1] = [doc["features"][n]["figure"] for n in names]
        kw = np.array([doc["features"][n]["kind"] for n in names]).reshape(len(names), len(KIND_LABELS))
        return cls(vocabulary, fw, kw, doc["threshold"], doc["use_rules"], doc["provenance"], doc["keep_threshold"],
                   doc.get("kind_override", 1.01), doc.get("kind_cues", False), doc.get("stems", False))


@functools.cache
def shipped() -> Model:
    """The model in data/extract/ (written by `python -m etl.extract.train`)."""
    return Model.from_json(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
