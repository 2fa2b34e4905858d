"""Opening a file (建档) with its first assessment and team, closing it, and the supervisors'
review of an emergency access to it."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.models import User
from zongzhi.accounts.permissions import can
from zongzhi.accounts.rules import Action, Target
from zongzhi.care import access, rules
from zongzhi.care.models import (
    CareAssessment,
    CareEmergencyAccess,
    CareFile,
)
from zongzhi.care.services.changes import (
    REFUSED,
    ChangeContext,
    Duty,
    Kind,
    Member,
    _add_team,
    _append,
    _change,
    _clear_visit_alerts,
    _team_error,
    _today,
)
from zongzhi.core import crypto
from zongzhi.core.services import actor_id, actor_name, dated_code, refresh_from, require_text
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level

# --- Enrolment ------------------------------------------------------------------------


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


def new_file_code(today: date) -> str:
    return dated_code(today, length=5, prefix="DA")


@sensitive_variables("new", "number", "birth", "file")
def care_file_register(*, by: Actor, new: NewFile, idempotency_key: str | None = None) -> CareFile:
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
    if not new.team and isinstance(by, User):
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


# --- Closing --------------------------------------------------------------------------


def care_file_close(
    *, by: Actor, file: CareFile, reason: str, note: str = "", closed_on: date | None = None
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
    *, by: Actor, emergency: CareEmergencyAccess, note: str
) -> CareEmergencyAccess:
    """The file's own supervisors look at an emergency access afterwards."""

    def may(user: Actor, file: CareFile) -> bool:
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
