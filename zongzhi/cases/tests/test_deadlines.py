"""Deadlines as a user sees them on a case, through the services, with the clock fixed.

Every expected date is counted by hand in the comments, on the State Council's schedules:
2025 National Day and Mid-Autumn 1–8 October (Sunday 28 September and Saturday 11 October
worked); 2026 Spring Festival 15–23 February (Saturday 14 and Saturday 28 February worked);
2026 Qingming 4–6 April. Working-day periods do not count their first day; a calendar-day
period that ends on a rest day ends on the next working day (民法典 Art. 203).
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.cases import services
from zongzhi.cases.models import Case, ClockPause, ExtensionRequest
from zongzhi.cases.rules import Status, Step
from zongzhi.cases.tests.factories import case_in, new_case, registered
from zongzhi.conftest import Cast
from zongzhi.core.errors import Refused

SHANGHAI = ZoneInfo("Asia/Shanghai")
GENERAL = "一般事项"
PETITION = "信访事项（信访工作条例）"


class Clock:
    """The time the services read (timezone.now, and so timezone.localdate)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 10, tzinfo=SHANGHAI)

    def set(self, day: date) -> None:
        self.now = datetime.combine(day, time(10), SHANGHAI)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


def test_the_calendar_package_has_the_schedules_these_tests_count_on() -> None:
    worked = [date(2026, 2, 14), date(2026, 2, 28), date(2025, 9, 28), date(2025, 10, 11)]
    assert all(chinese_calendar.is_workday(d) for d in worked)
    spring_festival = [date(2026, 2, d) for d in range(15, 24)]
    national_day = [date(2025, 10, d) for d in range(1, 9)]
    qingming = [date(2026, 4, d) for d in range(4, 7)]
    assert not any(
        chinese_calendar.is_workday(d) for d in spring_festival + national_day + qingming
    )


# --- Working days around the holidays ---------------------------------------------------


def test_a_case_registered_before_the_spring_festival_is_due_after_it_counting_the_worked_saturdays(
    cast: Cast, clock: Clock
) -> None:
    clock.set(date(2026, 2, 12))  # Thursday
    case = registered(cast)
    assert case.policy is not None and case.policy.name == GENERAL
    # To accept, 3 working days after Thu 12 Feb: Fri 13 (1), Sat 14 (2, 调休),
    # 15–23 holiday, Tue 24 (3).
    assert case.due_on == date(2026, 2, 24)

    services.case_accept(by=cast.by_role[Role.INTAKE_OFFICER], case=case)
    # To handle, 15 working days after Thu 12 Feb: Fri 13 (1), Sat 14 (2, 调休), 15–23
    # holiday, Tue 24 (3), Wed 25 (4), Thu 26 (5), Fri 27 (6), Sat 28 (7, 调休), Sun 1 Mar
    # rest, Mon 2 (8), Tue 3 (9), Wed 4 (10), Thu 5 (11), Fri 6 (12), weekend, Mon 9 (13),
    # Tue 10 (14), Wed 11 (15).
    assert case.due_on == date(2026, 3, 11)
    assert case.accepted_on == date(2026, 2, 12)
    event = case.events.last()
    assert event is not None and event.step == Step.ACCEPT
    assert event.data["due_on"] == "2026-03-11"


def test_a_case_accepted_before_national_day_is_due_after_it_counting_the_worked_weekend_days(
    cast: Cast, clock: Clock
) -> None:
    clock.set(date(2025, 9, 26))  # Friday
    case = registered(cast)
    # To accept, 3 working days after Fri 26 Sep: Sat 27 rest, Sun 28 (1, 调休),
    # Mon 29 (2), Tue 30 (3).
    assert case.due_on == date(2025, 9, 30)

    services.case_accept(by=cast.by_role[Role.INTAKE_OFFICER], case=case)
    # 15 working days after Fri 26 Sep: Sun 28 (1, 调休), Mon 29 (2), Tue 30 (3), 1–8 Oct
    # holiday, Thu 9 (4), Fri 10 (5), Sat 11 (6, 调休), Sun 12 rest, Mon 13 (7), Tue 14 (8),
    # Wed 15 (9), Thu 16 (10), Fri 17 (11), weekend, Mon 20 (12), Tue 21 (13), Wed 22 (14),
    # Thu 23 (15).
    assert case.due_on == date(2025, 10, 23)


# --- Petitions: calendar days, the end moved off a rest day ----------------------------


def test_a_petitions_sixty_days_ending_in_the_national_day_holiday_end_on_the_next_working_day(
    cast: Cast, clock: Clock
) -> None:
    clock.set(date(2025, 8, 4))  # Monday
    case = registered(cast, channel=Case.Channel.PETITION)
    assert case.policy is not None and case.policy.name == PETITION
    assert case.petition_stage == Case.PetitionStage.ORIGINAL
    # To accept, 15 calendar days: Tue 19 Aug, a working day.
    assert case.due_on == date(2025, 8, 19)

    services.case_accept(by=cast.by_role[Role.INTAKE_OFFICER], case=case)
    # 60 calendar days after 4 Aug: 27 to 31 Aug, 30 to 30 Sep, 3 to Fri 3 Oct — inside
    # the 1–8 October holiday, so the limit is the first working day after it, Thu 9 Oct.
    assert case.due_on == date(2025, 10, 9)


def test_a_petitions_acceptance_limit_ending_on_national_day_moves_past_the_holiday(
    cast: Cast, clock: Clock
) -> None:
    clock.set(date(2025, 9, 16))  # Tuesday
    case = registered(cast, channel=Case.Channel.PETITION)
    # 15 calendar days after 16 Sep: Wed 1 Oct, National Day → Thu 9 Oct.
    assert case.due_on == date(2025, 10, 9)


def test_a_petition_received_at_the_counter_is_still_timed_by_the_regulation(
    cast: Cast, clock: Clock
) -> None:
    # A 信访事项 that came in by a walk-in visit is a petition all the same.
    clock.set(date(2025, 8, 4))
    case = registered(cast, channel=Case.Channel.VISIT, petition_stage="original")
    assert case.policy is not None and case.policy.name == PETITION
    services.case_accept(by=cast.by_role[Role.INTAKE_OFFICER], case=case)
    assert case.due_on == date(2025, 10, 9)  # as counted above, not 15 working days


# --- Extensions ---------------------------------------------------------------------


def petition_in_progress(cast: Cast, clock: Clock) -> Case:
    clock.set(date(2026, 1, 8))  # Thursday
    case = case_in(cast, Status.IN_PROGRESS, channel=Case.Channel.PETITION)
    # 60 calendar days after Thu 8 Jan: 23 to 31 Jan, 28 to 28 Feb, 9 to Mon 9 Mar, a
    # working day.
    assert case.due_on == date(2026, 3, 9)
    return case


def test_a_petition_is_extended_only_when_the_petitioner_is_told(cast: Cast, clock: Clock) -> None:
    case = petition_in_progress(cast, clock)
    handler, leader = cast.by_role[Role.UNIT_HANDLER], cast.by_role[Role.LEADER]
    clock.set(date(2026, 2, 26))
    services.case_request_extension(by=handler, case=case, days=30, reason="需现场勘验")
    events = case.events.count()

    with pytest.raises(ValidationError) as refused:
        services.case_grant_extension(by=leader, case=case, note="同意", applicant_told_by="  ")
    assert "applicant_told_by" in refused.value.message_dict
    case.refresh_from_db()
    assert case.due_on == date(2026, 3, 9)
    assert case.events.count() == events
    assert case.extension_requests.get().decision == ExtensionRequest.Decision.PENDING

    services.case_grant_extension(
        by=leader, case=case, note="同意", applicant_told_by="电话告知信访人"
    )
    # 30 calendar days after Mon 9 Mar: 22 to 31 Mar, 8 to Wed 8 Apr, a working day.
    assert case.due_on == date(2026, 4, 8)
    request = case.extension_requests.get()
    assert request.decision == ExtensionRequest.Decision.GRANTED
    assert request.applicant_told_by == "电话告知信访人"


def test_a_petition_is_extended_by_thirty_days_at_most(cast: Cast, clock: Clock) -> None:
    case = petition_in_progress(cast, clock)
    with pytest.raises(ValidationError) as refused:
        services.case_request_extension(
            by=cast.by_role[Role.UNIT_HANDLER], case=case, days=31, reason="需现场勘验"
        )
    assert "days" in refused.value.message_dict
    assert not case.extension_requests.exists()


def test_a_petition_is_extended_once_only(cast: Cast, clock: Clock) -> None:
    case = petition_in_progress(cast, clock)
    handler, leader = cast.by_role[Role.UNIT_HANDLER], cast.by_role[Role.LEADER]
    services.case_request_extension(by=handler, case=case, days=10, reason="需现场勘验")
    services.case_grant_extension(by=leader, case=case, applicant_told_by="书面告知")
    # 10 calendar days after Mon 9 Mar: Thu 19 Mar.
    assert case.due_on == date(2026, 3, 19)

    with pytest.raises(Refused, match="只能延期一次"):
        services.case_request_extension(by=handler, case=case, days=5, reason="还需时间")
    case.refresh_from_db()
    assert case.due_on == date(2026, 3, 19)
    assert case.extension_requests.count() == 1


def test_a_refused_extension_does_not_use_up_a_petitions_one_extension(
    cast: Cast, clock: Clock
) -> None:
    case = petition_in_progress(cast, clock)
    handler, leader = cast.by_role[Role.UNIT_HANDLER], cast.by_role[Role.LEADER]
    services.case_request_extension(by=handler, case=case, days=30, reason="需现场勘验")
    services.case_refuse_extension(by=leader, case=case, note="理由不充分")
    assert case.due_on == date(2026, 3, 9)
    services.case_request_extension(by=handler, case=case, days=20, reason="补充鉴定材料")
    services.case_grant_extension(by=leader, case=case, applicant_told_by="书面告知")
    # 20 calendar days after Mon 9 Mar: Sun 29 Mar, a rest day → Mon 30 Mar.
    assert case.due_on == date(2026, 3, 30)


def test_an_ordinary_case_may_be_extended_more_than_once_and_by_working_days(
    cast: Cast, clock: Clock
) -> None:
    clock.set(date(2026, 2, 12))
    case = case_in(cast, Status.IN_PROGRESS)
    assert case.due_on == date(2026, 3, 11)  # counted in the first test
    handler, leader = cast.by_role[Role.UNIT_HANDLER], cast.by_role[Role.LEADER]
    services.case_request_extension(by=handler, case=case, days=5, reason="需调取材料")
    services.case_grant_extension(by=leader, case=case)
    # 5 working days after Wed 11 Mar: Thu 12, Fri 13, Mon 16, Tue 17, Wed 18.
    assert case.due_on == date(2026, 3, 18)
    services.case_request_extension(by=handler, case=case, days=40, reason="需司法鉴定")
    services.case_grant_extension(by=leader, case=case)
    assert case.extension_requests.filter(decision="granted").count() == 2


# --- Pausing the clock --------------------------------------------------------------


def paused_for_a_hearing(cast: Cast, clock: Clock) -> Case:
    clock.set(date(2025, 9, 15))  # Monday
    case = case_in(cast, Status.IN_PROGRESS)
    # 15 working days after Mon 15 Sep: Tue 16 (1) … Fri 19 (4), Mon 22 (5) … Fri 26 (9),
    # Sun 28 (10, 调休), Mon 29 (11), Tue 30 (12), 1–8 Oct holiday, Thu 9 (13), Fri 10 (14),
    # Sat 11 (15, 调休).
    assert case.due_on == date(2025, 10, 11)
    clock.set(date(2025, 9, 26))  # Friday
    services.case_pause(
        by=cast.by_role[Role.UNIT_HANDLER],
        case=case,
        reason=ClockPause.Reason.HEARING,
        until=date(2025, 10, 13),
    )
    assert case.paused_since == date(2025, 9, 26)
    assert case.due_on == date(2025, 10, 11)
    return case


def test_resuming_after_a_hearing_moves_the_deadline_by_the_working_days_paused(
    cast: Cast, clock: Clock
) -> None:
    case = paused_for_a_hearing(cast, clock)
    clock.set(date(2025, 9, 30))  # Tuesday
    services.case_resume(by=cast.by_role[Role.UNIT_HANDLER], case=case)
    # Paused after Fri 26 Sep up to Tue 30 Sep: Sun 28 (调休), Mon 29, Tue 30 — 3 working
    # days. 3 working days after Sat 11 Oct: Mon 13, Tue 14, Wed 15.
    assert case.due_on == date(2025, 10, 15)
    assert case.paused_since is None
    assert case.pauses.get().ended_on == date(2025, 9, 30)


def test_the_sweep_resumes_a_pause_on_its_date_even_when_it_runs_late(
    cast: Cast, clock: Clock
) -> None:
    case = paused_for_a_hearing(cast, clock)
    clock.set(date(2025, 10, 12))
    assert services.sweep_deadlines(today=date(2025, 10, 12)).resumed == 0
    case.refresh_from_db()
    assert case.paused_since == date(2025, 9, 26)

    clock.set(date(2025, 10, 14))  # the sweep did not run on the 13th
    assert services.sweep_deadlines(today=date(2025, 10, 14)).resumed == 1
    case.refresh_from_db()
    # Paused after Fri 26 Sep up to Mon 13 Oct (the pause's date): Sun 28, Mon 29, Tue 30,
    # Thu 9, Fri 10, Sat 11 (调休), Mon 13 — 7 working days. 7 working days after Sat 11
    # Oct: Mon 13, Tue 14, Wed 15, Thu 16, Fri 17, Mon 20, Tue 21.
    assert case.due_on == date(2025, 10, 21)
    assert case.paused_since is None
    assert case.pauses.get().ended_on == date(2025, 10, 13)
    event = case.events.last()
    assert event is not None and event.step == Step.RESUME and event.actor_name == "系统"


def test_escalating_a_paused_case_restarts_its_clock(cast: Cast, clock: Clock) -> None:
    case = paused_for_a_hearing(cast, clock)
    clock.set(date(2025, 9, 30))
    services.case_escalate(
        by=cast.by_role[Role.INTAKE_OFFICER], case=case, reason="涉及县级部门职能"
    )
    # As on resuming that day: 3 working days paused, due Wed 15 Oct.
    assert case.status == Status.ACCEPTED
    assert case.paused_since is None
    assert case.due_on == date(2025, 10, 15)
    assert case.pauses.get().ended_on == date(2025, 9, 30)


# --- Reviews (复查) ---------------------------------------------------------------------


def closed_petition(cast: Cast, clock: Clock, on: date) -> Case:
    clock.set(on)
    case = case_in(cast, Status.CLOSED, channel=Case.Channel.PETITION)
    assert case.closed_on == on
    return case


def review_of(cast: Cast, original: Case, channel: str = Case.Channel.PETITION) -> Case:
    return services.case_register(
        by=cast.by_role[Role.INTAKE_OFFICER],
        new=new_case(
            region=cast.places.g1,
            channel=channel,
            petition_stage=Case.PetitionStage.REVIEW,
            review_of=original,
            title="对处理意见不服，请求复查",
        ),
    )


def test_a_review_is_asked_for_within_thirty_days_of_the_decision_and_answered_in_thirty(
    cast: Cast, clock: Clock
) -> None:
    original = closed_petition(cast, clock, date(2026, 3, 4))  # Wednesday
    # 30 days after Wed 4 Mar: 27 to 31 Mar, 3 to Fri 3 Apr — a working day, so that is
    # the last day. Sat 4 – Mon 6 Apr (Qingming) are after it and change nothing.
    clock.set(date(2026, 4, 7))
    with pytest.raises(ValidationError) as refused:
        review_of(cast, original)
    assert "review_of" in refused.value.message_dict
    assert "30" in refused.value.message_dict["review_of"][0]

    clock.set(date(2026, 4, 3))
    review = review_of(cast, original)
    assert review.petition_stage == Case.PetitionStage.REVIEW
    assert review.handle_days == 30
    # To accept, 15 calendar days after Fri 3 Apr: Sat 18 Apr → Mon 20 Apr.
    assert review.due_on == date(2026, 4, 20)

    clock.set(date(2026, 4, 7))  # Tuesday
    services.case_accept(by=cast.by_role[Role.INTAKE_OFFICER], case=review)
    # 30 calendar days after Tue 7 Apr: 23 to 30 Apr, 7 to Thu 7 May, a working day (not
    # the 60 days of a first petition).
    assert review.due_on == date(2026, 5, 7)


def test_a_review_asked_for_just_after_a_holiday_that_swallowed_its_last_day_is_timely(
    cast: Cast, clock: Clock
) -> None:
    original = closed_petition(cast, clock, date(2025, 9, 5))  # Friday
    # 30 days after Fri 5 Sep: Sun 5 Oct, inside the National Day holiday, so the period
    # ends on Thu 9 Oct (民法典 Art. 203).
    clock.set(date(2025, 10, 10))
    with pytest.raises(ValidationError):
        review_of(cast, original)
    clock.set(date(2025, 10, 9))
    review = review_of(cast, original)
    assert review.review_of == original


def test_a_review_of_a_case_that_is_not_closed_is_refused(cast: Cast, clock: Clock) -> None:
    clock.set(date(2026, 3, 4))
    original = case_in(cast, Status.IN_PROGRESS, channel=Case.Channel.PETITION)
    with pytest.raises(ValidationError) as refused:
        review_of(cast, original)
    assert "review_of" in refused.value.message_dict


def test_a_review_asked_for_at_the_counter_is_timed_as_a_petition(cast: Cast, clock: Clock) -> None:
    original = closed_petition(cast, clock, date(2026, 3, 4))
    clock.set(date(2026, 4, 3))
    review = review_of(cast, original, channel=Case.Channel.VISIT)
    assert review.policy is not None and review.policy.name == PETITION
    clock.set(date(2026, 4, 7))
    services.case_accept(by=cast.by_role[Role.INTAKE_OFFICER], case=review)
    assert review.due_on == date(2026, 5, 7)  # 30 calendar days, as counted above


def test_an_urgent_petition_is_timed_as_urgent_not_by_the_slower_petition_limits(
    cast: Cast,
) -> None:
    case = services.case_register(
        by=cast.by_role[Role.INTAKE_OFFICER],
        new=new_case(
            region=cast.places.g1, channel=Case.Channel.PETITION, threat_of_self_harm=True
        ),
    )
    assert case.policy is not None and case.policy.urgent is True
    assert case.accept_days == 0
    assert case.is_petition  # the regulation's rules on extensions still apply
