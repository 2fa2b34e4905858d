"""The one write path for a care file: `_change`, and what it needs: the team's checks,
the timeline entry, and adding a record once per idempotency key."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.models import User
from zongzhi.care import access
from zongzhi.care.models import (
    CareAlert,
    CareAssistance,
    CareEvent,
    CareFile,
    CarePlanItem,
    CareTeamMember,
    CareVisit,
)
from zongzhi.core.services import actor_id, actor_name, refresh_from

Kind = CareEvent.Kind
Duty = CareTeamMember.Duty

REFUSED = "您不是该档案的包保小组成员或所在地督导，无权进行该操作"


def _today() -> date:
    return timezone.localdate()


@dataclass
class Member:
    """A care team member: a user of the platform, or a named person without an account."""

    duty: str
    user: User | None = None
    name: str = ""
    phone: str = ""


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
    by: Actor
    today: date
    now: datetime
    data: dict[str, Any] = field(default_factory=dict)
    note: str = ""


def _change(
    *,
    by: Actor,
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
    by: Actor,
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


def _add_once[M: (CareVisit, CarePlanItem, CareAssistance, CareTeamMember)](
    model: type[M],
    *,
    by: Actor,
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


def _system() -> Any:
    from zongzhi.accounts.permissions import SYSTEM

    return SYSTEM
