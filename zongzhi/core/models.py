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
