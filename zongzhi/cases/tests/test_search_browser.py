"""The work list's search on a phone: typed, filtered, found (a screenshot for people)."""

from typing import Any

import pytest

from zongzhi.accounts.rules import Role
from zongzhi.browser import ARTIFACTS
from zongzhi.cases import services
from zongzhi.cases.models import Case, Party
from zongzhi.cases.tests.factories import registered
from zongzhi.conftest import PASSWORD, Cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_officer_finds_a_case_by_a_phone_typed_with_spaces_on_a_phone(
    live_server: Any, phone_page: Any, cast: Cast
) -> None:
    wanted = registered(
        cast,
        channel=Case.Channel.PHONE,
        title="小区物业拒不维修电梯",
        parties=[services.NewParty(role=Party.Role.APPLICANT, name="周建华", phone="13908712345")],
    )
    registered(cast, channel=Case.Channel.PHONE, title="邻里噪音纠纷")
    registered(cast, title="土地边界争议")
    page, base = phone_page, live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(cast.by_role[Role.INTAKE_OFFICER].username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    page.goto(f"{base}/cases/?view=all")
    form = page.get_by_test_id("case-search")
    form.get_by_role("searchbox").fill("139 0871 2345")
    form.locator("summary").click()
    form.get_by_label("来源渠道").select_option("phone")
    form.get_by_label("排序").select_option("-registered")
    form.get_by_role("button", name="查找").click()
    page.wait_for_load_state()
    assert "q=139+0871+2345" in page.url and "channel=phone" in page.url
    assert "找到 1 件" in page.get_by_test_id("found").inner_text()
    assert wanted.code in page.get_by_test_id("cases").inner_text()
    page.screenshot(path=str(ARTIFACTS / "case-search-found.png"), full_page=True)
    page.goto(f"{base}/cases/?view=all&q=不存在的人")
    assert "没有找到" in page.get_by_test_id("cases").inner_text()
    page.screenshot(path=str(ARTIFACTS / "case-search-nothing.png"), full_page=True)
