"""The cases API (/api/cases/): the list, one case, registering a case, and a unit's
progress notes and closing.

The same scope as the pages: the list and each case go through
cases.selectors.visible_cases (VIEW_CASE over the case's place or its units); a case
outside it does not exist here (404). Every write goes through cases.services.

One extension, for client systems (Role.CLIENT_SYSTEM, 对接系统: the 12345 hotline
platform, a department's own system): such a system holds REGISTER_CASE but not
VIEW_CASE, and reads back the cases it registered itself (registered_by = the system) —
in the list and in the detail — and nothing else. It sees a case's public progress
(cases.public, what the resident sees), not the internal timeline or the parties: those
are for the people who may view the case.

Registering accepts an idempotency key (header `Idempotency-Key` or `idempotency_key` in
the body; kept as `api:<caller id>:<key>`): a retry with the same key answers 200 with
the case the first call made and creates nothing; the service says which it was
(services.case_register_idempotent gives the case and whether it was created).
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Header, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status as Reply

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.models import User
from zongzhi.accounts.permissions import can, grants_of
from zongzhi.accounts.rules import Action, Role
from zongzhi.api_common import (
    HEADER_DESCRIPTION,
    KEY_DESCRIPTION,
    KEY_PATTERN,
    Coded,
    PageParams,
    Text,
    choices,
    coded,
    idempotency_key,
    page,
    responses,
)
from zongzhi.cases import audit, public, rules, selectors, services
from zongzhi.cases.files import KINDS
from zongzhi.cases.models import Assignment, Attachment, Case, CaseEvent, Party
from zongzhi.cases.models.case import CaseQuerySet, overdue_q
from zongzhi.categories.models import Category
from zongzhi.core.downloads import file_response
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit

router = Router(tags=["事项"])

NOT_FOUND = "没有这个事项，或您无权查阅"

CaseStatus = StrEnum("CaseStatus", {s.name: s.value for s in rules.Status})  # type: ignore[misc]
Channel = StrEnum("Channel", {c.name: c.value for c in Case.Channel})  # type: ignore[misc]
Risk = StrEnum("Risk", {r.name: r.value for r in Case.Risk})  # type: ignore[misc]
Outcome = StrEnum("Outcome", {o.name: o.value for o in Case.Outcome})  # type: ignore[misc]
PartyRole = StrEnum("PartyRole", {r.name: r.value for r in Party.Role})  # type: ignore[misc]
PartyKind = StrEnum("PartyKind", {k.name: k.value for k in Party.Kind})  # type: ignore[misc]


# --- Scope ------------------------------------------------------------------------------


def _is_client_system(user: Actor) -> bool:
    return any(g.role == Role.CLIENT_SYSTEM for g in grants_of(user))


def readable_cases(user: Actor) -> CaseQuerySet:
    """The cases `user` may read here: visible_cases, and for a client system also the
    cases it registered itself."""
    q = selectors.case_scope_q(user, Action.VIEW_CASE)
    if user.pk is not None and _is_client_system(user):
        q |= Q(registered_by_id=user.pk)
    return Case.objects.filter(q)


# --- Schemas ----------------------------------------------------------------------------


class UnitRef(Schema):
    id: int = Field(description="单位编号")
    name: str = Field(description="单位名称")


class CaseRow(Schema):
    code: str = Field(description="查询码")
    title: str = Field(description="事项标题")
    status: Coded = Field(description="状态")
    channel: Coded = Field(description="来源渠道")
    category: Coded = Field(description="二级分类（名称含一级分类）")
    region: Coded = Field(description="发生地")
    centre: Coded = Field(description="责任综治中心")
    lead_unit: UnitRef | None = Field(description="主办单位（派单前为空）")
    risk_level: Coded = Field(description="风险等级")
    registered_at: datetime = Field(description="登记时间")
    due_on: date | None = Field(description="当前环节的期限（无待办时为空）")
    overdue: bool = Field(description="是否已超期")
    closed_on: date | None = Field(description="办结日期")


class CasePage(Schema):
    count: int = Field(description="符合条件的事项总数")
    limit: int
    offset: int
    items: list[CaseRow]


class PartyOut(Schema):
    id: int = Field(description="当事人编号（修改、删除时用）")
    kind: Coded = Field(description="类型")
    role: Coded = Field(description="身份")
    name: str = Field(description="姓名/名称")
    phone: str = Field(description="联系电话")
    address: str = Field(description="住址")
    identity_masked: str = Field(description="身份证号码（脱敏，如 5304**********1234）")


class EventOut(Schema):
    id: int = Field(description="记录编号")
    step: Coded = Field(description="环节")
    at: datetime = Field(description="时间")
    from_status: str = Field(description="之前的状态代码")
    to_status: str = Field(description="之后的状态代码")
    actor_name: str = Field(description="经办人")
    unit: str | None = Field(description="经办单位")
    note: str = Field(description="说明（内部）")


class ProgressOut(Schema):
    id: int = Field(description="记录编号")
    at: datetime = Field(description="时间")
    status: str = Field(description="之后的状态代码")
    text: str = Field(description="公开的进展说明")
    satisfaction: str = Field(description="回访满意度代码（仅回访）")


class AttachmentOut(Schema):
    id: int = Field(description="附件编号")
    name: str = Field(description="文件名")
    content_type: str = Field(description="按文件内容识别的类型")
    size: int = Field(description="字节数")
    uploaded_by: str = Field(description="上传人")
    uploaded_at: datetime = Field(description="上传时间")
    url: str = Field(description="下载地址（须有查阅该事项的权限）")


class CaseDetail(CaseRow):
    description: str = Field(description="事项描述")
    address: str = Field(description="详细地址")
    lng: float | None = Field(description="经度")
    lat: float | None = Field(description="纬度")
    people_count: int = Field(description="涉及人数")
    amount: Decimal | None = Field(description="涉及金额（元）")
    risk_reasons: str = Field(description="风险原因")
    threat_of_violence: bool
    threat_of_self_harm: bool
    outcome: Coded | None = Field(description="办结结果")
    satisfaction: Coded | None = Field(description="回访满意度")
    progress: list[ProgressOut] = Field(description="公开进展（群众可见的部分）")
    parties: list[PartyOut] | None = Field(
        description="当事人（仅可查阅该事项的人员；对接系统为空）"
    )
    timeline: list[EventOut] | None = Field(
        description="办理记录（仅可查阅该事项的人员；对接系统为空）"
    )
    attachments: list[AttachmentOut] | None = Field(
        None, description="附件（仅可查阅该事项的人员；对接系统为空）"
    )


def _row(case: Case, today: date) -> dict[str, Any]:
    lead = case.lead_unit
    return {
        "code": case.code,
        "title": case.title,
        "status": coded(case.status, rules.STATUS_NAMES[case.status_enum]),
        "channel": coded(case.channel, case.get_channel_display()),
        "category": coded(case.category.code, str(case.category)),
        "region": coded(case.region.code, case.region.name),
        "centre": coded(case.centre.code, case.centre.name),
        "lead_unit": {"id": lead.pk, "name": lead.name} if lead is not None else None,
        "risk_level": coded(case.risk_level, case.get_risk_level_display()),
        "registered_at": case.registered_at,
        "due_on": case.due_on,
        "overdue": (
            case.status in rules.OPEN
            and case.due_on is not None
            and case.due_on < today
            and case.paused_since is None
        ),
        "closed_on": case.closed_on,
    }


def _detail(user: Actor, case: Case) -> dict[str, Any]:
    body = _row(case, timezone.localdate())
    body.update(
        description=case.description,
        address=case.address,
        lng=case.lng,
        lat=case.lat,
        people_count=case.people_count,
        amount=case.amount,
        risk_reasons=case.risk_reasons,
        threat_of_violence=case.threat_of_violence,
        threat_of_self_harm=case.threat_of_self_harm,
        outcome=coded(case.outcome, case.get_outcome_display()) if case.outcome else None,
        satisfaction=(
            coded(case.satisfaction, case.get_satisfaction_display()) if case.satisfaction else None
        ),
        progress=[
            {
                "id": u.id,
                "at": u.at,
                "status": u.status,
                "text": u.text,
                "satisfaction": u.satisfaction,
            }
            for u in public.public_updates(case)
        ],
        parties=None,
        timeline=None,
    )
    if can(user, Action.VIEW_CASE, case):
        audit.note_party_read(user, case, "接口")
        body["parties"] = [
            {
                "id": p.pk,
                "kind": coded(p.kind, p.get_kind_display()),
                "role": coded(p.role, p.get_role_display()),
                "name": p.name,
                "phone": p.phone,
                "address": p.address,
                "identity_masked": p.identity_masked,
            }
            for p in case.parties.all()
        ]
        body["timeline"] = [_event(e) for e in selectors.timeline(case)]
        body["attachments"] = [_attachment(case, a) for a in case.attachments.all()]
    return body


def _attachment(case: Case, attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "uploaded_by": attachment.uploaded_by_name,
        "uploaded_at": attachment.uploaded_at,
        "url": f"/api/cases/{case.code}/attachments/{attachment.pk}",
    }


def _event(event: CaseEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "step": coded(event.step, event.step_name),
        "at": event.at,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor_name": event.actor_name,
        "unit": event.unit.name if event.unit is not None else None,
        "note": event.note,
    }


def _one(user: Actor, code: str) -> Case:
    case = (
        readable_cases(user)
        .select_related(*selectors.LIST_RELATED)
        .prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.only("pk", "case_id", "unit_id")),
            "parties",
            "merged_cases",
            "attachments",
        )
        .filter(code=code)
        .first()
    )
    if case is None:
        raise Http404(NOT_FOUND)
    return case


# --- Lookups by code --------------------------------------------------------------------


def _region(code: str, field: str) -> Region:
    region = Region.objects.filter(code=code.strip()).first()
    if region is None:
        raise ValidationError({field: f"没有区划代码为“{code}”的区划"})
    return region


def _category(code: str, field: str = "category") -> Category:
    category = Category.objects.select_related("parent").filter(code=code.strip()).first()
    if category is None or not category.is_active:
        raise ValidationError({field: f"没有代码为“{code}”的事项分类"})
    return category


# --- The list ---------------------------------------------------------------------------


CaseSort = StrEnum(  # type: ignore[misc]
    "CaseSort", {key.replace("-", "desc_"): key for key in selectors.SORTS}
)


class CaseFilters(Schema):
    status: CaseStatus | None = Field(None, description="状态代码；不填时不含已合并的事项")
    category: Text | None = Field(
        None, max_length=20, description="分类代码（一级分类含其下全部二级分类）"
    )
    channel: Channel | None = Field(None, description="来源渠道代码")
    region: Text | None = Field(None, max_length=18, description="区划代码（含下级）")
    unit: int | None = Field(None, ge=1, le=2**53, description="主办单位编号")
    registered_from: date | None = Field(None, description="登记日期起（含），YYYY-MM-DD")
    registered_to: date | None = Field(None, description="登记日期止（含），YYYY-MM-DD")
    overdue: bool | None = Field(None, description="true：只看超期的；false：只看未超期的")
    risk: Risk | None = Field(None, description="风险等级代码")
    q: Text | None = Field(
        None,
        max_length=100,
        description="查找：查询码（可不带“-”，不分大小写）、标题、描述、地址、当事人姓名或电话"
        "（可带空格或“-”）中的文字",
    )
    sort: CaseSort | None = Field(
        None,
        description="排序：due/-due 按期限，registered/-registered 按登记时间，"
        "updated/-updated 按最后更新；不填时最新登记在前",
    )


@router.get(
    "",
    response=responses({200: CasePage}, 400),
    summary="事项列表",
    description="本人可查阅的事项（与工作台的范围相同；对接系统为其自己登记的事项），"
    "按登记时间从新到旧，分页（limit/offset），count 为总数。",
)
def case_list(request: HttpRequest, filters: Query[CaseFilters], paging: Query[PageParams]) -> Any:
    cases = readable_cases(request.user)
    f = filters
    cases = cases.filter(status=f.status.value) if f.status else cases.counted()
    if f.category:
        category = _category(f.category)
        cases = cases.filter(Q(category=category) | Q(category__parent=category))
    if f.channel:
        cases = cases.filter(channel=f.channel.value)
    if f.region:
        cases = cases.filter(region_prefix__startswith=_region(f.region, "region").prefix)
    if f.unit is not None:
        if not Unit.objects.filter(pk=f.unit).exists():
            raise ValidationError({"unit": f"没有编号为{f.unit}的单位"})
        cases = cases.filter(lead_unit_id=f.unit)
    if f.registered_from and f.registered_to and f.registered_to < f.registered_from:
        raise ValidationError({"registered_to": "登记日期止不能早于登记日期起"})
    if f.registered_from:
        cases = cases.filter(registered_at__date__gte=f.registered_from)
    if f.registered_to:
        cases = cases.filter(registered_at__date__lte=f.registered_to)
    today = timezone.localdate()
    if f.overdue is True:
        cases = cases.filter(overdue_q(today))
    elif f.overdue is False:
        cases = cases.exclude(overdue_q(today))
    if f.risk:
        cases = cases.filter(risk_level=f.risk.value)
    if f.q:
        cases = cases.filter(selectors.search_q(f.q))
    order = selectors.SORTS[f.sort.value if f.sort else "-registered"]
    cases = cases.select_related(*selectors.LIST_RELATED).order_by(*order)
    result = page(cases, paging)
    result["items"] = [_row(c, today) for c in result["items"]]
    return result


# --- One case ---------------------------------------------------------------------------


@router.get(
    "/{code}",
    response=responses({200: CaseDetail}, 404),
    summary="一个事项",
    description="事项的详情和公开进展；可查阅该事项的人员另见当事人和办理记录。"
    "不存在或不在本人范围内的事项返回404。",
)
def case_detail(request: HttpRequest, code: Text) -> Any:
    return _detail(request.user, _one(request.user, code))


# --- Registering ------------------------------------------------------------------------


class PartyIn(Schema):
    role: PartyRole = Field(PartyRole("applicant"), description="身份")
    kind: PartyKind = Field(PartyKind("person"), description="类型")
    name: Text = Field(max_length=100, description="姓名/名称")
    phone: Text = Field("", max_length=30, description="联系电话")
    address: Text = Field("", max_length=200, description="住址")


class CaseIn(Schema):
    category: Text = Field(
        max_length=20, description="二级分类代码（见 /api/reference/categories）"
    )
    title: Text = Field(max_length=100, description="事项标题")
    description: Text = Field(max_length=5000, description="事项描述")
    region: Text = Field(
        max_length=18, description="发生地的区划代码（县及以下，须在本人登记范围内）"
    )
    address: Text = Field("", max_length=200, description="详细地址")
    lng: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False, description="经度")
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False, description="纬度")
    channel: Channel | None = Field(
        None, description="来源渠道；对接系统不填时为 api，其他调用者必填"
    )
    parties: list[PartyIn] = Field(max_length=50, description="当事人，至少一名（反映人在前）")
    people_count: int = Field(1, ge=1, le=1_000_000, description="涉及人数")
    amount: Decimal | None = Field(
        None, ge=0, max_digits=14, decimal_places=2, description="涉及金额（元）"
    )
    risk_level: Risk = Field(Risk("low"), description="风险等级")
    risk_reasons: Text = Field("", max_length=2000, description="风险原因（高、重大时必填）")
    threat_of_violence: bool = Field(False, description="有暴力倾向")
    threat_of_self_harm: bool = Field(False, description="有自伤自杀倾向")
    idempotency_key: str | None = Field(None, pattern=KEY_PATTERN, description=KEY_DESCRIPTION)


def _new_case(user: Actor, data: CaseIn) -> services.NewCase:
    channel = data.channel.value if data.channel else None
    if channel is None:
        if not _is_client_system(user):
            raise ValidationError({"channel": "请填写来源渠道"})
        channel = Case.Channel.API
    return services.NewCase(
        channel=channel,
        category=_category(data.category),
        title=data.title,
        description=data.description,
        region=_region(data.region, "region"),
        address=data.address,
        lng=data.lng,
        lat=data.lat,
        parties=[
            services.NewParty(
                role=p.role.value,
                kind=p.kind.value,
                name=p.name,
                phone=p.phone,
                address=p.address,
            )
            for p in data.parties
        ],
        people_count=data.people_count,
        amount=data.amount,
        risk_level=data.risk_level.value,
        risk_reasons=data.risk_reasons,
        threat_of_violence=data.threat_of_violence,
        threat_of_self_harm=data.threat_of_self_harm,
    )


@router.post(
    "",
    response=responses({200: CaseDetail, 201: CaseDetail}, 400, 403, 409),
    summary="登记事项",
    description="登记一个事项，按登记规则确定责任综治中心和期限，记入办理记录；返回201和事项。"
    "带幂等键重试时返回200和第一次登记的事项，不再新建；同一幂等键而内容不同返回409"
    "（idempotency_conflict）。发生地须在本人登记范围内（403）。",
)
def case_create(
    request: HttpRequest,
    payload: CaseIn,
    key_header: str | None = Header(
        None, alias="Idempotency-Key", pattern=KEY_PATTERN, description=HEADER_DESCRIPTION
    ),
) -> Any:
    user: User = request.user  # type: ignore[assignment]
    key = idempotency_key(request, key_header, payload.idempotency_key)
    case, created = services.case_register_idempotent(
        by=user, new=_new_case(user, payload), idempotency_key=key
    )
    # The key is the caller's own (namespaced), so the case a retry gets back is theirs; it
    # may have left what they read since.
    if not created and not readable_cases(user).filter(pk=case.pk).exists():
        raise PermissionDenied("该幂等键对应的事项已不在您的查阅范围内")
    return Reply(201 if created else 200, _detail(user, _one(user, case.code)))


# --- A unit's work ----------------------------------------------------------------------


class ProgressIn(Schema):
    note: Text = Field(max_length=2000, description="办理情况")


class CloseIn(Schema):
    outcome: Outcome = Field(description="办结结果")
    note: Text = Field(max_length=5000, description="办结情况（内部）")
    reply: Text = Field("", max_length=2000, description="给群众的答复（公开）")


@router.post(
    "/{code}/progress",
    response=responses({200: CaseDetail}, 400, 403, 404, 409),
    summary="记录办理进展",
    description="承办单位记录办理情况（办理中的事项）。不在本人范围内的事项返回404；"
    "无权办理返回403；当前状态不能记录返回409。",
)
def case_progress(request: HttpRequest, code: Text, payload: ProgressIn) -> Any:
    case = _one(request.user, code)
    services.case_record_progress(by=request.user, case=case, note=payload.note)
    return _detail(request.user, _one(request.user, code))


@router.post(
    "/{code}/close",
    response=responses({200: CaseDetail}, 400, 403, 404, 409),
    summary="办结",
    description="主办单位办结事项，写明结果、办结情况和给群众的答复（答复在门户和 Open311 "
    "中公开）。不在本人范围内的事项返回404；无权办理返回403；当前状态不能办结返回409。",
)
def case_close(request: HttpRequest, code: Text, payload: CloseIn) -> Any:
    case = _one(request.user, code)
    services.case_close(
        by=request.user,
        case=case,
        outcome=payload.outcome.value,
        note=payload.note,
        reply=payload.reply,
    )
    return _detail(request.user, _one(request.user, code))


# --- Attachments ------------------------------------------------------------------------


def _readable_to_view(user: Actor, code: str) -> Case:
    """A case the user may read in full (VIEW_CASE): a client system's own cases show
    their public progress only, never their files."""
    case = _one(user, code)
    if not can(user, Action.VIEW_CASE, case):
        raise Http404(NOT_FOUND)
    return case


@router.post(
    "/{code}/attachments",
    response=responses({201: list[AttachmentOut]}, 400, 403, 404, 409, 413),
    summary="补充附件",
    description="向未办结的事项上传文件（multipart/form-data：attachments 可多个，note 可选）。"
    "类型按文件内容识别（照片 JPG/PNG/GIF/WebP、PDF、docx、xlsx、文本、录音），每个不超过"
    "20MB，一次最多10个；不收的文件返回400（field 为 attachments），什么也不写入。"
    "受理中心、承办单位和调解员可上传；不在本人范围内的事项返回404；无权返回403；"
    "已办结的事项返回409；请求过大返回413。",
)
def case_attach(
    request: HttpRequest,
    code: Text,
    attachments: File[list[UploadedFile]],
    note: Form[str] = "",
) -> Any:
    case = _readable_to_view(request.user, code)
    made = services.case_attach(by=request.user, case=case, uploads=attachments, note=note)
    return Reply(201, [_attachment(case, a) for a in made])


@router.get(
    "/{code}/attachments/{attachment_id}",
    response=responses({200: None}, 404),
    summary="下载附件",
    description="附件文件本身，类型为按内容识别的类型。只有可查阅该事项的人员可以下载；"
    "其他人（包括对接系统）返回404。",
)
def attachment_file(request: HttpRequest, code: Text, attachment_id: int) -> Any:
    case = _readable_to_view(request.user, code)
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("没有找到该附件")
    kind = KINDS.get(attachment.content_type)
    return file_response(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        filename=attachment.name,
        inline=kind is not None and kind.inline,
    )


# --- 更正 and the parties ----------------------------------------------------------------


class CorrectionIn(Schema):
    """Only the fields sent are corrected; a field sent with its present value is left
    out of the timeline entry."""

    category: Text | None = Field(None, max_length=20, description="二级分类代码")
    title: Text | None = Field(None, max_length=100, description="事项标题")
    description: Text | None = Field(None, max_length=5000, description="事项描述")
    region: Text | None = Field(
        None, max_length=18, description="发生地的区划代码（须在责任综治中心辖区内）"
    )
    address: Text | None = Field(None, max_length=200, description="详细地址")
    amount: Decimal | None = Field(
        None, ge=0, max_digits=14, decimal_places=2, description="涉及金额（元）；null 清空"
    )
    people_count: int | None = Field(None, ge=1, le=1_000_000, description="涉及人数")
    risk_level: Risk | None = Field(None, description="风险等级")
    risk_reasons: Text | None = Field(None, max_length=2000, description="风险原因")
    note: Text = Field("", max_length=2000, description="更正说明")


def _corrections(data: CorrectionIn) -> dict[str, Any]:
    given = data.model_dump(exclude_unset=True, exclude={"note"})
    required = {"category", "title", "description", "region", "people_count", "risk_level"}
    missing = sorted(f for f in required if f in given and given[f] is None)
    if missing:
        raise ValidationError({f: "不能为空" for f in missing})
    changes: dict[str, Any] = {}
    for field, value in given.items():
        if field == "category":
            changes[field] = _category(value)
        elif field == "region":
            changes[field] = _region(value, "region")
        elif field == "risk_level":
            changes[field] = Risk(value).value
        elif field in {"address", "risk_reasons"}:
            changes[field] = value or ""
        else:
            changes[field] = value
    return changes


@router.post(
    "/{code}/correct",
    response=responses({200: CaseDetail}, 400, 403, 404, 409),
    summary="更正",
    description="更正事项的分类、标题、描述、发生地、金额、人数和风险等级，记入办理记录（更正前后）。"
    "派单前由综治中心更正；派单后主办单位更正其查明的事实（描述、金额、人数、风险、详细地址），"
    "综治中心仍可更正分类、标题和发生地。办结后不能更正（回访不满意重新办理后可以）。"
    "不在本人范围内的事项返回404；无权更正返回403；当前状态或该项不能由本人更正返回409。",
)
def case_correct(request: HttpRequest, code: Text, payload: CorrectionIn) -> Any:
    case = _one(request.user, code)
    services.case_correct(
        by=request.user, case=case, changes=_corrections(payload), note=payload.note
    )
    return _detail(request.user, _one(request.user, code))


class PartyDetailsIn(PartyIn):
    identity_number: Text = Field(
        "", max_length=30, description="身份证号码（18位，含校验位）；加密保存，只以脱敏形式返回"
    )


def _party_details(p: PartyDetailsIn) -> services.PartyDetails:
    return services.PartyDetails(
        role=p.role.value,
        kind=p.kind.value,
        name=p.name,
        phone=p.phone,
        address=p.address,
        identity_number=p.identity_number,
    )


def _party(case: Case, party_id: int) -> Party:
    party = next((p for p in case.parties.all() if p.pk == party_id), None)
    if party is None:
        raise Http404("该事项没有这名当事人")
    return party


PARTY_RULE = (
    "派单前由综治中心、派单后由主办单位办理，办结后不能变更。身份证号码不记入办理记录。"
    "不在本人范围内的事项返回404；无权变更返回403；当前状态不能变更返回409。"
)


@router.post(
    "/{code}/parties",
    response=responses({201: CaseDetail}, 400, 403, 404, 409),
    summary="增加当事人",
    description="增加一名申请人、被申请人或其他当事人（个人或组织）。" + PARTY_RULE,
)
def party_add(request: HttpRequest, code: Text, payload: PartyDetailsIn) -> Any:
    case = _one(request.user, code)
    services.case_add_party(by=request.user, case=case, details=_party_details(payload))
    return Reply(201, _detail(request.user, _one(request.user, code)))


@router.put(
    "/{code}/parties/{party_id}",
    response=responses({200: CaseDetail}, 400, 403, 404, 409),
    summary="修改当事人",
    description="以所给信息替换该当事人的信息；身份证号码不填时保留原号码。" + PARTY_RULE,
)
def party_edit(request: HttpRequest, code: Text, party_id: int, payload: PartyDetailsIn) -> Any:
    case = _one(request.user, code)
    services.case_edit_party(
        by=request.user, case=case, party=_party(case, party_id), details=_party_details(payload)
    )
    return _detail(request.user, _one(request.user, code))


@router.delete(
    "/{code}/parties/{party_id}",
    response=responses({200: CaseDetail}, 400, 403, 404, 409),
    summary="删除当事人",
    description="删除误登记的当事人（至少保留一名）。" + PARTY_RULE,
)
def party_remove(request: HttpRequest, code: Text, party_id: int) -> Any:
    case = _one(request.user, code)
    services.case_remove_party(by=request.user, case=case, party=_party(case, party_id))
    return _detail(request.user, _one(request.user, code))


# --- The code lists a case uses (/api/reference/) -------------------------------------
# Served under /api/reference/ beside the places and units (zongzhi.regions.api), each code
# with its Chinese name, the same for everyone. The operation ids are the ones published
# before these moved here, so that generated clients keep their method names.

vocabulary = Router(tags=["基础数据"])


@vocabulary.get(
    "/channels",
    operation_id="zongzhi_regions_api_channel_list",
    response=responses({200: list[Coded]}),
    summary="来源渠道",
    description="",
)
def channel_list(request: HttpRequest) -> Any:
    return choices(Case.Channel.choices)


@vocabulary.get(
    "/statuses",
    operation_id="zongzhi_regions_api_status_list",
    response=responses({200: list[Coded]}),
    summary="事项状态",
    description="事项的状态（工作人员用语）。",
)
def status_list(request: HttpRequest) -> Any:
    return choices(rules.STATUS_NAMES.items())


@vocabulary.get(
    "/risk-levels",
    operation_id="zongzhi_regions_api_risk_level_list",
    response=responses({200: list[Coded]}),
    summary="风险等级",
    description="",
)
def risk_level_list(request: HttpRequest) -> Any:
    return choices(Case.Risk.choices)


@vocabulary.get(
    "/outcomes",
    operation_id="zongzhi_regions_api_outcome_list",
    response=responses({200: list[Coded]}),
    summary="办结结果",
    description="",
)
def outcome_list(request: HttpRequest) -> Any:
    return choices(Case.Outcome.choices)
