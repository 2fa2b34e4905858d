"""Screening periods and report states: pure rules, no database.

"村每周、镇每旬、县每月": a weekly round runs Monday to Sunday, a ten-day round (旬) the
1st–10th, 11th–20th or 21st to the month's end (8, 9, 10 or 11 days), a monthly round the
whole month. A special campaign (专项排查) has whatever dates it is given.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Cadence(StrEnum):
    WEEKLY = "weekly"
    TEN_DAY = "ten_day"
    MONTHLY = "monthly"


CADENCE_NAMES = {Cadence.WEEKLY: "每周", Cadence.TEN_DAY: "每旬", Cadence.MONTHLY: "每月"}


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # the last day, included

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def period_of(cadence: Cadence | str, day: date) -> Period:
    """The period of `cadence` that holds `day`."""
    match Cadence(cadence):
        case Cadence.WEEKLY:
            start = day - timedelta(days=day.weekday())
            return Period(start, start + timedelta(days=6))
        case Cadence.TEN_DAY:
            if day.day <= 10:
                return Period(day.replace(day=1), day.replace(day=10))
            if day.day <= 20:
                return Period(day.replace(day=11), day.replace(day=20))
            return Period(day.replace(day=21), _month_end(day))
        case Cadence.MONTHLY:
            return Period(day.replace(day=1), _month_end(day))


def periods_between(cadence: Cadence | str, first: date, last: date) -> list[Period]:
    """Every period of `cadence` that overlaps first..last, in order."""
    periods = []
    day = first
    while day <= last:
        period = period_of(cadence, day)
        periods.append(period)
        day = period.end + timedelta(days=1)
    return periods


def period_label(cadence: Cadence | str, period: Period) -> str:
    """How an office names the period: 2026年11月第2周, 2026年11月中旬, 2026年11月."""
    match Cadence(cadence):
        case Cadence.WEEKLY:
            iso_year, week, _ = period.start.isocalendar()
            return f"{iso_year}年第{week}周（{period.start:%m-%d}至{period.end:%m-%d}）"
        case Cadence.TEN_DAY:
            part = {1: "上旬", 11: "中旬", 21: "下旬"}[period.start.day]
            return f"{period.start.year}年{period.start.month}月{part}"
        case Cadence.MONTHLY:
            return f"{period.start.year}年{period.start.month}月"


class ReportState(StrEnum):
    PENDING = "pending"  # not filed yet, still in time
    ON_TIME = "on_time"
    LATE = "late"  # filed after its due day
    MISSING = "missing"  # not filed, due day passed


STATE_NAMES = {
    ReportState.PENDING: "待上报",
    ReportState.ON_TIME: "按时上报",
    ReportState.LATE: "逾期上报",
    ReportState.MISSING: "未上报",
}


def report_state(*, filed_on: date | None, due_on: date, today: date) -> ReportState:
    if filed_on is not None:
        return ReportState.LATE if filed_on > due_on else ReportState.ON_TIME
    return ReportState.MISSING if today > due_on else ReportState.PENDING
