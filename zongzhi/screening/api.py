"""The screening API (/api/screening/): the reports a caller sees or owes, one report,
and filing a report — its findings (each registered at once as a case or a hazard) or
an explicit zero report (零报告).

The same scope as the pages: screening.selectors.visible_reports (VIEW_SCREENING; with
`to_file=true`, FILE_SCREENING: the reports the caller may file); a report outside it
does not exist here (404). Filing goes through screening.services.file_report with an
idempotency key (header `Idempotency-Key` or `idempotency_key` in the body, kept per
caller): a retry answers with the report as first filed and files nothing again.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Header, Path, Query, Router, Schema

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.rules import Action
from zongzhi.api_common import (
    HEADER_DESCRIPTION,
    KEY_DESCRIPTION,
    KEY_PATTERN,
    Coded,
    PageParams,
    Text,
    coded,
    idempotency_key,
    page,
    responses,
)
from zongzhi.cases.models import Case
from zongzhi.categories.models import Category
from zongzhi.regions.models import Region
from zongzhi.screening import selectors, services
from zongzhi.screening.models import ScreeningItem, ScreeningReport
from zongzhi.screening.rules import STATE_NAMES, ReportState
from zongzhi.units.models import Unit

router = Router(tags=["排查"])

NOT_FOUND = "没有这份排查报告，或您无权查阅"
REPORT_ID = Path(..., ge=1, le=2**53, description="排查报告编号")

State = StrEnum("State", {s.name: s.value for s in ReportState})  # type: ignore[misc]
FindingKind = StrEnum("FindingKind", {k.name: k.value for k in ScreeningItem.Kind})  # type: ignore[misc]
RiskLevel = StrEnum("RiskLevel", {r.name: r.value for r in Case.Risk})  # type: ignore[misc]


class RoundOut(Schema):
    id: int = Field(description="轮次编号")
    title: str = Field(description="名称")
    kind: Coded = Field(description="类型")
    period_start: date = Field(description="起始日期")
    period_end: date = Field(description="截止日期")


class ReportRow(Schema):
    id: int = Field(description="报告编号")
    round: RoundOut = Field(description="排查轮次")
    reporter: str = Field(description="填报对象（区划或单位）")
    region: Coded | None = Field(description="填报区划（单位填报时为空）")
    unit_id: int | None = Field(description="填报单位编号（区划填报时为空）")
    due_on: date = Field(description="报送期限")
    state: Coded = Field(description="上报情况")
    filed_at: datetime | None = Field(description="上报时间")
    is_zero: bool = Field(description="是否零报告")


class ReportPage(Schema):
    count: int = Field(description="符合条件的报告总数")
    limit: int
    offset: int
    items: list[ReportRow]


class ItemOut(Schema):
    kind: Coded = Field(description="类型：矛盾纠纷（事项）或风险隐患")
    code: str = Field(description="事项查询码或隐患编号")
    title: str = Field(description="标题")


class ReportDetail(ReportRow):
    note: str = Field(description="说明")
    filed_by: str | None = Field(description="上报人")
    items: list[ItemOut] = Field(description="排查发现")


def _row(report: ScreeningReport, today: date) -> dict[str, Any]:
    r = report.round
    state = report.state(today)
    region = report.region
    return {
        "id": report.pk,
        "round": {
            "id": r.pk,
            "title": r.title,
            "kind": coded(r.kind, r.get_kind_display()),
            "period_start": r.period_start,
            "period_end": r.period_end,
        },
        "reporter": report.reporter_name,
        "region": coded(region.code, region.name) if region is not None else None,
        "unit_id": report.unit_id,
        "due_on": report.due_on,
        "state": coded(state.value, STATE_NAMES[state]),
        "filed_at": report.filed_at,
        "is_zero": report.is_zero,
    }


def _detail(report: ScreeningReport) -> dict[str, Any]:
    body = _row(report, timezone.localdate())
    items = []
    for item in selectors.report_items(report):
        record: Any = item.record
        items.append(
            {
                "kind": coded(item.kind, item.get_kind_display()),
                "code": record.code,
                "title": record.title,
            }
        )
    by = report.filed_by
    body.update(
        note=report.note,
        filed_by=(by.full_name or by.username) if by is not None else None,
        items=items,
    )
    return body


def _one(user: Actor, pk: int) -> ScreeningReport:
    report = selectors.report_for_page(user, pk)
    if report is None:
        raise Http404(NOT_FOUND)
    return report


class ReportFilters(Schema):
    round: int | None = Field(None, ge=1, le=2**53, description="排查轮次编号")
    state: State | None = Field(None, description="上报情况代码")
    to_file: bool = Field(False, description="true：只看本人可填报的报告")


@router.get(
    "/reports",
    response=responses({200: ReportPage}),
    summary="排查报告列表",
    description="本人可查阅的排查报告（to_file=true 时为本人可填报的），最近的轮次在前；"
    "分页（limit/offset），count 为总数。",
)
def report_list(
    request: HttpRequest, filters: Query[ReportFilters], paging: Query[PageParams]
) -> Any:
    today = timezone.localdate()
    action = Action.FILE_SCREENING if filters.to_file else Action.VIEW_SCREENING
    reports = selectors.visible_reports(request.user, action)
    if filters.round is not None:
        reports = reports.filter(round_id=filters.round)
    if filters.state is not None:
        reports = reports.filter(selectors.state_q(ReportState(filters.state.value), today))
    reports = reports.select_related(*selectors.REPORT_RELATED).order_by(
        "-round__period_start", "due_on", "region_prefix", "pk"
    )
    result = page(reports, paging)
    result["items"] = [_row(r, today) for r in result["items"]]
    return result


@router.get(
    "/reports/{report_id}",
    response=responses({200: ReportDetail}, 404),
    summary="一份排查报告",
    description="报告及其排查发现。不存在或不在本人范围内的返回404。",
)
def report_detail(request: HttpRequest, report_id: int = REPORT_ID) -> Any:
    return _detail(_one(request.user, report_id))


class FindingIn(Schema):
    kind: FindingKind = Field(description="类型：case 矛盾纠纷（登记为事项）或 hazard 风险隐患")
    category: Text = Field(max_length=20, description="二级分类代码")
    title: Text = Field(max_length=100, description="标题")
    description: Text = Field(max_length=5000, description="描述")
    region: Text = Field(max_length=18, description="所在地区划代码")
    address: Text = Field("", max_length=200, description="详细地址")
    people_count: int = Field(1, ge=1, le=1_000_000, description="涉及人数")
    amount: Decimal | None = Field(
        None, ge=0, max_digits=14, decimal_places=2, description="涉及金额（元）"
    )
    risk_level: RiskLevel = Field(RiskLevel("low"), description="风险等级")
    risk_reasons: Text = Field("", max_length=2000, description="风险原因（高、重大时必填）")
    applicant_name: Text = Field("", max_length=100, description="反映人（矛盾纠纷必填）")
    applicant_phone: Text = Field("", max_length=30, description="反映人电话")
    responsible_unit: int | None = Field(
        None, ge=1, le=2**53, description="责任单位编号（风险隐患必填）"
    )
    guardian_name: Text = Field("", max_length=50, description="包保责任人（风险隐患必填）")
    guardian_phone: Text = Field("", max_length=30, description="包保责任人电话")


class FilingIn(Schema):
    zero: bool = Field(False, description="本期零报告（没有排查发现）")
    items: list[FindingIn] = Field(
        default_factory=list, max_length=50, description="排查发现（零报告时为空）"
    )
    note: Text = Field("", max_length=2000, description="说明")
    idempotency_key: str | None = Field(None, pattern=KEY_PATTERN, description=KEY_DESCRIPTION)


def _finding(index: int, data: FindingIn) -> services.Finding:
    def problem(name: str, message: str) -> ValidationError:
        return ValidationError({f"items.{index}.{name}": message})

    category = Category.objects.select_related("parent").filter(code=data.category.strip()).first()
    if category is None or not category.is_active:
        raise problem("category", f"没有代码为“{data.category}”的分类")
    region = Region.objects.filter(code=data.region.strip()).first()
    if region is None:
        raise problem("region", f"没有区划代码为“{data.region}”的区划")
    unit = None
    if data.responsible_unit is not None:
        unit = Unit.objects.select_related("region").filter(pk=data.responsible_unit).first()
        if unit is None:
            raise problem("responsible_unit", f"没有编号为{data.responsible_unit}的单位")
    return services.Finding(
        kind=data.kind.value,
        category=category,
        title=data.title,
        description=data.description,
        region=region,
        address=data.address,
        people_count=data.people_count,
        amount=data.amount,
        risk_level=data.risk_level.value,
        risk_reasons=data.risk_reasons,
        applicant_name=data.applicant_name,
        applicant_phone=data.applicant_phone,
        responsible_unit=unit,
        guardian_name=data.guardian_name,
        guardian_phone=data.guardian_phone,
    )


@router.post(
    "/reports/{report_id}/file",
    response=responses({200: ReportDetail}, 400, 403, 404),
    summary="填报排查报告",
    description="填报本期排查：排查发现各自当即登记为事项或风险隐患，或确认零报告；"
    "一项有误则全部不填报。带幂等键重试时返回第一次填报的报告。"
    "不在本人范围内的报告返回404；无权填报返回403；已填报返回400。",
)
def report_file(
    request: HttpRequest,
    payload: FilingIn,
    report_id: int = REPORT_ID,
    key_header: str | None = Header(
        None, alias="Idempotency-Key", pattern=KEY_PATTERN, description=HEADER_DESCRIPTION
    ),
) -> Any:
    report = _one(request.user, report_id)
    key = idempotency_key(request, key_header, payload.idempotency_key)
    if key is not None:
        first = ScreeningReport.objects.filter(idempotency_key=key).values_list("pk", flat=True)
        if first and first[0] != report.pk:
            raise ValidationError({"idempotency_key": "该幂等键已用于另一份排查报告"})
    findings = [_finding(i, item) for i, item in enumerate(payload.items)]
    services.file_report(
        by=request.user,
        report=report,
        findings=findings,
        zero=payload.zero,
        note=payload.note,
        idempotency_key=key,
    )
    return _detail(_one(request.user, report_id))
