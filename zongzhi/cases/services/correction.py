"""更正 and the parties (当事人): correcting what was registered while the case is open.

Who may change what is the rules' (`rules.correction_step`, `rules.correctable_fields`,
`rules.party_step`); the step itself goes through `_take_step` like every other, so the
timeline keeps each change with its before and after. A corrected category or place moves
the case's contribution to the figures at the next rollup refresh (`updated_at` moves with
every save), so it is counted under what it is now. A corrected category also chooses the
deadline policy again (`_retime`), and a corrected place keeps the map point only when the
point lies inside it (`_check_point`).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from zongzhi.accounts.actors import Actor
from zongzhi.cases import deadlines, rules, search
from zongzhi.cases.models import Case, CaseEvent, ClockPause, Party
from zongzhi.cases.rules import Step
from zongzhi.cases.selectors import case_facts, case_for_page
from zongzhi.cases.services.intake import refresh_search_text, terms_for
from zongzhi.cases.services.steps import StepContext, _take_step
from zongzhi.categories.models import Category
from zongzhi.core import crypto, identity
from zongzhi.core.errors import Refused
from zongzhi.regions import geo
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level
from zongzhi.regions.selectors import grid_at
from zongzhi.workdays.selectors import current_calendar

# --- 更正 ---------------------------------------------------------------------------------


def _shown(field: str, value: Any) -> str:
    """A value as the timeline shows it."""
    if value is None:
        return ""
    if field == "risk_level":
        return str(Case.Risk(value).label)
    if isinstance(value, Region):
        return value.name
    return str(value)


def _stored(value: Any) -> Any:
    """A value as the event keeps it for machines: a code, a number as text."""
    if isinstance(value, Category | Region):
        return value.code
    if isinstance(value, Decimal):
        return str(value)
    return value


def _clean(case: Case, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The new values that differ from the case's, checked; a ValidationError names each
    field that is wrong."""
    unknown = sorted(set(changes) - set(rules.CORRECTABLE))
    if unknown:
        raise ValidationError({f: "该项不能更正" for f in unknown})
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for field, raw in changes.items():
        value = raw.strip() if isinstance(raw, str) else raw
        if field == "category":
            if not isinstance(value, Category) or not value.is_active:
                errors[field] = "请选择有效的事项分类"
            elif value.parent_id is None:
                errors[field] = "请选择二级分类"
        elif field == "region":
            if not isinstance(value, Region) or value.level < Level.COUNTY:
                errors[field] = "发生地须在县及以下"
            elif not value.prefix.startswith(case.centre_prefix):
                # Another centre's place: 上报 or 转办 moves a case between centres, not 更正.
                errors[field] = "发生地须在本综治中心辖区内"
        elif field in {"title", "description"} and not value:
            errors[field] = "请填写" + str(rules.CORRECTABLE[field])
        elif field == "people_count" and (not isinstance(value, int) or value < 1):
            errors[field] = "涉及人数至少为1"
        elif field == "amount" and value is not None and (Decimal(value) < 0):
            errors[field] = "涉及金额不能为负数"
        elif field == "risk_level" and value not in Case.Risk.values:
            errors[field] = "请选择风险等级"
        if field == "amount" and value is not None and field not in errors:
            value = Decimal(value)
        if field not in errors and value != getattr(case, field):
            values[field] = value
    risk = values.get("risk_level", case.risk_level)
    reasons = values.get("risk_reasons", case.risk_reasons)
    if risk in {Case.Risk.HIGH, Case.Risk.MAJOR} and not reasons and "risk_level" not in errors:
        errors["risk_reasons"] = "风险等级为高或重大时须写明原因"
    if errors:
        raise ValidationError(errors)
    return values


def case_correct(*, by: Actor, case: Case, changes: Mapping[str, Any], note: str = "") -> Case:
    """更正: set the fields in `changes` (field name → new value: a Category, a Region, a
    Decimal or None for the amount, an int for the people count, text for the rest).
    Fields whose value does not change are left out of the entry; a correction that
    changes nothing is refused."""
    page_case = case_for_page(case.code)
    assert page_case is not None
    proposed = _clean(page_case, changes)
    step = rules.correction_step(case_facts(by, page_case), set(proposed))

    def write(c: StepContext) -> None:
        values = _clean(c.case, changes)  # again, on the locked row
        if not values:
            raise ValidationError({"__all__": "没有需要更正的内容"})
        reason = rules.fields_refusal(step, c.case.status_enum, set(values))
        if reason is not None:
            raise Refused(reason)
        entries = []
        for field in rules.CORRECTABLE:  # in the order the page shows them
            if field not in values:
                continue
            before, after = getattr(c.case, field), values[field]
            entries.append(
                {
                    "field": field,
                    "before": _shown(field, before),
                    "after": _shown(field, after),
                    "before_value": _stored(before),
                    "after_value": _stored(after),
                }
            )
            setattr(c.case, field, after)
        if "region" in values:
            c.case.region_prefix = values["region"].prefix
            _check_point(c)
        c.data["changes"] = entries
        if "category" in values:
            _retime(c)
        refresh_search_text(c.case)  # the title, description or address it is found by

    return _take_step(by=by, case=case, step=step, note=note, write=write)


def _check_point(c: StepContext) -> None:
    """A corrected place keeps the case's map point only when the point lies inside it (in
    one of its grids, as registration places a point); a point left from the old place
    would put the case on the map in another village. The entry says which."""
    case = c.case
    if case.lng is None or case.lat is None:
        return
    try:
        inside = grid_at(lng=case.lng, lat=case.lat, within=case.region) is not None
    except geo.BoundaryError:
        inside = False
    c.data["point"] = {"lng": case.lng, "lat": case.lat, "kept": inside}
    if not inside:
        case.lng = case.lat = None


def _clock(case: Case) -> tuple[date, int, list[deadlines.Extension | deadlines.Pause]]:
    """Where the case's running clock started, how many days it was given, and what has
    moved its deadline since, as `deadlines.running_deadline` replays them.

    The acceptance clock starts at registration and nothing moves it (extensions and
    pauses are the lead unit's, after dispatch). The handling clock starts at 受理, or
    afresh at the last 回访不满意 (which gives a new handling period); since then each
    批准延期 moved the deadline on, and each pause that ended (恢复计时, or a step that
    ended it: 退回, 上报) moved it by the days paused — the timeline holds them in the
    order they happened."""
    if case.status_enum in rules.AWAITING_DECISION:
        return timezone.localdate(case.registered_at), case.accept_days, []
    events = list(
        CaseEvent.objects.filter(case=case).order_by("at", "pk").only("step", "at", "data")
    )
    start_at = max(
        (i for i, e in enumerate(events) if e.step in {Step.ACCEPT, Step.VISIT_UNSATISFIED}),
        default=-1,
    )
    start = case.accepted_on
    if start_at >= 0 and events[start_at].step == Step.VISIT_UNSATISFIED:
        start = timezone.localdate(events[start_at].at)
    assert start is not None  # an open case past 待受理 was accepted
    since = events[start_at + 1 :]
    # Each pause's ending wrote its shift (from_due_on) into the step that ended it; the
    # pauses ran one at a time, so the last k endings are the last k pauses ended.
    ended = [e for e in since if "from_due_on" in (e.data or {}) and e.step not in _OWN_SHIFTS]
    pauses = list(
        ClockPause.objects.filter(case=case, ended_on__isnull=False).order_by("-pk")[: len(ended)]
    )
    pause_of = {e.pk: p for e, p in zip(reversed(ended), pauses, strict=False)}
    moves: list[deadlines.Extension | deadlines.Pause] = []
    for event in since:
        if event.step == Step.GRANT_EXTENSION and (event.data or {}).get("days"):
            moves.append(deadlines.Extension(days=int(event.data["days"])))
        elif event.pk in pause_of:
            pause = pause_of[event.pk]
            assert pause.ended_on is not None
            moves.append(deadlines.Pause(started_on=pause.started_on, ended_on=pause.ended_on))
    return start, case.handle_days, moves


# The steps whose entry's from_due_on is their own shift, not a pause's.
_OWN_SHIFTS = frozenset({Step.GRANT_EXTENSION, *rules.CORRECTIONS})


def _retime(c: StepContext) -> None:
    """A corrected category chooses the deadline policy again, exactly as registration
    chooses it (`intake.terms_for`: the channel, a 信访事项's regulation, urgency); when
    another policy applies, the case takes its terms and the running clock's deadline is
    counted again from the day that clock started, with the extensions granted and the
    pauses ended since. The entry keeps the old and new policy and deadline."""
    case = c.case
    terms = terms_for(
        channel=case.channel,
        petition_stage=case.petition_stage,
        category=case.category,
        urgent=case.is_urgent,
    )
    if terms.policy.pk == case.policy_id:
        # The same policy: the terms the case was given stand (a policy edited since does
        # not move a case's deadline, as at registration).
        return
    before_policy = case.policy.name if case.policy else ""
    before_due = case.due_on
    case.policy = terms.policy
    case.counting = terms.counting
    case.accept_days = terms.accept_days
    case.handle_days = terms.handle_days
    case.warn_days = terms.warn_days
    c.data.update(from_policy=before_policy, policy=terms.policy.name)
    if before_due is None:
        return
    start, days, moves = _clock(case)
    case.due_on = deadlines.running_deadline(
        current_calendar(), start=start, days=days, counting=case.counting, moves=moves
    )
    c.data.update(from_due_on=before_due.isoformat(), due_on=case.due_on.isoformat())


# --- 当事人 -------------------------------------------------------------------------------


@dataclass
class PartyDetails:
    """A party as a form or the API gives it. `identity_number` is the number as typed;
    empty: none given (on an edit, the number on file stays)."""

    role: str
    name: str
    kind: str = Party.Kind.PERSON
    phone: str = ""
    address: str = ""
    identity_number: str = ""


# What the timeline keeps of a party: never the identity number.
_RECORDED = ("name", "role", "kind", "phone", "address")


@sensitive_variables("details", "number")
def _fill(party: Party, details: PartyDetails) -> bool:
    """Put the details on `party`, checked; whether the identity number changed."""
    errors: dict[str, str] = {}
    name = details.name.strip()
    if not name:
        errors["name"] = "请填写当事人姓名或名称"
    if details.role not in Party.Role.values:
        errors["role"] = "请选择当事人身份"
    if details.kind not in Party.Kind.values:
        errors["kind"] = "请选择当事人类型"
    number = identity.normalise_identity(details.identity_number)
    if number:
        if details.kind == Party.Kind.ORGANISATION:
            errors["identity_number"] = "组织不填身份证号码"
        else:
            problem = identity.identity_error(number)
            if problem is not None:
                errors["identity_number"] = problem
    if errors:
        raise ValidationError(errors)
    party.name = name
    party.role = details.role
    party.kind = details.kind
    party.phone = details.phone.strip()
    party.phone_digits = search.digits(party.phone)
    party.address = details.address.strip()
    changed = False
    if details.kind == Party.Kind.ORGANISATION and party.identity_encrypted:
        party.identity_encrypted, party.identity_masked = "", ""
        changed = True
    elif number and crypto.decrypt(party.identity_encrypted) != number:
        party.identity_encrypted = crypto.encrypt(number)
        party.identity_masked = identity.mask_identity(number)
        changed = True
    party.full_clean(exclude=["case"])
    return changed


def _party_step(by: Actor, case: Case) -> Step:
    page_case = case_for_page(case.code)
    assert page_case is not None
    return rules.party_step(case_facts(by, page_case))


def _recorded(party: Party) -> dict[str, str]:
    return {f: getattr(party, f) for f in _RECORDED}


@sensitive_variables("details")
def case_add_party(*, by: Actor, case: Case, details: PartyDetails) -> Party:
    """增加当事人."""
    made: list[Party] = []

    def write(c: StepContext) -> None:
        party = Party(case=c.case)
        has_number = _fill(party, details)
        party.save()
        refresh_search_text(c.case)
        made.append(party)
        c.data.update(change="add", party=party.pk, identity_number=has_number, **_recorded(party))

    _take_step(by=by, case=case, step=_party_step(by, case), write=write)
    return made[0]


def _party_of(case: Case, party: Party) -> Party:
    locked = Party.objects.select_for_update().filter(pk=party.pk, case=case).first()
    if locked is None:
        raise ValidationError({"party": "该事项没有这名当事人"})
    return locked


@sensitive_variables("details")
def case_edit_party(*, by: Actor, case: Case, party: Party, details: PartyDetails) -> Party:
    """修改当事人: the details given replace those on file; an empty identity number keeps
    the one on file."""
    done: list[Party] = []

    def write(c: StepContext) -> None:
        locked = _party_of(c.case, party)
        before = _recorded(locked)
        number_changed = _fill(locked, details)
        after = _recorded(locked)
        changed = [f for f in _RECORDED if before[f] != after[f]]
        if not changed and not number_changed:
            raise ValidationError({"__all__": "当事人信息没有变化"})
        locked.save()
        refresh_search_text(c.case)
        done.append(locked)
        c.data.update(
            change="edit",
            party=locked.pk,
            name=locked.name,
            role=locked.role,
            changes=[{"field": f, "before": before[f], "after": after[f]} for f in changed],
            identity_number=number_changed,
        )

    _take_step(by=by, case=case, step=_party_step(by, case), write=write)
    return done[0]


def case_remove_party(*, by: Actor, case: Case, party: Party, note: str = "") -> None:
    """删除当事人: registered by mistake, or not a party after all. The note says why."""

    def write(c: StepContext) -> None:
        locked = _party_of(c.case, party)
        if not c.case.parties.exclude(pk=locked.pk).exists():
            # As at registration: a case has at least one party or person reporting it.
            raise ValidationError({"party": "事项须至少保留一名当事人"})
        c.data.update(change="remove", party=locked.pk, **_recorded(locked))
        locked.delete()
        refresh_search_text(c.case)

    _take_step(by=by, case=case, step=_party_step(by, case), note=note, write=write)
