"""Case rows written straight to the table, for the analytics tests that are about counting
and nothing else: thousands of cases in a second, registered on any day, in any status.

Every other test makes its cases through the services (zongzhi.cases.tests.factories),
as people make them. The rows made here are shaped like the ones the services leave (see
`shape`): a rejected case was never accepted, a case with a unit is dispatched or later, a
closed case has its closing date and outcome, only a visited one has a satisfaction (or a
case sent back after an unsatisfied visit), a merged one points at the case it joined.
"""

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from hypothesis import strategies as st

from zongzhi.cases.models import Case
from zongzhi.cases.rules import Status
from zongzhi.categories.models import Category
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit
from zongzhi.workdays.rules import Counting

_codes = itertools.count(1)

# The first day cases are registered on, in the tests that count them.
DAY0 = date(2026, 1, 1)
# A handful of categories from two parents, so that a breakdown has groups to add up.
CATEGORY_CODES = ("LLJF01", "LLJF02", "LZJF01", "HYJT01", "QT01")
CHANNELS = (Case.Channel.VISIT, Case.Channel.PHONE, Case.Channel.GRID, Case.Channel.HOTLINE)


@dataclass(frozen=True)
class Shape:
    """What a case looks like for counting: status and dates, as day offsets."""

    status: Status
    accepted_after: int | None = None
    closed_after: int | None = None
    due_after: int | None = None
    outcome: str = ""
    satisfaction: str = ""
    with_unit: bool = False


@st.composite
def shape(draw: Any) -> Shape:
    """A consistent status with its dates, outcome and satisfaction (an archived case came
    either from a visit or from a rejection; a case in progress may have been sent back
    by an unsatisfied visit)."""
    status = draw(st.sampled_from([s for s in Status if s != Status.MERGED]))
    accepted = draw(st.integers(0, 3))
    due = accepted + draw(st.integers(-2, 20))  # -2: a deadline already moved past
    closed = accepted + draw(st.integers(0, 30))
    outcome = draw(st.sampled_from(Case.Outcome.values))
    match status:
        case Status.REGISTERED:
            return Shape(status, due_after=draw(st.integers(1, 3)))
        case Status.REJECTED:
            return Shape(status)
        case Status.ACCEPTED:
            return Shape(status, accepted_after=accepted, due_after=due)
        case Status.DISPATCHED:
            return Shape(status, accepted_after=accepted, due_after=due, with_unit=True)
        case Status.IN_PROGRESS:
            sent_back = draw(st.booleans())
            return Shape(
                status,
                accepted_after=accepted,
                due_after=due,
                satisfaction=Case.Satisfaction.UNSATISFIED if sent_back else "",
                with_unit=True,
            )
        case Status.CLOSED:
            # The deadline at closing may be kept (on time or late) or cleared.
            kept = draw(st.sampled_from([due, None]))
            return Shape(status, accepted, closed, kept, outcome, with_unit=True)
        case Status.VISITED:
            kept = draw(st.sampled_from([due, None]))
            satisfaction = draw(
                st.sampled_from([Case.Satisfaction.SATISFIED, Case.Satisfaction.BASICALLY])
            )
            return Shape(status, accepted, closed, kept, outcome, satisfaction, with_unit=True)
        case Status.ARCHIVED:
            if draw(st.booleans()):
                return Shape(status)  # archived after a rejection
            satisfaction = draw(
                st.sampled_from([Case.Satisfaction.SATISFIED, Case.Satisfaction.BASICALLY])
            )
            return Shape(status, accepted, closed, None, outcome, satisfaction, with_unit=True)
    raise AssertionError(status)


def categories() -> list[Category]:
    return list(Category.objects.filter(code__in=CATEGORY_CODES).order_by("code"))


def at(day: date, minute_of_day: int) -> datetime:
    """A moment on `day`, local time (minute 0 and minute 1439 test the day's edges)."""
    moment = datetime.combine(day, time(minute_of_day // 60, minute_of_day % 60))
    return timezone.make_aware(moment)


def build(
    *,
    region: Region,
    category: Category,
    channel: str,
    registered_at: datetime,
    shape: Shape,
    unit: Unit | None,
) -> Case:
    """An unsaved case of this shape (the unit only where the status has one)."""
    day = timezone.localtime(registered_at).date()

    def after(n: int | None) -> date | None:
        return None if n is None else day + timedelta(days=n)

    number = next(_codes)
    return Case(
        code=f"T{number:08d}",
        channel=channel,
        category=category,
        title=f"统计用事项{number}",
        description="用于统计测试",
        region=region,
        region_prefix=region.prefix,
        centre=region,
        centre_prefix=region.prefix,
        counting=Counting.CALENDAR_DAYS,
        accept_days=3,
        handle_days=15,
        warn_days=2,
        registered_at=registered_at,
        status=shape.status,
        lead_unit=unit if shape.with_unit else None,
        accepted_on=after(shape.accepted_after),
        closed_on=after(shape.closed_after),
        due_on=after(shape.due_after),
        # As case_close keeps it: the deadline a closed case was closed against.
        closed_due_on=after(shape.due_after) if shape.closed_after is not None else None,
        outcome=shape.outcome,
        satisfaction=shape.satisfaction,
    )


def move(case: Case, new: Shape, unit: Unit | None) -> None:
    """Change a saved case to another shape, as the steps would have (no timeline: only
    the counts are being tested). updated_at moves, so the refresh sees it."""
    moved = build(
        region=case.region,
        category=case.category,
        channel=case.channel,
        registered_at=case.registered_at,
        shape=new,
        unit=unit,
    )
    Case.objects.filter(pk=case.pk).update(
        status=moved.status,
        lead_unit=moved.lead_unit,
        accepted_on=moved.accepted_on,
        closed_on=moved.closed_on,
        due_on=moved.due_on,
        closed_due_on=moved.closed_due_on,
        outcome=moved.outcome,
        satisfaction=moved.satisfaction,
        merged_into=None,
        updated_at=timezone.now(),
    )


def touch(case_id: int, **fields: Any) -> None:
    Case.objects.filter(pk=case_id).update(**fields, updated_at=timezone.now())


__all__ = ["DAY0", "Shape", "at", "build", "categories", "move", "shape", "touch"]
