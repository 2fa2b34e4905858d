"""One resident on a phone: submit a request, keep the code, follow it, rate the result."""

from typing import Any

import pytest

from zongzhi.accounts.rules import Role
from zongzhi.browser import ARTIFACTS, fits_the_phone
from zongzhi.cases import services
from zongzhi.cases.models import Case
from zongzhi.cases.rules import Status
from zongzhi.conftest import Cast
from zongzhi.portal import rules

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"portal-{name}.png"), full_page=True)
    assert fits_the_phone(page), name


def test_a_resident_submits_follows_and_rates_a_request_on_a_phone(
    live_server: Any, phone_page: Any, cast: Cast, monkeypatch: Any
) -> None:
    monkeypatch.setattr(rules, "MIN_FILL_SECONDS", 1)
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="群众反映问题、查询办理进度").click()
    page.wait_for_load_state()

    # Sent empty first: every mistake named at the top and at its field.
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_load_state()
    assert "反映什么问题：请选择问题类别" in page.get_by_test_id("form-errors").inner_text()
    shot(page, "00-errors")

    page.get_by_label("反映什么问题").select_option(label="相邻关系")
    page.get_by_label("乡镇/街道").select_option(label="宁州街道")
    # The village list arrives with htmx once the township is chosen.
    page.locator("#id_village option", has_text="右所社区").wait_for(state="attached")
    page.get_by_label("村/社区").select_option(label="右所社区")
    page.get_by_label("详细地址（选填）").fill("右所社区3组12号")
    page.get_by_label("发生了什么").fill(
        "楼上邻居每天夜里十二点以后还在装修，敲打声很大，老人孩子睡不好，多次敲门沟通无果。"
    )
    page.get_by_label("您的姓名").fill("王芳")
    page.get_by_label("联系电话（选填）").fill("139 0000 1111")
    shot(page, "01-form")
    page.wait_for_timeout(1100)
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_load_state()

    code = page.get_by_test_id("tracking-code").inner_text().strip()
    case = Case.objects.get(code=code)
    assert case.channel == Case.Channel.ONLINE and case.status == Status.REGISTERED
    assert "前决定是否受理" in page.content()
    shot(page, "02-code")

    page.get_by_test_id("follow").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("status").inner_text() == "已登记，等待受理"
    shot(page, "03-track-registered")

    intake, handler = cast.by_role[Role.INTAKE_OFFICER], cast.by_role[Role.UNIT_HANDLER]
    services.case_accept(by=intake, case=case)
    services.case_dispatch(by=intake, case=case, lead_unit=cast.units.t1_station)
    services.case_start(by=handler, case=case)
    services.case_close(
        by=handler,
        case=case,
        outcome=Case.Outcome.MEDIATED,
        note="民警上门调解，装修户同意调整施工时间",
        reply="经民警上门调解，楼上住户已承诺晚上八点后不再施工。如仍有噪音，请再次反映。",
    )

    # The resident comes back later and looks the code up by hand.
    page.goto(f"{live_server.url}/portal/track/")
    page.get_by_label("查询码").fill(code.lower())
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("status").inner_text() == "已办结，等待回访"
    assert "晚上八点后不再施工" in page.get_by_test_id("reply").inner_text()
    page.get_by_label("满意", exact=True).check()
    page.get_by_label("反映问题时所留电话的后四位").fill("1111")
    shot(page, "04-rate")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_load_state()
    assert "感谢您的评价" in page.content()
    assert page.get_by_test_id("status").inner_text() == "已办结"
    assert "回访：满意" in page.get_by_test_id("timeline").inner_text()
    shot(page, "05-rated")
    assert Case.objects.get(pk=case.pk).satisfaction == Case.Satisfaction.SATISFIED
