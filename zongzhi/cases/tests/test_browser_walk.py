"""One case walked through its life in a phone browser, by the people who do each step."""

from typing import Any

import pytest

from zongzhi.accounts.rules import Role
from zongzhi.browser import ARTIFACTS
from zongzhi.cases.models import Case
from zongzhi.conftest import PASSWORD, Cast, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


class Walk:
    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.shots = 0

    def login(self, username: str) -> None:
        page = self.page
        page.context.clear_cookies()
        page.goto(f"{self.base}/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()

    def open_case(self, code: str) -> None:
        self.page.goto(f"{self.base}/cases/{code}/")

    def step(self, key: str, fill: dict[str, str] | None = None, **choices: str) -> Any:
        """Open the step's form on the case page, fill it, send it."""
        page = self.page
        block = page.locator(f'details[data-step="{key}"]')
        block.locator("summary").click()
        for label, value in (fill or {}).items():
            block.get_by_label(label).first.fill(value)
        for label, value in choices.items():
            block.get_by_label(label).first.select_option(label=value)
        block.locator("button[type=submit]").click()
        page.wait_for_load_state()
        return page

    def status(self) -> str:
        return str(self.page.get_by_test_id("status").inner_text())

    def shot(self, name: str) -> None:
        self.shots += 1
        self.page.screenshot(
            path=str(ARTIFACTS / f"case-walk-{self.shots:02d}-{name}.png"), full_page=True
        )


def test_a_walk_in_case_goes_from_registration_to_archive_through_every_hand(
    live_server: Any, phone_page: Any, cast: Cast
) -> None:
    county_hr = make_user("county_hr", Role.UNIT_HANDLER, unit=cast.units.county_bureau)
    walk = Walk(phone_page, live_server.url)
    page = phone_page

    # 来访: the township intake officer registers a walk-in at the counter.
    walk.login("t1_intake")
    page.goto(f"{live_server.url}/cases/new/")
    page.get_by_label("来源渠道").select_option(label="来访")
    page.get_by_label("事项分类").select_option(label="劳资纠纷/欠薪 / 拖欠工资")
    page.get_by_label("事项标题").fill("建筑工地拖欠12名工人工资")
    page.get_by_label("事项描述").fill("某建筑公司拖欠右所社区12名务工人员三个月工资共计18万元。")
    page.get_by_label("发生地").select_option(label="\u3000\u3000右所社区第1网格")
    page.get_by_label("申请人/反映人姓名").fill("陈建华")
    page.get_by_label("联系电话", exact=True).fill("13987700001")
    page.get_by_label("被申请人姓名/名称").fill("某建筑工程有限公司")
    page.locator("summary", has_text="人数、金额").click()
    page.get_by_label("涉及人数").fill("12")
    page.get_by_label("涉及金额（元）").fill("180000")
    walk.shot("intake-form")
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url(f"{live_server.url}/cases/*/")
    case = Case.objects.get()
    assert walk.status() == "待受理"
    assert "群体性" in page.locator(".case-head").inner_text()
    walk.shot("registered")

    walk.step("accept", {"说明": "材料齐全，予以受理"})
    assert walk.status() == "待派单"
    # 派单: the suggestion is there; the officer picks the police station instead.
    walk.step("dispatch", {"派单说明": "请派出所牵头核实"}, 主办单位="宁州派出所（公安/派出所）")
    assert walk.status() == "待签收"
    walk.shot("dispatched")

    walk.login("t1_police")
    walk.open_case(case.code)
    walk.step("start", {"说明": "已签收"})
    assert walk.status() == "办理中"

    # 吹哨: the township summons the county's human-resources bureau.
    walk.login("t1_intake")
    walk.open_case(case.code)
    page.locator('details[data-step="whistle"] summary').click()
    page.locator('details[data-step="whistle"]').get_by_label(
        "华宁县人社局（人力资源和社会保障）"
    ).check()
    page.locator('details[data-step="whistle"]').get_by_label("吹哨事由").fill(
        "欠薪金额大，需人社部门介入"
    )
    page.locator('details[data-step="whistle"]').locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "待报到" in page.content()
    walk.shot("whistled")

    walk.login(county_hr.username)
    walk.open_case(case.code)
    walk.step("answer_whistle", {"意见": "已派劳动监察大队到场"})
    assert "已报到" in page.content()

    # 延期: the station asks for more time; the township leader grants it.
    walk.login("t1_police")
    walk.open_case(case.code)
    walk.step("request_extension", {"延长天数": "5", "延期理由": "需等待劳动仲裁材料"})
    walk.login("t1_leader")
    page.goto(f"{live_server.url}/cases/supervision/")
    assert case.code in page.get_by_test_id("extensions").inner_text()
    walk.shot("supervision-list")
    walk.open_case(case.code)
    due_before = Case.objects.get().due_on
    walk.step("grant_extension", {"审批意见": "同意延期5个工作日"})
    case.refresh_from_db()
    assert case.due_on is not None and due_before is not None and case.due_on > due_before

    # 办结, then the resident is not satisfied: back to 办理中.
    walk.login("t1_police")
    walk.open_case(case.code)
    page.locator('details[data-step="close"] summary').click()
    page.locator('details[data-step="close"]').get_by_label("办结结果").select_option(
        label="依法处理"
    )
    page.locator('details[data-step="close"]').get_by_label("办结情况").fill("公司承诺月底前付清")
    page.locator('details[data-step="close"]').locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert walk.status() == "待回访"

    walk.login("t1_intake")
    walk.open_case(case.code)
    page.locator('details[data-step="visit"] summary').click()
    page.locator('details[data-step="visit"]').get_by_role("radio", name="不满意").check()
    page.locator('details[data-step="visit"]').get_by_label("回访情况（不满意时必填）").fill(
        "工资至今未到账"
    )
    page.locator('details[data-step="visit"]').locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert walk.status() == "办理中"
    walk.shot("reopened")

    walk.login("t1_police")
    walk.open_case(case.code)
    page.locator('details[data-step="close"] summary').click()
    page.locator('details[data-step="close"]').get_by_label("办结结果").select_option(
        label="依法处理"
    )
    page.locator('details[data-step="close"]').get_by_label("办结情况").fill(
        "工资18万元已全部发放到位"
    )
    page.locator('details[data-step="close"]').locator("button[type=submit]").click()
    page.wait_for_load_state()

    walk.login("t1_intake")
    walk.open_case(case.code)
    page.locator('details[data-step="visit"] summary').click()
    page.locator('details[data-step="visit"]').get_by_role("radio", name="满意", exact=True).check()
    page.locator('details[data-step="visit"]').locator("button[type=submit]").click()
    page.wait_for_load_state()
    walk.step("archive", {"说明": "归档"})
    assert walk.status() == "已归档"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    walk.shot("archived")

    steps = list(Case.objects.get().events.values_list("step", flat=True))
    assert steps == [
        "register",
        "accept",
        "dispatch",
        "start",
        "whistle",
        "answer_whistle",
        "request_extension",
        "grant_extension",
        "close",
        "visit_unsatisfied",
        "close",
        "visit_satisfied",
        "archive",
    ]
