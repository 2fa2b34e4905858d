"""A case's life through the services, step by step, and the steps that are refused."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zongzhi.accounts.rules import Role
from zongzhi.cases import services
from zongzhi.cases.models import Case, CaseEvent
from zongzhi.cases.rules import Status, Step
from zongzhi.cases.tests.factories import case_in, new_case, registered
from zongzhi.conftest import Cast
from zongzhi.core.errors import Refused


@pytest.mark.parametrize("status", list(Status))
def test_a_case_reaches_every_status_and_its_timeline_records_each_step(
    cast: Cast, status: Status
) -> None:
    case = case_in(cast, status)
    case.refresh_from_db()
    assert case.status == status
    events = list(case.events.order_by("at", "pk"))
    assert events[0].step == Step.REGISTER
    # Each entry starts where the previous one ended.
    for before, after in itertools.pairwise(events):
        assert after.from_status == before.to_status
    assert events[-1].to_status == status


def test_registering_sets_the_centre_and_the_acceptance_deadline(cast: Cast) -> None:
    case = registered(cast)
    assert case.centre == cast.places.t1
    assert case.region_prefix == cast.places.g1.prefix
    assert case.due_on is not None
    assert case.policy is not None and case.policy.name == "一般事项"
    assert case.parties.count() == 2
    assert len(case.code) == 13


def test_a_retried_submission_with_the_same_key_creates_one_case(cast: Cast) -> None:
    first = registered(cast)
    again, created = services.case_register_idempotent(
        by=cast.by_role[Role.INTAKE_OFFICER],
        new=services.NewCase(
            channel=first.channel,
            category=first.category,
            title="x",
            description="y",
            region=cast.places.g1,
            parties=[services.NewParty(role="applicant", name="张三")],
        ),
        idempotency_key="k-1",
    )
    retry, created_again = services.case_register_idempotent(
        by=cast.by_role[Role.INTAKE_OFFICER],
        new=services.NewCase(
            channel=first.channel,
            category=first.category,
            title="x",
            description="y",
            region=cast.places.g1,
            parties=[services.NewParty(role="applicant", name="张三")],
        ),
        idempotency_key="k-1",
    )
    assert retry.pk == again.pk
    assert created and not created_again
    assert Case.objects.count() == 2


def test_a_system_that_may_not_read_cases_gets_its_own_retry_back_and_no_one_elses(
    cast: Cast,
) -> None:
    hotline = cast.by_role[Role.CLIENT_SYSTEM]  # registers cases, reads none
    own, _created = services.case_register_idempotent(
        by=hotline, new=new_case(region=cast.places.g1), idempotency_key="hl-1"
    )
    again, created = services.case_register_idempotent(
        by=hotline, new=new_case(region=cast.places.g1), idempotency_key="hl-1"
    )
    assert again.pk == own.pk and not created and Case.objects.count() == 1
    services.case_register_idempotent(
        by=cast.by_role[Role.INTAKE_OFFICER],
        new=new_case(region=cast.places.g1),
        idempotency_key="officer-1",
    )
    with pytest.raises(PermissionDenied):
        services.case_register_idempotent(
            by=hotline, new=new_case(region=cast.places.g1), idempotency_key="officer-1"
        )
    assert Case.objects.count() == 2


def test_a_case_without_a_party_is_refused_and_nothing_is_written(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        registered(cast, parties=[])
    assert "parties" in refused.value.message_dict
    assert Case.objects.count() == 0
    assert CaseEvent.objects.count() == 0


def test_an_illegal_step_is_refused_with_the_status_in_words_and_changes_nothing(
    cast: Cast,
) -> None:
    case = case_in(cast, Status.REGISTERED)
    with pytest.raises(Refused, match="待受理"):
        services.case_close(
            by=cast.by_role[Role.UNIT_HANDLER], case=case, outcome="mediated", note="x"
        )
    case.refresh_from_db()
    assert case.status == Status.REGISTERED
    assert case.events.count() == 1


def test_only_the_lead_unit_closes_a_case(cast: Cast) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    # The v1 committee helps (协办) but does not lead.
    services.case_transfer(
        by=cast.by_role[Role.INTAKE_OFFICER],
        case=case,
        lead_unit=cast.units.v1_committee,
        note="改由调委会主办",
    )
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    with pytest.raises(PermissionDenied):
        services.case_start(by=cast.by_role[Role.UNIT_HANDLER], case=case)
    services.case_start(by=cast.by_role[Role.MEDIATOR], case=case)


def test_a_leader_at_the_township_cannot_do_the_units_work(cast: Cast) -> None:
    case = case_in(cast, Status.DISPATCHED)
    with pytest.raises(PermissionDenied):
        services.case_start(by=cast.by_role[Role.LEADER], case=case)


def test_someone_outside_the_township_cannot_accept_its_case(cast: Cast) -> None:
    case = case_in(cast, Status.REGISTERED)
    with pytest.raises(PermissionDenied):
        services.case_accept(by=cast.outsider, case=case)
    case.refresh_from_db()
    assert case.status == Status.REGISTERED


def test_a_returned_case_goes_back_to_the_centre_without_a_unit(cast: Cast) -> None:
    case = case_in(cast, Status.DISPATCHED)
    services.case_return(by=cast.by_role[Role.UNIT_HANDLER], case=case, reason="不属于公安管辖")
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert case.lead_unit is None
    assert not case.assignments.exists()
    event = case.events.last()
    assert event is not None and event.step == Step.RETURN and event.note == "不属于公安管辖"


def test_escalating_hands_the_case_to_the_county_centre(cast: Cast) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    intake = cast.by_role[Role.INTAKE_OFFICER]
    services.case_escalate(by=intake, case=case, reason="涉及县级部门职能")
    case.refresh_from_db()
    assert case.centre == cast.places.county
    assert case.status == Status.ACCEPTED
    # The township's intake officer no longer dispatches it; the county's does.
    with pytest.raises(PermissionDenied):
        services.case_dispatch(by=intake, case=case, lead_unit=cast.units.t1_station)


def test_an_unsatisfied_return_visit_reopens_the_case_with_a_new_deadline(cast: Cast) -> None:
    case = case_in(cast, Status.CLOSED)
    services.case_visit(
        by=cast.by_role[Role.INTAKE_OFFICER],
        case=case,
        satisfaction=Case.Satisfaction.UNSATISFIED,
        note="杂物又堆回来了",
    )
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.due_on is not None
    assert case.lead_unit == cast.units.t1_station


def test_the_timeline_cannot_be_rewritten(cast: Cast) -> None:
    case = case_in(cast, Status.ACCEPTED)
    event = case.events.first()
    assert event is not None
    event.note = "改过"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(case=case).update(note="x")
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(case=case).delete()
