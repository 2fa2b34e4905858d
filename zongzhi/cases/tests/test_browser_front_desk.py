"""The front desk end to end, on a phone: a resident's request from the portal with one
party becomes an agreement and is found again (issue 16's walk)."""

import shutil
import subprocess
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from docx import Document

from zongzhi.accounts.rules import Role
from zongzhi.browser import ARTIFACTS, fits_the_phone, sign_in
from zongzhi.cases import services
from zongzhi.cases.models import Case
from zongzhi.cases.tests.factories import photo_bytes
from zongzhi.conftest import PASSWORD, Cast
from zongzhi.portal import rules as portal_rules

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _pdf_pages(path: Path) -> list[str]:
    """The text on each page of a PDF (pdftotext), its pages rendered beside it as PNG
    (pdftoppm, 70 dpi) to look at: front-desk-agreement-1.png …"""
    pdftotext, pdftoppm = shutil.which("pdftotext"), shutil.which("pdftoppm")
    if pdftotext is None or pdftoppm is None:
        pytest.skip("poppler-utils (pdftotext, pdftoppm) is not installed")
    subprocess.run(  # noqa: S603 (our own paths)
        [pdftoppm, "-png", "-r", "70", str(path), str(path.with_suffix(""))], check=True
    )
    text = subprocess.run(  # noqa: S603
        [pdftotext, "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
    ).stdout.decode()
    # pdftotext ends each page with a form feed; spaces are where the layout put them.
    return ["".join(page.split()) for page in text.split("\f") if page.strip()]


def _step(page: Any, key: str) -> Any:
    block = page.locator(f'details[data-step="{key}"]')
    block.locator("summary").click()
    return block


def _send(page: Any, block: Any) -> None:
    block.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_a_portal_request_becomes_an_agreement_and_is_found_again(
    live_server: Any, phone_page: Any, cast: Cast, monkeypatch: Any
) -> None:
    monkeypatch.setattr(portal_rules, "MIN_FILL_SECONDS", 1)  # the form's robot check
    page, base = phone_page, live_server.url

    # A resident asks through the portal, alone: one party.
    page.goto(f"{base}/portal/")
    page.get_by_label("反映什么问题").select_option(label="相邻关系")
    page.get_by_label("乡镇/街道").select_option(label="宁州街道")
    page.locator("#id_village option", has_text="右所社区").wait_for(state="attached")
    page.get_by_label("村/社区").select_option(label="右所社区")
    page.get_by_label("详细地址（选填）").fill("右所社区3组12号")
    page.get_by_label("发生了什么").fill(
        "隔壁李四在共用通道堆放建筑垃圾，多次沟通无果，老人出入不便。"
    )
    page.get_by_label("您的姓名").fill("王芳")
    page.get_by_label("联系电话（选填）").fill("139 0000 1111")
    page.wait_for_timeout(1100)
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_load_state()
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    case = Case.objects.get(code=code)
    assert case.parties.count() == 1

    # The centre adds the respondent and corrects the category.
    sign_in(page, base, "t1_intake", PASSWORD)
    page.goto(f"{base}/cases/{code}/")
    block = _step(page, "add_party")
    block.locator("select[name=role]").select_option(label="被申请人")
    block.get_by_label("姓名/名称").fill("李四")
    block.get_by_label("住址").fill("右所社区3组14号")
    _send(page, block)
    assert "当事人已增加" in page.content()
    block = _step(page, "correct")
    block.get_by_label("事项分类").select_option(label="邻里纠纷 / 琐事纠纷")
    block.get_by_label("更正说明").fill("经核实为琐事纠纷")
    _send(page, block)
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "分类：邻里纠纷 / 相邻关系 → 邻里纠纷 / 琐事纠纷" in timeline
    page.screenshot(path=str(ARTIFACTS / "front-desk-01-corrected.png"), full_page=True)

    # The village's mediation committee takes it (the steps between, through the services).
    intake, mediator = cast.by_role[Role.INTAKE_OFFICER], cast.by_role[Role.MEDIATOR]
    case = services.case_accept(by=intake, case=Case.objects.get(code=code))
    case = services.case_dispatch(by=intake, case=case, lead_unit=cast.units.v1_committee)
    services.case_start(by=mediator, case=case)

    # The mediator adds a photo from the spot and opens it.
    sign_in(page, base, "v1_mediator", PASSWORD)
    page.goto(f"{base}/cases/{code}/")
    block = _step(page, "attach")
    block.locator('input[type="file"]').set_input_files(
        files=[{"name": "通道现场.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
    )
    _send(page, block)
    files = page.get_by_test_id("attachments")
    assert "通道现场.jpg" in files.inner_text()
    with page.context.expect_page() as opened:
        files.locator("img").first.click()
    photo = opened.value
    photo.wait_for_load_state()
    assert photo.evaluate("document.contentType") == "image/jpeg"
    photo.close()

    # A session today: the date field comes up with today, as the browser shows dates.
    block = _step(page, "mediate")
    today = timezone.localdate().isoformat()
    assert block.get_by_label("调解日期").input_value() == today
    block.get_by_label("调解地点").fill("右所社区调解室")
    block.get_by_label("人民调解员").fill("赵调解员")
    block.get_by_label("到场当事人").fill("王芳、李四")
    block.get_by_label("调解记录").fill("双方陈述意见，李四同意清理。")
    _send(page, block)
    assert "调解记录已保存" in page.content()

    block = _step(page, "agree")
    block.get_by_label("纠纷主要事实、争议事项及各方责任").fill("李四在共用通道堆放建筑垃圾。")
    block.get_by_label("协议内容").fill("李四于三日内清理通道内的建筑垃圾。")
    block.get_by_label("履行方式、期限").fill("自行清理，三日内完成。")
    block.get_by_label("人民调解员").fill("赵调解员")
    _send(page, block)
    assert "调解协议书已生成" in page.content()
    assert fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "front-desk-02-agreement.png"), full_page=True)

    # Both documents download, with the parties' addresses in them.
    links = page.get_by_test_id("agreement")
    pdf = page.context.request.get(
        base + links.get_by_role("link", name="PDF").get_attribute("href")
    )
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    (ARTIFACTS / "front-desk-agreement.pdf").write_bytes(pdf.body())
    # The PDF as downloaded, page by page: the addresses printed, and the signature block
    # (each party, the mediator, the seal, the date) on one page; its pages kept as PNG.
    pages = _pdf_pages(ARTIFACTS / "front-desk-agreement.pdf")
    assert "右所社区3组14号" in "".join(pages)
    signing = [text for text in pages if "人民调解员：赵调解员" in text]
    assert len(signing) == 1, pages
    for part in ("申请人：王芳", "被申请人：李四", "（盖章）"):
        assert part in signing[0], (part, signing[0])
    docx = page.context.request.get(
        base + links.get_by_role("link", name="DOCX").get_attribute("href")
    )
    assert docx.ok
    (ARTIFACTS / "front-desk-agreement.docx").write_bytes(docx.body())
    text = "\n".join(p.text for p in Document(BytesIO(docx.body())).paragraphs)
    assert "王芳" in text and "李四" in text and "右所社区3组14号" in text

    block = _step(page, "close")
    block.get_by_label("办结结果").select_option(label="调解成功")
    block.get_by_label("办结情况").fill("双方达成调解协议，通道已清理。")
    _send(page, block)
    assert Case.objects.get(code=code).status == Case.Status.CLOSED

    # Found again at the desk by the applicant's phone, and by the code without its dash.
    sign_in(page, base, "t1_intake", PASSWORD)
    for query in ("13900001111", code.replace("-", "").lower()):
        page.goto(f"{base}/cases/?view=all&q={query}")
        assert code in page.content(), query
    page.screenshot(path=str(ARTIFACTS / "front-desk-03-found.png"), full_page=True)
