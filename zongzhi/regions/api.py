"""Reference data for API clients (/api/reference/): the places (by parent), the case
categories as a tree and the units. (The code lists a case uses are the cases API's:
zongzhi.cases.api.vocabulary, under the same prefix.)

Places and units are those the caller may view (VIEW_REGION, VIEW_UNIT: their own
subtree); a parent outside it does not exist here (404). Categories are the same for
everyone.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from zongzhi.accounts.permissions import visible_regions, visible_units
from zongzhi.api_common import Coded, Text, coded, responses
from zongzhi.categories.models import Category
from zongzhi.regions.models import Region
from zongzhi.regions.selectors import scope_roots

router = Router(tags=["基础数据"])

NOT_FOUND = "没有这个区划，或它不在您的范围内"
PARENT_PARAM = Query(None, max_length=18, description="上级区划代码")
REGION_PARAM = Query(None, max_length=18, description="区划代码（含下级）")


class RegionOut(Schema):
    code: str = Field(description="区划代码")
    name: str = Field(description="名称")
    level: Coded = Field(description="层级")
    parent: str | None = Field(description="上级区划代码")
    has_children: bool = Field(description="是否有下级（在本人范围内）")


class CategoryOut(Schema):
    code: str = Field(description="分类代码")
    name: str = Field(description="名称")
    children: list[Coded] = Field(description="二级分类（登记事项时用二级分类代码）")


class UnitOut(Schema):
    id: int = Field(description="单位编号")
    name: str = Field(description="名称")
    kind: Coded = Field(description="类别")
    region: Coded = Field(description="所在区划")


def _region(r: Region) -> dict[str, Any]:
    return {
        "code": r.code,
        "name": r.name,
        "level": coded(r.level, r.get_level_display()),
        "parent": r.parent.code if r.parent is not None else None,
        "has_children": r.has_children,  # type: ignore[attr-defined]
    }


@router.get(
    "/regions",
    response=responses({200: list[RegionOut]}, 404),
    summary="区划",
    description="parent 的直接下级区划；不填 parent 时为本人范围的最高一级区划。"
    "上级不在本人范围内的返回404。",
)
def region_list(
    request: HttpRequest,
    parent: Text | None = PARENT_PARAM,
) -> Any:
    visible = visible_regions(request.user)
    if parent:
        parent_region = visible.filter(code=parent.strip()).first()
        if parent_region is None:
            raise Http404(NOT_FOUND)
        regions = visible.filter(parent=parent_region)
    else:
        regions = visible.filter(pk__in=[r.pk for r in scope_roots(visible)])
    children = visible.filter(parent=OuterRef("pk"))
    return [
        _region(r)
        for r in regions.select_related("parent")
        .annotate(has_children=Exists(children))
        .order_by("code")
    ]


@router.get(
    "/categories",
    response=responses({200: list[CategoryOut]}),
    summary="事项分类",
    description="启用的事项分类：一级分类及其二级分类。",
)
def category_list(request: HttpRequest) -> Any:
    rows = list(
        Category.objects.filter(is_active=True)
        .filter(Q(parent__isnull=True) | Q(parent__is_active=True))
        .order_by("sort_order", "code")
    )
    tree: dict[int, dict[str, Any]] = {
        c.pk: {"code": c.code, "name": c.name, "children": []} for c in rows if c.parent_id is None
    }
    for c in rows:
        if c.parent_id is not None and c.parent_id in tree:
            tree[c.parent_id]["children"].append(coded(c.code, c.name))
    return list(tree.values())


@router.get(
    "/units",
    response=responses({200: list[UnitOut]}, 400),
    summary="单位",
    description="本人范围内启用的单位；region 为区划代码时只列该区划及其下级的单位。",
)
def unit_list(
    request: HttpRequest,
    region: Text | None = REGION_PARAM,
) -> Any:
    units = visible_units(request.user).filter(is_active=True).select_related("region")
    if region:
        place = Region.objects.filter(code=region.strip()).first()
        if place is None:
            raise ValidationError({"region": f"没有区划代码为“{region}”的区划"})
        units = units.filter(region__prefix__startswith=place.prefix)
    return [
        {
            "id": u.pk,
            "name": u.name,
            "kind": coded(u.kind, u.get_kind_display()),
            "region": coded(u.region.code, u.region.name),
        }
        for u in units.order_by("region__code", "kind", "name", "pk")
    ]
