"""The centre's steps: accept, dispatch, transfer, escalate, summon, visit, archive, merge."""

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import require
from zongzhi.accounts.rules import Action
from zongzhi.cases import routing
from zongzhi.cases.models import (
    Assignment,
    Attachment,
    Case,
    Party,
    Summons,
)
from zongzhi.cases.rules import Status, Step
from zongzhi.cases.services.intake import refresh_search_text
from zongzhi.cases.services.steps import (
    StepContext,
    _end_pause,
    _take_step,
    release_unit_work,
    withdraw_extension,
)
from zongzhi.core.services import actor_id, refresh_from, require_text
from zongzhi.regions.rules import Level
from zongzhi.units.models import Unit
from zongzhi.workdays.selectors import current_calendar


def case_accept(*, by: Actor, case: Case, note: str = "") -> Case:
    """受理. The handling clock starts now."""

    def write(c: StepContext) -> None:
        c.case.accepted_on = c.today
        c.case.due_on = current_calendar().deadline(c.today, c.case.handle_days, c.case.counting)
        c.data["due_on"] = c.case.due_on.isoformat()

    return _take_step(by=by, case=case, step=Step.ACCEPT, note=note, write=write)


def case_reject(*, by: Actor, case: Case, reason: str, notice: str) -> Case:
    """不予受理, with the reason and how the person was told (the notice)."""
    reason = require_text(reason, "reason", "不予受理的理由")
    notice = require_text(notice, "notice", "告知方式")

    def write(c: StepContext) -> None:
        c.case.due_on = None
        c.data["notice"] = notice

    return _take_step(by=by, case=case, step=Step.REJECT, note=reason, write=write)


def suggested_unit(case: Case) -> Unit | None:
    return routing.suggest(case)


def _check_dispatchable(case: Case, units: Iterable[Unit]) -> None:
    for unit in units:
        if not unit.is_active:
            raise ValidationError({"lead_unit": f"“{unit.name}”已停用"})
        if not unit.region.prefix.startswith(case.centre_prefix):
            raise ValidationError(
                {
                    "lead_unit": f"“{unit.name}”不在{case.centre.name}辖区内；"
                    "需要上级部门参与请“吹哨”或“上报”"
                }
            )


def _assign(case: Case, lead: Unit, co_units: Iterable[Unit]) -> None:
    """Put the lead and co-units on the case; summoned departments stay as they are."""
    now = timezone.now()
    if case.lead_unit_id is not None and case.lead_unit_id != lead.pk:
        withdraw_extension(case)  # asked for by the unit that is leaving
    case.assignments.filter(kind__in=[Assignment.Kind.LEAD, Assignment.Kind.CO]).delete()
    case.assignments.filter(unit=lead).delete()  # a summoned department now leading
    Assignment.objects.create(case=case, unit=lead, kind=Assignment.Kind.LEAD, since=now)
    Assignment.objects.bulk_create(
        Assignment(case=case, unit=u, kind=Assignment.Kind.CO, since=now)
        for u in co_units
        if u.pk != lead.pk
    )
    case.lead_unit = lead


def case_dispatch(
    *, by: Actor, case: Case, lead_unit: Unit, co_units: Sequence[Unit] = (), note: str = ""
) -> Case:
    """派单 to a lead unit, with co-units (协办) if several must work on it."""
    co_units = list({u.pk: u for u in co_units}.values())  # a unit named twice is one unit

    def write(c: StepContext) -> None:
        _check_dispatchable(c.case, [lead_unit, *co_units])
        suggestion = suggested_unit(c.case)
        _assign(c.case, lead_unit, co_units)
        c.data.update(
            lead_unit=lead_unit.name,
            co_units=[u.name for u in co_units if u.pk != lead_unit.pk],
            suggested_unit=suggestion.name if suggestion else None,
        )

    return _take_step(by=by, case=case, step=Step.DISPATCH, note=note, write=write)


def case_transfer(*, by: Actor, case: Case, lead_unit: Unit, note: str) -> Case:
    """转办 to another lead unit; co-units stay unless the new lead was one of them."""
    note = require_text(note, "note", "转办说明")

    def write(c: StepContext) -> None:
        if lead_unit.pk == c.case.lead_unit_id:
            raise ValidationError({"lead_unit": "已是该单位主办"})
        _check_dispatchable(c.case, [lead_unit])
        co = [a.unit for a in c.case.assignments.filter(kind=Assignment.Kind.CO)]
        c.data.update(from_unit=c.case.lead_unit.name if c.case.lead_unit else None)
        _assign(c.case, lead_unit, co)
        c.data.update(lead_unit=lead_unit.name)

    return _take_step(by=by, case=case, step=Step.TRANSFER, note=note, write=write)


def case_escalate(*, by: Actor, case: Case, reason: str) -> Case:
    """上报: the centre above answers for it now and dispatches it again."""
    reason = require_text(reason, "reason", "上报理由")

    def write(c: StepContext) -> None:
        parent = c.case.centre.parent
        assert parent is not None  # the rules refuse 上报 from the county centre
        c.data.update(from_centre=c.case.centre.name, to_centre=parent.name)
        c.case.centre = parent
        c.case.centre_prefix = parent.prefix
        release_unit_work(c)

    return _take_step(by=by, case=case, step=Step.ESCALATE, note=reason, write=write)


def case_whistle(*, by: Actor, case: Case, units: Sequence[Unit], reason: str) -> Case:
    """吹哨: summon county departments to the case; each must answer (报到)."""
    reason = require_text(reason, "reason", "吹哨事由")
    units = list({u.pk: u for u in units}.values())  # a unit named twice is summoned once
    if not units:
        raise ValidationError({"units": "请选择要召集的县级部门"})

    def write(c: StepContext) -> None:
        on_case = c.case.unit_ids()
        awaited = set(
            Summons.objects.filter(case=c.case, answered_at__isnull=True).values_list(
                "unit_id", flat=True
            )
        )
        for unit in units:
            if unit.region.level != Level.COUNTY:
                raise ValidationError({"units": f"“{unit.name}”不是县级部门"})
            if unit.pk in on_case:
                raise ValidationError({"units": f"“{unit.name}”已在办理该事项"})
            if unit.pk in awaited:
                raise ValidationError({"units": f"“{unit.name}”已被吹哨，尚未报到"})
        policy_days = c.case.policy.summons_days if c.case.policy else 1
        due = current_calendar().add_working_days(c.today, policy_days)
        now = timezone.now()
        for unit in units:
            Summons.objects.create(
                case=c.case,
                unit=unit,
                reason=reason,
                summoned_at=now,
                summoned_by_id=actor_id(by),
                answer_due_on=due,
            )
            Assignment.objects.create(
                case=c.case, unit=unit, kind=Assignment.Kind.SUMMONED, since=now
            )
        c.data.update(units=[u.name for u in units], answer_due_on=due.isoformat())

    return _take_step(by=by, case=case, step=Step.WHISTLE, note=reason, write=write)


def case_visit(*, by: Actor, case: Case, satisfaction: str, note: str = "") -> Case:
    """回访. 不满意 sends it back to the lead unit with a fresh handling period."""
    if satisfaction not in Case.Satisfaction.values:
        raise ValidationError({"satisfaction": "请选择回访满意度"})
    unsatisfied = satisfaction == Case.Satisfaction.UNSATISFIED
    if unsatisfied:
        note = require_text(note, "note", "群众不满意的原因")

    def write(c: StepContext) -> None:
        c.case.satisfaction = satisfaction
        c.data["satisfaction"] = satisfaction
        if unsatisfied:
            c.case.closed_on = None
            c.case.closed_due_on = None
            c.case.outcome = ""
            c.case.due_on = current_calendar().deadline(
                c.today, c.case.handle_days, c.case.counting
            )
            c.data["due_on"] = c.case.due_on.isoformat()

    step = Step.VISIT_UNSATISFIED if unsatisfied else Step.VISIT_SATISFIED
    return _take_step(by=by, case=case, step=step, note=note, write=write)


def case_archive(*, by: Actor, case: Case, note: str = "") -> Case:
    return _take_step(by=by, case=case, step=Step.ARCHIVE, note=note)


def case_relate(*, by: Actor, case: Case, other: Case, note: str = "") -> Case:
    def write(c: StepContext) -> None:
        if other.pk == c.case.pk:
            raise ValidationError({"other": "不能关联事项本身"})
        require(by, Action.VIEW_CASE, other)
        c.case.related.add(other)
        c.data["other"] = other.code

    return _take_step(by=by, case=case, step=Step.RELATE, note=note, write=write)


def case_merge(*, by: Actor, case: Case, into: Case, note: str = "") -> Case:
    """合并 a duplicate into the case that goes on. The duplicate is kept, marked merged and
    pointing at the other; its parties and attachments are copied across, its timeline is
    shown with the other's, and it is no longer counted."""
    if into.pk == case.pk:
        raise ValidationError({"into": "不能合并到事项本身"})
    with transaction.atomic():
        survivor = Case.objects.select_for_update().get(pk=into.pk)
        if survivor.status in {Status.MERGED, Status.ARCHIVED, Status.REJECTED}:
            raise ValidationError(
                {"into": f"事项{survivor.code}已{survivor.get_status_display()}，不能并入"}
            )

        def write(c: StepContext) -> None:
            c.case.merged_into = survivor
            c.case.due_on = None
            c.case.lead_unit = None
            c.case.assignments.all().delete()
            withdraw_extension(c.case)
            _end_pause(c, c.today)  # no deadline left to move: it only stops the clock
            c.data["into"] = survivor.code

        _take_step(by=by, case=case, step=Step.MERGE, note=note, write=write)

        def absorb(c: StepContext) -> None:
            known = {(p.name, p.phone) for p in c.case.parties.all()}
            for p in Party.objects.filter(case=case):
                if (p.name, p.phone) not in known:
                    Party.objects.create(
                        case=c.case,
                        kind=p.kind,
                        role=p.role,
                        name=p.name,
                        phone=p.phone,
                        phone_digits=p.phone_digits,
                        address=p.address,
                        identity_encrypted=p.identity_encrypted,
                        identity_masked=p.identity_masked,
                    )
            for a in Attachment.objects.filter(case=case):
                Attachment.objects.create(
                    case=c.case,
                    file=a.file.name,
                    thumbnail=a.thumbnail.name,
                    name=a.name,
                    content_type=a.content_type,
                    size=a.size,
                    uploaded_by_id=a.uploaded_by_id,
                    uploaded_by_name=a.uploaded_by_name,
                    uploaded_at=a.uploaded_at,
                )
            c.case.people_count = max(c.case.people_count, case.people_count)
            c.data["duplicate"] = case.code
            refresh_search_text(c.case)

        _take_step(by=by, case=survivor, step=Step.ABSORB, note=note, write=absorb)
    refresh_from(into, survivor)
    return case
