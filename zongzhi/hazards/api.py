"""The hazard register's API (/api/hazards/): the list, one hazard, registering one.

The same scope as the pages: hazards.selectors.visible_hazards (VIEW_HAZARD over the
hazard's place or its responsible unit); a hazard outside it does not exist here (404).
Registering goes through hazards.services.hazard_register_idempotent with an idempotency key
(header `Idempotency-Key` or `idempotency_key` in the body, kept per caller): a retry
answers 200 with the first hazard and creates nothing (the service says which it was).
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema
from ninja.responses import Status as Reply

from zongzhi.accounts.actors import Actor
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
from zongzhi.categories.models import Category
from zongzhi.hazards import rules, selectors, services
from zongzhi.hazards.models import Hazard, HazardMeasure
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit

router = Router(tags=["风险隐患"])

NOT_FOUND = "没有这个风险隐患，或您无权查阅"

Level = StrEnum("Level", {v.name: v.value for v in Hazard.Level})  # type: ignore[misc]
HazardStatus = StrEnum("HazardStatus", {s.name: s.value for s in rules.Status})  # type: ignore[misc]


class UnitRef(Schema):
    id: int = Field(description="单位编号")
    name: str = Field(description="单位名称")


class HazardRow(Schema):
    code: str = Field(description="隐患编号")
    title: str = Field(description="隐患名称")
    status: Coded = Field(description="状态")
    level: Coded = Field(description="风险等级")
    category: Coded = Field(description="类别")
    region: Coded = Field(description="所在地")
    responsible_unit: UnitRef = Field(description="责任单位")
    discovered_on: date = Field(description="发现日期")
    next_review_on: date | None = Field(description="下次复查日期（已销号为空）")
    review_overdue: bool = Field(description="复查是否已逾期")
    closed_on: date | None = Field(description="销号日期")
    registered_at: datetime = Field(description="登记时间")


class HazardPage(Schema):
    count: int = Field(description="符合条件的隐患总数")
    limit: int
    offset: int
    items: list[HazardRow]


class MeasureOut(Schema):
    content: str = Field(description="措施内容")
    owner: str = Field(description="落实人")
    due_on: date = Field(description="完成时限")
    done_on: date | None = Field(description="完成日期")
    done_note: str = Field(description="落实情况")


class ReviewOut(Schema):
    reviewed_on: date = Field(description="复查日期")
    finding: str = Field(description="复查情况")
    level: Coded = Field(description="复查后等级")
    next_review_on: date | None = Field(description="下次复查日期")
    by_name: str = Field(description="复查人")


class HazardDetail(HazardRow):
    description: str = Field(description="隐患描述")
    address: str = Field(description="详细地址")
    people_count: int = Field(description="涉及人数")
    amount: Decimal | None = Field(description="涉及金额（元）")
    level_reasons: str = Field(description="定级理由")
    guardian_name: str = Field(description="包保责任人")
    guardian_phone: str = Field(description="包保责任人电话")
    review_every_days: int = Field(description="复查周期（天）")
    source: Coded = Field(description="来源")
    case: str | None = Field(description="转为事项后的事项查询码")
    measures: list[MeasureOut] = Field(description="管控措施（一事一策）")
    reviews: list[ReviewOut] = Field(description="复查记录")


def _row(hazard: Hazard, today: date) -> dict[str, Any]:
    unit = hazard.responsible_unit
    return {
        "code": hazard.code,
        "title": hazard.title,
        "status": coded(hazard.status, rules.STATUS_NAMES[hazard.status_enum]),
        "level": coded(hazard.level, hazard.get_level_display()),
        "category": coded(hazard.category.code, str(hazard.category)),
        "region": coded(hazard.region.code, hazard.region.name),
        "responsible_unit": {"id": unit.pk, "name": unit.name},
        "discovered_on": hazard.discovered_on,
        "next_review_on": hazard.next_review_on,
        "review_overdue": rules.review_is_overdue(hazard.next_review_on, today),
        "closed_on": hazard.closed_on,
        "registered_at": hazard.registered_at,
    }


def _detail(hazard: Hazard) -> dict[str, Any]:
    body = _row(hazard, timezone.localdate())
    body.update(
        description=hazard.description,
        address=hazard.address,
        people_count=hazard.people_count,
        amount=hazard.amount,
        level_reasons=hazard.level_reasons,
        guardian_name=hazard.guardian_name,
        guardian_phone=hazard.guardian_phone,
        review_every_days=hazard.review_every_days,
        source=coded(hazard.source, hazard.get_source_display()),
        case=hazard.case.code if hazard.case is not None else None,
        measures=[
            {
                "content": m.content,
                "owner": m.owner,
                "due_on": m.due_on,
                "done_on": m.done_on,
                "done_note": m.done_note,
            }
            for m in hazard.measures.all()
        ],
        reviews=[
            {
                "reviewed_on": r.reviewed_on,
                "finding": r.finding,
                "level": coded(r.level, r.get_level_display()),
                "next_review_on": r.next_review_on,
                "by_name": r.by_name,
            }
            for r in hazard.reviews.all()
        ],
    )
    return body


def _one(user: Actor, code: str) -> Hazard:
    hazard = (
        selectors.visible_hazards(user)
        .select_related(*selectors.LIST_RELATED, "case")
        .prefetch_related(
            Prefetch("measures", queryset=HazardMeasure.objects.order_by("due_on", "pk")),
            "reviews",
        )
        .filter(code=code)
        .first()
    )
    if hazard is None:
        raise Http404(NOT_FOUND)
    return hazard


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code.strip()).first()
    if region is None:
        raise ValidationError({"region": f"没有区划代码为“{code}”的区划"})
    return region


class HazardFilters(Schema):
    status: HazardStatus | None = Field(None, description="状态代码；不填为全部")
    level: Level | None = Field(None, description="风险等级代码")
    region: Text | None = Field(None, max_length=18, description="区划代码（含下级）")


@router.get(
    "",
    response=responses({200: HazardPage}, 400),
    summary="风险隐患列表",
    description="本人可查阅的风险隐患（与台账页面的范围相同），复查日期最早的在前，"
    "已销号的在后；分页（limit/offset），count 为总数。",
)
def hazard_list(
    request: HttpRequest, filters: Query[HazardFilters], paging: Query[PageParams]
) -> Any:
    today = timezone.localdate()
    hazards = selectors.hazard_list(
        request.user,
        today=today,
        status=filters.status.value if filters.status else selectors.ALL_STATUSES,
        level=filters.level.value if filters.level else "",
        region=_region(filters.region) if filters.region else None,
    ).order_by(F("next_review_on").asc(nulls_last=True), "-registered_at", "-pk")
    result = page(hazards, paging)
    result["items"] = [_row(h, today) for h in result["items"]]
    return result


@router.get(
    "/{code}",
    response=responses({200: HazardDetail}, 404),
    summary="一个风险隐患",
    description="隐患的详情、管控措施和复查记录。不存在或不在本人范围内的返回404。",
)
def hazard_detail(request: HttpRequest, code: Text) -> Any:
    return _detail(_one(request.user, code))


class HazardIn(Schema):
    title: Text = Field(max_length=100, description="隐患名称")
    description: Text = Field(max_length=5000, description="隐患描述")
    category: Text = Field(max_length=20, description="二级分类代码")
    region: Text = Field(max_length=18, description="所在地区划代码（县及以下）")
    level: Level = Field(description="风险等级")
    level_reasons: Text = Field("", max_length=2000, description="定级理由（高、重大时必填）")
    responsible_unit: int = Field(ge=1, le=2**53, description="责任单位编号（所在地或其上级）")
    guardian_name: Text = Field(max_length=50, description="包保责任人")
    guardian_phone: Text = Field("", max_length=30, description="包保责任人电话")
    address: Text = Field("", max_length=200, description="详细地址")
    people_count: int = Field(1, ge=1, le=1_000_000, description="涉及人数")
    amount: Decimal | None = Field(
        None, ge=0, max_digits=14, decimal_places=2, description="涉及金额（元）"
    )
    discovered_on: date | None = Field(None, description="发现日期（不填为今天）")
    review_every_days: int | None = Field(
        None, ge=1, le=366, description="复查周期（天；不填按等级）"
    )
    idempotency_key: str | None = Field(None, pattern=KEY_PATTERN, description=KEY_DESCRIPTION)


def _new_hazard(data: HazardIn) -> services.NewHazard:
    category = Category.objects.select_related("parent").filter(code=data.category.strip()).first()
    if category is None or not category.is_active:
        raise ValidationError({"category": f"没有代码为“{data.category}”的分类"})
    unit = Unit.objects.select_related("region").filter(pk=data.responsible_unit).first()
    if unit is None:
        raise ValidationError({"responsible_unit": f"没有编号为{data.responsible_unit}的单位"})
    return services.NewHazard(
        title=data.title,
        description=data.description,
        category=category,
        region=_region(data.region),
        level=data.level.value,
        level_reasons=data.level_reasons,
        responsible_unit=unit,
        guardian_name=data.guardian_name,
        guardian_phone=data.guardian_phone,
        address=data.address,
        people_count=data.people_count,
        amount=data.amount,
        discovered_on=data.discovered_on,
        review_every_days=data.review_every_days,
    )


@router.post(
    "",
    response=responses({200: HazardDetail, 201: HazardDetail}, 400, 403, 409),
    summary="登记风险隐患",
    description="登记一个风险隐患（按等级定复查周期），返回201和隐患；带幂等键重试时返回200"
    "和第一次登记的隐患，不再新建；同一幂等键而内容不同返回409（idempotency_conflict）。"
    "所在地须在本人登记范围内（403）。",
)
def hazard_create(
    request: HttpRequest,
    payload: HazardIn,
    key_header: str | None = Header(
        None, alias="Idempotency-Key", pattern=KEY_PATTERN, description=HEADER_DESCRIPTION
    ),
) -> Any:
    key = idempotency_key(request, key_header, payload.idempotency_key)
    # On a retry the service hands back the first hazard (checking the caller may read it).
    hazard, created = services.hazard_register_idempotent(
        by=request.user, new=_new_hazard(payload), idempotency_key=key
    )
    return Reply(201 if created else 200, _detail(_one(request.user, hazard.code)))
