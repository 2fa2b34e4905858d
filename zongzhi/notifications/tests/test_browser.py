"""An administrator connects a police station's WeCom robot from a phone, sends a test
message, and a dispatch reaches the robot; the station's handler reads the settings and
chooses their e-mails."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.browser import ARTIFACTS, fits_the_phone, sign_in
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in
from zongzhi.conftest import PASSWORD
from zongzhi.notifications import services
from zongzhi.notifications.tests.conftest import Crew, Robot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"notifications-{name}.png"), full_page=True)


def test_a_unit_robot_is_set_up_tested_and_told_of_a_dispatch_on_a_phone(
    live_server: Any, phone_page: Any, crew: Crew, robot: Robot
) -> None:
    page = phone_page
    base = live_server.url
    station = crew.cast.units.t1_station
    sign_in(page, base, crew.cast.by_role[Role.ADMINISTRATOR].username, PASSWORD)
    page.goto(f"{base}/units/{station.pk}/")
    page.get_by_role("button", name="群机器人通知").click()
    page.get_by_label("机器人类型").select_option(label="企业微信群机器人")
    page.get_by_label("机器人地址（Webhook 地址）").fill("ftp://wrong")
    page.get_by_label("启用").check()
    page.get_by_role("button", name="保存").click()
    assert page.get_by_text("须以 http:// 或 https:// 开头").is_visible()
    page.get_by_label("机器人地址（Webhook 地址）").fill(robot.url)
    page.get_by_role("button", name="保存").click()
    assert page.get_by_text("已保存群机器人设置").is_visible()
    page.get_by_role("button", name="发送测试消息").click()
    assert page.get_by_text("测试消息已送达").is_visible()
    assert "【测试消息】宁州派出所" in robot.received[0].body["markdown"]["content"]

    # A case dispatched to the station goes out once the step commits (the test settings
    # run the send task at once); a failure is retried and logged.
    robot.script((500, {"errcode": -1, "errmsg": "busy"}), (200, {"errcode": 0}))
    case = case_in(crew.cast, Status.DISPATCHED)
    services.send_due(now=timezone.now() + timedelta(minutes=1))
    assert [r.body["markdown"]["content"].split("\n")[0] for r in robot.received[1:]] == [
        f"### 【派单】{case.code} 邻居占道堆放杂物"
    ] * 2
    page.reload()
    page.locator(".delivery-log details").first.locator("summary").click()
    assert page.locator(".tries li.bad").first.is_visible()
    assert fits_the_phone(page)
    shot(page, "1-admin-robot")

    # The station's handler reads it (no key, no form) and picks their e-mails.
    sign_in(page, base, crew.handler.username, PASSWORD)
    page.goto(f"{base}/notifications/units/{station.pk}/")
    assert page.get_by_text("如需修改，请联系管理员").is_visible()
    assert "secret-key" not in page.content()
    assert fits_the_phone(page)
    shot(page, "2-handler-robot")
    page.get_by_role("link", name="通知设置").click()
    page.get_by_label("临期预警").uncheck()
    page.get_by_role("button", name="保存").click()
    assert page.get_by_text("已保存通知设置").is_visible()
    assert not page.get_by_label("临期预警").is_checked()
    assert fits_the_phone(page)
    shot(page, "3-preferences")
