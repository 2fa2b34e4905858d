from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zongzhi.care import services


class Command(BaseCommand):
    help = (
        "对已结案且超过保存期限的特殊人群档案去标识化"
        "（姓名、身份证号码、联系方式和走访内容等被清除，统计数据保留）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="按哪一天计算（YYYY-MM-DD）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        done = services.deidentify_expired(options["today"])
        self.stdout.write(f"去标识化档案 {done} 份")
