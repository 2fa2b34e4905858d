"""Keeping a file: assessments, visits, the plan (一人一策) and assistance."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from zongzhi.accounts.actors import Actor
from zongzhi.care import access, rules
from zongzhi.care.models import (
    CareAssessment,
    CareAssistance,
    CareFile,
    CarePlanItem,
    CareVisit,
)
from zongzhi.care.services.changes import (
    ChangeContext,
    Kind,
    _add_once,
    _change,
    _clear_visit_alerts,
)
from zongzhi.core.services import actor_id, actor_name

# --- Assessments and visits -----------------------------------------------------------


def care_file_assess(
    *,
    by: Actor,
    file: CareFile,
    level: str,
    reasons: list[str],
    note: str = "",
) -> CareFile:
    """风险评估: the level and its reasons; the visit schedule is recomputed from them."""
    prog = file.prog

    def write(c: ChangeContext) -> None:
        current = prog.rules_on(c.today)
        errors = {}
        if level not in {r.code for r in current.levels}:
            errors["level"] = "请选择评估等级"
        if not reasons or set(reasons) - {code for code, _ in prog.level_reasons}:
            errors["reasons"] = "请至少选择一项评估依据"
        if errors:
            raise ValidationError(errors)
        due = rules.due_after_assessment(
            prog,
            level,
            last_visit_on=c.file.last_visit_on,
            since=c.file.enrolled_on,
            assessed_on=c.today,
        )
        CareAssessment.objects.create(
            file=c.file,
            assessed_on=c.today,
            level=level,
            reasons=list(reasons),
            note=note.strip(),
            rules_version=current.version,
            next_visit_due=due,
            by_id=actor_id(by),
            by_name=actor_name(by),
        )
        before = c.file.level
        c.file.level = level
        c.file.level_assessed_on = c.today
        c.file.next_visit_due = due
        c.note = f"{prog.level_name(before)} → {prog.level_name(level)}，下次走访截止{due}"
        c.data = {"from": before, "to": level, "due": due.isoformat()}

    return _change(by=by, file=file, kind=Kind.ASSESS, may=access.may_keep, write=write)


def care_file_record_visit(
    *,
    by: Actor,
    file: CareFile,
    visited_on: date,
    method: str,
    seen: str,
    needs_raised: str = "",
    follow_up: str = "",
    idempotency_key: str | None = None,
) -> CareVisit:
    """走访: recorded, and the next visit falls due one interval after it."""

    def write(c: ChangeContext) -> CareVisit:
        errors = {}
        if visited_on > c.today:
            errors["visited_on"] = "走访日期不能晚于今天"
        elif visited_on < c.file.enrolled_on:
            errors["visited_on"] = "走访日期不能早于纳入管理日期"
        if method not in CareVisit.Method.values:
            errors["method"] = "请选择走访方式"
        if not seen.strip():
            errors["seen"] = "请填写走访情况"
        if errors:
            raise ValidationError(errors)
        visit = CareVisit.objects.create(
            file=c.file,
            idempotency_key=idempotency_key or None,
            visited_on=visited_on,
            method=method,
            seen=seen.strip(),
            needs_raised=needs_raised.strip(),
            follow_up=follow_up.strip(),
            by_id=actor_id(by),
            by_name=actor_name(by),
            recorded_at=c.now,
        )
        last = max(visited_on, c.file.last_visit_on or visited_on)
        c.file.last_visit_on = last
        c.file.next_visit_due = rules.next_visit_due(
            c.file.prog, c.file.level, last_visit_on=last, since=c.file.enrolled_on, today=c.today
        )
        _clear_visit_alerts(c.file, c.now)
        c.note = (
            f"{CareVisit.Method(method).label}，{visited_on}；下次走访截止{c.file.next_visit_due}"
        )
        c.data = {"visit_id": visit.pk, "due": c.file.next_visit_due.isoformat()}
        return visit

    return _add_once(
        CareVisit,
        by=by,
        file=file,
        kind=Kind.VISIT,
        may=access.may_keep,
        idempotency_key=idempotency_key,
        write=write,
    )


# --- Plan and assistance --------------------------------------------------------------


def care_file_add_plan_item(
    *,
    by: Actor,
    file: CareFile,
    need: str,
    measure: str,
    who: str,
    due_on: date | None = None,
    idempotency_key: str | None = None,
) -> CarePlanItem:
    """一人一策: a need, its measure, who does it."""

    def write(c: ChangeContext) -> CarePlanItem:
        errors = {}
        for name, value, label in (
            ("need", need, "需求"),
            ("measure", measure, "措施"),
            ("who", who, "落实人"),
        ):
            if not value.strip():
                errors[name] = f"请填写{label}"
        if due_on is not None and due_on < c.today:
            errors["due_on"] = "完成时限不能早于今天"
        if errors:
            raise ValidationError(errors)
        item = CarePlanItem.objects.create(
            file=c.file,
            idempotency_key=idempotency_key or None,
            need=need.strip(),
            measure=measure.strip(),
            who=who.strip(),
            due_on=due_on,
            added_on=c.today,
            added_by_id=actor_id(by),
        )
        c.data = {"plan_item_id": item.pk}
        return item

    return _add_once(
        CarePlanItem,
        by=by,
        file=file,
        kind=Kind.PLAN,
        may=access.may_keep,
        idempotency_key=idempotency_key,
        write=write,
    )


def care_file_complete_plan_item(
    *, by: Actor, item: CarePlanItem, done_on: date | None = None
) -> CarePlanItem:
    def write(c: ChangeContext) -> None:
        locked = CarePlanItem.objects.select_for_update().get(pk=item.pk, file=c.file)
        if locked.done_on is not None:
            raise ValidationError("该措施已落实")
        day = done_on or c.today
        if day > c.today:
            raise ValidationError({"done_on": "完成日期不能晚于今天"})
        locked.done_on = day
        locked.save(update_fields=["done_on"])
        item.done_on = day
        c.data = {"plan_item_id": item.pk}

    _change(by=by, file=item.file, kind=Kind.PLAN_DONE, may=access.may_keep, write=write)
    return item


def care_file_add_assistance(
    *,
    by: Actor,
    file: CareFile,
    kind: str,
    granted_on: date,
    amount: Decimal | None = None,
    note: str = "",
    idempotency_key: str | None = None,
) -> CareAssistance:
    """救助帮扶: 低保, 临时救助, 监护补贴, 医疗救治 …, with amount and date."""

    def write(c: ChangeContext) -> CareAssistance:
        errors = {}
        if kind not in CareAssistance.Kind.values:
            errors["kind"] = "请选择救助类别"
        if granted_on > c.today:
            errors["granted_on"] = "发放日期不能晚于今天"
        elif granted_on < c.file.enrolled_on:
            # As a visit: what the file records happened while it was kept.
            errors["granted_on"] = "发放日期不能早于纳入管理日期"
        if amount is not None and amount < 0:
            errors["amount"] = "金额不能为负数"
        if errors:
            raise ValidationError(errors)
        record = CareAssistance.objects.create(
            file=c.file,
            idempotency_key=idempotency_key or None,
            kind=kind,
            amount=amount,
            granted_on=granted_on,
            note=note.strip(),
            by_id=actor_id(by),
        )
        label = CareAssistance.Kind(kind).label
        c.note = f"{label}{f' {amount}元' if amount is not None else ''}，{granted_on}"
        c.data = {"assistance_id": record.pk}
        return record

    return _add_once(
        CareAssistance,
        by=by,
        file=file,
        kind=Kind.ASSIST,
        may=access.may_keep,
        idempotency_key=idempotency_key,
        write=write,
    )
