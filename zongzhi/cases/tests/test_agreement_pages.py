"""The agreement's signature block stays on one page, with the statement of copies above
it, however long the terms: a page of signatures split from the seal, or with nothing of
the agreement above it, invites a dispute over what was signed."""

import io

import docx
import pytest
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.cases import documents, services
from zongzhi.cases.models import MediationAgreement, Party
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in
from zongzhi.conftest import Cast

# With 11 or 21 of these, the block without its rule would break across a page of the PDF
# (the parties on one page, the mediator or the seal on the next).
TERM = (
    "李四于2026年11月30日前清理共用通道内堆放的杂物、废旧家具和装修垃圾，并承担清运费用，"
    "张三予以配合，双方今后共同维护通道整洁，不再堆放任何物品。"
)


def long_agreement(cast: Cast, terms: int) -> MediationAgreement:
    intake, mediator = cast.by_role[Role.INTAKE_OFFICER], cast.by_role[Role.MEDIATOR]
    case = case_in(cast, Status.IN_PROGRESS)
    services.case_transfer(by=intake, case=case, lead_unit=cast.units.v1_committee, note="调解")
    services.case_start(by=mediator, case=case)
    services.case_add_party(
        by=mediator,
        case=case,
        details=services.PartyDetails(
            role=Party.Role.OTHER, kind=Party.Kind.ORGANISATION, name="某物业服务有限公司"
        ),
    )
    return services.case_make_agreement(
        by=mediator,
        case=case,
        facts="李四在共用通道堆放杂物。",
        terms="\n".join(f"{i + 1}、{TERM}" for i in range(terms)),
        performance="李四自行清理，调委会现场查看。",
        mediators="王五、赵六",
        made_on=timezone.localdate(),
    )


def _text(box: object) -> str:
    own = str(getattr(box, "text", ""))
    return own + "".join(_text(child) for child in getattr(box, "children", []))


def pdf_pages(html: str) -> list[str]:
    """The text on each page of the PDF, as WeasyPrint lays it out."""
    from weasyprint import HTML

    return [_text(page._page_box) for page in HTML(string=html).render().pages]


@pytest.mark.parametrize("terms", [11, 21])
def test_the_pdf_keeps_the_signature_block_on_one_page_with_the_copies_above_it(
    cast: Cast, terms: int
) -> None:
    agreement = long_agreement(cast, terms=terms)
    pages = pdf_pages(documents.agreement_html(agreement))
    assert len(pages) > 1
    block = [i for i, text in enumerate(pages) if "人民调解员：王五" in text]
    assert len(block) == 1
    page = pages[block[0]]
    for part in ("本协议一式", "申请人：张三", "被申请人：李四", "（盖章）", "年十"):
        assert part in page, (part, block)


def test_the_word_file_keeps_every_signature_paragraph_with_the_next_down_to_the_date(
    cast: Cast,
) -> None:
    agreement = long_agreement(cast, terms=2)
    document = docx.Document(io.BytesIO(documents.agreement_docx(agreement)))
    paragraphs = document.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text.startswith("本协议一式"))
    block = paragraphs[start:]
    assert block[-1].text == documents.chinese_date(agreement.made_on)
    for p in block:
        assert p.paragraph_format.keep_together, p.text
    for p in block[:-1]:
        assert p.paragraph_format.keep_with_next, p.text
    assert not block[-1].paragraph_format.keep_with_next
