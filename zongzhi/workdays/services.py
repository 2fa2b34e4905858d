"""Writes to the holiday schedule: only county administrators and above may change it."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import grants_of
from zongzhi.workdays import rules
from zongzhi.workdays.models import CalendarDay
from zongzhi.workdays.selectors import forget_calendar


def may_edit_calendar(user: Actor) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser) or rules.may_edit_calendar(grants_of(user))


def _require_editor(by: Actor) -> None:
    if not may_edit_calendar(by):
        raise PermissionDenied("只有县级及以上的管理员可以调整节假日安排")


@transaction.atomic
def calendar_day_set(*, by: Actor, day: date, kind: str, name: str, note: str = "") -> CalendarDay:
    """Declare `day` a holiday or an adjusted workday, replacing what was said of it."""
    _require_editor(by)
    entry = CalendarDay.objects.select_for_update().filter(date=day).first()
    if entry is None:
        entry = CalendarDay(date=day)
    entry.kind = kind
    entry.name = name.strip()
    entry.note = note.strip()
    entry.full_clean()
    entry.save()
    # The version check would notice too; clearing spares it any doubt in this process.
    forget_calendar()
    return entry


@transaction.atomic
def calendar_day_remove(*, by: Actor, day: date) -> bool:
    """Drop the entry for `day`, so the package (or the weekend rule) decides it again.
    False when there was none."""
    _require_editor(by)
    removed, _ = CalendarDay.objects.filter(date=day).delete()
    forget_calendar()
    return removed > 0
