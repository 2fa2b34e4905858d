"""What the tracking page shows of a case: its public progress, read only through
zongzhi.cases.public (the one definition of what the public sees), and nothing else."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from zongzhi.cases.models import Case
from zongzhi.cases.public import PublicUpdate, public_reply, public_status_name, public_updates
from zongzhi.cases.rules import OPEN, Status
from zongzhi.portal import services

# A merged case points at the one that goes on; that one may itself have been merged
# later. Followed this far at most (merges into merged cases are refused, so one is usual).
_MERGE_HOPS = 5


@dataclass(frozen=True)
class Progress:
    code: str
    status: str
    status_name: str
    category: str
    registered_on: date
    deadline: date | None
    deadline_label: str
    closed_on: date | None
    updates: list[PublicUpdate]
    reply: str
    # A merged case: the status of the case it was merged into (never that case's code).
    merged_status_name: str
    can_rate: bool
    rating_needs_phone_tail: bool


def _survivor_status(case: Case) -> str:
    current = case
    for _hop in range(_MERGE_HOPS):
        if current.merged_into_id is None:
            break
        current = Case.objects.only("pk", "status", "merged_into").get(pk=current.merged_into_id)
    return public_status_name(current.status)


def progress(case: Case) -> Progress:
    """A constant number of queries whatever the length of the timeline."""
    status = case.status
    category = case.category
    category_name = (
        f"{category.parent.name} / {category.name}" if category.parent else category.name
    )
    open_ = status in OPEN
    rateable = services.can_rate(case)
    return Progress(
        code=case.code,
        status=status,
        status_name=public_status_name(status),
        category=category_name,
        registered_on=timezone.localtime(case.registered_at).date(),
        deadline=case.due_on if open_ else None,
        deadline_label=_("受理期限") if status == Status.REGISTERED else _("办理期限"),
        closed_on=case.closed_on,
        updates=list(reversed(public_updates(case))),  # newest first, as residents read
        reply=public_reply(case),
        merged_status_name=_survivor_status(case) if status == Status.MERGED else "",
        can_rate=rateable,
        rating_needs_phone_tail=rateable and bool(services.applicant_phone(case)),
    )
