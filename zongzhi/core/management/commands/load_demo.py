from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from zongzhi.core.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "载入演示县（华宁县 530424）：区划、网格、楼栋、单位和各角色的演示账号。可重复运行。"

    def handle(self, *args: Any, **options: Any) -> None:
        logins = load_demo(settings.ZONGZHI_DIVISIONS_DIR)
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        width = max(len(login.username) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.username.ljust(width)}  {login.role}  {login.place}")
