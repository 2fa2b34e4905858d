"""Hazards for tests, made through the services as users make them."""

from typing import Any

from zongzhi.accounts.rules import Role
from zongzhi.categories.models import Category
from zongzhi.conftest import Cast
from zongzhi.hazards import services
from zongzhi.hazards.models import Hazard
from zongzhi.hazards.rules import Status


def category(code: str = "LZJF01") -> Category:
    return Category.objects.select_related("parent").get(code=code)


def new_hazard(cast: Cast, **overrides: Any) -> services.NewHazard:
    """A wage-arrears risk in grid g1 (township T1), kept by T1's police station."""
    values: dict[str, Any] = {
        "title": "某建筑公司拖欠工资苗头",
        "description": "工地项目款未结清，12名务工人员反映工资可能拖欠，情绪不稳。",
        "category": category(),
        "region": cast.places.g1,
        "level": Hazard.Level.MEDIUM,
        "responsible_unit": cast.units.t1_station,
        "guardian_name": "李明",
        "guardian_phone": "13987700002",
        "address": "右所社区3组工地",
        "people_count": 12,
    }
    values.update(overrides)
    return services.NewHazard(**values)


def registered(cast: Cast, *, by: Any = None, **overrides: Any) -> Hazard:
    return services.hazard_register(
        by=by or cast.by_role[Role.INTAKE_OFFICER], new=new_hazard(cast, **overrides)
    )


def hazard_in(cast: Cast, status: Status, **overrides: Any) -> Hazard:
    """A hazard in township T1 walked to `status` by the township's intake officer."""
    intake = cast.by_role[Role.INTAKE_OFFICER]
    hazard = registered(cast, **overrides)
    match status:
        case Status.CONTROLLED:
            pass
        case Status.RESOLVED:
            services.hazard_resolve(by=intake, hazard=hazard, note="工资已足额发放")
        case Status.ELIMINATED:
            services.hazard_eliminate(by=intake, hazard=hazard, note="项目已停工清场")
        case Status.ESCALATED:
            services.hazard_escalate(by=intake, hazard=hazard, applicant_name="陈建华")
    return hazard
