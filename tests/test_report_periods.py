"""Period forms read from report sentences (etl.extract.periods), including the two the first held-aside set missed."""
from __future__ import annotations

import datetime as dt

import pytest

from etl.extract import numbers, periods

D = dt.date


@pytest.mark.parametrize(("sentence", "report", "expected"), [
    ("Some 35,000 families fled in the week to 9 February 2020.", D(2020, 3, 1), (D(2020, 2, 3), D(2020, 2, 9))),
    ("They fled in the week ending 9 February.", D(2020, 3, 1), (D(2020, 2, 3), D(2020, 2, 9))),
    ("They fled over the two weeks to 14 February.", D(2020, 3, 1), (D(2020, 2, 1), D(2020, 2, 14))),
    ("They returned after 5 March 2020.", D(2020, 4, 1), (D(2020, 3, 5), D(2020, 4, 1))),
    ("They returned after 28 December.", D(2020, 1, 10), (D(2019, 12, 28), D(2020, 1, 10))),
    ("They fled since 1 December.", D(2020, 2, 13), (D(2019, 12, 1), D(2020, 2, 13))),
    # forms the train folds of sets 18 and 20 had and the reader did not (project-written, twenty-fifth session)
    ("700 refugees entered the camp in the first week of October.", D(2016, 12, 31), (D(2016, 10, 1), D(2016, 10, 7))),
    ("In the first weeks of November, 1,250 people entered Peru.", D(2018, 11, 30), (D(2018, 11, 1), D(2018, 11, 30))),
    ("In just two weeks of February, 20,000 refugees entered.", D(2014, 3, 12), (D(2014, 2, 1), D(2014, 2, 28))),
    ("In the first half of the year, 70,000 were displaced.", D(2011, 12, 31), (D(2011, 1, 1), D(2011, 6, 30))),
    ("2,870 families returned during the first five months of the year.", D(2000, 7, 5),
     (D(2000, 1, 1), D(2000, 5, 31))),
    ("84,000 returned in the course of 2011.", D(2012, 3, 23), (D(2011, 1, 1), D(2011, 12, 31))),
    ("18,500 people were displaced this past weekend.", D(2020, 6, 8), (D(2020, 6, 6), D(2020, 6, 7))),  # a Monday
    ("One million fled this past year.", D(2020, 4, 11), (D(2019, 4, 11), D(2020, 4, 11))),
    ("Five million crossed in the past three decades.", D(2014, 12, 31), (D(1984, 12, 31), D(2014, 12, 31))),
    ("Since warfare began in the middle of April 2023, 2,865 returned.", D(2023, 7, 31),
     (D(2023, 4, 11), D(2023, 7, 31))),
    ("Following the start of flights four months ago, 81,296 returned.", D(2020, 9, 28),
     (D(2020, 5, 28), D(2020, 9, 28))),
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
    # "the past N units" is the report date minus N units, the same day (the convention of sets 7a, 8a, 8c and 9;
    # these three first expected the report day counted in, one day later)
    ("In the past week, 35,000 people crossed.", D(2020, 3, 5), (D(2020, 2, 27), D(2020, 3, 5))),
    ("They fled over the last two months.", D(2020, 2, 29), (D(2019, 12, 29), D(2020, 2, 29))),
    ("They fled in the past 24 hours.", D(2019, 10, 12), (D(2019, 10, 11), D(2019, 10, 12))),
    ("Since January 2014, 3.1 million were displaced.", D(2016, 6, 30), (D(2014, 1, 1), D(2016, 6, 30))),
    ("Since 2014, 3.1 million were displaced.", D(2016, 6, 30), (D(2014, 1, 1), D(2016, 6, 30))),
    ("So far this year 9,000 returned.", D(2016, 6, 30), (D(2016, 1, 1), D(2016, 6, 30))),
    ("The 350,000 people displaced since December.", D(2020, 1, 31), (D(2019, 12, 1), D(2020, 1, 31))),
    ("Returnees reached 1,500,000 by the end of March 2019.", D(2019, 4, 30), (D(2019, 3, 31), D(2019, 3, 31))),
    ("Refugees numbered 3.6 million at the end of 2019.", D(2020, 3, 1), (D(2019, 12, 31), D(2019, 12, 31))),
    ("Since the start of the military operation on 9 October, 180,000 fled.", D(2019, 10, 31),
     (D(2019, 10, 9), D(2019, 10, 31))),
    # forms of sets 9 and 10 (written by the project in their wording), 2026-11-27
    ("27,400 have returned since mid October 2018.", D(2018, 10, 20), (D(2018, 10, 11), D(2018, 10, 20))),
    ("In early 2019, 5,000 people returned.", D(2019, 12, 31), (D(2019, 1, 1), D(2019, 4, 30))),
    ("Some 10,000 people were displaced last month alone.", D(2021, 10, 23), (D(2021, 9, 1), D(2021, 9, 30))),
    ("Last week alone, 110,000 people returned.", D(2022, 3, 29), (D(2022, 3, 21), D(2022, 3, 27))),
    ("About 200,000 people fled since last month.", D(2024, 10, 29), (D(2024, 9, 1), D(2024, 10, 29))),
    ("Last year, Uganda received 500,000 refugees.", D(2017, 12, 31), (D(2016, 1, 1), D(2016, 12, 31))),
    ("1.6 million were displaced since the escalation of fighting in October 2023.", D(2024, 7, 1),
     (D(2023, 10, 1), D(2024, 7, 1))),
    ("34,000 returned in the first eight months of 2024.", D(2024, 12, 9), (D(2024, 1, 1), D(2024, 8, 31))),
    ("DTM identified 3,320,844 IDPs from 1 January 2014 through 4 February 2016.", D(2016, 2, 4),
     (D(2014, 1, 1), D(2016, 2, 4))),
    ("1,758 families fled between June 11 and 13.", D(2016, 6, 30), (D(2016, 6, 11), D(2016, 6, 13))),
    ("400,000 refugees have entered since the Syrian conflict began in March 2011.", D(2013, 5, 31),
     (D(2011, 3, 1), D(2013, 5, 31))),
    ("Thousands have crossed since a build-up earlier this month.", D(2017, 8, 24), (D(2017, 8, 1), D(2017, 8, 24))),
    # forms of sets 1-10 and 12 (train), fifteenth session
    ("They have fled since the beginning of the month.", D(2018, 9, 13), (D(2018, 9, 1), D(2018, 9, 13))),
    ("About 1,000 people arrived in just 24 hours.", D(2023, 4, 10), (D(2023, 4, 9), D(2023, 4, 10))),
    ("Families have spent the past five years in camps.", D(2019, 12, 31), (D(2014, 12, 31), D(2019, 12, 31))),
    ("Hostilities in Ramadi on 8 April 2015 through 15 June displaced them.", D(2015, 6, 20),
     (D(2015, 4, 8), D(2015, 6, 15))),
    ("They fled on 20 December 2019 until 3 January.", D(2020, 2, 1), (D(2019, 12, 20), D(2020, 1, 3))),
    ("Almost 30,000 people crossed yesterday.", D(2022, 2, 26), (D(2022, 2, 25), D(2022, 2, 25))),
    ("Over the course of the last 4 days, 1,500 families were displaced.", D(2018, 9, 24),
     (D(2018, 9, 20), D(2018, 9, 24))),
    ("Over 1.2 million have been displaced over the last year.", D(2024, 10, 4), (D(2023, 10, 4), D(2024, 10, 4))),
    ("192,000 fled from last September to January.", D(2015, 2, 16), (D(2014, 9, 1), D(2015, 1, 31))),
    ("More than 2,700 were deported in just three months.", D(2019, 8, 27), (D(2019, 5, 27), D(2019, 8, 27))),
    # forms of set 15 (train), sixteenth session
    ("80,000 people were displaced between December 2017 and mid-March 2018.", D(2018, 3, 29),
     (D(2017, 12, 1), D(2018, 3, 20))),
    ("More than one million have been displaced in the ten months up to October 19, 2022.", D(2022, 10, 27),
     (D(2021, 12, 19), D(2022, 10, 19))),
    ("Some 900 families arrived in the 30 days to 5 March.", D(2020, 3, 10), (D(2020, 2, 5), D(2020, 3, 5))),
    # forms of sets 18 and 20 (train), twenty-third session; sentences written by the project
    ("Some 800 families arrived from March 7th to 13th.", D(2024, 3, 17), (D(2024, 3, 7), D(2024, 3, 13))),
    ("Between only 3 and 9 October 2021, some 500 households were displaced.", D(2021, 10, 13),
     (D(2021, 10, 3), D(2021, 10, 9))),
    ("From late December 2019 to January 2020, clashes forced 16,000 people to flee.", D(2020, 3, 16),
     (D(2019, 12, 21), D(2020, 1, 31))),
    ("In December 2021 and January 2022 alone, 50,000 people arrived.", D(2022, 4, 15),
     (D(2021, 12, 1), D(2022, 1, 31))),
    ("The 236 arrivals recorded from February 2021 to date.", D(2021, 5, 5), (D(2021, 2, 1), D(2021, 5, 5))),
    ("Some 300 people arrived from 3 May to date.", D(2021, 6, 1), (D(2021, 5, 3), D(2021, 6, 1))),
    ("During the month of February 2020, 7,000 refugees arrived.", D(2020, 3, 20), (D(2020, 2, 1), D(2020, 2, 29))),
    ("During the month of July, 280,000 people were displaced.", D(2016, 8, 31), (D(2016, 7, 1), D(2016, 7, 31))),
    ("The conflict that broke out in December 2013 has displaced 440,000 people.", D(2015, 5, 31),
     (D(2013, 12, 1), D(2015, 5, 31))),
    ("Two nights ago, about 10,000 people were sheltering here.", D(2017, 8, 31), (D(2017, 8, 29), D(2017, 8, 29))),
    # a month of the year before the report's (settled period rule 8, twenty-fourth session)
    ("More than 680,000 people have arrived since April last year.", D(2023, 12, 31), (D(2022, 4, 1), D(2023, 12, 31))),
    ("In April last year, some 5,000 people fled.", D(2023, 12, 31), (D(2022, 4, 1), D(2022, 4, 30))),
    # "the same period last year" with no period of its own in the sentence: the year before the report's (rule 2)
    ("Arrivals rose by 2,000 compared with the same period last year.", D(2024, 7, 7),
     (D(2023, 1, 1), D(2023, 12, 31))),
])
def test_period_forms(sentence, report, expected):
    (found,) = periods.find(sentence, report)
    assert (found.start, found.end) == expected


def test_a_vague_span_is_not_a_period():
    """ "over the past few months", "in the past days" and "by the end of the year" name no date the sentence
    resolves."""
    assert periods.find("The number has doubled over the past few months.", D(2013, 5, 7)) == []
    assert periods.find("They are expected to return by the end of the year.", D(2019, 12, 31)) == []
    # "in the past days" (a plural with no number) names none either; "in the past week" does
    assert periods.find("Thousands have fled their homes in the past days.", D(2009, 6, 30)) == []
    assert periods.find("Some 20 returned in the past months.", D(2016, 5, 31)) == []


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


@pytest.mark.parametrize(("sentence", "values"), [
    # one digit and a space-grouped thousand after a lower-case word is one number (set 15's jd023, jd025)
    ("At least 1 200 of the more than 100 000 people displaced have returned.", [1200, 100000]),
    ("We have transported 1 200 persons to Bama.", [1200]),
    # after a name it is the name's number and a count
    ("Camp 7 120 families live here.", [7, 120]),
    # thousands grouped by a comma and a space (set 15's jd055)
    ("The number of refugees at the camp has hit 60, 000, from about 50, 000 last August.", [60000, 50000]),
])
def test_space_grouped_thousands(sentence, values):
    assert [m.value for m in numbers.find(sentence)] == values


def test_the_same_period_last_year_is_the_sentences_own_period_a_year_earlier():
    """Settled period rule 2 (twenty-fourth session): "In May alone ..., the same period last year ..." is May of the
    year before; a leap day moves to 28 February."""
    found = periods.find("In May alone, some 4,220 refugees returned, twice as many as during the same period last "
                         "year when 2,062 returned.", D(2024, 7, 7))
    assert [(p.start, p.end) for p in found] == [(D(2024, 5, 1), D(2024, 5, 31)), (D(2023, 5, 1), D(2023, 5, 31))]
    found = periods.find("Between 1 and 29 February 2024, 500 arrived, against 300 in the same period of last year.",
                         D(2024, 7, 7))
    assert [(p.start, p.end) for p in found] == [(D(2024, 2, 1), D(2024, 2, 29)), (D(2023, 2, 1), D(2023, 2, 28))]
