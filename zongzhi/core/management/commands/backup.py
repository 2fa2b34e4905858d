from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zongzhi.core import backups


class Command(BaseCommand):
    help = (
        "备份数据库：PostgreSQL 用 pg_dump -Fc，SQLite 用在线备份接口；"
        "写入 DIR 下带时间的文件（zongzhi-年月日-时分秒.dump 或 .sqlite3）。"
        "附件（MEDIA_ROOT）和字段密钥不在备份中，须另行保存"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", required=True, type=Path, help="备份文件写入的目录")
        parser.add_argument(
            "--keep", type=int, default=None, help="只保留最新的 N 份备份，更早的删除"
        )

    def handle(self, *args: Any, out: Path, keep: int | None, **options: Any) -> None:
        if keep is not None and keep < 1:
            raise CommandError("--keep 至少为 1：不能把刚写的备份也删掉")
        try:
            written = backups.backup(out)
            deleted = backups.prune(out, keep) if keep is not None else []
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已备份到 {written}（{written.stat().st_size} 字节）")
        for path in deleted:
            self.stdout.write(f"已删除旧备份 {path}")
        self.stdout.write(f"提醒：附件目录 {settings.MEDIA_ROOT} 不在此备份中，须另行备份")
