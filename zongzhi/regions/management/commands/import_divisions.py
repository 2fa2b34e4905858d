from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zongzhi.accounts.permissions import SYSTEM
from zongzhi.regions.services import DivisionImportError, import_divisions
from zongzhi.regions.sources import SourceError, read_division_file, read_national_dataset


class Command(BaseCommand):
    help = (
        "导入区划代码。FILE 为 CSV 或 JSON（列：code, name, level, parent，可选 boundary, "
        "official）；或用 --national DIR --within 前缀 从国家统计局区划数据集导入一个子树。"
        "全部行校验通过才写入；重复导入不产生重复数据。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, help="CSV 或 JSON 文件")
        parser.add_argument(
            "--national", type=Path, help="国家统计局区划数据集所在目录（provinces.csv 等）"
        )
        parser.add_argument("--within", default="", help="只导入此代码前缀下的区划，如 530424")

    def handle(self, *args: Any, **options: Any) -> None:
        file: Path | None = options["file"]
        national: Path | None = options["national"]
        if (file is None) == (national is None):
            raise CommandError("请给出一个文件，或用 --national 指定数据集目录（二者选一）")
        try:
            if file is not None:
                if not file.exists():
                    raise CommandError(f"文件不存在：{file}")
                rows = read_division_file(file)
            else:
                assert national is not None
                if not options["within"]:
                    raise CommandError("--national 需要同时给出 --within 代码前缀")
                rows = read_national_dataset(national, within=options["within"])
            result = import_divisions(by=SYSTEM, rows=rows)
        except SourceError as exc:
            raise CommandError("\n".join([str(exc), *exc.details])) from exc
        except DivisionImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"导入完成：新增{result.created}，更新{result.updated}，未变{result.unchanged}"
        )
