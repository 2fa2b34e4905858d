"""Scheduled work: enqueuing each job once per period (which jobs run how often is the
project's list, named by settings.ZONGZHI_SCHEDULE: config/schedule.py).

Django's tasks framework runs tasks but does not schedule them, so `run_scheduler`
(a management command, one small process beside the worker, `run_worker`) calls `enqueue_due` every
minute. Each job's period is claimed with a PeriodicRun row; the job itself must still be
idempotent, because a period can be claimed and its task fail.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from zongzhi.core.models import PeriodicRun


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta
    task: Any  # a Task: anything with .enqueue()
    # Where in each period the job falls due: a daily job at 23:00 UTC has 23 hours.
    offset: timedelta = timedelta(0)


def _jobs() -> list[Periodic]:
    """The project's jobs, from the function settings.ZONGZHI_SCHEDULE names (the jobs are
    the domain apps' tasks, which core does not import)."""
    jobs: Callable[[], list[Periodic]] = import_string(settings.ZONGZHI_SCHEDULE)
    return jobs()


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
