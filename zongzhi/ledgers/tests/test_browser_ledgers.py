"""The ledger page on a phone: download a ledger, upload a filled one, read the errors."""

from pathlib import Path
from typing import Any

import pytest

from zongzhi.accounts.rules import Role
from zongzhi.browser import ARTIFACTS
from zongzhi.conftest import PASSWORD, Cast
from zongzhi.hazards.models import Hazard
from zongzhi.ledgers.columns import H
from zongzhi.ledgers.tests.factories import good_row, hazard, ledger_file, open_sheet

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_officer_downloads_a_ledger_and_imports_one_on_a_phone(
    live_server: Any, phone_page: Any, cast: Cast, tmp_path: Path
) -> None:
    page = phone_page
    base = live_server.url
    hazard(cast, title="工地欠薪隐患")
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(cast.by_role[Role.INTAKE_OFFICER].username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()

    page.goto(f"{base}/ledgers/")
    page.get_by_label("风险隐患台账").check()
    page.screenshot(path=str(ARTIFACTS / "ledgers-01-export.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with page.expect_download() as download:
        page.get_by_role("button", name="导出Excel").click()
    saved = tmp_path / "ledger.xlsx"
    download.value.save_as(saved)
    assert download.value.suggested_filename.endswith(".xlsx")
    assert "工地欠薪隐患" in [c.value for c in open_sheet(saved.read_bytes())[4]]

    page.get_by_role("button", name="导入风险隐患台账").click()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        ledger_file([good_row(cast, **{H.LEVEL: "很高"}), good_row(cast, **{H.AMOUNT: -1})])
    )
    page.get_by_label("填好的风险隐患台账（.xlsx）").set_input_files(str(bad))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_load_state()
    errors = page.get_by_test_id("import-errors")
    assert "共2处错误" in errors.inner_text()
    assert "“很高”不是可选值" in page.locator("table.ledger-errors").inner_text()
    page.screenshot(path=str(ARTIFACTS / "ledgers-02-errors.png"), full_page=True)
    assert Hazard.objects.count() == 1

    good = tmp_path / "good.xlsx"
    good.write_bytes(ledger_file([good_row(cast)]))
    page.get_by_label("填好的风险隐患台账（.xlsx）").set_input_files(str(good))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_load_state()
    assert "新增1条" in page.get_by_test_id("import-result").inner_text()
    page.screenshot(path=str(ARTIFACTS / "ledgers-03-imported.png"), full_page=True)
    assert Hazard.objects.count() == 2
