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
])
def test_period_forms(sentence, report, expected):
    (found,) = periods.find(sentence, report)
    assert (found.start, found.end) == expected


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
