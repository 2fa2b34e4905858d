"""Rounds, reports and findings for tests, made through the services as the scheduler
and the pages make them."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from zongzhi.accounts.permissions import SYSTEM
from zongzhi.categories.models import Category
from zongzhi.conftest import Cast
from zongzhi.regions.models import Region
from zongzhi.screening import services
from zongzhi.screening.models import ScreeningReport, ScreeningRound, ScreeningSchedule


def today() -> date:
    return timezone.localdate()


def category(code: str = "LLJF01") -> Category:
    return Category.objects.select_related("parent").get(code=code)


def campaign(
    region: Region,
    *,
    start: date | None = None,
    days: int = 7,
    due_in: int = 3,
    level: int = Region.Level.GRID,
    reporters: str = ScreeningSchedule.Reporters.REGIONS,
    title: str | None = None,
    **extra: Any,
) -> ScreeningRound:
    """A round for `region`'s places at `level` running from `start` (today by default)
    for `days` days, due `due_in` days after its end."""
    start = start or today()
    end = start + timedelta(days=days - 1)
    return services.launch_campaign(
        by=SYSTEM,
        title=title or f"专项排查{start:%m%d}-{level}-{region.code}",
        region=region,
        period_start=start,
        period_end=end,
        due_on=end + timedelta(days=due_in),
        reporters=reporters,
        reporter_level=level,
        **extra,
    )


def overdue_campaign(region: Region, **extra: Any) -> ScreeningRound:
    """A round that ended last week and was due yesterday."""
    return campaign(region, start=today() - timedelta(days=9), days=7, due_in=1, **extra)


def report_of(round_: ScreeningRound, reporter: Any) -> ScreeningReport:
    lookup = "unit" if reporter.__class__.__name__ == "Unit" else "region"
    return ScreeningReport.objects.select_related("round").get(round=round_, **{lookup: reporter})


def dispute(cast: Cast, **overrides: Any) -> services.Finding:
    values: dict[str, Any] = {
        "kind": "case",
        "category": category("LLJF01"),
        "title": "两户因排水沟占地争吵",
        "description": "右所社区3组两户因排水沟改道占用宅基地发生争吵。",
        "region": cast.places.g1,
        "applicant_name": "李春华",
        "applicant_phone": "13987700011",
        "people_count": 2,
    }
    values.update(overrides)
    return services.Finding(**values)


def hazard(cast: Cast, **overrides: Any) -> services.Finding:
    values: dict[str, Any] = {
        "kind": "hazard",
        "category": category("LZJF01"),
        "title": "小区物业公司拖欠保洁工资",
        "description": "物业公司两个月未发保洁员工资，员工酝酿集体讨薪。",
        "region": cast.places.g1,
        "people_count": 8,
        "risk_level": "high",
        "risk_reasons": "涉及8人，有集体讨薪苗头",
        "responsible_unit": cast.units.t1_station,
        "guardian_name": "张卫东",
        "guardian_phone": "13987700022",
    }
    values.update(overrides)
    return services.Finding(**values)
