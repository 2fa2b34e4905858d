"""The counter's two printed slips: the receipt (受理回执) handed to the person who brought a
request in, and the notice of non-acceptance (不予受理告知书) when the centre turns it down.

Why it is built this way:

- Like the agreement (documents.py): a layout of final strings first (`ReceiptLayout`,
  `NoticeLayout`), then a template that only places them, printed by WeasyPrint with the
  CJK font embedded. What the slips say is tested on the layout, without a PDF.
- The QR code leads to the portal's public progress page for the code (under
  ZONGZHI_SITE_URL), the one page a resident can open without signing in. It is drawn
  by `segno` (pure Python, no dependencies) as inline SVG, so WeasyPrint prints it as
  vectors, sharp at any printer's resolution, and nothing is fetched or written to disk.
- The applicant's phone is printed masked (139****1111): the slip leaves the building in
  someone's pocket. Everything the resident typed is placed by the template's
  autoescaping, so hostile text stays text.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from zongzhi.cases.documents import chinese_date
from zongzhi.cases.models import Case, CaseEvent, Party
from zongzhi.cases.rules import Status, Step
from zongzhi.regions.models import Region
from zongzhi.regions.rules import PREFIX_LENGTH, Level

RECEIPT_TITLE = "受理回执"
NOTICE_TITLE = "不予受理告知书"


def mask_phone(phone: str) -> str:
    """The first three and the last four digits of a mobile number (139****1111); a shorter
    number keeps only its last four (****5678)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if not digits:
        return ""
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    return "****" + digits[-4:]


def tracking_url(code: str) -> str:
    """The portal's public progress page for a code, as a resident's phone opens it."""
    site = str(getattr(settings, "ZONGZHI_SITE_URL", "")).rstrip("/")
    return f"{site}{reverse('portal:track')}?{urlencode({'code': code})}"


def portal_url() -> str:
    site = str(getattr(settings, "ZONGZHI_SITE_URL", "")).rstrip("/")
    return f"{site}{reverse('portal:track')}"


def qr_svg(data: str) -> SafeString:
    """A QR code as an inline <svg> element (no XML declaration, sized in mm by CSS)."""
    code = segno.make(data, error="m", micro=False)
    svg = code.svg_inline(scale=4, border=2, dark="#000", light="#fff", omitsize=True)
    # segno's own markup: the data is drawn as modules, never written out as text.
    return mark_safe(svg)  # noqa: S308


def place_name(region: Region) -> str:
    """The place from the county down: 华宁县宁州街道右所社区…"""
    lengths = [
        n for level, n in PREFIX_LENGTH.items() if level >= Level.COUNTY and n <= len(region.prefix)
    ]
    prefixes = [region.prefix[:n] for n in lengths]
    names = dict(Region.objects.filter(prefix__in=prefixes).values_list("prefix", "name"))
    return "".join(names[p] for p in prefixes if p in names) or region.name


def _local(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _local_in_text(moment: datetime) -> str:
    """The same moment inside a sentence, without a space a justified line would stretch."""
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日{local.hour}时{local.minute:02d}分"


def _applicant(case: Case) -> Party | None:
    return (
        Party.objects.filter(case=case, role=Party.Role.APPLICANT).order_by("pk").first()
        or Party.objects.filter(case=case).order_by("pk").first()
    )


@dataclass(frozen=True)
class Line:
    label: str
    value: str


@dataclass(frozen=True)
class ReceiptLayout:
    title: str
    centre: str
    code: str
    lines: tuple[Line, ...]
    deadline: str
    follow: tuple[str, ...]
    track_url: str
    qr: SafeString
    date: str


def receipt_layout(case: Case) -> ReceiptLayout:
    """What the receipt says: the code, what was registered, when, by when it will be
    decided or handled, and how to follow it."""
    applicant = _applicant(case)
    who = ""
    if applicant is not None:
        masked = mask_phone(applicant.phone)
        who = f"{applicant.name}（{masked}）" if masked else applicant.name
    category = case.category
    category_name = (
        f"{category.parent.name} / {category.name}" if category.parent else category.name
    )
    place = place_name(case.region)
    if case.address:
        place = f"{place}　{case.address}"
    lines = (
        Line("查询码", case.code),
        Line("反映渠道", str(case.get_channel_display())),
        Line("事项类别", category_name),
        Line("事项标题", case.title),
        Line("发生地点", place),
        Line("反映人", who or "（未留姓名）"),
        Line("登记时间", _local(case.registered_at)),
    )
    if case.status == Status.REGISTERED and case.due_on:
        deadline = f"{case.centre.name}综治中心将于{chinese_date(case.due_on)}前决定是否受理。"
    elif case.due_on:
        deadline = f"办理期限：{chinese_date(case.due_on)}前。"
    else:
        deadline = f"当前状态：{case.get_status_display()}。"
    url = tracking_url(case.code)
    follow = (
        f"扫描右侧二维码，或在浏览器中打开 {portal_url()} ，输入查询码 {case.code}，"
        "即可查询办理进度；办结后可在同一页面评价办理结果。",
        "请妥善保管本回执，查询进度和评价都需要查询码。",
    )
    return ReceiptLayout(
        title=RECEIPT_TITLE,
        centre=f"{case.centre.name}综治中心",
        code=case.code,
        lines=lines,
        deadline=deadline,
        follow=follow,
        track_url=url,
        qr=qr_svg(url),
        date=chinese_date(timezone.localdate()),
    )


@dataclass(frozen=True)
class NoticeLayout:
    title: str
    centre: str
    code: str
    addressee: str
    paragraphs: tuple[str, ...]
    reason: str
    turn_to: tuple[str, ...]
    track_url: str
    qr: SafeString
    date: str


def rejection_event(case: Case) -> CaseEvent | None:
    """The latest 不予受理 entry of the timeline, if the case was turned down."""
    return CaseEvent.objects.filter(case=case, step=Step.REJECT).order_by("-at", "-pk").first()


def notice_layout(case: Case, event: CaseEvent) -> NoticeLayout:
    """What the notice of non-acceptance says: what was asked and when, that it is not
    accepted and why, and where the person may turn instead."""
    applicant = _applicant(case)
    centre = f"{case.centre.name}综治中心"
    addressee = f"{applicant.name}：" if applicant is not None else "反映人："
    paragraphs = (
        f"您于{_local_in_text(case.registered_at)}（{case.get_channel_display()}）反映的"
        f"“{case.title}”（查询码：{case.code}），经审查，本中心决定不予受理。",
    )
    turn_to = (
        "所反映事项如属其他机关、单位的职责，请向有权处理的机关、单位提出；",
        "属于民事纠纷的，可以申请人民调解，也可以依法申请仲裁或者向人民法院提起诉讼；",
        "属于信访事项的，可以依照《信访工作条例》向有权处理的机关提出；",
        f"对本决定有疑问的，可以向{centre}咨询，或凭查询码在群众诉求服务页面（{portal_url()}）查看。",
    )
    url = tracking_url(case.code)
    return NoticeLayout(
        title=NOTICE_TITLE,
        centre=centre,
        code=case.code,
        addressee=addressee,
        paragraphs=paragraphs,
        reason=event.note,
        turn_to=turn_to,
        track_url=url,
        qr=qr_svg(url),
        date=chinese_date(timezone.localtime(event.at).date()),
    )


def _pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy import (cairo, pango): only when a PDF is asked for

    pdf = HTML(string=html).write_pdf()
    assert pdf is not None  # write_pdf() without a target returns the bytes
    return bytes(pdf)


def receipt_html(case: Case) -> str:
    return render_to_string("cases/receipt_pdf.html", {"doc": receipt_layout(case)})


def receipt_pdf(case: Case) -> bytes:
    """The receipt as an A5 PDF, the Chinese font embedded."""
    return _pdf(receipt_html(case))


def notice_html(case: Case, event: CaseEvent) -> str:
    return render_to_string("cases/rejection_notice_pdf.html", {"doc": notice_layout(case, event)})


def notice_pdf(case: Case, event: CaseEvent) -> bytes:
    """The notice of non-acceptance as an A4 PDF."""
    return _pdf(notice_html(case, event))
