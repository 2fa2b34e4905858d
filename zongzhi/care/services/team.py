"""The care team (包保小组): members join and leave, another care worker leads."""

from django.core.exceptions import ValidationError

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.models import User
from zongzhi.accounts.permissions import can
from zongzhi.accounts.rules import Action, Target
from zongzhi.care import access
from zongzhi.care.models import (
    CareFile,
    CareTeamMember,
)
from zongzhi.care.services.changes import (
    ChangeContext,
    Duty,
    Kind,
    Member,
    _add_once,
    _add_team,
    _change,
    _team_error,
)
from zongzhi.core.services import actor_name


def care_file_add_member(
    *, by: Actor, file: CareFile, member: Member, idempotency_key: str | None = None
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


def care_file_remove_member(*, by: Actor, member: CareTeamMember) -> None:
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


def care_file_change_lead(*, by: Actor, file: CareFile, user: User) -> CareFile:
    """Another care worker leads the team; the former lead leaves it."""

    def write(c: ChangeContext) -> None:
        if not can(user, Action.VIEW_CARE, Target(region_prefix=c.file.region_prefix)):
            raise ValidationError({"user": "该用户不在档案所在地从事特殊人群工作"})
        c.file.team.filter(active=True, duty=Duty.LEAD).update(active=False, left_on=c.today)
        c.file.team.filter(active=True, user=user).update(active=False, left_on=c.today)
        _add_team(c.file, [Member(duty=Duty.LEAD, user=user)], c.today)
        c.note = f"包保责任人：{actor_name(user)}"

    return _change(by=by, file=file, kind=Kind.TEAM, may=access.may_manage, write=write)
