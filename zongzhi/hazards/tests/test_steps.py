"""The steps of a hazard's life: who may take them, what they change, and the timeline."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.cases.models import Case
from zongzhi.conftest import Cast, make_user
from zongzhi.core.errors import Refused
from zongzhi.hazards import rules, services
from zongzhi.hazards.models import Hazard, HazardEvent, HazardMeasure, HazardReview
from zongzhi.hazards.rules import Status, Step
from zongzhi.hazards.tests.factories import hazard_in, registered
from zongzhi.units.models import Unit

Attempt = Callable[[Any, Hazard], Any]


def _measure(by: Any, h: Hazard) -> Any:
    return services.hazard_add_measure(
        by=by,
        hazard=h,
        content="约谈项目负责人，督促结清工程款",
        owner="李明",
        due_on=timezone.localdate() + timedelta(days=7),
    )


def _review(by: Any, h: Hazard) -> Any:
    return services.hazard_review(by=by, hazard=h, finding="已约谈，暂稳定", level="medium")


# Every step a keeper may take, as one call each.
STEPS: dict[str, Attempt] = {
    "measure": _measure,
    "review": _review,
    "reassign": lambda by, h: services.hazard_reassign(
        by=by,
        hazard=h,
        responsible_unit=h.responsible_unit,
        guardian_name="王强",
        reason="原包保责任人调岗",
    ),
    "resolve": lambda by, h: services.hazard_resolve(by=by, hazard=h, note="工资已发放"),
    "eliminate": lambda by, h: services.hazard_eliminate(by=by, hazard=h, note="工地已清场"),
    "escalate": lambda by, h: services.hazard_escalate(by=by, hazard=h, applicant_name="陈建华"),
}


def snapshot(hazard: Hazard) -> tuple[Any, ...]:
    fresh = Hazard.objects.get(pk=hazard.pk)
    return (
        tuple(
            getattr(fresh, f.attname)
            for f in Hazard._meta.concrete_fields
            if f.name != "updated_at"
        ),
        HazardEvent.objects.filter(hazard=hazard).count(),
        HazardMeasure.objects.filter(hazard=hazard).count(),
        HazardReview.objects.filter(hazard=hazard).count(),
        Case.objects.count(),
    )


# --- Who may keep a hazard --------------------------------------------------------------


@pytest.mark.parametrize("step", sorted(STEPS))
@pytest.mark.parametrize("who", [Role.INTAKE_OFFICER, Role.GRID_WORKER, Role.UNIT_HANDLER])
def test_the_place_and_the_responsible_unit_may_keep_the_hazard(
    cast: Cast, step: str, who: Role
) -> None:
    hazard = registered(cast)
    STEPS[step](cast.by_role[who], hazard)
    last = HazardEvent.objects.filter(hazard=hazard).order_by("at", "pk").last()
    assert last is not None
    assert last.actor == cast.by_role[who]
    assert last.step != Step.REGISTER


@pytest.mark.parametrize("step", sorted(STEPS))
def test_no_one_without_a_say_over_the_hazard_may_keep_it(cast: Cast, step: str) -> None:
    hazard = registered(cast)  # in grid g1, kept by T1's police station
    outsiders = [
        cast.outsider,  # another township's intake officer
        cast.by_role[Role.LEADER],  # watches, does not keep
        cast.by_role[Role.CARE_WORKER],
        cast.by_role[Role.ADMINISTRATOR],
        cast.by_role[Role.MEDIATOR],  # V1's committee is not the responsible unit
        make_user("county_hr", Role.UNIT_HANDLER, unit=cast.units.county_bureau),
        make_user("t2_police", Role.UNIT_HANDLER, unit=cast.units.t2_station),
        make_user("g2_grid", Role.GRID_WORKER, region=cast.places.g2),
    ]
    before = snapshot(hazard)
    for by in outsiders:
        with pytest.raises(PermissionDenied):
            STEPS[step](by, hazard)
    assert snapshot(hazard) == before


def test_the_responsible_units_handler_keeps_it_wherever_it_lies_and_loses_it_on_reassign(
    cast: Cast,
) -> None:
    county_hr = make_user("county_hr", Role.UNIT_HANDLER, unit=cast.units.county_bureau)
    station = cast.by_role[Role.UNIT_HANDLER]
    hazard = registered(cast, responsible_unit=cast.units.county_bureau)
    with pytest.raises(PermissionDenied):
        _review(station, hazard)  # T1's station, though in the township: not its unit's
    _review(county_hr, hazard)
    services.hazard_reassign(
        by=county_hr,
        hazard=hazard,
        responsible_unit=cast.units.t1_station,
        guardian_name="王强",
        reason="属地管理",
    )
    with pytest.raises(PermissionDenied):
        _review(county_hr, hazard)
    _review(station, hazard)


# --- Closed hazards ---------------------------------------------------------------------


@pytest.mark.parametrize("closed", [Status.RESOLVED, Status.ELIMINATED, Status.ESCALATED])
@pytest.mark.parametrize("step", sorted(STEPS))
def test_no_step_is_taken_on_a_closed_hazard(cast: Cast, closed: Status, step: str) -> None:
    hazard = hazard_in(cast, closed)
    before = snapshot(hazard)
    with pytest.raises(Refused, match=rules.STATUS_NAMES[closed]):
        STEPS[step](cast.by_role[Role.INTAKE_OFFICER], hazard)
    assert snapshot(hazard) == before


def test_closing_stops_the_reviews_and_dates_the_closure(cast: Cast) -> None:
    hazard = hazard_in(cast, Status.RESOLVED)
    hazard.refresh_from_db()
    assert hazard.status == Status.RESOLVED
    assert hazard.next_review_on is None
    assert hazard.closed_on == timezone.localdate()
    assert services.sweep_hazard_reviews(timezone.localdate() + timedelta(days=400)) == 0


def test_resolving_and_eliminating_say_what_happened(cast: Cast) -> None:
    hazard = registered(cast)
    intake = cast.by_role[Role.INTAKE_OFFICER]
    for close in (services.hazard_resolve, services.hazard_eliminate):
        with pytest.raises(ValidationError) as refused:
            close(by=intake, hazard=hazard, note="  ")
        assert set(refused.value.message_dict) == {"note"}
    services.hazard_eliminate(by=intake, hazard=hazard, note="项目已停工清场")
    last = HazardEvent.objects.filter(hazard=hazard).last()
    assert last is not None
    assert (last.step, last.from_status, last.to_status, last.note) == (
        Step.ELIMINATE,
        Status.CONTROLLED,
        Status.ELIMINATED,
        "项目已停工清场",
    )


# --- The timeline -----------------------------------------------------------------------


def test_every_step_appends_to_the_timeline_and_never_rewrites_it(cast: Cast) -> None:
    intake = cast.by_role[Role.INTAKE_OFFICER]
    hazard = registered(cast)

    def rows() -> list[tuple[Any, ...]]:
        events = HazardEvent.objects.filter(hazard=hazard).order_by("at", "pk")
        return [(e.pk, e.step, e.from_status, e.to_status, e.at, e.note, e.data) for e in events]

    seen = rows()
    for step in ("measure", "review", "reassign", "resolve"):
        STEPS[step](intake, hazard)
        now = rows()
        assert len(now) == len(seen) + 1
        assert now[: len(seen)] == seen  # what was written stays as written
        seen = now
    assert [row[1] for row in seen] == ["register", "plan", "review", "reassign", "resolve"]
    event = HazardEvent.objects.filter(hazard=hazard).first()
    assert event is not None
    event.note = "改写"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        HazardEvent.objects.filter(hazard=hazard).update(note="改写")
    with pytest.raises(TypeError):
        HazardEvent.objects.filter(hazard=hazard).delete()


# --- The plan (一事一策) ----------------------------------------------------------------


def test_a_measure_is_added_and_later_marked_done(cast: Cast) -> None:
    keeper = cast.by_role[Role.UNIT_HANDLER]
    hazard = registered(cast)
    _measure(keeper, hazard)
    measure = hazard.measures.get()
    assert measure.done_on is None
    services.hazard_complete_measure(by=keeper, hazard=hazard, measure=measure, note="已结清")
    measure.refresh_from_db()
    assert measure.done_on == timezone.localdate()
    assert measure.done_note == "已结清"
    with pytest.raises(ValidationError) as refused:
        services.hazard_complete_measure(by=keeper, hazard=hazard, measure=measure)
    assert refused.value.message_dict == {"measure": ["该措施已落实"]}


def test_a_measure_of_another_hazard_cannot_be_marked_done_here(cast: Cast) -> None:
    keeper = cast.by_role[Role.INTAKE_OFFICER]
    hazard, other = registered(cast), registered(cast)
    _measure(keeper, other)
    before = snapshot(hazard)
    with pytest.raises(ValidationError):
        services.hazard_complete_measure(by=keeper, hazard=hazard, measure=other.measures.get())
    assert snapshot(hazard) == before
    assert other.measures.get().done_on is None


def test_a_measure_needs_what_who_and_a_date_not_before_the_discovery(cast: Cast) -> None:
    keeper = cast.by_role[Role.INTAKE_OFFICER]
    hazard = registered(cast, discovered_on=timezone.localdate() - timedelta(days=3))
    due = timezone.localdate()
    for kwargs, field in [
        ({"content": "", "owner": "李明", "due_on": due}, "content"),
        ({"content": "约谈", "owner": " ", "due_on": due}, "owner"),
        ({"content": "约谈", "owner": "李明", "due_on": due - timedelta(days=4)}, "due_on"),
    ]:
        with pytest.raises(ValidationError) as refused:
            services.hazard_add_measure(by=keeper, hazard=hazard, **kwargs)
        assert set(refused.value.message_dict) == {field}
    assert not hazard.measures.exists()


# --- Review (复查) ----------------------------------------------------------------------


def test_a_review_at_the_same_level_moves_the_next_review_by_the_same_interval(
    cast: Cast,
) -> None:
    hazard = registered(cast, review_every_days=10)
    _review(cast.by_role[Role.GRID_WORKER], hazard)
    today = timezone.localdate()
    assert hazard.review_every_days == 10
    assert hazard.next_review_on == today + timedelta(days=10)
    review = hazard.reviews.get()
    assert (review.reviewed_on, review.level, review.next_review_on) == (
        today,
        "medium",
        today + timedelta(days=10),
    )


def test_a_review_that_raises_the_level_takes_that_levels_interval(cast: Cast) -> None:
    hazard = registered(cast, review_every_days=10)
    services.hazard_review(
        by=cast.by_role[Role.UNIT_HANDLER],
        hazard=hazard,
        finding="工人聚集讨薪",
        level="major",
        level_reasons="30余人聚集",
    )
    hazard.refresh_from_db()
    assert hazard.level == "major"
    assert hazard.level_reasons == "30余人聚集"
    assert hazard.review_every_days == rules.REVIEW_DAYS["major"]
    assert hazard.next_review_on == timezone.localdate() + timedelta(days=7)
    event = HazardEvent.objects.filter(hazard=hazard, step=Step.REVIEW).get()
    assert event.data["from_level"] == "medium"
    assert event.data["level"] == "major"


def test_a_review_may_set_its_own_next_date_but_not_today_or_earlier(cast: Cast) -> None:
    keeper = cast.by_role[Role.INTAKE_OFFICER]
    hazard = registered(cast)
    today = timezone.localdate()
    before = snapshot(hazard)
    for bad in (today, today - timedelta(days=1)):
        with pytest.raises(ValidationError) as refused:
            services.hazard_review(
                by=keeper, hazard=hazard, finding="稳定", level="medium", next_review_on=bad
            )
        assert set(refused.value.message_dict) == {"next_review_on"}
    assert snapshot(hazard) == before
    services.hazard_review(
        by=keeper,
        hazard=hazard,
        finding="稳定",
        level="medium",
        next_review_on=today + timedelta(days=3),
    )
    assert hazard.next_review_on == today + timedelta(days=3)


def test_a_review_to_high_needs_reasons_unless_the_hazard_already_had_them(cast: Cast) -> None:
    keeper = cast.by_role[Role.INTAKE_OFFICER]
    hazard = registered(cast)
    with pytest.raises(ValidationError) as refused:
        services.hazard_review(by=keeper, hazard=hazard, finding="升级", level="high")
    assert set(refused.value.message_dict) == {"level_reasons"}
    high = registered(cast, level="high", level_reasons="人数多")
    services.hazard_review(by=keeper, hazard=high, finding="仍不稳定", level="high")
    assert high.level_reasons == "人数多"


# --- Reassign ---------------------------------------------------------------------------


def inactive_unit(cast: Cast) -> Unit:
    return Unit.objects.create(
        name="已撤并的站所", kind=Unit.Kind.OTHER, region=cast.places.t1, is_active=False
    )


def test_reassigning_records_from_whom_to_whom(cast: Cast) -> None:
    hazard = registered(cast)
    services.hazard_reassign(
        by=cast.by_role[Role.INTAKE_OFFICER],
        hazard=hazard,
        responsible_unit=cast.units.v1_committee,
        guardian_name="赵敏",
        guardian_phone="13900000009",
        reason="交由村调委会包保",
    )
    hazard.refresh_from_db()
    assert (hazard.responsible_unit, hazard.guardian_name, hazard.guardian_phone) == (
        cast.units.v1_committee,
        "赵敏",
        "13900000009",
    )
    event = HazardEvent.objects.filter(hazard=hazard, step=Step.REASSIGN).get()
    assert event.note == "交由村调委会包保"
    assert event.data == {
        "from_unit": "宁州派出所",
        "unit": "右所社区调委会",
        "from_guardian": "李明",
        "guardian": "赵敏",
    }


@pytest.mark.parametrize("bad", ["other_township", "inactive", "no_reason", "no_guardian"])
def test_a_bad_reassignment_is_refused_and_changes_nothing(cast: Cast, bad: str) -> None:
    hazard = registered(cast)
    inactive = inactive_unit(cast)
    kwargs: dict[str, Any] = {
        "responsible_unit": cast.units.v1_committee,
        "guardian_name": "赵敏",
        "reason": "调整",
    }
    field = {
        "other_township": "responsible_unit",
        "inactive": "responsible_unit",
        "no_reason": "reason",
        "no_guardian": "guardian_name",
    }[bad]
    if bad == "other_township":
        kwargs["responsible_unit"] = cast.units.t2_station
    elif bad == "inactive":
        kwargs["responsible_unit"] = inactive
    elif bad == "no_reason":
        kwargs["reason"] = ""
    else:
        kwargs["guardian_name"] = ""
    before = snapshot(hazard)
    with pytest.raises(ValidationError) as refused:
        services.hazard_reassign(by=cast.by_role[Role.INTAKE_OFFICER], hazard=hazard, **kwargs)
    assert set(refused.value.message_dict) == {field}
    assert snapshot(hazard) == before


# --- Escalation -------------------------------------------------------------------------


def test_escalation_registers_a_screening_case_linked_both_ways(cast: Cast) -> None:
    grid_worker = cast.by_role[Role.GRID_WORKER]
    hazard = registered(cast, level="high", level_reasons="12人", amount=180000)
    services.hazard_escalate(
        by=grid_worker,
        hazard=hazard,
        applicant_name="陈建华",
        applicant_phone="13987700001",
        note="工人到工地聚集讨薪",
    )
    hazard.refresh_from_db()
    assert hazard.status == Status.ESCALATED
    assert hazard.get_status_display() == "已转为事项"
    assert hazard.closed_on == timezone.localdate()
    assert hazard.next_review_on is None
    case = Case.objects.get()
    assert hazard.case == case
    assert case.from_hazard == hazard  # type: ignore[attr-defined]
    assert case.channel == Case.Channel.SCREENING
    assert case.get_channel_display() == "排查发现"
    assert (case.title, case.region, case.category) == (
        hazard.title,
        hazard.region,
        hazard.category,
    )
    assert case.risk_level == "high"
    assert case.people_count == 12
    assert hazard.code in case.description
    assert case.registered_by == grid_worker
    applicant = case.parties.get()
    assert (applicant.name, applicant.phone) == ("陈建华", "13987700001")
    event = HazardEvent.objects.filter(hazard=hazard).last()
    assert event is not None
    assert (event.step, event.data["case"]) == (Step.ESCALATE, case.code)


def test_escalation_needs_the_person_who_raises_the_dispute(cast: Cast) -> None:
    hazard = registered(cast)
    before = snapshot(hazard)
    with pytest.raises(ValidationError) as refused:
        services.hazard_escalate(
            by=cast.by_role[Role.INTAKE_OFFICER], hazard=hazard, applicant_name=" "
        )
    assert set(refused.value.message_dict) == {"applicant_name"}
    assert snapshot(hazard) == before
