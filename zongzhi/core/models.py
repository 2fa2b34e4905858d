from typing import Any

from django.db import models


class PeriodicRun(models.Model):
    """One period of one scheduled job, claimed by the scheduler that enqueued it.

    The unique constraint is the claim: when two schedulers run (a restart overlapping,
    two servers), only one of them inserts the row for a period, so the job is enqueued
    once per period.
    """

    name = models.CharField(max_length=100)
    period_start = models.DateTimeField()
    enqueued_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "period_start"], name="periodic_run_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.period_start:%Y-%m-%d %H:%M}"


class AppendOnlyQuerySet[M: models.Model](models.QuerySet[M]):
    """A timeline's rows: added, never updated or deleted in bulk."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError("the timeline is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("the timeline is append-only")


class AppendOnly(models.Model):
    """A timeline entry (a case's, a hazard's): once written, never rewritten or removed.

    A guard, not logic: the services only ever add entries, and this makes a slip loud."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("the timeline is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("the timeline is append-only")


class ProcessHeartbeat(models.Model):
    """A background process's sign of life, rewritten every few seconds: a task worker, the
    scheduler, or a job that says when it last completed (the deadline sweep).

    One row per process (`instance`: the worker's id, or host:pid), so two workers never
    overwrite each other's beat and a task's lease can ask whether *its* worker still lives;
    /healthz reads the freshest row of each name."""

    name = models.CharField(max_length=50)
    instance = models.CharField(max_length=100, blank=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "instance"], name="heartbeat_one_per_process")
        ]
        indexes = [models.Index(fields=["name", "-beat_at"], name="heartbeat_freshest")]

    def __str__(self) -> str:
        return f"{self.name} {self.instance} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class HealthAlert(models.Model):
    """A stale check the administrators were told about: one row per stale episode. The
    unique name is the claim (two watchers mail once); the row goes when the check is fresh
    again, so the next episode is mailed anew."""

    name = models.CharField(max_length=50, unique=True)
    raised_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} stale since {self.raised_at:%Y-%m-%d %H:%M}"
