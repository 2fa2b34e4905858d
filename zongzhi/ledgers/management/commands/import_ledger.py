from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import SYSTEM, holds
from zongzhi.accounts.rules import Action
from zongzhi.ledgers.case_import import import_case_ledger
from zongzhi.ledgers.imports import LedgerImportError, import_hazard_ledger


class Command(BaseCommand):
    help = (
        "导入填好的台账（.xlsx，与导出的台账同一格式，或常见的手工台账）："
        "--register hazards（风险隐患台账，默认，以系统身份运行）| "
        "cases（矛盾纠纷排查化解台账，作为历史事项导入，须以 --user 指定有导入权限的账号）。"
        "全部行校验通过才写入，否则逐条列出错误（行、列、字段）并以非零状态退出；"
        "重复导入同一文件不产生重复记录。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="台账 .xlsx 文件")
        parser.add_argument(
            "--register", choices=["hazards", "cases"], default="hazards", help="台账种类"
        )
        parser.add_argument(
            "--user",
            help="以该账号导入（其导入权限与范围）；导入矛盾纠纷台账时必填，时间线记其姓名",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        file: Path = options["file"]
        cases = options["register"] == "cases"
        by = self._importer(options["user"], cases)
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        try:
            if cases:
                result = import_case_ledger(by=by, content=file.read_bytes(), filename=file.name)
                created, existing = len(result.created), result.existing
            else:
                hazards = import_hazard_ledger(by=by, content=file.read_bytes(), filename=file.name)
                created, existing = len(hazards.created), hazards.existing
        except PermissionDenied as refused:
            raise CommandError(str(refused)) from refused
        except LedgerImportError as failure:
            for error in failure.errors:
                self.stderr.write(str(error))
            raise CommandError(str(failure)) from failure
        self.stdout.write(f"导入完成：新增{created}条，已存在{existing}条")

    def _importer(self, username: str | None, cases: bool) -> Actor:
        """Who imports: the named account; the system for a hazard ledger without one. A
        case ledger is history the centre vouches for: a person with the right imports it."""
        if not username:
            if cases:
                raise CommandError("导入矛盾纠纷排查化解台账须以 --user 指定有导入权限的账号")
            return SYSTEM
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"账号“{username}”不存在或已停用")
        action = Action.IMPORT_CASE_LEDGER if cases else Action.IMPORT_HAZARD_LEDGER
        if not holds(user, action):
            raise CommandError(f"账号“{username}”无权导入该台账")
        return user
