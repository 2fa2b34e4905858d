"""Mediation sessions and agreements."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from zongzhi.accounts.actors import Actor
from zongzhi.cases.models import (
    Case,
    MediationAgreement,
    MediationSession,
)
from zongzhi.cases.rules import Step
from zongzhi.cases.services.steps import (
    StepContext,
    _take_step,
)
from zongzhi.core.services import actor_id, require_text
from zongzhi.units.models import Unit


def case_record_session(
    *,
    by: Actor,
    case: Case,
    held_on: date,
    place: str,
    mediators: str,
    parties_present: str,
    record: str,
) -> MediationSession:
    values = {
        "place": require_text(place, "place", "调解地点"),
        "mediators": require_text(mediators, "mediators", "调解员"),
        "parties_present": require_text(parties_present, "parties_present", "到场当事人"),
        "record": require_text(record, "record", "调解记录"),
    }
    made: list[MediationSession] = []

    def write(c: StepContext) -> None:
        if held_on > c.today:
            raise ValidationError({"held_on": "调解日期不能晚于今天"})
        if held_on < timezone.localdate(c.case.registered_at):
            raise ValidationError({"held_on": "调解日期不能早于事项登记日期"})
        session = MediationSession.objects.create(
            case=c.case,
            held_on=held_on,
            recorded_by_id=actor_id(by),
            recorded_at=timezone.now(),
            **values,
        )
        made.append(session)
        c.data.update(session=session.pk, held_on=held_on.isoformat(), place=values["place"])

    _take_step(by=by, case=case, step=Step.MEDIATE, note=values["record"], write=write)
    return made[0]


def _committee_for(c: StepContext) -> Unit:
    """The committee that signs: the mediator's own, else the lead unit (the rules made
    sure one of them is a committee)."""
    committee = Unit.Kind.MEDIATION_COMMITTEE
    if c.unit is not None and c.unit.kind == committee:
        return c.unit
    assert c.case.lead_unit is not None and c.case.lead_unit.kind == committee
    return c.case.lead_unit


def case_make_agreement(
    *,
    by: Actor,
    case: Case,
    facts: str,
    terms: str,
    performance: str,
    mediators: str,
    made_on: date,
) -> MediationAgreement:
    """调解协议书, with what 人民调解法 Art. 29 asks for."""
    values = {
        "facts": require_text(facts, "facts", "纠纷主要事实、争议事项及各方责任"),
        "terms": require_text(terms, "terms", "协议内容"),
        "performance": require_text(performance, "performance", "履行方式、期限"),
        "mediators": require_text(mediators, "mediators", "人民调解员"),
    }
    made: list[MediationAgreement] = []

    def write(c: StepContext) -> None:
        if made_on > c.today:
            raise ValidationError({"made_on": "签订日期不能晚于今天"})
        if made_on < timezone.localdate(c.case.registered_at):
            raise ValidationError({"made_on": "签订日期不能早于事项登记日期"})
        committee = _committee_for(c)
        # The role's code, not its label: the document prints its own Chinese wording,
        # whatever language the mediator's screen was in.
        # The identity number only masked: the printed agreement is handed to every party.
        parties = [
            {
                "role": p.role,
                "kind": p.kind,
                "name": p.name,
                "phone": p.phone,
                "address": p.address,
                "identity_masked": p.identity_masked,
            }
            for p in c.case.parties.all()
        ]
        if len(parties) < 2:
            raise ValidationError({"parties": "调解协议须有至少两方当事人，请先补充当事人"})
        # Numbered per committee and year. Locking the committee's row makes two mediators
        # of one committee, working on different cases at once, take turns.
        Unit.objects.select_for_update().filter(pk=committee.pk).first()
        last = (
            MediationAgreement.objects.filter(committee=committee, year=made_on.year)
            .order_by("-sequence")
            .values_list("sequence", flat=True)
            .first()
        )
        sequence = (last or 0) + 1
        agreement = MediationAgreement.objects.create(
            case=c.case,
            year=made_on.year,
            sequence=sequence,
            number=f"（{made_on.year}）{committee.name}调字第{sequence}号",
            committee=committee,
            parties=parties,
            made_on=made_on,
            made_by_id=actor_id(by),
            **values,
        )
        made.append(agreement)
        c.data.update(agreement=agreement.pk, number=agreement.number)

    _take_step(by=by, case=case, step=Step.AGREE, note=values["terms"], write=write)
    return made[0]
