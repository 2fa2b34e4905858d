"""A case's life as one state machine: pure rules, no database.

Every step a case can take is one row of `STEPS`: the statuses it may start from, the
status it leads to (None: the status stays), and the action (accounts.rules.Action) the
actor needs. The services look a step up here before they write anything, so a step that
is not in the table cannot happen, and a test walks random sequences of steps to show
that no sequence reaches a status outside `Status`.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zongzhi.accounts.rules import Action
from zongzhi.workdays.rules import Counting, WorkCalendar

# 群体性: a case involving this many people or more.
GROUP_SIZE = 5


class Status(StrEnum):
    REGISTERED = "registered"  # 登记, waiting to be accepted
    ACCEPTED = "accepted"  # 受理, waiting to be dispatched
    REJECTED = "rejected"  # 不予受理
    DISPATCHED = "dispatched"  # 派单, waiting for the unit to sign for it
    IN_PROGRESS = "in_progress"  # 办理中
    CLOSED = "closed"  # 办结, waiting for the return visit
    VISITED = "visited"  # 回访 done, satisfied or basically satisfied
    ARCHIVED = "archived"  # 归档
    MERGED = "merged"  # merged into another case; counted there


STATUS_NAMES = {
    Status.REGISTERED: _("待受理"),
    Status.ACCEPTED: _("待派单"),
    Status.REJECTED: _("不予受理"),
    Status.DISPATCHED: _("待签收"),
    Status.IN_PROGRESS: _("办理中"),
    Status.CLOSED: _("待回访"),
    Status.VISITED: _("已回访"),
    Status.ARCHIVED: _("已归档"),
    Status.MERGED: _("已合并"),
}

# Statuses in which someone still owes the resident something; deadlines run only here.
OPEN = frozenset({Status.REGISTERED, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS})
# Before acceptance the clock is the acceptance limit; after it, the handling limit.
AWAITING_DECISION = frozenset({Status.REGISTERED})
WITH_A_UNIT = frozenset({Status.DISPATCHED, Status.IN_PROGRESS})


class Step(StrEnum):
    REGISTER = "register"
    ACCEPT = "accept"
    REJECT = "reject"
    DISPATCH = "dispatch"
    START = "start"
    RETURN = "return"
    TRANSFER = "transfer"
    ESCALATE = "escalate"
    WHISTLE = "whistle"
    ANSWER_WHISTLE = "answer_whistle"
    SUPERVISE = "supervise"
    ANSWER_SUPERVISION = "answer_supervision"
    # Before dispatch an order (often the automatic one on a late acceptance) is the
    # centre's to answer: no unit has the case yet.
    ANSWER_SUPERVISION_AT_CENTRE = "answer_supervision_at_centre"
    REQUEST_EXTENSION = "request_extension"
    GRANT_EXTENSION = "grant_extension"
    REFUSE_EXTENSION = "refuse_extension"
    PAUSE = "pause"
    RESUME = "resume"
    PROGRESS = "progress"
    MEDIATE = "mediate"
    AGREE = "agree"
    CLOSE = "close"
    VISIT_SATISFIED = "visit_satisfied"
    VISIT_UNSATISFIED = "visit_unsatisfied"
    ARCHIVE = "archive"
    MERGE = "merge"
    ABSORB = "absorb"  # the surviving case's side of a merge
    RELATE = "relate"
    WARN = "warn"  # the deadline is near (written by the scheduled sweep)


@dataclass(frozen=True)
class Transition:
    name: Promise  # translated when shown
    sources: frozenset[Status]  # empty for REGISTER: the case does not exist yet
    target: Status | None  # None: the status does not change
    action: Action
    # Only the lead unit may take the step, not co-units or summoned units.
    lead_only: bool = False


def _t(
    name: Promise,
    sources: set[Status],
    target: Status | None,
    action: Action,
    *,
    lead_only: bool = False,
) -> Transition:
    return Transition(name, frozenset(sources), target, action, lead_only)


S = Status
BEFORE_CLOSING = {S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS}
STEPS: dict[Step, Transition] = {
    Step.REGISTER: _t(_("登记"), set(), S.REGISTERED, Action.REGISTER_CASE),
    Step.ACCEPT: _t(_("受理"), {S.REGISTERED}, S.ACCEPTED, Action.TRIAGE_CASE),
    Step.REJECT: _t(_("不予受理"), {S.REGISTERED}, S.REJECTED, Action.TRIAGE_CASE),
    Step.DISPATCH: _t(_("派单"), {S.ACCEPTED}, S.DISPATCHED, Action.TRIAGE_CASE),
    Step.START: _t(
        _("签收办理"), {S.DISPATCHED}, S.IN_PROGRESS, Action.HANDLE_CASE, lead_only=True
    ),
    Step.RETURN: _t(_("退回"), set(WITH_A_UNIT), S.ACCEPTED, Action.HANDLE_CASE, lead_only=True),
    Step.TRANSFER: _t(_("转办"), set(WITH_A_UNIT), S.DISPATCHED, Action.TRIAGE_CASE),
    Step.ESCALATE: _t(_("上报"), BEFORE_CLOSING, S.ACCEPTED, Action.TRIAGE_CASE),
    Step.WHISTLE: _t(_("吹哨"), set(WITH_A_UNIT), None, Action.TRIAGE_CASE),
    Step.ANSWER_WHISTLE: _t(_("吹哨报到"), set(WITH_A_UNIT), None, Action.HANDLE_CASE),
    Step.SUPERVISE: _t(_("督办"), set(OPEN), None, Action.SUPERVISE_CASE),
    Step.ANSWER_SUPERVISION: _t(
        _("督办反馈"), set(WITH_A_UNIT), None, Action.HANDLE_CASE, lead_only=True
    ),
    Step.ANSWER_SUPERVISION_AT_CENTRE: _t(
        _("督办反馈"), {S.REGISTERED, S.ACCEPTED}, None, Action.TRIAGE_CASE
    ),
    Step.REQUEST_EXTENSION: _t(
        _("申请延期"), set(WITH_A_UNIT), None, Action.HANDLE_CASE, lead_only=True
    ),
    Step.GRANT_EXTENSION: _t(_("批准延期"), set(WITH_A_UNIT), None, Action.SUPERVISE_CASE),
    Step.REFUSE_EXTENSION: _t(_("不予延期"), set(WITH_A_UNIT), None, Action.SUPERVISE_CASE),
    Step.PAUSE: _t(_("中止计时"), {S.IN_PROGRESS}, None, Action.HANDLE_CASE, lead_only=True),
    Step.RESUME: _t(_("恢复计时"), {S.IN_PROGRESS}, None, Action.HANDLE_CASE, lead_only=True),
    Step.PROGRESS: _t(_("办理记录"), {S.IN_PROGRESS}, None, Action.HANDLE_CASE),
    Step.MEDIATE: _t(_("调解"), {S.IN_PROGRESS}, None, Action.MEDIATE_CASE),
    Step.AGREE: _t(_("调解协议书"), {S.IN_PROGRESS}, None, Action.MEDIATE_CASE),
    Step.CLOSE: _t(_("办结"), {S.IN_PROGRESS}, S.CLOSED, Action.HANDLE_CASE, lead_only=True),
    Step.VISIT_SATISFIED: _t(_("回访"), {S.CLOSED}, S.VISITED, Action.TRIAGE_CASE),
    Step.VISIT_UNSATISFIED: _t(
        _("回访不满意，重新办理"), {S.CLOSED}, S.IN_PROGRESS, Action.TRIAGE_CASE
    ),
    Step.ARCHIVE: _t(_("归档"), {S.VISITED, S.REJECTED}, S.ARCHIVED, Action.TRIAGE_CASE),
    Step.MERGE: _t(_("合并"), set(OPEN), S.MERGED, Action.TRIAGE_CASE),
    Step.ABSORB: _t(_("并入重复事项"), set(OPEN) | {S.CLOSED}, None, Action.TRIAGE_CASE),
    Step.RELATE: _t(_("关联事项"), set(Status) - {S.MERGED}, None, Action.TRIAGE_CASE),
    Step.WARN: _t(_("临期预警"), set(OPEN), None, Action.SUPERVISE_CASE),
}
# The steps a person takes from the case page; REGISTER, ABSORB and WARN come about
# otherwise (the intake form, a merge, the scheduled sweep).
MANUAL_STEPS = [s for s in Step if s not in {Step.REGISTER, Step.ABSORB, Step.WARN}]


class Refused(Exception):
    """A step that may not be taken now. The message says why, in the user's words."""


def check_step(step: Step, status: Status | None) -> Transition:
    """The transition for `step` from `status`, or Refused with the reason."""
    transition = STEPS[step]
    if status is None:
        if transition.sources:
            raise Refused(gettext("事项尚未登记，不能%(step)s") % {"step": transition.name})
        return transition
    if status not in transition.sources:
        raise Refused(
            gettext("事项当前状态为“%(status)s”，不能%(step)s")
            % {"status": STATUS_NAMES[status], "step": transition.name}
        )
    return transition


def status_after(step: Step, status: Status | None) -> Status:
    transition = check_step(step, status)
    if transition.target is None:
        assert status is not None  # only REGISTER starts from nothing, and it has a target
        return status
    return transition.target


def warning_days(status: Status | str, warn_days: int) -> int:
    """How many working days ahead a deadline warns. A case waiting to be accepted warns
    only on its last day: the acceptance limit is a day or three, so a longer window
    would flag every case the evening it came in."""
    return 0 if status == Status.REGISTERED else warn_days


def is_group(people_count: int) -> bool:
    return people_count >= GROUP_SIZE


# --- The Regulation on Letters and Visits (信访工作条例, 2022) -----------------------

# Art. 35–36: a review (复查) or re-review (复核) must be asked for within 30 days of
# receiving the decision it is about, and is answered within 30 days.
REVIEW_REQUEST_DAYS = 30
REVIEW_ANSWER_DAYS = 30
# Art. 34: one extension of at most 30 days.
PETITION_EXTENSION_MAX_DAYS = 30
PETITION_EXTENSION_LIMIT = 1


def review_request_is_timely(
    decided_on: date, requested_on: date, *, calendar: WorkCalendar
) -> bool:
    # 30 calendar days; a period whose last day is a rest day ends on the next working day
    # (民法典 Art. 203), as every calendar-day period here does.
    last_day = calendar.deadline(decided_on, REVIEW_REQUEST_DAYS, Counting.CALENDAR_DAYS)
    return decided_on <= requested_on <= last_day
