import shutil
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zongzhi.core.supervisor import Child, Supervisor


class Command(BaseCommand):
    help = (
        "一条命令运行整个系统：网页服务、后台任务（run_worker）和定时任务（run_scheduler）；"
        "Ctrl-C 全部停止，任一进程退出则全部停止"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--web",
            choices=["runserver", "gunicorn"],
            default="runserver",
            help="网页服务：runserver（演示、开发）或 gunicorn（生产）",
        )
        parser.add_argument("--bind", default="127.0.0.1:8000", help="网页服务的地址和端口")
        parser.add_argument(
            "--grace", type=float, default=10.0, help="停止时等待各进程自行退出的秒数"
        )

    def handle(self, *args: Any, web: str, bind: str, grace: float, **options: Any) -> None:
        manage = [sys.executable, sys.argv[0]] if sys.argv[0].endswith("manage.py") else None
        if manage is None:
            manage = [sys.executable, "-m", "django"]
        children = [
            Child("web", self._web(web, bind, manage)),
            Child("worker", [*manage, "run_worker"]),
            Child("scheduler", [*manage, "run_scheduler"]),
        ]
        status = Supervisor(children, grace_seconds=grace, say=self.stderr.write).run()
        if status:
            raise CommandError(f"a process failed (status {status})", returncode=status)

    def _web(self, web: str, bind: str, manage: list[str]) -> list[str]:
        if web == "runserver":
            # No autoreloader: it would restart the server alone, apart from the others.
            return [*manage, "runserver", "--noreload", bind]
        gunicorn = shutil.which("gunicorn")
        if gunicorn is None:
            raise CommandError("gunicorn is not installed (pip install gunicorn)")
        return [gunicorn, "config.wsgi:application", "--bind", bind]
