from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zongzhi.hazards import services


class Command(BaseCommand):
    help = "检查风险隐患复查日期：逾期未复查的提醒责任单位（每个逾期日期只提醒一次，可重复运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="按哪一天检查（YYYY-MM-DD）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        warned = services.sweep_hazard_reviews(options["today"])
        self.stdout.write(f"复查逾期提醒 {warned} 件")
