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


def _jobs() -> list[Periodic]:
    from zongzhi.cases.tasks import sweep_deadlines

    return [Periodic("cases.sweep_deadlines", timedelta(hours=1), sweep_deadlines)]


def period_start(now: datetime, every: timedelta) -> datetime:
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    periods = (now - epoch) // every
    return epoch + periods * every


def enqueue_due(now: datetime, jobs: list[Periodic] | None = None) -> list[str]:
    """Enqueue every job whose current period nobody has claimed yet; return their names."""
    enqueued = []
    for job in jobs if jobs is not None else _jobs():
        start = period_start(now, job.every)
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(name=job.name, period_start=start, enqueued_at=now)
                transaction.on_commit(job.task.enqueue)
        except IntegrityError:
            continue
        enqueued.append(job.name)
    return enqueued
