"""POST /api/cases/suggest: what the platform suggests for a request before it is
registered — categories, lead units, the open cases it may repeat, urgency cues — for a
caller who may register cases at the place (403 otherwise). Nothing is set: the caller
confirms and registers through POST /api/cases/ as before. Duplicates are only cases the
caller may read (a client system: those it registered itself)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema

from zongzhi.api_common import Text, responses
from zongzhi.intake import services
from zongzhi.regions.models import Region

router = Router(tags=["事项"])


class SuggestIn(Schema):
    title: Text = Field("", max_length=100, description="事项标题")
    description: Text = Field(max_length=5000, description="事项描述")
    region: Text = Field(max_length=18, description="发生地的区划代码（须在本人登记范围内）")
    phone: Text = Field("", max_length=30, description="反映人电话（用于查找同一人的在办事项）")


class CategoryScore(Schema):
    code: str = Field(description="二级分类代码")
    name: str = Field(description="分类名称（含一级分类）")
    score: float = Field(description="置信度（0–1）")


class UnitScore(Schema):
    id: int = Field(description="单位编号")
    name: str = Field(description="单位名称")
    score: float = Field(description="把握（0–1）")


class DuplicateOut(Schema):
    code: str = Field(description="可能重复的在办事项的查询码")
    title: str = Field(description="其标题")
    score: float = Field(description="相似得分")
    likely: bool = Field(description="是否达到疑似重复的阈值")
    reasons: list[str] = Field(description="理由，如 同一村、相同电话、内容相近")


class FlagOut(Schema):
    code: str = Field(description="violence 暴力倾向、self_harm 自伤倾向、group 群体性")
    name: str = Field(description="提示")
    evidence: str = Field(description="文中的依据")


class SuggestOut(Schema):
    categories: list[CategoryScore] = Field(description="建议的二级分类，至多三个，最可能的在前")
    units: list[UnitScore] = Field(description="建议的主办单位，最可能的在前")
    duplicates: list[DuplicateOut] = Field(description="可能是同一诉求的在办或新近事项")
    flags: list[FlagOut] = Field(description="需人工确认的紧急情形提示")
    source: str = Field(description="model：按本地历史训练的模型；keywords：历史不足，按关键词")
    note: str = Field(description="说明（如历史数据不足）")


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code.strip()).first()
    if region is None:
        raise ValidationError({"region": f"没有区划代码为“{code}”的区划"})
    if region.level < Region.Level.COUNTY:
        raise ValidationError({"region": "发生地须在县及以下"})
    return region


@router.post(
    "/suggest",
    response=responses({200: SuggestOut}, 400, 403),
    summary="受理建议",
    description="登记前的建议：二级分类（至多三个，带置信度）、主办单位、可能重复的在办事项"
    "（同一村、相同电话、内容相近等，likely 为疑似重复）和紧急情形提示。只作建议，不改变任何"
    "数据；发生地须在本人登记范围内（403）。",
)
def case_suggest(request: HttpRequest, payload: SuggestIn) -> Any:
    if not payload.description.strip() and not payload.title.strip():
        raise ValidationError({"description": "请填写事项描述"})
    got = services.suggest(
        by=request.user,
        title=payload.title,
        description=payload.description,
        region=_region(payload.region),
        phones=[payload.phone] if payload.phone.strip() else [],
    )
    return {
        "categories": [{"code": c.code, "name": str(c), "score": s} for c, s in got.categories],
        "units": [{"id": u.pk, "name": u.name, "score": s} for u, s in got.units],
        "duplicates": [
            {
                "code": f.code,
                "title": f.title,
                "score": f.match.score,
                "likely": f.match.likely,
                "reasons": list(f.match.reasons),
            }
            for f in got.duplicates
        ],
        "flags": [{"code": f.code, "name": f.name, "evidence": f.evidence} for f in got.flags],
        "source": got.source,
        "note": got.note,
    }
