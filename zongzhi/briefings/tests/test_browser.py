"""A township leader reads the morning report on a phone and opens a record from it."""

from typing import Any

import pytest

from zongzhi.briefings import services
from zongzhi.briefings.models import DailyReport
from zongzhi.briefings.tests.factories import case_at, centres, due, hazard_at, in_progress, local
from zongzhi.browser import ARTIFACTS, PHONE_WIDTH
from zongzhi.conftest import PASSWORD, Cast
from zongzhi.hazards.models import Hazard

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_leader_reads_the_report_on_a_phone_and_opens_a_case_from_it(
    live_server: Any, phone_page: Any, cast: Cast
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    centres(cast)
    urgent = case_at(
        cast,
        at=local(yesterday, 9, 20),
        title="建筑工地拖欠12名工人工资，工人扬言堵路",
        risk_level="major",
        people_count=12,
        threat_of_violence=True,
    )
    case_at(cast, at=local(yesterday, 14, 5), title="邻里宅基地边界纠纷激化", risk_level="high")
    hazard_at(
        cast,
        at=local(yesterday, 16, 40),
        title="某小区物业与业主矛盾积累",
        level=Hazard.Level.HIGH,
        unit=cast.units.v1_committee,
        region=cast.places.v1,
    )
    late = in_progress(
        cast, case_at(cast, at=local(today - timedelta(days=30)), title="劳务费结算纠纷")
    )
    due(late, yesterday)
    services.compile_daily_reports()
    report = DailyReport.objects.get(region=cast.places.t1, report_date=today)

    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("t1_leader")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/briefings/")
    assert page.get_by_test_id("count").first.inner_text() == "4 条"
    page.screenshot(path=str(ARTIFACTS / "briefing-phone-list.png"), full_page=True)
    page.get_by_role("link", name=f"宁州街道 · {today.year}年{today.month}月{today.day}日").click()
    page.wait_for_url(f"{live_server.url}/briefings/{report.pk}/")
    assert page.get_by_test_id("count").inner_text() == "共 4 条"
    assert page.get_by_test_id("item").count() == 4
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    page.screenshot(path=str(ARTIFACTS / "briefing-phone-report.png"), full_page=True)

    page.get_by_role("link", name=urgent.title).click()
    page.wait_for_url(f"{live_server.url}/cases/{urgent.code}/")
