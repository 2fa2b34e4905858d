"""Background work of the foundation. Tasks only call a plain function that does the work."""

import time

from django.tasks import task
from django.utils import timezone

from zongzhi.core import leases


@task()
def prune_task_results() -> dict[str, int]:
    """Delete finished task results older than ZONGZHI_TASK_RESULTS_DAYS (and old period
    claims and heartbeats of processes long gone)."""
    return leases.prune(now=timezone.now())


@task()
def hold(seconds: float) -> float:
    """Does nothing for `seconds`: a long task for scripts/drill-restart to kill a worker in
    (and for an operator to see a task taken up again after its lease)."""
    time.sleep(min(seconds, 600))
    return seconds
