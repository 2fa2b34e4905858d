"""登记: who may register a hazard where, what is checked, and that a retry adds nothing."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.conftest import Cast, make_user
from zongzhi.core.errors import KeyReused
from zongzhi.hazards import rules, services
from zongzhi.hazards.models import Hazard, HazardEvent
from zongzhi.hazards.tests.factories import category, new_hazard, registered
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit


def test_a_registered_hazard_is_under_control_with_its_first_review_set_by_its_level(
    cast: Cast,
) -> None:
    hazard = registered(cast, level=Hazard.Level.HIGH, level_reasons="涉及12人，情绪激动")
    today = timezone.localdate()
    assert hazard.status == rules.Status.CONTROLLED
    assert hazard.code.startswith("YH" + today.strftime("%y%m%d") + "-")
    assert hazard.review_every_days == rules.REVIEW_DAYS["high"] == 15
    assert hazard.next_review_on == today + timedelta(days=15)
    assert hazard.region_prefix == cast.places.g1.prefix
    [event] = HazardEvent.objects.filter(hazard=hazard)
    assert event.step == rules.Step.REGISTER
    assert event.actor_name == "t1_intake"


def test_a_given_review_interval_overrides_the_levels(cast: Cast) -> None:
    hazard = registered(cast, review_every_days=10)
    assert hazard.review_every_days == 10
    assert hazard.next_review_on == timezone.localdate() + timedelta(days=10)


def test_a_hazard_found_weeks_ago_is_first_reviewed_counting_from_today(cast: Cast) -> None:
    today = timezone.localdate()
    hazard = registered(cast, discovered_on=today - timedelta(days=60))
    assert hazard.discovered_on == today - timedelta(days=60)
    assert hazard.next_review_on == today + timedelta(days=rules.REVIEW_DAYS["medium"])


def _bad(cast: Cast, field: str) -> dict[str, Any]:
    """One field's bad value, for the registration by the township's intake officer."""
    today = timezone.localdate()
    inactive = Unit.objects.create(
        name="已撤并的站所", kind=Unit.Kind.OTHER, region=cast.places.t1, is_active=False
    )
    return {
        "title": {"title": "  "},
        "description": {"description": ""},
        "category": {"category": category("LZJF")},  # a first-level category
        "level": {"level": "extreme"},
        "level_reasons": {"level": Hazard.Level.MAJOR, "level_reasons": " "},
        "guardian_name": {"guardian_name": ""},
        "responsible_unit": {"responsible_unit": inactive},
        "people_count": {"people_count": 0},
        "amount": {"amount": Decimal("-1")},
        "discovered_on": {"discovered_on": today + timedelta(days=1)},
        "review_every_days": {"review_every_days": 367},
    }[field]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("title", "请填写隐患名称"),
        ("description", "请填写隐患描述"),
        ("category", "请选择二级分类"),
        ("level", "请选择风险等级"),
        ("level_reasons", "风险等级为高或重大时须写明定级理由"),
        ("guardian_name", "请填写包保责任人"),
        ("responsible_unit", "责任单位已停用"),
        ("people_count", "涉及人数至少为1"),
        ("amount", "涉及金额不能为负数"),
        ("discovered_on", "发现日期不能晚于今天"),
        ("review_every_days", "复查周期须在1至366天之间"),
    ],
)
def test_each_bad_field_is_named_in_chinese_and_nothing_is_registered(
    cast: Cast, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        registered(cast, **_bad(cast, field))
    assert refused.value.message_dict == {field: [message]}
    assert not Hazard.objects.exists()
    assert not HazardEvent.objects.exists()


def test_a_unit_of_another_township_cannot_answer_for_the_hazard(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        registered(cast, responsible_unit=cast.units.t2_station)
    assert refused.value.message_dict == {"responsible_unit": ["责任单位须是所在地或其上级的单位"]}


def test_a_unit_of_the_village_below_the_place_cannot_answer_for_a_township_hazard(
    cast: Cast,
) -> None:
    with pytest.raises(ValidationError):
        registered(cast, region=cast.places.t1, responsible_unit=cast.units.v1_committee)


@pytest.mark.parametrize("unit", ["county_bureau", "t1_station", "v1_committee"])
def test_a_unit_of_the_place_or_above_it_may_answer_for_it(cast: Cast, unit: str) -> None:
    hazard = registered(cast, responsible_unit=getattr(cast.units, unit))
    assert hazard.responsible_unit == getattr(cast.units, unit)


def test_a_hazard_above_the_county_is_refused(cast: Cast) -> None:
    province = Region.objects.get(code="530000000000")
    with pytest.raises(ValidationError) as refused:
        services.hazard_register(
            by=SYSTEM,
            new=new_hazard(cast, region=province, responsible_unit=cast.units.county_bureau),
        )
    assert "region" in refused.value.message_dict


def test_every_problem_is_reported_at_once(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        registered(cast, title="", guardian_name="", people_count=0, level="high")
    assert set(refused.value.message_dict) == {
        "title",
        "guardian_name",
        "people_count",
        "level_reasons",
    }


def test_a_retry_returns_the_first_hazard_and_another_body_is_refused(cast: Cast) -> None:
    intake = cast.by_role[Role.INTAKE_OFFICER]
    first, created = services.hazard_register_idempotent(
        by=intake, new=new_hazard(cast), idempotency_key="k-1"
    )
    again, created_again = services.hazard_register_idempotent(
        by=intake, new=new_hazard(cast, title=f"  {first.title} "), idempotency_key="k-1"
    )
    assert again.pk == first.pk and created and not created_again
    with pytest.raises(KeyReused):
        services.hazard_register_idempotent(
            by=intake, new=new_hazard(cast, title="改了名称再发一次"), idempotency_key="k-1"
        )
    assert Hazard.objects.count() == 1
    assert HazardEvent.objects.count() == 1
    other = services.hazard_register_idempotent(
        by=intake, new=new_hazard(cast), idempotency_key="k-2"
    ).record
    assert other.pk != first.pk


def test_a_retry_key_does_not_show_someone_elses_hazard(cast: Cast) -> None:
    services.hazard_register_idempotent(
        by=cast.by_role[Role.INTAKE_OFFICER], new=new_hazard(cast), idempotency_key="k-1"
    )
    with pytest.raises(PermissionDenied):
        services.hazard_register_idempotent(
            by=cast.outsider,
            new=new_hazard(cast, region=cast.places.g2, responsible_unit=cast.units.t2_station),
            idempotency_key="k-1",
        )


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.INTAKE_OFFICER, True),
        (Role.GRID_WORKER, True),  # in their own grid
        (Role.UNIT_HANDLER, True),  # T1's station, inside its township
        (Role.MEDIATOR, True),  # V1's committee, inside its village
        (Role.LEADER, False),
        (Role.CARE_WORKER, False),
        (Role.ADMINISTRATOR, False),
    ],
)
def test_who_may_register_a_hazard_in_grid_g1(cast: Cast, role: Role, allowed: bool) -> None:
    by = cast.by_role[role]
    if allowed:
        assert registered(cast, by=by).registered_by == by
    else:
        with pytest.raises(PermissionDenied):
            registered(cast, by=by)
        assert not Hazard.objects.exists()


def test_no_one_registers_a_hazard_outside_their_places(cast: Cast) -> None:
    g2_worker = make_user("g2_grid", Role.GRID_WORKER, region=cast.places.g2)
    for by in (cast.outsider, g2_worker):
        with pytest.raises(PermissionDenied):
            registered(cast, by=by)
    for by in (cast.by_role[Role.GRID_WORKER], cast.by_role[Role.INTAKE_OFFICER]):
        with pytest.raises(PermissionDenied):
            registered(cast, by=by, region=cast.places.g2, responsible_unit=cast.units.t2_station)
    assert not Hazard.objects.exists()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ago=st.integers(min_value=0, max_value=800),
    level=st.sampled_from(Hazard.Level.values),
    every=st.one_of(st.none(), st.integers(min_value=1, max_value=366)),
)
def test_the_first_review_is_always_after_today(
    cast: Cast, ago: int, level: str, every: int | None
) -> None:
    today = timezone.localdate()
    hazard = registered(
        cast,
        discovered_on=today - timedelta(days=ago),
        level=level,
        level_reasons="涉及人数多",
        review_every_days=every,
    )
    assert hazard.next_review_on is not None
    assert hazard.next_review_on > today
    assert hazard.next_review_on - today == timedelta(days=every or rules.REVIEW_DAYS[level])
    assert not Hazard.objects.review_overdue(today).filter(pk=hazard.pk).exists()
