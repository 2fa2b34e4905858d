"""The one write path for a case: `_take_step`, and what it needs."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.rules import UNIT_WORK, Action
from zongzhi.cases import deadlines, rules
from zongzhi.cases.models import Assignment, Case, CaseEvent, ClockPause, ExtensionRequest
from zongzhi.cases.rules import Status, Step
from zongzhi.cases.selectors import case_facts, case_ties
from zongzhi.core.errors import Refused
from zongzhi.core.services import actor_id, actor_name, refresh_from
from zongzhi.notifications.services import on_case_event
from zongzhi.units.models import Unit
from zongzhi.workdays.selectors import current_calendar


def _today() -> date:
    return timezone.localdate()


# --- The one write path ---------------------------------------------------------------


@dataclass
class StepContext:
    """What a step's own writer gets: the locked case, who acts, and for which unit."""

    case: Case
    by: Actor
    unit: Unit | None
    today: date
    facts: rules.CaseFacts
    data: dict[str, Any] = field(default_factory=dict)
    note: str = ""


_NOT_RECHECKED = [f.name for f in Case._meta.get_fields() if f.is_relation] + [
    "code",
    "idempotency_key",
]


def release_unit_work(c: "StepContext") -> None:
    """The case leaves its units (退回, 上报): the lead and co-units come off it, their
    paused clock runs again and their pending request for more time lapses. Summoned
    county departments stay on it until they have answered."""
    c.case.assignments.filter(kind__in=[Assignment.Kind.LEAD, Assignment.Kind.CO]).delete()
    c.case.lead_unit = None
    _end_pause(c, c.today)
    withdraw_extension(c.case)


def withdraw_extension(case: Case) -> None:
    ExtensionRequest.objects.filter(case=case, decision=ExtensionRequest.Decision.PENDING).update(
        decision=ExtensionRequest.Decision.WITHDRAWN, decided_at=timezone.now()
    )


def _take_step(
    *,
    by: Actor,
    case: Case,
    step: Step,
    note: str = "",
    write: Callable[[StepContext], None] | None = None,
) -> Case:
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("lead_unit", "centre", "region", "category__parent")
            .get(pk=case.pk)
        )
        before = locked.status_enum
        # What the rules look at of the case's other records, in one query.
        facts = case_facts(by, locked, case_ties(locked.pk))
        refused = rules.refusal(step, facts)
        if refused is not None:
            if refused.not_permitted:
                raise PermissionDenied(refused.reason)
            raise Refused(refused.reason)
        transition = rules.STEPS[step]
        unit = None
        if transition.action in UNIT_WORK or transition.action == Action.MEDIATE_CASE:
            unit = _unit(locked, rules.acting_unit(facts, transition))
        context = StepContext(
            case=locked, by=by, unit=unit, today=_today(), facts=facts, note=note.strip()
        )
        if write is not None:
            write(context)
        locked.status = rules.status_after(step, before)
        # Field checks (choices, lengths) only: the database enforces the constraints and
        # the foreign keys, and checking them here cost a query each on every step.
        locked.clean_fields(exclude=_NOT_RECHECKED)
        locked.save()
        _append(locked, step, before, by=by, unit=unit, note=context.note, data=context.data)
    refresh_from(case, locked)
    return case


def _unit(case: Case, pk: int | None) -> Unit | None:
    if pk is None:
        return None
    if pk == case.lead_unit_id:
        return case.lead_unit
    return next(a.unit for a in case.assignments.all() if a.unit_id == pk)


def _append(
    case: Case,
    step: Step,
    before: Status | None,
    *,
    by: Actor,
    unit: Unit | None,
    note: str,
    data: dict[str, Any],
) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case,
        step=step,
        from_status=before or "",
        to_status=case.status,
        at=timezone.now(),
        actor_id=actor_id(by),
        actor_name=actor_name(by),
        unit=unit,
        note=note,
        data=data,
    )
    # The outbox: who must hear of this step is written with it, and sent after commit.
    on_case_event(case, event)
    return event


def _end_pause(c: StepContext, on: date) -> None:
    pause = ClockPause.objects.filter(case=c.case, ended_on__isnull=True).first()
    if pause is None:
        return
    pause.ended_on = on
    pause.save()
    if c.case.due_on is not None:
        before = c.case.due_on
        c.case.due_on = deadlines.after_pause(
            current_calendar(),
            before,
            paused_on=pause.started_on,
            resumed_on=on,
            counting=c.case.counting,
        )
        c.data.update(from_due_on=before.isoformat(), due_on=c.case.due_on.isoformat())
    c.case.paused_since = None
