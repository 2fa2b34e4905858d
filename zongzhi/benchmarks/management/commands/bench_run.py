"""manage.py bench_run: measure the generated province (see benchmarks.harness)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zongzhi.benchmarks import harness


class Command(BaseCommand):
    help = "在生成的模拟省份上测量受理、工作清单、指标、日报、超期巡检和台账导入，输出表格和JSON。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seconds", type=float, default=20, help="受理测量的秒数")
        parser.add_argument("--samples", type=int, default=200, help="工作清单的请求数")
        parser.add_argument("--ledger-rows", type=int, default=2000, help="导入台账的行数")
        parser.add_argument(
            "--case-ledger-rows", type=int, default=10000, help="导入历史事项台账的行数"
        )
        parser.add_argument("--json", type=Path, default=None, help="结果JSON的路径")
        parser.add_argument(
            "--peer",
            type=Path,
            default=None,
            help="对照系统（django-helpdesk）的运行脚本，如 bench/helpdesk/run",
        )

    def handle(
        self,
        *args: Any,
        seconds: float,
        samples: int,
        ledger_rows: int,
        case_ledger_rows: int,
        json: Path | None,
        peer: Path | None,
        **options: Any,
    ) -> None:
        if settings.DEBUG:
            # DEBUG keeps every query in memory and renders differently: not what runs.
            raise CommandError(
                "基准测试须按生产设置运行：请设置 DJANGO_DEBUG=false（make bench 已设置）"
            )
        report = harness.run(
            seconds=seconds,
            samples=samples,
            ledger_rows=ledger_rows,
            case_ledger_rows=case_ledger_rows,
            peer=peer,
            log=self.stdout.write,
        )
        self.stdout.write(harness.table(report))
        path = json or Path(settings.BASE_DIR) / "var" / "bench" / f"zongzhi-{report.cases}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(report.as_json())
        self.stdout.write(f"JSON: {path}")
