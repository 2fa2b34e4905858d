import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from zongzhi.core.scheduler import enqueue_due


class Command(BaseCommand):
    help = "每分钟检查一次定时任务，到期的放入任务队列（由 db_worker 执行）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="只检查一次后退出")

    def handle(self, *args: Any, once: bool, **options: Any) -> None:
        while True:
            for name in enqueue_due(timezone.now()):
                self.stdout.write(f"{timezone.now():%Y-%m-%d %H:%M} 已排入 {name}")
            if once:
                return
            time.sleep(60)
