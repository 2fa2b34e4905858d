"""The mediation agreement (调解协议书) printed as DOCX and as PDF.

Why it is built this way:

- One plain structure, two renderers. `agreement_layout` turns an agreement into the final
  strings of the document (title, number, party lines, the three sections, the standard
  statements, the signature lines); `agreement_docx` and `agreement_pdf` only place those
  strings. So the Word file and the PDF can never say different things.
- The contents follow 人民调解法 Art. 29 (the parties' particulars; the facts, the matters in
  dispute and each party's responsibility; what was agreed, with how and by when it is to be
  performed) and the statements follow Art. 29, 31–33: when it takes effect, that it binds,
  how many copies there are (one per party and one kept by the committee) and that the
  parties may apply together for judicial confirmation within thirty days.
- Dates and the number of copies are written in Chinese numerals (二〇二六年十一月二十三日,
  一式三份), as on any signed Chinese document; `chinese_date` and `chinese_number` do that.
- Particulars missing from the case (a party with no phone or address) print as a blank line
  to be filled in by hand before signing, instead of being left out: the law asks for them.
- Fonts. The PDF names "Noto Serif CJK SC" / "Noto Sans CJK SC" (Debian's fonts-noto-cjk)
  through fontconfig and WeasyPrint embeds a subset of it, so the PDF shows Chinese on any
  reader. Without a CJK font on the server the PDF would print empty boxes (tofu). The DOCX
  cannot embed fonts usefully, so it names SimSun (宋体) with Noto as its alternative; the
  Word helpers shared with the bulletins (core/docx.py) explain how.
"""

import io
from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from zongzhi.cases.models import MediationAgreement
from zongzhi.core.docx import (
    page_number_footer,
    set_properties,
    set_up_a4_portrait,
    set_up_chinese_text,
    write_paragraph,
)

TITLE = "人民调解协议书"
BLANK = "＿＿＿＿＿＿"
DATE_BLANK = "　　年　　月　　日"
SIGN_PROMPT = "签名、盖章或按指印："
MEDIATOR_PROMPT = "签名："
SIGN_BLANK = "\u3000" * 8  # an underlined gap to sign on
SIGN_PROMPT_WIDTH = 11  # characters: the longest prompt and a space

_DIGITS = "〇一二三四五六七八九"


# --- Chinese numerals -----------------------------------------------------------------


def chinese_number(n: int) -> str:
    """0 ≤ n < 10000 in Chinese numerals as written in documents: 3 → 三, 10 → 十,
    21 → 二十一, 105 → 一百零五, 110 → 一百一十."""
    if not 0 <= n < 10000:
        raise ValueError(f"{n} is out of range (0–9999)")
    if n == 0:
        return "零"
    if 10 <= n < 20:
        return "十" + (_DIGITS[n - 10] if n > 10 else "")
    out = ""
    pending_zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out += "零"
            pending_zero = False
        out += _DIGITS[digit] + unit
    return out


def chinese_date(day: date) -> str:
    """A date as written on a Chinese document: 2026-11-23 → 二〇二六年十一月二十三日.

    The year is read digit by digit (二〇二六), month and day as numbers (十一, 二十三)."""
    year = "".join(_DIGITS[int(d)] for d in f"{day.year:04d}")
    return f"{year}年{chinese_number(day.month)}月{chinese_number(day.day)}日"


# --- The shared structure -------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class SignatureLine:
    """One line of the signature block: who signs, the prompt, and the date to write."""

    who: str
    prompt: str
    date: str


@dataclass(frozen=True)
class AgreementLayout:
    """Everything the printed agreement says, in reading order, as final strings."""

    title: str
    number: str
    parties: tuple[str, ...]
    sections: tuple[Section, ...]
    statements: tuple[str, ...]
    signatures: tuple[SignatureLine, ...]
    committee: str
    date: str
    copies: int
    case_code: str


def _paragraphs(text: str) -> tuple[str, ...]:
    """A text field as paragraphs: one per non-empty line."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _or_blank(value: object) -> str:
    text = str(value or "").strip()
    return text or BLANK


# How the document names each party's role (stored as Party.Role codes). Fixed Chinese:
# the agreement is a Chinese legal document whatever the screen language.
DOCUMENT_ROLES = {"applicant": "申请人", "respondent": "被申请人", "other": "其他当事人"}


def _role(party: dict[str, object]) -> str:
    role = str(party.get("role") or "")
    return DOCUMENT_ROLES.get(role, role) or BLANK


def _identity(party: dict[str, object]) -> str:
    """The identity number, masked as everywhere (5304**********1234), where one is on file."""
    masked = str(party.get("identity_masked") or "")
    return f"身份证号码：{masked}，" if masked else ""


def _address_label(party: dict[str, object]) -> str:
    return "住所" if party.get("kind") == "organisation" else "住址"


def agreement_layout(agreement: MediationAgreement) -> AgreementLayout:
    """The document's text, built once for both the DOCX and the PDF."""
    parties = [p for p in agreement.parties if isinstance(p, dict)]
    committee = agreement.committee.name
    copies = len(parties) + 1
    party_lines = tuple(
        f"当事人（{_role(p)}）：{_or_blank(p.get('name'))}，{_identity(p)}"
        f"联系电话：{_or_blank(p.get('phone'))}，{_address_label(p)}：{_or_blank(p.get('address'))}。"
        for p in parties
    )
    sections = (
        Section("一、纠纷主要事实、争议事项及各方责任", _paragraphs(agreement.facts)),
        Section(
            "二、协议内容",
            (f"经{committee}主持调解，各方当事人自愿达成如下协议：", *_paragraphs(agreement.terms)),
        ),
        Section("三、履行方式、期限", _paragraphs(agreement.performance)),
    )
    statements = (
        "本协议自各方当事人签名、盖章或者按指印，人民调解员签名并加盖人民调解委员会印章之日起"
        "生效。",
        "本协议具有法律约束力，当事人应当按照约定履行。当事人之间就本协议的履行或者内容发生"
        "争议的，一方当事人可以向人民法院提起诉讼。",
        "当事人认为有必要的，可以自本协议生效之日起三十日内共同向人民法院申请司法确认；"
        "人民法院依法确认本协议有效，一方当事人拒绝履行或者未全部履行的，对方当事人可以向"
        "人民法院申请强制执行。",
        f"本协议一式{chinese_number(copies)}份，各方当事人各执一份，{committee}留存一份。",
    )
    signatures = [
        SignatureLine(
            who=f"{_role(p)}：{_or_blank(p.get('name'))}",
            prompt=SIGN_PROMPT,
            date=DATE_BLANK,
        )
        for p in parties
    ]
    signatures.append(
        SignatureLine(
            who=f"人民调解员：{_or_blank(agreement.mediators)}",
            prompt=MEDIATOR_PROMPT,
            date=DATE_BLANK,
        )
    )
    return AgreementLayout(
        title=TITLE,
        number=agreement.number,
        parties=party_lines,
        sections=sections,
        statements=statements,
        signatures=tuple(signatures),
        committee=committee,
        date=chinese_date(agreement.made_on),
        copies=copies,
        case_code=agreement.case.code,
    )


# --- DOCX -----------------------------------------------------------------------------


def _set_up(document: DocxDocument, layout: AgreementLayout) -> None:
    """A4 portrait, margins close to GB/T 9704, fonts and language for the whole document."""
    set_up_a4_portrait(document, top_mm=30, bottom_mm=28, left_mm=28, right_mm=26, footer_mm=15)
    set_up_chinese_text(document, size_pt=12)
    set_properties(
        document,
        title=f"{layout.title} {layout.number}",
        subject=layout.case_code,
        author=layout.committee,
    )


def _keep(paragraph: Paragraph, *, with_next: bool) -> None:
    """Keep the paragraph's lines on one page, and (with_next) on the next paragraph's."""
    paragraph.paragraph_format.keep_together = True
    paragraph.paragraph_format.keep_with_next = with_next


def agreement_docx(agreement: MediationAgreement) -> bytes:
    """The agreement as a Word document, ready to print and sign."""
    layout = agreement_layout(agreement)
    document = Document()
    _set_up(document, layout)
    page_number_footer(document)

    write_paragraph(
        document, layout.title, bold=True, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, after=6
    )
    write_paragraph(document, f"编号：{layout.number}", align=WD_ALIGN_PARAGRAPH.RIGHT, after=12)
    for party in layout.parties:
        write_paragraph(document, party, indent=True)
    for section in layout.sections:
        write_paragraph(document, section.heading, bold=True, before=12, after=3)
        for text in section.paragraphs:
            write_paragraph(document, text, indent=True)
    last = len(layout.statements) - 1
    for i, text in enumerate(layout.statements):
        statement = write_paragraph(document, text, indent=True, before=8 if i == 0 else 0)
        # The last statement (the copies) goes with the signatures, so no page holds only
        # signatures with nothing of the agreement above them.
        _keep(statement, with_next=i == last)

    # The signature block is one unit: every paragraph of it keeps with the next, down to
    # the committee's date, so Word and LibreOffice move it to the next page whole rather
    # than split the parties' signatures from the mediator's and the seal.
    for line in layout.signatures:
        who = write_paragraph(document, line.who, before=12)
        _keep(who, with_next=True)
        sign = write_paragraph(document, line.prompt, indent=True, before=6)
        _keep(sign, with_next=True)
        # The signing gaps start at one tab stop, so the lines align under each other.
        sign.paragraph_format.tab_stops.add_tab_stop(Pt(12 * (2 + SIGN_PROMPT_WIDTH)))
        sign.add_run("\t")
        blank = sign.add_run(SIGN_BLANK)
        blank.underline = True
        sign.add_run("\u3000\u3000" + line.date)

    seal = write_paragraph(
        document, f"{layout.committee}（盖章）", align=WD_ALIGN_PARAGRAPH.RIGHT, before=28
    )
    _keep(seal, with_next=True)
    _keep(write_paragraph(document, layout.date, align=WD_ALIGN_PARAGRAPH.RIGHT), with_next=False)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- PDF ------------------------------------------------------------------------------


def agreement_html(agreement: MediationAgreement) -> str:
    """The HTML that WeasyPrint prints; the same layout as the DOCX."""
    return render_to_string(
        "cases/agreement_pdf.html",
        {"doc": agreement_layout(agreement)},
    )


def agreement_pdf(agreement: MediationAgreement) -> bytes:
    """The agreement as a PDF (A4) with the Chinese font embedded."""
    from weasyprint import HTML  # heavy import (cairo, pango): only when a PDF is asked for

    pdf = HTML(string=agreement_html(agreement)).write_pdf()
    assert pdf is not None  # write_pdf() without a target returns the bytes
    return bytes(pdf)
