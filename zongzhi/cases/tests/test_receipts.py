"""The counter's printed slips: the receipt (受理回执) and the notice of non-acceptance."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from zongzhi.accounts.rules import Role
from zongzhi.cases import receipts, services
from zongzhi.cases.models import Case, Party
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in, registered
from zongzhi.cases.tests.test_documents import pdf_objects
from zongzhi.cases.tests.test_views import intake_post
from zongzhi.conftest import Cast

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>&<b>粗体</b>'
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def _png(pdf: bytes, name: str) -> None:
    """Keep the PDF and its first page as PNG (70 dpi) to look at (gitignored)."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(  # noqa: S603 (our own paths)
        [pdftoppm, "-png", "-r", "70", "-f", "1", "-l", "1", str(path), str(ARTIFACTS / name)],
        check=True,
    )


def test_the_phone_is_printed_masked() -> None:
    assert receipts.mask_phone("139 0000 1111") == "139****1111"
    assert receipts.mask_phone("501-2345") == "****2345"
    assert receipts.mask_phone("") == ""


def test_the_receipt_says_what_was_registered_and_where_to_follow_it(cast: Cast) -> None:
    case = registered(cast)
    layout = receipts.receipt_layout(case)
    values = {line.label: line.value for line in layout.lines}
    assert values["查询码"] == case.code
    assert values["反映渠道"] == "来访"
    assert "邻里纠纷" in values["事项类别"]
    assert values["事项标题"] == case.title
    assert values["反映人"] == "张三（138****0001）"
    assert "13800000001" not in receipts.receipt_html(case)
    assert "前决定是否受理" in layout.deadline
    assert layout.track_url == f"{settings.ZONGZHI_SITE_URL}/portal/track/?code={case.code}"
    assert case.code in " ".join(layout.follow)
    assert layout.qr.startswith("<svg") and "path" in layout.qr


def test_the_qr_code_holds_the_tracking_url(cast: Cast) -> None:
    case = registered(cast)
    url = receipts.tracking_url(case.code)
    # The same data, drawn again, gives the same modules: the code encodes the URL.
    assert receipts.qr_svg(url) == receipts.receipt_layout(case).qr


def test_the_receipt_pdf_embeds_the_chinese_font_and_prints_hostile_text_as_text(
    cast: Cast,
) -> None:
    case = registered(
        cast,
        title=f"排水纠纷{HOSTILE}",
        address="右所社区3组" + HOSTILE,
        parties=[services.NewParty(role=Party.Role.APPLICANT, name="王五", phone="13900001111")],
    )
    html = receipts.receipt_html(case)
    assert "<script>" not in html and "&lt;script&gt;" in html
    body = receipts.receipt_pdf(case)
    assert body.startswith(b"%PDF-")
    assert re.search(rb"Noto-?S(ans|erif)-?CJK", pdf_objects(body)), "no CJK font embedded"
    _png(body, "receipt")


def test_the_notice_gives_the_reason_and_where_to_turn(cast: Cast) -> None:
    case = case_in(cast, Status.REJECTED)
    event = receipts.rejection_event(case)
    assert event is not None
    layout = receipts.notice_layout(case, event)
    assert layout.reason == "不属于受理范围"
    assert case.code in layout.paragraphs[0] and "不予受理" in layout.paragraphs[0]
    assert any("人民法院" in text for text in layout.turn_to)
    assert any("有权处理的机关" in text for text in layout.turn_to)


def test_the_notice_pdf_prints_a_hostile_reason_as_text(cast: Cast) -> None:
    case = registered(cast, title="某事" + HOSTILE)
    services.case_reject(
        by=cast.by_role[Role.INTAKE_OFFICER],
        case=case,
        reason="属于劳动仲裁范围，请向县劳动人事争议仲裁委员会申请仲裁。" + HOSTILE,
        notice="当面告知",
    )
    event = receipts.rejection_event(case)
    assert event is not None
    html = receipts.notice_html(case, event)
    assert "<script>" not in html and "&lt;b&gt;粗体&lt;/b&gt;" in html
    body = receipts.notice_pdf(case, event)
    assert body.startswith(b"%PDF-")
    _png(body, "rejection-notice")


def test_the_counter_is_offered_the_receipt_right_after_registering(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = client.post("/cases/new/", intake_post(cast), follow=True)
    case = Case.objects.get()
    page = response.content.decode()
    assert 'data-testid="receipt-offer"' in page
    assert f"/cases/{case.code}/receipt.pdf" in page
    # Once: the next visit to the page shows the plain link only.
    again = client.get(f"/cases/{case.code}/").content.decode()
    assert 'data-testid="receipt-offer"' not in again
    assert f"/cases/{case.code}/receipt.pdf" in again
    assert "rejection-notice.pdf" not in again


def test_whoever_may_read_the_case_gets_the_receipt_and_nobody_else(cast: Cast) -> None:
    case = registered(cast)
    reader = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = reader.get(f"/cases/{case.code}/receipt.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert cast.client_for(cast.outsider).get(f"/cases/{case.code}/receipt.pdf").status_code == 404


def test_the_notice_is_linked_and_served_only_once_the_case_was_rejected(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    pending = registered(cast)
    assert client.get(f"/cases/{pending.code}/rejection-notice.pdf").status_code == 404
    rejected = case_in(cast, Status.REJECTED, title="另一件事")
    page = client.get(f"/cases/{rejected.code}/").content.decode()
    assert f"/cases/{rejected.code}/rejection-notice.pdf" in page
    response = client.get(f"/cases/{rejected.code}/rejection-notice.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
