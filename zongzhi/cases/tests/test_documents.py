"""The mediation agreement as the parties get it: a Word file and a PDF that say the same
things, with what 人民调解法 Art. 29 asks for, in a Chinese font, dated in Chinese."""

import io
import re
import zlib
from datetime import date

import docx
import pytest
from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm

from zongzhi.accounts.rules import Role
from zongzhi.cases import documents, services
from zongzhi.cases.models import MediationAgreement, Party
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in
from zongzhi.conftest import Cast

FACTS = (
    "申请人张三与被申请人李四系相邻住户，李四在共用通道堆放杂物，张三出行受阻。\n"
    "李四对通道受阻负主要责任。"
)
TERMS = "一、李四于2026年11月30日前清理共用通道内的杂物。\n二、双方就本纠纷再无其他争议。"
PERFORMANCE = "李四自行清理，调委会于2026年12月1日现场查看。"


def make_agreement(
    cast: Cast, *parties: services.NewParty, **overrides: object
) -> MediationAgreement:
    """An agreement made as a mediator makes one: the case goes to the village committee."""
    intake = cast.by_role[Role.INTAKE_OFFICER]
    mediator = cast.by_role[Role.MEDIATOR]
    case = case_in(cast, Status.IN_PROGRESS, **({"parties": list(parties)} if parties else {}))
    services.case_transfer(
        by=intake, case=case, lead_unit=cast.units.v1_committee, note="转社区调委会调解"
    )
    services.case_start(by=mediator, case=case)
    values: dict[str, object] = {
        "facts": FACTS,
        "terms": TERMS,
        "performance": PERFORMANCE,
        "mediators": "王五、赵六",
        "made_on": timezone.localdate(),
    }
    values.update(overrides)
    return services.case_make_agreement(by=mediator, case=case, **values)  # type: ignore[arg-type]


@pytest.fixture
def agreement(cast: Cast) -> MediationAgreement:
    return make_agreement(cast)


def docx_text(body: bytes) -> str:
    document = docx.Document(io.BytesIO(body))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(lines)


def pdf_objects(body: bytes) -> bytes:
    """The PDF's bytes with every compressed stream inflated: WeasyPrint packs the font
    dictionaries into compressed object streams, so the raw bytes do not show them."""
    inflated = [body]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", body, re.DOTALL):
        try:
            inflated.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue
    return b"\n".join(inflated)


# --- The Word file ----------------------------------------------------------------------


def test_the_word_file_opens_and_says_everything_the_law_asks_for(
    agreement: MediationAgreement,
) -> None:
    text = docx_text(documents.agreement_docx(agreement))
    assert "人民调解协议书" in text
    assert f"编号：{agreement.number}" in text
    for party in ("张三", "李四"):
        assert party in text
    assert "13800000001" in text and "13800000002" in text
    for line in FACTS.splitlines() + TERMS.splitlines() + [PERFORMANCE]:
        assert line in text
    for heading in ("纠纷主要事实、争议事项及各方责任", "协议内容", "履行方式、期限"):
        assert heading in text
    assert "本协议一式三份" in text
    assert "三十日内共同向人民法院申请司法确认" in text
    assert "右所社区调委会（盖章）" in text
    assert documents.chinese_date(timezone.localdate()) in text
    assert "王五、赵六" in text


def test_the_word_file_has_a_centred_bold_title_and_a_signature_line_per_party(
    agreement: MediationAgreement,
) -> None:
    document = docx.Document(io.BytesIO(documents.agreement_docx(agreement)))
    title = document.paragraphs[0]
    assert title.text == "人民调解协议书"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert all(run.bold for run in title.runs)
    text = docx_text(documents.agreement_docx(agreement))
    assert text.count("签名、盖章或按指印：") == 2
    assert "人民调解员：王五、赵六" in text


def test_the_word_file_is_a4_and_names_a_chinese_font_for_chinese_text(
    agreement: MediationAgreement,
) -> None:
    document = docx.Document(io.BytesIO(documents.agreement_docx(agreement)))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1)
    assert abs(section.page_height - Mm(297)) < Mm(1)
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "SimSun"
    defaults = document.styles.element.find(qn("w:docDefaults"))
    default_fonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    # A theme font would win over the named one and give Calibri/MS Mincho instead.
    assert default_fonts.get(qn("w:eastAsiaTheme")) is None
    assert default_fonts.get(qn("w:eastAsia")) == "SimSun"


def test_one_copy_is_printed_for_every_party_and_one_for_the_committee(cast: Cast) -> None:
    agreement = make_agreement(
        cast,
        services.NewParty(role=Party.Role.APPLICANT, name="张三", phone="13800000001"),
        services.NewParty(role=Party.Role.RESPONDENT, name="李四", phone="13800000002"),
        services.NewParty(role=Party.Role.OTHER, name="宁州物业管理有限公司"),
    )
    text = docx_text(documents.agreement_docx(agreement))
    assert "本协议一式四份，各方当事人各执一份，右所社区调委会留存一份。" in text
    assert "宁州物业管理有限公司" in text


def test_a_missing_phone_or_address_leaves_a_blank_to_fill_in_before_signing(
    agreement: MediationAgreement,
) -> None:
    text = docx_text(documents.agreement_docx(agreement))
    # The cast's parties have a phone but no address.
    assert f"联系电话：13800000001，住址：{documents.BLANK}。" in text


# --- The PDF ----------------------------------------------------------------------------


def test_the_pdf_is_a_pdf_with_a_chinese_font_embedded(agreement: MediationAgreement) -> None:
    body = documents.agreement_pdf(agreement)
    assert body.startswith(b"%PDF-")
    objects = pdf_objects(body)
    assert re.search(rb"/FontFile[23]?\b", objects), "no font is embedded"
    assert re.search(
        rb"/BaseFont\s*/[A-Z]{6}\+Noto-?Sans-?CJK|/BaseFont\s*/[A-Z]{6}\+Noto-?Serif-?CJK", objects
    ), "the embedded font is not Noto CJK: Chinese would show as empty boxes"


def test_the_pdf_says_what_the_word_file_says(agreement: MediationAgreement) -> None:
    page = documents.agreement_html(agreement)
    layout = documents.agreement_layout(agreement)
    word = docx_text(documents.agreement_docx(agreement))
    strings = [layout.title, layout.number, layout.committee, layout.date, *layout.parties]
    strings += [s.heading for s in layout.sections]
    strings += [text for s in layout.sections for text in s.paragraphs]
    strings += list(layout.statements)
    strings += [line.who for line in layout.signatures]
    for text in strings:
        assert text in word
        assert text in page


def test_what_the_parties_typed_is_printed_as_text_not_markup(cast: Cast) -> None:
    agreement = make_agreement(cast, terms="甲方支付<b>全部</b>款项 & 利息")
    page = documents.agreement_html(agreement)
    assert "甲方支付&lt;b&gt;全部&lt;/b&gt;款项 &amp; 利息" in page
    assert "甲方支付<b>全部</b>款项 & 利息" in docx_text(documents.agreement_docx(agreement))


# --- Chinese numerals -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "written"),
    [
        (date(2026, 11, 23), "二〇二六年十一月二十三日"),
        (date(2030, 10, 10), "二〇三〇年十月十日"),
        (date(2026, 1, 1), "二〇二六年一月一日"),
        (date(2000, 12, 31), "二〇〇〇年十二月三十一日"),
        (date(2019, 2, 20), "二〇一九年二月二十日"),
    ],
)
def test_a_date_is_written_in_chinese_numerals(day: date, written: str) -> None:
    assert documents.chinese_date(day) == written


@pytest.mark.parametrize(
    ("n", "written"),
    [
        (3, "三"),
        (10, "十"),
        (15, "十五"),
        (20, "二十"),
        (31, "三十一"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
        (1001, "一千零一"),
        (1010, "一千零一十"),
    ],
)
def test_a_count_is_written_in_chinese_numerals(n: int, written: str) -> None:
    assert documents.chinese_number(n) == written


def test_agreements_of_one_committee_are_numbered_in_turn_within_the_year(cast: Cast) -> None:
    first = make_agreement(cast)
    second = make_agreement(cast)
    year = timezone.localdate().year
    assert first.number == f"（{year}）右所社区调委会调字第1号"
    assert second.number == f"（{year}）右所社区调委会调字第2号"


def test_the_document_names_roles_in_chinese_whatever_the_screen_language(
    agreement: MediationAgreement,
) -> None:
    from django.utils import translation

    with translation.override("en"):
        text = docx_text(documents.agreement_docx(agreement))
    assert "当事人（申请人）：张三" in text
    assert "当事人（被申请人）：李四" in text


def test_an_agreement_dated_in_the_future_is_refused(cast: Cast) -> None:
    from datetime import timedelta

    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        make_agreement(cast, made_on=timezone.localdate() + timedelta(days=1))
    assert "made_on" in refused.value.message_dict
    assert not MediationAgreement.objects.exists()
