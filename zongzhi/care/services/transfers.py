"""Transfers (双列管): a file offered to the place the person moved to, accepted or
declined there."""

from datetime import timedelta

from django.core.exceptions import ValidationError

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.models import User
from zongzhi.accounts.permissions import can
from zongzhi.accounts.rules import Action, Target
from zongzhi.care import access, rules
from zongzhi.care.models import (
    CareAlert,
    CareFile,
    CareTransfer,
)
from zongzhi.care.services.changes import (
    ChangeContext,
    Duty,
    Kind,
    Member,
    _add_team,
    _change,
    _team_error,
)
from zongzhi.core.services import actor_id, actor_name
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level


def care_file_propose_transfer(
    *, by: Actor, file: CareFile, to_region: Region, reason: str, new_address: str = ""
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


def _receiving(user: Actor, file: CareFile) -> bool:
    return access.may_answer_transfer(user, file)


def care_file_accept_transfer(
    *, by: Actor, transfer: CareTransfer, team: list[Member] | None = None
) -> CareFile:
    """The receiving place takes the file with its own care team. Everything recorded
    stays on the file; the schedule moves with it and the first visit here is owed within
    the programme's deadline."""

    def write(c: ChangeContext) -> None:
        locked = _pending(transfer)
        # Whoever takes the file leads its team, when a person takes it.
        lead = by if isinstance(by, User) else None
        new_team = team or [Member(duty=Duty.LEAD, user=lead)]
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


def care_file_decline_transfer(*, by: Actor, transfer: CareTransfer, reason: str) -> CareFile:
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
