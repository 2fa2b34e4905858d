from typing import Any

from django.core.management.base import BaseCommand

from zongzhi.briefings import services


class Command(BaseCommand):
    help = "生成今日涉稳信息日报并发送给各级领导，与每天07:00的定时任务相同（可重复运行）"

    def handle(self, *args: Any, **options: Any) -> None:
        reports = services.compile_daily_reports()
        for report in reports:
            d = report.report_date
            self.stdout.write(
                f"{report.region.name} {d.year}年{d.month}月{d.day}日："
                f"{len(report.items.all())} 条，已发送 {len(report.emailed_to)} 人"
            )
        if not reports:
            self.stdout.write("今日日报均已生成，没有新的日报")
