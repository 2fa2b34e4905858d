"""Every role, inside and outside its scope, reading and writing: the permission matrix.

The expected table is written out here by hand, not derived from the rules module, so
that a change to who may do what has to change this test too.
"""

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zongzhi.accounts.models import RoleAssignment
from zongzhi.accounts.permissions import (
    SYSTEM,
    can,
    forget_grants,
    visible_regions,
    visible_units,
)
from zongzhi.accounts.rules import Action, Role
from zongzhi.cases import services
from zongzhi.cases.models import Case
from zongzhi.cases.tests.factories import new_case
from zongzhi.conftest import Cast, build_places, build_units, make_user
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level
from zongzhi.units.models import Unit

READ = {Action.VIEW_REGION, Action.VIEW_UNIT}
CASE_READ = {Action.VIEW_CASE}
EXPECTED = {
    Role.INTAKE_OFFICER: READ | CASE_READ | {Action.REGISTER_CASE, Action.TRIAGE_CASE},
    Role.GRID_WORKER: READ | CASE_READ | {Action.REGISTER_CASE},
    Role.MEDIATOR: READ
    | CASE_READ
    | {Action.REGISTER_CASE, Action.HANDLE_CASE, Action.MEDIATE_CASE},
    Role.UNIT_HANDLER: READ | CASE_READ | {Action.HANDLE_CASE, Action.MEDIATE_CASE},
    Role.LEADER: READ | CASE_READ | {Action.VIEW_USER, Action.SUPERVISE_CASE},
    # Care workers never read disputes.
    Role.CARE_WORKER: READ,
    Role.ADMINISTRATOR: READ
    | {
        Action.CHANGE_REGION,
        Action.CHANGE_UNIT,
        Action.VIEW_USER,
        Action.MANAGE_USER,
        Action.CONFIGURE_CASES,
    },
}
CASE_ACTIONS = {a for a in Action if a.value.startswith("cases.")}


def dispatched_case(region: Region, lead: Unit, co: Unit | None = None) -> Case:
    """A case at `region`, accepted and dispatched to `lead` (with `co` helping)."""
    case = services.case_register(by=SYSTEM, new=new_case(region=region))
    services.case_accept(by=SYSTEM, case=case)
    if not lead.region.prefix.startswith(case.centre_prefix):
        services.case_escalate(by=SYSTEM, case=case, reason="需县级部门办理")
    services.case_dispatch(by=SYSTEM, case=case, lead_unit=lead, co_units=[co] if co else [])
    return Case.objects.prefetch_related("assignments").get(pk=case.pk)


def inside_and_outside(cast: Cast, role: Role, action: Action) -> tuple[object | None, object]:
    """A record inside the role holder's scope (None if no such record exists) and one outside."""
    p, u = cast.places, cast.units
    if action in {Action.VIEW_REGION, Action.CHANGE_REGION}:
        return p.b1, p.b2
    if action in {Action.VIEW_UNIT, Action.CHANGE_UNIT}:
        inside = {
            Role.INTAKE_OFFICER: u.t1_station,
            Role.LEADER: u.t1_station,
            Role.ADMINISTRATOR: u.t1_station,
            Role.CARE_WORKER: u.v1_committee,
            Role.MEDIATOR: u.v1_committee,
            Role.UNIT_HANDLER: u.t1_station,
            Role.GRID_WORKER: None,  # no unit sits inside a single grid
        }[role]
        return inside, u.t2_station
    if action in CASE_ACTIONS:
        inside_case = dispatched_case(p.g1, u.t1_station, co=u.v1_committee)
        return inside_case, dispatched_case(p.g2, u.t2_station)
    return cast.by_role[Role.GRID_WORKER], cast.outsider


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_each_role_acts_inside_its_scope_and_never_outside(
    cast: Cast, role: Role, action: Action
) -> None:
    user = cast.by_role[role]
    inside, outside = inside_and_outside(cast, role, action)
    if inside is not None:
        assert can(user, action, inside) is (action in EXPECTED[role])
    assert can(user, action, outside) is False


@pytest.mark.parametrize("role", list(Role))
def test_each_role_holds_exactly_its_actions_where_everything_is_in_scope(
    cast: Cast, role: Role
) -> None:
    # Held at the county (or in the county bureau), every record below is inside scope,
    # so what the role may do is its action set and nothing else.
    if role in {Role.UNIT_HANDLER, Role.MEDIATOR}:
        # Unit work is done only from inside the unit, so these hold the role there.
        user = make_user("county_holder", role, unit=cast.units.county_bureau)
        unit = cast.units.county_bureau
    else:
        user = make_user("county_holder", role, region=cast.places.county)
        unit = cast.units.t2_station
    case = dispatched_case(cast.places.g2, cast.units.county_bureau)
    record = {
        Action.VIEW_REGION: cast.places.b2,
        Action.CHANGE_REGION: cast.places.b2,
        Action.VIEW_UNIT: unit,
        Action.CHANGE_UNIT: unit,
        Action.VIEW_USER: cast.outsider,
        Action.MANAGE_USER: cast.outsider,
        **dict.fromkeys(CASE_ACTIONS, case),
    }
    assert {a for a in Action if can(user, a, record[a])} == EXPECTED[role]


def test_a_unit_handler_sees_only_their_own_unit_not_its_neighbours(cast: Cast) -> None:
    handler = cast.by_role[Role.UNIT_HANDLER]
    assert can(handler, Action.VIEW_UNIT, cast.units.t1_station)
    # Same township, different unit.
    assert not can(handler, Action.VIEW_UNIT, cast.units.v1_committee)
    assert list(visible_units(handler)) == [cast.units.t1_station]


def test_a_grid_worker_sees_their_grid_and_nothing_beside_it(cast: Cast) -> None:
    worker = cast.by_role[Role.GRID_WORKER]
    assert set(visible_regions(worker)) == {cast.places.g1, cast.places.b1}
    assert not can(worker, Action.VIEW_REGION, cast.places.v1)


def test_someone_without_a_role_sees_nothing(cast: Cast) -> None:
    nobody = make_user("nobody", Role.INTAKE_OFFICER, region=cast.places.t1)
    RoleAssignment.objects.filter(user=nobody).delete()
    forget_grants(nobody)
    assert not visible_regions(nobody).exists()
    assert not can(nobody, Action.VIEW_REGION, cast.places.county)


# --- the same matrix through the web pages -------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_region_pages_open_inside_scope_and_are_not_found_outside(cast: Cast, role: Role) -> None:
    client = cast.client_for(cast.by_role[role])
    assert client.get(f"/regions/{cast.places.b1.code}/").status_code == 200
    assert client.get(f"/regions/{cast.places.b2.code}/").status_code == 404


@pytest.mark.parametrize("role", list(Role))
def test_unit_pages_open_inside_scope_and_are_not_found_outside(cast: Cast, role: Role) -> None:
    client = cast.client_for(cast.by_role[role])
    inside, outside = inside_and_outside(cast, role, Action.VIEW_UNIT)
    if inside is not None:
        assert client.get(f"/units/{inside.pk}/").status_code == 200
    assert client.get(f"/units/{outside.pk}/").status_code == 404
    listed = client.get("/units/").content.decode()
    assert cast.units.t2_station.name not in listed


@pytest.mark.parametrize("role", list(Role))
def test_only_an_administrator_changes_a_unit_and_only_inside_scope(cast: Cast, role: Role) -> None:
    client = cast.client_for(cast.by_role[role])
    inside, outside = inside_and_outside(cast, role, Action.CHANGE_UNIT)
    if inside is not None:
        response = client.post(f"/units/{inside.pk}/edit/", {"phone": "0877-5011110"})
        inside.refresh_from_db()
        if role == Role.ADMINISTRATOR:
            assert response.status_code == 302
            assert inside.phone == "0877-5011110"
        else:
            assert response.status_code == 403
            assert inside.phone == ""
    response = client.post(f"/units/{outside.pk}/edit/", {"phone": "0877-5011110"})
    outside.refresh_from_db()
    assert response.status_code == 404
    assert outside.phone == ""


# --- lists and single checks never disagree --------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_lists_show_exactly_what_the_single_check_allows(cast: Cast, role: Role) -> None:
    user = cast.by_role[role]
    regions = set(visible_regions(user))
    assert regions == {r for r in Region.objects.all() if can(user, Action.VIEW_REGION, r)}
    units = set(visible_units(user))
    assert units == {
        u for u in Unit.objects.select_related("region") if can(user, Action.VIEW_UNIT, u)
    }


@pytest.mark.django_db
@settings(max_examples=25, deadline=None)
@given(
    holdings=st.lists(
        st.tuples(st.sampled_from(list(Role)), st.integers(min_value=0, max_value=20)),
        min_size=0,
        max_size=3,
    )
)
def test_any_mix_of_roles_lists_exactly_what_it_may_see(
    holdings: list[tuple[Role, int]],
) -> None:
    if not Region.objects.exists():
        places = build_places()
        build_units(places)
    regions = list(Region.objects.order_by("code"))
    units = list(Unit.objects.select_related("region").order_by("pk"))
    user = make_user(f"u{uuid.uuid4().hex[:12]}", Role.LEADER, region=regions[0])
    RoleAssignment.objects.filter(user=user).delete()
    for role, index in holdings:
        if role == Role.UNIT_HANDLER:
            RoleAssignment.objects.get_or_create(
                user=user, role=role, unit=units[index % len(units)]
            )
        else:
            RoleAssignment.objects.get_or_create(
                user=user, role=role, region=regions[index % len(regions)]
            )
    forget_grants(user)
    assert set(visible_regions(user)) == {r for r in regions if can(user, Action.VIEW_REGION, r)}
    assert set(visible_units(user)) == {u for u in units if can(user, Action.VIEW_UNIT, u)}


def test_the_stored_roles_are_exactly_the_roles_the_rules_know() -> None:
    assert set(RoleAssignment.Role.values) == {str(role) for role in Role}
    assert set(Region.Level.values) == {int(level) for level in Level}
