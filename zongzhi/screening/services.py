"""Opening rounds, launching campaigns, filing reports. Every write is here."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import require
from zongzhi.accounts.rules import Action
from zongzhi.cases.models import Case
from zongzhi.categories.models import Category
from zongzhi.core.services import actor_id, refresh_from
from zongzhi.hazards.models import Hazard
from zongzhi.regions.models import Region
from zongzhi.screening import rules
from zongzhi.screening.models import (
    ScreeningItem,
    ScreeningReport,
    ScreeningRound,
    ScreeningSchedule,
)
from zongzhi.units.models import Unit
from zongzhi.workdays.selectors import current_calendar


def _today() -> date:
    return timezone.localdate()


# --- Rounds -----------------------------------------------------------------------------


def _reporters(
    *, region: Region, reporters: str, level: int, unit_kinds: Sequence[str]
) -> list[ScreeningReport]:
    """The empty reports a new round expects: one per region or unit in its scope."""
    if reporters == ScreeningSchedule.Reporters.REGIONS:
        # Only the key and prefix: a grid's boundary is large and not needed here.
        return [
            ScreeningReport(region_id=pk, region_prefix=prefix)
            for pk, prefix in Region.objects.within(region.prefix)
            .filter(level=level)
            .values_list("pk", "prefix")
        ]
    units = Unit.objects.filter(
        region__prefix__startswith=region.prefix, region__level=level, is_active=True
    )
    if unit_kinds:
        units = units.filter(kind__in=unit_kinds)
    return [
        ScreeningReport(unit_id=pk, region_prefix=prefix)
        for pk, prefix in units.values_list("pk", "region__prefix")
    ]


def _open_round(round_: ScreeningRound, expected: list[ScreeningReport]) -> ScreeningRound:
    round_.save()
    for report in expected:
        report.round = round_
        report.due_on = round_.due_on
    ScreeningReport.objects.bulk_create(expected, batch_size=1000)
    return round_


def open_due_rounds(today: date | None = None) -> list[ScreeningRound]:
    """Open the current period's round of every active schedule that has none yet.

    Run by the scheduler every hour; running it again opens nothing twice."""
    today = today or _today()
    opened = []
    for schedule in ScreeningSchedule.objects.filter(is_active=True).select_related("region"):
        period = rules.period_of(schedule.cadence, today)
        if ScreeningRound.objects.filter(schedule=schedule, period_start=period.start).exists():
            continue
        due_on = current_calendar().add_working_days(period.end, schedule.grace_days)
        round_ = ScreeningRound(
            kind=schedule.cadence,
            schedule=schedule,
            title=f"{schedule.name} {rules.period_label(schedule.cadence, period)}",
            region=schedule.region,
            region_prefix=schedule.region.prefix,
            period_start=period.start,
            period_end=period.end,
            due_on=due_on,
            created_at=timezone.now(),
        )
        expected = _reporters(
            region=schedule.region,
            reporters=schedule.reporters,
            level=schedule.reporter_level,
            unit_kinds=schedule.unit_kinds,
        )
        try:
            with transaction.atomic():
                opened.append(_open_round(round_, expected))
        except IntegrityError:
            continue  # a second scheduler process opened it first
    return opened


def launch_campaign(
    *,
    by: Actor,
    title: str,
    region: Region,
    period_start: date,
    period_end: date,
    due_on: date,
    reporters: str,
    reporter_level: int,
    unit_kinds: Sequence[str] = (),
    focus_categories: Iterable[Category] = (),
    instructions: str = "",
) -> ScreeningRound:
    """专项排查: a round with its own dates, focus and reporters, inside the launcher's scope.

    Launching a campaign again (same scope, title and period) returns the one launched."""
    require(by, Action.LAUNCH_CAMPAIGN, region)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "请填写专项排查名称"
    if period_end < period_start:
        errors["period_end"] = "截止日期不能早于起始日期"
    if due_on < period_end:
        errors["due_on"] = "报送期限不能早于截止日期"
    if reporters not in ScreeningSchedule.Reporters.values:
        errors["reporters"] = "请选择填报对象"
    # Regions report from below the scope; units may sit at the scope's own level (a
    # county campaign asks the county's bureaus).
    if reporter_level < region.level or (
        reporters == ScreeningSchedule.Reporters.REGIONS and reporter_level == region.level
    ):
        errors["reporter_level"] = "填报层级须低于排查范围"
    if errors:
        raise ValidationError(errors)
    expected = _reporters(
        region=region, reporters=reporters, level=reporter_level, unit_kinds=unit_kinds
    )
    if not expected:
        raise ValidationError({"reporter_level": "范围内没有符合条件的填报对象"})
    with transaction.atomic():
        # A campaign sent twice (a double tap, a retried request) is launched once: the
        # scope's row is locked so that two launches of the same campaign queue here.
        Region.objects.select_for_update().filter(pk=region.pk).first()
        same = ScreeningRound.objects.filter(
            kind=ScreeningRound.Kind.CAMPAIGN,
            region=region,
            title=title.strip(),
            period_start=period_start,
            period_end=period_end,
        ).first()
        if same is not None:
            return same
        round_ = _open_round(
            ScreeningRound(
                kind=ScreeningRound.Kind.CAMPAIGN,
                title=title.strip(),
                region=region,
                region_prefix=region.prefix,
                period_start=period_start,
                period_end=period_end,
                due_on=due_on,
                instructions=instructions.strip(),
                created_at=timezone.now(),
                created_by_id=actor_id(by),
            ),
            expected,
        )
        round_.focus_categories.set(list(focus_categories))
    return round_


# --- Filing -----------------------------------------------------------------------------


@dataclass
class Finding:
    """One thing found. A dispute names who raised it (the case's applicant); a hazard
    names the unit and person who answer for it."""

    kind: str  # ScreeningItem.Kind
    category: Category
    title: str
    description: str
    region: Region
    address: str = ""
    people_count: int = 1
    amount: Decimal | None = None
    risk_level: str = "low"
    risk_reasons: str = ""
    applicant_name: str = ""
    applicant_phone: str = ""
    responsible_unit: Unit | None = None
    guardian_name: str = ""
    guardian_phone: str = ""


def _register_finding(by: Actor, finding: Finding) -> tuple[Case | None, Hazard | None]:
    from zongzhi.cases import services as case_services
    from zongzhi.hazards import services as hazard_services

    if finding.kind == ScreeningItem.Kind.CASE:
        if not finding.applicant_name.strip():
            raise ValidationError({"applicant_name": "请填写反映人或当事人"})
        case = case_services.case_register(
            by=by,
            new=case_services.NewCase(
                channel=Case.Channel.SCREENING,
                category=finding.category,
                title=finding.title,
                description=finding.description,
                region=finding.region,
                address=finding.address,
                people_count=finding.people_count,
                amount=finding.amount,
                risk_level=finding.risk_level,
                risk_reasons=finding.risk_reasons,
                parties=[
                    case_services.NewParty(
                        role="applicant",
                        name=finding.applicant_name,
                        phone=finding.applicant_phone,
                    )
                ],
            ),
        )
        return case, None
    if finding.kind == ScreeningItem.Kind.HAZARD:
        if finding.responsible_unit is None:
            raise ValidationError({"responsible_unit": "请选择责任单位"})
        hazard = hazard_services.hazard_register(
            by=by,
            new=hazard_services.NewHazard(
                title=finding.title,
                description=finding.description,
                category=finding.category,
                region=finding.region,
                address=finding.address,
                people_count=finding.people_count,
                amount=finding.amount,
                level=finding.risk_level,
                level_reasons=finding.risk_reasons,
                responsible_unit=finding.responsible_unit,
                guardian_name=finding.guardian_name,
                guardian_phone=finding.guardian_phone,
            ),
            source=Hazard.Source.SCREENING,
        )
        return None, hazard
    raise ValidationError({"kind": "请选择发现类型"})


def file_report(
    *,
    by: Actor,
    report: ScreeningReport,
    findings: Sequence[Finding] = (),
    zero: bool = False,
    note: str = "",
    idempotency_key: str | None = None,
) -> ScreeningReport:
    """File a report: its findings, each registered at once as a case or a hazard, or an
    explicit zero report (零报告). All or nothing: one bad finding files none of them.

    A report filed after its due day is recorded as late. A retry with the same
    idempotency key returns the report as the first call filed it.
    """
    if idempotency_key:
        existing = ScreeningReport.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            require(by, Action.VIEW_SCREENING, existing)
            return existing
    require(by, Action.FILE_SCREENING, report)
    if zero and findings:
        raise ValidationError({"zero": "零报告不能同时填写排查发现"})
    if not zero and not findings:
        raise ValidationError({"zero": "请填写排查发现，或确认本期零报告"})
    today = _today()
    with transaction.atomic():
        locked = (
            ScreeningReport.objects.select_for_update(of=("self",))
            .select_related("round")
            .get(pk=report.pk)
        )
        if locked.filed_at is not None:
            if idempotency_key and locked.idempotency_key == idempotency_key:
                return locked  # the same submission, sent twice at once
            raise ValidationError({"zero": f"本期已于{locked.filed_on:%Y-%m-%d}上报"})
        if today < locked.round.period_start:
            raise ValidationError({"zero": "本期排查尚未开始"})
        for index, finding in enumerate(findings):
            try:
                with transaction.atomic():
                    case, hazard = _register_finding(by, finding)
            except ValidationError as error:
                raise ValidationError(
                    {
                        f"items-{index}-{name}": messages
                        for name, messages in error.message_dict.items()
                    }
                ) from error
            ScreeningItem.objects.create(report=locked, kind=finding.kind, case=case, hazard=hazard)
        locked.filed_at = timezone.now()
        locked.filed_on = today
        locked.filed_by_id = actor_id(by)
        locked.is_zero = zero
        locked.is_late = today > locked.due_on
        locked.note = note.strip()
        locked.idempotency_key = idempotency_key or None
        locked.save()
    refresh_from(report, locked)
    return report


__all__ = [
    "Finding",
    "file_report",
    "launch_campaign",
    "open_due_rounds",
]
