"""Building the three ledgers for a subtree and a period, from what the user may see.

Every register is read through its own scoped selector, so a ledger never holds a record
that its reader could not open on the site.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone, translation

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import can, grants_of, holds, visible_regions
from zongzhi.accounts.rules import Action, grants_for_action
from zongzhi.cases.models import Case, Party
from zongzhi.cases.selectors import visible_cases
from zongzhi.categories.models import Category
from zongzhi.core import audit
from zongzhi.hazards.models import Hazard
from zongzhi.hazards.selectors import visible_hazards
from zongzhi.ledgers import columns, layout
from zongzhi.ledgers.measures import format_measure
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level, ancestor_prefixes
from zongzhi.screening.models import ScreeningItem
from zongzhi.screening.rules import ReportState
from zongzhi.screening.selectors import visible_reports
from zongzhi.units.models import Unit


class Register(StrEnum):
    CASES = "cases"
    HAZARDS = "hazards"
    SCREENING = "screening"


REGISTER_NAMES = {
    Register.CASES: "矛盾纠纷排查化解台账",
    Register.HAZARDS: "风险隐患台账",
    Register.SCREENING: "排查报告台账",
}
REGISTER_ACTIONS = {
    Register.CASES: Action.VIEW_CASE,
    Register.HAZARDS: Action.VIEW_HAZARD,
    Register.SCREENING: Action.VIEW_SCREENING,
}
# How a ledger names a report's state: short, to fit its column.
REPORT_STATE_NAMES = {
    ReportState.ON_TIME: "按时",
    ReportState.LATE: "逾期",
    ReportState.MISSING: "未上报",
    ReportState.PENDING: "待上报",
}
MAX_DAYS = 3 * 366  # one export covers at most three years


@dataclass(frozen=True)
class Export:
    filename: str
    content: bytes
    count: int


def registers_for(user: Actor) -> list[Register]:
    """The ledgers this user may export (they hold the register's view action)."""
    return [r for r in Register if holds(user, REGISTER_ACTIONS[r])]


def export_ledger(
    *,
    by: Actor,
    register: Register,
    region: Region,
    start: date,
    end: date,
    now: datetime | None = None,
) -> Export:
    """The ledger of `register` for `region`'s subtree from `start` to `end` (both
    included), as an Excel workbook."""
    if not holds(by, REGISTER_ACTIONS[register]) or not can(by, Action.VIEW_REGION, region):
        raise PermissionDenied("您无权导出该范围的台账")
    if end < start:
        raise ValidationError({"end": "截止日期不能早于起始日期"})
    if (end - start).days > MAX_DAYS:
        raise ValidationError({"end": "一次最多导出三年"})
    now = timezone.localtime(now)
    with translation.override("zh-hans"):  # a filed ledger is in Chinese
        ledger = build_ledger(by=by, register=register, region=region, start=start, end=end)
        ledger = replace(
            ledger,
            info=layout.info_line(
                unit=_filing_unit(by, register, region),
                start=start,
                end=end,
                exported=f"{layout.chinese_date(now.date())} {now:%H:%M}",
                count=len(ledger.rows),
            ),
        )
        content = layout.to_bytes(layout.workbook_for([ledger]))
    filename = f"{ledger.title}（{start:%Y%m%d}-{end:%Y%m%d}）.xlsx"
    audit.record(
        by,
        audit.Kind.EXPORT,
        f"台账 {register.value} {region.code}",
        f"{start:%Y-%m-%d}至{end:%Y-%m-%d}，{len(ledger.rows)}行",
    )
    return Export(filename=filename, content=content, count=len(ledger.rows))


def build_ledger(
    *, by: Actor, register: Register, region: Region, start: date, end: date
) -> layout.Ledger:
    """The ledger's title, columns and rows (the info line is left to the caller)."""
    builders = {
        Register.CASES: (columns.CASE_COLUMNS, case_rows),
        Register.HAZARDS: (columns.HAZARD_COLUMNS, hazard_rows),
        Register.SCREENING: (columns.SCREENING_COLUMNS, screening_rows),
    }
    cols, rows = builders[register]
    return layout.Ledger(
        title=f"{place_name(region)}{REGISTER_NAMES[register]}",
        info="",
        columns=cols,
        rows=rows(by, region, start, end),
        sheet_name=REGISTER_NAMES[register],
    )


def place_name(region: Region) -> str:
    """How a ledger's title names a place: 华宁县宁州街道, 华宁县宁州街道右所社区."""
    if region.level <= Level.COUNTY:
        return region.name
    names = list(
        Region.objects.filter(
            prefix__in=ancestor_prefixes(region.prefix),
            level__in=[Level.COUNTY, Level.TOWNSHIP],
            level__lt=region.level,
        )
        .order_by("level")
        .values_list("name", flat=True)
    )
    return "".join([*names, region.name])


def _filing_unit(by: Actor, register: Register, region: Region) -> str:
    """The unit filing the ledger: the exporter's unit when they work in one, else the
    place the ledger covers."""
    grants = grants_for_action(grants_of(by), REGISTER_ACTIONS[register])
    unit_ids = {g.unit_id for g in grants if g.unit_id is not None}
    if grants and all(g.unit_id is not None for g in grants):
        names = Unit.objects.filter(pk__in=unit_ids).order_by("name").values_list("name", flat=True)
        return "、".join(names)
    return place_name(region)


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(start, time.min), tz)
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz)
    return since, until


# --- Cases ------------------------------------------------------------------------------


def case_rows(by: Actor, region: Region, start: date, end: date) -> list[Sequence[Any]]:
    """Cases registered in the period, as counted (a merged duplicate counts once, in the
    case it was merged into)."""
    since, until = _day_bounds(start, end)
    cases = (
        visible_cases(by)
        .counted()
        .filter(
            region_prefix__startswith=region.prefix,
            registered_at__gte=since,
            registered_at__lt=until,
        )
        .select_related("category__parent", "region", "lead_unit")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.filter(role=Party.Role.APPLICANT),
                to_attr="applicants",
            )
        )
        .order_by("registered_at", "pk")
    )
    return [_case_row(number, case) for number, case in enumerate(cases, start=1)]


def _case_row(number: int, case: Case) -> Sequence[Any]:
    category = case.category
    parent = category.parent
    place = case.region.name + (f"，{case.address}" if case.address else "")
    applicants: list[Party] = case.applicants  # type: ignore[attr-defined]
    return [
        number,
        case.code,
        timezone.localdate(case.registered_at),
        case.get_channel_display(),
        parent.name if parent else category.name,
        category.name if parent else "",
        case.title,
        case.description,
        place,
        "、".join(p.name for p in applicants),
        case.people_count,
        case.amount,
        case.get_risk_level_display(),
        case.lead_unit.name if case.lead_unit else "",
        case.get_status_display(),
        case.due_on,
        case.closed_on,
        case.get_outcome_display() if case.outcome else "",
        case.get_satisfaction_display() if case.satisfaction else "",
    ]


# --- Hazards ----------------------------------------------------------------------------


def hazard_rows(by: Actor, region: Region, start: date, end: date) -> list[Sequence[Any]]:
    """Hazards on the register during the period: found by its end, and not closed
    before its start (so a monthly ledger lists everything under control that month)."""
    hazards = (
        visible_hazards(by)
        .filter(region_prefix__startswith=region.prefix, discovered_on__lte=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        .select_related("category__parent", "region", "responsible_unit")
        .prefetch_related("measures")
        .order_by("discovered_on", "registered_at", "pk")
    )
    ambiguous = ambiguous_category_names()
    return [hazard_row(number, hazard, ambiguous) for number, hazard in enumerate(hazards, start=1)]


def ambiguous_category_names() -> set[str]:
    """Second-level names used under more than one first-level category."""
    return set(
        Category.objects.filter(parent__isnull=False)
        .values("name")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("name", flat=True)
    )


def category_label(category: Category, ambiguous: set[str]) -> str:
    """The second-level name; "一级/二级" where the name alone would be ambiguous."""
    if category.name in ambiguous and category.parent is not None:
        return f"{category.parent.name}/{category.name}"
    return category.name


def hazard_row(number: int, hazard: Hazard, ambiguous: set[str]) -> Sequence[Any]:
    measures = "\n".join(
        format_measure(
            index,
            content=m.content,
            owner=m.owner,
            due_on=m.due_on,
            done=m.done_on is not None,
        )
        for index, m in enumerate(hazard.measures.all(), start=1)
    )
    amount: Decimal | None = hazard.amount
    return [
        number,
        hazard.code,
        hazard.title,
        hazard.description,
        category_label(hazard.category, ambiguous),
        hazard.region.code,
        hazard.region.name,
        hazard.address,
        hazard.people_count,
        amount,
        hazard.get_level_display(),
        hazard.level_reasons,
        hazard.responsible_unit.name,
        hazard.guardian_name,
        hazard.guardian_phone,
        measures,
        hazard.discovered_on,
        hazard.review_every_days,
        hazard.next_review_on,
        hazard.get_status_display(),
        hazard.closed_on,
    ]


# --- Screening reports --------------------------------------------------------------------


def screening_rows(by: Actor, region: Region, start: date, end: date) -> list[Sequence[Any]]:
    """Every report owed for the rounds that began in the period, filed or not."""
    today = timezone.localdate()
    reports = (
        visible_reports(by)
        .filter(
            region_prefix__startswith=region.prefix,
            round__period_start__gte=start,
            round__period_start__lte=end,
        )
        .select_related("round", "region", "unit")
        .annotate(
            found=Count("items"),
            found_cases=Count("items", filter=Q(items__kind=ScreeningItem.Kind.CASE)),
            found_hazards=Count("items", filter=Q(items__kind=ScreeningItem.Kind.HAZARD)),
        )
        .order_by("round__period_start", "round__kind", "round__pk", "region_prefix", "pk")
    )
    rows: list[Sequence[Any]] = []
    for number, report in enumerate(reports, start=1):
        round_ = report.round
        filed = report.filed_on is not None
        rows.append(
            [
                number,
                round_.title,
                round_.get_kind_display(),
                f"{round_.period_start:%Y-%m-%d}至{round_.period_end:%Y-%m-%d}",
                report.due_on,
                report.reporter_name,
                REPORT_STATE_NAMES[report.state(today)],
                report.filed_on,
                ("是" if report.is_zero else "否") if filed else "",
                report.found if filed else None,
                report.found_cases if filed else None,
                report.found_hazards if filed else None,
                report.note,
            ]
        )
    return rows


def ledger_regions(user: Actor) -> QuerySet[Region]:
    """The places a user may pick for a ledger: the county, townships and villages they
    see, and the place their own role is held at (a grid worker's grid)."""
    held = {g.region_prefix for g in grants_of(user)}
    return (
        visible_regions(user)
        .filter(Q(level__gte=Level.COUNTY, level__lte=Level.VILLAGE) | Q(prefix__in=sorted(held)))
        .order_by("code")
    )
