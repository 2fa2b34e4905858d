"""Compiling the morning report: which window, which records, for which reasons, and who
answers for each."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.briefings import services
from zongzhi.briefings.models import DailyReport, DailyReportItem
from zongzhi.briefings.tests.factories import (
    DAY,
    YESTERDAY_NOON,
    case_at,
    centres,
    due,
    hazard_at,
    in_progress,
    local,
    morning,
)
from zongzhi.cases import services as case_services
from zongzhi.cases.models import Case
from zongzhi.conftest import Cast
from zongzhi.hazards import services as hazard_services
from zongzhi.hazards.models import Hazard
from zongzhi.units.models import Unit
from zongzhi.units.services import unit_create

pytestmark = pytest.mark.django_db

ONE_DAY = timedelta(days=1)


def report_of(region: object, day: object = DAY) -> DailyReport:
    return DailyReport.objects.get(region=region, report_date=day)


def items_of(region: object, day: object = DAY) -> list[DailyReportItem]:
    return list(report_of(region, day).items.all())


def reasons_by_code(region: object, day: object = DAY) -> dict[str, list[str]]:
    return {i.code: i.reasons for i in items_of(region, day)}


# --- Which regions, which windows -----------------------------------------------------------


def test_the_county_and_each_township_with_a_centre_get_one_report(cast: Cast) -> None:
    p = cast.places
    for name, region in [("华宁县综治中心", p.county), ("宁州街道综治中心", p.t1)]:
        unit_create(by=SYSTEM, name=name, kind=Unit.Kind.CENTRE, region=region)
    # A village's centre-like unit does not make a report: reports are per centre level.
    unit_create(by=SYSTEM, name="右所社区综治中心", kind=Unit.Kind.CENTRE, region=p.v1)
    reports = services.compile_daily_reports(now=morning())
    # T2 has no centre.
    assert {r.region for r in reports} == {p.county, p.t1}
    assert all(r.report_date == DAY for r in reports)


def test_a_regions_first_report_covers_yesterday(cast: Cast) -> None:
    centres(cast)
    services.compile_daily_reports(now=morning())
    report = report_of(cast.places.t1)
    assert report.window_start == local(DAY - ONE_DAY)
    assert report.window_end == local(DAY)
    assert report.covers_one_day


def test_the_next_mornings_report_begins_where_the_last_one_ended(cast: Cast) -> None:
    centres(cast)
    services.compile_daily_reports(now=morning())
    services.compile_daily_reports(now=morning(DAY + ONE_DAY))
    report = report_of(cast.places.t1, DAY + ONE_DAY)
    assert report.window_start == local(DAY)
    assert report.window_end == local(DAY + ONE_DAY)


def test_a_missed_morning_is_caught_up_by_the_next_report(cast: Cast) -> None:
    centres(cast)
    services.compile_daily_reports(now=morning())
    # Nobody ran it on DAY+1; the case came in that day.
    case = case_at(cast, at=local(DAY, 15), risk_level="high")
    services.compile_daily_reports(now=morning(DAY + 2 * ONE_DAY))
    report = report_of(cast.places.t1, DAY + 2 * ONE_DAY)
    assert (report.window_start, report.window_end) == (local(DAY), local(DAY + 2 * ONE_DAY))
    assert [i.case_id for i in report.items.all()] == [case.pk]
    assert not report.covers_one_day


def test_running_twice_the_same_morning_creates_and_sends_nothing_new(cast: Cast) -> None:
    from django.core import mail

    centres(cast)
    leader = cast.by_role[Role.LEADER]
    leader.email = "leader@example.cn"
    leader.save()
    case_at(cast, risk_level="major")
    first = services.compile_daily_reports(now=morning())
    second = services.compile_daily_reports(now=morning().replace(hour=9))
    assert len(first) == 3
    assert second == []
    assert DailyReport.objects.count() == 3
    assert DailyReportItem.objects.count() == 2  # the case, in T1's and in the county's
    assert len(mail.outbox) == 1


def test_a_report_for_an_earlier_morning_than_the_last_one_is_not_made(cast: Cast) -> None:
    # Running it for a past morning would cover time the later report already covered.
    centres(cast)
    services.compile_daily_reports(now=morning())
    assert services.compile_daily_reports(now=morning(DAY - ONE_DAY)) == []


# --- Why a record is in it ------------------------------------------------------------------


def test_new_high_and_major_risk_cases_are_in_it_and_ordinary_ones_are_not(cast: Cast) -> None:
    centres(cast)
    high = case_at(cast, risk_level="high")
    major = case_at(cast, risk_level="major")
    ordinary = case_at(cast, risk_level="medium")
    services.compile_daily_reports(now=morning())
    reasons = reasons_by_code(cast.places.t1)
    assert reasons[high.code] == ["high_risk"]
    assert reasons[major.code] == ["major_risk"]
    assert ordinary.code not in reasons


def test_group_and_urgent_cases_are_in_it_whatever_their_risk(cast: Cast) -> None:
    centres(cast)
    group = case_at(cast, people_count=5)
    small = case_at(cast, people_count=4)
    violent = case_at(cast, threat_of_violence=True)
    self_harm = case_at(cast, threat_of_self_harm=True)
    services.compile_daily_reports(now=morning())
    reasons = reasons_by_code(cast.places.t1)
    assert reasons[group.code] == ["group"]
    assert small.code not in reasons
    assert reasons[violent.code] == ["urgent"]
    assert reasons[self_harm.code] == ["urgent"]


def test_a_record_with_several_reasons_is_one_item_carrying_them_all(cast: Cast) -> None:
    centres(cast)
    case = case_at(cast, risk_level="major", people_count=30, threat_of_violence=True)
    services.compile_daily_reports(now=morning())
    assert reasons_by_code(cast.places.t1) == {case.code: ["urgent", "major_risk", "group"]}


def test_the_most_pressing_items_come_first(cast: Cast) -> None:
    centres(cast)
    group = case_at(cast, people_count=8)
    high = case_at(cast, risk_level="high")
    urgent = case_at(cast, threat_of_self_harm=True)
    major = case_at(cast, risk_level="major")
    services.compile_daily_reports(now=morning())
    assert [i.code for i in items_of(cast.places.t1)] == [
        urgent.code,
        major.code,
        high.code,
        group.code,
    ]


def test_a_merged_duplicate_is_not_reported_but_the_case_it_joined_is(cast: Cast) -> None:
    centres(cast)
    kept = case_at(cast, risk_level="high")
    duplicate = case_at(cast, risk_level="high")
    case_services.case_merge(by=cast.by_role[Role.INTAKE_OFFICER], case=duplicate, into=kept)
    services.compile_daily_reports(now=morning())
    assert list(reasons_by_code(cast.places.t1)) == [kept.code]


def test_records_registered_before_or_after_the_window_are_not_in_it(cast: Cast) -> None:
    centres(cast)
    case_at(cast, at=local(DAY - 2 * ONE_DAY, 23, 59), risk_level="major")
    case_at(cast, at=local(DAY, 0, 1), risk_level="major")  # today's: tomorrow's report
    inside = case_at(cast, at=local(DAY - ONE_DAY, 0, 0), risk_level="major")
    services.compile_daily_reports(now=morning())
    assert list(reasons_by_code(cast.places.t1)) == [inside.code]


def test_a_case_whose_deadline_was_yesterday_is_reported_overdue(cast: Cast) -> None:
    centres(cast)
    # An ordinary case, registered long ago: only its missed deadline makes it news.
    late = due(in_progress(cast, case_at(cast, at=local(DAY - 30 * ONE_DAY))), DAY - ONE_DAY)
    due_today = due(in_progress(cast, case_at(cast, at=local(DAY - 30 * ONE_DAY))), DAY)
    late_before = due(
        in_progress(cast, case_at(cast, at=local(DAY - 30 * ONE_DAY))), DAY - 2 * ONE_DAY
    )
    services.compile_daily_reports(now=morning())
    reasons = reasons_by_code(cast.places.t1)
    assert reasons[late.code] == ["overdue"]
    assert due_today.code not in reasons  # late from tomorrow: tomorrow's report
    assert late_before.code not in reasons  # late since the day before: that day's news


def test_a_paused_or_closed_case_is_not_reported_overdue(cast: Cast) -> None:
    centres(cast)
    handler = cast.by_role[Role.UNIT_HANDLER]
    paused = in_progress(cast, case_at(cast, at=local(DAY - 30 * ONE_DAY)))
    case_services.case_pause(
        by=handler, case=paused, reason="appraisal", until=date.today() + 10 * ONE_DAY
    )
    closed = in_progress(cast, case_at(cast, at=local(DAY - 30 * ONE_DAY)))
    case_services.case_close(by=handler, case=closed, outcome=Case.Outcome.MEDIATED, note="已调解")
    for case in (paused, closed):
        due(case, DAY - ONE_DAY)
    services.compile_daily_reports(now=morning())
    assert items_of(cast.places.t1) == []


def test_new_high_and_major_hazards_are_in_it_and_lower_ones_are_not(cast: Cast) -> None:
    centres(cast)
    high = hazard_at(cast, level=Hazard.Level.HIGH)
    major = hazard_at(cast, level=Hazard.Level.MAJOR)
    medium = hazard_at(cast, level=Hazard.Level.MEDIUM)
    services.compile_daily_reports(now=morning())
    reasons = reasons_by_code(cast.places.t1)
    assert reasons[high.code] == ["high_risk"]
    assert reasons[major.code] == ["major_risk"]
    assert medium.code not in reasons


def test_a_hazard_whose_review_fell_due_yesterday_is_reported(cast: Cast) -> None:
    centres(cast)
    long_ago = local(DAY - 60 * ONE_DAY)
    missed = hazard_at(cast, at=long_ago, level=Hazard.Level.MEDIUM, next_review_on=DAY - ONE_DAY)
    due_today = hazard_at(cast, at=long_ago, level=Hazard.Level.LOW, next_review_on=DAY)
    resolved = hazard_at(cast, at=long_ago, level=Hazard.Level.LOW, next_review_on=DAY - ONE_DAY)
    hazard_services.hazard_resolve(
        by=cast.by_role[Role.INTAKE_OFFICER], hazard=resolved, note="工资已结清"
    )
    services.compile_daily_reports(now=morning())
    reasons = reasons_by_code(cast.places.t1)
    assert reasons == {missed.code: ["review_overdue"]}
    assert due_today.code not in reasons


def test_each_item_names_its_responsible_unit(cast: Cast) -> None:
    made = centres(cast)
    dispatched = in_progress(cast, case_at(cast, risk_level="high", at=local(DAY - ONE_DAY, 9)))
    Case.objects.filter(pk=dispatched.pk).update(registered_at=YESTERDAY_NOON)
    waiting = case_at(cast, risk_level="high")
    hazard = hazard_at(cast, unit=cast.units.v1_committee, region=cast.places.v1)
    services.compile_daily_reports(now=morning())
    by_code = {i.code: i for i in items_of(cast.places.t1)}
    assert (by_code[dispatched.code].unit, by_code[dispatched.code].unit_name) == (
        cast.units.t1_station,
        "宁州派出所",
    )
    assert not by_code[dispatched.code].awaiting_dispatch
    # Not yet dispatched: the township centre answers for it.
    assert by_code[waiting.code].unit == made.t1
    assert by_code[waiting.code].awaiting_dispatch
    assert by_code[hazard.code].unit_name == "右所社区调委会"
    assert by_code[hazard.code].place == "右所社区"
    assert by_code[hazard.code].level == "high"


def test_a_later_change_to_a_record_does_not_rewrite_the_report(cast: Cast) -> None:
    centres(cast)
    case = case_at(cast, risk_level="high", title="工地欠薪")
    services.compile_daily_reports(now=morning())
    Case.objects.filter(pk=case.pk).update(title="已改名")
    assert items_of(cast.places.t1)[0].title == "工地欠薪"


# --- Whose subtree ----------------------------------------------------------------------


def test_a_record_outside_the_township_is_not_in_its_report(cast: Cast) -> None:
    centres(cast)
    mine = case_at(cast, risk_level="high")
    theirs = case_at(cast, risk_level="high", region=cast.places.g2)
    their_hazard = hazard_at(cast, region=cast.places.g2, unit=cast.units.t2_station)
    services.compile_daily_reports(now=morning())
    assert list(reasons_by_code(cast.places.t1)) == [mine.code]
    assert set(reasons_by_code(cast.places.t2)) == {theirs.code, their_hazard.code}


def test_the_county_report_holds_every_townships_records_and_its_own(cast: Cast) -> None:
    centres(cast)
    t1_case = case_at(cast, risk_level="high")
    t2_case = case_at(cast, risk_level="major", region=cast.places.g2)
    county_case = case_at(cast, risk_level="high", region=cast.places.county)
    t2_hazard = hazard_at(cast, region=cast.places.g2, unit=cast.units.t2_station)
    services.compile_daily_reports(now=morning())
    assert set(reasons_by_code(cast.places.county)) == {
        t1_case.code,
        t2_case.code,
        county_case.code,
        t2_hazard.code,
    }


def test_nothing_new_still_makes_a_report_with_no_items(cast: Cast) -> None:
    centres(cast)
    case_at(cast, risk_level="low")
    services.compile_daily_reports(now=morning())
    assert report_of(cast.places.t1).items.count() == 0


# --- Cost --------------------------------------------------------------------------------


def queries_to_compile(day: object) -> int:
    with CaptureQueriesContext(connection) as captured:
        services.compile_daily_reports(now=morning(day))
    return len(captured)


def test_compiling_costs_the_same_few_queries_however_many_items(cast: Cast) -> None:
    centres(cast)
    case_at(cast, risk_level="high")
    few = queries_to_compile(DAY)
    day2 = DAY + ONE_DAY
    for n in range(6):
        case_at(cast, at=local(DAY, 10 + n), risk_level="major", people_count=6)
        hazard_at(cast, at=local(DAY, 10 + n))
    dispatched = in_progress(cast, case_at(cast, at=local(DAY - 30 * ONE_DAY)))
    due(dispatched, DAY)
    many = queries_to_compile(day2)
    assert DailyReportItem.objects.filter(report__report_date=day2).count() > 20
    assert many == few
    # Five for the run (centres, last reports, today's reports, their items, leaders),
    # and for each of the three regions: cases, hazards, the report and its items.
    assert few <= 5 + 3 * 6
