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
])
def test_period_forms(sentence, report, expected):
    (found,) = periods.find(sentence, report)
    assert (found.start, found.end) == expected


def test_a_week_count_that_is_not_a_number_is_not_a_period():
    assert periods.find("They fled in the latest week to 9 February.", D(2020, 3, 1)) == []


def test_after_a_date_later_than_the_report_is_not_a_period():
    assert periods.find("Returns are expected after 5 March.", D(2020, 3, 1)) == []
