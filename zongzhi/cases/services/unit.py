"""The lead unit's steps: sign for it, return it, answer, ask for time, pause, close."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from zongzhi.accounts.actors import Actor
from zongzhi.cases import rules
from zongzhi.cases.models import (
    Case,
    ClockPause,
    ExtensionRequest,
    Summons,
    SupervisionOrder,
)
from zongzhi.cases.rules import Status, Step
from zongzhi.cases.services.steps import (
    StepContext,
    _end_pause,
    _take_step,
    release_unit_work,
    withdraw_extension,
)
from zongzhi.core.errors import Refused
from zongzhi.core.services import actor_id, require_text


def case_start(*, by: Actor, case: Case, note: str = "") -> Case:
    """签收: the lead unit takes the case on."""
    return _take_step(by=by, case=case, step=Step.START, note=note)


def case_return(*, by: Actor, case: Case, reason: str) -> Case:
    """退回: not this unit's case. Back to the centre, which dispatches it again."""
    reason = require_text(reason, "reason", "退回理由")

    def write(c: StepContext) -> None:
        c.data["unit"] = c.case.lead_unit.name if c.case.lead_unit else None
        release_unit_work(c)

    return _take_step(by=by, case=case, step=Step.RETURN, note=reason, write=write)


def case_record_progress(*, by: Actor, case: Case, note: str) -> Case:
    note = require_text(note, "note", "办理情况")
    return _take_step(by=by, case=case, step=Step.PROGRESS, note=note)


def case_answer_whistle(*, by: Actor, case: Case, answer: str) -> Case:
    """报到: a summoned unit answers the summons."""
    answer = require_text(answer, "answer", "报到意见")

    def write(c: StepContext) -> None:
        # The rules made sure there is one this actor may answer; answer the oldest.
        summons = (
            Summons.objects.filter(
                case=c.case,
                answered_at__isnull=True,
                unit_id__in=rules.answerable_summonses(c.facts),
            )
            .order_by("pk")
            .first()
        )
        assert summons is not None
        summons.answered_at = timezone.now()
        summons.answered_by_id = actor_id(by)
        summons.answer = answer
        summons.save()
        c.unit = summons.unit
        c.data["late"] = c.today > summons.answer_due_on

    return _take_step(by=by, case=case, step=Step.ANSWER_WHISTLE, note=answer, write=write)


def case_answer_supervision(*, by: Actor, case: Case, order: SupervisionOrder, answer: str) -> Case:
    answer = require_text(answer, "answer", "督办反馈")

    def write(c: StepContext) -> None:
        locked = (
            SupervisionOrder.objects.select_for_update().filter(pk=order.pk, case=c.case).first()
        )
        if locked is None:
            raise Refused("该督办不是对此事项的督办")
        if locked.answered_at is not None:
            raise Refused("该督办已反馈")
        locked.answered_at = timezone.now()
        locked.answered_by_id = actor_id(by)
        locked.answer = answer
        locked.save()
        c.data.update(order=locked.pk, late=c.today > locked.answer_due_on)

    # Before dispatch the centre answers; once a unit has the case, the lead unit does.
    step = (
        Step.ANSWER_SUPERVISION_AT_CENTRE
        if case.status in {Status.REGISTERED, Status.ACCEPTED}
        else Step.ANSWER_SUPERVISION
    )
    return _take_step(by=by, case=case, step=step, note=answer, write=write)


def case_request_extension(*, by: Actor, case: Case, days: int, reason: str) -> Case:
    reason = require_text(reason, "reason", "延期理由")
    if days < 1:
        raise ValidationError({"days": "延长天数至少为1天"})

    def write(c: StepContext) -> None:
        if c.case.is_petition and days > rules.PETITION_EXTENSION_MAX_DAYS:
            raise ValidationError(
                {
                    "days": f"信访事项延期不得超过{rules.PETITION_EXTENSION_MAX_DAYS}日"
                    "（信访工作条例第34条）"
                }
            )
        assert c.unit is not None
        ExtensionRequest.objects.create(
            case=c.case,
            unit=c.unit,
            days=days,
            reason=reason,
            requested_at=timezone.now(),
            requested_by_id=actor_id(by),
        )
        c.data["days"] = days

    return _take_step(by=by, case=case, step=Step.REQUEST_EXTENSION, note=reason, write=write)


def case_pause(*, by: Actor, case: Case, reason: str, until: date, note: str = "") -> Case:
    """中止计时 for an appraisal, a hearing …; it resumes on its own on `until`."""
    if reason not in ClockPause.Reason.values:
        raise ValidationError({"reason": "请选择中止计时的事由"})

    def write(c: StepContext) -> None:
        if until <= c.today:
            raise ValidationError({"until": "恢复日期须晚于今天"})
        ClockPause.objects.create(
            case=c.case, reason=reason, note=c.note, started_on=c.today, until=until
        )
        c.case.paused_since = c.today
        c.data.update(reason=reason, until=until.isoformat())

    return _take_step(by=by, case=case, step=Step.PAUSE, note=note, write=write)


def case_resume(*, by: Actor, case: Case, on: date | None = None, note: str = "") -> Case:
    """恢复计时; the days paused do not count, so the deadline moves on by them."""

    def write(c: StepContext) -> None:
        _end_pause(c, on or c.today)

    return _take_step(by=by, case=case, step=Step.RESUME, note=note, write=write)


def case_close(*, by: Actor, case: Case, outcome: str, note: str, reply: str = "") -> Case:
    """办结 with the outcome. Open requests for more time lapse with it. `reply` is the
    answer written for the resident: the portal and Open311 show it (the note does not)."""
    if outcome not in Case.Outcome.values:
        raise ValidationError({"outcome": "请选择办结结果"})
    note = require_text(note, "note", "办结情况")

    def write(c: StepContext) -> None:
        _end_pause(c, c.today)
        withdraw_extension(c.case)
        c.case.outcome = outcome
        c.case.outcome_note = note
        c.case.closed_on = c.today
        c.case.closed_due_on = c.case.due_on
        c.case.due_on = None
        c.data["outcome"] = outcome
        if reply.strip():
            c.data["reply"] = reply.strip()

    return _take_step(by=by, case=case, step=Step.CLOSE, note=note, write=write)
