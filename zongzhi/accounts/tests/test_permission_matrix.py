"""Every role, inside and outside its scope, reading and writing: the permission matrix.

The expected table is written out here by hand, not derived from the rules module, so
that a change to who may do what has to change this test too.
"""

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
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
from zongzhi.briefings.models import DailyReport
from zongzhi.cases import services
from zongzhi.cases.models import Case
from zongzhi.cases.tests.factories import category, new_case
from zongzhi.conftest import Cast, build_places, build_units, make_user
from zongzhi.hazards import services as hazard_services
from zongzhi.hazards.models import Hazard
from zongzhi.hazards.selectors import visible_hazards
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level
from zongzhi.screening.models import ScreeningReport, ScreeningSchedule
from zongzhi.screening.selectors import visible_reports
from zongzhi.screening.services import launch_campaign
from zongzhi.units.models import Unit

READ = {Action.VIEW_REGION, Action.VIEW_UNIT}
CASE_READ = {Action.VIEW_CASE}
# Screening and hazards: read, file or register, keep.
SCREENING = {Action.VIEW_SCREENING, Action.FILE_SCREENING}
HAZARDS = {Action.VIEW_HAZARD, Action.REGISTER_HAZARD, Action.KEEP_HAZARD}
EXPECTED = {
    Role.INTAKE_OFFICER: READ
    | CASE_READ
    | SCREENING
    | HAZARDS
    | {
        Action.REGISTER_CASE,
        Action.TRIAGE_CASE,
        Action.VISIT_CASE,
        Action.LAUNCH_CAMPAIGN,
        Action.VIEW_BRIEFING,
        Action.VIEW_ANALYTICS,
        # The centre keeps the register: only it brings a filled ledger in.
        Action.IMPORT_HAZARD_LEDGER,
        # And only it brings its earlier case ledger in as history.
        Action.IMPORT_CASE_LEDGER,
    },
    Role.GRID_WORKER: READ | CASE_READ | SCREENING | HAZARDS | {Action.REGISTER_CASE},
    Role.MEDIATOR: READ
    | CASE_READ
    | SCREENING
    | HAZARDS
    | {Action.REGISTER_CASE, Action.HANDLE_CASE, Action.MEDIATE_CASE},
    # A department hands over what it finds as a case (部门移交).
    Role.UNIT_HANDLER: READ
    | CASE_READ
    | SCREENING
    | HAZARDS
    | {Action.REGISTER_CASE, Action.HANDLE_CASE, Action.MEDIATE_CASE},
    # Leaders read and watch; they launch campaigns but file and keep nothing themselves.
    Role.LEADER: READ
    | CASE_READ
    | {
        Action.VIEW_USER,
        Action.SUPERVISE_CASE,
        Action.VIEW_SCREENING,
        Action.LAUNCH_CAMPAIGN,
        Action.VIEW_HAZARD,
        Action.VIEW_BRIEFING,
        Action.VIEW_ANALYTICS,
        Action.APPROVE_FIGURES,
    },
    # Care workers never read disputes, hazards, screening or the daily report; which care
    # files they read is their team membership's to say (zongzhi/care/tests).
    Role.CARE_WORKER: READ | {Action.VIEW_CARE, Action.ENROL_CARE},
    Role.CARE_SUPERVISOR: READ
    | {Action.VIEW_CARE, Action.ENROL_CARE, Action.SUPERVISE_CARE, Action.VIEW_IDENTITY},
    Role.ADMINISTRATOR: READ
    | {
        Action.CHANGE_REGION,
        Action.CHANGE_UNIT,
        Action.VIEW_USER,
        Action.MANAGE_USER,
        Action.VIEW_AUDIT,
        Action.CONFIGURE_CASES,
        Action.CONFIGURE_SCORECARD,
        Action.VIEW_SYSTEM_STATUS,
    },
    # Another system registers cases in its region and reads back only what it registered
    # (zongzhi/api tests); it reads nobody else's cases.
    Role.CLIENT_SYSTEM: READ | {Action.REGISTER_CASE},
}
# Importing history is checked against each row's place, before the case exists.
PLACE_IMPORTS = {Action.REGISTER_HAZARD, Action.IMPORT_HAZARD_LEDGER, Action.IMPORT_CASE_LEDGER}
CASE_ACTIONS = {a for a in Action if a.value.startswith("cases.")} - PLACE_IMPORTS
REPORT_ACTIONS = {Action.VIEW_SCREENING, Action.FILE_SCREENING}
# Registering a hazard is checked against its place (the service asks before the hazard
# exists); reading and keeping one against its place and the unit answering for it.
HAZARD_ACTIONS = {Action.VIEW_HAZARD, Action.KEEP_HAZARD}
CARE_ACTIONS = {a for a in Action if a.value.startswith("care.")}
# Figures are read, approved and weighed for places.
ANALYTICS_ACTIONS = {a for a in Action if a.value.startswith("analytics.")}
UNIT_ROLES = {Role.UNIT_HANDLER, Role.MEDIATOR}


def dispatched_case(region: Region, lead: Unit, co: Unit | None = None) -> Case:
    """A case at `region`, accepted and dispatched to `lead` (with `co` helping)."""
    case = services.case_register(by=SYSTEM, new=new_case(region=region))
    services.case_accept(by=SYSTEM, case=case)
    if not lead.region.prefix.startswith(case.centre_prefix):
        services.case_escalate(by=SYSTEM, case=case, reason="需县级部门办理")
    services.case_dispatch(by=SYSTEM, case=case, lead_unit=lead, co_units=[co] if co else [])
    return Case.objects.prefetch_related("assignments").get(pk=case.pk)


def screening_reports(
    cast: Cast, reporters: str, level: Level, region: Region | None = None
) -> dict[int | None, ScreeningReport]:
    """The reports a campaign over the county (or `region`) expects, by the pk of the grid
    or unit that owes each one."""
    today = timezone.localdate()
    round_ = launch_campaign(
        by=SYSTEM,
        title=f"专项排查 {reporters} {int(level)}",
        region=region or cast.places.county,
        period_start=today,
        period_end=today + timedelta(days=6),
        due_on=today + timedelta(days=7),
        reporters=reporters,
        reporter_level=level,
    )
    return {r.unit_id or r.region_id: r for r in round_.reports.all()}


def grid_report(cast: Cast, grid: Region) -> ScreeningReport:
    return screening_reports(cast, ScreeningSchedule.Reporters.REGIONS, Level.GRID)[grid.pk]


def unit_report(cast: Cast, unit: Unit) -> ScreeningReport:
    level = Level(unit.region.level)
    region = cast.places.county if level > Level.COUNTY else Region.objects.get(prefix="5304")
    return screening_reports(cast, ScreeningSchedule.Reporters.UNITS, level, region)[unit.pk]


def hazard(region: Region, unit: Unit) -> Hazard:
    return hazard_services.hazard_register(
        by=SYSTEM,
        new=hazard_services.NewHazard(
            title="某建筑工地拖欠农民工工资",
            description="工地停工，二十余名工人工资未结清，有聚集讨薪苗头。",
            category=category("LZJF01"),
            region=region,
            level=Hazard.Level.MEDIUM,
            responsible_unit=unit,
            guardian_name="王建华",
        ),
    )


def daily_report(region: Region) -> DailyReport:
    now = timezone.now()
    return DailyReport.objects.create(
        region=region,
        region_prefix=region.prefix,
        report_date=timezone.localdate(),
        window_start=now - timedelta(days=1),
        window_end=now,
        generated_at=now,
    )


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
            Role.CARE_SUPERVISOR: u.t1_station,
            Role.MEDIATOR: u.v1_committee,
            Role.UNIT_HANDLER: u.t1_station,
            Role.GRID_WORKER: None,  # no unit sits inside a single grid
            Role.CLIENT_SYSTEM: u.t1_station,
        }[role]
        return inside, u.t2_station
    if action in CASE_ACTIONS:
        inside_case = dispatched_case(p.g1, u.t1_station, co=u.v1_committee)
        return inside_case, dispatched_case(p.g2, u.t2_station)
    if action in REPORT_ACTIONS:
        # A unit's people answer for the unit's report; everyone else for their places'.
        if role == Role.UNIT_HANDLER:
            return unit_report(cast, u.t1_station), unit_report(cast, u.t2_station)
        if role == Role.MEDIATOR:
            return unit_report(cast, u.v1_committee), unit_report(cast, u.v2_committee)
        return grid_report(cast, p.g1), grid_report(cast, p.g2)
    if action == Action.LAUNCH_CAMPAIGN:
        own_place = {Role.GRID_WORKER: p.g1, Role.CARE_WORKER: p.v1, Role.MEDIATOR: p.v1}
        return own_place.get(role, p.t1), p.t2
    if action in PLACE_IMPORTS:
        return p.g1, p.g2
    if action in HAZARD_ACTIONS:
        owner = u.v1_committee if role == Role.MEDIATOR else u.t1_station
        return hazard(p.g1, owner), hazard(p.g2, u.t2_station)
    if action in ANALYTICS_ACTIONS:
        own_place = {Role.GRID_WORKER: p.g1, Role.CARE_WORKER: p.v1, Role.MEDIATOR: p.v1}
        return own_place.get(role, p.t1), p.t2
    if action in CARE_ACTIONS:
        # The place part of the care rules; who on that place reads a file (its team and
        # its supervisors only) is proven by zongzhi/care/tests/test_access_matrix.py.
        return p.v1, p.t2
    if action == Action.VIEW_BRIEFING:
        # Daily reports are made for the county and the townships: none lies inside a
        # village or a grid.
        below_township = role in {Role.GRID_WORKER, Role.CARE_WORKER, Role.MEDIATOR}
        return (None if below_township else daily_report(p.t1)), daily_report(p.t2)
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
    if role in UNIT_ROLES:
        # Unit work is done only from inside the unit, so these hold the role there.
        user = make_user("county_holder", role, unit=cast.units.county_bureau)
        unit = cast.units.county_bureau
    else:
        user = make_user("county_holder", role, region=cast.places.county)
        unit = cast.units.t2_station
    bureau = cast.units.county_bureau
    case = dispatched_case(cast.places.g2, bureau)
    report = unit_report(cast, bureau)
    held_hazard = hazard(cast.places.g2, bureau)
    record = {
        Action.VIEW_REGION: cast.places.b2,
        Action.CHANGE_REGION: cast.places.b2,
        Action.VIEW_UNIT: unit,
        Action.CHANGE_UNIT: unit,
        Action.VIEW_USER: cast.outsider,
        Action.MANAGE_USER: cast.outsider,
        Action.VIEW_AUDIT: cast.outsider,
        **dict.fromkeys(CASE_ACTIONS, case),
        **dict.fromkeys(REPORT_ACTIONS, report),
        Action.LAUNCH_CAMPAIGN: cast.places.t2,
        Action.REGISTER_HAZARD: cast.places.g2,
        Action.IMPORT_HAZARD_LEDGER: cast.places.g2,
        Action.IMPORT_CASE_LEDGER: cast.places.g2,
        **dict.fromkeys(HAZARD_ACTIONS, held_hazard),
        Action.VIEW_BRIEFING: daily_report(cast.places.t2),
        **dict.fromkeys(CARE_ACTIONS, cast.places.v2),
        **dict.fromkeys(ANALYTICS_ACTIONS, cast.places.t2),
        # The 系统状态 page is the whole system's; the page asks `holds`, not a place.
        Action.VIEW_SYSTEM_STATUS: cast.places.t2,
    }
    assert set(record) == set(Action)
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


def test_a_unit_handler_files_the_units_report_but_not_a_grids_in_its_township(
    cast: Cast,
) -> None:
    handler = cast.by_role[Role.UNIT_HANDLER]
    own = unit_report(cast, cast.units.t1_station)
    grid = grid_report(cast, cast.places.g1)  # in the station's township
    assert can(handler, Action.FILE_SCREENING, own)
    assert not can(handler, Action.FILE_SCREENING, grid)
    assert not can(handler, Action.VIEW_SCREENING, grid)
    # The township's people file the station's report too, if it falls to them.
    assert can(cast.by_role[Role.INTAKE_OFFICER], Action.FILE_SCREENING, own)
    assert not can(cast.by_role[Role.GRID_WORKER], Action.FILE_SCREENING, own)


def test_a_unit_keeps_only_the_hazards_it_answers_for_but_registers_any_in_its_area(
    cast: Cast,
) -> None:
    handler = cast.by_role[Role.UNIT_HANDLER]
    others = hazard(cast.places.g1, cast.units.v1_committee)  # in the township, not its own
    assert not can(handler, Action.VIEW_HAZARD, others)
    assert not can(handler, Action.KEEP_HAZARD, others)
    assert can(handler, Action.REGISTER_HAZARD, cast.places.g1)
    registered = hazard_services.hazard_register(
        by=handler,
        new=hazard_services.NewHazard(
            title="山林权属争议",
            description="两村民小组对后山林地界址各执一词。",
            category=category("SLTD02"),
            region=cast.places.g1,
            level=Hazard.Level.LOW,
            responsible_unit=cast.units.t1_station,
            guardian_name="李国强",
        ),
    )
    assert can(handler, Action.KEEP_HAZARD, registered)


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


def hazards_and_reports() -> None:
    """Hazards owned by every unit, at the unit's place and below it, and a round of
    reports from every grid and every unit."""
    everywhere = list(Region.objects.filter(level__gte=Level.COUNTY).order_by("code"))
    for unit in Unit.objects.select_related("region").order_by("pk"):
        for region in everywhere:
            if region.level in {Level.TOWNSHIP, Level.GRID} and region.is_within(unit.region):
                hazard(region, unit)
    today = timezone.localdate()
    county = Region.objects.get(level=Level.COUNTY)
    for reporters, level, scope in [
        (ScreeningSchedule.Reporters.REGIONS, Level.GRID, county),
        (ScreeningSchedule.Reporters.UNITS, Level.TOWNSHIP, county),
        (ScreeningSchedule.Reporters.UNITS, Level.VILLAGE, county),
        (ScreeningSchedule.Reporters.UNITS, Level.COUNTY, county.parent),
    ]:
        assert scope is not None
        launch_campaign(
            by=SYSTEM,
            title=f"清单 {reporters} {int(level)}",
            region=scope,
            period_start=today,
            period_end=today,
            due_on=today,
            reporters=reporters,
            reporter_level=level,
        )


def assert_lists_match_single_checks(user: Any) -> None:
    assert set(visible_regions(user)) == {
        r for r in Region.objects.all() if can(user, Action.VIEW_REGION, r)
    }
    assert set(visible_units(user)) == {
        u for u in Unit.objects.select_related("region") if can(user, Action.VIEW_UNIT, u)
    }
    for action in HAZARD_ACTIONS:
        assert set(visible_hazards(user, action)) == {
            h for h in Hazard.objects.all() if can(user, action, h)
        }, action
    for action in REPORT_ACTIONS:
        assert set(visible_reports(user, action)) == {
            r for r in ScreeningReport.objects.all() if can(user, action, r)
        }, action


@pytest.mark.parametrize("role", list(Role))
def test_lists_show_exactly_what_the_single_check_allows(cast: Cast, role: Role) -> None:
    hazards_and_reports()
    assert Hazard.objects.count() >= 10 and ScreeningReport.objects.count() >= 7
    user = cast.by_role[role]
    assert_lists_match_single_checks(user)
    if EXPECTED[role] & HAZARDS:
        assert visible_hazards(user).exists()
    if Action.VIEW_SCREENING in EXPECTED[role]:
        assert visible_reports(user).exists()


@pytest.mark.django_db
@settings(deadline=None)
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
        hazards_and_reports()
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
    assert_lists_match_single_checks(user)


def test_the_stored_roles_are_exactly_the_roles_the_rules_know() -> None:
    assert set(RoleAssignment.Role.values) == {str(role) for role in Role}
    assert set(Region.Level.values) == {int(level) for level in Level}
