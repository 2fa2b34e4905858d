"""Care-registry fixtures: files opened through the service, as a user would."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.care import rules, services
from zongzhi.care.models import CareFile
from zongzhi.care.services import Member, NewFile
from zongzhi.conftest import Cast, make_user
from zongzhi.regions.models import Region

# Valid identity numbers (the check digit computed): an adult and a child of 华宁县.
ADULT_ID = rules.with_check_digit("53042419800115123")
CHILD_ID = rules.with_check_digit("53042420150607002")


def new_file(region: Region, **overrides: Any) -> NewFile:
    values: dict[str, Any] = {
        "programme": rules.MENTAL_HEALTH.code,
        "person_name": "李建国",
        "region": region,
        "level": "2",
        "level_reasons": ["relapse"],
        "identity_number": ADULT_ID,
        "guardian_name": "李芳",
        "guardian_relation": "女儿",
        "phone": "13800000000",
        "address": "右所社区3组12号",
    }
    values.update(overrides)
    return NewFile(**values)


def open_file(by: Any, region: Region, *, lead: Any = None, **overrides: Any) -> CareFile:
    team = [Member(duty="lead", user=lead)] if lead is not None else []
    return services.care_file_register(by=by, new=new_file(region, team=team, **overrides))


@dataclass
class CareCast:
    """A care worker and a supervisor in township T1 (village V1), the same in T2, and a
    county supervisor; one adult's file in V1 led by the V1 care worker."""

    cast: Cast
    worker: Any  # v1_care, care worker at V1, leads `file`
    supervisor: Any  # care supervisor at T1
    county_supervisor: Any
    worker2: Any  # care worker at V2 (township T2)
    supervisor2: Any  # care supervisor at T2
    file: CareFile
    others: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def care(cast: Cast) -> CareCast:
    p = cast.places
    worker = cast.by_role[Role.CARE_WORKER]
    file = open_file(worker, p.v1)
    return CareCast(
        cast=cast,
        worker=worker,
        supervisor=cast.by_role[Role.CARE_SUPERVISOR],
        county_supervisor=make_user("county_care_sup", Role.CARE_SUPERVISOR, region=p.county),
        worker2=make_user("v2_care", Role.CARE_WORKER, region=p.v2),
        supervisor2=make_user("t2_care_sup", Role.CARE_SUPERVISOR, region=p.t2),
        file=file,
    )


__all__ = ["ADULT_ID", "CHILD_ID", "SYSTEM", "date", "new_file", "open_file"]
