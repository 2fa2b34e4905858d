"""A village grid worker files this week's screening on a phone: a zero report for one
round, two findings (a dispute and a hazard) for another."""

import os
from pathlib import Path
from typing import Any

import pytest

from zongzhi.accounts.rules import Role
from zongzhi.browser import ARTIFACTS, sign_in
from zongzhi.cases.models import Case
from zongzhi.conftest import PASSWORD, Cast, make_user
from zongzhi.hazards.models import Hazard
from zongzhi.screening.models import ScreeningItem
from zongzhi.screening.tests.factories import campaign, overdue_campaign, report_of

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def shot(page: Any, name: str) -> None:
    """Into test-artifacts/, and into $ZONGZHI_SCREENS too when it names a folder."""
    folders = [ARTIFACTS]
    if os.environ.get("ZONGZHI_SCREENS"):
        folders.append(Path(os.environ["ZONGZHI_SCREENS"]))
    for folder in folders:
        folder.mkdir(exist_ok=True)
        page.screenshot(path=str(folder / f"screening-{name}.png"), full_page=True)


def login(page: Any, base: str, username: str) -> None:
    sign_in(page, base, username, PASSWORD)


def test_a_grid_worker_files_a_zero_report_and_a_report_with_two_findings_on_a_phone(
    live_server: Any, phone_page: Any, cast: Cast
) -> None:
    quiet = campaign(cast.places.county, title="第12周矛盾纠纷排查")
    busy = campaign(
        cast.places.county, title="欠薪隐患专项排查", instructions="重点排查在建工地和物业企业"
    )
    overdue_campaign(cast.places.county, title="第11周矛盾纠纷排查")
    page = phone_page
    base = live_server.url

    login(page, base, "g1_grid")
    page.goto(f"{base}/screening/")
    to_file = page.get_by_test_id("to-file")
    assert to_file.locator("li").count() == 3
    shot(page, "01-index")

    # 零报告 for the quiet round.
    to_file.locator("li", has_text="第12周矛盾纠纷排查").get_by_role("link", name="去填报").click()
    page.wait_for_load_state()
    shot(page, "02-filing-page")
    page.get_by_label("说明（选填）").fill("已走访网格内全部住户")
    page.get_by_role("button", name="本期无发现，零报告").click()
    page.wait_for_load_state()
    assert "零报告：本期无发现" in page.get_by_test_id("filed-report").inner_text()
    assert page.get_by_test_id("state").inner_text() == "按时上报"
    zero = report_of(quiet, cast.places.g1)
    zero.refresh_from_db()
    assert zero.is_zero and zero.note == "已走访网格内全部住户"

    # Two findings for the campaign.
    page.goto(f"{base}/screening/")
    page.get_by_test_id("to-file").locator("li", has_text="欠薪隐患专项排查").get_by_role(
        "link", name="去填报"
    ).click()
    page.wait_for_load_state()
    first = page.locator("fieldset.finding").nth(0)
    first.get_by_label("矛盾纠纷").check()
    first.get_by_label("分类").select_option(label="邻里纠纷 / 相邻关系")
    first.get_by_label("标题").fill("两户因排水沟占地争吵")
    first.get_by_label("情况描述").fill("右所社区3组两户因排水沟改道占用宅基地发生争吵。")
    first.get_by_label("详细地址").fill("右所社区3组")
    first.get_by_label("反映人/当事人").fill("李春华")
    first.get_by_label("联系电话").fill("13987700011")
    assert not first.get_by_label("包保责任人", exact=True).is_visible()  # a dispute's form

    page.get_by_role("button", name="再添加一项").click()
    second = page.locator("fieldset.finding").nth(1)
    second.wait_for()
    assert "第 2 项" in second.locator("legend").inner_text()
    second.get_by_label("风险隐患").check()
    assert not second.get_by_label("反映人/当事人").is_visible()
    second.get_by_label("分类").select_option(label="劳资纠纷/欠薪 / 拖欠工资")
    second.get_by_label("标题").fill("物业公司拖欠保洁员工资")
    second.get_by_label("情况描述").fill("物业公司两个月未发8名保洁员工资，有集体讨薪苗头。")
    second.get_by_label("涉及人数").fill("8")
    second.get_by_label("风险等级").select_option(label="高")
    second.get_by_label("风险原因").fill("涉及8人，有集体讨薪苗头")
    second.get_by_label("责任单位").select_option(label="宁州派出所（宁州街道）")
    second.get_by_label("包保责任人", exact=True).fill("张卫东")
    shot(page, "03-two-findings")
    page.get_by_role("button", name="上报排查发现").click()
    page.wait_for_load_state()

    items = page.get_by_test_id("items")
    assert "两户因排水沟占地争吵" in items.inner_text()
    assert "物业公司拖欠保洁员工资" in items.inner_text()
    shot(page, "04-filed")

    case = Case.objects.get()
    hazard = Hazard.objects.get()
    assert case.channel == Case.Channel.SCREENING and case.region == cast.places.g1
    assert case.parties.get().name == "李春华"
    assert hazard.level == "high" and hazard.responsible_unit == cast.units.t1_station
    filed = report_of(busy, cast.places.g1)
    filed.refresh_from_db()
    assert filed.filed_at is not None and not filed.is_zero
    assert sorted(ScreeningItem.objects.filter(report=filed).values_list("kind", flat=True)) == [
        "case",
        "hazard",
    ]
    # The links lead to the case and the hazard.
    assert items.get_by_role("link", name="两户因排水沟占地争吵").get_attribute("href") == (
        f"/cases/{case.code}/"
    )
    assert items.get_by_role("link", name="物业公司拖欠保洁员工资").get_attribute("href") == (
        f"/hazards/{hazard.pk}/"
    )

    # The county leader sees who has not reported.
    make_user("county_leader", Role.LEADER, region=cast.places.county)
    login(page, base, "county_leader")
    page.goto(f"{base}/screening/compliance/")
    missing = page.get_by_test_id("missing")
    assert cast.places.g1.name in missing.inner_text()  # last week's, not filed
    assert cast.places.g2.name in missing.inner_text()
    shot(page, "05-compliance-county")
    page.get_by_test_id("by-region").get_by_role("link", name=cast.places.t1.name).click()
    page.wait_for_load_state()
    page.get_by_test_id("by-region").get_by_role("link", name=cast.places.v1.name).click()
    page.wait_for_load_state()
    page.get_by_test_id("by-region").get_by_role("link", name=cast.places.g1.name).click()
    page.wait_for_load_state()
    reporters = page.get_by_test_id("reporters").inner_text()
    assert "未上报" in reporters and "按时上报" in reporters
    shot(page, "06-compliance-grid")
