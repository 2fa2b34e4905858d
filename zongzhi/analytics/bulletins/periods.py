"""The periods a bulletin covers: a calendar month or an ISO week."""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    """A calendar month or an ISO week (Monday to Sunday), both ends included."""

    start: date
    end: date
    label: str  # "2026年10月", "2026年第43周"
    word: str  # "本月", "本周"
    is_month: bool

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        last = calendar.monthrange(year, month)[1]
        return cls(
            date(year, month, 1), date(year, month, last), f"{year}年{month}月", "本月", True
        )

    @classmethod
    def week(cls, year: int, week: int) -> "Period":
        start = date.fromisocalendar(year, week, 1)
        return cls(start, start + timedelta(days=6), f"{year}年第{week}周", "本周", False)

    @property
    def span(self) -> str:
        """统计期间 as written: 2026年10月1日至10月31日."""
        end = f"{self.end.month}月{self.end.day}日"
        if self.end.year != self.start.year:
            end = f"{self.end.year}年{end}"
        return f"{self.start.year}年{self.start.month}月{self.start.day}日至{end}"

    @property
    def code(self) -> str:
        """The period as the form writes it: 2026-10, 2026-W43."""
        if self.is_month:
            return f"{self.start:%Y-%m}"
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"


class PeriodError(ValueError):
    """A month or week the form cannot use; the message names what is wrong, in Chinese."""


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$", re.IGNORECASE)


def parse_month(text: str, *, today: date) -> Period:
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        raise PeriodError("月份格式应为“2026-10”")
    period = Period.month(int(match[1]), int(match[2]))
    if period.start > today:
        raise PeriodError("所选月份尚未开始")
    return period


def parse_week(text: str, *, today: date) -> Period:
    match = _WEEK.match(text.strip())
    if not match or int(match[1]) < 2000:
        raise PeriodError("周的格式应为“2026-W43”")
    try:
        period = Period.week(int(match[1]), int(match[2]))
    except ValueError:
        raise PeriodError(f"{match[1]}年没有第{int(match[2])}周") from None
    if period.start > today:
        raise PeriodError("所选周尚未开始")
    return period


def last_month(today: date) -> Period:
    first = today.replace(day=1) - timedelta(days=1)
    return Period.month(first.year, first.month)


def last_week(today: date) -> Period:
    year, week, _ = (today - timedelta(days=7)).isocalendar()
    return Period.week(year, week)
