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


class RateWindow(models.Model):
    """How many requests one bucket (an API key's writes) made in one fixed window.

    Counted in the database, so that every web process counts against one limit (the
    project has no shared cache); a row per bucket per window, pruned once old."""

    bucket = models.CharField(max_length=100)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "window_start"], name="rate_window_once")
        ]

    def __str__(self) -> str:
        return f"{self.bucket} @ {self.window_start:%H:%M}: {self.count}"
