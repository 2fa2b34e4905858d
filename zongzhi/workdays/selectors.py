"""The working-day calendar as the database currently says it is."""

from datetime import date
from typing import Any

from django.db.models import Count, Max

from zongzhi.workdays import rules
from zongzhi.workdays.models import CalendarDay

# (version of the CalendarDay table, the calendar built from it), per process.
_cached: tuple[tuple[Any, ...], rules.WorkCalendar] | None = None


def _version() -> tuple[Any, ...]:
    # A row added or removed changes the count or the highest id (ids are not reused); a
    # row edited in place moves the latest `updated_at`. One cheap query instead of
    # reloading every entry, and it notices changes made by other processes too.
    found = CalendarDay.objects.aggregate(
        count=Count("pk"), last_id=Max("pk"), last_change=Max("updated_at")
    )
    return (found["count"], found["last_id"], found["last_change"])


def current_calendar() -> rules.WorkCalendar:
    """The package's calendar with the administrators' entries on top."""
    global _cached
    version = _version()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    calendar = rules.WorkCalendar(
        {
            day: kind == CalendarDay.Kind.WORKDAY
            for day, kind in CalendarDay.objects.values_list("date", "kind")
        }
    )
    _cached = (version, calendar)
    return calendar


def forget_calendar() -> None:
    global _cached
    _cached = None


def coverage_warning(*, today: date) -> str | None:
    """The warning for administrators when deadlines are (or will soon be) estimated."""
    return rules.coverage_warning(current_calendar(), today)
