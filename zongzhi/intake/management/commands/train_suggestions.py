"""manage.py train_suggestions: train a new version of the category model on the closed
and archived cases now (the scheduler does it nightly), and print its evaluation."""

from typing import Any

from django.core.management.base import BaseCommand

from zongzhi.intake import services


class Command(BaseCommand):
    help = "按已办结、已归档的事项训练分类建议模型，并在留出的五分之一上评估"

    def handle(self, *args: Any, **options: Any) -> None:
        version = services.train_suggestions()
        self.stdout.write(
            f"版本 {version.pk}：{version.get_state_display()}，事项 {version.cases} 件"
        )
        if version.message:
            self.stdout.write(version.message)
        e = version.evaluation
        if e:
            self.stdout.write(
                f"留出 {e['held_out']} 件：一级分类首选准确率 {e['top1_top_level']:.1%}，"
                f"二级分类首选 {e['top1']:.1%}，前三 {e['top3']:.1%}；用时 {version.seconds} 秒"
            )
