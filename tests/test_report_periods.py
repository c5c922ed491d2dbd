"""Period forms read from report sentences (etl.extract.periods), including the two the first held-aside set missed."""
from __future__ import annotations

import datetime as dt

import pytest

from etl.extract import periods

D = dt.date


@pytest.mark.parametrize(("sentence", "report", "expected"), [
    ("Some 35,000 families fled in the week to 9 February 2020.", D(2020, 3, 1), (D(2020, 2, 3), D(2020, 2, 9))),
    ("They fled in the week ending 9 February.", D(2020, 3, 1), (D(2020, 2, 3), D(2020, 2, 9))),
    ("They fled over the two weeks to 14 February.", D(2020, 3, 1), (D(2020, 2, 1), D(2020, 2, 14))),
    ("They returned after 5 March 2020.", D(2020, 4, 1), (D(2020, 3, 5), D(2020, 4, 1))),
    ("They returned after 28 December.", D(2020, 1, 10), (D(2019, 12, 28), D(2020, 1, 10))),
    ("They fled since 1 December.", D(2020, 2, 13), (D(2019, 12, 1), D(2020, 2, 13))),
    # forms of the third labelled set (train), 2026-11-25
    ("40,000 were displaced between 12-17 February.", D(2020, 2, 18), (D(2020, 2, 12), D(2020, 2, 17))),
    ("Displaced since December 1, 2019, to February 17, reached 875,000.", D(2020, 2, 18),
     (D(2019, 12, 1), D(2020, 2, 17))),
    ("Some 143,000 people displaced within three days from 9 February.", D(2020, 6, 9),
     (D(2020, 2, 9), D(2020, 2, 11))),
    ("As of August 15, 2015, there were 262,134 refugees.", D(2015, 9, 1), (D(2015, 8, 15), D(2015, 8, 15))),
    ("In February, communities saw 83,665 arrivals.", D(2018, 2, 28), (D(2018, 2, 1), D(2018, 2, 28))),
    ("Some 53,540 displaced since November 2015.", D(2016, 3, 1), (D(2015, 11, 1), D(2016, 3, 1))),
    ("As of January 2015, 330,000 refugees.", D(2015, 8, 15), (D(2015, 1, 1), D(2015, 1, 31))),
    # forms of UNHCR, IOM DTM and OCHA reports and news (set 4 and project-written train sentences), 2026-11-26
    ("81,000 were in Turkey by September 2014.", D(2014, 9, 30), (D(2014, 9, 1), D(2014, 9, 30))),
    ("On the 1 December the SDF opened a corridor.", D(2018, 12, 14), (D(2018, 12, 1), D(2018, 12, 1))),
    ("Data were collected during the months of March and April 2019.", D(2019, 4, 30),
     (D(2019, 3, 1), D(2019, 4, 30))),
    ("The round covers May, June and July 2021.", D(2021, 7, 31), (D(2021, 5, 1), D(2021, 7, 31))),
    ("Some 5,000 people returned in January-April 2019.", D(2019, 6, 1), (D(2019, 1, 1), D(2019, 4, 30))),
    ("In the past week, 35,000 people crossed.", D(2020, 3, 5), (D(2020, 2, 28), D(2020, 3, 5))),
    ("They fled over the last two months.", D(2020, 2, 29), (D(2019, 12, 30), D(2020, 2, 29))),
    ("They fled in the past 24 hours.", D(2019, 10, 12), (D(2019, 10, 12), D(2019, 10, 12))),
    ("Since January 2014, 3.1 million were displaced.", D(2016, 6, 30), (D(2014, 1, 1), D(2016, 6, 30))),
    ("Since 2014, 3.1 million were displaced.", D(2016, 6, 30), (D(2014, 1, 1), D(2016, 6, 30))),
    ("So far this year 9,000 returned.", D(2016, 6, 30), (D(2016, 1, 1), D(2016, 6, 30))),
    ("The 350,000 people displaced since December.", D(2020, 1, 31), (D(2019, 12, 1), D(2020, 1, 31))),
    ("Returnees reached 1,500,000 by the end of March 2019.", D(2019, 4, 30), (D(2019, 3, 31), D(2019, 3, 31))),
    ("Refugees numbered 3.6 million at the end of 2019.", D(2020, 3, 1), (D(2019, 12, 31), D(2019, 12, 31))),
    ("Since the start of the military operation on 9 October, 180,000 fled.", D(2019, 10, 31),
     (D(2019, 10, 9), D(2019, 10, 31))),
])
def test_period_forms(sentence, report, expected):
    (found,) = periods.find(sentence, report)
    assert (found.start, found.end) == expected


def test_a_vague_span_is_not_a_period():
    """ "over the past few months" and "by the end of the year" name no date the sentence resolves."""
    assert periods.find("The number has doubled over the past few months.", D(2013, 5, 7)) == []
    assert periods.find("They are expected to return by the end of the year.", D(2019, 12, 31)) == []


def test_a_week_count_that_is_not_a_number_is_not_a_period():
    assert periods.find("They fled in the latest week to 9 February.", D(2020, 3, 1)) == []


def test_after_a_date_later_than_the_report_is_not_a_period():
    assert periods.find("Returns are expected after 5 March.", D(2020, 3, 1)) == []


def test_as_at_ends_an_open_period():
    """ "since 1 February ... (figures as at 22 February)": the count runs to the as-at day, not the report date."""
    from etl.extract.figures import _nearest_period
    from etl.extract.numbers import find as numbers_find
    sentence = "There have been 63,702 newly displaced persons since 1 February (figures as at 22 February)."
    (mention,) = numbers_find(sentence)
    found = _nearest_period(periods.find(sentence, D(2016, 3, 1)), mention)
    assert (found.start, found.end) == (D(2016, 2, 1), D(2016, 2, 22))
