"""What the home page counts for a person: the numbers of the registers' own selectors,
each only for those who hold the action it needs."""

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import holds
from zongzhi.accounts.rules import Action
from zongzhi.care import selectors as care_selectors
from zongzhi.hazards import selectors as hazard_selectors
from zongzhi.screening import selectors as screening_selectors
from zongzhi.workdays import selectors as workday_selectors
from zongzhi.workdays.services import may_edit_calendar


@dataclass(frozen=True)
class Registers:
    # None: the figure is not the person's to see.
    to_file: int | None  # screening reports they may file, still in time or overdue
    missing: int | None  # missing reports of the last thirty days in the places they read
    review_overdue: int | None  # open hazards past their review date
    # The compliance view's query for the missing figure's days.
    missing_query: str = ""
    care: care_selectors.HomeCounts | None = None  # visits and transfers, for care work


def registers_for(user: Actor, today: date) -> Registers:
    """One count query per figure the user has."""
    to_file = missing = review_overdue = None
    missing_query = ""
    if holds(user, Action.FILE_SCREENING):
        to_file = screening_selectors.to_file_count(user, today)
    if holds(user, Action.VIEW_SCREENING) and screening_selectors.watches_places(user):
        missing = screening_selectors.missing_count(user, today)
        first, last = screening_selectors.missing_window(today)
        missing_query = urlencode({"first": first.isoformat(), "last": last.isoformat()})
    if holds(user, Action.KEEP_HAZARD):
        review_overdue = hazard_selectors.review_overdue_count(user, today)
    elif holds(user, Action.VIEW_HAZARD):
        # Those who watch without keeping (leaders) see what is overdue in their places,
        # as the register's list filtered by overdue shows it to them.
        review_overdue = hazard_selectors.visible_hazards(user).review_overdue(today).count()
    return Registers(
        to_file=to_file,
        missing=missing,
        review_overdue=review_overdue,
        missing_query=missing_query,
        care=care_selectors.home_counts(user, today),
    )


def holiday_warning(user: Actor, today: date) -> str | None:
    """The missing-holidays warning (from October 1 before a year with no schedule), for
    those who may enter the schedule: nobody else can act on it."""
    if not may_edit_calendar(user):
        return None
    return workday_selectors.coverage_warning(today=today)
