"""The hazard's status machine: the table on its own, then random steps by random people
through the real services, against the database."""

import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from zongzhi.accounts.rules import Role
from zongzhi.conftest import Cast, make_user
from zongzhi.core.errors import Refused
from zongzhi.hazards import rules, services
from zongzhi.hazards.models import Hazard, HazardEvent
from zongzhi.hazards.rules import OPEN, STEPS, Status, Step, check_step, status_after
from zongzhi.hazards.tests.factories import registered

# --- The table on its own --------------------------------------------------------------


@pytest.mark.parametrize("step", list(Step))
@pytest.mark.parametrize("status", [s for s in Status if s not in OPEN])
def test_no_step_leaves_a_closed_status(step: Step, status: Status) -> None:
    with pytest.raises(Refused) as refused:
        check_step(step, status)
    assert rules.STATUS_NAMES[status] in str(refused.value)
    assert "Status." not in str(refused.value)


@pytest.mark.parametrize("step", [s for s in Step if s != Step.REGISTER])
def test_every_step_on_an_open_hazard_keeps_it_open_or_closes_it_for_good(step: Step) -> None:
    after = status_after(step, Status.CONTROLLED)
    assert after in set(Status)
    if STEPS[step].target is None:
        assert after == Status.CONTROLLED
    else:
        assert after not in OPEN


@pytest.mark.parametrize("level", list(rules.REVIEW_DAYS))
def test_a_weightier_level_is_reviewed_more_often(level: str) -> None:
    order = ["low", "medium", "high", "major"]
    weightier = order[order.index(level) + 1 :]
    assert all(rules.REVIEW_DAYS[w] < rules.REVIEW_DAYS[level] for w in weightier)


# --- Random steps by random people -----------------------------------------------------

REFUSALS = (Refused, PermissionDenied, ValidationError)
TEXT = st.text(alphabet="约谈复查稳定工资 ", min_size=0, max_size=8)
LEVELS = st.sampled_from(["low", "medium", "high", "major", "bogus"])


class HazardLife(RuleBasedStateMachine):
    cast: Cast
    keepers: dict[str, Any]
    intruders: dict[str, Any]

    def __init__(self) -> None:
        super().__init__()
        self.hazard = registered(type(self).cast)
        self.closed_events: int | None = None  # the timeline's length when it closed
        self.seen: list[tuple[Any, ...]] = self._rows()

    def _rows(self) -> list[tuple[Any, ...]]:
        events = HazardEvent.objects.filter(hazard=self.hazard).order_by("at", "pk")
        return [(e.pk, e.step, e.from_status, e.to_status, e.note, e.data) for e in events]

    def _attempt(self, name: str, data: st.DataObject) -> Any:
        h = Hazard.objects.get(pk=self.hazard.pk)
        today = timezone.localdate()
        match name:
            case "measure":
                days = data.draw(st.integers(-3, 30))
                content, owner = data.draw(TEXT), data.draw(TEXT)
                return lambda by: services.hazard_add_measure(
                    by=by, hazard=h, content=content, owner=owner, due_on=today + timedelta(days)
                )
            case "measure_done":
                measure = h.measures.order_by("?").first()
                if measure is None:
                    return None
                return lambda by: services.hazard_complete_measure(by=by, hazard=h, measure=measure)
            case "review":
                level, reasons, finding = data.draw(LEVELS), data.draw(TEXT), data.draw(TEXT)
                following = data.draw(st.one_of(st.none(), st.integers(-2, 60)))
                return lambda by: services.hazard_review(
                    by=by,
                    hazard=h,
                    finding=finding,
                    level=level,
                    level_reasons=reasons,
                    next_review_on=None if following is None else today + timedelta(following),
                )
            case "reassign":
                unit = data.draw(st.sampled_from(sorted(vars(type(self).cast.units))))
                guardian = data.draw(TEXT)
                return lambda by: services.hazard_reassign(
                    by=by,
                    hazard=h,
                    responsible_unit=getattr(type(self).cast.units, unit),
                    guardian_name=guardian,
                    reason="调整",
                )
            case "resolve":
                note = data.draw(TEXT)
                return lambda by: services.hazard_resolve(by=by, hazard=h, note=note)
            case "eliminate":
                note = data.draw(TEXT)
                return lambda by: services.hazard_eliminate(by=by, hazard=h, note=note)
            case "escalate":
                name_ = data.draw(TEXT)
                return lambda by: services.hazard_escalate(by=by, hazard=h, applicant_name=name_)
        raise AssertionError(name)

    @rule(data=st.data())
    def someone_attempts_a_step(self, data: st.DataObject) -> None:
        name = data.draw(
            st.sampled_from(
                [
                    "measure",
                    "measure_done",
                    "review",
                    "reassign",
                    "resolve",
                    "eliminate",
                    "escalate",
                ]
            )
        )
        act = self._attempt(name, data)
        if act is None:
            return
        intruder = data.draw(st.sampled_from(sorted(self.intruders)), label="intruder")
        before = self._rows()
        with pytest.raises(REFUSALS):
            act(self.intruders[intruder])
        assert self._rows() == before
        keeper = data.draw(st.sampled_from(sorted(self.keepers)), label="keeper")
        try:
            act(self.keepers[keeper])
        except REFUSALS:
            assert self._rows() == before
            return
        assert len(self._rows()) == len(before) + 1

    @rule(days=st.integers(0, 120))
    def the_sweep_runs(self, days: int) -> None:
        services.sweep_hazard_reviews(timezone.localdate() + timedelta(days=days))

    @invariant()
    def the_hazard_and_its_timeline_agree(self) -> None:
        h = Hazard.objects.get(pk=self.hazard.pk)
        rows = self._rows()
        assert rows[: len(self.seen)] == self.seen  # never rewritten
        self.seen = rows
        assert rows[0][1] == Step.REGISTER
        for earlier, later in itertools.pairwise(rows):
            assert later[2] == earlier[3]
        assert rows[-1][3] == h.status
        if h.status in OPEN:
            assert h.next_review_on is not None and h.closed_on is None
        else:
            assert h.next_review_on is None and h.closed_on is not None
            # Once closed, nothing more is written to it.
            if self.closed_events is None:
                self.closed_events = len(rows)
            assert len(rows) == self.closed_events
        assert (h.status == Status.ESCALATED) == (h.case_id is not None)


def test_random_steps_by_random_people_keep_the_hazard_and_its_timeline_consistent(
    cast: Cast,
) -> None:
    HazardLife.cast = cast
    HazardLife.keepers = {
        "intake": cast.by_role[Role.INTAKE_OFFICER],
        "grid": cast.by_role[Role.GRID_WORKER],
        "station": cast.by_role[Role.UNIT_HANDLER],
    }
    HazardLife.intruders = {
        "outsider": cast.outsider,
        "leader": cast.by_role[Role.LEADER],
        "care": cast.by_role[Role.CARE_WORKER],
        "other_unit": make_user("t2_police", Role.UNIT_HANDLER, unit=cast.units.t2_station),
    }
    run_state_machine_as_test(HazardLife, settings=settings(stateful_step_count=25))
