"""The scheduled deadline sweep, and counting a merged duplicate once.

The cases here are accepted on Monday 2 March 2026 under "一般事项" (15 working days, a
warning 2 working days ahead). No holiday falls in March 2026, so the deadline is the 15th
weekday after 2 March: Tue 3 (1) … Fri 6 (4), Mon 9 … Fri 13 (9), Mon 16 … Fri 20 (14),
Mon 23 March (15).
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.cases import services
from zongzhi.cases.models import Case, CaseEvent, ClockPause, DeadlineAlert, SupervisionOrder
from zongzhi.cases.rules import Status, Step
from zongzhi.cases.tests.factories import case_in, registered
from zongzhi.conftest import Cast

SHANGHAI = ZoneInfo("Asia/Shanghai")
ACCEPTED_ON = date(2026, 3, 2)
DUE_ON = date(2026, 3, 23)


class Clock:
    def __init__(self) -> None:
        self.now = datetime.combine(ACCEPTED_ON, time(10), SHANGHAI)

    def set(self, day: date) -> None:
        self.now = datetime.combine(day, time(10), SHANGHAI)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


def sweep(clock: Clock, day: date) -> services.SweepReport:
    """The nightly run on `day` (the clock agrees with it, as it would in production)."""
    clock.set(day)
    return services.sweep_deadlines(today=day)


def in_progress(cast: Cast, clock: Clock) -> Case:
    clock.set(ACCEPTED_ON)
    case = case_in(cast, Status.IN_PROGRESS)
    assert case.due_on == DUE_ON
    return case


def orders(case: Case) -> list[SupervisionOrder]:
    return list(SupervisionOrder.objects.filter(case=case, automatic=True).order_by("pk"))


def steps(case: Case, step: Step) -> list[CaseEvent]:
    return list(case.events.filter(step=step).order_by("pk"))


# --- Overdue: one automatic supervision order per missed deadline -----------------------


@pytest.mark.parametrize(
    "status", [Status.REGISTERED, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS]
)
def test_an_overdue_open_case_gets_one_automatic_supervision_order_and_a_timeline_entry(
    cast: Cast, clock: Clock, status: Status
) -> None:
    clock.set(ACCEPTED_ON)
    case = case_in(cast, status)
    assert case.due_on is not None
    day_after = date.fromordinal(case.due_on.toordinal() + 1)

    report = sweep(clock, day_after)
    assert report.supervised == 1

    [order] = orders(case)
    assert order.for_due_on == case.due_on
    assert order.issued_by is None
    [event] = steps(case, Step.SUPERVISE)
    assert event.actor_name == "系统"
    assert event.data["automatic"] is True
    assert event.data["order"] == order.pk
    assert event.from_status == event.to_status == status
    case.refresh_from_db()
    assert case.status == status


def test_the_automatic_order_asks_for_an_answer_within_the_policys_working_days(
    cast: Cast, clock: Clock
) -> None:
    case = in_progress(cast, clock)
    sweep(clock, date(2026, 3, 24))  # Tuesday, the day after the deadline
    [order] = orders(case)
    # 3 working days after Tue 24 Mar: Wed 25, Thu 26, Fri 27.
    assert order.answer_due_on == date(2026, 3, 27)
    assert "2026-03-23" in order.text


def test_running_the_sweep_again_adds_no_second_order_that_day_or_the_next(
    cast: Cast, clock: Clock
) -> None:
    case = in_progress(cast, clock)
    assert sweep(clock, date(2026, 3, 24)).supervised == 1
    entries = case.events.count()

    again = sweep(clock, date(2026, 3, 24))
    next_day = sweep(clock, date(2026, 3, 25))
    a_week_later = sweep(clock, date(2026, 3, 31))

    for report in (again, next_day, a_week_later):
        assert report == services.SweepReport()
    assert len(orders(case)) == 1
    assert case.events.count() == entries


# --- Near the deadline: one warning ----------------------------------------------------


def test_a_case_near_its_deadline_is_warned_once_and_only_once(cast: Cast, clock: Clock) -> None:
    case = in_progress(cast, clock)
    # Wed 18 Mar: Thu 19, Fri 20, Mon 23 — 3 working days left, more than the 2 to warn.
    assert sweep(clock, date(2026, 3, 18)).warned == 0
    assert not DeadlineAlert.objects.filter(case=case).exists()

    # Thu 19 Mar: Fri 20, Mon 23 — 2 working days left.
    assert sweep(clock, date(2026, 3, 19)).warned == 1
    [alert] = DeadlineAlert.objects.filter(case=case)
    assert alert.due_on == DUE_ON
    [event] = steps(case, Step.WARN)
    assert event.actor_name == "系统"
    assert event.data["due_on"] == "2026-03-23"

    for day in (date(2026, 3, 19), date(2026, 3, 20), date(2026, 3, 23)):
        assert sweep(clock, day).warned == 0
    assert DeadlineAlert.objects.filter(case=case).count() == 1
    assert len(steps(case, Step.WARN)) == 1
    # The warning is not a supervision order: that comes only once the day has passed.
    assert not orders(case)


def test_a_case_with_time_to_spare_is_left_alone(cast: Cast, clock: Clock) -> None:
    case = in_progress(cast, clock)
    entries = case.events.count()
    assert sweep(clock, date(2026, 3, 10)) == services.SweepReport()
    assert case.events.count() == entries


# --- Paused, extended, finished ------------------------------------------------------


def test_a_paused_case_is_neither_warned_nor_supervised(cast: Cast, clock: Clock) -> None:
    case = in_progress(cast, clock)
    clock.set(date(2026, 3, 10))
    services.case_pause(
        by=cast.by_role[Role.UNIT_HANDLER],
        case=case,
        reason=ClockPause.Reason.APPRAISAL,
        until=date(2026, 6, 30),
    )
    entries = case.events.count()
    for day in (date(2026, 3, 19), date(2026, 3, 24), date(2026, 4, 30)):
        assert sweep(clock, day) == services.SweepReport()
    assert not orders(case)
    assert not DeadlineAlert.objects.filter(case=case).exists()
    assert case.events.count() == entries


def test_after_an_extension_the_new_deadline_is_warned_and_supervised_again(
    cast: Cast, clock: Clock
) -> None:
    case = in_progress(cast, clock)
    assert sweep(clock, date(2026, 3, 19)).warned == 1
    assert sweep(clock, date(2026, 3, 24)).supervised == 1

    clock.set(date(2026, 3, 25))
    services.case_request_extension(
        by=cast.by_role[Role.UNIT_HANDLER], case=case, days=5, reason="需调取监控"
    )
    services.case_grant_extension(by=cast.by_role[Role.LEADER], case=case, note="同意")
    # 5 working days after Mon 23 Mar: Tue 24, Wed 25, Thu 26, Fri 27, Mon 30.
    assert case.due_on == date(2026, 3, 30)

    # Wed 25 Mar: 3 working days left (26, 27, 30): no warning yet.
    assert sweep(clock, date(2026, 3, 25)) == services.SweepReport()
    # Thu 26 Mar: 2 left (27, 30).
    assert sweep(clock, date(2026, 3, 26)).warned == 1
    assert sweep(clock, date(2026, 3, 27)).warned == 0
    assert sweep(clock, date(2026, 3, 31)).supervised == 1
    assert sweep(clock, date(2026, 4, 1)) == services.SweepReport()

    assert [o.for_due_on for o in orders(case)] == [DUE_ON, date(2026, 3, 30)]
    assert sorted(a.due_on for a in DeadlineAlert.objects.filter(case=case)) == [
        DUE_ON,
        date(2026, 3, 30),
    ]
    assert len(steps(case, Step.WARN)) == 2
    assert len(steps(case, Step.SUPERVISE)) == 2


@pytest.mark.parametrize(
    "status", [Status.REJECTED, Status.CLOSED, Status.VISITED, Status.ARCHIVED, Status.MERGED]
)
def test_cases_that_are_finished_are_ignored(cast: Cast, clock: Clock, status: Status) -> None:
    clock.set(ACCEPTED_ON)
    case = case_in(cast, status)
    entries = case.events.count()
    for day in (date(2026, 3, 19), date(2026, 3, 24), date(2026, 12, 31)):
        sweep(clock, day)
    assert not SupervisionOrder.objects.filter(case=case).exists()
    assert not DeadlineAlert.objects.filter(case=case).exists()
    assert case.events.count() == entries


# --- A merged duplicate ----------------------------------------------------------------


def test_a_merged_duplicate_is_counted_once_and_keeps_its_own_timeline(
    cast: Cast, clock: Clock
) -> None:
    clock.set(ACCEPTED_ON)
    survivor = registered(cast)
    duplicate = registered(
        cast,
        title="通道堆物（同一事项再次反映）",
        parties=[
            services.NewParty(role="applicant", name="王五", phone="13800000003"),
            # The same respondent as on the survivor: not copied twice.
            services.NewParty(role="respondent", name="李四", phone="13800000002"),
        ],
        people_count=3,
    )
    assert Case.objects.counted().count() == 2

    services.case_merge(
        by=cast.by_role[Role.INTAKE_OFFICER], case=duplicate, into=survivor, note="同一事项"
    )

    assert list(Case.objects.counted()) == [survivor]
    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    assert duplicate.status == Status.MERGED
    assert duplicate.merged_into == survivor
    assert duplicate.due_on is None
    # Nothing of the duplicate is lost: its timeline and its parties are still its own.
    assert [(e.step, e.to_status) for e in duplicate.events.order_by("pk")] == [
        (Step.REGISTER, Status.REGISTERED),
        (Step.MERGE, Status.MERGED),
    ]
    assert sorted(duplicate.parties.values_list("name", flat=True)) == ["李四", "王五"]
    # The survivor gained the duplicate's new party, once, and says where it came from.
    assert sorted(survivor.parties.values_list("name", flat=True)) == ["张三", "李四", "王五"]
    assert survivor.people_count == 3
    [absorbed] = steps(survivor, Step.ABSORB)
    assert absorbed.data["duplicate"] == duplicate.code
    assert survivor.status == Status.REGISTERED
    assert list(survivor.merged_cases.all()) == [duplicate]


def test_the_centre_answers_the_automatic_order_on_a_case_it_has_not_accepted_in_time(
    cast: Cast,
) -> None:
    case = case_in(cast, Status.REGISTERED)
    assert case.due_on is not None
    services.sweep_deadlines(today=case.due_on + timedelta(days=1))
    order = SupervisionOrder.objects.get(case=case, automatic=True)
    # No unit has the case yet: the township's intake officer answers, not a unit.
    with pytest.raises(PermissionDenied):
        services.case_answer_supervision(
            by=cast.by_role[Role.UNIT_HANDLER], case=case, order=order, answer="x"
        )
    services.case_answer_supervision(
        by=cast.by_role[Role.INTAKE_OFFICER],
        case=case,
        order=order,
        answer="已补登记材料，今日受理",
    )
    order.refresh_from_db()
    assert order.answer == "已补登记材料，今日受理"
    last = case.events.last()
    assert last is not None and last.step == Step.ANSWER_SUPERVISION_AT_CENTRE
    page = cast.client_for(cast.by_role[Role.INTAKE_OFFICER]).get(f"/cases/{case.code}/")
    assert 'data-step="answer_supervision"' not in page.content.decode()  # answered now
