"""Periods written in a sentence ("from 26 January to 2 February", "in February 2020", "since 1 December",
"after 5 March", "in the week to 9 February", "between 12-17 February", "within three days from 9 February",
"as at 22 February", "since the ceasefire of 5 March", "two weeks ago", "by September 2014", "by the end of 2019",
"during March and April 2019", "in the past week", "since 2014", "so far this year", "between 2014 and 2016",
"on Friday 23 June", "on Wednesday", "since Wednesday", "since last week", "25-26 Feb 2013", "since end of Jan
2013", "since the beginning of the crisis ... in 2011", "over the past two years", "as of December", "fled
Thursday", "since the conflict began in March 2011", "since the escalation of fighting in October 2023", "since mid
October 2018", "in early 2019", "the first eight months of 2024", "last year / month / week / September", "since ...
last month", "earlier this month", "this week / month", "on 4 and 29 December last year", "from 1 January 2014
through 4 February 2016", "on 8 April 2015 through 15 June", "since the beginning of the month", "in just 24 hours",
"spent the past five years"); US-style dates ("December 1, 2019",
"February 17", "between June 11 and 13") are read as day-month dates. "the past N days / weeks / months" and "last N"
run from the report date minus N units (the same day) to the report date."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_M = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | {
    m.lower(): i for i, m in enumerate(calendar.month_abbr) if m} | {"sept": 9}
_MON = r"(" + "|".join(sorted(_M, key=len, reverse=True)) + r")\.?"
_Y = r"(?:,?\s+((?:19|20)\d\d))?"  # a year of this century or the last ("On 24 January, 1256 asylum seekers": no year)
_WEEKS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10}
_WORD = r"[\w\x22\u201c\u201d-]+"  # a word, or a name in quotes ("dubbed "Iron Wall"")
_TO = r"(?:\s*[-–]\s*|\s+(?:to|and|until|through|thru)\s+)"
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = r"(?:(?:" + "|".join(_DAYS) + r"),?\s+)?"  # "on Friday 23 June", "by Saturday 24 June"
_MONTHS_LIST = rf"(?:the\s+months?\s+of\s+)?{_MON}(?:\s*,\s*{_MON})*\s*,?"  # "the months of May, June"
_US_DATE = re.compile(rf"\b{_MON}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!,\d)(,?\s+\d{{4}}\b)?", re.I)
PATTERNS = [  # (kind, regex); the first match at a position wins
    # "on December 4 last year", "on 4 and 29 December last year": those days of the year before the report's
    ("days_last_year", rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:and\s+(\d{{1,2}})(?:st|nd|rd|th)?\s+)?{_MON}\s+"
                       r"last\s+year\b"),
    # "since April last year", "in April last year": that month of the year before the report's (to the report date
    # with "since"; settled rule 8, twenty-fourth session)
    ("since_month_last_year", rf"\b(since)\s+{_MON}\s+(?:of\s+)?last\s+year\b"),
    ("month_last_year", rf"\b(in|during|by)\s+{_MON}\s+(?:of\s+)?last\s+year\b"),
    # "between only 3 and 9 October 2021" (set 20)
    ("range_days", rf"\b(?:from|between)\s+(?:only\s+|just\s+)?(\d{{1,2}}){_TO}(\d{{1,2}})\s+{_MON}{_Y}"),
    # "from late December 2019 to January 2020" (set 20): from that third of the first month to the end of the last
    ("range_third_month_years", rf"\b(?:from|between)\s+(early|mid|late)[-\s]+{_MON}\s+(\d{{4}}){_TO}{_MON}"
                                rf"\s+(\d{{4}})"),
    # "in December 2021 and January 2022 alone" (set 20): the first day of the first month to the end of the last
    ("range_month_years", rf"\b(?:in|during)\s+{_MON}\s+(\d{{4}})\s+and\s+(){_MON}\s+(\d{{4}})"),
    # "from February 2021 to date", "from 3 May to date" (sets 18, 20): then, to the report date
    ("since_month", rf"\bfrom\s+{_MON}(?:\s+(\d{{4}}))?\s+(?:to|until|till)\s+(?:date|now|today)\b"),
    ("since", rf"\bfrom\s+(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON}{_Y}\s+(?:to|until|till)\s+"
              rf"(?:date|now|today)\b"),
    # "the conflict that broke out in December 2013 has displaced" (set 20): that month (year) to the report date
    ("since_began", rf"\b(?:conflict|war|fighting|violence|crisis|clashes|offensive|insurgency)\s+(?:that|which)\s+"
                    rf"(?:began|started|broke\s+out|erupted)\s+in\s+(?:{_MON}\s*)?(\d{{4}})?\b"),
    ("range_days", rf"(?<![\d,.])(\d{{1,2}})\s*[-–]\s*(\d{{1,2}})\s+{_MON}{_Y}"),  # "the 24hrs of 25-26 Feb 2013"
    # "since the escalation of fighting in October 2023", "following the military takeover in February 2021"
    ("since_event", rf"(?<!est\s)\b(?:since|following)\s+(?:the\s+)?[^,;.\d]{{0,60}}?\s+in\s+"
                    rf"(?:(early|mid|late)[-\s]+)?{_MON}(?:\s+(?:of\s+)?(\d{{4}}))?\b(?!\s*\d)"),
    # "the first eight months of 2024", "the first half of 2018"
    # "in the first nine months of this year alone" (set 16f): of the report's year, to the report date at the latest
    ("first_months", r"\bthe\s+(first|second)\s+(\w+\s+months|half)\s+of\s+((?:19|20)\d\d|(?:this|the)\s+year)\b"),
    # "in the first week of October" (that week's seven days), "in the first weeks of November", "in just two weeks of
    # February" (the month: which of its weeks is not said) (twenty-fifth session, train folds)
    ("week_of_month", rf"\b(?:the\s+)?(first|second|third|fourth|last)\s+week\s+of\s+{_MON}{_Y}"),
    ("weeks_of_month", rf"\b(?:the\s+(?:first|last)|(?:just\s+|only\s+)?(?:two|three|\d))\s+weeks\s+of\s+{_MON}{_Y}"),
    # "In the 1990's, ... around 150,000 people fled Mali" (set 16d): the decade, to the report date at the latest
    ("decade", r"\b(?:in|during|throughout)\s+the\s+((?:19|20)\d)0['’]?s\b"),
    # "last year", "last month", "last week", "last September"; with "since" from their first day to the report date
    ("last_range", rf"\bfrom\s+last\s+{_MON}{_TO}{_MON}{_Y}"),  # "from last September to January"
    # "the same period last year": the sentence's own period a year earlier (settled period rule 2, 24th session;
    # `find`), else the year before the report's
    ("same_period_last_year", r"\bthe\s+same\s+(?:period|time|months?|weeks?)\s+(?:of\s+|in\s+)?(?:last\s+year|"
                              r"the\s+previous\s+year|a\s+year\s+(?:ago|earlier))\b"),
    ("last", rf"\b(since\s+)(?:[^,;.]{{0,60}}?\s)?(?<!the\s)last\s+(year|month|week|{_MON})\b(?!'s|’s)"),
    ("last", rf"(?<!the\s)\b()last\s+(year|month|week|{_MON})\b(?!'s|’s)"),
    # thirds: "since mid October 2018" (11th-20th), "in early March" (1st-10th), "late 2019" (September-December)
    ("third_since", rf"\bsince\s+(early|mid|late)[-\s]+{_MON}{_Y}"),
    # "since warfare began in Sudan in the middle of April 2023"
    ("third_since", rf"\bsince\s+[^,;.\d]{{0,60}}?\bthe\s+(middle)\s+of\s+{_MON}{_Y}"),
    ("third_month", rf"\b(?:in|during|by|from|as\s+(?:of|at))\s+(?:the\s+)?(early|mid|late)[-\s]+{_MON}{_Y}"),
    # "Since a long-standing ceasefire broke down in mid-2011, more than 100,000 people have been displaced" (set 16e)
    ("third_year", r"\b(since)\s+[^,;.\d]{0,60}?\s+in\s+(early|mid|late)[-\s]+((?:19|20)\d\d)\b"),
    ("third_year", r"\b(in|during|by|since|as\s+(?:of|at))\s+(early|mid|late)[-\s]+((?:19|20)\d\d)\b"),
    # "since the launch of the offensive two weeks ago": then, to the report date
    ("since_ago", r"\b(?:since|following)\s+[^,;.]{0,60}?\b(\w+)\s+(days?|weeks?|months?|years?)\s+ago\b"),
    # "since end of Jan 2013": the last day of that month to the report date
    ("since_end", rf"\bsince\s+(?:the\s+)?end(?:\s+of\s+|-){_MON}{_Y}"),
    # "since the beginning of the crisis in Syria in 2011": 1 January of that year to the report date
    ("since_year", r"\bsince\s+the\s+(?:beginning|start|onset|outbreak)\s+of\s+[^,;.]{1,80}?\s+in\s+((?:19|20)\d\d)\b"),
    # "this past weekend", "last weekend": the Saturday and Sunday before the report date
    ("past_weekend", r"\b(?:this\s+past|this|last|the\s+past)\s+weekend\b"),
    # "this past year" (as "over the past year"), "in the past three decades" (as that many times ten years)
    ("past_years", r"\bthis\s+past\s+(?:(\w+)\s+years|year)\b"),
    ("past_decades", r"\b(?:in|over|during|within|for)\s+the\s+(?:past|last|previous)\s+(\w+)\s+decades\b"),
    # "over the past two years": the report date that many years before, to the report date
    ("past_years", r"\b(?:in|over|during|within|for|spent)\s+the\s+(?:past|last|previous)\s+(?:(\w+)\s+years|year)\b"),
    # "since the Syrian conflict began in March 2011", "after the country's civil war began in 2011",
    # "since the fighting in Mosul started in October": that month (year) to the report date
    ("since_began", rf"(?<!est\s)\b(?:since|after)\s+(?:the\s+)?[^,;.]{{0,60}}?\b"
                    rf"(?:began|started|broke\s+out|erupted)\s+in\s+(?:{_MON}\s*)?(\d{{4}})?\b"),
    # "since <event> earlier this month", "since the beginning of the month": the first day of the report's month
    # to the report date
    ("this_period", r"\bsince\s+the\s+(?:start|beginning)\s+of\s+(?:the|this)\s+(week|month)\b"),
    ("earlier_month", r"\bearlier\s+this\s+month\b"),
    # "arrived in Bhasan Char this week": from the Monday of the report's week (the first of its month) to the report
    ("this_period", r"(?<!earlier\s)(?<!far\s)\bthis\s+(week|month)\b"),
    # "between June 11 and 13": US-style, read day-first as "between 11 June and 13"
    ("range_days_us", rf"\b(?:from|between)\s+(\d{{1,2}})\s+{_MON}\s*{_TO}(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*{_MON})"
                      rf"(?![,.]\d)"
                      rf"{_Y}"),
    ("range_month_date", rf"\b(?:from|between)\s+{_MON}\s+(\d{{4}}){_TO}(\d{{1,2}})\s+{_MON}{_Y}"),
    ("range_dates", rf"\b(?:from|between|since)\s+(\d{{1,2}})\s+{_MON}{_Y}\s*,?{_TO}(\d{{1,2}})\s+{_MON}{_Y}"),
    # "on 8 April 2015 through 15 June": a range only with "through" or "until" (on 4 March and 6 April are two days)
    ("range_dates", rf"\bon\s+(\d{{1,2}})\s+{_MON}{_Y}\s*,?\s+(?:through|thru|until)\s+(\d{{1,2}})\s+{_MON}{_Y}"),
    # "between December 2017 and mid-March 2018": the first day of the first month to the end of the last (its third)
    ("range_month_years", rf"\b(?:from|between)\s+{_MON}\s+(\d{{4}}){_TO}(?:(early|mid|late)[-\s]+)?{_MON}"
                          rf"\s+(\d{{4}})"),
    ("range_months", rf"\b(?:from|between)\s+{_MON}{_TO}{_MON}{_Y}"),
    # "between 2014 and 2016", "from 2014 to 2016": the first day of the first year to the last of the last
    ("range_years", r"\b(?:from|between)\s+((?:19|20)\d\d)(?:\s*[-–]\s*|\s+(?:to|and|until)\s+)((?:19|20)\d\d)\b"),
    # "during the months of March and April 2019", "in May, June and July 2021", "January-April 2019"
    ("month_list", rf"\b(?:in|during|over|cover(?:s|ed|ing)?)\s+{_MONTHS_LIST}\s+(?:and|to|until)\s+{_MON}{_Y}"),
    ("month_list", rf"(?<![\w-]){_MON}(?:\s*[-–]\s*|\s+to\s+){_MON}\s+(\d{{4}})"),
    ("within_days", rf"\bwithin\s+(\w+)\s+days?\s+(?:from|of|after|since)\s+(\d{{1,2}})\s+{_MON}{_Y}"),
    ("weeks_to", rf"\b(?:in|during|over)\s+the\s+(?:past\s+|(\w+)\s+)?weeks?\s+(?:to|ending|up\s+to)\s+"
                 rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON}{_Y}"),
    # "in the ten months up to October 19, 2022": that many months (days) ending that day
    ("units_to", rf"\b(?:in|during|over)\s+the\s+(?:past\s+|last\s+)?(\w+)\s+(days|months)\s+(?:to|ending|up\s+to)\s+"
                 rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON}{_Y}"),
    # "in the past week", "over the last two months", "in the past 24 hours": up to the report date
    ("past", r"\b(?:in|over|during|within|for)\s+the\s+(?:course\s+of\s+the\s+)?(?:past|last|previous)\s+(?:(\w+)\s+)?"
             r"(hours|days?|weeks?|months?)\b"),
    # "in just three months", "within two weeks": the report date minus that, to the report date
    ("in_months", r"\b(?:in|within)\s+(?:just\s+|only\s+|these\s+)?(\w+)\s+(days?|weeks?|months?|hours)\b"
                  r"(?!\s+(?:ago|later|after|of|before))"),
    # "since the ceasefire of 5 March", "since the start of the military operation on 9 October"
    # "since operations began on 17 October"
    ("since", rf"\b(?:since|after)\s+(?:(?:the\s+)?{_WORD}(?:\s+{_WORD}){{0,9}}?\s+(?:of|on)\s+)?{_WEEKDAY}"
              rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON}{_Y}"),
    # "since Wednesday", "since last week": from that day (the latest on or before the report date) to the report
    ("since_weekday", r"\bsince\s+(last\s+)?(" + "|".join(_DAYS) + r")\b"),
    ("since_last", r"\bsince\s+last\s+(week|month)\b"),
    ("since_month", rf"\bsince\s+(?:the\s+(?:start|beginning)\s+of\s+)?{_MON}(?:\s+(\d{{4}})\b|(?!\s*\d))"),
    ("month_this_year", rf"\b(?:in|during|by|throughout)\s+{_MON}\s+(?:of\s+)?this\s+year\b"),
    # "since 2014", "since the beginning of 2019", "since the start of the year", "so far this year"
    ("since_year", r"\bsince\s+(?:the\s+(?:start|beginning)\s+of\s+)?((?:19|20)\d\d)\b(?![,.]?\d)"),
    ("since_year", r"\b(?:since\s+the\s+(?:start|beginning)\s+of\s+(?:the|this)\s+year|so\s+far\s+this\s+year"
                   r"|(?:since\s+)?(?:the\s+)?(?:start|beginning)\s+of\s+the\s+year\s+to\s+date|year[-\s]to[-\s]date"
                   r"|(?<!of\s)this\s+year)\b"),  # "have returned ... this year": 1 January to the report date
    ("as_at", rf"\b(?:as\s+(?:at|of)|by)\s+{_WEEKDAY}(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON}{_Y}"),
    # "the 2015 figure was 1.1 million": that year
    ("year", r"\bthe\s+((?:19|20)\d\d)\s+(?:figure|total|number|estimate)s?\b"),
    # "by the end of 2019", "at the end of March 2020", "as of end-June 2021": the last day
    ("end_of", rf"\b(?:by|at|as\s+(?:at|of))\s+(?:the\s+)?end(?:\s+of\s+|-)(?:(?:{_MON})\s*)?(\d{{4}})?\b"),
    ("day", rf"\bon\s+{_WEEKDAY}(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON}{_Y}"),
    # "on Wednesday": the latest such day on or before the report date
    ("weekday", r"\bon\s+(" + "|".join(_DAYS) + r")\b(?!,?\s+\d{1,2}\b(?![,.]\d))"),
    ("weekday", r"(?<!\bon\s)\b(" + "|".join(d.capitalize() for d in _DAYS) + r")\b"  # "fled Thursday"
                r"(?!,?\s+\d{1,2}\b(?![,.]\d))"),
    # "during the month of February 2020" (set 20)
    ("month", rf"\b(?:in|during|as\s+(?:at|of)|by|throughout)\s+(?:the\s+month\s+of\s+)?{_MON}\s+(\d{{4}})"),
    ("month_no_year", rf"\b(?:in|during|as\s+(?:of|at))\s+(?:the\s+month\s+of\s+)?{_MON}\b(?!\s+\d)"),
    ("year", r"\b(?:in|during|throughout)\s+(?:the\s+year\s+|the\s+course\s+of\s+)?((?:19|20)\d\d)\b(?![,.]?\d)"),
    ("ago", r"\b(\w+)\s+(days?|weeks?|nights?)\s+ago\b"),  # "two nights ago" (set 20): two days before
    ("yesterday", r"\byesterday\b"),  # the day before the report date
]


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    span: tuple[int, int]  # where it is written in the sentence
    kind: str = ""  # the pattern that read it ("since", "as_at", ...)


def find(sentence: str, report_date: dt.date) -> list[Period]:
    """Every period written in the sentence; a missing year is the latest one not after the report date."""
    out: list[Period] = []
    sentence = _day_first(sentence)
    for kind, pattern in PATTERNS:
        for m in re.finditer(pattern, sentence, re.I):
            if any(m.start() < p.span[1] and m.end() > p.span[0] for p in out):
                continue
            try:
                start, end = _dates(kind, m.groups(), report_date)
            except ValueError:
                continue
            if end >= start and 1900 <= start.year and end.year <= 2100:  # no period in the year 1256 or 1407
                out.append(Period(start, end, (m.start(), m.end()), kind))
    out.sort(key=lambda p: p.span)
    for i, p in enumerate(out):
        own = [q for q in out[:i] if q.kind != "same_period_last_year"]
        if p.kind == "same_period_last_year" and own:  # "In May alone, 4,220 ...; the same period last year, 2,062"
            out[i] = Period(_year_before(own[-1].start), _year_before(own[-1].end), p.span, p.kind)
    return out


def _year_before(day: dt.date) -> dt.date:
    return day.replace(year=day.year - 1, day=min(day.day, calendar.monthrange(day.year - 1, day.month)[1]))


def _day_first(sentence: str) -> str:
    """ "December 1, 2019" -> "1 December 2019" (padded to the same length, so offsets stay valid)."""
    def swap(m: re.Match) -> str:
        year = f" {m.group(3).strip(' ,')}" if m.group(3) else ""
        return f"{m.group(2)} {m.group(1)}{year}".ljust(len(m.group(0)))
    return _US_DATE.sub(swap, sentence)


def _dates(kind: str, g: tuple, report: dt.date) -> tuple[dt.date, dt.date]:
    if kind == "same_period_last_year":  # with no period of its own in the sentence (see `find`)
        return dt.date(report.year - 1, 1, 1), dt.date(report.year - 1, 12, 31)
    if kind == "range_days":
        month, year = _M[g[2].lower()], _year(g[3], _M[g[2].lower()], report)
        return dt.date(year, month, int(g[0])), dt.date(year, month, int(g[1]))
    if kind == "range_dates":
        m1, m2 = _M[g[1].lower()], _M[g[4].lower()]
        if g[2] and not g[5]:  # "on 8 April 2015 through 15 June": the end in the year the start names (or after)
            y1 = int(g[2])
            y2 = y1 if (m2, int(g[3])) >= (m1, int(g[0])) else y1 + 1
        else:
            y2 = _year(g[5], m2, report)
            y1 = int(g[2]) if g[2] else (y2 if m1 <= m2 else y2 - 1)
        return dt.date(y1, m1, int(g[0])), dt.date(y2, m2, int(g[3]))
    if kind == "range_months":
        m1, m2 = _M[g[0].lower()], _M[g[1].lower()]
        y2 = _year(g[2], m2, report)
        y1 = y2 if m1 <= m2 else y2 - 1
        return dt.date(y1, m1, 1), dt.date(y2, m2, calendar.monthrange(y2, m2)[1])
    if kind == "range_third_month_years":  # "from late December 2019 to January 2020"
        m1, m2 = _M[g[1].lower()], _M[g[3].lower()]
        y1, y2 = int(g[2]), int(g[4])
        start_day = {"early": 1, "mid": 11, "late": 21}[g[0].lower()]
        return dt.date(y1, m1, start_day), dt.date(y2, m2, calendar.monthrange(y2, m2)[1])
    if kind == "range_month_years":
        m1, m2 = _M[g[0].lower()], _M[g[3].lower()]
        y1, y2 = int(g[1]), int(g[4])
        last = calendar.monthrange(y2, m2)[1]
        end_day = {"early": 10, "mid": 20, "late": last}.get((g[2] or "").lower(), last)
        return dt.date(y1, m1, 1), dt.date(y2, m2, end_day)
    if kind == "units_to":  # "in the ten months up to 19 October 2022": 19 December 2021 to 19 October 2022
        n = _count(g[0])
        month = _M[g[3].lower()]
        end = dt.date(_year(g[4], month, report), month, int(g[2]))
        if g[1].lower() == "months":
            return _back(end, n, "month"), end
        return end - dt.timedelta(days=n - 1), end
    if kind == "weeks_to":  # "in the week to 9 February": the seven days ending that day
        weeks = _count(g[0] or "one")
        month = _M[g[2].lower()]
        end = dt.date(_year(g[3], month, report), month, int(g[1]))
        return end - dt.timedelta(days=7 * weeks - 1), end
    if kind == "within_days":  # "within three days from 9 February": that day and the two after it
        days = _count(g[0])
        month = _M[g[2].lower()]
        start = dt.date(_year(g[3], month, report), month, int(g[1]))
        return start, start + dt.timedelta(days=days - 1)
    if kind == "since":
        month = _M[g[1].lower()]
        return dt.date(_year(g[2], month, report), month, int(g[0])), report
    if kind == "range_years":
        return dt.date(int(g[0]), 1, 1), dt.date(int(g[1]), 12, 31)
    if kind == "since_weekday":  # "since Friday"; "since last Friday" on a Friday is a week before
        back = (report.weekday() - _DAYS.index(g[1].lower())) % 7 or (7 if g[0] else 0)
        return report - dt.timedelta(days=back), report
    if kind == "weekday":
        day = report - dt.timedelta(days=(report.weekday() - _DAYS.index(g[0].lower())) % 7)
        return day, day
    if kind in ("month_last_year", "since_month_last_year"):  # "in April last year": that month; with "since": from
        # its first day to the report date
        month, year = _M[g[1].lower()], report.year - 1
        start = dt.date(year, month, 1)
        if g[0].lower() == "since":
            return start, report
        return start, dt.date(year, month, calendar.monthrange(year, month)[1])
    if kind == "month_this_year":  # "in March this year": that month of the report's year
        month = _M[g[0].lower()]
        return dt.date(report.year, month, 1), dt.date(report.year, month, calendar.monthrange(report.year, month)[1])
    if kind == "since_last":  # "since last week": a week (a month) before the report date, to it
        if g[0].lower() == "week":
            return report - dt.timedelta(days=7), report
        y, m = divmod(report.year * 12 + report.month - 2, 12)
        return dt.date(y, m + 1, min(report.day, calendar.monthrange(y, m + 1)[1])), report
    if kind == "since_month":  # "since November 2018"; "since December": the latest one not after the report
        month = _M[g[0].lower()]
        return dt.date(_year(g[1], month, report), month, 1), report
    if kind == "month_list":  # the first day of the first month to the last day of the last
        months = [_M[x.lower()] for x in g[:-1] if x]
        y2 = _year(g[-1], months[-1], report)
        y1 = y2 if months[0] <= months[-1] else y2 - 1
        return dt.date(y1, months[0], 1), dt.date(y2, months[-1], calendar.monthrange(y2, months[-1])[1])
    if kind == "past":  # "in the past week": the seven days ending on the report date
        if not g[0] and g[1].lower().endswith("s"):
            raise ValueError("the past days (months...) with no number: no date the sentence resolves")
        n = _count(g[0] or "one")  # "over the past few months": no date the sentence resolves
        unit = g[1].lower().rstrip("s")
        return _back(report, n, unit), report
    if kind == "in_months":  # "in just three months": the report date minus that many months, to it
        n = _count(g[0])
        return _back(report, n, g[1].lower().rstrip("s")), report
    if kind == "since_began":  # "since the Syrian conflict began in March 2011": that month (year) to the report date
        if g[0]:
            month = _M[g[0].lower()]
            return dt.date(int(g[1]) if g[1] else _year(None, month, report), month, 1), report
        if not g[1]:
            raise ValueError("no month or year")
        return dt.date(int(g[1]), 1, 1), report
    if kind == "range_days_us":  # "between June 11 and 13" (read as "between 11 June and 13")
        month = _M[g[1].lower()]
        year = _year(g[3], month, report)
        return dt.date(year, month, int(g[0])), dt.date(year, month, int(g[2]))
    if kind == "range_month_date":  # "between August 2016 and 20 September 2017"
        m1, m2 = _M[g[0].lower()], _M[g[3].lower()]
        y2 = _year(g[4], m2, report)
        return dt.date(int(g[1]), m1, 1), dt.date(y2, m2, int(g[2]))
    if kind in ("third_since", "third_month"):
        month = _M[g[1].lower()]
        year = _year(g[2], month, report)
        first, last = {"early": (1, 10), "mid": (11, 20), "middle": (11, 20),
                       "late": (21, calendar.monthrange(year, month)[1])}[g[0].lower()]
        if kind == "third_since":
            return dt.date(year, month, first), report
        return dt.date(year, month, first), dt.date(year, month, last)
    if kind == "third_year":
        year = int(g[2])
        start, end = {"early": ((1, 1), (4, 30)), "mid": ((5, 1), (8, 31)), "late": ((9, 1), (12, 31))}[g[1].lower()]
        if g[0].lower() == "since":
            return dt.date(year, *start), report
        if g[0].lower() in ("by",) or g[0].lower().startswith("as"):
            return dt.date(year, *end), dt.date(year, *end)
        return dt.date(year, *start), dt.date(year, *end)
    if kind == "since_ago":
        n = _count(g[0])
        return _back(report, n, g[1].lower().rstrip("s")), report
    if kind == "since_event":
        month = _M[g[1].lower()]
        year = int(g[2]) if g[2] else _year(None, month, report)
        first = {"early": 1, "mid": 11, "late": 21}.get((g[0] or "").lower(), 1)
        return dt.date(year, month, first), report
    if kind == "first_months":
        year = int(g[2]) if g[2][0].isdigit() else report.year
        if g[1].lower() == "half":
            start, end = (dt.date(year, 1, 1), dt.date(year, 6, 30)) if g[0].lower() == "first" else (
                dt.date(year, 7, 1), dt.date(year, 12, 31))
        else:
            n = _count(g[1].split()[0])
            if n > 12 or g[0].lower() != "first":
                raise ValueError(f"not a number of months: {g[1]!r}")
            start, end = dt.date(year, 1, 1), dt.date(year, n, calendar.monthrange(year, n)[1])
        return start, min(end, report) if not g[2][0].isdigit() else end
    if kind == "decade":
        first = int(g[0]) * 10
        return dt.date(first, 1, 1), min(dt.date(first + 9, 12, 31), report)
    if kind == "last_range":
        m1, m2 = _M[g[0].lower()], _M[g[1].lower()]
        y2 = _year(g[2], m2, report)
        return dt.date(report.year - 1, m1, 1), dt.date(y2, m2, calendar.monthrange(y2, m2)[1])
    if kind == "last":
        since, unit = bool(g[0]), g[1].lower()
        if unit == "year":
            start, end = dt.date(report.year - 1, 1, 1), dt.date(report.year - 1, 12, 31)
        elif unit == "month":
            y, m = divmod(report.year * 12 + report.month - 2, 12)
            start, end = dt.date(y, m + 1, 1), dt.date(y, m + 1, calendar.monthrange(y, m + 1)[1])
        elif unit == "week":  # the Monday-to-Sunday week before the report's week
            monday = report - dt.timedelta(days=report.weekday() + 7)
            start, end = monday, monday + dt.timedelta(days=6)
            if since:  # "since <event> last week": a week before the report date (sets 5 and 10a)
                start = report - dt.timedelta(days=7)
        else:  # "last September": that month of the year before the report's year
            month = _M[unit]
            start = dt.date(report.year - 1, month, 1)
            end = dt.date(report.year - 1, month, calendar.monthrange(report.year - 1, month)[1])
        return (start, report) if since else (start, end)
    if kind == "earlier_month":
        return dt.date(report.year, report.month, 1), report
    if kind == "this_period":
        if g[0].lower() == "week":
            return report - dt.timedelta(days=report.weekday()), report
        return dt.date(report.year, report.month, 1), report
    if kind == "days_last_year":
        month = _M[g[2].lower()]
        return dt.date(report.year - 1, month, int(g[0])), dt.date(report.year - 1, month, int(g[1] or g[0]))
    if kind == "since_end":
        month = _M[g[0].lower()]
        year = _year(g[1], month, report)
        return dt.date(year, month, calendar.monthrange(year, month)[1]), report
    if kind == "past_years":  # "over the past two years", "over the last year"
        n = _count(g[0] or "one")
        start = report.replace(year=report.year - n, day=min(report.day, 28) if report.month == 2 else report.day)
        return start, report
    if kind == "week_of_month":  # "the first week of October": days 1-7; "the last week": the last seven
        month = _M[g[1].lower()]
        year = _year(g[2], month, report)
        last = calendar.monthrange(year, month)[1]
        first = {"first": 1, "second": 8, "third": 15, "fourth": 22, "last": last - 6}[g[0].lower()]
        return dt.date(year, month, first), dt.date(year, month, first + 6)
    if kind == "weeks_of_month":  # "the first weeks of November", "two weeks of February": the month
        month = _M[g[0].lower()]
        year = _year(g[1], month, report)
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    if kind == "past_weekend":  # the Saturday and Sunday before the report date (on a Sunday: that weekend)
        sunday = report - dt.timedelta(days=(report.weekday() - 6) % 7)
        return sunday - dt.timedelta(days=1), sunday
    if kind == "past_decades":  # "in the past three decades": the report date thirty years before, to it
        n = _count(g[0])
        return _back(report, 10 * n, "year"), report
    if kind == "since_year":
        year = int(g[0]) if g and g[0] else report.year
        return dt.date(year, 1, 1), report
    if kind == "end_of":
        if not g[0] and not g[1]:
            raise ValueError("no month or year")
        if g[0]:
            month = _M[g[0].lower()]
            year = int(g[1]) if g[1] else _year(None, month, report)
            return (dt.date(year, month, calendar.monthrange(year, month)[1]),) * 2
        return dt.date(int(g[1]), 12, 31), dt.date(int(g[1]), 12, 31)
    if kind == "as_at":
        month = _M[g[1].lower()]
        day = dt.date(_year(g[2], month, report), month, int(g[0]))
        return day, day
    if kind == "month_no_year":
        month = _M[g[0].lower()]
        year = _year(None, month, report)
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    if kind == "day":
        month = _M[g[1].lower()]
        day = dt.date(_year(g[2], month, report), month, int(g[0]))
        return day, day
    if kind == "month":
        month, year = _M[g[0].lower()], int(g[1])
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    if kind == "yesterday":
        return report - dt.timedelta(days=1), report - dt.timedelta(days=1)
    if kind == "ago":  # "just two weeks ago": the report date minus that, one day
        n = _count(g[0])
        day = report - dt.timedelta(days=n * (7 if g[1].lower().startswith("week") else 1))
        return day, day
    year = int(g[0])
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _count(word: str) -> int:
    """ "two" or "2" -> 2; a word that is no number ("few") raises ValueError: the sentence names no period."""
    if word.isdigit():
        return int(word)
    if word.lower() in _WEEKS:
        return _WEEKS[word.lower()]
    raise ValueError(f"not a number: {word!r}")


def _back(report: dt.date, n: int, unit: str) -> dt.date:
    """The report date minus n hours (whole days, at least one), days, weeks, months or years (the same day of the
    month)."""
    if unit in ("month", "year"):  # "since it descended into violence one year ago" (set 16c)
        n = 12 * n if unit == "year" else n
        y, m = divmod(report.year * 12 + report.month - 1 - n, 12)
        return dt.date(y, m + 1, min(report.day, calendar.monthrange(y, m + 1)[1]))
    return report - dt.timedelta(days={"hour": max(1, -(-n // 24)), "day": n, "week": 7 * n}[unit])


def _year(text: str | None, month: int, report: dt.date) -> int:
    if text:
        return int(text)
    return report.year if month <= report.month else report.year - 1
