"""Reading the care registry: always through `access.readable_files`, or, for transfers,
through the places the reader answers for."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import grants_of, scope_q
from zongzhi.accounts.rules import Action, grants_for_action
from zongzhi.care import access
from zongzhi.care.models import (
    CareAlert,
    CareEmergencyAccess,
    CareFile,
    CareFileQuerySet,
    CareTransfer,
)
from zongzhi.regions.models import Region

# A visit due within this many days is listed as coming up on the worker's list.
DUE_SOON_DAYS = 3


def file_list(
    user: Actor,
    *,
    programme: str = "",
    region: Region | None = None,
    include_closed: bool = False,
    overdue_on: date | None = None,
    search: str = "",
) -> CareFileQuerySet:
    files = access.readable_files(user)
    if not include_closed:
        files = files.open()
    if programme:
        files = files.filter(programme=programme)
    if region is not None:
        files = files.filter(
            Q(region_prefix__startswith=region.prefix)
            | Q(transfer_to_prefix__startswith=region.prefix)
        )
    if overdue_on is not None:
        files = files.filter(next_visit_due__lt=overdue_on)
    if search:
        files = files.filter(Q(person_name__icontains=search) | Q(code__iexact=search))
    # Open files first on every database (NULL sorts differently in SQLite and PostgreSQL).
    return files.select_related("region").order_by(
        F("closed_on").asc(nulls_first=True), "next_visit_due", "code"
    )


def visits_due(user: Actor, today: date) -> CareFileQuerySet:
    """The worker's own list: open files on whose team they are, overdue or due within
    DUE_SOON_DAYS, the most overdue first."""
    return (
        CareFile.objects.open()
        .filter(access.team_member_q(user))
        .filter(next_visit_due__lte=today + timedelta(days=DUE_SOON_DAYS))
        .select_related("region")
        .order_by("next_visit_due", "code")
    )


def escalated_alerts(user: Actor) -> QuerySet[CareAlert]:
    """Open alerts raised to the supervisors, for files the user supervises."""
    grants = grants_for_action(grants_of(user), Action.SUPERVISE_CARE)
    if not grants and not getattr(user, "is_superuser", False):
        return CareAlert.objects.none()
    # An alert is for the supervisors of the place it names (an unanswered transfer: the
    # receiving place's, not the sending one's, though both read the file meanwhile).
    for_place = scope_q(user, Action.SUPERVISE_CARE, region_prefix="region_prefix")
    return (
        CareAlert.objects.filter(cleared_at__isnull=True, to_supervisors=True)
        .filter(for_place)
        .filter(file__in=access.readable_files(user).values("pk"))
        .select_related("file__region")
        .order_by("for_date")
    )


def _answering_q(user: Actor, field: str) -> Q:
    """Transfers whose `field` place the user answers for (care workers and supervisors)."""
    return scope_q(user, Action.ENROL_CARE, region_prefix=field)


def transfers_in(user: Actor, *, pending_only: bool = False) -> QuerySet[CareTransfer]:
    transfers = CareTransfer.objects.filter(_answering_q(user, "to_prefix"))
    if pending_only:
        transfers = transfers.filter(status=CareTransfer.Status.PENDING)
    return transfers.select_related("from_region", "to_region").order_by("-proposed_at")


def transfers_out(user: Actor) -> QuerySet[CareTransfer]:
    return (
        CareTransfer.objects.filter(_answering_q(user, "from_prefix"))
        .select_related("from_region", "to_region")
        .order_by("-proposed_at")
    )


def visible_transfer(user: Actor, pk: int) -> CareTransfer:
    """A transfer either side may read (its summary, not the file)."""
    return (
        CareTransfer.objects.filter(
            _answering_q(user, "to_prefix") | _answering_q(user, "from_prefix")
        )
        .select_related("file", "from_region", "to_region")
        .get(pk=pk)
    )


def emergencies_to_review(user: Actor) -> QuerySet[CareEmergencyAccess]:
    """Emergency reads of files the user supervises, not yet reviewed (never their own)."""
    reads = CareEmergencyAccess.objects.filter(reviewed_at__isnull=True).filter(
        file__in=_supervised_files(user).values("pk")
    )
    if user.pk is not None:  # every emergency read has a person (user is not null)
        reads = reads.exclude(user_id=user.pk)
    return reads.select_related("file").order_by("granted_at")


def _supervised_files(user: Actor) -> CareFileQuerySet:
    """The files of the places the user supervises, minors' files only from close by: the
    same conditions `access.supervises` checks one file against."""
    grants = grants_for_action(grants_of(user), Action.SUPERVISE_CARE)
    if not grants:
        return CareFile.objects.none()
    return CareFile.objects.filter(
        access.supervised_q(grants, "region_prefix", timezone.localdate())
    )


@dataclass
class TransferCount:
    region: Region
    transfers_in: int
    transfers_out: int
    accepted_in: int
    declined_in: int
    pending_in: int


def transfer_report(region: Region, start: date, end: date) -> list[TransferCount]:
    """Transfers in and out of each place directly below `region`, proposed in [start, end].
    A transfer between two villages of one township counts for both villages, and for
    neither at the township level, where it never left."""
    children = list(region.children.order_by("code"))
    in_period = CareTransfer.objects.filter(
        proposed_at__date__gte=start, proposed_at__date__lte=end
    ).filter(Q(to_prefix__startswith=region.prefix) | Q(from_prefix__startswith=region.prefix))
    rows = list(in_period.values("from_prefix", "to_prefix", "status"))
    counts = []
    for child in children:
        p = child.prefix
        incoming = [
            r for r in rows if r["to_prefix"].startswith(p) and not r["from_prefix"].startswith(p)
        ]
        outgoing = [
            r for r in rows if r["from_prefix"].startswith(p) and not r["to_prefix"].startswith(p)
        ]
        counts.append(
            TransferCount(
                region=child,
                transfers_in=len(incoming),
                transfers_out=len(outgoing),
                accepted_in=sum(r["status"] == CareTransfer.Status.ACCEPTED for r in incoming),
                declined_in=sum(r["status"] == CareTransfer.Status.DECLINED for r in incoming),
                pending_in=sum(r["status"] == CareTransfer.Status.PENDING for r in incoming),
            )
        )
    return counts


@dataclass
class HomeCounts:
    due_today: int  # on the user's own teams
    overdue: int
    escalated: int | None  # None: not a supervisor
    transfers_waiting: int


def home_counts(user: Actor, today: date) -> HomeCounts | None:
    """The care tiles of the home page, or None for someone outside the care work."""
    if not grants_for_action(grants_of(user), Action.VIEW_CARE):
        return None
    mine = CareFile.objects.open().filter(access.team_member_q(user))
    figures = mine.aggregate(
        due_today=Count("pk", filter=Q(next_visit_due=today)),
        overdue=Count("pk", filter=Q(next_visit_due__lt=today)),
    )
    return HomeCounts(
        due_today=figures["due_today"],
        overdue=figures["overdue"],
        escalated=(
            escalated_alerts(user).count()
            if grants_for_action(grants_of(user), Action.SUPERVISE_CARE)
            else None
        ),
        transfers_waiting=transfers_in(user, pending_only=True).count(),
    )


def care_workers_at(prefix: str) -> QuerySet[Any]:
    """Active users holding a care role (VIEW_CARE) at the place with `prefix` or above it:
    who may be on a care team there, as the services check."""
    from zongzhi.accounts.models import RoleAssignment, User
    from zongzhi.accounts.rules import ROLE_ACTIONS
    from zongzhi.regions.rules import ancestor_prefixes

    care_roles = [r.value for r, actions in ROLE_ACTIONS.items() if Action.VIEW_CARE in actions]
    holds_care_there = RoleAssignment.objects.filter(
        user=OuterRef("pk"), role__in=care_roles, region__prefix__in=ancestor_prefixes(prefix)
    )
    return (
        User.objects.filter(is_active=True)
        .filter(Exists(holds_care_there))
        .order_by("full_name", "username")
    )


def team_candidates(file: CareFile) -> QuerySet[Any]:
    """Who may join `file`'s care team or lead it (whether one is already on it is the
    caller's to filter)."""
    return care_workers_at(file.region_prefix)


# --- Transfer pages (views/transfers.py) -------------------------------------------------


def receiving_candidates(transfer: CareTransfer) -> QuerySet[Any]:
    """Who may lead the file's care team once the receiving place accepts it."""
    return care_workers_at(transfer.to_prefix)


def transfer_destinations(file: CareFile) -> QuerySet[Region]:
    """The places a file may be transferred to, with the townships that group them:
    townships, villages and grids of the file's county, outside the file's own village
    (a move within the village is a change of address: services.care_file_propose_transfer)."""
    return (
        Region.objects.filter(
            prefix__startswith=file.region_prefix[:6],
            level__in=[Region.Level.TOWNSHIP, Region.Level.VILLAGE, Region.Level.GRID],
        )
        .exclude(prefix__startswith=file.region_prefix[:12])
        .order_by("code")
    )


def transfer_report_regions(user: Actor) -> QuerySet[Region]:
    """The regions whose transfer report the user may read: the places of their VIEW_CARE
    grants, and the counties and townships within them."""
    if getattr(user, "is_superuser", False):
        return Region.objects.filter(
            level__in=[Region.Level.COUNTY, Region.Level.TOWNSHIP]
        ).order_by("code")
    condition = Q(pk__in=[])
    for grant in grants_for_action(grants_of(user), Action.VIEW_CARE):
        condition |= Q(prefix=grant.region_prefix) | Q(
            prefix__startswith=grant.region_prefix,
            level__in=[Region.Level.COUNTY, Region.Level.TOWNSHIP],
        )
    return Region.objects.filter(condition).order_by("code")


def transfer_report_default(user: Actor) -> Region | None:
    """The region the report opens on: the highest place of the user's ENROL_CARE grants
    (the first region they may read when they hold none)."""
    grants = grants_for_action(grants_of(user), Action.ENROL_CARE)
    if grants:
        highest = min(grants, key=lambda g: (len(g.region_prefix), g.region_prefix))
        region = Region.objects.filter(prefix=highest.region_prefix).first()
        if region is not None:
            return region
    return transfer_report_regions(user).first()


# --- The file pages (views/files.py) --------------------------------------------------


def filter_regions(user: Actor) -> QuerySet[Region]:
    """The places offered in the file list's place filter: the reader's own places, from
    the county down to villages."""
    from zongzhi.accounts.permissions import visible_regions

    return (
        visible_regions(user)
        .filter(level__gte=Region.Level.COUNTY, level__lte=Region.Level.VILLAGE)
        .order_by("code")
    )


def enrol_regions(user: Actor) -> QuerySet[Region]:
    """Where `user` may open a file: the villages and grids of their ENROL_CARE scope."""
    from zongzhi.accounts.permissions import scope_q, visible_regions

    return (
        Region.objects.filter(
            scope_q(user, Action.ENROL_CARE, region_prefix="prefix"),
            level__gte=Region.Level.VILLAGE,
            level__lte=Region.Level.GRID,
        )
        .filter(pk__in=visible_regions(user).values("pk"))
        .order_by("code")
    )


@dataclass
class FileRow:
    file: CareFile
    overdue: bool
    incoming: bool  # in transfer to a place the reader answers for (转入待接收)


def file_rows(user: Actor, files: Any, today: date) -> list[FileRow]:
    """The list's rows with what each shows beside the file (no query per row: the
    reader's grants are loaded once)."""
    return [
        FileRow(file=f, overdue=f.is_overdue(today), incoming=access.may_answer_transfer(user, f))
        for f in files
    ]
