"""The periods of "村每周、镇每旬、县每月", across month ends of every length."""

import calendar
import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zongzhi.screening.rules import (
    Cadence,
    Period,
    ReportState,
    period_label,
    period_of,
    periods_between,
    report_state,
)

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
months = st.tuples(st.integers(2000, 2099), st.integers(1, 12))


def month_days(year: int, month: int) -> list[date]:
    last = calendar.monthrange(year, month)[1]
    return [date(year, month, d) for d in range(1, last + 1)]


@pytest.mark.parametrize(
    ("year", "month", "length", "third"),
    [
        (2026, 2, 28, Period(date(2026, 2, 21), date(2026, 2, 28))),
        (2028, 2, 29, Period(date(2028, 2, 21), date(2028, 2, 29))),
        (2026, 4, 30, Period(date(2026, 4, 21), date(2026, 4, 30))),
        (2026, 1, 31, Period(date(2026, 1, 21), date(2026, 1, 31))),
    ],
)
def test_the_third_ten_day_period_runs_to_the_end_of_months_of_every_length(
    year: int, month: int, length: int, third: Period
) -> None:
    periods = periods_between(Cadence.TEN_DAY, date(year, month, 1), date(year, month, length))
    assert periods == [
        Period(date(year, month, 1), date(year, month, 10)),
        Period(date(year, month, 11), date(year, month, 20)),
        third,
    ]
    assert third.days == length - 20
    assert period_of(Cadence.TEN_DAY, date(year, month, length)) == third
    # The day after the month's end starts the next month's first 旬.
    following = date(year, month, length) + timedelta(days=1)
    assert period_of(Cadence.TEN_DAY, following).start == following


def test_ten_day_periods_are_named_as_offices_name_them() -> None:
    assert period_label(Cadence.TEN_DAY, period_of(Cadence.TEN_DAY, date(2028, 2, 29))) == (
        "2028年2月下旬"
    )
    assert period_label(Cadence.TEN_DAY, period_of(Cadence.TEN_DAY, date(2026, 4, 11))) == (
        "2026年4月中旬"
    )
    assert period_label(Cadence.MONTHLY, period_of(Cadence.MONTHLY, date(2026, 1, 31))) == (
        "2026年1月"
    )


@given(months)
def test_every_day_of_a_month_lies_in_exactly_one_ten_day_period(ym: tuple[int, int]) -> None:
    year, month = ym
    month_all = month_days(year, month)
    periods = periods_between(Cadence.TEN_DAY, month_all[0], month_all[-1])
    assert len(periods) == 3
    for day in month_all:
        assert sum(day in p for p in periods) == 1
        assert period_of(Cadence.TEN_DAY, day) in periods
    # Contiguous, and covering the month exactly.
    assert periods[0].start == month_all[0]
    assert periods[-1].end == month_all[-1]
    for before, after in itertools.pairwise(periods):
        assert after.start == before.end + timedelta(days=1)
    assert [p.days for p in periods[:2]] == [10, 10]
    assert periods[2].days in {8, 9, 10, 11}
    assert periods[2].days == len(month_all) - 20


@given(days)
def test_a_day_lies_in_the_period_that_period_of_gives_for_every_cadence(day: date) -> None:
    for cadence in Cadence:
        period = period_of(cadence, day)
        assert day in period
        assert period_of(cadence, period.start) == period
        assert period_of(cadence, period.end) == period
        assert period_of(cadence, period.end + timedelta(days=1)).start == period.end + timedelta(
            days=1
        )


@given(days)
def test_a_week_runs_from_monday_to_sunday(day: date) -> None:
    week = period_of(Cadence.WEEKLY, day)
    assert week.start.weekday() == 0
    assert week.end.weekday() == 6
    assert week.days == 7


@given(months)
def test_a_monthly_period_is_the_whole_month(ym: tuple[int, int]) -> None:
    year, month = ym
    month_all = month_days(year, month)
    for day in (month_all[0], month_all[len(month_all) // 2], month_all[-1]):
        assert period_of(Cadence.MONTHLY, day) == Period(month_all[0], month_all[-1])


@given(days, st.integers(1, 400))
def test_periods_between_tile_the_span_without_gaps(first: date, span: int) -> None:
    last = first + timedelta(days=span)
    for cadence in Cadence:
        periods = periods_between(cadence, first, last)
        assert periods[0].start <= first <= periods[0].end
        assert periods[-1].start <= last <= periods[-1].end
        for before, after in itertools.pairwise(periods):
            assert after.start == before.end + timedelta(days=1)


@given(days, days, days)
def test_a_report_state_follows_its_filing_day_and_due_day(
    due_on: date, filed_on: date, today: date
) -> None:
    assert report_state(filed_on=filed_on, due_on=due_on, today=today) == (
        ReportState.LATE if filed_on > due_on else ReportState.ON_TIME
    )
    assert report_state(filed_on=None, due_on=due_on, today=today) == (
        ReportState.MISSING if today > due_on else ReportState.PENDING
    )
