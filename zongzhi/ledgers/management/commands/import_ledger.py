from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zongzhi.accounts.permissions import SYSTEM
from zongzhi.ledgers.imports import LedgerImportError, import_hazard_ledger


class Command(BaseCommand):
    help = (
        "导入填好的风险隐患台账（.xlsx，与导出的台账同一格式）。以系统身份运行。"
        "全部行校验通过才写入，否则逐条列出错误（行、列、字段）并以非零状态退出；"
        "重复导入同一文件不产生重复记录。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="风险隐患台账 .xlsx 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        file: Path = options["file"]
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        try:
            result = import_hazard_ledger(by=SYSTEM, content=file.read_bytes(), filename=file.name)
        except LedgerImportError as failure:
            for error in failure.errors:
                self.stderr.write(str(error))
            raise CommandError(str(failure)) from failure
        self.stdout.write(f"导入完成：新增{len(result.created)}条，已存在{result.existing}条")
