"""`manage.py run_worker`: django-tasks-db's `db_worker` that survives.

The library's worker exits on the first database error that is not a locked SQLite file,
so a PostgreSQL restart stopped all background work for good. This command is the
library's, with three additions and no change to how tasks are claimed or run:

- the loop is restarted after a database error, with backoff (zongzhi.core.reconnect);
  a task it was running when the database went away is given back to the queue at once;
- a heartbeat thread writes this worker's heartbeat, gives back other workers' tasks whose
  lease ran out (zongzhi.core.leases) and mails the administrators when the scheduler's
  heartbeat goes stale (zongzhi.core.health);
- it takes the same options as `db_worker`.
"""

import logging
import os
import threading
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import close_old_connections
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from zongzhi.core.health import alert_stale
from zongzhi.core.heartbeats import SCHEDULER, WORKER, beat
from zongzhi.core.leases import recover_lost_tasks, release_own
from zongzhi.core.reconnect import DATABASE_ERRORS, close_connections, keep_running

logger = logging.getLogger("zongzhi.worker")


class ResilientWorker(Worker):
    def run(self) -> None:
        def step() -> bool:
            release_own(self.worker_id, now=timezone.now())
            super(ResilientWorker, self).run()
            return False  # the library's loop ended by itself: --batch, --max-tasks, a signal

        keep_running(step, log=logger)


class Heartbeat(threading.Thread):
    """Beats every ZONGZHI_HEARTBEAT_SECONDS, also while a long task runs, on a connection
    of its own. A database error here is logged once per outage and the beat tried again
    next time; the main loop does the reconnecting."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="heartbeat", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopped = threading.Event()
        self.failing = False

    def run(self) -> None:
        while True:
            self.once(timezone.now())
            if self.stopped.wait(settings.ZONGZHI_HEARTBEAT_SECONDS):
                return

    def once(self, now: datetime) -> None:
        close_old_connections()
        try:
            beat(WORKER, instance=self.worker_id, started_at=self.started_at, now=now)
            recover_lost_tasks(now=now)
            alert_stale([SCHEDULER], watching_since=self.started_at, now=now)
        except DATABASE_ERRORS as error:
            if not self.failing:
                logger.warning("heartbeat: database unavailable (%s)", type(error).__name__)
            self.failing = True
            close_connections()
            return
        except Exception:
            logger.exception("heartbeat failed")
            return
        if self.failing:
            logger.warning("heartbeat: written again")
        self.failing = False


class Command(DBWorkerCommand):
    help = (
        "运行后台任务进程（django-tasks-db 的 db_worker，另加：数据库断开时等待重连而不退出；"
        "写心跳；接管租约到期的任务；定时任务进程停止时邮件通知管理员）"
    )

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )

        def run() -> None:
            Heartbeat(worker_id).start()
            worker.run()

        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the reloaded child runs the worker
            run_with_reloader(run)
        else:
            worker.configure_signals()
            run()
