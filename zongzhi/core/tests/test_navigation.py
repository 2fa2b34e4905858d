"""The navigation bar offers each person the pages of their work, and every entry opens."""

from typing import Any

import pytest

from zongzhi.accounts.rules import Action, Role
from zongzhi.conftest import Cast
from zongzhi.core.navigation import NavItem, items_for

CASE_WORK = ["事项", "登记"]
REGISTERS = ["排查", "风险隐患", "台账"]
PLACES = ["区划与网格", "单位"]
EXPECTED = {
    Role.INTAKE_OFFICER: ["首页", *CASE_WORK, *REGISTERS, "日报", "统计", *PLACES],
    Role.GRID_WORKER: ["首页", *CASE_WORK, *REGISTERS, *PLACES],
    Role.MEDIATOR: ["首页", *CASE_WORK, *REGISTERS, *PLACES],
    # A department registers what it finds (部门移交), so it is offered 登记 too.
    Role.UNIT_HANDLER: ["首页", *CASE_WORK, *REGISTERS, *PLACES],
    Role.LEADER: ["首页", "事项", "督办", *REGISTERS, "日报", "统计", *PLACES],
    # Care files are nobody else's to read.
    Role.CARE_WORKER: ["首页", "特殊人群", *PLACES],
    Role.CARE_SUPERVISOR: ["首页", "特殊人群", *PLACES],
    Role.ADMINISTRATOR: ["首页", "考评权重", *PLACES, "系统状态"],
    # Another system never signs in (it has no password); were it to, this is its work.
    Role.CLIENT_SYSTEM: ["首页", "登记", *PLACES],
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_offered_exactly_the_pages_of_its_work(cast: Cast, role: Role) -> None:
    labels = [str(item["label"]) for item in items_for(cast.by_role[role])]
    assert labels == EXPECTED[role]


@pytest.mark.parametrize("role", list(Role))
def test_every_entry_offered_opens(cast: Cast, role: Role) -> None:
    client = cast.client_for(cast.by_role[role])
    page = client.get("/").content.decode()
    for item in items_for(cast.by_role[role]):
        assert f'href="{item["url"]}"' in page
        response = client.get(item["url"], follow=True)
        assert response.status_code == 200, (item["label"], response.status_code)


def test_an_entry_with_several_actions_shows_to_a_holder_of_any_of_them(cast: Cast) -> None:
    leader = cast.by_role[Role.LEADER]  # reads cases, configures nothing
    assert NavItem("x", "home", (Action.CONFIGURE_CASES, Action.VIEW_CASE)).shows_to(leader)
    assert not NavItem("x", "home", (Action.CONFIGURE_CASES,)).shows_to(leader)
    assert NavItem("x", "home").shows_to(leader)


def test_nobody_signed_in_is_offered_nothing() -> None:
    from django.contrib.auth.models import AnonymousUser

    assert items_for(AnonymousUser()) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_a_phone_the_bar_wraps_and_every_entry_is_on_screen(
    cast: Cast, phone_page: Any, live_server: Any
) -> None:
    from zongzhi.browser import ARTIFACTS
    from zongzhi.conftest import PASSWORD

    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("t1_intake")  # the longest bar: nine entries
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    links = page.locator(".nav-links a")
    assert links.count() == len(EXPECTED[Role.INTAKE_OFFICER])
    for n in range(links.count()):
        box = links.nth(n).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    page.screenshot(path=str(ARTIFACTS / "home-phone-intake.png"), full_page=True)
    page.get_by_role("link", name="风险隐患").click()
    page.wait_for_load_state()
    assert page.url.endswith("/hazards/")
