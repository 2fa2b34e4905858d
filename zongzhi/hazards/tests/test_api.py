"""The hazards API: the register's scope, registering with an idempotency key, filters,
errors and queries."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zongzhi.accounts.rules import Role
from zongzhi.cases.tests.api_client import KeyClient, assert_error
from zongzhi.conftest import Cast
from zongzhi.hazards import services
from zongzhi.hazards.models import Hazard, HazardEvent
from zongzhi.hazards.rules import Status
from zongzhi.hazards.tests.factories import hazard_in, new_hazard, registered

HAZARDS = "/api/hazards/"


def body(cast: Cast, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "工地拖欠工资苗头",
        "description": "12名务工人员反映工资可能拖欠。",
        "category": "LZJF01",
        "region": cast.places.g1.code,
        "level": "medium",
        "responsible_unit": cast.units.t1_station.pk,
        "guardian_name": "李明",
    }
    values.update(overrides)
    return values


@pytest.fixture
def t2_hazard(cast: Cast) -> Hazard:
    new = new_hazard(cast, region=cast.places.g2, responsible_unit=cast.units.t2_station)
    return services.hazard_register(by=cast.outsider, new=new)


def test_each_role_reads_the_register_its_pages_show_and_nothing_outside(
    cast: Cast, t2_hazard: Hazard
) -> None:
    mine = registered(cast)
    readers = {Role.INTAKE_OFFICER, Role.GRID_WORKER, Role.UNIT_HANDLER, Role.LEADER}
    for role, user in cast.by_role.items():
        api = KeyClient(user)
        codes = [row["code"] for row in api.get(HAZARDS).json()["items"]]
        assert codes == ([mine.code] if role in readers else []), role
        assert api.get(f"{HAZARDS}{mine.code}").status_code == (200 if role in readers else 404)
        assert_error(api.get(f"{HAZARDS}{t2_hazard.code}"), 404, "not_found")
    assert [r["code"] for r in KeyClient(cast.outsider).get(HAZARDS).json()["items"]] == [
        t2_hazard.code
    ]


def test_a_retry_with_the_same_key_registers_one_hazard(cast: Cast) -> None:
    api = KeyClient(cast.by_role[Role.GRID_WORKER])
    first = api.post(HAZARDS, body(cast), **{"Idempotency-Key": "yh-1"})
    again = api.post(HAZARDS, body(cast, idempotency_key="yh-1"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert first.json()["next_review_on"] is not None
    assert Hazard.objects.count() == 1 and HazardEvent.objects.count() == 1
    changed = api.post(HAZARDS, body(cast, idempotency_key="yh-1", title="另一处隐患"))
    conflict = assert_error(changed, 409, "idempotency_conflict", "idempotency_key")
    assert "yh-1" in conflict["message"] and f"api:{api.user.pk}" not in conflict["message"]
    assert Hazard.objects.count() == 1


def test_registering_outside_scope_or_without_the_right_is_refused(cast: Cast) -> None:
    grid = KeyClient(cast.by_role[Role.GRID_WORKER])
    outside = body(cast, region=cast.places.g2.code, responsible_unit=cast.units.t2_station.pk)
    assert_error(grid.post(HAZARDS, outside), 403, "forbidden")
    for role in (Role.CLIENT_SYSTEM, Role.LEADER, Role.CARE_WORKER):
        assert_error(KeyClient(cast.by_role[role]).post(HAZARDS, body(cast)), 403, "forbidden")
    assert not Hazard.objects.exists()


def test_bad_input_names_the_field_in_chinese(cast: Cast) -> None:
    api = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    high = assert_error(
        api.post(HAZARDS, body(cast, level="high")), 400, "invalid", "level_reasons"
    )
    assert high["message"] == "风险等级为高或重大时须写明定级理由"
    far = body(cast, responsible_unit=cast.units.t2_station.pk)
    assert_error(api.post(HAZARDS, far), 400, "invalid", "responsible_unit")
    assert_error(
        api.post(HAZARDS, body(cast, responsible_unit=999999)), 400, "invalid", "responsible_unit"
    )
    assert_error(api.post(HAZARDS, body(cast, level="huge")), 422, "invalid_input", "level")
    assert not Hazard.objects.exists()


def test_the_list_filters_by_level_status_and_place(cast: Cast) -> None:
    api = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    low = registered(cast, level=Hazard.Level.LOW)
    closed = hazard_in(cast, Status.RESOLVED)
    in_v1 = registered(cast, region=cast.places.v1)

    def codes(**params: Any) -> set[str]:
        return {r["code"] for r in api.get(HAZARDS, params).json()["items"]}

    assert codes() == {low.code, closed.code, in_v1.code}
    assert codes(level="low") == {low.code}
    assert codes(status="resolved") == {closed.code}
    assert codes(region=cast.places.g1.code) == {low.code, closed.code}
    assert api.get(HAZARDS, {"limit": 1}).json()["count"] == 3
    assert_error(api.get(HAZARDS, {"region": "x"}), 400, "invalid", "region")


def test_the_list_and_the_detail_cost_the_same_queries_however_many(cast: Cast) -> None:
    api = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    api.get(HAZARDS)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as q:
            assert api.get(url).status_code == 200
        return len(q)

    first = registered(cast)
    few = queries(HAZARDS), queries(f"{HAZARDS}{first.code}")
    for _ in range(5):
        h = registered(cast)
        services.hazard_add_measure(
            by=cast.by_role[Role.INTAKE_OFFICER],
            hazard=h,
            content="每周走访工地",
            owner="李明",
            due_on=h.next_review_on,
        )
    assert (queries(HAZARDS), queries(f"{HAZARDS}{h.code}")) == few
    assert few[0] <= 4 and few[1] <= 5
