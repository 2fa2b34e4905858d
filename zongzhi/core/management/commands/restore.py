from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from zongzhi.core import backups


class Command(BaseCommand):
    help = (
        "用备份文件覆盖当前数据库（须加 --yes 确认），然后重新计算统计数据。"
        "恢复前请先停止网页、run_worker 和 run_scheduler"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path, help="manage.py backup 写出的备份文件")
        parser.add_argument(
            "--yes", action="store_true", help="确认用备份覆盖当前数据库中的全部数据"
        )

    def handle(self, *args: Any, file: Path, yes: bool, **options: Any) -> None:
        database = connection.settings_dict["NAME"]
        try:
            backups.check_restorable(file)
            if not yes:
                raise CommandError(
                    f"恢复会用 {file} 覆盖数据库 {database} 中的全部数据，且无法撤销。"
                    "未做任何更改。确认无误后加 --yes 再运行。"
                )
            restored = backups.restore(file)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已从 {file} 恢复数据库 {restored.database}")
        for step in restored.after:
            self.stdout.write(f"已完成恢复后的步骤：{step}")
