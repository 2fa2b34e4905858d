from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zongzhi.accounts.permissions import SYSTEM
from zongzhi.ledgers.exports import Register, export_ledger
from zongzhi.regions.models import Region


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期“{value}”应写成 YYYY-MM-DD") from None


class Command(BaseCommand):
    help = (
        "导出台账为 Excel：--register cases（矛盾纠纷排查化解台账）| hazards（风险隐患台账）"
        "| screening（排查报告台账），--region 区划代码，--from/--to 统计期间，--out 文件。"
        "以系统身份运行，包含该区划下的全部记录。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--register", required=True, choices=[r.value for r in Register])
        parser.add_argument("--region", required=True, help="区划代码，如 530424000000")
        parser.add_argument("--from", dest="start", help="起始日期 YYYY-MM-DD，默认本月1日")
        parser.add_argument("--to", dest="end", help="截止日期 YYYY-MM-DD，默认今天")
        parser.add_argument("--out", required=True, type=Path, help="输出的 .xlsx 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        start = _day(options["start"]) if options["start"] else today.replace(day=1)
        end = _day(options["end"]) if options["end"] else today
        region = Region.objects.filter(code=options["region"]).first()
        if region is None:
            raise CommandError(f"区划代码“{options['region']}”不存在")
        try:
            ledger = export_ledger(
                by=SYSTEM,
                register=Register(options["register"]),
                region=region,
                start=start,
                end=end,
            )
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        out: Path = options["out"]
        out.write_bytes(ledger.content)
        self.stdout.write(f"已导出 {ledger.count} 条到 {out}")
