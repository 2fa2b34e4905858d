from typing import Any

from django.core.management.base import BaseCommand

from zongzhi.cases import services


class Command(BaseCommand):
    help = "检查办理期限：临期预警、超期自动督办、中止计时到期恢复（可重复运行）"

    def handle(self, *args: Any, **options: Any) -> None:
        report = services.sweep_deadlines()
        self.stdout.write(
            f"恢复计时 {report.resumed} 件，临期预警 {report.warned} 件，"
            f"超期督办 {report.supervised} 件"
        )
