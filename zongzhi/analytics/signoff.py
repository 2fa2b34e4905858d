"""审核上报: each month's figures approved level by level — village, township, county.

The rules (pure, no database):
- Only a village (村/社区), a township (乡镇/街道) or a county (县) signs off.
- A month can be approved only once it is over (from the 1st of the next month).
- A village may be approved at once; a township only when every one of its villages is
  approved for the month; a county only when every one of its townships is.
- Approving snapshots the month's figures into `MonthlySignoff.figures`: the rollup
  counters (`indicators.counter_sums`) for the region's subtree and the month's days, as
  they stand at that moment, plus the overdue count (超期数, a live figure) at that moment.
- Re-opening (退回重审) needs a reason. It re-opens the region and every approved region
  above it for that month, since their figures included it; each gets its own event.
- Approving and re-opening are for whoever holds `Action.APPROVE_FIGURES` with a grant
  covering the region (a township's leader: the township and its villages; a county's
  leader: the county and everything in it).

The approved snapshot is what is *reported*: `reported_figures(region, month)` gives it
for an approved month and None otherwise. The monthly bulletin (月通报) and anything else
that reports a month's figures for a place reads an approved month through
`reported_figures` (and `snapshot_figures` to turn it into `indicators.Figure`s), so the
figures reported for an approved month change only through a recorded re-opening. An
unapproved month is reported from the live rollups and should say so.

Writes go through `approve` and `reopen` only: permission check, validation, the row and
its event in one transaction, the rows concerned locked (select_for_update) so that two
people approving or re-opening at once queue rather than interleave; two approvals of a
new row at once meet the unique constraint, and the second is told so in plain words.
"""

import calendar
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import can
from zongzhi.accounts.rules import Action
from zongzhi.analytics import indicators, rollups
from zongzhi.analytics.models import MonthlySignoff, SignoffEvent
from zongzhi.core.services import actor_id, actor_name
from zongzhi.regions.models import Region
from zongzhi.regions.rules import LEVEL_NAMES, Level, ancestor_prefixes

# The levels that sign off, bottom first. Grids and buildings report through their village.
SIGNOFF_LEVELS = (Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY)
REASON_MAX = 500
APPROVED = MonthlySignoff.Status.APPROVED
REOPENED = MonthlySignoff.Status.REOPENED

# --- Pure rules ----------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_over(month: date, today: date) -> bool:
    """Whether the month is over on `today`: its figures may be approved from the next day."""
    return today > month_end(month)


def previous_month(today: date) -> date:
    return month_start(month_start(today) - timedelta(days=1))


def next_month(month: date) -> date:
    return month_end(month) + timedelta(days=1)


_MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_month(text: str) -> date | None:
    """ "2026-05" → 2026-05-01; None for anything else."""
    match = _MONTH.fullmatch(text.strip())
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 2000 <= year <= 9999):
        return None
    return date(year, month, 1)


def month_label(month: date) -> str:
    return f"{month.year}年{month.month}月"


def approval_problem(
    *,
    name: str,
    level: int,
    month: date,
    today: date,
    status: str | None,
    unapproved_children: Sequence[str],
) -> dict[str, str] | None:
    """Why a region cannot be approved for the month now, keyed by the field at fault;
    None when it can. `unapproved_children` names its places (the level directly below)
    not yet approved for the month; a village has none to wait for."""
    if level not in SIGNOFF_LEVELS:
        return {
            "region": f"{name}是{LEVEL_NAMES[Level(level)]}级，审核上报只在村（社区）、"
            "乡镇（街道）和县三级进行"
        }
    if not month_over(month, today):
        return {
            "month": f"{month_label(month)}尚未结束，{next_month(month):%Y-%m-%d}起才能审核该月数据"
        }
    if status == APPROVED:
        return {
            "month": f"{name}{month_label(month)}的数据已审核，不能重复审核；如需更正，请先退回重审"
        }
    if unapproved_children:
        shown = "、".join(unapproved_children[:5])
        more = f"等{len(unapproved_children)}个" if len(unapproved_children) > 5 else ""
        return {"region": f"下级尚未全部审核，须先审核：{shown}{more}"}
    return None


def reopen_problem(
    *, name: str, month: date, status: str | None, reason: str
) -> dict[str, str] | None:
    """Why a region's month cannot be re-opened with this reason; None when it can."""
    if status != APPROVED:
        return {"month": f"{name}{month_label(month)}的数据尚未审核，无需退回"}
    reason = reason.strip()
    if not reason:
        return {"reason": "请填写退回重审的原因"}
    if len(reason) > REASON_MAX:
        return {"reason": f"退回原因不能超过{REASON_MAX}字，现为{len(reason)}字"}
    return None


def approved_ancestors(prefix: str, approved_prefixes: Iterable[str]) -> list[str]:
    """The regions above `prefix` (by prefix) that are approved and so re-open with it,
    nearest first."""
    above = set(ancestor_prefixes(prefix)) - {prefix}
    return sorted((p for p in set(approved_prefixes) if p in above), key=len, reverse=True)


class State(StrEnum):
    APPROVED = "approved"
    REOPENED = "reopened"
    PENDING = "pending"  # never approved


# --- Reading -------------------------------------------------------------------------


@dataclass
class RegionMonth:
    """One region's sign-off for one month, as a page shows it."""

    region: Region
    month: date
    signoff: MonthlySignoff | None
    children_total: int
    unapproved_children: list[str]
    problem: dict[str, str] | None  # why it cannot be approved now; None: it can
    last_reopen: SignoffEvent | None = None
    month_is_over: bool = True

    @property
    def state(self) -> State:
        return State(self.signoff.status) if self.signoff is not None else State.PENDING

    @property
    def ready(self) -> bool:
        """All below approved, month over, not yet approved: 可审核."""
        return self.problem is None

    @property
    def children_approved(self) -> int:
        return self.children_total - len(self.unapproved_children)

    @property
    def kind(self) -> str:
        """What a page shows: approved, reopened (已退回重审), not_over (本月尚未结束),
        waiting (等待下级审核) or ready (可审核)."""
        if self.state != State.PENDING:
            return str(self.state)
        if not self.month_is_over:
            return "not_over"
        return "ready" if self.ready else "waiting"


def _status_rows(
    regions: list[Region], month: date
) -> tuple[dict[int, list[Region]], dict[int, MonthlySignoff], dict[int, SignoffEvent]]:
    levels = {r.pk: r.level for r in regions}
    children: dict[int, list[Region]] = {pk: [] for pk in levels}
    below = Region.objects.filter(parent_id__in=list(levels), level__in=SIGNOFF_LEVELS)
    for child in below.only("pk", "name", "code", "prefix", "level", "parent_id"):
        assert child.parent_id is not None
        if child.level == levels[child.parent_id] + 1:
            children[child.parent_id].append(child)
    wanted = set(levels) | {c.pk for kids in children.values() for c in kids}
    signoffs = {
        s.region_id: s for s in MonthlySignoff.objects.filter(month=month, region_id__in=wanted)
    }
    reopened = [s.pk for s in signoffs.values() if s.status == REOPENED and s.region_id in levels]
    last_reopen: dict[int, SignoffEvent] = {}
    if reopened:
        for event in SignoffEvent.objects.filter(
            signoff_id__in=reopened, kind=SignoffEvent.Kind.REOPEN
        ).order_by("at", "pk"):
            last_reopen[event.signoff_id] = event
    return children, signoffs, last_reopen


def month_status(regions: Iterable[Region], month: date, today: date) -> dict[int, RegionMonth]:
    """Each region's sign-off for the month, by region pk, loaded for all of them at
    once: three queries whatever their number (their places below, the sign-offs, the
    last re-opening of those re-opened)."""
    regions = list(regions)
    month = month_start(month)
    if not regions:
        return {}
    children, signoffs, last_reopen = _status_rows(regions, month)
    result = {}
    for region in regions:
        signoff = signoffs.get(region.pk)
        kids = children[region.pk] if region.level < Level.VILLAGE else []
        waiting = [
            c.name for c in kids if (s := signoffs.get(c.pk)) is None or s.status != APPROVED
        ]
        result[region.pk] = RegionMonth(
            region=region,
            month=month,
            signoff=signoff,
            children_total=len(kids),
            unapproved_children=waiting,
            problem=approval_problem(
                name=region.name,
                level=region.level,
                month=month,
                today=today,
                status=signoff.status if signoff else None,
                unapproved_children=waiting,
            ),
            last_reopen=last_reopen.get(signoff.pk) if signoff else None,
            month_is_over=month_over(month, today),
        )
    return result


def reported_figures(region: Region, month: date) -> dict[str, int] | None:
    """The figures approved for the region's month — {counter: n, "overdue": n} — or None
    when the month is not (or no longer) approved. One query. What a bulletin reports for
    an approved month."""
    signoff = (
        MonthlySignoff.objects.filter(region=region, month=month_start(month), status=APPROVED)
        .only("figures")
        .first()
    )
    return dict(signoff.figures) if signoff is not None else None


def snapshot_figures(snapshot: Mapping[str, int]) -> dict[str, indicators.Figure]:
    """A snapshot's indicators, computed by indicators.py's own formulas."""
    return {
        code: indicators.figure(i, dict(snapshot), {})
        for code, i in indicators.INDICATORS.items()
        if i.numerator in snapshot and (i.denominator is None or i.denominator in snapshot)
    }


def month_figures(region: Region, month: date, today: date) -> dict[str, int]:
    """The month's figures for the region as they stand now: the month's cohort counters
    and the overdue count today (two queries)."""
    month = month_start(month)
    sums = indicators.counter_sums(region.prefix, month, month_end(month))
    return {**sums, "overdue": indicators.overdue_count(region.prefix, today)}


def events(region: Region, month: date) -> list[SignoffEvent]:
    return list(
        SignoffEvent.objects.filter(
            signoff__region=region, signoff__month=month_start(month)
        ).order_by("at", "pk")
    )


def signoff_children(region: Region) -> list[Region]:
    """The places that sign off directly below a region (a county's townships, a
    township's villages); none below a village."""
    if region.level not in (Level.TOWNSHIP, Level.COUNTY):
        return []
    return list(Region.objects.filter(parent=region, level=region.level + 1).order_by("code"))


# --- Writing -------------------------------------------------------------------------


def _require_approver(by: Actor, region: Region, verb: str) -> None:
    if not can(by, Action.APPROVE_FIGURES, region):
        raise PermissionDenied(f"您无权{verb}{region.name}的数据：须由该地或上级的领导办理")


def _locked(month: date, region_ids: Sequence[int]) -> dict[int, MonthlySignoff]:
    """The month's sign-off rows of these regions, locked, in one order (by prefix) for
    every writer so that two writers never wait for each other in a circle."""
    rows = (
        MonthlySignoff.objects.select_for_update()
        .filter(month=month, region_id__in=list(region_ids))
        .order_by("region_prefix")
    )
    return {s.region_id: s for s in rows}


def approve(*, by: Actor, region: Region, month: date) -> MonthlySignoff:
    """审核通过: freeze the region's figures for the month. Raises PermissionDenied or a
    ValidationError saying what is missing; writes nothing then."""
    month = month_start(month)
    _require_approver(by, region, "审核")
    today = timezone.localdate()
    # Early answers for what cannot change under us, before doing any work.
    problem = approval_problem(
        name=region.name,
        level=region.level,
        month=month,
        today=today,
        status=None,
        unapproved_children=[],
    )
    if problem:
        raise ValidationError(problem)
    # The snapshot is the figures at this moment: bring the rollups up to date first.
    rollups.refresh_rollups()
    children = signoff_children(region)
    try:
        with transaction.atomic():
            rows = _locked(month, [region.pk, *(c.pk for c in children)])
            current = rows.get(region.pk)
            waiting = [
                c.name for c in children if (s := rows.get(c.pk)) is None or s.status != APPROVED
            ]
            problem = approval_problem(
                name=region.name,
                level=region.level,
                month=month,
                today=today,
                status=current.status if current else None,
                unapproved_children=waiting,
            )
            if problem:
                raise ValidationError(problem)
            now = timezone.now()
            snapshot = month_figures(region, month, today)
            values = {
                "status": APPROVED,
                "figures": snapshot,
                "approved_at": now,
                "approved_by_id": actor_id(by),
                "approved_by_name": actor_name(by),
            }
            if current is None:
                current = MonthlySignoff.objects.create(
                    region=region, region_prefix=region.prefix, month=month, **values
                )
            else:
                MonthlySignoff.objects.filter(pk=current.pk).update(**values)
                for key, value in values.items():
                    setattr(current, key, value)
            SignoffEvent.objects.create(
                signoff=current,
                kind=SignoffEvent.Kind.APPROVE,
                at=now,
                by_id=actor_id(by),
                by_name=actor_name(by),
                figures=snapshot,
            )
    except IntegrityError as error:
        # Someone approved the same place and month between our check and our write.
        raise ValidationError(
            {"month": f"{region.name}{month_label(month)}的数据刚刚已由他人审核，请刷新页面查看"}
        ) from error
    return current


def reopen(*, by: Actor, region: Region, month: date, reason: str) -> list[MonthlySignoff]:
    """退回重审: withdraw the region's approval for the month, and the approvals of every
    place above it (their figures included it), each with its own event. Returns the
    sign-offs re-opened, the region's first."""
    month = month_start(month)
    _require_approver(by, region, "退回")
    today = timezone.localdate()
    reason = (reason or "").strip()
    with transaction.atomic():
        rows = MonthlySignoff.objects.select_for_update().filter(
            month=month, region_prefix__in=ancestor_prefixes(region.prefix)
        )
        by_prefix = {s.region_prefix: s for s in rows.order_by("region_prefix")}
        current = by_prefix.get(region.prefix)
        problem = reopen_problem(
            name=region.name,
            month=month,
            status=current.status if current else None,
            reason=reason,
        )
        if problem:
            raise ValidationError(problem)
        assert current is not None
        approved_above = [p for p, s in by_prefix.items() if s.status == APPROVED]
        reopened = [current] + [
            by_prefix[p] for p in approved_ancestors(region.prefix, approved_above)
        ]
        now = timezone.now()
        names = Region.objects.in_bulk([s.region_id for s in reopened])
        for signoff in reopened:
            MonthlySignoff.objects.filter(pk=signoff.pk).update(status=REOPENED)
            signoff.status = REOPENED
            signoff.region = names[signoff.region_id]
            why = (
                reason if signoff is current else f"因下级{region.name}退回重审而一并退回：{reason}"
            )
            SignoffEvent.objects.create(
                signoff=signoff,
                kind=SignoffEvent.Kind.REOPEN,
                at=now,
                by_id=actor_id(by),
                by_name=actor_name(by),
                reason=why,
                figures=month_figures(names[signoff.region_id], month, today),
            )
    return reopened
