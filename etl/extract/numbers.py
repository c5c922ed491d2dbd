"""Numbers in a sentence (digits, "3.6 million", "one million", "hundreds of thousands") with their hedge."""
from __future__ import annotations

import re
from dataclasses import dataclass

WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
         "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
         "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "half a": 0.5, "a quarter of a": 0.25,
         "quarter of a": 0.25, "three quarters of a": 0.75, "three-quarters of a": 0.75, "a half": 0.5}
SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
          "lakh": 100_000, "crore": 10_000_000}  # "30 lakh people" (South Asian texts)
# Vague plurals as ranges: "hundreds" means at least two hundred (the labelled set's README).
VAGUE = {"hundreds of thousands": (200_000, 999_999), "tens of thousands": (20_000, 99_999),
         "thousands": (2_000, 9_999), "hundreds": (200, 999), "dozens": (24, 99), "a dozen": (12, 12),
         # as labelled in sets 9 and 10 ("several hundred thousand people", "millions of people fleeing the war",
         # "scores of people gathered")
         "several hundred thousand": (200_000, 999_999), "several thousand": (2_000, 9_999),
         "several hundred": (200, 999), "millions": (2_000_000, 9_999_999), "scores": (40, 99)}
# The publisher's hedge right before a number, mapped to the glossary's qualifiers.
HEDGES = [("more than", "more than"), ("well over", "more than"), ("over", "more than"), ("exceeding", "more than"),
          ("exceeds", "more than"), ("exceeded", "more than"), ("in excess of", "more than"),
          ("at least", "at least"), ("up to", "up to"), ("as many as", "up to"), ("less than", "up to"),
          ("fewer than", "up to"), ("nearly", "almost"), ("almost", "almost"), ("close to", "almost"),
          ("an estimated number of", "about"), ("estimated number of", "about"),
          ("an estimated", "about"), ("estimated at", "about"), ("estimated", "about"), ("some", "about"),
          ("around", "about"), ("about", "about"), ("approximately", "about"), ("roughly", "about"),
          ("a total of", "exact")]
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
          "dec")

# "1,234,567", "1234", "3.6", "2,92,852" (South Asian grouping), and thousands grouped by spaces as UN French-style
# texts write them ("900 000")
_SPACED = r"(?:\d{2,3}(?:[ \u00a0\u202f]\d{3})+|\d(?:[ \u00a0\u202f]\d{3}){2,})(?![\d,.])"  # not "Camp 7 120 families"
# "193.767 Syrian citizens", "1.675.327 registered": thousands grouped by dots, as Turkish (and other) texts write
# them; a dot with three digits after it and none after those is a grouping, not a decimal ("3.600" is 3,600)
_DOTTED = r"\d{1,3}(?:\.\d{3})+(?![\d.,])"
_DIGITS = (rf"(?<![\w.,$€£])(\d{{1,2}}(?:,\d{{2}})+,\d{{3}}(?![\d,])|\d{{1,3}}(?:,\d{{3}})+|{_SPACED}|"
           rf"{_DOTTED}(?!\s+(?:thousand|million|billion))"
           rf"|\d+(?:\.\d+)?)(?![\w%])")
# "1.5m Syrians", "3.6mn refugees", "150k people": a scale written as a letter right after the digits
_ABBREVIATED = re.compile(r"(?<![\w.,$€£])(\d+(?:\.\d+)?)(m|mn|bn|k)\b(?!\s*(?:metres|meters|km|kg|tons|tonnes))")
_ABBREVIATION_SCALE = {"m": "million", "mn": "million", "bn": "billion", "k": "thousand"}
# "more than 300 thousands Syrian citizens", "14-million", "30 lakh people"
_SCALE = r"(?:(?:\s+|-)(thousand|million|billion|lakh|crore)s?)?"
_WORDNUM = r"\b(" + "|".join(sorted((w for w in WORDS if w != "a"), key=len, reverse=True)) + \
    r"|a)\s+(thousand|million|billion|lakh|crore)\b"
_VAGUE = r"\b(" + "|".join(sorted(VAGUE, key=len, reverse=True)) + r")\b"
_DECIMAL_COMMA = re.compile(r"(?<![\w.,])(\d{1,3}),(\d{1,2})(?=\s*(?:million|billion)\b|(?:m|mn|bn)\b"
                            r"|\s+(?:and|to|-|–)\s+\d+(?:[.,]\d{1,2})?\s*(?:million|billion)\b)", re.I)
_AND_A_HALF = re.compile(r"\b(" + "|".join(w for w in WORDS if isinstance(WORDS[w], int) and w != "a") +
                         r"|\d{1,3})\s+and\s+(?:a\s+)?half\s+(thousand|million|billion)\b", re.I)
_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
          "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_SPELLED = (rf"(?:(?:{'|'.join(_TENS)})(?:[-\s](?:{'|'.join(w for w in _UNITS if _UNITS[w] < 10)}))?"
            rf"|{'|'.join(sorted(_UNITS, key=len, reverse=True))})")
# A number written in words with no scale, or with "hundred" or "thousand", right before the people it counts:
# "nine families were displaced", "Thirty-two foreigners appealed", "Four hundred of us left", "Four-thousand of them"
_WORDS_BEFORE_PEOPLE = re.compile(
    rf"\b({_SPELLED})(?:[-\s]+(hundred|thousand))?\b(?=\s+(?:(?:more|other|new|newly|displaced|internally|additional|"
    r"further|evacuated|registered|refugee|idp|asylum|(?-i:[A-Z])[\w-]+)\s+){0,2}(?:people|persons|individuals|families|"
    r"households|refugees|idps|civilians|returnees|evacuees|migrants|foreigners|seekers|residents|of\s+"
    r"(?:them|us|these|whom)|(?-i:[A-Z][a-z]+(?:ans|ians|is|ese))\b(?!\s+(?:governorates?|provinces?|districts?|"
    r"regions?|towns?|villages?|cities|camps?|borders?|authorities|government|army|forces|soldiers|troops))))", re.I)
# ... but not a family's members or a ratio: "with her five children", "two or three families", "one in ten people"
_WORDS_NOT_A_COUNT_BEFORE = re.compile(r"\b(?:her|his|their|my|our|your|its|with|in|every|of|or|the|those|these|"
                                       r"to|and)\s+$", re.I)
# hedges not in HEDGES (whose words the rules also skip before a number): group 1 the ones that mean "almost"
# ("UNHCR estimates 100,000 ..." is `about`, as set 9a's ra046; "<agency> estimates that N" is no hedge on N, as the
# conventions of set 10 have it, kh077)
_OTHER_HEDGE = re.compile(r"(?:(?:^|\W)(near|just\s+under)\s+|(?:^|\W)(?:estimates?|approximatively)\s+|~)$", re.I)
_HEDGE = re.compile(r"(?:^|\W)(" + "|".join(h for h, _ in HEDGES) + r")\s+$", re.I)
_FOOTNOTE = re.compile(r"(?<![\d,.])(\d{1,3}(?:,\d{3})+)\d(?=[\s.;:,)])")
_MONTH = re.compile(r"\s*(" + "|".join(MONTHS) + r")\b", re.I)


@dataclass
class Mention:
    value: int
    start: int
    end: int
    low: int | None = None
    high: int | None = None
    qualifier: str = "exact"
    is_rounded: bool = False


def find(sentence: str) -> list[Mention]:
    """Every count-like number, left to right; dates, years, percentages and money are not counts."""
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    # a footnote digit glued to a grouped number ("3,064,1462 IDPs": 3,064,146 and footnote 2) is no part of it
    sentence = _FOOTNOTE.sub(lambda m: m.group(1) + " ", sentence)
    # a decimal comma before a scale, as many European-language texts write it: "1,6 million", "between 1,5 and 2
    # million", "About 1,1m refugees" (the same length, so offsets hold)
    sentence = _DECIMAL_COMMA.sub(r"\1.\2", sentence)
    for m in _AND_A_HALF.finditer(sentence):  # "nearly two and a half million", "one and half million"
        whole = int(m.group(1)) if m.group(1).isdigit() else WORDS[m.group(1).lower()]
        found.append(Mention(round((whole + 0.5) * SCALES[m.group(2).lower()]), m.start(), m.end(), is_rounded=True))
        taken.append((m.start(), m.end()))
    for m in re.finditer(r"\bbetween\s+" + _DIGITS + _SCALE + r"\s+and\s+" + _DIGITS + _SCALE, sentence, re.I):
        if _MONTH.match(sentence, m.end()):  # "between 9 and 12 February" is a period
            continue
        years = all(re.fullmatch(r"(19|20)\d\d", g or "") for g in (m.group(1), m.group(3)))
        if years and not (m.group(2) or m.group(4)) and not re.match(
                r"\s+(?:people|persons|individuals|refugees|families|households|idps|civilians|syrians)\b",
                sentence[m.end():], re.I):
            continue  # "between 2014 and 2016" is a period
        low, high = _low(m.group(1), m.group(2), m.group(4), _num(m.group(3), m.group(4))), _num(m.group(3), m.group(4))
        found.append(Mention(low, m.start(), m.end(), low, high, "between"))
        taken.append((m.start(), m.end()))
    # a digit range, "300,000-400,000 Syrians", "7,000 to 10,000 people" (not "from 43,000 to 53,000": a change)
    for m in re.finditer(_DIGITS + _SCALE + r"\s*(?:-|–|\bto\b)\s*" + _DIGITS + _SCALE, sentence, re.I):
        low, high = _low(m.group(1), m.group(2), m.group(4), _num(m.group(3), m.group(4))), _num(m.group(3), m.group(4))
        if (not free(m.start(), m.end()) or _MONTH.match(sentence, m.end()) or low >= high
                or re.search(r"\bfrom\s+$", sentence[:m.start()], re.I)
                or re.match(r"\s*(%|per ?cent|percent)", sentence[m.end():], re.I)
                or any(re.fullmatch(r"(19|20)\d\d", g or "") for g in (m.group(1), m.group(3)))):
            continue
        found.append(Mention(low, m.start(), m.end(), low, high, "between"))
        taken.append((m.start(), m.end()))
    for m in re.finditer(_VAGUE, sentence, re.I):
        if free(m.start(), m.end()) and not re.search(r"\d\s*$", sentence[:m.start()]):  # not "300 thousands"
            low, high = VAGUE[m.group(1).lower()]
            qualifier = "exact" if low == high else "between"
            found.append(Mention(low, m.start(), m.end(), None if low == high else low,
                                 None if low == high else high, qualifier, True))
            taken.append((m.start(), m.end()))
    for m in re.finditer(_WORDNUM, sentence, re.I):
        if free(m.start(), m.end()):
            value = int(WORDS[m.group(1).lower()] * SCALES[m.group(2).lower()])
            found.append(Mention(value, m.start(), m.end(), is_rounded=True))
            taken.append((m.start(), m.end()))
    for m in _WORDS_BEFORE_PEOPLE.finditer(sentence):  # "nine families were displaced", "Four hundred of us left"
        if free(m.start(), m.end()) and not _WORDS_NOT_A_COUNT_BEFORE.search(sentence[:m.start()]) and not re.match(
                r"\s+(?:or|out\s+of|in)\b", sentence[m.end():], re.I):
            value = _spelled(m.group(1))
            scale = (m.group(2) or "").lower()
            value *= {"hundred": 100, "thousand": 1_000}.get(scale, 1)
            if value > 1:
                found.append(Mention(value, m.start(), m.end(), is_rounded=scale == "thousand"))
                taken.append((m.start(), m.end()))
    for m in _ABBREVIATED.finditer(sentence):
        if free(m.start(), m.end()) and not re.search(r"(US\$|\$|€|£|USD|EUR)\s*$", sentence[:m.start()]):
            found.append(Mention(_num(m.group(1), _ABBREVIATION_SCALE[m.group(2)]), m.start(), m.end(),
                                 is_rounded=True))
            taken.append((m.start(), m.end()))
    # "At least 1 200 of the more than 100 000 people": one digit and a space-grouped thousand, after a lower-case
    # word (not "Camp 7 120 families", a name's number and a count)
    for m in re.finditer(r"(?<=[a-z] )(\d[ \u00a0\u202f]\d{3})(?![\d,.])(?![ \u00a0\u202f]\d{3}(?!\d))", sentence):
        if free(m.start(), m.end()) and re.search(r"(?:^|[^\w'’-])[a-z]+ $", sentence[:m.start()]):
            found.append(Mention(_num(m.group(1), None), m.start(), m.end()))
            taken.append((m.start(), m.end()))
    # "936 from Turkey,430 from United States, 855 from Maldives,1754 Japan": a list typed without its spaces
    # (three digits at least, and another number within 60 characters before: not a footnote mark, "individuals,1 or")
    for m in re.finditer(r"(?<=[A-Za-z],)(\d{1,3}(?:,\d{3})+|\d{3,})(?![\d.,]\d|[\w%])", sentence):
        if (free(m.start(), m.end()) and re.search(r"\d", sentence[max(0, m.start() - 60):m.start()])
                and not _not_a_count(sentence, m)):
            found.append(Mention(_num(m.group(1), None), m.start(), m.end()))
            taken.append((m.start(), m.end()))
    # "has hit 60, 000": thousands grouped by a comma and a space
    for m in re.finditer(r"(?<![\w.,$€£])(\d{1,3}(?:, \d{3})+)(?!\d|[,.]\d)", sentence):
        if free(m.start(), m.end()) and not re.match(r"\s*(?:%|per ?cent|percent)", sentence[m.end():], re.I):
            found.append(Mention(_num(m.group(1).replace(", ", ","), None), m.start(), m.end()))
            taken.append((m.start(), m.end()))
    for m in re.finditer(_DIGITS + _SCALE, sentence, re.I):
        if not free(m.start(), m.end()) or _not_a_count(sentence, m, m.group(2)):
            continue
        found.append(Mention(_num(m.group(1), m.group(2)), m.start(), m.end(), is_rounded=bool(m.group(2))))
        taken.append((m.start(), m.end()))
    found = _compounds(sentence, sorted(found, key=lambda x: x.start))
    for mention in found:
        _hedge(sentence, mention)
    _same_hedge(sentence, found)
    return found


def _compounds(sentence: str, found: list[Mention]) -> list[Mention]:
    """A scaled number and the count written after it are one number: "48 thousand and 257 displaced families"
    (48,257), "two thousand 500 refugees" (2,500), "one million four hundred refugees" (1,000,400), as translated
    statements write them (twenty-fifth session, train folds)."""
    out: list[Mention] = []
    for m in found:
        prev = out[-1] if out else None
        scale = _scale_at_end(sentence, prev) if prev else None
        if (scale and m.low is None and m.high is None and re.fullmatch(r"\s+(?:and\s+)?", sentence[prev.end:m.start])
                and re.fullmatch(rf"\d{{1,3}}|{_SPELLED}(?:[-\s]+hundred)?", sentence[m.start:m.end], re.I)
                and m.value < scale):
            out[-1] = Mention(prev.value + m.value, prev.start, m.end)
            continue
        out.append(m)
    return out


def _scale_at_end(sentence: str, m: Mention) -> int | None:
    """The scale a whole number ends in ("48 thousand", "two thousand", "one million"), else None."""
    if m.low is not None or m.high is not None:
        return None
    word = re.search(r"(thousand|million)$", sentence[m.start:m.end], re.I)
    scale = SCALES[word.group(1).lower()] if word else None
    return scale if scale and m.value % scale == 0 else None


def _spelled(words: str) -> int:
    """"thirty-two" = 32, "nine" = 9."""
    parts = re.split(r"[-\s]+", words.lower())
    return sum(_TENS.get(p) or _UNITS.get(p, 0) for p in parts)


def _low(digits: str, own_scale: str | None, shared_scale: str | None, high: int) -> int:
    """The low end of a range: "between 1 and 1.3 million" shares the scale; "between 700,000 and 1.3 million" not."""
    if own_scale:
        return _num(digits, own_scale)
    shared = _num(digits, shared_scale)
    return shared if shared <= high else _num(digits, None)


def _num(digits: str, scale: str | None) -> int:
    if re.fullmatch(_DOTTED, digits) and not scale:
        digits = digits.replace(".", "")
    return round(float(re.sub(r"[,\s]", "", digits)) * SCALES.get((scale or "").lower(), 1))


def _not_a_count(sentence: str, m: re.Match, scale: str | None = None) -> bool:
    """Whether digits matched as group 1 of `m` (with the scale written after them, if any) are no count."""
    digits, after, before = m.group(1), sentence[m.end():], sentence[:m.start()]
    if re.match(r"\s*(%|per ?cent|percent)", after, re.I) or re.search(r"(US\$|\$|€|£|USD|EUR)\s*$", before):
        return True
    if re.search(r"\[\s*$", before) and re.match(r"\s*\]", after):
        return True  # a footnote mark ("over 100,000 [1] people")
    if _MONTH.match(after) or re.search(r"\b(" + "|".join(MONTHS) + r")\.?\s+$", before, re.I):
        return True  # a day of a date ("12 February", "February 12", "Oct. 9")
    if int(float(re.sub(r"[,\s]", "", digits))) <= 31 and re.search(
            r"\b(" + "|".join(MONTHS) + r")\s+\d{1,2}(?:st|nd|rd|th)?\s*(?:and|to|until|-|–)\s*$", before, re.I):
        return True  # the second day of "between June 11 and 13"
    if re.fullmatch(r"(19|20)\d\d", digits) and not scale:
        return True  # a year
    if re.search(r"(?-i:\b(?:Round|Resolution|No\.|Article|Phase|Chapter|Section|Decree|Law))\s+$", before):
        return True  # a name's number ("DTM Dataset Round 122", "Resolution 2254")
    return bool(re.match(r"\s*(dollars|euros|degrees)\b", after, re.I))


def _hedge(sentence: str, mention: Mention) -> None:
    if mention.qualifier == "between":
        return
    m = _HEDGE.search(sentence[max(0, mention.start - 30):mention.start])
    other = _OTHER_HEDGE.search(sentence[max(0, mention.start - 30):mention.start])
    if m:
        mention.qualifier = dict(HEDGES)[m.group(1).lower()]
    elif other:  # "DTM estimates 168,000 IDPs", "~100,000", "approximatively 28,000", "near 11,000"
        mention.qualifier = "almost" if other.group(1) else "about"
    elif re.match(r"\s+(?:[\w-]+\s+)?approximately\s*\)", sentence[mention.end:], re.I):
        mention.qualifier = "about"  # "(116,000 persons approximately)"
    elif re.match(r"\s+(?:[\w-]+\s+){0,2}?(?:are|were|is|was)\s+(?:\w+\s+)?estimated\b", sentence[mention.end:]):
        mention.qualifier = "about"  # "100,000 refugees are estimated to have arrived"
    elif mention.is_rounded:  # "3.6 million" with no hedge: rounded as published
        mention.qualifier = "about"
    _bounds(mention)


def _bounds(mention: Mention) -> None:
    if mention.qualifier in ("more than", "at least"):
        mention.low = mention.value
    elif mention.qualifier in ("almost", "up to"):
        mention.high = mention.value


def _same_hedge(sentence: str, found: list[Mention]) -> None:
    """A count given again in other units takes the hedge of the first: "some 8,214 people (1,369 families)", "an
    estimated 14,679 households or 59,720 individuals" (twenty-fifth session, train folds)."""
    for first, again in zip(found, found[1:], strict=False):
        if (first.qualifier not in ("exact", "between") and again.qualifier == "exact" and again.low is None
                and again.high is None and re.fullmatch(r"\s+(?:[\w-]+\s+){1,2}?(?:\(\s*|or\s+)",
                                                         sentence[first.end:again.start])):
            again.qualifier = first.qualifier
            _bounds(again)
