"""The working-day calendar on real holidays, checked against dates worked out by hand.

Every expected date here was counted by hand from the State Council's notices and checked
against what `chinesecalendar` 1.11.0 says; they are written out, not computed, so that a
change in the package's data or in the counting shows up here.
"""

from datetime import date, datetime

import chinese_calendar
import pytest

from zongzhi.workdays.rules import (
    PACKAGE_YEARS,
    Counting,
    WorkCalendar,
    coverage_warning,
)

CALENDAR = WorkCalendar()


# Spring Festival 2025: holiday Tuesday 01-28 to Tuesday 02-04; worked instead on Sunday
# 01-26 and Saturday 02-08.


def test_five_working_days_from_the_friday_before_spring_festival_2025_end_on_february_7() -> None:
    # Sunday 01-26 and Monday 01-27 are worked, then the holiday, then 02-05, 02-06, 02-07.
    assert CALENDAR.add_working_days(date(2025, 1, 24), 5) == date(2025, 2, 7)


def test_the_adjusted_saturday_after_spring_festival_2025_is_the_sixth_working_day() -> None:
    assert CALENDAR.add_working_days(date(2025, 1, 24), 6) == date(2025, 2, 8)
    assert CALENDAR.add_working_days(date(2025, 1, 24), 7) == date(2025, 2, 10)


def test_the_adjusted_sunday_before_spring_festival_2025_is_the_first_working_day() -> None:
    assert CALENDAR.add_working_days(date(2025, 1, 24), 1) == date(2025, 1, 26)


def test_seven_working_days_lie_from_january_24_to_february_10_2025() -> None:
    assert CALENDAR.working_days_between(date(2025, 1, 24), date(2025, 2, 10)) == 7


def test_no_day_of_the_spring_festival_2025_holiday_is_a_working_day() -> None:
    holiday = [date(2025, 1, 28 + k) for k in range(4)] + [date(2025, 2, k) for k in range(1, 5)]
    assert not any(CALENDAR.is_workday(day) for day in holiday)


# National Day 2025: holiday Wednesday 10-01 to Wednesday 10-08 (Mid-Autumn falls on 10-06);
# worked instead on Sunday 09-28 and Saturday 10-11.


def test_one_working_day_after_the_eve_of_national_day_2025_is_october_9() -> None:
    assert CALENDAR.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)


def test_a_case_accepted_during_the_national_day_holiday_counts_from_its_end() -> None:
    assert CALENDAR.add_working_days(date(2025, 10, 3), 1) == date(2025, 10, 9)


def test_the_adjusted_saturday_after_national_day_2025_is_the_third_working_day() -> None:
    assert CALENDAR.add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)


def test_four_working_days_from_the_friday_before_national_day_2025_end_on_october_9() -> None:
    # Sunday 09-28, Monday 09-29, Tuesday 09-30, then Thursday 10-09.
    assert CALENDAR.add_working_days(date(2025, 9, 26), 4) == date(2025, 10, 9)


def test_six_working_days_lie_across_national_day_2025() -> None:
    # 09-28, 09-29, 09-30, 10-09, 10-10, 10-11.
    assert CALENDAR.working_days_between(date(2025, 9, 26), date(2025, 10, 12)) == 6


def test_counting_backwards_gives_the_negative_count() -> None:
    assert CALENDAR.working_days_between(date(2025, 10, 12), date(2025, 9, 26)) == -6


def test_an_adjusted_saturday_is_a_working_day_and_an_ordinary_saturday_is_not() -> None:
    assert CALENDAR.is_workday(date(2025, 10, 11)) is True
    assert CALENDAR.is_workday(date(2025, 10, 18)) is False


def test_an_ordinary_weekday_is_a_working_day_and_a_weekday_holiday_is_not() -> None:
    assert CALENDAR.is_workday(date(2025, 10, 10)) is True
    assert CALENDAR.is_workday(date(2025, 10, 8)) is False


def test_zero_working_days_is_the_start_itself_even_on_a_holiday() -> None:
    assert CALENDAR.add_working_days(date(2025, 10, 3), 0) == date(2025, 10, 3)


def test_a_negative_period_is_refused() -> None:
    with pytest.raises(ValueError):
        CALENDAR.add_working_days(date(2025, 10, 3), -1)
    with pytest.raises(ValueError):
        CALENDAR.add_calendar_days(date(2025, 10, 3), -1)


def test_a_datetime_is_refused_because_its_day_depends_on_the_time_zone() -> None:
    with pytest.raises(TypeError):
        CALENDAR.is_workday(datetime(2025, 10, 9, 23, 30))


# Policies count in working days or calendar days.


def test_a_policy_in_calendar_days_counts_through_the_holiday_but_does_not_end_in_it() -> None:
    # Three calendar days from 30 September end on 3 October, inside the 2025 National Day
    # holiday (1–8 October), so the period ends on Thursday 9 October (民法典 Art. 203).
    assert CALENDAR.deadline(date(2025, 9, 30), 3, Counting.CALENDAR_DAYS) == date(2025, 10, 9)


def test_a_calendar_day_period_ending_on_an_adjusted_working_saturday_ends_there() -> None:
    # Saturday 11 October 2025 is worked (调休), so a period ending on it ends on it.
    assert CALENDAR.deadline(date(2025, 10, 1), 10, Counting.CALENDAR_DAYS) == date(2025, 10, 11)


def test_a_sixty_day_petition_period_ending_in_the_spring_festival_ends_after_it() -> None:
    # Accepted 2025-12-18; 60 days on is 2026-02-16, the eve of the 2026 Spring Festival
    # holiday (15–23 February), so the limit falls on Tuesday 24 February.
    assert CALENDAR.deadline(date(2025, 12, 18), 60, Counting.CALENDAR_DAYS) == date(2026, 2, 24)


def test_a_policy_in_working_days_skips_the_holiday() -> None:
    assert CALENDAR.deadline(date(2025, 9, 30), 3, Counting.WORKING_DAYS) == date(2025, 10, 11)


def test_a_policy_stored_as_text_counts_the_same() -> None:
    assert CALENDAR.deadline(date(2025, 9, 30), 3, "working_days") == date(2025, 10, 11)
    with pytest.raises(ValueError):
        CALENDAR.deadline(date(2025, 9, 30), 3, "lunar_days")


# The package's years, and the years after them.


def test_the_package_covers_2004_to_2026_and_refuses_the_years_around() -> None:
    assert (PACKAGE_YEARS.start, PACKAGE_YEARS[-1]) == (2004, 2026)
    assert chinese_calendar.is_workday(date(2026, 12, 31)) is True
    for outside in (date(2003, 12, 31), date(2027, 1, 4)):
        with pytest.raises(NotImplementedError):
            chinese_calendar.is_workday(outside)


def test_without_entries_2027_falls_back_to_weekends_and_is_reported_uncovered() -> None:
    assert CALENDAR.covers(2026) is True
    assert CALENDAR.covers(2027) is False
    assert CALENDAR.last_covered_year() == 2026
    # Monday 2027-01-04 and Friday 2027-01-01 work, Saturday 2027-01-09 rests.
    assert CALENDAR.is_workday(date(2027, 1, 1)) is True
    assert CALENDAR.is_workday(date(2027, 1, 4)) is True
    assert CALENDAR.is_workday(date(2027, 1, 9)) is False
    # From Thursday 2026-12-31: 01-01 (Fri), 01-04 (Mon), 01-05 (Tue).
    deadline = CALENDAR.add_working_days(date(2026, 12, 31), 3)
    assert deadline == date(2027, 1, 5)
    assert CALENDAR.uncovered_years_touched(date(2026, 12, 31), deadline) == (2027,)
    assert CALENDAR.uncovered_years_touched(date(2025, 9, 30), date(2025, 10, 9)) == ()


def test_entries_for_2027_move_the_deadline_and_cover_the_year() -> None:
    calendar = WorkCalendar(
        {
            date(2027, 1, 1): False,  # Friday, New Year's Day
            date(2027, 1, 4): False,  # Monday, declared a holiday
            date(2027, 1, 9): True,  # Saturday, declared a working day
        }
    )
    assert calendar.covers(2027) is True
    assert calendar.last_covered_year() == 2027
    assert calendar.uncovered_years_touched(date(2026, 12, 31), date(2027, 1, 12)) == ()
    # From Thursday 2026-12-31: 01-05 (Tue), 01-06, 01-07, 01-08, 01-09 (the Saturday).
    assert calendar.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 5)
    assert calendar.add_working_days(date(2026, 12, 31), 5) == date(2027, 1, 9)
    assert calendar.add_working_days(date(2026, 12, 31), 6) == date(2027, 1, 11)


def test_an_adjusted_workday_alone_does_not_cover_a_year() -> None:
    calendar = WorkCalendar({date(2027, 1, 9): True})
    assert calendar.covers(2027) is False
    assert calendar.is_workday(date(2027, 1, 9)) is True


def test_a_later_year_entered_does_not_extend_coverage_past_a_missing_one() -> None:
    calendar = WorkCalendar({date(2028, 1, 1): False})
    assert calendar.covers(2028) is True
    assert calendar.last_covered_year() == 2026
    assert calendar.uncovered_years_touched(date(2026, 12, 1), date(2028, 2, 1)) == (2027,)


def test_an_entry_beats_the_package() -> None:
    # Monday 2026-03-02 is an ordinary working day to the package; Sunday 2026-01-04 is
    # an adjusted workday (after New Year's Day 2026).
    assert chinese_calendar.is_workday(date(2026, 3, 2)) is True
    assert chinese_calendar.is_workday(date(2026, 1, 4)) is True
    calendar = WorkCalendar({date(2026, 3, 2): False, date(2026, 1, 4): False})
    assert calendar.is_workday(date(2026, 3, 2)) is False
    assert calendar.is_workday(date(2026, 1, 4)) is False
    # From Friday 2026-02-27: Saturday 02-28 is an adjusted workday, then 03-02 is skipped.
    assert calendar.add_working_days(date(2026, 2, 27), 1) == date(2026, 2, 28)
    assert calendar.add_working_days(date(2026, 2, 27), 2) == date(2026, 3, 3)
    assert CALENDAR.add_working_days(date(2026, 2, 27), 2) == date(2026, 3, 2)


# The warning for administrators.

MISSING_2027 = (
    "2027年的节假日安排尚未录入：截止日期将按周末休息估算。"
    "请在“节假日调整”中录入国务院办公厅公布的安排。"
)


def test_administrators_are_warned_from_october_before_an_unentered_year() -> None:
    assert coverage_warning(CALENDAR, date(2026, 9, 30)) is None
    assert coverage_warning(CALENDAR, date(2026, 10, 1)) == MISSING_2027
    assert coverage_warning(CALENDAR, date(2026, 12, 31)) == MISSING_2027


def test_administrators_are_warned_all_through_a_year_that_was_never_entered() -> None:
    assert coverage_warning(CALENDAR, date(2027, 3, 1)) == MISSING_2027


def test_no_warning_once_the_coming_year_has_a_holiday_entered() -> None:
    calendar = WorkCalendar({date(2027, 1, 1): False})
    assert coverage_warning(calendar, date(2026, 11, 23)) is None


def test_no_warning_early_in_a_covered_year() -> None:
    assert coverage_warning(CALENDAR, date(2026, 3, 1)) is None
