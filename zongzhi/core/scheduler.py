"""Scheduled work: which jobs run how often, and enqueuing each once per period.

Django's tasks framework runs tasks but does not schedule them, so `run_scheduler`
(a management command, one small process beside `db_worker`) calls `enqueue_due` every
minute. Each job's period is claimed with a PeriodicRun row; the job itself must still be
idempotent, because a period can be claimed and its task fail.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from zongzhi.core.models import PeriodicRun


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta
    task: Any  # a Task: anything with .enqueue()
    # Where in each period the job falls due: a daily job at 23:00 UTC has 23 hours.
    offset: timedelta = timedelta(0)


def _jobs() -> list[Periodic]:
    from zongzhi.analytics.tasks import refresh_rollups
    from zongzhi.briefings.tasks import compile_daily_reports
    from zongzhi.care.tasks import deidentify_expired, sweep_care
    from zongzhi.cases.tasks import sweep_deadlines
    from zongzhi.hazards.tasks import sweep_hazard_reviews
    from zongzhi.notifications.tasks import send_due
    from zongzhi.screening.tasks import open_due_rounds

    return [
        Periodic("cases.sweep_deadlines", timedelta(hours=1), sweep_deadlines),
        # Figures lag the cases by five minutes at most.
        Periodic("analytics.refresh_rollups", timedelta(minutes=5), refresh_rollups),
        Periodic("hazards.sweep_reviews", timedelta(hours=1), sweep_hazard_reviews),
        Periodic("screening.open_rounds", timedelta(hours=1), open_due_rounds),
        Periodic("care.sweep", timedelta(hours=1), sweep_care),
        # Notifications go out as their steps commit; this pass sends the retries.
        Periodic("notifications.send_due", timedelta(minutes=1), send_due),
        # 02:00 Beijing time (18:00 UTC), when nobody is reading files.
        Periodic("care.deidentify", timedelta(days=1), deidentify_expired, timedelta(hours=18)),
        # 07:00 Beijing time (23:00 UTC): the report is waiting when the day begins.
        Periodic(
            "briefings.daily_reports", timedelta(days=1), compile_daily_reports, timedelta(hours=23)
        ),
    ]


def period_start(now: datetime, every: timedelta, offset: timedelta = timedelta(0)) -> datetime:
    epoch = datetime(2000, 1, 1, tzinfo=UTC) + offset
    periods = (now - epoch) // every
    return epoch + periods * every


def enqueue_due(now: datetime, jobs: list[Periodic] | None = None) -> list[str]:
    """Enqueue every job whose current period nobody has claimed yet; return their names."""
    enqueued = []
    for job in jobs if jobs is not None else _jobs():
        start = period_start(now, job.every, job.offset)
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(name=job.name, period_start=start, enqueued_at=now)
                transaction.on_commit(job.task.enqueue)
        except IntegrityError:
            continue
        enqueued.append(job.name)
    return enqueued
