from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Count

from zongzhi.accounts.rules import ROLE_NAMES, Role
from zongzhi.care.models import CareFile
from zongzhi.cases.models import Case
from zongzhi.cases.rules import STATUS_NAMES, Status
from zongzhi.demo.county import (
    COUNTY_PREFIX,
    DEMO_CLIENT_KEY,
    DEMO_CLIENT_USERNAME,
    DEMO_PASSWORD,
    load_demo,
)
from zongzhi.hazards.models import Hazard
from zongzhi.screening.models import ScreeningReport


class Command(BaseCommand):
    help = (
        "载入演示县（华宁县 530424）：区划、网格、楼栋、单位、各角色的演示账号，"
        "近半年的约三百件事项，近两月的排查轮次与报告、约六十条风险隐患、约八十份特殊人群档案"
        "和近一周的涉稳信息日报。"
        "可重复运行。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        logins = load_demo(settings.ZONGZHI_DIVISIONS_DIR)
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        width = max(len(login.username) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.username.ljust(width)}  {login.role}  {login.place}")
        # The demo behaves as production does: these roles enrol an authenticator app (a
        # QR code on the first sign-in) before any page opens.
        required = [ROLE_NAMES[Role(r)] for r in settings.ZONGZHI_TWO_FACTOR_REQUIRED_ROLES]
        if required:
            self.stdout.write(
                f"{'、'.join(required)}首次登录须用身份验证器 App 扫码设置两步验证，"
                "此后每次登录输入验证码。"
            )
        self.stdout.write(
            f"对接系统 12345热线平台（{DEMO_CLIENT_USERNAME}）的演示接口密钥：{DEMO_CLIENT_KEY}"
        )
        by_status = dict(
            Case.objects.filter(region_prefix__startswith=COUNTY_PREFIX)
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        parts = [f"{STATUS_NAMES[s]} {by_status[s]}" for s in Status if by_status.get(s)]
        self.stdout.write(f"演示事项 {sum(by_status.values())} 件：" + "，".join(parts))
        reports = ScreeningReport.objects.filter(region_prefix__startswith=COUNTY_PREFIX)
        filed = reports.filter(filed_at__isnull=False).count()
        hazards = Hazard.objects.filter(region_prefix__startswith=COUNTY_PREFIX).count()
        total = reports.count()
        self.stdout.write(f"排查报告 {total} 份（已上报 {filed} 份），风险隐患 {hazards} 条")
        files = CareFile.objects.filter(region_prefix__startswith=COUNTY_PREFIX)
        self.stdout.write(
            f"特殊人群档案 {files.count()} 份（在管 {files.open().count()} 份，"
            f"转移待接收 {files.exclude(transfer_to_prefix='').count()} 份）"
        )
