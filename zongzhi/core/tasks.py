"""Background work of the foundation itself (the domain apps' tasks live in their apps):
the nightly backup, the housekeeping of core's own tables, and a task for the drill."""

import time
from typing import Any

from django.tasks import task
from django.utils import timezone

from zongzhi.core import audit, backups, leases, ratelimit


@task()
def nightly_backup() -> dict[str, Any]:
    """One backup into ZONGZHI_BACKUP_DIR; the oldest beyond ZONGZHI_BACKUP_KEEP deleted."""
    return backups.nightly()


@task()
def prune_records() -> dict[str, int]:
    """Audit entries past ZONGZHI_AUDIT_DAYS, rate-limit windows past an hour."""
    return {"audit": audit.prune(), "rate_windows": ratelimit.prune()}


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
