from typing import Any

from django.core.management.base import BaseCommand

from zongzhi.analytics import rollups


class Command(BaseCommand):
    help = (
        "从全部事项重新计算统计汇总（rollup）：先清空，再逐件计算；可随时运行，结果与增量刷新一致"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counted = rollups.rebuild_rollups()
        self.stdout.write(f"已重新计算 {counted} 件事项的统计数据")
