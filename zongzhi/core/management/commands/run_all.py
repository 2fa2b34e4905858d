import argparse
import importlib.util
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zongzhi.core.checks import production_settings
from zongzhi.core.supervisor import Child, Supervisor


class Command(BaseCommand):
    help = (
        "一条命令运行整个系统：网页服务、后台任务（run_worker）和定时任务（run_scheduler）；"
        "Ctrl-C 全部停止。gunicorn（生产）模式下任一进程退出即重新启动，"
        "runserver（演示）模式下任一进程退出则全部停止"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--web",
            choices=["runserver", "gunicorn"],
            default="runserver",
            help="网页服务：runserver（演示、开发）或 gunicorn（生产，配置见 config/gunicorn.py）",
        )
        parser.add_argument("--bind", default="127.0.0.1:8000", help="网页服务的地址和端口")
        parser.add_argument(
            "--grace", type=float, default=10.0, help="停止时等待各进程自行退出的秒数"
        )
        parser.add_argument(
            "--restart",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="进程退出后重新启动（间隔从 1 秒加倍到 30 秒）；gunicorn 模式默认开启",
        )

    def handle(
        self, *args: Any, web: str, bind: str, grace: float, restart: bool | None, **options: Any
    ) -> None:
        manage = [sys.executable, sys.argv[0]] if sys.argv[0].endswith("manage.py") else None
        if manage is None:
            manage = [sys.executable, "-m", "django"]
        # Production restarts what dies (a county's office has nobody watching a terminal);
        # the demo stops everything, so whoever runs it sees the failure at once.
        if restart is None:
            restart = web == "gunicorn"
        children = [
            Child("web", self._web(web, bind, manage), restart=restart),
            Child("worker", [*manage, "run_worker"], restart=restart),
            Child("scheduler", [*manage, "run_scheduler"], restart=restart),
        ]
        status = Supervisor(children, grace_seconds=grace, say=self.stderr.write).run()
        if status:
            raise CommandError(f"a process failed (status {status})", returncode=status)

    def _web(self, web: str, bind: str, manage: list[str]) -> list[str]:
        if web == "runserver":
            # No autoreloader: it would restart the server alone, apart from the others.
            # No second round of system checks: `make demo` ran them with migrate.
            return [*manage, "runserver", "--noreload", "--skip-checks", bind]
        refused = production_settings()
        if refused:
            raise CommandError("; ".join(str(e.msg) for e in refused))
        if importlib.util.find_spec("gunicorn") is None:
            raise CommandError("gunicorn is not installed (pip install -r requirements.txt)")
        config = settings.BASE_DIR / "config" / "gunicorn.py"
        # Through this interpreter, so the venv's gunicorn runs even when it is not on PATH.
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(config),
            "--chdir",
            str(settings.BASE_DIR),
            "--bind",
            bind,
            "config.wsgi:application",
        ]
