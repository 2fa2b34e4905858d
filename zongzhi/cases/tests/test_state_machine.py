"""The state machine: first the transition table on its own, then random sequences of steps
taken by random people through the real services, against the database."""

import itertools
from collections import deque
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from zongzhi.accounts.rules import Role
from zongzhi.cases import services
from zongzhi.cases.models import Case, CaseEvent, SupervisionOrder
from zongzhi.cases.rules import (
    IMPORTED_STATUSES,
    STEPS,
    Status,
    Step,
    check_step,
    status_after,
)
from zongzhi.cases.tests.factories import case_in, registered
from zongzhi.conftest import Cast, make_user
from zongzhi.core.errors import Refused

TERMINAL = {Status.ARCHIVED, Status.MERGED}


def allowed_from(status: Status) -> set[Step]:
    allowed = set()
    for step in Step:
        try:
            check_step(step, status)
        except Refused:
            continue
        allowed.add(step)
    return allowed


# --- The table on its own --------------------------------------------------------------


@pytest.mark.parametrize("step", list(Step))
@pytest.mark.parametrize("status", [None, *Status])
def test_every_step_from_every_status_is_refused_or_leads_to_a_known_status(
    step: Step, status: Status | None
) -> None:
    try:
        transition = check_step(step, status)
    except Refused as refused:
        # The refusal says why in words, never a bare code.
        assert str(refused)
        assert "Status." not in str(refused)
        return
    if status is None and transition.target is None:
        # 历史导入: the case comes in as its ledger row stood.
        assert step == Step.IMPORT
        assert set(Status) > IMPORTED_STATUSES
        return
    after = status_after(step, status)
    assert isinstance(after, Status)
    assert after in set(Status)
    if transition.target is None:
        assert after == status


def test_only_registering_and_importing_start_from_nothing() -> None:
    startable = set()
    for step in Step:
        try:
            check_step(step, None)
        except Refused:
            continue
        startable.add(step)
    assert startable == {Step.REGISTER, Step.IMPORT}
    assert status_after(Step.REGISTER, None) == Status.REGISTERED
    # An imported case starts where its ledger row stood, never merged or half-way.
    assert {Status.REGISTERED, Status.CLOSED, Status.VISITED, Status.ARCHIVED} == (
        IMPORTED_STATUSES
    )


def test_every_status_can_be_reached_from_registering() -> None:
    reached = {status_after(Step.REGISTER, None)}
    todo = deque(reached)
    while todo:
        status = todo.popleft()
        for step in allowed_from(status):
            after = status_after(step, status)
            if after not in reached:
                reached.add(after)
                todo.append(after)
    assert reached == set(Status)


def test_from_every_status_that_is_not_terminal_a_case_can_still_end() -> None:
    # No dead ends: every case that is not archived or merged can get to one of them.
    for start in set(Status) - TERMINAL:
        reached = {start}
        todo = deque(reached)
        while todo:
            status = todo.popleft()
            for step in allowed_from(status):
                after = status_after(step, status)
                if after not in reached:
                    reached.add(after)
                    todo.append(after)
        assert reached & TERMINAL, f"{start} can never be archived or merged"


def test_an_archived_case_can_only_be_related_to_others_and_never_changes_status() -> None:
    assert allowed_from(Status.ARCHIVED) == {Step.RELATE}
    assert status_after(Step.RELATE, Status.ARCHIVED) == Status.ARCHIVED


def test_a_merged_case_takes_no_step_at_all() -> None:
    assert allowed_from(Status.MERGED) == set()


def test_a_case_is_worked_on_only_while_a_unit_has_it() -> None:
    # Mediation, progress notes, pauses and closing need a unit that signed for the case.
    for step in (Step.PROGRESS, Step.MEDIATE, Step.AGREE, Step.PAUSE, Step.RESUME, Step.CLOSE):
        assert allowed_from(Status.IN_PROGRESS) >= {step}
        assert STEPS[step].sources == {Status.IN_PROGRESS}


# --- Random sequences through the services ---------------------------------------------

REFUSALS = (Refused, PermissionDenied, ValidationError)

# What each attempt may be, and the step it tries (to bias the draw towards the steps
# the case's status allows, so that sequences get deep enough to be interesting).
ATTEMPTS: dict[str, Step] = {
    "accept": Step.ACCEPT,
    "reject": Step.REJECT,
    "dispatch": Step.DISPATCH,
    "start": Step.START,
    "return": Step.RETURN,
    "transfer": Step.TRANSFER,
    "escalate": Step.ESCALATE,
    "whistle": Step.WHISTLE,
    "answer_whistle": Step.ANSWER_WHISTLE,
    "supervise": Step.SUPERVISE,
    "answer_supervision": Step.ANSWER_SUPERVISION,
    "request_extension": Step.REQUEST_EXTENSION,
    "grant_extension": Step.GRANT_EXTENSION,
    "refuse_extension": Step.REFUSE_EXTENSION,
    "pause": Step.PAUSE,
    "resume": Step.RESUME,
    "progress": Step.PROGRESS,
    "mediate": Step.MEDIATE,
    "agree": Step.AGREE,
    "close": Step.CLOSE,
    "visit_satisfied": Step.VISIT_SATISFIED,
    "visit_unsatisfied": Step.VISIT_UNSATISFIED,
    "archive": Step.ARCHIVE,
    "merge": Step.MERGE,
    "relate": Step.RELATE,
}
# The steps that move a case on along its usual path.
FORWARD = {
    Status.REGISTERED: ["accept"],
    Status.ACCEPTED: ["dispatch"],
    Status.DISPATCHED: ["start"],
    Status.IN_PROGRESS: ["close", "mediate", "pause", "resume", "request_extension"],
    Status.CLOSED: ["visit_satisfied", "visit_unsatisfied"],
    Status.VISITED: ["archive"],
    Status.REJECTED: ["archive"],
}
TRIAGE = {
    "accept",
    "reject",
    "dispatch",
    "transfer",
    "escalate",
    "whistle",
    "visit_satisfied",
    "visit_unsatisfied",
    "archive",
    "merge",
    "relate",
}
SUPERVISION = {"supervise", "grant_extension", "refuse_extension"}
# Mostly a proper text; sometimes an empty one, which the services must refuse.
TEXT = st.sampled_from(["依法处理，已告知当事人"] * 3 + ["", "  "])


class People:
    """The cast, and the few more people a case meets once it leaves the township."""

    def __init__(self, cast: Cast) -> None:
        self.cast = cast
        self.county_intake = make_user(
            "county_intake", Role.INTAKE_OFFICER, region=cast.places.county
        )
        self.county_handler = make_user(
            "county_hr", Role.UNIT_HANDLER, unit=cast.units.county_bureau
        )
        self.t2_handler = make_user("t2_police", Role.UNIT_HANDLER, unit=cast.units.t2_station)
        roles = cast.by_role
        self.by_name: dict[str, Any] = {
            "intake": roles[Role.INTAKE_OFFICER],
            "grid_worker": roles[Role.GRID_WORKER],
            "mediator": roles[Role.MEDIATOR],
            "handler": roles[Role.UNIT_HANDLER],
            "leader": roles[Role.LEADER],
            "care_worker": roles[Role.CARE_WORKER],
            "administrator": roles[Role.ADMINISTRATOR],
            "outsider": cast.outsider,
            "county_intake": self.county_intake,
            "county_handler": self.county_handler,
            "t2_handler": self.t2_handler,
        }
        units = cast.units
        self.handler_of = {
            units.t1_station.pk: roles[Role.UNIT_HANDLER],
            units.v1_committee.pk: roles[Role.MEDIATOR],
            units.county_bureau.pk: self.county_handler,
            units.t2_station.pk: self.t2_handler,
        }
        self.units = [
            units.t1_station,
            units.v1_committee,
            units.county_bureau,
            units.t2_station,
            units.v2_committee,
        ]

    def fitting(self, attempt: str, case: Case) -> Any:
        """Whoever would normally take this step on this case."""
        if attempt in TRIAGE:
            return self.by_name[
                "intake" if case.centre_id == self.cast.places.t1.pk else "county_intake"
            ]
        if attempt in SUPERVISION:
            return self.by_name["leader"]
        if attempt == "answer_whistle":
            return self.county_handler
        if attempt in {"mediate", "agree"} and case.lead_unit_id is None:
            return self.by_name["mediator"]
        return self.handler_of.get(case.lead_unit_id or 0, self.by_name["handler"])


# Roles that give no say over a case's life, and people working outside its township.
NEVER_SUCCEED = {"outsider", "care_worker", "grid_worker", "administrator"}


# Read straight from the tables: taken twice for every attempt, it must be cheap.
SNAPSHOT_SQL = f"""
    SELECT c.id, c.status, c.due_on, c.lead_unit_id, c.paused_since, c.centre_id,
           c.merged_into_id,
           (SELECT COUNT(*) FROM {CaseEvent._meta.db_table} e WHERE e.case_id = c.id)
    FROM {Case._meta.db_table} c WHERE c.id IN (%s, %s) ORDER BY c.id
"""  # noqa: S608  (table names from the models, values as parameters)


def snapshot(cases: list[Case]) -> list[tuple[Any, ...]]:
    """What a refused attempt must leave as it was, for each case: status, due date, lead
    unit, pause, centre, merge, and the number of timeline entries."""
    with connection.cursor() as cursor:
        cursor.execute(SNAPSHOT_SQL, [c.pk for c in cases])
        return cursor.fetchall()


class _Skipped(Exception):
    """Nothing to try: the attempt needs something the cases do not have yet."""


class CaseLife(RuleBasedStateMachine):
    people: People

    def __init__(self) -> None:
        super().__init__()
        # Fresh cases for every example: the database is not rolled back between them.
        cast = self.people.cast
        self.cases = [
            registered(cast),
            registered(
                cast,
                title="同一通道堆物的重复反映",
                parties=[
                    services.NewParty(role="applicant", name="王五", phone="13800000003"),
                    services.NewParty(role="respondent", name="李四", phone="13800000002"),
                ],
            ),
        ]
        # Timeline entries each case should have: its registration, then one per step
        # taken (a merge writes one on each of the two cases).
        self.expected_events = [1, 1]

    def _prepare(self, attempt: str, which: int, data: st.DataObject) -> Callable[[Any], Any]:
        """Draw what the attempt needs; give back the call, to be made by someone."""
        case = Case.objects.get(pk=self.cases[which].pk)
        other = Case.objects.get(pk=self.cases[1 - which].pk)
        today = timezone.localdate()
        s = services
        draw = data.draw
        units = st.sampled_from(self.people.units)
        match attempt:
            case "accept":
                return lambda by: s.case_accept(by=by, case=case)
            case "reject":
                reason, notice = draw(TEXT), draw(TEXT)
                return lambda by: s.case_reject(by=by, case=case, reason=reason, notice=notice)
            case "dispatch":
                lead = draw(units, label="lead")
                co = draw(st.lists(units, max_size=2), label="co")
                return lambda by: s.case_dispatch(by=by, case=case, lead_unit=lead, co_units=co)
            case "start":
                return lambda by: s.case_start(by=by, case=case)
            case "return":
                reason = draw(TEXT)
                return lambda by: s.case_return(by=by, case=case, reason=reason)
            case "transfer":
                lead, note = draw(units, label="lead"), draw(TEXT)
                return lambda by: s.case_transfer(by=by, case=case, lead_unit=lead, note=note)
            case "escalate":
                reason = draw(TEXT)
                return lambda by: s.case_escalate(by=by, case=case, reason=reason)
            case "whistle":
                summoned = draw(st.lists(units, max_size=2), label="summoned")
                reason = draw(TEXT)
                return lambda by: s.case_whistle(by=by, case=case, units=summoned, reason=reason)
            case "answer_whistle":
                answer = draw(TEXT)
                return lambda by: s.case_answer_whistle(by=by, case=case, answer=answer)
            case "supervise":
                text = draw(TEXT)
                return lambda by: s.case_supervise(by=by, case=case, text=text)
            case "answer_supervision":
                # Usually an order of this case; sometimes one of the other case's.
                orders = list(SupervisionOrder.objects.filter(case=case)) + list(
                    SupervisionOrder.objects.filter(case=other)
                )
                if not orders:
                    raise _Skipped
                order, answer = draw(st.sampled_from(orders), label="order"), draw(TEXT)
                return lambda by: s.case_answer_supervision(
                    by=by, case=case, order=order, answer=answer
                )
            case "request_extension":
                days = draw(st.sampled_from([10, 30, 31, 0]), label="days")
                reason = draw(TEXT)
                return lambda by: s.case_request_extension(
                    by=by, case=case, days=days, reason=reason
                )
            case "grant_extension":
                told = draw(st.sampled_from(["电话告知", ""]), label="applicant told by")
                return lambda by: s.case_grant_extension(by=by, case=case, applicant_told_by=told)
            case "refuse_extension":
                note = draw(TEXT)
                return lambda by: s.case_refuse_extension(by=by, case=case, note=note)
            case "pause":
                until = today + timedelta(days=draw(st.sampled_from([3, 15, 0, -1]), label="until"))
                reason = draw(st.sampled_from(["hearing", "appraisal", "nonsense"]))
                return lambda by: s.case_pause(by=by, case=case, reason=reason, until=until)
            case "resume":
                return lambda by: s.case_resume(by=by, case=case)
            case "progress":
                note = draw(TEXT)
                return lambda by: s.case_record_progress(by=by, case=case, note=note)
            case "mediate":
                held_on = today + timedelta(days=draw(st.sampled_from([0, -2, 1]), label="held"))
                present = draw(TEXT)
                return lambda by: s.case_record_session(
                    by=by,
                    case=case,
                    held_on=held_on,
                    place="右所社区调解室",
                    mediators="赵调解",
                    parties_present=present,
                    record="双方陈述意见",
                )
            case "agree":
                terms = draw(TEXT)
                return lambda by: s.case_make_agreement(
                    by=by,
                    case=case,
                    facts="通道堆物引发纠纷",
                    terms=terms,
                    performance="三日内清理",
                    mediators="赵调解",
                    made_on=today,
                )
            case "close":
                outcome = draw(st.sampled_from([*Case.Outcome.values, "bogus"]), label="outcome")
                note = draw(TEXT)
                return lambda by: s.case_close(by=by, case=case, outcome=outcome, note=note)
            case "visit_satisfied":
                satisfaction = draw(st.sampled_from(["satisfied", "basically", "bogus"]))
                return lambda by: s.case_visit(by=by, case=case, satisfaction=satisfaction)
            case "visit_unsatisfied":
                note = draw(TEXT)
                return lambda by: s.case_visit(
                    by=by, case=case, satisfaction="unsatisfied", note=note
                )
            case "archive":
                return lambda by: s.case_archive(by=by, case=case)
            case "merge":
                into = case if draw(st.booleans(), label="into itself") else other
                return lambda by: s.case_merge(by=by, case=case, into=into)
            case "relate":
                to = case if draw(st.booleans(), label="to itself") else other
                return lambda by: s.case_relate(by=by, case=case, other=to)
        raise AssertionError(attempt)

    def _refused(self, act: Callable[[Any], Any], by: Any) -> bool:
        """Make the attempt; True when it was refused, which must leave both cases as
        they were."""
        before = snapshot(self.cases)
        try:
            act(by)
        except REFUSALS:
            assert snapshot(self.cases) == before
            return True
        return False

    @rule(data=st.data())
    def attempt_a_step(self, data: st.DataObject) -> None:
        which = data.draw(st.sampled_from([0, 1]), label="case")
        case = Case.objects.get(pk=self.cases[which].pk)
        # Mostly the step that moves the case on, or another its status allows (merging
        # and rejecting end a case's story early, and relating is allowed almost always,
        # so these come only from the last kind); sometimes anything at all.
        plausible = sorted(
            a
            for a, step in ATTEMPTS.items()
            if case.status in STEPS[step].sources and a not in {"merge", "reject", "relate"}
        )
        how = data.draw(st.sampled_from(["forward", "forward", "plausible", "anything"]))
        if how == "forward" and case.status in FORWARD:
            attempt = data.draw(st.sampled_from(FORWARD[Status(case.status)]), label="attempt")
        elif how != "anything" and plausible:
            attempt = data.draw(st.sampled_from(plausible), label="attempt")
        else:
            attempt = data.draw(st.sampled_from(sorted(ATTEMPTS)), label="attempt")
        try:
            act = self._prepare(attempt, which, data)
        except _Skipped:
            return

        # First someone with no say over the case makes the very same attempt: refused.
        intruder = data.draw(st.sampled_from(sorted(NEVER_SUCCEED)), label="intruder")
        assert self._refused(act, self.people.by_name[intruder]), f"{intruder}: {attempt}"

        # Then, mostly, whoever would normally do it; else anyone at all.
        anyone = sorted(self.people.by_name)
        who = data.draw(st.sampled_from(["fitting"] * len(anyone) + anyone), label="who")
        actor = self.people.fitting(attempt, case) if who == "fitting" else self.people.by_name[who]
        if self._refused(act, actor):
            return
        assert who not in NEVER_SUCCEED, f"{who} managed to {attempt}"
        self.expected_events[which] += 1
        if attempt == "merge":
            self.expected_events[1 - which] += 1

    @invariant()
    def every_case_is_in_a_known_status_and_its_timeline_tells_its_story(self) -> None:
        for case, expected in zip(self.cases, self.expected_events, strict=True):
            fresh = Case.objects.get(pk=case.pk)
            assert fresh.status in set(Status)
            events = list(CaseEvent.objects.filter(case=fresh).order_by("at", "pk"))
            assert len(events) == expected
            assert events[0].step == Step.REGISTER
            assert events[0].from_status == ""
            for earlier, later in itertools.pairwise(events):
                assert later.from_status == earlier.to_status
            assert events[-1].to_status == fresh.status
            # A case that waits for a unit, or is being handled, has a lead unit.
            if fresh.status in {Status.DISPATCHED, Status.IN_PROGRESS}:
                assert fresh.lead_unit_id is not None
            # Nothing is owed on a case that is closed, rejected, archived or merged.
            if fresh.status not in {
                Status.REGISTERED,
                Status.ACCEPTED,
                Status.DISPATCHED,
                Status.IN_PROGRESS,
            }:
                assert fresh.due_on is None
            else:
                assert fresh.due_on is not None
            assert (fresh.status == Status.MERGED) == (fresh.merged_into_id is not None)
            # The clock stops only while a unit has the case: whoever takes it back (the
            # centre, the centre above) has a running clock again.
            if fresh.paused_since is not None:
                assert fresh.status in {Status.DISPATCHED, Status.IN_PROGRESS}


def test_random_steps_by_random_people_keep_every_case_and_its_timeline_consistent(
    cast: Cast,
) -> None:
    CaseLife.people = People(cast)
    run_state_machine_as_test(CaseLife, settings=settings(stateful_step_count=40))


# --- A merge is one step on two cases: all of it or none of it ----------------------


def duplicate_of(cast: Cast) -> Case:
    return registered(
        cast,
        title="同一通道堆物的重复反映",
        parties=[services.NewParty(role="applicant", name="王五", phone="13800000003")],
    )


def test_a_merge_into_a_case_already_visited_is_refused_and_leaves_both_cases_as_they_were(
    cast: Cast,
) -> None:
    survivor = case_in(cast, Status.VISITED)
    duplicate = duplicate_of(cast)
    before = snapshot([survivor, duplicate])
    with pytest.raises(Refused, match="已回访"):
        services.case_merge(by=cast.by_role[Role.INTAKE_OFFICER], case=duplicate, into=survivor)
    assert snapshot([survivor, duplicate]) == before
    assert Case.objects.counted().count() == 2
    assert not survivor.parties.filter(name="王五").exists()


def test_a_merge_into_a_case_the_officer_no_longer_answers_for_is_refused_on_both_sides(
    cast: Cast,
) -> None:
    intake = cast.by_role[Role.INTAKE_OFFICER]
    survivor = case_in(cast, Status.ACCEPTED)
    services.case_escalate(by=intake, case=survivor, reason="涉及县级部门职能")
    duplicate = duplicate_of(cast)
    before = snapshot([survivor, duplicate])
    with pytest.raises(PermissionDenied):
        services.case_merge(by=intake, case=duplicate, into=survivor)
    assert snapshot([survivor, duplicate]) == before


# --- Odd requests are refused in words, never a crash -----------------------------------


def test_a_co_unit_named_twice_is_put_on_the_case_once(cast: Cast) -> None:
    case = case_in(cast, Status.ACCEPTED)
    committee = cast.units.v1_committee
    services.case_dispatch(
        by=cast.by_role[Role.INTAKE_OFFICER],
        case=case,
        lead_unit=cast.units.t1_station,
        co_units=[committee, committee],
    )
    assert case.status == Status.DISPATCHED
    assert case.assignments.filter(unit=committee).count() == 1


def test_a_department_named_twice_is_summoned_once(cast: Cast) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    bureau = cast.units.county_bureau
    services.case_whistle(
        by=cast.by_role[Role.INTAKE_OFFICER], case=case, units=[bureau, bureau], reason="欠薪"
    )
    assert case.summonses.filter(unit=bureau).count() == 1


def test_a_department_whose_summons_is_unanswered_is_not_summoned_again(cast: Cast) -> None:
    intake = cast.by_role[Role.INTAKE_OFFICER]
    case = case_in(cast, Status.IN_PROGRESS)
    bureau = cast.units.county_bureau
    services.case_whistle(by=intake, case=case, units=[bureau], reason="欠薪")
    services.case_transfer(by=intake, case=case, lead_unit=cast.units.v1_committee, note="改派")
    before = snapshot([case, case])
    with pytest.raises(ValidationError) as refused:
        services.case_whistle(by=intake, case=case, units=[bureau], reason="再次吹哨")
    assert "units" in refused.value.message_dict
    assert snapshot([case, case]) == before
    assert case.summonses.count() == 1


def test_an_order_on_another_case_cannot_be_answered_on_this_one(cast: Cast) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    other = case_in(cast, Status.IN_PROGRESS)
    order = services.case_supervise(by=cast.by_role[Role.LEADER], case=other, text="加快办理")
    with pytest.raises(Refused):
        services.case_answer_supervision(
            by=cast.by_role[Role.UNIT_HANDLER], case=case, order=order, answer="已办理"
        )
    order.refresh_from_db()
    assert order.answered_at is None
