"""Who reads a care file, and the log of every read.

A file is read by its care team (members with an account, while in the team) and by the
supervisors of its place (a CARE_SUPERVISOR grant covering the file's region). A minor's
file is read only by supervisors held at the township or closer. While a transfer waits,
the supervisors of the receiving place read it too (双列管). A supervisor elsewhere in the
same county may open a file in an emergency, with a reason, for a few hours; the file's
own supervisors review each such access afterwards.

`readable_files(user)` is the list filter and `may_read(user, file)` the single check,
built from the same conditions so a list never shows what the check would refuse. Every
page, API response and export that shows a file calls `log_read` (or `log_export`).
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import can, grants_of
from zongzhi.accounts.rules import Action, Grant, Target, grants_for_action
from zongzhi.care import rules
from zongzhi.care.models import (
    CareAccess,
    CareEmergencyAccess,
    CareEvent,
    CareFile,
    CareFileQuerySet,
    CareTeamMember,
    minor_q,
)
from zongzhi.core.services import actor_id, actor_name
from zongzhi.regions.rules import PREFIX_LENGTH, Level

What = CareAccess.What
Via = CareAccess.Via


def _is_system(user: Actor) -> bool:
    return bool(getattr(user, "is_superuser", False))


def _supervising(user: Actor) -> list[Grant]:
    return grants_for_action(grants_of(user), Action.SUPERVISE_CARE)


def _close_enough_for_minors(grant: Grant) -> bool:
    return len(grant.region_prefix) >= PREFIX_LENGTH[Level.TOWNSHIP]


def supervised_q(grants: list[Grant], field: str, today: date) -> Q:
    condition = Q(pk__in=[])
    for grant in grants:
        here = Q(**{f"{field}__startswith": grant.region_prefix})
        if not _close_enough_for_minors(grant):
            here &= ~minor_q(today)
        condition |= here
    return condition


def team_member_q(user: Actor) -> Q:
    pk = user.pk
    if pk is None:
        # No person, no team: `user_id=None` would match the members without an account.
        return Q(pk__in=[])
    return Q(Exists(CareTeamMember.objects.filter(file=OuterRef("pk"), user_id=pk, active=True)))


def readable_q(user: Actor, now: datetime | None = None) -> Q:
    """The files `user` may read, as a filter."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if _is_system(user):
        return Q()
    now = now or timezone.now()
    today = timezone.localdate(now)
    grants = _supervising(user)
    condition = team_member_q(user)
    if grants:
        condition |= supervised_q(grants, "region_prefix", today)
        condition |= supervised_q(grants, "transfer_to_prefix", today) & ~Q(transfer_to_prefix="")
    pk = user.pk
    if pk is not None:
        condition |= Q(
            Exists(
                CareEmergencyAccess.objects.filter(
                    file=OuterRef("pk"), user_id=pk, expires_at__gt=now
                )
            )
        )
    return condition


def readable_files(user: Actor, now: datetime | None = None) -> CareFileQuerySet:
    return CareFile.objects.filter(readable_q(user, now))


def may_read(user: Actor, file: CareFile, now: datetime | None = None) -> bool:
    return readable_files(user, now).filter(pk=file.pk).exists()


def is_team_member(user: Actor, file: CareFile) -> bool:
    pk = user.pk
    return (
        pk is not None
        and CareTeamMember.objects.filter(file=file, user_id=pk, active=True).exists()
    )


def supervises(user: Actor, file: CareFile, *, prefix: str | None = None) -> bool:
    """Whether `user` supervises the place of `file` (or `prefix`, for a transfer's
    receiving place), with the minors' restriction."""
    if _is_system(user):
        return True
    prefix = prefix if prefix is not None else file.region_prefix
    minor = file.is_minor(timezone.localdate())
    return any(
        prefix.startswith(g.region_prefix) and (not minor or _close_enough_for_minors(g))
        for g in _supervising(user)
    )


def may_keep(user: Actor, file: CareFile) -> bool:
    """Record visits, assessments, plan and assistance: the team and the supervisors."""
    return _is_system(user) or is_team_member(user, file) or supervises(user, file)


def may_manage(user: Actor, file: CareFile) -> bool:
    """Form the team, transfer, close: the team's lead and the supervisors."""
    if _is_system(user) or supervises(user, file):
        return True
    pk = user.pk
    return (
        pk is not None
        and CareTeamMember.objects.filter(
            file=file, user_id=pk, active=True, duty=CareTeamMember.Duty.LEAD
        ).exists()
    )


def may_answer_transfer(user: Actor, file: CareFile) -> bool:
    """The receiving place: its care workers and its supervisors."""
    if not file.transfer_to_prefix:
        return False
    if supervises(user, file, prefix=file.transfer_to_prefix):
        return True
    return can(user, Action.ENROL_CARE, Target(region_prefix=file.transfer_to_prefix))


def may_see_identity(user: Actor, file: CareFile) -> bool:
    """The full identity number: supervisors of the place, never the whole team."""
    return _is_system(user) or (can(user, Action.VIEW_IDENTITY, file) and supervises(user, file))


# --- Purposes -------------------------------------------------------------------------


def purpose_error(purpose: str, note: str) -> str | None:
    if purpose not in {p.value for p in rules.Purpose}:
        return "请选择查阅目的"
    if purpose == rules.Purpose.REFERRAL and not note.strip():
        return "向有关部门转介须写明接收单位和依据"
    return None


# --- The log --------------------------------------------------------------------------


def log_read(
    user: Actor,
    file: CareFile,
    what: str,
    via: str,
    *,
    purpose: str = "",
    purpose_note: str = "",
    now: datetime | None = None,
) -> CareAccess:
    now = now or timezone.now()
    return CareAccess.objects.create(
        at=now,
        user_id=actor_id(user),
        user_name=actor_name(user),
        file=file,
        what=what,
        via=via,
        purpose=purpose,
        purpose_note=purpose_note.strip()[:200],
        emergency=_in_emergency(user, file, now),
    )


def log_export(user: Actor, files: list[CareFile], *, purpose: str, purpose_note: str = "") -> None:
    """One log row per file in the export, all with the stated purpose."""
    now = timezone.now()
    CareAccess.objects.bulk_create(
        CareAccess(
            at=now,
            user_id=actor_id(user),
            user_name=actor_name(user),
            file=f,
            what=What.EXPORT,
            via=Via.EXPORT,
            purpose=purpose,
            purpose_note=purpose_note.strip()[:200],
        )
        for f in files
    )


def _in_emergency(user: Actor, file: CareFile, now: datetime) -> bool:
    """Whether this read happens only because of an emergency grant."""
    if _is_system(user) or is_team_member(user, file) or supervises(user, file):
        return False
    pk = user.pk
    return (
        pk is not None
        and CareEmergencyAccess.objects.filter(file=file, user_id=pk, expires_at__gt=now).exists()
    )


# --- Emergency access -----------------------------------------------------------------


class EmergencyRefused(Exception):
    pass


@sensitive_variables("lookup")
def find_for_emergency(user: Actor, lookup: str) -> CareFile | None:
    """The file an emergency is about, found by its code or the person's identity number
    only (no browsing): within the county of one of the user's supervisor grants."""
    from zongzhi.core import crypto

    lookup = rules.normalise_identity(lookup)
    if not lookup:
        return None
    counties = {g.region_prefix[:6] for g in _supervising(user)}
    if not counties:
        return None
    in_county = Q(pk__in=[])
    for county in counties:
        in_county |= Q(region_prefix__startswith=county)
    # An identity number is looked up by its digest only: the number itself never reaches
    # the database, not even as a query parameter (which SQL logging would print).
    if rules.identity_error(lookup) is None:
        match = Q(identity_index=crypto.blind_index(lookup))
    else:
        match = Q(code=lookup)
    return CareFile.objects.filter(in_county & match, deidentified_at__isnull=True).first()


def grant_emergency(user: Actor, file: CareFile, reason: str) -> CareEmergencyAccess:
    pk = user.pk
    if pk is None or not _supervising(user):
        raise EmergencyRefused("只有特殊人群督导可以申请紧急查阅")
    if not any(file.region_prefix.startswith(g.region_prefix[:6]) for g in _supervising(user)):
        raise EmergencyRefused("只能紧急查阅本县的档案")
    if not reason.strip():
        raise EmergencyRefused("请写明紧急查阅的理由")
    now = timezone.now()
    with transaction.atomic():
        grant = CareEmergencyAccess.objects.create(
            file=file,
            user_id=pk,
            user_name=actor_name(user),
            reason=reason.strip(),
            granted_at=now,
            expires_at=now + timedelta(hours=rules.EMERGENCY_HOURS),
        )
        CareEvent.objects.create(
            file=file,
            at=now,
            kind=CareEvent.Kind.EMERGENCY,
            actor_id=actor_id(user),
            actor_name=actor_name(user),
            note=f"有效{rules.EMERGENCY_HOURS}小时，待复核",
            data={"emergency_id": grant.pk},
        )
        log_read(user, file, What.EMERGENCY, Via.PAGE, purpose=rules.Purpose.EMERGENCY, now=now)
    return grant


# --- The full identity number ---------------------------------------------------------


def reveal_identity(
    user: Actor, file: CareFile, via: str, *, purpose: str, purpose_note: str = ""
) -> str:
    """The full identity number, for a supervisor of the file's place who stated why;
    every reveal is logged (What.IDENTITY) with the purpose."""
    from django.core.exceptions import PermissionDenied, ValidationError

    if not may_see_identity(user, file):
        raise PermissionDenied("您无权查看完整身份证号码")
    problem = purpose_error(purpose, purpose_note)
    if problem:
        field = "purpose" if purpose not in {p.value for p in rules.Purpose} else "purpose_note"
        raise ValidationError({field: problem})
    log_read(user, file, What.IDENTITY, via, purpose=purpose, purpose_note=purpose_note)
    return file.full_identity()
