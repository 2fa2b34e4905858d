"""The case page offers a step exactly when the service takes it: for every step, in a
range of case states, for a range of people, the form is on the page if and only if
sending it (with valid input) is accepted. Both ask `rules.refusal`; this shows nothing
else in a service refuses a step the page offered, or takes one the page hid."""

from collections.abc import Callable
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from zongzhi.accounts.models import RoleAssignment, User
from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.cases import rules, selectors, services
from zongzhi.cases.models import Assignment, Case, ClockPause, Party, SupervisionOrder
from zongzhi.cases.rules import Status, Step
from zongzhi.cases.tests.factories import case_in, photo, registered
from zongzhi.conftest import Cast, make_user
from zongzhi.core.errors import Refused
from zongzhi.units.models import Unit
from zongzhi.units.services import unit_create


class _Taken(Exception):
    """Raised after a step succeeded, to roll it back: each attempt starts from the state."""


def _accepted(call: Callable[[], object]) -> bool:
    try:
        with transaction.atomic():
            call()
            raise _Taken
    except _Taken:
        return True
    except (Refused, PermissionDenied):
        return False


class World:
    """The cast, a second county department, and the people who would act."""

    def __init__(self, cast: Cast) -> None:
        self.cast = cast
        self.county_works = unit_create(
            by=SYSTEM, name="华宁县住建局", kind=Unit.Kind.HOUSING, region=cast.places.county
        )
        superuser = make_user("root", Role.INTAKE_OFFICER, region=cast.places.t1)
        superuser.is_superuser = True
        superuser.save()
        superuser.role_assignments.all().delete()
        # A handler at the police station who also mediates for the village committee.
        two_hats = make_user("two_hats", Role.UNIT_HANDLER, unit=cast.units.t1_station)
        RoleAssignment.objects.create(
            user=two_hats, role=Role.MEDIATOR, unit=cast.units.v1_committee
        )
        self.actors: dict[str, User] = {
            "intake": cast.by_role[Role.INTAKE_OFFICER],
            "handler": cast.by_role[Role.UNIT_HANDLER],
            "mediator": cast.by_role[Role.MEDIATOR],
            "leader": cast.by_role[Role.LEADER],
            "outsider": cast.outsider,
            "county intake": make_user(
                "county_intake", Role.INTAKE_OFFICER, region=cast.places.county
            ),
            "county bureau": make_user(
                "county_bureau", Role.UNIT_HANDLER, unit=cast.units.county_bureau
            ),
            "two hats": two_hats,
            "superuser": superuser,
        }

    @property
    def intake(self) -> User:
        return self.actors["intake"]

    @property
    def handler(self) -> User:
        return self.actors["handler"]

    @property
    def leader(self) -> User:
        return self.actors["leader"]


def _petition(world: World) -> Case:
    case = case_in(world.cast, Status.IN_PROGRESS, channel=Case.Channel.PETITION)
    services.case_request_extension(by=world.handler, case=case, days=10, reason="需要鉴定")
    services.case_grant_extension(
        by=world.leader, case=case, note="同意", applicant_told_by="电话告知"
    )
    return case


def _summoned(world: World) -> Case:
    case = case_in(world.cast, Status.IN_PROGRESS)
    services.case_whistle(
        by=world.intake, case=case, units=[world.cast.units.county_bureau], reason="需协调"
    )
    services.case_supervise(by=world.leader, case=case, text="请加快办理")
    return case


def _with_co_unit(world: World) -> Case:
    case = case_in(world.cast, Status.ACCEPTED)
    units = world.cast.units
    services.case_dispatch(
        by=world.intake, case=case, lead_unit=units.t1_station, co_units=[units.v1_committee]
    )
    services.case_start(by=world.handler, case=case)
    return case


def _led_by_committee(world: World) -> Case:
    case = case_in(world.cast, Status.ACCEPTED)
    services.case_dispatch(by=world.intake, case=case, lead_unit=world.cast.units.v1_committee)
    services.case_start(by=world.actors["mediator"], case=case)
    return case


def _at_county(world: World) -> Case:
    case = case_in(world.cast, Status.IN_PROGRESS)
    services.case_escalate(by=world.intake, case=case, reason="涉及多个乡镇")
    return case


def _with_order_before_dispatch(world: World) -> Case:
    case = case_in(world.cast, Status.ACCEPTED)
    services.case_supervise(by=world.leader, case=case, text="请尽快派单")
    return case


def _paused(world: World) -> Case:
    case = case_in(world.cast, Status.IN_PROGRESS)
    until = timezone.localdate() + timedelta(days=10)
    services.case_pause(
        by=world.handler, case=case, reason=ClockPause.Reason.APPRAISAL, until=until
    )
    return case


def _asking_for_time(world: World) -> Case:
    case = case_in(world.cast, Status.IN_PROGRESS)
    services.case_request_extension(by=world.handler, case=case, days=5, reason="等待鉴定")
    return case


STATES: dict[str, Callable[[World], Case]] = {
    "registered": lambda w: case_in(w.cast, Status.REGISTERED),
    "accepted, with an order": _with_order_before_dispatch,
    "dispatched": lambda w: case_in(w.cast, Status.DISPATCHED),
    "in progress": lambda w: case_in(w.cast, Status.IN_PROGRESS),
    "in progress, with a co-unit": _with_co_unit,
    "in progress, led by a committee": _led_by_committee,
    "paused": _paused,
    "asking for more time": _asking_for_time,
    "a petition extended once": _petition,
    "summoned and supervised": _summoned,
    "escalated to the county": _at_county,
    "closed": lambda w: case_in(w.cast, Status.CLOSED),
    "visited": lambda w: case_in(w.cast, Status.VISITED),
    "rejected": lambda w: case_in(w.cast, Status.REJECTED),
    "merged": lambda w: case_in(w.cast, Status.MERGED),
}


Call = Callable[[Case], object]


def _calls(world: World, case: Case, by: User, other: Case) -> dict[Step, Call]:
    """Each manual step as its service, with input the service finds valid for `case`
    (each call is given a fresh copy of it: a service updates the case it is given)."""
    units = world.cast.units
    today = timezone.localdate()
    on_case = set(Assignment.objects.filter(case=case).values_list("unit_id", flat=True))
    to_summon = next(u for u in (units.county_bureau, world.county_works) if u.pk not in on_case)
    new_lead = units.v1_committee if case.lead_unit_id == units.t1_station.pk else units.t1_station
    orders = SupervisionOrder.objects.filter(case=case).order_by("answered_at", "pk")
    order = orders.first() or SupervisionOrder(case=case)

    def answer_supervision(case: Case) -> object:
        return services.case_answer_supervision(by=by, case=case, order=order, answer="已加快办理")

    def add_party(case: Case) -> object:
        details = services.PartyDetails(role=Party.Role.OTHER, name="王五")
        return services.case_add_party(by=by, case=case, details=details)

    calls: dict[Step, Call] = {
        Step.ACCEPT: lambda case: services.case_accept(by=by, case=case),
        Step.REJECT: lambda case: services.case_reject(
            by=by, case=case, reason="不属于受理范围", notice="当面告知"
        ),
        Step.DISPATCH: lambda case: services.case_dispatch(
            by=by, case=case, lead_unit=units.t1_station
        ),
        Step.START: lambda case: services.case_start(by=by, case=case),
        Step.RETURN: lambda case: services.case_return(by=by, case=case, reason="不属本单位职责"),
        Step.TRANSFER: lambda case: services.case_transfer(
            by=by, case=case, lead_unit=new_lead, note="转调委会"
        ),
        Step.ESCALATE: lambda case: services.case_escalate(by=by, case=case, reason="涉及多个乡镇"),
        Step.WHISTLE: lambda case: services.case_whistle(
            by=by, case=case, units=[to_summon], reason="需协调"
        ),
        Step.ANSWER_WHISTLE: lambda case: services.case_answer_whistle(
            by=by, case=case, answer="已到场"
        ),
        Step.SUPERVISE: lambda case: services.case_supervise(by=by, case=case, text="请加快办理"),
        Step.ANSWER_SUPERVISION: answer_supervision,
        Step.ANSWER_SUPERVISION_AT_CENTRE: answer_supervision,
        Step.REQUEST_EXTENSION: lambda case: services.case_request_extension(
            by=by, case=case, days=5, reason="等待鉴定"
        ),
        Step.GRANT_EXTENSION: lambda case: services.case_grant_extension(
            by=by, case=case, note="同意", applicant_told_by="电话告知"
        ),
        Step.REFUSE_EXTENSION: lambda case: services.case_refuse_extension(
            by=by, case=case, note="理由不充分"
        ),
        Step.PAUSE: lambda case: services.case_pause(
            by=by,
            case=case,
            reason=ClockPause.Reason.HEARING,
            until=today + timedelta(days=7),
        ),
        Step.RESUME: lambda case: services.case_resume(by=by, case=case),
        Step.PROGRESS: lambda case: services.case_record_progress(by=by, case=case, note="已走访"),
        Step.MEDIATE: lambda case: services.case_record_session(
            by=by,
            case=case,
            held_on=today,
            place="社区调解室",
            mediators="王调解员",
            parties_present="张三、李四",
            record="双方陈述意见",
        ),
        Step.AGREE: lambda case: services.case_make_agreement(
            by=by,
            case=case,
            facts="占道堆放杂物",
            terms="三日内清理",
            performance="自行清理",
            mediators="王调解员",
            made_on=today,
        ),
        Step.CLOSE: lambda case: services.case_close(
            by=by, case=case, outcome=Case.Outcome.MEDIATED, note="杂物已清理"
        ),
        Step.VISIT_SATISFIED: lambda case: services.case_visit(
            by=by, case=case, satisfaction=Case.Satisfaction.SATISFIED
        ),
        Step.VISIT_UNSATISFIED: lambda case: services.case_visit(
            by=by, case=case, satisfaction=Case.Satisfaction.UNSATISFIED, note="杂物仍在"
        ),
        Step.ARCHIVE: lambda case: services.case_archive(by=by, case=case),
        Step.MERGE: lambda case: services.case_merge(by=by, case=case, into=other),
        Step.RELATE: lambda case: services.case_relate(by=by, case=case, other=other),
        Step.ATTACH: lambda case: services.case_attach(by=by, case=case, uploads=[photo()]),
        # The centre's title, the unit's description: each taken by the hand that may.
        Step.CORRECT: lambda case: services.case_correct(
            by=by, case=case, changes={"title": "邻居占用通道堆放杂物"}
        ),
        Step.CORRECT_FACTS: lambda case: services.case_correct(
            by=by, case=case, changes={"description": "经核实，杂物为装修垃圾。"}
        ),
        Step.CHANGE_PARTIES: add_party,
        Step.CHANGE_PARTIES_AT_UNIT: add_party,
    }
    assert set(calls) == set(rules.MANUAL_STEPS)
    return calls


ACTORS = [
    "intake",
    "handler",
    "mediator",
    "leader",
    "outsider",
    "county intake",
    "county bureau",
    "two hats",
    "superuser",
]


# Each example tries every manual step as one person in one state (about 25 services); the
# Hypothesis profile says how many of the 15 x 9 pairs a run covers (conftest).
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=st.sampled_from(list(STATES)), name=st.sampled_from(ACTORS))
# Where the page and the services once disagreed, tried on every run.
@example(state="a petition extended once", name="handler")
@example(state="summoned and supervised", name="superuser")
@example(state="in progress, with a co-unit", name="two hats")
@example(state="in progress, led by a committee", name="two hats")
def test_the_page_offers_a_step_exactly_when_the_service_takes_it(
    cast: Cast, state: str, name: str
) -> None:
    with transaction.atomic():
        world = World(cast)
        assert list(world.actors) == ACTORS
        code = STATES[state](world).code
        other = registered(cast)  # for 合并 and 关联
        user = world.actors[name]
        page_case = selectors.case_for_page(code)
        assert page_case is not None
        offered = set(selectors.allowed_forms(user, page_case))
        calls = _calls(world, page_case, user, other)
        taken: set[str] = set()
        for step in rules.MANUAL_STEPS:
            fresh = Case.objects.get(code=code)
            if _accepted(lambda: calls[step](fresh)):  # noqa: B023 (called at once)
                taken.add(selectors.FORM_OF_STEP[step])
        transaction.set_rollback(True)
    assert offered == taken, (
        f"{state}, {name}: offered, not taken {sorted(offered - taken)};"
        f" taken, not offered {sorted(taken - offered)}"
    )


def test_the_states_cover_every_manual_step(cast: Cast) -> None:
    """Some person, in some state above, may take each manual step: the table is not
    agreeing only because everything is refused."""
    world = World(cast)
    taken: set[str] = set()
    for build in STATES.values():
        case = build(world)
        page_case = selectors.case_for_page(case.code)
        assert page_case is not None
        for user in world.actors.values():
            taken.update(selectors.allowed_forms(user, page_case))
    assert taken == set(selectors.FORM_OF_STEP.values())
