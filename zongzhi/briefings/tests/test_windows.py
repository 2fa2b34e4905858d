"""The windows tile time: whatever mornings the task runs on, each record is reported at
most once, and a record that qualifies is in the report of the first morning after."""

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zongzhi.briefings import rules, services
from zongzhi.briefings.models import DailyReportItem
from zongzhi.briefings.tests.factories import DAY, case_at, centres, hazard_at, in_progress, local
from zongzhi.cases.models import Case
from zongzhi.conftest import Cast
from zongzhi.hazards.models import Hazard

pytestmark = pytest.mark.django_db

ONE_DAY = timedelta(days=1)
LONG_AGO = local(DAY - 60 * ONE_DAY)
SPAN_DAYS = 12


def test_the_first_window_is_yesterday_and_later_ones_start_where_the_last_ended() -> None:
    tz = local(DAY).tzinfo
    assert tz is not None
    assert rules.window(DAY, None, tz) == (local(DAY - ONE_DAY), local(DAY))
    assert rules.window(DAY, local(DAY - 3 * ONE_DAY), tz) == (
        local(DAY - 3 * ONE_DAY),
        local(DAY),
    )
    assert rules.local_dates(local(DAY - 3 * ONE_DAY), local(DAY), tz) == (
        DAY - 3 * ONE_DAY,
        DAY,
    )


def expected_run(run_days: list[date], qualifies_at: datetime) -> date | None:
    """The morning whose report should hold a record that qualified at `qualifies_at`:
    the first run after it, provided the first report's window reaches back to it."""
    first_start = local(run_days[0] - ONE_DAY)
    if qualifies_at < first_start:
        return None
    return next((d for d in run_days if local(d) > qualifies_at), None)


def day_ends(day: date) -> datetime:
    """A deadline on `day` is missed as the day ends (late from the next): news of `day`."""
    return local(day + ONE_DAY) - timedelta(microseconds=1)


@pytest.fixture
def records(cast: Cast) -> dict[str, list[object]]:
    centres(cast)
    return {
        "new_cases": [case_at(cast, risk_level="high") for _ in range(3)],
        "late_cases": [
            in_progress(cast, case_at(cast, at=LONG_AGO, title=f"欠款纠纷{n}")) for n in range(2)
        ],
        "new_hazards": [hazard_at(cast, level=Hazard.Level.MAJOR) for _ in range(2)],
        "reviewed_hazards": [hazard_at(cast, at=LONG_AGO, level=Hazard.Level.LOW)],
    }


hours = st.integers(min_value=-3 * 24, max_value=SPAN_DAYS * 24)
days = st.integers(min_value=-3, max_value=SPAN_DAYS)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    runs=st.lists(st.integers(0, SPAN_DAYS), min_size=1, max_size=6, unique=True),
    new_case_hours=st.lists(hours, min_size=3, max_size=3),
    late_case_days=st.lists(days, min_size=2, max_size=2),
    new_hazard_hours=st.lists(hours, min_size=2, max_size=2),
    review_days=st.lists(days, min_size=1, max_size=1),
)
def test_every_record_is_reported_once_by_the_first_morning_after_it_qualifies(
    cast: Cast,
    records: dict[str, list[Any]],
    runs: list[int],
    new_case_hours: list[int],
    late_case_days: list[int],
    new_hazard_hours: list[int],
    review_days: list[int],
) -> None:
    run_days = [DAY + d * ONE_DAY for d in sorted(runs)]
    expected: dict[str, date | None] = {}
    with transaction.atomic():
        for case, h in zip(records["new_cases"], new_case_hours, strict=True):
            at = local(DAY) + timedelta(hours=h)
            Case.objects.filter(pk=case.pk).update(registered_at=at)
            expected[case.code] = expected_run(run_days, at)
        for case, d in zip(records["late_cases"], late_case_days, strict=True):
            due_on = DAY + d * ONE_DAY
            Case.objects.filter(pk=case.pk).update(due_on=due_on)
            expected[case.code] = expected_run(run_days, day_ends(due_on))
        for hazard, h in zip(records["new_hazards"], new_hazard_hours, strict=True):
            at = local(DAY) + timedelta(hours=h)
            Hazard.objects.filter(pk=hazard.pk).update(registered_at=at)
            expected[hazard.code] = expected_run(run_days, at)
        for hazard, d in zip(records["reviewed_hazards"], review_days, strict=True):
            review_on = DAY + d * ONE_DAY
            Hazard.objects.filter(pk=hazard.pk).update(next_review_on=review_on)
            expected[hazard.code] = expected_run(run_days, day_ends(review_on))

        for day in run_days:
            services.compile_daily_reports(now=local(day, 7))

        for region in (cast.places.t1, cast.places.county):
            reported: dict[str, list[date]] = {}
            for item in DailyReportItem.objects.filter(report__region=region).select_related(
                "report"
            ):
                reported.setdefault(item.code, []).append(item.report.report_date)
            actual = {code: (dates[0] if dates else None) for code, dates in reported.items()}
            assert all(len(dates) == 1 for dates in reported.values()), reported
            assert {c: d for c, d in expected.items() if d is not None} == actual
        transaction.set_rollback(True)
