"""Background work of the foundation. Tasks only call a plain function that does the work."""

from django.tasks import task
from django.utils import timezone

from zongzhi.core import leases


@task()
def prune_task_results() -> dict[str, int]:
    """Delete finished task results older than ZONGZHI_TASK_RESULTS_DAYS (and old period
    claims and heartbeats of processes long gone)."""
    return leases.prune(now=timezone.now())
