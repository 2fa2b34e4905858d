"""The scheduler enqueues each job once per period, however many schedulers run."""

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from zongzhi.core.models import PeriodicRun
from zongzhi.core.scheduler import Periodic, enqueue_due, period_start

# `make test` runs this on SQLite too (-m sqlite): a period is claimed through a unique constraint.
pytestmark = pytest.mark.sqlite


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
def test_the_real_schedule_runs_every_job_over_an_empty_register(
    django_capture_on_commit_callbacks: Any,
) -> None:
    # The test settings run tasks at once, so this runs each job over an empty register.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert enqueue_due(datetime(2026, 11, 23, 9, tzinfo=UTC)) == [
            "cases.sweep_deadlines",
            "analytics.refresh_rollups",
            "hazards.sweep_reviews",
            "screening.open_rounds",
            "care.sweep",
            "notifications.send_due",
            "core.prune_records",
            "care.deidentify",
            "core.backup",
            "briefings.daily_reports",
            "intake.train_suggestions",
            "core.prune_task_results",
        ]
    assert len(callbacks) == 12


@pytest.mark.django_db
def test_a_daily_job_with_an_offset_falls_due_at_its_hour_once_a_day(
    django_capture_on_commit_callbacks: Any,
) -> None:
    # The daily report runs at 07:00 Beijing time, 23:00 UTC.
    job = Recorder()
    jobs = [Periodic("test.daily", timedelta(days=1), job, timedelta(hours=23))]  # type: ignore[arg-type]
    evening = datetime(2026, 11, 22, 22, 59, tzinfo=UTC)  # 06:59 on the 23rd in Beijing
    with django_capture_on_commit_callbacks(execute=True):
        assert enqueue_due(evening, jobs) == ["test.daily"]  # the 22nd's run, caught up
        assert enqueue_due(evening + timedelta(minutes=2), jobs) == ["test.daily"]  # 07:01
        assert enqueue_due(evening + timedelta(hours=12), jobs) == []  # same day, later
        assert enqueue_due(evening + timedelta(days=1, minutes=2), jobs) == ["test.daily"]
    assert job.calls == 3
    assert period_start(evening + timedelta(minutes=2), timedelta(days=1), timedelta(hours=23)) == (
        datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_schedulers_racing_on_postgresql_enqueue_each_job_once() -> None:
    """Two schedulers (deploy/README.md: one is enough, two are safe) asking at the same
    moment, each in its own connection: every job of the period is enqueued exactly once."""
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections: PostgreSQL, the production database")
    recorders = [Recorder() for _ in range(8)]
    jobs = [
        Periodic(f"test.job{i}", timedelta(hours=1), r)  # type: ignore[arg-type]
        for i, r in enumerate(recorders)
    ]
    at = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
    start = threading.Barrier(2)
    claimed: list[list[str]] = []

    def scheduler() -> None:
        try:
            start.wait()
            claimed.append(enqueue_due(at, jobs))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(name for names in claimed for name in names) == [j.name for j in jobs]
    assert [r.calls for r in recorders] == [1] * len(jobs)
    assert PeriodicRun.objects.count() == len(jobs)
