"""The analytics API (/api/analytics/): the indicators' definitions, every figure for a
place and a period, and the same figures broken down by category, channel, unit or month.

Every number comes from zongzhi.analytics.indicators, as on the dashboard and in the
bulletins. A place outside the caller's statistics grants (VIEW_ANALYTICS) does not exist
here (404). Rates are decimal strings with two places ("98.64"), as exact as the
dashboard's, never floats.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from zongzhi.analytics import indicators, selectors
from zongzhi.analytics.models import COUNTERS
from zongzhi.api_common import responses
from zongzhi.cases.models import Case
from zongzhi.categories.models import Category
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit

router = Router(tags=["统计分析"])

NOT_FOUND = "没有这个区划，或它不在您的统计范围内"
MAX_SPAN_DAYS = 366 * 10
BREAKDOWNS = {
    "category": "二级分类",
    "channel": "来源渠道",
    "unit": "主办单位",
    "month": "登记月份",
}


# --- Schemas --------------------------------------------------------------------------


class IndicatorOut(Schema):
    code: str = Field(description="指标代码")
    name: str = Field(description="指标名称")
    formula: str = Field(description="计算口径")
    is_rate: bool = Field(description="是否为比率（分子 ÷ 分母，百分数）")
    source: str = Field(
        description="统计方式：rollup 为期间内登记的事项按当前办理情况统计；live 为当前实时统计"
    )


class PlaceOut(Schema):
    code: str = Field(description="区划代码")
    name: str = Field(description="区划名称")


class FigureOut(Schema):
    code: str = Field(description="指标代码")
    name: str = Field(description="指标名称")
    is_rate: bool = Field(description="是否为比率")
    numerator: int = Field(description="分子（计数指标即其件数）")
    denominator: int | None = Field(description="分母（计数指标为空）")
    value: Decimal | None = Field(
        description="数值：比率为百分数，保留两位小数，四舍五入（如 98.64）；"
        "计数为件数；分母为0时为空"
    )
    display: str = Field(description="显示文字（如 98.64%；无法计算时为 —）")


class FiguresOut(Schema):
    region: PlaceOut = Field(description="统计范围（含下级）")
    start: date = Field(description="开始日期（含）")
    end: date = Field(description="结束日期（含）")
    figures: list[FigureOut] = Field(description="全部指标")


class BreakdownRow(Schema):
    key: str = Field(
        description="分组代码：分类代码、渠道代码、单位编号（未派单为空）或月份（YYYY-MM）"
    )
    name: str = Field(description="分组名称")
    figures: list[FigureOut] = Field(description="该分组的各项指标（不含实时统计的超期数）")


class BreakdownOut(Schema):
    region: PlaceOut = Field(description="统计范围（含下级）")
    start: date = Field(description="开始日期（含）")
    end: date = Field(description="结束日期（含）")
    by: str = Field(description="分组方式")
    rows: list[BreakdownRow] = Field(description="各分组")


def _figure(figure: indicators.Figure) -> dict[str, Any]:
    i = figure.indicator
    return {
        "code": i.code,
        "name": i.name,
        "is_rate": i.is_rate,
        "numerator": figure.numerator,
        "denominator": figure.denominator,
        "value": figure.value,
        "display": figure.display,
    }


# --- Parameters -----------------------------------------------------------------------

REGION_PARAM = Query(..., description="区划代码（须在本人统计范围内）")
START_PARAM = Query(None, description="开始日期（含），YYYY-MM-DD；默认结束日期所在月的1日")
END_PARAM = Query(None, description="结束日期（含），YYYY-MM-DD；默认今天")


def _day(value: str | None, field: str, label: str) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError({field: f"{label}格式不对：请按 2026-01-31 的格式填写"}) from None


def _period(start_raw: str | None, end_raw: str | None) -> tuple[date, date]:
    end = _day(end_raw, "end", "结束日期") or timezone.localdate()
    start = _day(start_raw, "start", "开始日期") or end.replace(day=1)
    if end < start:
        raise ValidationError({"end": "结束日期不能早于开始日期"})
    if (end - start).days > MAX_SPAN_DAYS:
        raise ValidationError({"end": "开始日期到结束日期不能超过10年"})
    return start, end


def _scope(
    request: HttpRequest, region_code: str, start: str | None, end: str | None
) -> tuple[Region, date, date]:
    """The place (inside the caller's grants) and the period; 404 for a place outside
    them, 400 (naming the parameter) for a bad period."""
    region = selectors.region_for(request.user, region_code.strip())
    if region is None:
        raise Http404(NOT_FOUND)
    first, last = _period(start, end)
    return region, first, last


# --- Endpoints ------------------------------------------------------------------------


@router.get(
    "/indicators",
    response=responses({200: list[IndicatorOut]}),
    summary="指标定义",
    description="全部统计指标的代码、名称和计算口径，与统计分析页面、月通报所用的完全一致。",
)
def indicator_list(request: HttpRequest) -> Any:
    return [
        {
            "code": i.code,
            "name": i.name,
            "formula": i.formula,
            "is_rate": i.is_rate,
            "source": i.source,
        }
        for i in (*indicators.INDICATORS.values(), *indicators.REGISTER_INDICATORS.values())
    ]


@router.get(
    "/figures",
    response=responses({200: FiguresOut}, 400, 404),
    summary="一个区划一个期间的全部指标",
    description="区划（含下级）在期间内登记的事项，按当前办理情况统计的全部指标；"
    "超期数为当前实时统计。区划不在本人统计范围内的返回404。",
)
def figure_list(
    request: HttpRequest,
    region: str = REGION_PARAM,
    start: str | None = START_PARAM,
    end: str | None = END_PARAM,
) -> Any:
    place, first, last = _scope(request, region, start, end)
    today = timezone.localdate()
    figures = {
        **indicators.figures(place.prefix, first, last, today),
        **indicators.register_figures(place.prefix, first, last, today),
    }
    return Status(
        200,
        {
            "region": {"code": place.code, "name": place.name},
            "start": first,
            "end": last,
            "figures": [_figure(f) for f in figures.values()],
        },
    )


def _labels(by: str, keys: list[Any]) -> dict[Any, tuple[str, str]]:
    """Each group's key as the API gives it, and its name: one query for categories and
    units, none for channels and months."""
    match by:
        case "category":
            categories = Category.objects.select_related("parent").in_bulk(keys)
            return {k: (c.code, str(c)) for k, c in categories.items()}
        case "unit":
            units = Unit.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name")
            return {**{pk: (str(pk), name) for pk, name in units}, None: ("", "未派单")}
        case "channel":
            return {k: (k, str(v)) for k, v in Case.Channel.choices}
        case _:
            labels = {}
            for key in keys:
                month = key.date() if hasattr(key, "date") and callable(key.date) else key
                labels[key] = (f"{month:%Y-%m}", f"{month.year}年{month.month}月")
            return labels


@router.get(
    "/breakdown",
    response=responses({200: BreakdownOut}, 400, 404),
    summary="分组统计",
    description="区划（含下级）在期间内登记的事项，按 by 分组的各项指标："
    + "；".join(f"{k}：{v}" for k, v in BREAKDOWNS.items())
    + "。区划不在本人统计范围内的返回404。",
)
def breakdown(
    request: HttpRequest,
    region: str = REGION_PARAM,
    by: str = Query(..., description="分组方式：" + "、".join(BREAKDOWNS)),
    start: str | None = START_PARAM,
    end: str | None = END_PARAM,
) -> Any:
    if by not in BREAKDOWNS:
        raise ValidationError({"by": "分组方式只能是 " + "、".join(BREAKDOWNS)})
    place, first, last = _scope(request, region, start, end)
    rows = indicators.breakdown(place.prefix, first, last, by=by)
    labels = _labels(by, [r["key"] for r in rows])
    counted = [i for i in indicators.INDICATORS.values() if i.source == "rollup"]
    out = []
    for row in rows:
        code, name = labels.get(row["key"], (str(row["key"]), "—"))
        sums = {c: row[c] for c in COUNTERS}
        out.append(
            {
                "key": code,
                "name": name,
                "figures": [_figure(indicators.figure(i, sums, {})) for i in counted],
            }
        )
    return Status(
        200,
        {
            "region": {"code": place.code, "name": place.name},
            "start": first,
            "end": last,
            "by": by,
            "rows": out,
        },
    )
