"""A case's life as one state machine: pure rules, no database.

Every step a case can take is one row of `STEPS`: the statuses it may start from, the
status it leads to (None: the status stays), and the action (accounts.rules.Action) the
actor needs. The services look a step up here before they write anything, so a step that
is not in the table cannot happen, and a test walks random sequences of steps to show
that no sequence reaches a status outside `Status`.

Whether a step may be taken now is stated once, in `refusal`: the case page offers a step
when it says yes, and the services take a step only when it says yes.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zongzhi.accounts.rules import Action
from zongzhi.core.errors import Refused
from zongzhi.regions.rules import Level
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
    ATTACH = "attach"  # 补充附件: files added to an open case after its registration
    WARN = "warn"  # the deadline is near (written by the scheduled sweep)
    # 更正 and the parties (当事人): the centre's before dispatch, and for the place and
    # the category afterwards; the lead unit's for the facts it finds once it has the case.
    CORRECT = "correct"
    CORRECT_FACTS = "correct_facts"
    CHANGE_PARTIES = "change_parties"
    CHANGE_PARTIES_AT_UNIT = "change_parties_at_unit"
    # 历史导入: a case from the centre's earlier ledger, brought in as it stood.
    IMPORT = "import"


@dataclass(frozen=True)
class Transition:
    name: Promise  # translated when shown
    sources: frozenset[Status]  # empty for REGISTER: the case does not exist yet
    target: Status | None  # None: the status does not change
    action: Action
    # Only the lead unit may take the step, not co-units or summoned units.
    lead_only: bool = False
    # Other actions any one of which also lets the actor take the step.
    also: frozenset[Action] = frozenset()


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
    Step.VISIT_SATISFIED: _t(_("回访"), {S.CLOSED}, S.VISITED, Action.VISIT_CASE),
    Step.VISIT_UNSATISFIED: _t(
        _("回访不满意，重新办理"), {S.CLOSED}, S.IN_PROGRESS, Action.VISIT_CASE
    ),
    Step.ARCHIVE: _t(_("归档"), {S.VISITED, S.REJECTED}, S.ARCHIVED, Action.TRIAGE_CASE),
    Step.MERGE: _t(_("合并"), set(OPEN), S.MERGED, Action.TRIAGE_CASE),
    Step.ABSORB: _t(_("并入重复事项"), set(OPEN) | {S.CLOSED}, None, Action.TRIAGE_CASE),
    Step.RELATE: _t(_("关联事项"), set(Status) - {S.MERGED}, None, Action.TRIAGE_CASE),
    Step.WARN: _t(_("临期预警"), set(OPEN), None, Action.SUPERVISE_CASE),
    # Whoever works on an open case adds files to it: the centre, its units, its mediators.
    # A leader watching over it does not.
    Step.ATTACH: Transition(
        _("补充附件"),
        frozenset(OPEN),
        None,
        Action.HANDLE_CASE,
        also=frozenset({Action.TRIAGE_CASE, Action.MEDIATE_CASE}),
    ),
    Step.CORRECT: _t(_("更正"), set(OPEN), None, Action.TRIAGE_CASE),
    Step.CORRECT_FACTS: _t(_("更正"), set(WITH_A_UNIT), None, Action.HANDLE_CASE, lead_only=True),
    Step.CHANGE_PARTIES: _t(_("当事人变更"), {S.REGISTERED, S.ACCEPTED}, None, Action.TRIAGE_CASE),
    Step.CHANGE_PARTIES_AT_UNIT: _t(
        _("当事人变更"), set(WITH_A_UNIT), None, Action.HANDLE_CASE, lead_only=True
    ),
}
# 历史导入 starts a case from nothing, like 登记, but names no status: the case comes in
# as its ledger row stood, in one of these (ledgers.case_import), in one timeline entry.
STEPS[Step.IMPORT] = _t(_("历史导入"), set(), None, Action.IMPORT_CASE_LEDGER)
IMPORTED_STATUSES = frozenset({S.REGISTERED, S.CLOSED, S.VISITED, S.ARCHIVED})
# The steps a person takes from the case page; REGISTER, ABSORB, WARN and IMPORT come
# about otherwise (the intake form, a merge, the scheduled sweep, a ledger import).
MANUAL_STEPS = [s for s in Step if s not in {Step.REGISTER, Step.ABSORB, Step.WARN, Step.IMPORT}]


def _status_refusal(transition: Transition, status: Status | None) -> str | None:
    if status is None:
        if transition.sources:
            return gettext("事项尚未登记，不能%(step)s") % {"step": transition.name}
        return None
    if status not in transition.sources:
        return gettext("事项当前状态为“%(status)s”，不能%(step)s") % {
            "status": STATUS_NAMES[status],
            "step": transition.name,
        }
    return None


def check_step(step: Step, status: Status | None) -> Transition:
    """The transition for `step` from `status`, or Refused with the reason."""
    transition = STEPS[step]
    reason = _status_refusal(transition, status)
    if reason is not None:
        raise Refused(reason)
    return transition


# --- May this step be taken now? ----------------------------------------------------------
#
# One answer for both the case page (which forms it offers) and the services (which take
# the step): `refusal(step, facts)`. The facts are read from the database by
# `selectors.case_facts`; the rules here only look at them.

# The message accounts.permissions.require raises, so a refusal for want of the right reads
# the same whichever door the step was asked through.
NOT_PERMITTED = "您无权在此范围内进行该操作"


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need to know of a case, and of the person who would act on it, to
    say whether a step may be taken now."""

    status: Status | None
    # The actions the actor holds over this case, each checked where it applies (the
    # centre's work against the centre, the rest against the case's place and units).
    permitted: frozenset[Action]
    # A superuser or the system: they act for the lead unit, and answer for any unit.
    acts_for_every_unit: bool = False
    # The actor's units on this case through which they may handle it, or mediate it.
    handling_units: frozenset[int] = frozenset()
    mediating_units: frozenset[int] = frozenset()
    lead_unit: int | None = None
    # The people's mediation committees (人民调解委员会) among the units on the case.
    committees: frozenset[int] = frozenset()
    paused: bool = False
    extension_pending: bool = False
    extensions_granted: int = 0
    is_petition: bool = False
    # The units summoned (吹哨) that have not answered yet.
    summoned_units: frozenset[int] = frozenset()
    supervision_unanswered: bool = False
    # The centre answering for the case, for 上报: its level, and whether one is above it.
    centre_level: Level = Level.TOWNSHIP
    centre_has_parent: bool = True

    def units_for(self, action: Action) -> frozenset[int]:
        if action == Action.HANDLE_CASE:
            return self.handling_units
        if action == Action.MEDIATE_CASE:
            return self.mediating_units
        return frozenset()


@dataclass(frozen=True)
class Refusal:
    reason: str
    # The actor may not do this here at all (PermissionDenied), rather than not now.
    not_permitted: bool = False


def acting_unit(facts: CaseFacts, transition: Transition) -> int | None:
    """The unit the actor acts for when taking the step: the lead unit when they are in
    it (a lead-only step needs it), else the first of their units on the case."""
    if facts.acts_for_every_unit:
        return facts.lead_unit
    units = facts.units_for(transition.action)
    if not units:
        return None
    if facts.lead_unit in units:
        return facts.lead_unit
    return min(units)


def answerable_summonses(facts: CaseFacts) -> frozenset[int]:
    """The summoned units, not yet answered, for which the actor may answer (报到)."""
    if facts.acts_for_every_unit:  # the system answers for any department
        return facts.summoned_units
    return facts.summoned_units & facts.handling_units


def refusal(step: Step, facts: CaseFacts) -> Refusal | None:
    """Why `step` may not be taken now on the case the facts describe, by the actor they
    describe; None when it may. Checked in this order: the status, the actor's right,
    the lead unit, then the step's own precondition."""
    transition = STEPS[step]
    reason = _status_refusal(transition, facts.status)
    if reason is not None:
        return Refusal(reason)
    if transition.action not in facts.permitted and not (transition.also & facts.permitted):
        return Refusal(NOT_PERMITTED, not_permitted=True)
    if (
        transition.lead_only
        and not facts.acts_for_every_unit
        and facts.lead_unit not in facts.handling_units
    ):
        return Refusal(gettext("只有主办单位可以%(step)s") % {"step": transition.name})
    reason = _precondition_refusal(step, facts, transition)
    return None if reason is None else Refusal(reason)


def _precondition_refusal(step: Step, facts: CaseFacts, transition: Transition) -> str | None:
    match step:
        case Step.PAUSE if facts.paused:
            return "计时已中止"
        case Step.RESUME if not facts.paused:
            return "计时没有中止"
        case Step.REQUEST_EXTENSION if facts.extension_pending:
            return "已有一份延期申请待审批"
        case Step.REQUEST_EXTENSION if (
            facts.is_petition and facts.extensions_granted >= PETITION_EXTENSION_LIMIT
        ):
            return "信访事项只能延期一次（信访工作条例第34条）"
        case Step.GRANT_EXTENSION | Step.REFUSE_EXTENSION if not facts.extension_pending:
            return "没有待审批的延期申请"
        case Step.ANSWER_WHISTLE if not answerable_summonses(facts):
            return "您所在单位没有待报到的吹哨"
        case Step.ANSWER_SUPERVISION | Step.ANSWER_SUPERVISION_AT_CENTRE if (
            not facts.supervision_unanswered
        ):
            return "没有待反馈的督办"
        case Step.AGREE:
            # The committee that signs is the one the mediator acts for, or the lead unit.
            if not ({acting_unit(facts, transition), facts.lead_unit} & facts.committees):
                return "调解协议书须由人民调解委员会出具：请由调委会主办或以调委会调解员身份制作"
        case Step.ESCALATE if facts.centre_level <= Level.COUNTY or not facts.centre_has_parent:
            return "县综治中心是最高一级，不能再上报"
    return None


# --- Correcting a case (更正) --------------------------------------------------------------
#
# Which fields each hand may correct. Before dispatch the centre corrects everything; once
# a unit has the case, the lead unit corrects the facts it finds and the centre keeps what
# routes and counts the case: its category, its title and its place. A closed case is
# corrected by reopening it (回访不满意), never in place.

CORRECTABLE: dict[str, Promise] = {
    "category": _("分类"),
    "title": _("标题"),
    "description": _("描述"),
    "region": _("发生地"),
    "address": _("详细地址"),
    "amount": _("涉及金额"),
    "people_count": _("涉及人数"),
    "risk_level": _("风险等级"),
    "risk_reasons": _("风险原因"),
}
CENTRE_WITH_A_UNIT = frozenset({"category", "title", "region", "address"})
UNIT_FACTS = frozenset(
    {"description", "amount", "people_count", "risk_level", "risk_reasons", "address"}
)
CORRECTIONS = (Step.CORRECT, Step.CORRECT_FACTS)
# The parties: whoever may correct the facts of the case, at its stage.
PARTY_STEPS = (Step.CHANGE_PARTIES, Step.CHANGE_PARTIES_AT_UNIT)


def correctable_fields(step: Step, status: Status | None) -> frozenset[str]:
    """The fields `step` may change on a case in `status`."""
    if step == Step.CORRECT_FACTS:
        return UNIT_FACTS
    if status in WITH_A_UNIT:
        return CENTRE_WITH_A_UNIT
    return frozenset(CORRECTABLE)


def fields_refusal(step: Step, status: Status | None, changed: set[str]) -> str | None:
    """Why `step` may not change these fields, naming them; None when it may."""
    outside = [f for f in CORRECTABLE if f in changed - correctable_fields(step, status)]
    if not outside:
        return None
    names = "、".join(str(CORRECTABLE[f]) for f in outside)
    if step == Step.CORRECT_FACTS:
        return gettext("“%(fields)s”由综治中心更正") % {"fields": names}
    return gettext("派单后，“%(fields)s”由主办单位更正") % {"fields": names}


def correction_step(facts: CaseFacts, changed: set[str]) -> Step:
    """The correction step that changes these fields for the actor: the first that may be
    taken and covers them all; else the first that may be taken (its field check then
    names what it may not change); else CORRECT, whose refusal says why."""
    allowed = [s for s in CORRECTIONS if refusal(s, facts) is None]
    for step in allowed:
        if fields_refusal(step, facts.status, changed) is None:
            return step
    return allowed[0] if allowed else Step.CORRECT


def correctable_by(facts: CaseFacts) -> frozenset[str]:
    """Every field the actor may correct now (the case page's form shows these)."""
    fields: frozenset[str] = frozenset()
    for step in CORRECTIONS:
        if refusal(step, facts) is None:
            fields |= correctable_fields(step, facts.status)
    return fields


def party_step(facts: CaseFacts) -> Step:
    """The parties' step for the actor: the one they may take, else the one for the case's
    stage, whose refusal says why not."""
    for step in PARTY_STEPS:
        if refusal(step, facts) is None:
            return step
    return Step.CHANGE_PARTIES_AT_UNIT if facts.status in WITH_A_UNIT else Step.CHANGE_PARTIES


def status_after(step: Step, status: Status | None) -> Status:
    transition = check_step(step, status)
    if transition.target is None:
        if status is None:  # IMPORT: the status is the ledger row's (IMPORTED_STATUSES)
            raise ValueError(f"{step} names no status to start in")
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
