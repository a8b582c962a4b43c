"""Due dates as people write them, and the working calendar nudges keep to."""

from datetime import UTC, date, datetime

import pytest

from knowledge.dates import DueDateError, parse_due
from knowledge.workdays import (
    add_working_days,
    in_working_hours,
    is_working_day,
    next_nudge_instant,
    nudge_instant,
)

MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 Dec", date(2026, 12, 12)),
        ("2026-12-12", date(2026, 12, 12)),
        ("friday", date(2026, 11, 27)),
        ("next tuesday", date(2026, 11, 24)),
        ("in 2 weeks", date(2026, 12, 7)),
        ("end of month", date(2026, 11, 30)),
        ("end of next month", date(2026, 12, 31)),
        ("end of week", date(2026, 11, 27)),
        ("3 Jan", date(2027, 1, 3)),
        ("31/12/2026", date(2026, 12, 31)),
        ("today", MONDAY),
    ],
)
def test_dates_people_write(text, expected):
    assert parse_due(text, MONDAY) == expected


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("yesterday", "has already passed"),
        ("2026-01-01", "has already passed"),
        ("in 30 years", "more than two years away"),
        ("whenever", "can't read"),
        ("", "When is it due"),
    ],
)
def test_dates_that_cannot_be_used_say_why_with_examples(text, said):
    with pytest.raises(DueDateError) as error:
        parse_due(text, MONDAY)
    assert said in str(error.value) and "`12 Dec`" in str(error.value)


@pytest.mark.parametrize("text", ["20 Nov", "20/11", "1st of November", "Sept 30"])
def test_a_date_that_just_passed_is_asked_about_not_moved_a_year(text):
    with pytest.raises(DueDateError, match="has just passed. If you meant next year, say so"):
        parse_due(text, MONDAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20 Nov 2027", date(2027, 11, 20)),  # said so
        ("1 Jan", date(2027, 1, 1)),  # next year's, not just gone
        ("in 11 months", date(2027, 10, 23)),  # a span, not a calendar date
        ("30 Jun", date(2027, 6, 30)),  # months ago: next June
    ],
)
def test_next_years_dates_still_read(text, expected):
    assert parse_due(text, MONDAY) == expected


def test_weekends_and_bank_holidays_are_not_working_days():
    assert not is_working_day(date(2026, 11, 28))  # Saturday
    assert not is_working_day(date(2026, 12, 25)) and not is_working_day(date(2026, 12, 28))
    assert is_working_day(date(2027, 1, 4))
    assert not is_working_day(date(2026, 11, 30), "SCT")  # St Andrew's Day, Scotland only
    assert is_working_day(date(2026, 11, 30), "ENG")
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)


def test_nudges_are_at_half_past_nine_local_across_daylight_saving():
    # London is UTC+0 in winter and UTC+1 in summer; New York changes on another Sunday.
    assert nudge_instant(date(2026, 3, 27), "Europe/London") == datetime(
        2026, 3, 27, 9, 30, tzinfo=UTC
    )
    assert nudge_instant(date(2026, 3, 30), "Europe/London") == datetime(
        2026, 3, 30, 8, 30, tzinfo=UTC
    )
    assert nudge_instant(date(2026, 3, 16), "America/New_York") == datetime(
        2026, 3, 16, 13, 30, tzinfo=UTC
    )
    assert nudge_instant(date(2026, 3, 6), "America/New_York") == datetime(
        2026, 3, 6, 14, 30, tzinfo=UTC
    )
    assert nudge_instant(date(2026, 3, 6), "Not/AZone") == datetime(2026, 3, 6, 9, 30, tzinfo=UTC)


def test_out_of_hours_waits_for_the_next_working_morning():
    friday_night = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)
    assert not in_working_hours(friday_night, "Europe/London")
    assert next_nudge_instant(friday_night, "Europe/London") == datetime(
        2026, 11, 30, 9, 30, tzinfo=UTC
    )
    tuesday_ten = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert next_nudge_instant(tuesday_ten, "Europe/London") == tuesday_ten
