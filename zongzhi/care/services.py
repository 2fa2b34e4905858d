"""Every change to a care file goes through `_change`: it locks the file, checks the actor
against the file (its team, its supervisors), runs the change's writes and appends the
timeline entry, in one transaction. A refused or invalid change writes nothing.

Free text about the person (what a visit saw, the plan, reasons) lives in the records
that `deidentify_expired` blanks; the timeline only carries structured notes.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from zongzhi.accounts.permissions import can
from zongzhi.accounts.rules import Action, Target
from zongzhi.care import access, rules
from zongzhi.care.models import (
    CareAlert,
    CareAssessment,
    CareAssistance,
    CareEmergencyAccess,
    CareEvent,
    CareFile,
    CarePlanItem,
    CareTeamMember,
    CareTransfer,
    CareVisit,
)
from zongzhi.core import crypto
from zongzhi.core.services import actor_id, actor_name, dated_code, refresh_from, require_text
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level

Kind = CareEvent.Kind
Duty = CareTeamMember.Duty

REFUSED = "您不是该档案的包保小组成员或所在地督导，无权进行该操作"


def _today() -> date:
    return timezone.localdate()


# --- Enrolment ------------------------------------------------------------------------


@dataclass
class Member:
    """A care team member: a user of the platform, or a named person without an account."""

    duty: str
    user: Any = None
    name: str = ""
    phone: str = ""


@dataclass
class NewFile:
    programme: str
    person_name: str
    region: Region
    level: str
    level_reasons: list[str]
    identity_number: str = ""
    birth_date: date | None = None  # from the identity number when it has one
    gender: str = ""
    phone: str = ""
    address: str = ""
    guardian_name: str = ""
    guardian_relation: str = ""
    guardian_phone: str = ""
    enrolled_on: date | None = None  # today when not given
    expected_end_on: date | None = None
    programme_note: str = ""
    assessment_note: str = ""
    # The team; the enrolling care worker leads it when nobody else is named lead.
    team: list[Member] = field(default_factory=list)


def _minor_until(birth: date | None) -> date | None:
    """The end of the month in which a person born on `birth` turns 18."""
    if birth is None:
        return None
    year, month = birth.year + 18, birth.month
    first_of_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


@sensitive_variables("new", "number", "birth")
def check_new_file(new: NewFile, today: date) -> dict[str, str]:
    """Every problem with `new`, by field; empty when the file can be opened."""
    errors: dict[str, str] = {}
    prog = rules.PROGRAMMES.get(new.programme)
    if prog is None:
        return {"programme": "请选择服务类别"}
    if not new.person_name.strip():
        errors["person_name"] = "请填写姓名"
    number = rules.normalise_identity(new.identity_number)
    if number:
        problem = rules.identity_error(number)
        if problem:
            errors["identity_number"] = problem
    birth = rules.birth_date_of(number) if number and "identity_number" not in errors else None
    birth = birth or new.birth_date
    if birth is not None and birth > today:
        errors["birth_date"] = "出生日期不能晚于今天"
    if prog.for_minors and (birth is None or not rules.is_minor(birth, today)):
        errors["birth_date"] = "儿童类档案须填写出生日期（或身份证号码），且本人未满18周岁"
    if new.region.level < Level.VILLAGE:
        errors["region"] = "现居住地须选到村（社区）或网格"
    levels = {r.code for r in prog.rules_on(today).levels}
    if new.level not in levels:
        errors["level"] = "请选择评估等级"
    unknown = set(new.level_reasons) - {code for code, _ in prog.level_reasons}
    if unknown or not new.level_reasons:
        errors["level_reasons"] = "请至少选择一项评估依据"
    minor = birth is not None and rules.is_minor(birth, today)
    if (minor or prog.sensitivity == rules.Sensitivity.HEALTH) and not new.guardian_name.strip():
        errors["guardian_name"] = "未成年人和严重精神障碍患者须填写监护人"
    enrolled = new.enrolled_on or today
    if enrolled > today:
        errors["enrolled_on"] = "纳入管理日期不能晚于今天"
    if new.expected_end_on is not None and new.expected_end_on <= enrolled:
        errors["expected_end_on"] = "预计结束日期须晚于纳入管理日期"
    team_error = _team_error(new.team)
    if team_error:
        errors["team"] = team_error
    return errors


def _team_error(team: list[Member]) -> str | None:
    if not any(m.user is not None for m in team):
        return "包保小组至少要有一名平台用户"
    if sum(m.duty == Duty.LEAD for m in team) != 1:
        return "包保小组须有且只有一名包保责任人"
    if any(m.duty not in Duty.values for m in team):
        return "包保小组成员职责无效"
    if any(m.user is None and not m.name.strip() for m in team):
        return "请填写包保小组成员姓名"
    users = [m.user.pk for m in team if m.user is not None]
    if len(users) != len(set(users)):
        return "同一用户在包保小组中只能出现一次"
    return None


def new_file_code(today: date) -> str:
    return dated_code(today, length=5, prefix="DA")


@sensitive_variables("new", "number", "birth", "file")
def care_file_register(*, by: Any, new: NewFile, idempotency_key: str | None = None) -> CareFile:
    """建档: open a file with its first assessment and its care team."""
    if idempotency_key:
        existing = CareFile.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if not access.may_read(by, existing):
                raise PermissionDenied(REFUSED)
            return existing
    if not can(by, Action.ENROL_CARE, Target(region_prefix=new.region.prefix)):
        raise PermissionDenied("您无权在该地建立特殊人群档案")
    today = _today()
    if not new.team and getattr(by, "pk", None) is not None:
        new.team = [Member(duty=Duty.LEAD, user=by)]
    errors = check_new_file(new, today)
    if errors:
        raise ValidationError(errors)
    prog = rules.programme(new.programme)
    number = rules.normalise_identity(new.identity_number)
    birth = (rules.birth_date_of(number) if number else None) or new.birth_date
    index = crypto.blind_index(number)
    if (
        number
        and CareFile.objects.open().filter(programme=prog.code, identity_index=index).exists()
    ):
        raise ValidationError({"identity_number": "此人已在本类别建档在管，请联系其所在地的督导"})
    enrolled = new.enrolled_on or today
    due = rules.due_after_assessment(
        prog, new.level, last_visit_on=None, since=enrolled, assessed_on=today
    )
    now = timezone.now()
    file = CareFile(
        code=new_file_code(today),
        idempotency_key=idempotency_key or None,
        programme=prog.code,
        person_name=new.person_name.strip(),
        gender=new.gender,
        identity_encrypted=crypto.encrypt(number),
        identity_index=index,
        identity_masked=rules.mask_identity(number) if number else "",
        birth_date_encrypted=crypto.encrypt(birth.isoformat()) if birth else "",
        minor_until=_minor_until(birth) if birth and rules.is_minor(birth, today) else None,
        phone=new.phone.strip(),
        region=new.region,
        region_prefix=new.region.prefix,
        address=new.address.strip(),
        guardian_name=new.guardian_name.strip(),
        guardian_relation=new.guardian_relation.strip(),
        guardian_phone=new.guardian_phone.strip(),
        enrolled_on=enrolled,
        expected_end_on=new.expected_end_on,
        programme_note=new.programme_note.strip(),
        level=new.level,
        level_assessed_on=today,
        next_visit_due=due,
        created_at=now,
        created_by_id=actor_id(by),
    )
    try:
        with transaction.atomic():
            file.save()
            _add_team(file, new.team, today)
            CareAssessment.objects.create(
                file=file,
                assessed_on=today,
                level=new.level,
                reasons=list(new.level_reasons),
                note=new.assessment_note.strip(),
                rules_version=prog.rules_on(today).version,
                next_visit_due=due,
                by_id=actor_id(by),
                by_name=actor_name(by),
            )
            _append(file, Kind.ENROL, by, note=f"{prog.name}，{prog.level_name(new.level)}")
    except IntegrityError:
        if idempotency_key:
            return CareFile.objects.get(idempotency_key=idempotency_key)
        if number:
            raise ValidationError(
                {"identity_number": "此人已在本类别建档在管，请联系其所在地的督导"}
            ) from None
        raise
    return file


def _add_team(
    file: CareFile, team: list[Member], today: date, *, idempotency_key: str | None = None
) -> None:
    CareTeamMember.objects.bulk_create(
        CareTeamMember(
            file=file,
            idempotency_key=idempotency_key or None,
            user=m.user,
            name=(m.name.strip() or actor_name(m.user)) if m.user is not None else m.name.strip(),
            phone=m.phone.strip(),
            duty=m.duty,
            joined_on=today,
        )
        for m in team
    )


# --- The one write path ---------------------------------------------------------------


@dataclass
class ChangeContext:
    file: CareFile
    by: Any
    today: date
    now: datetime
    data: dict[str, Any] = field(default_factory=dict)
    note: str = ""


def _change(
    *,
    by: Any,
    file: CareFile,
    kind: str,
    may: Callable[[Any, CareFile], bool],
    write: Callable[[ChangeContext], None],
    open_only: bool = True,
    refusal: str = REFUSED,
) -> CareFile:
    with transaction.atomic():
        locked = CareFile.objects.select_for_update(of=("self",)).get(pk=file.pk)
        if not may(by, locked):
            raise PermissionDenied(refusal)
        if open_only and not locked.is_open:
            raise ValidationError("档案已结案，不能再作改动")
        context = ChangeContext(file=locked, by=by, today=_today(), now=timezone.now())
        write(context)
        locked.save()
        _append(locked, kind, by, note=context.note, data=context.data, at=context.now)
    refresh_from(file, locked)
    return file


def _append(
    file: CareFile,
    kind: str,
    by: Any,
    *,
    note: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> CareEvent:
    return CareEvent.objects.create(
        file=file,
        at=at or timezone.now(),
        kind=kind,
        actor_id=actor_id(by),
        actor_name=actor_name(by),
        note=note,
        data=data or {},
    )


def _clear_visit_alerts(file: CareFile, now: datetime) -> None:
    CareAlert.objects.filter(
        file=file,
        kind__in=[CareAlert.Kind.VISIT_MISSED, CareAlert.Kind.VISIT_ESCALATED],
        cleared_at__isnull=True,
    ).update(cleared_at=now)


# --- Assessments and visits -----------------------------------------------------------


def care_file_assess(
    *,
    by: Any,
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


def _add_once[M: (CareVisit, CarePlanItem, CareAssistance, CareTeamMember)](
    model: type[M],
    *,
    by: Any,
    file: CareFile,
    kind: str,
    may: Callable[[Any, CareFile], bool],
    idempotency_key: str | None,
    write: Callable[[ChangeContext], M],
) -> M:
    """A change that adds one record to the file, through `_change`. A retry with the same
    idempotency key returns what the first call added (to someone who may still read the
    file) and adds nothing."""
    if idempotency_key:
        existing = model.objects.filter(idempotency_key=idempotency_key, file=file).first()
        if existing is not None:
            if not access.may_read(by, file):
                raise PermissionDenied(REFUSED)
            return existing
    made: list[M] = []

    def add(c: ChangeContext) -> None:
        made.append(write(c))

    try:
        _change(by=by, file=file, kind=kind, may=may, write=add)
    except IntegrityError:
        if idempotency_key:  # the same key, sent twice at once: the first one won
            return model.objects.get(idempotency_key=idempotency_key)
        raise
    return made[0]


def care_file_record_visit(
    *,
    by: Any,
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
    by: Any,
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
    *, by: Any, item: CarePlanItem, done_on: date | None = None
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
    by: Any,
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


# --- The team -------------------------------------------------------------------------


def care_file_add_member(
    *, by: Any, file: CareFile, member: Member, idempotency_key: str | None = None
) -> CareTeamMember:
    def write(c: ChangeContext) -> CareTeamMember:
        team = list(c.file.team.filter(active=True))
        current = [Member(duty=m.duty, user=m.user, name=m.name) for m in team]
        if member.duty == Duty.LEAD:
            raise ValidationError({"duty": "包保责任人请通过“更换包保责任人”调整"})
        error = _team_error([*current, member])
        if error:
            raise ValidationError({"team": error})
        if member.user is not None and not can(
            member.user, Action.VIEW_CARE, Target(region_prefix=c.file.region_prefix)
        ):
            raise ValidationError({"user": "该用户不在档案所在地从事特殊人群工作"})
        _add_team(c.file, [member], c.today, idempotency_key=idempotency_key)
        added = c.file.team.latest("pk")
        c.note = f"加入：{added}"
        return added

    return _add_once(
        CareTeamMember,
        by=by,
        file=file,
        kind=Kind.TEAM,
        may=access.may_manage,
        idempotency_key=idempotency_key,
        write=write,
    )


def care_file_remove_member(*, by: Any, member: CareTeamMember) -> None:
    def write(c: ChangeContext) -> None:
        locked = CareTeamMember.objects.select_for_update().get(pk=member.pk, file=c.file)
        if not locked.active:
            raise ValidationError("该成员已不在包保小组")
        if locked.duty == Duty.LEAD:
            raise ValidationError("不能移除包保责任人，请先更换包保责任人")
        others = c.file.team.filter(active=True, user__isnull=False).exclude(pk=locked.pk)
        if not others.exists():
            raise ValidationError("包保小组至少要有一名平台用户")
        locked.active = False
        locked.left_on = c.today
        locked.save(update_fields=["active", "left_on"])
        c.note = f"退出：{locked}"

    _change(by=by, file=member.file, kind=Kind.TEAM, may=access.may_manage, write=write)


def care_file_change_lead(*, by: Any, file: CareFile, user: Any) -> CareFile:
    """Another care worker leads the team; the former lead leaves it."""

    def write(c: ChangeContext) -> None:
        if not can(user, Action.VIEW_CARE, Target(region_prefix=c.file.region_prefix)):
            raise ValidationError({"user": "该用户不在档案所在地从事特殊人群工作"})
        c.file.team.filter(active=True, duty=Duty.LEAD).update(active=False, left_on=c.today)
        c.file.team.filter(active=True, user=user).update(active=False, left_on=c.today)
        _add_team(c.file, [Member(duty=Duty.LEAD, user=user)], c.today)
        c.note = f"包保责任人：{actor_name(user)}"

    return _change(by=by, file=file, kind=Kind.TEAM, may=access.may_manage, write=write)


# --- Transfers (双列管) ---------------------------------------------------------------


def care_file_propose_transfer(
    *, by: Any, file: CareFile, to_region: Region, reason: str, new_address: str = ""
) -> CareTransfer:
    """The person moved: the file is offered to the receiving place and listed by both."""
    made: list[CareTransfer] = []

    def write(c: ChangeContext) -> None:
        errors = {}
        if c.file.transfer_to_prefix:
            errors["to_region"] = "该档案已有待接收的转移"
        if to_region.level < Level.VILLAGE:
            errors["to_region"] = "转入地须选到村（社区）或网格"
        elif to_region.prefix.startswith(c.file.region.prefix[:12]):
            errors["to_region"] = "转入地与现居住地在同一村（社区），请直接修改地址"
        if not reason.strip():
            errors["reason"] = "请填写转移原因"
        if errors:
            raise ValidationError(errors)
        prog = c.file.prog
        made.append(
            CareTransfer.objects.create(
                file=c.file,
                from_region=c.file.region,
                from_prefix=c.file.region_prefix,
                to_region=to_region,
                to_prefix=to_region.prefix,
                new_address=new_address.strip(),
                reason=reason.strip(),
                proposed_at=c.now,
                proposed_by_id=actor_id(by),
                proposed_by_name=actor_name(by),
                answer_due_on=c.today + timedelta(days=prog.transfer_answer_days),
                person_name=c.file.person_name,
                identity_masked=c.file.identity_masked,
                programme=c.file.programme,
            )
        )
        c.file.transfer_to_prefix = to_region.prefix
        c.note = f"转往{to_region.name}"
        c.data = {"transfer_id": made[0].pk, "to": to_region.prefix}

    _change(by=by, file=file, kind=Kind.TRANSFER_PROPOSED, may=access.may_manage, write=write)
    return made[0]


def _pending(transfer: CareTransfer) -> CareTransfer:
    locked = CareTransfer.objects.select_for_update().get(pk=transfer.pk)
    if locked.status != CareTransfer.Status.PENDING:
        raise ValidationError("该转移已答复")
    return locked


def _receiving(user: Any, file: CareFile) -> bool:
    return access.may_answer_transfer(user, file)


def care_file_accept_transfer(
    *, by: Any, transfer: CareTransfer, team: list[Member] | None = None
) -> CareFile:
    """The receiving place takes the file with its own care team. Everything recorded
    stays on the file; the schedule moves with it and the first visit here is owed within
    the programme's deadline."""

    def write(c: ChangeContext) -> None:
        locked = _pending(transfer)
        new_team = team or [Member(duty=Duty.LEAD, user=by)]
        error = _team_error(new_team)
        receiving = Target(region_prefix=locked.to_prefix)
        if not error and any(
            m.user is not None and not can(m.user, Action.VIEW_CARE, receiving) for m in new_team
        ):
            error = "包保小组成员须在转入地从事特殊人群工作"
        if error:
            raise ValidationError({"team": error})
        c.file.team.filter(active=True).update(active=False, left_on=c.today)
        before = c.file.region.name
        c.file.region = locked.to_region
        c.file.region_prefix = locked.to_prefix
        if locked.new_address:
            c.file.address = locked.new_address
        c.file.transfer_to_prefix = ""
        assert c.file.next_visit_due is not None
        c.file.next_visit_due = rules.due_after_transfer(
            c.file.prog, c.file.next_visit_due, c.today
        )
        _add_team(c.file, new_team, c.today)
        locked.status = CareTransfer.Status.ACCEPTED
        locked.answered_at = c.now
        locked.answered_by_id = actor_id(by)
        locked.answered_by_name = actor_name(by)
        locked.save()
        CareAlert.objects.filter(
            file=c.file, kind=CareAlert.Kind.TRANSFER_UNANSWERED, cleared_at__isnull=True
        ).update(cleared_at=c.now)
        c.note = f"{before} → {locked.to_region.name}，首次走访截止{c.file.next_visit_due}"
        c.data = {"transfer_id": locked.pk, "from": locked.from_prefix, "to": locked.to_prefix}

    return _change(
        by=by,
        file=transfer.file,
        kind=Kind.TRANSFER_ACCEPTED,
        may=_receiving,
        write=write,
        refusal="只有转入地的包保责任人或督导可以接收",
    )


def care_file_decline_transfer(*, by: Any, transfer: CareTransfer, reason: str) -> CareFile:
    """The receiving place declines, with a reason: the file stays where it was, kept by
    its team, and the sending side sees why."""

    def write(c: ChangeContext) -> None:
        locked = _pending(transfer)
        if not reason.strip():
            raise ValidationError({"reason": "请填写退回理由"})
        locked.status = CareTransfer.Status.DECLINED
        locked.decline_reason = reason.strip()
        locked.answered_at = c.now
        locked.answered_by_id = actor_id(by)
        locked.answered_by_name = actor_name(by)
        locked.save()
        c.file.transfer_to_prefix = ""
        CareAlert.objects.filter(
            file=c.file, kind=CareAlert.Kind.TRANSFER_UNANSWERED, cleared_at__isnull=True
        ).update(cleared_at=c.now)
        c.note = f"{locked.to_region.name}退回"
        c.data = {"transfer_id": locked.pk}

    return _change(
        by=by,
        file=transfer.file,
        kind=Kind.TRANSFER_DECLINED,
        may=_receiving,
        write=write,
        refusal="只有转入地的包保责任人或督导可以退回",
    )


# --- Closing --------------------------------------------------------------------------


def care_file_close(
    *, by: Any, file: CareFile, reason: str, note: str = "", closed_on: date | None = None
) -> CareFile:
    def write(c: ChangeContext) -> None:
        errors = {}
        if reason not in {code for code, _ in c.file.prog.closing_reasons}:
            errors["reason"] = "请选择结案原因"
        day = closed_on or c.today
        if day > c.today:
            errors["closed_on"] = "结案日期不能晚于今天"
        elif day < c.file.enrolled_on:
            errors["closed_on"] = "结案日期不能早于纳入管理日期"
        if c.file.transfer_to_prefix:
            errors["reason"] = "档案正在转移中，请待转入地答复后再结案"
        if errors:
            raise ValidationError(errors)
        c.file.closed_on = day
        c.file.closing_reason = reason
        c.file.closing_note = note.strip()
        c.file.next_visit_due = None
        _clear_visit_alerts(c.file, c.now)
        c.note = c.file.prog.closing_reason_name(reason)
        c.data = {"reason": reason}

    return _change(by=by, file=file, kind=Kind.CLOSE, may=access.may_manage, write=write)


# --- Emergency review -----------------------------------------------------------------


def care_file_review_emergency(
    *, by: Any, emergency: CareEmergencyAccess, note: str
) -> CareEmergencyAccess:
    """The file's own supervisors look at an emergency access afterwards."""

    def may(user: Any, file: CareFile) -> bool:
        return access.supervises(user, file) and user.pk != emergency.user_id

    def write(c: ChangeContext) -> None:
        locked = CareEmergencyAccess.objects.select_for_update().get(pk=emergency.pk)
        if locked.reviewed_at is not None:
            raise ValidationError("该紧急查阅已复核")
        locked.reviewed_at = c.now
        locked.reviewed_by_id = actor_id(by)
        locked.review_note = require_text(note, "note", "复核意见")
        locked.save()
        refresh_from(emergency, locked)
        c.data = {"emergency_id": locked.pk}

    _change(
        by=by,
        file=emergency.file,
        kind=Kind.EMERGENCY_REVIEWED,
        may=may,
        write=write,
        open_only=False,
        refusal="只有档案所在地的督导可以复核",
    )
    return emergency


# --- Scheduled work -------------------------------------------------------------------


@dataclass
class SweepResult:
    missed: int = 0
    escalated: int = 0
    transfers_escalated: int = 0


def sweep_care(now: datetime | None = None) -> SweepResult:
    """Raise the schedule's alerts, once each: a missed visit (to the team), the same
    missed visit after the programme's grace days (to the supervisors), and a transfer
    nobody answered in time (to the receiving place's supervisors)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = SweepResult()
    missed = (
        CareFile.objects.open()
        .filter(next_visit_due__lt=today)
        .exclude(
            Exists(
                CareAlert.objects.filter(
                    file=OuterRef("pk"),
                    kind=CareAlert.Kind.VISIT_MISSED,
                    for_date=OuterRef("next_visit_due"),
                )
            )
        )
    )
    result.missed = _raise(missed, CareAlert.Kind.VISIT_MISSED, Kind.VISIT_MISSED, now)
    for prog in rules.PROGRAMMES.values():
        late = (
            CareFile.objects.open()
            .filter(programme=prog.code)
            .filter(next_visit_due__lt=today - timedelta(days=prog.escalate_after_days))
            .exclude(
                Exists(
                    CareAlert.objects.filter(
                        file=OuterRef("pk"),
                        kind=CareAlert.Kind.VISIT_ESCALATED,
                        for_date=OuterRef("next_visit_due"),
                    )
                )
            )
        )
        result.escalated += _raise(late, CareAlert.Kind.VISIT_ESCALATED, Kind.VISIT_ESCALATED, now)
    for transfer in CareTransfer.objects.filter(
        status=CareTransfer.Status.PENDING, answer_due_on__lt=today, escalated_at__isnull=True
    ).select_related("file", "to_region"):
        with transaction.atomic():
            updated = CareTransfer.objects.filter(pk=transfer.pk, escalated_at__isnull=True).update(
                escalated_at=now
            )
            if not updated:
                continue
            CareAlert.objects.create(
                file=transfer.file,
                kind=CareAlert.Kind.TRANSFER_UNANSWERED,
                for_date=transfer.answer_due_on,
                to_supervisors=True,
                region_prefix=transfer.to_prefix,
                raised_at=now,
            )
            _append(
                transfer.file,
                Kind.TRANSFER_ESCALATED,
                _system(),
                note=f"{transfer.to_region.name}逾期未答复（期限{transfer.answer_due_on}）",
                data={"transfer_id": transfer.pk},
                at=now,
            )
        result.transfers_escalated += 1
    return result


def _system() -> Any:
    from zongzhi.accounts.permissions import SYSTEM

    return SYSTEM


def _raise(files: Any, alert_kind: str, event_kind: str, now: datetime) -> int:
    """One alert and one timeline entry per file. The unique constraint on (file, kind,
    date) keeps a concurrent sweep from raising the same alert twice."""
    to_supervisors = alert_kind == CareAlert.Kind.VISIT_ESCALATED
    raised = 0
    for pk, due, prefix in files.values_list("pk", "next_visit_due", "region_prefix"):
        try:
            with transaction.atomic():
                CareAlert.objects.create(
                    file_id=pk,
                    kind=alert_kind,
                    for_date=due,
                    to_supervisors=to_supervisors,
                    region_prefix=prefix,
                    raised_at=now,
                )
                CareEvent.objects.create(
                    file_id=pk,
                    at=now,
                    kind=event_kind,
                    actor_name="系统",
                    note=f"应于{due}前走访",
                    data={"due": due.isoformat()},
                )
        except IntegrityError:
            continue
        raised += 1
    return raised


def deidentify_expired(today: date | None = None) -> int:
    """Files closed longer ago than their programme keeps them lose everything that names
    the person; what is left still counts (programme, place, dates, levels, visit dates)."""
    today = today or _today()
    done = 0
    for prog in rules.PROGRAMMES.values():
        try:
            cutoff = today.replace(year=today.year - prog.retention_years)
        except ValueError:  # 29 February
            cutoff = date(today.year - prog.retention_years, 2, 28)
        for file in CareFile.objects.filter(
            programme=prog.code, closed_on__lt=cutoff, deidentified_at__isnull=True
        ):
            _deidentify(file)
            done += 1
    return done


def _deidentify(file: CareFile) -> None:
    now = timezone.now()
    with transaction.atomic():
        CareFile.objects.filter(pk=file.pk).update(
            person_name="（已去标识化）",
            gender="",
            identity_encrypted="",
            identity_index="",
            identity_masked="",
            birth_date_encrypted="",
            minor_until=None,
            phone="",
            address="",
            guardian_name="",
            guardian_relation="",
            guardian_phone="",
            programme_note="",
            closing_note="",
            deidentified_at=now,
        )
        CareVisit.objects.filter(file=file).update(seen="", needs_raised="", follow_up="")
        CarePlanItem.objects.filter(file=file).update(need="—", measure="", who="")
        CareAssessment.objects.filter(file=file).update(note="")
        CareAssistance.objects.filter(file=file).update(note="")
        transfers = CareTransfer.objects.filter(file=file)
        transfers.update(
            person_name="（已去标识化）", identity_masked="", new_address="", reason=""
        )
        # A declined transfer keeps a (blank) reason: the table requires one.
        transfers.filter(status=CareTransfer.Status.DECLINED).update(decline_reason="—")
        CareTeamMember.objects.filter(file=file, duty=Duty.FAMILY).update(name="—", phone="")
        CareEmergencyAccess.objects.filter(file=file).update(reason="", review_note="")
        _append(file, Kind.DEIDENTIFY, _system(), at=now)
