from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zongzhi.accounts.tokens import create_client_system
from zongzhi.regions.models import Region


class Command(BaseCommand):
    help = (
        "为一个对接系统（如12345热线平台）创建账号和 Open311/API 接口密钥，只输出密钥本身"
        "（只显示这一次）。默认设在唯一的县级区划；有多个县时用 --region 指明。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="对接系统名称，如“12345热线平台”")
        parser.add_argument("--region", help="对接系统登记事项的区划代码（县及以下）")

    def handle(self, *args: Any, **options: Any) -> None:
        region = self._region(options.get("region"))
        try:
            _, key = create_client_system(name=options["name"], region=region)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        # Only the key: a script can capture it with $(manage.py open311_key …).
        self.stdout.write(key)

    def _region(self, code: str | None) -> Region:
        if code:
            region = Region.objects.filter(code=code).first()
            if region is None:
                raise CommandError(f"区划代码 {code} 不存在")
            return region
        counties = list(Region.objects.filter(level=Region.Level.COUNTY)[:2])
        if len(counties) != 1:
            raise CommandError(
                "没有县级区划，请先导入区划"
                if not counties
                else "有多个县级区划，请用 --region 指明"
            )
        return counties[0]
