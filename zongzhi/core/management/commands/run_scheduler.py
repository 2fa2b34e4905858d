import logging
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from zongzhi.core.health import alert_stale
from zongzhi.core.heartbeats import SCHEDULER, beat, process_instance
from zongzhi.core.reconnect import keep_running
from zongzhi.core.scheduler import enqueue_due

logger = logging.getLogger("zongzhi.scheduler")

# Jobs are looked at once a minute (the shortest period); the heartbeat is more frequent.
ENQUEUE_EVERY = 60.0


class Command(BaseCommand):
    help = (
        "每分钟检查一次定时任务，到期的放入任务队列（由 run_worker 执行）；"
        "写心跳，发现后台任务进程停止时邮件通知管理员；数据库断开时等待重连而不退出"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="只检查一次后退出")

    def handle(self, *args: Any, once: bool, **options: Any) -> None:
        started = timezone.now()
        instance = process_instance()
        # Every heartbeat but our own: a process cannot report its own death (the worker
        # watches ours).
        watched = [name for name in settings.ZONGZHI_HEALTH_HEARTBEATS if name != SCHEDULER]
        last_enqueue: float | None = None

        def tick() -> bool:
            nonlocal last_enqueue
            now = timezone.now()
            beat(SCHEDULER, instance=instance, started_at=started, now=now)
            if last_enqueue is None or time.monotonic() - last_enqueue >= ENQUEUE_EVERY:
                for name in enqueue_due(now):
                    self.stdout.write(f"{timezone.now():%Y-%m-%d %H:%M} 已排入 {name}")
                last_enqueue = time.monotonic()
            alert_stale(watched, watching_since=started, now=now)
            if once:
                return False
            time.sleep(settings.ZONGZHI_HEARTBEAT_SECONDS)
            return True

        keep_running(tick, log=logger)
