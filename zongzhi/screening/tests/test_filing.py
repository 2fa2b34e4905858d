"""Filing a report: a zero report, findings registered as cases and hazards, all or
nothing, once per key, only by those whose report it is; late and missing."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zongzhi.accounts.rules import Role
from zongzhi.cases.models import Case
from zongzhi.conftest import Cast, make_user
from zongzhi.hazards.models import Hazard
from zongzhi.regions.models import Region
from zongzhi.screening import services
from zongzhi.screening.models import ScreeningItem, ScreeningSchedule
from zongzhi.screening.rules import ReportState
from zongzhi.screening.tests.factories import (
    campaign,
    dispute,
    hazard,
    overdue_campaign,
    report_of,
    today,
)


def test_a_grid_worker_files_a_zero_report_on_time(cast: Cast) -> None:
    report = report_of(campaign(cast.places.county), cast.places.g1)
    worker = cast.by_role[Role.GRID_WORKER]
    services.file_report(by=worker, report=report, zero=True, note="已走访全部住户")
    report.refresh_from_db()
    assert report.is_zero
    assert report.filed_by == worker
    assert report.filed_on == today()
    assert report.note == "已走访全部住户"
    assert not report.is_late
    assert report.state(today()) == ReportState.ON_TIME
    assert report.items.count() == 0


def test_findings_are_registered_at_once_as_a_case_and_a_hazard(cast: Cast) -> None:
    report = report_of(campaign(cast.places.county), cast.places.g1)
    worker = cast.by_role[Role.GRID_WORKER]
    services.file_report(by=worker, report=report, findings=[dispute(cast), hazard(cast)])
    report.refresh_from_db()
    assert not report.is_zero and report.filed_at is not None
    case_item, hazard_item = report.items.order_by("pk")
    assert case_item.kind == ScreeningItem.Kind.CASE
    assert case_item.case is not None
    assert case_item.case.channel == Case.Channel.SCREENING
    assert case_item.case.parties.get().name == "李春华"
    assert case_item.case.region == cast.places.g1
    assert hazard_item.kind == ScreeningItem.Kind.HAZARD
    assert hazard_item.hazard is not None
    assert hazard_item.hazard.source == Hazard.Source.SCREENING
    assert hazard_item.hazard.responsible_unit == cast.units.t1_station
    assert hazard_item.hazard.guardian_name == "张卫东"
    assert hazard_item.hazard.level == "high"


def test_one_bad_finding_files_nothing(cast: Cast) -> None:
    report = report_of(campaign(cast.places.county), cast.places.g1)
    worker = cast.by_role[Role.GRID_WORKER]
    # T2's police station does not answer for a place in T1.
    bad = hazard(cast, responsible_unit=cast.units.t2_station)
    with pytest.raises(ValidationError) as refused:
        services.file_report(by=worker, report=report, findings=[dispute(cast), bad])
    assert "items-1-responsible_unit" in refused.value.message_dict
    assert Case.objects.count() == 0
    assert Hazard.objects.count() == 0
    assert ScreeningItem.objects.count() == 0
    report.refresh_from_db()
    assert report.filed_at is None


def test_a_dispute_without_the_person_who_raised_it_is_refused_by_field(cast: Cast) -> None:
    report = report_of(campaign(cast.places.county), cast.places.g1)
    with pytest.raises(ValidationError) as refused:
        services.file_report(
            by=cast.by_role[Role.GRID_WORKER],
            report=report,
            findings=[dispute(cast, applicant_name=" ")],
        )
    assert refused.value.message_dict == {"items-0-applicant_name": ["请填写反映人或当事人"]}


def test_the_same_submission_twice_files_once(cast: Cast) -> None:
    report = report_of(campaign(cast.places.county), cast.places.g1)
    worker = cast.by_role[Role.GRID_WORKER]
    first = services.file_report(
        by=worker, report=report, findings=[dispute(cast)], idempotency_key="tap-1"
    )
    again = services.file_report(
        by=worker, report=report, findings=[dispute(cast)], idempotency_key="tap-1"
    )
    assert again.pk == first.pk
    assert Case.objects.count() == 1
    assert ScreeningItem.objects.count() == 1


def test_a_filed_report_is_not_filed_again(cast: Cast) -> None:
    report = report_of(campaign(cast.places.county), cast.places.g1)
    worker = cast.by_role[Role.GRID_WORKER]
    services.file_report(by=worker, report=report, zero=True, idempotency_key="a")
    with pytest.raises(ValidationError) as refused:
        services.file_report(
            by=worker, report=report, findings=[dispute(cast)], idempotency_key="b"
        )
    assert "已于" in refused.value.message_dict["zero"][0]
    assert Case.objects.count() == 0


def test_zero_and_findings_together_or_neither_are_refused(cast: Cast) -> None:
    report = report_of(campaign(cast.places.county), cast.places.g1)
    worker = cast.by_role[Role.GRID_WORKER]
    with pytest.raises(ValidationError):
        services.file_report(by=worker, report=report, zero=True, findings=[dispute(cast)])
    with pytest.raises(ValidationError):
        services.file_report(by=worker, report=report)
    report.refresh_from_db()
    assert report.filed_at is None


def test_someone_elses_report_cannot_be_filed(cast: Cast) -> None:
    round_ = campaign(cast.places.county)
    g2_report = report_of(round_, cast.places.g2)
    with pytest.raises(PermissionDenied):
        services.file_report(by=cast.by_role[Role.GRID_WORKER], report=g2_report, zero=True)
    # A leader reads reports but does not file them.
    g1_report = report_of(round_, cast.places.g1)
    with pytest.raises(PermissionDenied):
        services.file_report(by=cast.by_role[Role.LEADER], report=g1_report, zero=True)
    assert not round_.reports.filter(filed_at__isnull=False).exists()


def test_a_unit_handler_files_the_units_report_and_not_a_grids(cast: Cast) -> None:
    handler = cast.by_role[Role.UNIT_HANDLER]
    grids = campaign(cast.places.county)
    with pytest.raises(PermissionDenied):
        services.file_report(by=handler, report=report_of(grids, cast.places.g1), zero=True)
    units = campaign(
        cast.places.county,
        level=Region.Level.TOWNSHIP,
        reporters=ScreeningSchedule.Reporters.UNITS,
    )
    station = report_of(units, cast.units.t1_station)
    services.file_report(by=handler, report=station, zero=True)
    assert station.filed_by == handler
    with pytest.raises(PermissionDenied):
        services.file_report(by=handler, report=report_of(units, cast.units.t2_station), zero=True)


def test_a_township_intake_officer_may_file_for_a_grid_in_the_township(cast: Cast) -> None:
    report = report_of(campaign(cast.places.county), cast.places.g1)
    services.file_report(by=cast.by_role[Role.INTAKE_OFFICER], report=report, zero=True)
    assert report.filed_at is not None


def test_a_report_filed_after_its_due_day_is_late(cast: Cast) -> None:
    round_ = campaign(cast.places.county, days=7, due_in=2)
    report = report_of(round_, cast.places.g1)
    assert report.state(today()) == ReportState.PENDING
    day_after_due = round_.due_on + timedelta(days=1)
    assert report.state(day_after_due) == ReportState.MISSING
    with mock.patch("zongzhi.screening.services._today", return_value=day_after_due):
        services.file_report(by=cast.by_role[Role.GRID_WORKER], report=report, zero=True)
    report.refresh_from_db()
    assert report.is_late
    assert report.filed_on == day_after_due
    assert report.state(day_after_due) == ReportState.LATE


def test_a_report_filed_on_its_due_day_is_on_time(cast: Cast) -> None:
    round_ = campaign(cast.places.county, days=7, due_in=2)
    report = report_of(round_, cast.places.g1)
    with mock.patch("zongzhi.screening.services._today", return_value=round_.due_on):
        services.file_report(by=cast.by_role[Role.GRID_WORKER], report=report, zero=True)
    report.refresh_from_db()
    assert not report.is_late
    assert report.state(round_.due_on + timedelta(days=30)) == ReportState.ON_TIME


def test_an_overdue_report_filed_today_is_late(cast: Cast) -> None:
    report = report_of(overdue_campaign(cast.places.county), cast.places.g1)
    assert report.state(today()) == ReportState.MISSING
    services.file_report(by=cast.by_role[Role.GRID_WORKER], report=report, zero=True)
    assert report.is_late and report.state(today()) == ReportState.LATE


def test_a_round_that_has_not_begun_cannot_be_filed(cast: Cast) -> None:
    report = report_of(
        campaign(cast.places.county, start=today() + timedelta(days=3)), cast.places.g1
    )
    with pytest.raises(ValidationError) as refused:
        services.file_report(by=cast.by_role[Role.GRID_WORKER], report=report, zero=True)
    assert refused.value.message_dict["zero"] == ["本期排查尚未开始"]


def test_a_grid_worker_of_another_grid_cannot_file_this_grids_report(cast: Cast) -> None:
    other = make_user("g2_grid", Role.GRID_WORKER, region=cast.places.g2)
    report = report_of(campaign(cast.places.county), cast.places.g1)
    with pytest.raises(PermissionDenied):
        services.file_report(by=other, report=report, zero=True)
