"""The portal's actors hold exactly the actions they take — registering a request, rating
a closed case — and every permission check refuses them anything else."""

import pytest
from django.core.exceptions import PermissionDenied

from zongzhi.accounts.actors import SYSTEM, PublicActor
from zongzhi.accounts.permissions import can, holds, require
from zongzhi.accounts.rules import Action, Role, Target
from zongzhi.care import access
from zongzhi.care import services as care_services
from zongzhi.care.services import Member
from zongzhi.care.tests.conftest import new_file
from zongzhi.cases import selectors, services
from zongzhi.cases.models import Case
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in, new_case
from zongzhi.conftest import Cast
from zongzhi.portal.services import PORTAL, PORTAL_RATING


def test_the_portal_holds_only_registering_and_the_rating_only_the_return_visit() -> None:
    assert {a for a in Action if holds(PORTAL, a)} == {Action.REGISTER_CASE}
    assert {a for a in Action if holds(PORTAL_RATING, a)} == {Action.VISIT_CASE}
    assert not PORTAL.is_superuser and not PORTAL_RATING.is_superuser
    assert all(holds(SYSTEM, a) for a in Action)  # commands and tasks keep full powers


def test_the_portal_registers_a_request_anywhere(cast: Cast) -> None:
    case = services.case_register(by=PORTAL, new=new_case(region=cast.places.v2))
    assert case.registered_by_id is None
    assert case.events.get().actor_name == "群众（网上）"


def test_the_portal_is_refused_dispatching_a_case(cast: Cast) -> None:
    case = services.case_register(by=PORTAL, new=new_case(region=cast.places.g1))
    services.case_accept(by=SYSTEM, case=case)
    with pytest.raises(PermissionDenied):
        services.case_dispatch(by=PORTAL, case=case, lead_unit=cast.units.t1_station)
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED


def test_the_portal_reads_no_case_and_no_care_file(cast: Cast) -> None:
    case = case_in(cast, Status.ACCEPTED)
    assert not can(PORTAL, Action.VIEW_CASE, case)
    assert not selectors.visible_cases(PORTAL).exists()
    assert Case.objects.exists()
    with pytest.raises(PermissionDenied):
        require(PORTAL, Action.VIEW_CARE, cast.places.v1)
    assert not can(PORTAL_RATING, Action.VIEW_CARE, cast.places.v1)


def test_the_rating_actor_may_visit_a_closed_case_but_not_register_or_triage(
    cast: Cast,
) -> None:
    case = case_in(cast, Status.CLOSED)
    assert selectors.allowed_forms(PORTAL_RATING, case) == ["visit"]
    with pytest.raises(PermissionDenied):
        services.case_register(by=PORTAL_RATING, new=new_case(region=cast.places.g1))
    other = services.case_register(by=SYSTEM, new=new_case(region=cast.places.g1))
    with pytest.raises(PermissionDenied):  # relating cases is the centre's (any status)
        services.case_relate(by=PORTAL_RATING, case=case, other=other)
    services.case_visit(by=PORTAL_RATING, case=case, satisfaction=Case.Satisfaction.SATISFIED)
    case.refresh_from_db()
    assert case.status == Status.VISITED


def test_a_public_actor_is_confined_to_its_region(cast: Cast) -> None:
    registering = frozenset({Action.REGISTER_CASE})
    township = PublicActor("某乡镇网上受理", registering, cast.places.t1.prefix)
    assert can(township, Action.REGISTER_CASE, Target(region_prefix=cast.places.g1.prefix))
    assert not can(township, Action.REGISTER_CASE, Target(region_prefix=cast.places.g2.prefix))


def test_a_public_actor_cannot_be_given_a_units_work() -> None:
    with pytest.raises(ValueError):
        PublicActor("x", frozenset({Action.HANDLE_CASE}))


def test_the_portal_reads_no_care_file_even_one_kept_by_people_without_an_account(
    cast: Cast,
) -> None:
    # A member without an account has no user; an actor without a person must not match.
    team = [
        Member(duty="lead", user=cast.by_role[Role.CARE_WORKER]),
        Member(duty="family", name="赵玉兰", phone="13698765432"),
    ]
    file = care_services.care_file_register(by=SYSTEM, new=new_file(cast.places.v1, team=team))
    for actor in (PORTAL, PORTAL_RATING):
        assert not access.readable_files(actor).exists()
        assert not access.may_read(actor, file)
        assert not access.is_team_member(actor, file)
    assert access.may_read(SYSTEM, file)
