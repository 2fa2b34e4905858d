"""The daily report's rules: which window a report covers, and why a record is in it.

No database: the service hands in what it read. Windows run from local midnight to local
midnight, each beginning where the region's previous report ended, so consecutive
reports tile time with no gap and no overlap, and a morning missed is caught up by the
next one.
"""

from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

# The levels a case's risk and a hazard share; 高 and 重大 make a record news.
LEVEL_RANK = {"low": 0, "medium": 1, "high": 2, "major": 3}
NEWS_LEVELS = frozenset({"high", "major"})


class Reason(StrEnum):
    # Most pressing first: the order of a report's sections and of an item's chips.
    URGENT = "urgent"
    MAJOR_RISK = "major_risk"
    HIGH_RISK = "high_risk"
    GROUP = "group"
    OVERDUE = "overdue"
    REVIEW_OVERDUE = "review_overdue"


REASON_ORDER = list(Reason)
REASON_NAMES = {
    Reason.URGENT: _("有暴力或自伤倾向"),
    Reason.MAJOR_RISK: _("新增重大风险"),
    Reason.HIGH_RISK: _("新增高风险"),
    Reason.GROUP: _("群体性"),
    Reason.OVERDUE: _("超期未办结"),
    Reason.REVIEW_OVERDUE: _("隐患复查逾期"),
}


def midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def window(today: date, previous_end: datetime | None, tz: tzinfo) -> tuple[datetime, datetime]:
    """The report made on `today` covers [start, end): from where the previous report
    ended (the start of yesterday for a region's first) to the start of today."""
    end = midnight(today, tz)
    start = previous_end if previous_end is not None else midnight(today - timedelta(days=1), tz)
    return min(start, end), end


def local_dates(start: datetime, end: datetime, tz: tzinfo) -> tuple[date, date]:
    """The window as days: [first day, end day). A deadline on day D is missed at the
    start of D+1, so it was missed inside the window exactly when first <= D < end day."""
    return start.astimezone(tz).date(), end.astimezone(tz).date()


def case_reasons(
    *,
    new: bool,
    risk_level: str,
    people_count: int,
    urgent: bool,
    overdue: bool,
    group_size: int,
) -> list[Reason]:
    """Why a case is in the report: what it was when registered in the window (its risk,
    a group, an urgent flag), and its deadline missed in the window."""
    reasons = []
    if new and urgent:
        reasons.append(Reason.URGENT)
    if new and risk_level == "major":
        reasons.append(Reason.MAJOR_RISK)
    if new and risk_level == "high":
        reasons.append(Reason.HIGH_RISK)
    if new and people_count >= group_size:
        reasons.append(Reason.GROUP)
    if overdue:
        reasons.append(Reason.OVERDUE)
    return reasons


def hazard_reasons(*, new: bool, level: str, review_overdue: bool) -> list[Reason]:
    reasons = []
    if new and level == "major":
        reasons.append(Reason.MAJOR_RISK)
    if new and level == "high":
        reasons.append(Reason.HIGH_RISK)
    if review_overdue:
        reasons.append(Reason.REVIEW_OVERDUE)
    return reasons


def severity_key(reasons: list[Reason], level: str) -> tuple[int, int]:
    """Sorts the most pressing item first: by its first reason, then by its level."""
    return (REASON_ORDER.index(reasons[0]), -LEVEL_RANK.get(level, 0))
