from datetime import datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from zongzhi.care import services


class Command(BaseCommand):
    help = (
        "检查特殊人群走访和档案转移：逾期未走访的提醒包保小组，超过宽限期的提请督导；"
        "转移超时未答复的提请转入地督导（可重复运行）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            type=lambda s: timezone.make_aware(
                datetime.combine(datetime.fromisoformat(s), time(8))
            ),
            default=None,
            help="按哪一天检查（YYYY-MM-DD）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = services.sweep_care(options["today"])
        self.stdout.write(
            f"走访逾期提醒 {result.missed} 件，提请督导 {result.escalated} 件，"
            f"转移超时提请督导 {result.transfers_escalated} 件"
        )
