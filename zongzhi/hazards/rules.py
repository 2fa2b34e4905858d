"""The hazard register's rules: statuses, steps, review intervals. No database."""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from zongzhi.accounts.rules import Action
from zongzhi.core.errors import Refused


class Status(StrEnum):
    CONTROLLED = "controlled"  # 管控中
    RESOLVED = "resolved"  # 已化解: the conflict behind it is settled
    ELIMINATED = "eliminated"  # 已消除: the risk is gone (the cause removed)
    ESCALATED = "escalated"  # 已转为事项: it became a dispute, and the case carries it on


STATUS_NAMES = {
    Status.CONTROLLED: "管控中",
    Status.RESOLVED: "已化解",
    Status.ELIMINATED: "已消除",
    Status.ESCALATED: "已转为事项",
}
OPEN = frozenset({Status.CONTROLLED})


class Step(StrEnum):
    REGISTER = "register"
    PLAN = "plan"  # 一事一策: a measure added
    MEASURE_DONE = "measure_done"
    REVIEW = "review"  # 复查
    REASSIGN = "reassign"  # 调整责任单位/包保责任人
    RESOLVE = "resolve"
    ELIMINATE = "eliminate"
    ESCALATE = "escalate"
    REVIEW_OVERDUE = "review_overdue"  # the sweep's warning to the owner


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[Status]
    target: Status | None  # None: the status stays
    action: Action


_KEEP = Action.KEEP_HAZARD
STEPS: dict[Step, Transition] = {
    Step.REGISTER: Transition("登记", frozenset(), Status.CONTROLLED, Action.REGISTER_HAZARD),
    Step.PLAN: Transition("制定措施", OPEN, None, _KEEP),
    Step.MEASURE_DONE: Transition("措施落实", OPEN, None, _KEEP),
    Step.REVIEW: Transition("复查", OPEN, None, _KEEP),
    Step.REASSIGN: Transition("调整责任", OPEN, None, _KEEP),
    Step.RESOLVE: Transition("已化解", OPEN, Status.RESOLVED, _KEEP),
    Step.ELIMINATE: Transition("已消除", OPEN, Status.ELIMINATED, _KEEP),
    Step.ESCALATE: Transition("转为事项", OPEN, Status.ESCALATED, _KEEP),
    Step.REVIEW_OVERDUE: Transition("复查逾期提醒", OPEN, None, _KEEP),
}


def check_step(step: Step, status: Status | None) -> Transition:
    transition = STEPS[step]
    if status is not None and status not in transition.sources:
        raise Refused(f"隐患{STATUS_NAMES[status]}，不能{transition.name}")
    return transition


def status_after(step: Step, status: Status | None) -> Status:
    target = STEPS[step].target
    if target is not None:
        return target
    assert status is not None
    return status


# How often a hazard is reviewed (复查), by level: a major one weekly, a low one quarterly.
REVIEW_DAYS = {"major": 7, "high": 15, "medium": 30, "low": 90}


def next_review(after: date, every_days: int) -> date:
    return after + timedelta(days=every_days)


def review_is_overdue(next_review_on: date | None, today: date) -> bool:
    return next_review_on is not None and next_review_on < today
