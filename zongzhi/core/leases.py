"""Task leases and the task queue's housekeeping (django-tasks-db's DBTaskResult rows).

django-tasks-db claims a READY row for a worker with SELECT … FOR UPDATE SKIP LOCKED and
marks it RUNNING (started_at, the worker's id appended to worker_ids), so two workers never
take the same task. But a worker killed mid-task (kill -9, out of memory, the machine gone)
leaves its row RUNNING for ever: the library has no lease. Here a RUNNING row started
longer than the lease ago, whose worker has no fresh heartbeat, goes back to READY and is
run again.

Running again is safe because every task here is idempotent by design: tasks only load by
id and call a service, and the services claim their own rows (the deadline sweep writes each
warning and order under a unique constraint; notifications.send_due claims each delivery
with a conditional UPDATE and its own five-minute lease, so a delivery whose worker died is
sent by the next run). A send interrupted after the robot received it but before it was
recorded is sent again: one duplicate chat message, never a lost one. A task that keeps
killing its worker is FAILED after ZONGZHI_TASK_MAX_ATTEMPTS losses instead of looping.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from zongzhi.core.heartbeats import WORKER, live_instances
from zongzhi.core.models import PeriodicRun, ProcessHeartbeat

logger = logging.getLogger(__name__)

LOST = "zongzhi.core.leases.WorkerLost"


def _give_back(result: DBTaskResult, *, now: datetime, why: str) -> str:
    """READY again, or FAILED when it has lost too many workers; the UPDATE is conditional
    on the row still being the RUNNING one we read, so a task that finished meanwhile is
    left alone."""
    rows = DBTaskResult.objects.filter(pk=result.pk, status="RUNNING", started_at=result.started_at)
    attempts = len(result.worker_ids or [])
    if attempts >= settings.ZONGZHI_TASK_MAX_ATTEMPTS:
        text = f"WorkerLost: {why}; given up after {attempts} attempts\n"
        rows.update(status="FAILED", finished_at=now, exception_class_path=LOST, traceback=text)
        logger.warning("task %s (%s) failed: %s", result.pk, result.task_path, why)
        return "FAILED"
    rows.update(status="READY", started_at=None)
    logger.warning("task %s (%s) back in the queue: %s", result.pk, result.task_path, why)
    return "READY"


def recover_lost_tasks(*, now: datetime) -> dict[str, str]:
    """Give back every task whose lease ran out and whose worker no longer beats; task id →
    its new status."""
    lease = timedelta(seconds=settings.ZONGZHI_TASK_LEASE_SECONDS)
    fresh = timedelta(seconds=settings.ZONGZHI_HEALTH_HEARTBEATS[WORKER])
    alive = live_instances(WORKER, since=now - fresh)
    done: dict[str, str] = {}
    with transaction.atomic():
        # skip_locked: two workers recovering at once each take different rows.
        expired = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status="RUNNING", started_at__lt=now - lease
        )
        for result in expired:
            if result.worker_ids and result.worker_ids[-1] in alive:
                continue  # a long task on a live worker keeps its lease
            done[str(result.pk)] = _give_back(result, now=now, why="its worker stopped")
    return done


def release_own(worker_id: str, *, now: datetime) -> dict[str, str]:
    """After a database outage broke this worker's loop, the task it was running may have
    stayed RUNNING under its id (recording the end failed too): nothing of ours runs now,
    so give it back at once rather than after the lease."""
    done: dict[str, str] = {}
    for result in DBTaskResult.objects.filter(status="RUNNING"):
        if (result.worker_ids or [])[-1:] == [worker_id]:
            done[str(result.pk)] = _give_back(result, now=now, why="interrupted by an outage")
    return done


def prune(*, now: datetime) -> dict[str, int]:
    """Delete finished task results older than ZONGZHI_TASK_RESULTS_DAYS, with the
    scheduler's old period claims and the heartbeats of processes long gone."""
    before = now - timedelta(days=settings.ZONGZHI_TASK_RESULTS_DAYS)
    results, _ = DBTaskResult.objects.filter(
        status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=before
    ).delete()
    # A period's claim only matters while the period lasts; the longest period is a day.
    periods, _ = PeriodicRun.objects.filter(period_start__lt=before).delete()
    beats, _ = ProcessHeartbeat.objects.filter(beat_at__lt=before).delete()
    return {"task_results": results, "periodic_runs": periods, "heartbeats": beats}
