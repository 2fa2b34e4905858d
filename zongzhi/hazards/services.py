"""Every write to a hazard goes through `_take_step`: it locks the hazard, checks the step
against its status and the actor against their scope, runs the step's writes and appends
the timeline entry, in one transaction. A refused step changes nothing."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import require
from zongzhi.accounts.rules import Action, Target
from zongzhi.cases.models import Case
from zongzhi.categories.models import Category
from zongzhi.core.errors import Refused
from zongzhi.core.services import (
    Created,
    actor_id,
    actor_name,
    body_digest,
    check_same_body,
    dated_code,
    refresh_from,
    require_text,
)
from zongzhi.hazards import rules
from zongzhi.hazards.models import Hazard, HazardEvent, HazardMeasure, HazardReview
from zongzhi.hazards.rules import Status, Step
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level
from zongzhi.units.models import Unit

__all__ = [
    "NewHazard",
    "hazard_add_measure",
    "hazard_complete_measure",
    "hazard_eliminate",
    "hazard_escalate",
    "hazard_reassign",
    "hazard_register",
    "hazard_register_idempotent",
    "hazard_resolve",
    "hazard_review",
    "sweep_hazard_reviews",
]


def _today() -> date:
    return timezone.localdate()


@dataclass
class NewHazard:
    title: str
    description: str
    category: Category
    region: Region
    level: str
    responsible_unit: Unit
    guardian_name: str
    guardian_phone: str = ""
    address: str = ""
    people_count: int = 1
    amount: Decimal | None = None
    level_reasons: str = ""
    discovered_on: date | None = None  # today when not given
    review_every_days: int | None = None  # by level when not given


def new_hazard_code(today: date) -> str:
    return dated_code(today, length=5, prefix="YH")


def check_new_hazard(new: NewHazard, today: date) -> dict[str, str]:
    """Every problem with `new`, by field; empty when it can be registered."""
    errors: dict[str, str] = {}
    if not new.title.strip():
        errors["title"] = "请填写隐患名称"
    if not new.description.strip():
        errors["description"] = "请填写隐患描述"
    if new.category.parent_id is None:
        errors["category"] = "请选择二级分类"
    if new.region.level < Level.COUNTY:
        errors["region"] = "所在地须在县及以下"
    if new.level not in Hazard.Level.values:
        errors["level"] = "请选择风险等级"
    elif new.level in {Hazard.Level.HIGH, Hazard.Level.MAJOR} and not new.level_reasons.strip():
        errors["level_reasons"] = "风险等级为高或重大时须写明定级理由"
    if not new.guardian_name.strip():
        errors["guardian_name"] = "请填写包保责任人"
    if not new.responsible_unit.is_active:
        errors["responsible_unit"] = "责任单位已停用"
    elif not new.region.prefix.startswith(new.responsible_unit.region.prefix):
        errors["responsible_unit"] = "责任单位须是所在地或其上级的单位"
    if new.people_count < 1:
        errors["people_count"] = "涉及人数至少为1"
    if new.amount is not None and new.amount < 0:
        errors["amount"] = "涉及金额不能为负数"
    if new.discovered_on is not None and new.discovered_on > today:
        errors["discovered_on"] = "发现日期不能晚于今天"
    if new.review_every_days is not None and not 1 <= new.review_every_days <= 366:
        errors["review_every_days"] = "复查周期须在1至366天之间"
    return errors


def hazard_register(
    *,
    by: Actor,
    new: NewHazard,
    source: str = Hazard.Source.DIRECT,
    ledger_key: str | None = None,
) -> Hazard:
    """登记."""
    return hazard_register_idempotent(
        by=by, new=new, idempotency_key=None, source=source, ledger_key=ledger_key
    ).record


def hazard_register_idempotent(
    *,
    by: Actor,
    new: NewHazard,
    idempotency_key: str | None,
    source: str = Hazard.Source.DIRECT,
    ledger_key: str | None = None,
) -> Created[Hazard]:
    """登记 from a form or another system that may send the same request twice: a retry
    with the same idempotency key returns the hazard the first call made (created False).
    Without a key, every call registers a hazard."""
    sent = body_digest(new) if idempotency_key else ""
    if idempotency_key:
        existing = Hazard.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _again(by, existing, idempotency_key, sent)
    require(by, Action.REGISTER_HAZARD, Target(region_prefix=new.region.prefix))
    today = _today()
    errors = check_new_hazard(new, today)
    if errors:
        raise ValidationError(errors)
    discovered_on = new.discovered_on or today
    every = new.review_every_days or rules.REVIEW_DAYS[new.level]
    hazard = Hazard(
        code=new_hazard_code(today),
        idempotency_key=idempotency_key or None,
        idempotency_digest=sent,
        ledger_key=ledger_key,
        source=source,
        title=new.title.strip(),
        description=new.description.strip(),
        category=new.category,
        region=new.region,
        region_prefix=new.region.prefix,
        address=new.address.strip(),
        people_count=new.people_count,
        amount=new.amount,
        level=new.level,
        level_reasons=new.level_reasons.strip(),
        responsible_unit=new.responsible_unit,
        guardian_name=new.guardian_name.strip(),
        guardian_phone=new.guardian_phone.strip(),
        status=Status.CONTROLLED,
        discovered_on=discovered_on,
        review_every_days=every,
        next_review_on=rules.next_review(max(discovered_on, today), every),
        registered_at=timezone.now(),
        registered_by_id=actor_id(by),
    )
    try:
        with transaction.atomic():
            hazard.save()
            _append(hazard, Step.REGISTER, None, by=by, note="", data={"source": source})
    except IntegrityError:
        if idempotency_key:
            first = Hazard.objects.get(idempotency_key=idempotency_key)
            return _again(by, first, idempotency_key, sent)
        raise
    return Created(hazard, created=True)


def _again(by: Actor, existing: Hazard, key: str, sent: str) -> Created[Hazard]:
    """The hazard a key already made, for a retry of the same request; another request
    under the same key is refused (KeyReused)."""
    require(by, Action.VIEW_HAZARD, existing)
    check_same_body(key=key, kept=existing.idempotency_digest, digest=sent)
    return Created(existing, created=False)


# --- The one write path -----------------------------------------------------------------


@dataclass
class StepContext:
    hazard: Hazard
    by: Actor
    today: date
    data: dict[str, Any] = field(default_factory=dict)
    note: str = ""


def _take_step(
    *,
    by: Actor,
    hazard: Hazard,
    step: Step,
    note: str = "",
    write: Callable[[StepContext], None] | None = None,
    for_review_on: date | None = None,
) -> Hazard:
    with transaction.atomic():
        locked = (
            Hazard.objects.select_for_update(of=("self",))
            .select_related("responsible_unit", "region", "category")
            .get(pk=hazard.pk)
        )
        before = locked.status_enum
        transition = rules.check_step(step, before)
        require(by, transition.action, locked)
        context = StepContext(hazard=locked, by=by, today=_today(), note=note.strip())
        if write is not None:
            write(context)
        locked.status = rules.status_after(step, before)
        if locked.status not in rules.OPEN and before in rules.OPEN:
            locked.next_review_on = None
            locked.closed_on = context.today
        locked.save()
        _append(
            locked,
            step,
            before,
            by=by,
            note=context.note,
            data=context.data,
            for_review_on=for_review_on,
        )
    refresh_from(hazard, locked)
    return hazard


def _append(
    hazard: Hazard,
    step: Step,
    before: Status | None,
    *,
    by: Actor,
    note: str,
    data: dict[str, Any],
    for_review_on: date | None = None,
) -> HazardEvent:
    return HazardEvent.objects.create(
        hazard=hazard,
        step=step,
        from_status=before or "",
        to_status=hazard.status,
        at=timezone.now(),
        actor_id=actor_id(by),
        actor_name=actor_name(by),
        note=note,
        data=data,
        for_review_on=for_review_on,
    )


# --- Steps ------------------------------------------------------------------------------


def hazard_add_measure(
    *, by: Actor, hazard: Hazard, content: str, owner: str, due_on: date
) -> Hazard:
    """一事一策: add a measure to the plan."""
    content = require_text(content, "content", "措施内容")
    owner = require_text(owner, "owner", "落实人")

    def write(c: StepContext) -> None:
        if due_on < c.hazard.discovered_on:
            raise ValidationError({"due_on": "完成时限不能早于发现日期"})
        HazardMeasure.objects.create(hazard=c.hazard, content=content, owner=owner, due_on=due_on)
        c.data.update(content=content, owner=owner, due_on=due_on.isoformat())

    return _take_step(by=by, hazard=hazard, step=Step.PLAN, write=write)


def hazard_complete_measure(
    *, by: Actor, hazard: Hazard, measure: HazardMeasure, note: str = ""
) -> Hazard:
    def write(c: StepContext) -> None:
        if measure.hazard_id != c.hazard.pk:
            raise ValidationError({"measure": "该措施不属于此隐患"})
        if measure.done_on is not None:
            raise ValidationError({"measure": "该措施已落实"})
        measure.done_on = c.today
        measure.done_note = note.strip()
        measure.save(update_fields=["done_on", "done_note"])
        c.data.update(measure=measure.content)

    return _take_step(by=by, hazard=hazard, step=Step.MEASURE_DONE, note=note, write=write)


def hazard_review(
    *,
    by: Actor,
    hazard: Hazard,
    finding: str,
    level: str,
    level_reasons: str = "",
    next_review_on: date | None = None,
) -> Hazard:
    """复查: what was found, the level now, and the next review date (by the level's
    interval when not given)."""
    finding = require_text(finding, "finding", "复查情况")
    if level not in Hazard.Level.values:
        raise ValidationError({"level": "请选择风险等级"})

    def write(c: StepContext) -> None:
        h = c.hazard
        if level in {Hazard.Level.HIGH, Hazard.Level.MAJOR} and not (
            level_reasons.strip() or (h.level == level and h.level_reasons)
        ):
            raise ValidationError({"level_reasons": "风险等级为高或重大时须写明定级理由"})
        if level != h.level:
            h.review_every_days = rules.REVIEW_DAYS[level]
        following = next_review_on or rules.next_review(c.today, h.review_every_days)
        if following <= c.today:
            raise ValidationError({"next_review_on": "下次复查日期须晚于今天"})
        HazardReview.objects.create(
            hazard=h,
            reviewed_on=c.today,
            finding=finding,
            level=level,
            next_review_on=following,
            by_id=actor_id(c.by),
            by_name=actor_name(c.by),
        )
        c.data.update(from_level=h.level, level=level, next_review_on=following.isoformat())
        h.level = level
        if level_reasons.strip():
            h.level_reasons = level_reasons.strip()
        h.next_review_on = following

    return _take_step(by=by, hazard=hazard, step=Step.REVIEW, note=finding, write=write)


def hazard_reassign(
    *,
    by: Actor,
    hazard: Hazard,
    responsible_unit: Unit,
    guardian_name: str,
    guardian_phone: str = "",
    reason: str,
) -> Hazard:
    reason = require_text(reason, "reason", "调整原因")
    guardian_name = require_text(guardian_name, "guardian_name", "包保责任人")

    def write(c: StepContext) -> None:
        h = c.hazard
        if not responsible_unit.is_active:
            raise ValidationError({"responsible_unit": "责任单位已停用"})
        if not h.region_prefix.startswith(responsible_unit.region.prefix):
            raise ValidationError({"responsible_unit": "责任单位须是所在地或其上级的单位"})
        c.data.update(
            from_unit=h.responsible_unit.name,
            unit=responsible_unit.name,
            from_guardian=h.guardian_name,
            guardian=guardian_name,
        )
        h.responsible_unit = responsible_unit
        h.guardian_name = guardian_name
        h.guardian_phone = guardian_phone.strip()

    return _take_step(by=by, hazard=hazard, step=Step.REASSIGN, note=reason, write=write)


def hazard_resolve(*, by: Actor, hazard: Hazard, note: str) -> Hazard:
    """已化解: the conflict behind the risk is settled."""
    note = require_text(note, "note", "化解情况")
    return _take_step(by=by, hazard=hazard, step=Step.RESOLVE, note=note)


def hazard_eliminate(*, by: Actor, hazard: Hazard, note: str) -> Hazard:
    """已消除: the cause is gone."""
    note = require_text(note, "note", "消除情况")
    return _take_step(by=by, hazard=hazard, step=Step.ELIMINATE, note=note)


def hazard_escalate(
    *, by: Actor, hazard: Hazard, applicant_name: str, applicant_phone: str = "", note: str = ""
) -> Hazard:
    """转为事项: the risk has become a dispute. A case is registered from the hazard (by
    the same person, through the case's own registration) and carries it on."""
    from zongzhi.cases import services as case_services

    applicant_name = require_text(applicant_name, "applicant_name", "反映人或当事人")

    def write(c: StepContext) -> None:
        h = c.hazard
        case = case_services.case_register(
            by=c.by,
            new=case_services.NewCase(
                channel=Case.Channel.SCREENING,
                category=h.category,
                title=h.title,
                description=h.description + (f"\n\n（由风险隐患{h.code}转入）{note.strip()}"),
                region=h.region,
                address=h.address,
                people_count=h.people_count,
                amount=h.amount,
                risk_level=h.level,
                risk_reasons=h.level_reasons,
                parties=[
                    case_services.NewParty(
                        role="applicant", name=applicant_name, phone=applicant_phone
                    )
                ],
            ),
        )
        h.case = case
        c.data.update(case=case.code)

    return _take_step(by=by, hazard=hazard, step=Step.ESCALATE, note=note, write=write)


def sweep_hazard_reviews(today: date | None = None) -> int:
    """Warn the owner of every open hazard whose review date has passed, once per date."""
    from zongzhi.accounts.permissions import SYSTEM

    today = today or _today()
    warned = 0
    already_warned = HazardEvent.objects.filter(
        hazard=OuterRef("pk"), for_review_on=OuterRef("next_review_on")
    )
    overdue = Hazard.objects.review_overdue(today).exclude(Exists(already_warned))
    for hazard in overdue.select_related("responsible_unit"):
        due = hazard.next_review_on
        assert due is not None

        def write(c: StepContext, due: date = due) -> None:
            c.data.update(next_review_on=due.isoformat(), unit=c.hazard.responsible_unit.name)

        try:
            _take_step(
                by=SYSTEM,
                hazard=hazard,
                step=Step.REVIEW_OVERDUE,
                note=f"应于{due:%Y-%m-%d}复查，尚未复查",
                write=write,
                for_review_on=due,
            )
        except (IntegrityError, Refused):
            continue  # another sweep warned first, or it closed meanwhile
        warned += 1
    return warned
