"""The scheduler enqueues each job once per period, however many schedulers run."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from zongzhi.core.models import PeriodicRun
from zongzhi.core.scheduler import Periodic, enqueue_due, period_start


class Recorder:
    def __init__(self) -> None:
        self.calls = 0

    def enqueue(self) -> None:
        self.calls += 1


@pytest.mark.django_db
def test_a_job_is_enqueued_once_per_period_even_when_asked_twice(
    django_capture_on_commit_callbacks: Any,
) -> None:
    job = Recorder()
    jobs = [Periodic("test.job", timedelta(hours=1), job)]  # type: ignore[arg-type]
    at = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        assert enqueue_due(at, jobs) == ["test.job"]
        # A second scheduler, or the same one a minute later: the hour is already claimed.
        assert enqueue_due(at + timedelta(minutes=1), jobs) == []
    assert job.calls == 1
    # The next hour is a new period.
    with django_capture_on_commit_callbacks(execute=True):
        assert enqueue_due(at + timedelta(hours=1), jobs) == ["test.job"]
    assert job.calls == 2
    assert PeriodicRun.objects.count() == 2


def test_periods_start_on_the_hour() -> None:
    at = datetime(2026, 11, 23, 9, 59, 59, tzinfo=UTC)
    assert period_start(at, timedelta(hours=1)) == datetime(2026, 11, 23, 9, tzinfo=UTC)


@pytest.mark.django_db
def test_the_real_schedule_sweeps_case_deadlines(
    django_capture_on_commit_callbacks: Any,
) -> None:
    # The test settings run tasks at once, so this runs the sweep over an empty register.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert enqueue_due(datetime(2026, 11, 23, 9, tzinfo=UTC)) == ["cases.sweep_deadlines"]
    assert len(callbacks) == 1
