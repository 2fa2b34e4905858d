"""The Chinese working-day calendar: pure rules, no database.

Whether a day is a working day comes from two sources:

- the `chinesecalendar` package, which carries the schedules the General Office of the
  State Council has published (法定节假日, and the 调休 Saturdays and Sundays that are
  worked instead) for the years it covers — 2004–2026 in version 1.11.0 — and raises
  NotImplementedError for any other year;
- *overrides*: days an administrator has entered, for the years the package does not
  cover yet and to correct it. An override wins wherever both speak.

A year that neither covers is counted the plain way (Monday to Friday work, Saturday and
Sunday rest). Such a deadline is only an estimate, and the calendar says so
(`uncovered_years_touched`) so that callers can warn.

Counting convention (期间开始的日不计算在期间内): a period of n working days counted from
`start` ends on the n-th working day *after* `start`; `start` itself is never counted,
whether or not it is a working day. So a case accepted on Tuesday 2025-09-30, the eve of
the eight-day 2025 National Day holiday (October 1–8), with 1 working day to answer, is
due on Thursday 2025-10-09, the first working day after the holiday.
"""

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache

import chinese_calendar

from zongzhi.accounts.rules import Grant, Role, county_wide

ONE_DAY = timedelta(days=1)
SATURDAY = 5

# The years the package has data for. The package itself refuses any date outside the span
# of its holiday table's years, so this is the same rule it applies (a test pins the two).
PACKAGE_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)

# Administrators are warned from the first of this month when the coming year's schedule
# is missing; the State Council usually publishes it in late October or November.
WARNING_MONTH = 10


class Counting(StrEnum):
    """How a policy counts its periods."""

    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"


COUNTING_NAMES = {
    Counting.WORKING_DAYS: "工作日",
    Counting.CALENDAR_DAYS: "自然日",
}


def package_covers(year: int) -> bool:
    return year in PACKAGE_YEARS


@cache
def _package_is_workday(day: date) -> bool:
    return bool(chinese_calendar.is_workday(day))


class WorkCalendar:
    """Working days on the Chinese calendar: the package's data, then the overrides.

    `overrides` maps a date to whether it is a working day: False for a 法定节假日 entry,
    True for a 调休上班日 entry.
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides = dict(overrides or {})
        for day in self._overrides:
            _check_date(day)
        # A year counts as entered once it has a holiday: the State Council publishes a
        # year's whole schedule in one notice, and every year has holidays (New Year's Day
        # at least), whereas a lone adjusted workday may only be a correction.
        self._entered_years = frozenset(
            day.year for day, works in self._overrides.items() if not works
        )

    def is_workday(self, day: date) -> bool:
        _check_date(day)
        return self._is_workday(day)

    def _is_workday(self, day: date) -> bool:
        works = self._overrides.get(day)
        if works is not None:
            return works
        if package_covers(day.year):
            return _package_is_workday(day)
        return day.weekday() < SATURDAY

    def covers(self, year: int) -> bool:
        """True when the year's holidays are known: from the package, or entered by an
        administrator (at least one 法定节假日 entry in that year)."""
        return package_covers(year) or year in self._entered_years

    def last_covered_year(self) -> int:
        """The last year of the unbroken run of covered years that the package starts.

        Entries for 2028 do not help while 2027 is missing: a deadline from December 2026
        into 2028 would still be counted through an unknown 2027.
        """
        year = PACKAGE_YEARS[-1]
        while self.covers(year + 1):
            year += 1
        return year

    def uncovered_years_touched(self, start: date, end: date) -> tuple[int, ...]:
        """The years from `start` to `end` (either order) whose holidays are unknown, where
        working days were estimated from weekends alone."""
        first, last = sorted((start.year, end.year))
        return tuple(year for year in range(first, last + 1) if not self.covers(year))

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (`start` itself not counted); `start` when n is 0.

        See the module's docstring for the convention and an example.
        """
        _check_date(start)
        if n < 0:
            raise ValueError(f"a period cannot be negative: {n}")
        day = start
        while n:
            day += ONE_DAY
            if self._is_workday(day):
                n -= 1
        return day

    def add_calendar_days(self, start: date, n: int) -> date:
        _check_date(start)
        if n < 0:
            raise ValueError(f"a period cannot be negative: {n}")
        return start + timedelta(days=n)

    def working_days_between(self, a: date, b: date) -> int:
        """How many working days lie in (a, b]: after `a`, up to and including `b`.

        So `working_days_between(start, add_working_days(start, n)) == n`. When `b` is
        before `a` the count is negative (how many working days `b` lies behind `a`).
        """
        _check_date(a)
        _check_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        return sum(self._is_workday(a + timedelta(days=k)) for k in range(1, (b - a).days + 1))

    def next_workday_from(self, day: date) -> date:
        """`day` if it is a working day, else the first working day after it."""
        _check_date(day)
        while not self._is_workday(day):
            day += ONE_DAY
        return day

    def deadline(self, start: date, n: int, counting: Counting | str) -> date:
        """The end of a period of n days counted from `start`, as the policy counts them.

        A period in calendar days that ends on a rest day ends instead on the first working
        day after it (民法典 Art. 203: 期间的最后一日是法定休假日的，以法定休假日结束的次日为
        期间的最后一日; the courts read 法定休假日 as including weekends).
        """
        match Counting(counting):
            case Counting.WORKING_DAYS:
                return self.add_working_days(start, n)
            case Counting.CALENDAR_DAYS:
                return self.next_workday_from(self.add_calendar_days(start, n))


def _check_date(day: date) -> None:
    # Which calendar day a moment falls on depends on the time zone; the caller decides
    # (timezone.localdate) rather than the calendar guessing.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"expected a date, got {type(day).__name__}")


def coverage_warning(calendar: WorkCalendar, today: date) -> str | None:
    """What to tell administrators when deadlines are about to be estimated, or None.

    The current year uncovered is always worth a warning; the next year from October 1
    (WARNING_MONTH) on.
    """
    year = None
    if not calendar.covers(today.year):
        year = today.year
    elif today.month >= WARNING_MONTH and not calendar.covers(today.year + 1):
        year = today.year + 1
    if year is None:
        return None
    return (
        f"{year}年的节假日安排尚未录入：截止日期将按周末休息估算。"
        "请在“节假日调整”中录入国务院办公厅公布的安排。"
    )


def may_edit_calendar(grants: tuple[Grant, ...]) -> bool:
    """The holiday schedule is national, so only an administrator whose region is a whole
    county or more may change it: one township's administrator would move everyone's
    deadlines."""
    return any(grant.role == Role.ADMINISTRATOR and county_wide(grant) for grant in grants)
