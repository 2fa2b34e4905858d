"""Properties of counting that hold on any day, in the package's years and after them."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from zongzhi.workdays.rules import Counting, WorkCalendar

CALENDAR = WorkCalendar()

# Starts in the package's years, early enough that the longest period still ends in 2026.
covered_days = st.dates(min_value=date(2005, 1, 1), max_value=date(2026, 6, 30))
# Years no data covers: counted by weekends alone.
uncovered_days = st.dates(min_value=date(2027, 1, 1), max_value=date(2030, 6, 30))
periods = st.integers(min_value=0, max_value=60)


@given(covered_days, st.integers(min_value=1, max_value=60))
def test_a_deadline_in_working_days_always_falls_on_a_working_day(start: date, n: int) -> None:
    assert CALENDAR.is_workday(CALENDAR.add_working_days(start, n))


@given(covered_days, periods)
def test_one_more_working_day_is_always_a_later_date(start: date, n: int) -> None:
    assert CALENDAR.add_working_days(start, n) < CALENDAR.add_working_days(start, n + 1)


@given(covered_days, periods)
def test_no_working_day_is_skipped_between_consecutive_deadlines(start: date, n: int) -> None:
    this, following = CALENDAR.add_working_days(start, n), CALENDAR.add_working_days(start, n + 1)
    between = [this + timedelta(days=k) for k in range(1, (following - this).days)]
    assert not any(CALENDAR.is_workday(day) for day in between)


@given(covered_days, periods)
def test_counting_the_working_days_up_to_a_deadline_gives_back_the_period(
    start: date, n: int
) -> None:
    assert CALENDAR.working_days_between(start, CALENDAR.add_working_days(start, n)) == n


@given(covered_days)
def test_zero_working_days_is_the_start_itself(start: date) -> None:
    assert CALENDAR.add_working_days(start, 0) == start


@given(covered_days, covered_days)
def test_counting_backwards_is_the_negative_of_counting_forwards(a: date, b: date) -> None:
    assert CALENDAR.working_days_between(a, b) == -CALENDAR.working_days_between(b, a)


@given(covered_days, st.integers(min_value=0, max_value=400))
def test_a_calendar_day_period_ends_n_days_on_or_the_next_working_day(start: date, n: int) -> None:
    plain = start + timedelta(days=n)
    end = CALENDAR.deadline(start, n, Counting.CALENDAR_DAYS)
    assert end >= plain
    assert CALENDAR.is_workday(end)
    # Every day it moved past was a rest day.
    assert not any(
        CALENDAR.is_workday(plain + timedelta(days=k)) for k in range((end - plain).days)
    )


@given(covered_days, periods)
def test_a_policy_in_working_days_counts_as_add_working_days(start: date, n: int) -> None:
    assert CALENDAR.deadline(start, n, Counting.WORKING_DAYS) == CALENDAR.add_working_days(start, n)


@given(uncovered_days, periods)
def test_after_the_package_weekdays_work_and_weekends_rest_and_it_is_reported(
    start: date, n: int
) -> None:
    deadline = CALENDAR.add_working_days(start, n)
    days = [start + timedelta(days=k) for k in range(1, (deadline - start).days + 1)]
    assert sum(day.weekday() < 5 for day in days) == n
    assert n == 0 or deadline.weekday() < 5
    assert CALENDAR.working_days_between(start, deadline) == n
    assert CALENDAR.uncovered_years_touched(start, deadline) == tuple(
        range(start.year, deadline.year + 1)
    )


@given(
    st.dictionaries(
        st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)), st.booleans()
    ),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
)
def test_an_entry_always_decides_its_day_and_leaves_other_days_alone(
    overrides: dict[date, bool], day: date
) -> None:
    calendar = WorkCalendar(overrides)
    expected = overrides[day] if day in overrides else CALENDAR.is_workday(day)
    assert calendar.is_workday(day) is expected
    for entered, works in overrides.items():
        assert calendar.is_workday(entered) is works


@given(
    st.dictionaries(
        st.dates(min_value=date(2027, 1, 1), max_value=date(2028, 12, 31)),
        st.booleans(),
        max_size=40,
    ),
    st.dates(min_value=date(2026, 10, 1), max_value=date(2028, 6, 30)),
    st.integers(min_value=1, max_value=60),
)
def test_with_any_entries_a_deadline_is_a_working_day_and_counts_back_to_its_period(
    overrides: dict[date, bool], start: date, n: int
) -> None:
    calendar = WorkCalendar(overrides)
    deadline = calendar.add_working_days(start, n)
    assert calendar.is_workday(deadline)
    assert calendar.working_days_between(start, deadline) == n
