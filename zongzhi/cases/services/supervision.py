"""A leader's steps and the scheduled sweep: supervision orders, extensions, deadlines."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import SYSTEM
from zongzhi.cases import rules
from zongzhi.cases.models import (
    Case,
    ClockPause,
    DeadlineAlert,
    ExtensionRequest,
    SupervisionOrder,
)
from zongzhi.cases.rules import Step
from zongzhi.cases.services.steps import (
    StepContext,
    _take_step,
    _today,
)
from zongzhi.cases.services.unit import case_resume
from zongzhi.core.errors import Refused
from zongzhi.core.services import actor_id, require_text
from zongzhi.workdays.selectors import current_calendar


def _pending_extension(case: Case) -> ExtensionRequest:
    """The request to decide; the rules made sure there is one (and only one may wait)."""
    return ExtensionRequest.objects.select_for_update().get(
        case=case, decision=ExtensionRequest.Decision.PENDING
    )


def case_grant_extension(
    *, by: Actor, case: Case, note: str = "", applicant_told_by: str = ""
) -> Case:
    """批准延期: the deadline moves on by the days asked for."""

    def write(c: StepContext) -> None:
        request = _pending_extension(c.case)
        if c.case.is_petition and not applicant_told_by.strip():
            raise ValidationError(
                {
                    "applicant_told_by": "信访事项延期须告知信访人，"
                    "请写明告知方式（信访工作条例第34条）"
                }
            )
        request.decision = ExtensionRequest.Decision.GRANTED
        request.decided_at = timezone.now()
        request.decided_by_id = actor_id(by)
        request.decision_note = c.note
        request.applicant_told_by = applicant_told_by.strip()
        request.save()
        assert c.case.due_on is not None
        before = c.case.due_on
        c.case.due_on = current_calendar().deadline(before, request.days, c.case.counting)
        c.data.update(
            days=request.days, from_due_on=before.isoformat(), due_on=c.case.due_on.isoformat()
        )

    return _take_step(by=by, case=case, step=Step.GRANT_EXTENSION, note=note, write=write)


def case_refuse_extension(*, by: Actor, case: Case, note: str) -> Case:
    note = require_text(note, "note", "不予延期的理由")

    def write(c: StepContext) -> None:
        request = _pending_extension(c.case)
        request.decision = ExtensionRequest.Decision.REFUSED
        request.decided_at = timezone.now()
        request.decided_by_id = actor_id(by)
        request.decision_note = c.note
        request.save()
        c.data["days"] = request.days

    return _take_step(by=by, case=case, step=Step.REFUSE_EXTENSION, note=note, write=write)


# The sweep's order on a missed deadline: its text and the timeline's note.
OVERDUE_ORDER_TEXT = "该事项已超过办理期限（{:%Y-%m-%d}），请主办单位说明情况并加快办理。"
OVERDUE_ORDER_NOTE = "超期自动督办"
DEFAULT_SUPERVISION_DAYS = 3  # for a case without a deadline policy


def _issue_order(
    case: Case,
    *,
    text: str,
    answer_from: date,
    answer_days: int | None = None,
    by: Actor | None = None,
    missed: date | None = None,
) -> SupervisionOrder:
    """One supervision order: a leader's (`by`), or the sweep's for the deadline `missed`.
    The answer is due in `answer_days` working days, or as the case's policy says."""
    days = answer_days or (
        case.policy.supervision_days if case.policy else DEFAULT_SUPERVISION_DAYS
    )
    return SupervisionOrder.objects.create(
        case=case,
        text=text,
        issued_at=timezone.now(),
        issued_by_id=actor_id(by),
        automatic=missed is not None,
        for_due_on=missed,
        answer_due_on=current_calendar().add_working_days(answer_from, days),
    )


def case_supervise(
    *, by: Actor, case: Case, text: str, answer_days: int | None = None
) -> SupervisionOrder:
    """督办: an order to the lead unit (or the centre, before dispatch), with its deadline."""
    text = require_text(text, "text", "督办要求")
    made: list[SupervisionOrder] = []

    def write(c: StepContext) -> None:
        order = _issue_order(c.case, text=text, answer_from=c.today, answer_days=answer_days, by=by)
        made.append(order)
        c.data.update(order=order.pk, answer_due_on=order.answer_due_on.isoformat())

    _take_step(by=by, case=case, step=Step.SUPERVISE, note=text, write=write)
    return made[0]


@dataclass
class SweepReport:
    resumed: int = 0
    warned: int = 0
    supervised: int = 0


def _overdue_order(case: Case, today: date) -> bool:
    """Raise the automatic supervision order for the case's missed deadline, once."""
    due_on = case.due_on
    assert due_on is not None

    def write(c: StepContext) -> None:
        if c.case.due_on != due_on or c.case.paused_since is not None:
            raise Refused("期限已变")
        order = _issue_order(
            c.case,
            text=OVERDUE_ORDER_TEXT.format(due_on),
            answer_from=today,
            missed=due_on,
        )
        c.data.update(order=order.pk, for_due_on=due_on.isoformat(), automatic=True)

    try:
        _take_step(by=SYSTEM, case=case, step=Step.SUPERVISE, note=OVERDUE_ORDER_NOTE, write=write)
    except (IntegrityError, Refused):
        return False
    return True


def _warn(case: Case, today: date) -> bool:
    due_on = case.due_on
    assert due_on is not None

    def write(c: StepContext) -> None:
        if c.case.due_on != due_on:
            raise Refused("期限已变")
        DeadlineAlert.objects.create(case=c.case, due_on=due_on, sent_at=timezone.now())
        c.data["due_on"] = due_on.isoformat()

    try:
        _take_step(by=SYSTEM, case=case, step=Step.WARN, note="", write=write)
    except (IntegrityError, Refused):
        return False
    return True


def sweep_deadlines(*, today: date | None = None) -> SweepReport:
    """The scheduled pass over every open case: resume pauses that have run their course,
    warn before deadlines, and raise a supervision order on every deadline missed.

    Running it twice does nothing the second time: each warning and each automatic order
    is one row under a unique constraint (case, deadline), checked before it is written.
    """
    today = today or _today()
    calendar = current_calendar()
    report = SweepReport()
    for pause in ClockPause.objects.filter(ended_on__isnull=True, until__lte=today).select_related(
        "case"
    ):
        try:
            case_resume(by=SYSTEM, case=pause.case, on=pause.until, note="到期自动恢复计时")
            report.resumed += 1
        except Refused:
            continue
    open_cases = Case.objects.open().filter(due_on__isnull=False, paused_since__isnull=True)
    supervised = set(
        SupervisionOrder.objects.filter(automatic=True, case__in=open_cases).values_list(
            "case_id", "for_due_on"
        )
    )
    alerted = set(
        DeadlineAlert.objects.filter(case__in=open_cases).values_list("case_id", "due_on")
    )
    for case in open_cases.only("pk", "due_on", "warn_days", "status"):
        assert case.due_on is not None
        if case.due_on < today:
            if (case.pk, case.due_on) not in supervised and _overdue_order(case, today):
                report.supervised += 1
        elif (case.pk, case.due_on) not in alerted:
            window = rules.warning_days(case.status, case.warn_days)
            near = calendar.working_days_between(today, case.due_on) <= window
            if near and _warn(case, today):
                report.warned += 1
    return report
