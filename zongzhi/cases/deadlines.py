"""Deadlines of a case: pure rules on top of the working-day calendar.

Which policy applies, where the clock stands after a pause, and how near a deadline is.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from zongzhi.workdays.rules import Counting, WorkCalendar


@dataclass(frozen=True)
class PolicyTerms:
    """A deadline policy reduced to what matching needs (empty/None matches anything)."""

    key: int
    channel: str
    category_code: str | None
    urgent: bool | None


def choose_policy(
    policies: Iterable[PolicyTerms],
    *,
    channel: str,
    category_codes: Sequence[str],  # the case's category, then its parent
    urgent: bool,
) -> int | None:
    """The key of the most specific policy that matches, or None.

    Specificity, most telling first: urgency (a threat of violence or self-harm is handled
    at once, however it came in: the urgent limits are inside every statutory one), then
    the channel (a petition is a petition whatever it is about), then the category
    (second level before top level). Ties go to the lower key, so the choice never
    depends on the order the database returns.
    """
    best: tuple[tuple[int, int, int], int] | None = None
    for p in policies:
        if p.channel and p.channel != channel:
            continue
        if p.category_code is not None and p.category_code not in category_codes:
            continue
        if p.urgent is not None and p.urgent != urgent:
            continue
        category_rank = 0
        if p.category_code is not None:
            category_rank = len(category_codes) - category_codes.index(p.category_code)
        score = (int(p.urgent is not None), int(bool(p.channel)), category_rank)
        if best is None or score > best[0] or (score == best[0] and p.key < best[1]):
            best = (score, p.key)
    return None if best is None else best[1]


def after_pause(
    calendar: WorkCalendar, due_on: date, *, paused_on: date, resumed_on: date, counting: str
) -> date:
    """The deadline once a pause from `paused_on` to `resumed_on` is left out of the count.

    The days after `paused_on` up to and including `resumed_on` do not count, so the
    deadline moves on by as many days as the policy counts in that stretch.
    """
    if resumed_on <= paused_on:
        return due_on
    if Counting(counting) == Counting.WORKING_DAYS:
        skipped = calendar.working_days_between(paused_on, resumed_on)
        return calendar.add_working_days(due_on, skipped)
    return calendar.add_calendar_days(due_on, (resumed_on - paused_on).days)


@dataclass(frozen=True)
class Extension:
    """A granted extension (批准延期): the deadline moved on by `days`, counted as the case
    counts its periods."""

    days: int


@dataclass(frozen=True)
class Pause:
    """A pause (中止计时) that has ended: the days after `started_on` up to `ended_on` did
    not count."""

    started_on: date
    ended_on: date


def running_deadline(
    calendar: WorkCalendar,
    *,
    start: date,
    days: int,
    counting: str,
    moves: Sequence[Extension | Pause] = (),
) -> date:
    """The deadline of a clock that started on `start` with `days` to run, once the moves
    made since (granted extensions, ended pauses, in the order they were made) are
    counted as the services count them when they happen: the period is counted as
    registering (受理时限) or accepting (办理时限) counts it, each extension as granting it
    does, each pause as resuming does. A pause still running has not moved the deadline
    yet (resuming does), so it is not among the moves.

    So a case whose terms change (a corrected category chooses another policy) gets the
    deadline it would have had under the new terms from the start."""
    due = calendar.deadline(start, days, counting)
    for move in moves:
        if isinstance(move, Extension):
            due = calendar.deadline(due, move.days, counting)
        else:
            due = after_pause(
                calendar,
                due,
                paused_on=move.started_on,
                resumed_on=move.ended_on,
                counting=counting,
            )
    return due


class Urgency(StrEnum):
    NONE = "none"  # nothing is owed now
    PAUSED = "paused"
    ON_TIME = "on_time"
    NEAR = "near"  # within the warning window: amber
    OVERDUE = "overdue"  # red


def urgency(
    calendar: WorkCalendar,
    *,
    due_on: date | None,
    today: date,
    warn_days: int,
    paused: bool,
) -> Urgency:
    if due_on is None:
        return Urgency.NONE
    if paused:
        return Urgency.PAUSED
    if due_on < today:
        return Urgency.OVERDUE
    if calendar.working_days_between(today, due_on) <= warn_days:
        return Urgency.NEAR
    return Urgency.ON_TIME
