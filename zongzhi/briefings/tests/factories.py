"""Records for the daily-report tests, made through the services as users make them.

The services stamp records with the real clock; the report is compiled with an explicit
`now`, so a test moves a record's registration time (or deadline) to the day it needs.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from zongzhi.accounts.models import User
from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.cases import services as case_services
from zongzhi.cases.models import Case
from zongzhi.cases.tests.factories import new_case
from zongzhi.categories.models import Category
from zongzhi.conftest import Cast, make_user
from zongzhi.hazards import services as hazard_services
from zongzhi.hazards.models import Hazard
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit
from zongzhi.units.services import unit_create

# A Tuesday: the day the report under test is made.
DAY = date(2026, 3, 10)


def local(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def morning(day: date = DAY) -> datetime:
    """When the scheduler runs: 07:00 Beijing time."""
    return local(day, 7)


YESTERDAY_NOON = local(DAY - timedelta(days=1), 12)


@dataclass
class Centres:
    county: Unit
    t1: Unit
    t2: Unit


def centres(cast: Cast) -> Centres:
    """A centre (综治中心) in the county and in both townships: each gets a report."""

    def make(name: str, region: Region) -> Unit:
        return unit_create(by=SYSTEM, name=name, kind=Unit.Kind.CENTRE, region=region)

    p = cast.places
    return Centres(
        county=make("华宁县综治中心", p.county),
        t1=make("宁州街道综治中心", p.t1),
        t2=make("盘溪镇综治中心", p.t2),
    )


def intake_at(cast: Cast, region: Region) -> User:
    """An intake officer whose scope holds `region`."""
    if region.prefix.startswith(cast.places.t1.prefix):
        return cast.by_role[Role.INTAKE_OFFICER]
    if region.prefix.startswith(cast.places.t2.prefix):
        return cast.outsider
    found = User.objects.filter(username="county_intake").first()
    return found or make_user("county_intake", Role.INTAKE_OFFICER, region=cast.places.county)


def case_at(
    cast: Cast, *, at: datetime = YESTERDAY_NOON, region: Region | None = None, **overrides: Any
) -> Case:
    """A case registered at `at` (yesterday noon unless given), in grid g1 unless given."""
    region = region or cast.places.g1
    if overrides.get("risk_level") in {"high", "major"}:
        overrides.setdefault("risk_reasons", "当事人情绪激动，扬言到县上聚集")
    case = case_services.case_register(
        by=intake_at(cast, region), new=new_case(region=region, **overrides)
    )
    Case.objects.filter(pk=case.pk).update(registered_at=at)
    case.refresh_from_db()
    return case


def in_progress(cast: Cast, case: Case, unit: Unit | None = None) -> Case:
    """Accept, dispatch to T1's station (or `unit`), and start the case."""
    intake = cast.by_role[Role.INTAKE_OFFICER]
    unit = unit or cast.units.t1_station
    case_services.case_accept(by=intake, case=case)
    case_services.case_dispatch(by=intake, case=case, lead_unit=unit)
    case_services.case_start(by=make_user(f"h{case.pk}", Role.UNIT_HANDLER, unit=unit), case=case)
    case.refresh_from_db()
    return case


def due(case: Case, day: date) -> Case:
    """Move the case's deadline to `day`."""
    Case.objects.filter(pk=case.pk).update(due_on=day)
    case.refresh_from_db()
    return case


def hazard_at(
    cast: Cast,
    *,
    at: datetime = YESTERDAY_NOON,
    level: str = Hazard.Level.HIGH,
    region: Region | None = None,
    unit: Unit | None = None,
    next_review_on: date | None = None,
    **overrides: Any,
) -> Hazard:
    """A hazard registered at `at` (yesterday noon unless given), in grid g1, kept by T1's
    police station unless given."""
    region = region or cast.places.g1
    if level in {Hazard.Level.HIGH, Hazard.Level.MAJOR}:
        overrides.setdefault("level_reasons", "涉及人数多，已有聚集讨薪苗头")
    values: dict[str, Any] = {
        "title": "某建筑公司拖欠工资苗头",
        "description": "工地项目款未结清，12名务工人员反映工资可能拖欠。",
        "category": Category.objects.get(code="LZJF01"),
        "region": region,
        "level": level,
        "responsible_unit": unit or cast.units.t1_station,
        "guardian_name": "李明",
        **overrides,
    }
    hazard = hazard_services.hazard_register(
        by=intake_at(cast, region), new=hazard_services.NewHazard(**values)
    )
    changes: dict[str, Any] = {"registered_at": at}
    if next_review_on is not None:
        changes["next_review_on"] = next_review_on
    Hazard.objects.filter(pk=hazard.pk).update(**changes)
    hazard.refresh_from_db()
    return hazard


def leader(username: str, region: Region, email: str = "") -> User:
    user = make_user(username, Role.LEADER, region=region)
    if email:
        user.email = email
        user.save(update_fields=["email"])
    return user
