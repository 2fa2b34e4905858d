"""`rules.refusal` on its own: whether a step may be taken, and why not, from the facts of a
case and of the person acting. No database."""

from dataclasses import replace

import pytest

from zongzhi.accounts.rules import Action
from zongzhi.cases.rules import (
    NOT_PERMITTED,
    STEPS,
    CaseFacts,
    Refusal,
    Status,
    Step,
    acting_unit,
    refusal,
)
from zongzhi.regions.rules import Level

EVERY_ACTION = frozenset(t.action for t in STEPS.values())
LEAD, CO, COMMITTEE, COUNTY_BUREAU = 1, 2, 3, 4

# A case the lead unit is working on, looked at by someone in the lead unit who may do
# everything: each test changes the one fact it is about.
WORKING = CaseFacts(
    status=Status.IN_PROGRESS,
    permitted=EVERY_ACTION,
    handling_units=frozenset({LEAD}),
    lead_unit=LEAD,
)


def reason(step: Step, facts: CaseFacts) -> str | None:
    refused = refusal(step, facts)
    return None if refused is None else refused.reason


def test_the_lead_unit_may_record_progress_on_a_case_it_is_working_on() -> None:
    assert refusal(Step.PROGRESS, WORKING) is None


def test_a_step_from_the_wrong_status_is_refused_with_the_status_in_words() -> None:
    facts = replace(WORKING, status=Status.ACCEPTED)
    assert reason(Step.CLOSE, facts) == "事项当前状态为“待派单”，不能办结"


def test_a_case_not_yet_registered_can_only_be_registered() -> None:
    facts = replace(WORKING, status=None)
    assert refusal(Step.REGISTER, facts) is None
    assert reason(Step.ACCEPT, facts) == "事项尚未登记，不能受理"


def test_the_status_is_refused_before_the_right_to_act() -> None:
    facts = replace(WORKING, status=Status.ARCHIVED, permitted=frozenset())
    refused = refusal(Step.CLOSE, facts)
    assert refused is not None and not refused.not_permitted


def test_someone_without_the_action_over_the_case_is_not_permitted() -> None:
    facts = replace(WORKING, permitted=EVERY_ACTION - {Action.HANDLE_CASE})
    assert refusal(Step.PROGRESS, facts) == Refusal(NOT_PERMITTED, not_permitted=True)


def test_a_co_unit_cannot_close_the_case() -> None:
    facts = replace(WORKING, handling_units=frozenset({CO}))
    assert reason(Step.CLOSE, facts) == "只有主办单位可以办结"


def test_a_co_unit_may_record_progress() -> None:
    facts = replace(WORKING, handling_units=frozenset({CO}))
    assert refusal(Step.PROGRESS, facts) is None


def test_the_system_acts_for_the_lead_unit_without_being_in_it() -> None:
    facts = replace(WORKING, handling_units=frozenset(), acts_for_every_unit=True)
    assert refusal(Step.CLOSE, facts) is None
    assert acting_unit(facts, STEPS[Step.CLOSE]) == LEAD


@pytest.mark.parametrize(
    "step", [s for s, t in STEPS.items() if t.lead_only and Status.IN_PROGRESS in t.sources]
)
def test_every_lead_only_step_is_refused_to_a_co_unit(step: Step) -> None:
    facts = replace(WORKING, handling_units=frozenset({CO}))
    assert reason(step, facts) == f"只有主办单位可以{STEPS[step].name}"


def test_a_paused_case_cannot_be_paused_again() -> None:
    assert reason(Step.PAUSE, replace(WORKING, paused=True)) == "计时已中止"


def test_a_running_clock_cannot_be_resumed() -> None:
    assert reason(Step.RESUME, WORKING) == "计时没有中止"
    assert refusal(Step.RESUME, replace(WORKING, paused=True)) is None


def test_a_paused_case_can_still_be_closed() -> None:
    assert refusal(Step.CLOSE, replace(WORKING, paused=True)) is None


def test_a_second_request_for_more_time_waits_for_the_first() -> None:
    facts = replace(WORKING, extension_pending=True)
    assert reason(Step.REQUEST_EXTENSION, facts) == "已有一份延期申请待审批"


def test_a_petition_is_extended_only_once() -> None:
    facts = replace(WORKING, is_petition=True, extensions_granted=1)
    assert reason(Step.REQUEST_EXTENSION, facts) == "信访事项只能延期一次（信访工作条例第34条）"


def test_an_ordinary_case_may_be_extended_again() -> None:
    facts = replace(WORKING, extensions_granted=1)
    assert refusal(Step.REQUEST_EXTENSION, facts) is None


@pytest.mark.parametrize("step", [Step.GRANT_EXTENSION, Step.REFUSE_EXTENSION])
def test_an_extension_is_decided_only_when_one_is_pending(step: Step) -> None:
    assert reason(step, WORKING) == "没有待审批的延期申请"
    assert refusal(step, replace(WORKING, extension_pending=True)) is None


def test_a_unit_answers_a_summons_only_when_it_was_summoned() -> None:
    summoned = replace(WORKING, summoned_units=frozenset({COUNTY_BUREAU}))
    assert reason(Step.ANSWER_WHISTLE, summoned) == "您所在单位没有待报到的吹哨"
    bureau = replace(summoned, handling_units=frozenset({COUNTY_BUREAU}))
    assert refusal(Step.ANSWER_WHISTLE, bureau) is None


def test_the_system_answers_a_summons_for_any_department() -> None:
    facts = replace(
        WORKING,
        handling_units=frozenset(),
        acts_for_every_unit=True,
        summoned_units=frozenset({COUNTY_BUREAU}),
    )
    assert refusal(Step.ANSWER_WHISTLE, facts) is None


@pytest.mark.parametrize(
    ("step", "status"),
    [
        (Step.ANSWER_SUPERVISION, Status.IN_PROGRESS),
        (Step.ANSWER_SUPERVISION_AT_CENTRE, Status.ACCEPTED),
    ],
)
def test_a_supervision_order_is_answered_only_while_one_waits(step: Step, status: Status) -> None:
    facts = replace(WORKING, status=status)
    assert reason(step, facts) == "没有待反馈的督办"
    assert refusal(step, replace(facts, supervision_unanswered=True)) is None


def test_an_agreement_needs_a_committee_leading_or_a_committee_mediator() -> None:
    mediator = replace(WORKING, handling_units=frozenset(), mediating_units=frozenset({CO}))
    assert reason(Step.AGREE, mediator).startswith("调解协议书须由人民调解委员会出具")
    assert refusal(Step.AGREE, replace(mediator, committees=frozenset({CO}))) is None
    assert refusal(Step.AGREE, replace(mediator, committees=frozenset({LEAD}))) is None


def test_a_mediator_in_two_units_signs_for_the_first_when_neither_leads() -> None:
    # The unit a mediator acts for is the first of theirs on the case (the services have
    # always chosen so): an agreement is theirs to make only when that one is a committee.
    facts = replace(
        WORKING, mediating_units=frozenset({CO, COMMITTEE}), committees=frozenset({COMMITTEE})
    )
    assert acting_unit(facts, STEPS[Step.AGREE]) == CO
    assert refusal(Step.AGREE, facts) is not None
    assert refusal(Step.AGREE, replace(facts, committees=frozenset({CO}))) is None


def test_a_case_at_a_township_centre_can_be_escalated() -> None:
    facts = replace(WORKING, centre_level=Level.TOWNSHIP, centre_has_parent=True)
    assert refusal(Step.ESCALATE, facts) is None


def test_escalation_does_not_go_above_the_county() -> None:
    facts = replace(WORKING, centre_level=Level.COUNTY, centre_has_parent=True)
    assert reason(Step.ESCALATE, facts) == "县综治中心是最高一级，不能再上报"


def test_a_centre_without_one_above_cannot_escalate() -> None:
    facts = replace(WORKING, centre_level=Level.TOWNSHIP, centre_has_parent=False)
    assert reason(Step.ESCALATE, facts) == "县综治中心是最高一级，不能再上报"
