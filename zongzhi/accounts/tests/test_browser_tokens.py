"""One walk through the key page on a phone: make a key, copy it, use it, withdraw it."""

from typing import Any

import pytest
from django.test import Client

from zongzhi.accounts.models import ApiToken
from zongzhi.accounts.rules import Role
from zongzhi.browser import ARTIFACTS, fits_the_phone, sign_in
from zongzhi.conftest import PASSWORD, Cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_person_makes_a_key_on_the_phone_uses_it_and_withdraws_it(
    live_server: Any, phone_page: Any, cast: Cast
) -> None:
    page = phone_page
    user = cast.by_role[Role.GRID_WORKER]
    sign_in(page, live_server.url, user.username, PASSWORD)
    page.goto(f"{live_server.url}/accounts/tokens/")
    page.get_by_label("用途").fill("网格员App")
    page.get_by_role("button", name="创建").click()
    key = page.get_by_test_id("new-key-value").input_value()
    assert key.startswith("zz_")
    assert page.get_by_text("离开本页后无法再次查看").is_visible()
    assert fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "tokens-new-key-phone.png"), full_page=True)

    api = Client()
    auth = {"Authorization": f"Bearer {key}"}
    assert api.get("/api/cases/", headers=auth).status_code == 200

    page.reload()
    assert page.get_by_test_id("new-key").count() == 0  # shown once
    row = page.get_by_test_id("token-list").locator("li").first
    assert "网格员App" in row.inner_text() and "使用中" in row.inner_text()
    row.get_by_role("button", name="停用").click()
    page.wait_for_load_state()
    assert "已停用" in page.get_by_test_id("token-list").inner_text()
    assert fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "tokens-list-phone.png"), full_page=True)
    assert ApiToken.objects.get().revoked_at is not None
    assert api.get("/api/cases/", headers=auth).status_code == 401
