"""The leaders' dashboard (统计分析), the records behind each figure, and the grid map's
data. Views parse the request and render; the figures come from indicators.py and the
page's shapes from analytics/selectors.py."""

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zongzhi.accounts.permissions import holds
from zongzhi.accounts.rules import Action
from zongzhi.analytics import indicators, rollups, selectors
from zongzhi.analytics.selectors import Period
from zongzhi.analytics.views.common import (
    date_param,
    place,
    place_and_choices,
    require_analytics,
)
from zongzhi.cases import selectors as case_selectors
from zongzhi.cases.models import Case
from zongzhi.regions.models import Region

PAGE_SIZE = 50
MAX_SPAN_DAYS = 366 * 10


def _dates(params: QueryDict, today: date, errors: list[str]) -> tuple[date, date] | None:
    """The `from` and `to` dates, both required together; None when absent or wrong."""
    start = date_param(params, "from", _("开始日期"), errors)
    end = date_param(params, "to", _("结束日期"), errors)
    if errors:
        return None
    if start is None and end is None:
        return None
    if start is None or end is None:
        errors.append(_("请同时填写开始日期和结束日期"))
        return None
    if end < start:
        errors.append(_("结束日期不能早于开始日期"))
        return None
    if (end - start).days > MAX_SPAN_DAYS:
        errors.append(_("开始日期到结束日期不能超过10年"))
        return None
    return start, end


def _period(params: QueryDict, today: date) -> tuple[Period, list[str]]:
    """The dashboard's period (this month unless asked), with any input errors."""
    errors: list[str] = []
    kind = params.get("period", "month")
    if kind not in selectors.PERIOD_KINDS:
        errors.append(_("统计期间只能选本月、本年、近12个月或自定义"))
        kind = "month"
    if kind == "custom":
        dates = _dates(params, today, errors)
        if dates is None and not errors:
            errors.append(_("自定义期间请填写开始日期和结束日期"))
        if dates is not None:
            return Period("custom", *dates), errors
        kind = "month"
    return selectors.period_of(kind, today), errors


def _records_url(code: str, region: Region, period: Period, part: str = "") -> str:
    query = {"indicator": code, "region": region.code}
    if indicators.INDICATORS[code].source != "live":
        query |= {"from": period.start.isoformat(), "to": period.end.isoformat()}
    if part:
        query["part"] = part
    return f"{reverse('analytics:records')}?{urlencode(query)}"


def _dashboard_url(region: Region, params: dict[str, str]) -> str:
    return f"{reverse('analytics:dashboard')}?{urlencode({**params, 'region': region.code})}"


@dataclass(frozen=True)
class Tile:
    figure: indicators.Figure
    url: str
    numerator_url: str = ""
    denominator_url: str = ""

    @property
    def numerator_name(self) -> str:
        return _counter_name(self.figure.indicator.numerator)

    @property
    def denominator_name(self) -> str:
        return _counter_name(self.figure.indicator.denominator or "")


def _counter_name(counter: str) -> str:
    """The name of the count indicator of a counter (resolved → 化解数)."""
    for indicator in indicators.INDICATORS.values():
        if indicator.numerator == counter and not indicator.is_rate:
            return indicator.label
    return {
        "closed_on_time": _("按期办结数"),
        "visited": _("已回访数"),
        "satisfied": _("满意数"),
    }.get(counter, counter)


def _tiles(figures: dict[str, indicators.Figure], region: Region, period: Period) -> list[Tile]:
    tiles = []
    for code in selectors.HEADLINE:
        figure = figures[code]
        if figure.indicator.is_rate:
            tiles.append(
                Tile(
                    figure,
                    _records_url(code, region, period),
                    _records_url(code, region, period),
                    _records_url(code, region, period, "denominator"),
                )
            )
        else:
            tiles.append(Tile(figure, _records_url(code, region, period)))
    return tiles


def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_analytics(user)
    today = timezone.localdate()
    region, choices = place_and_choices(user, request.GET.get("region", ""))
    period, errors = _period(request.GET, today)
    prefix, start, end = region.prefix, period.start, period.end

    figures = indicators.figures(prefix, start, end, today)
    children = selectors.children_of(region)
    keep = {"period": period.kind}
    if period.kind == "custom":
        keep |= {"from": start.isoformat(), "to": end.isoformat()}
    places = [
        {
            **row,
            "url": _dashboard_url(row["place"], keep),
            "cells": [row["figures"][c] for c in selectors.PLACE_COLUMNS],
            "overdue": row["figures"]["overdue"],
            "overdue_url": _records_url("overdue", row["place"], period),
        }
        for row in selectors.place_rows(prefix, start, end, today, children)
    ]
    names = {c: indicators.INDICATORS[c].label for c in ("received", "closed", "resolved")}
    charts = {
        "names": names,
        "trend": selectors.monthly_trend(prefix, start, end),
        "category": selectors.by_top_category(prefix, start, end),
        "channel": selectors.by_channel(prefix, start, end),
        "unit": selectors.by_unit(prefix, start, end),
    }
    map_query = urlencode({"region": region.code, "from": start, "to": end})
    context = {
        "region": region,
        "choices": choices,
        "trail": selectors.trail(user, region),
        "period": period,
        "period_kinds": list(selectors.PERIOD_KINDS.items()),
        "errors": errors,
        "tiles": _tiles(figures, region, period),
        "overdue": figures["overdue"],
        "overdue_url": _records_url("overdue", region, period),
        "can_supervise": holds(user, Action.SUPERVISE_CASE),
        "places": places,
        "place_headers": [indicators.INDICATORS[c].label for c in selectors.PLACE_COLUMNS],
        "charts": charts,
        "map_url": f"{reverse('analytics:map_data')}?{map_query}",
        "open_name": indicators.INDICATORS["open"].label,
        "registers": _register_tiles(region, period, today),
        "freshness": rollups.freshness(),
        "today_iso": today.isoformat(),
    }
    return render(request, "analytics/dashboard.html", context, status=400 if errors else 200)


def _register_tiles(region: Any, period: Period, today: date) -> list[dict[str, Any]]:
    """Screening, hazards and care beside the cases, each linked to its own register's
    page for the same place; care is counted only (its files are the care teams')."""
    figures = indicators.register_figures(region.prefix, period.start, period.end, today)
    screening = (
        reverse("screening:compliance")
        + "?"
        + urlencode({"region": region.code, "first": period.start, "last": period.end})
    )
    hazards = reverse("hazards:index")
    links = {
        "screening_on_time_rate": screening,
        "screening_missing": screening,
        **{
            f"hazards_{level}": f"{hazards}?" + urlencode({"level": level, "region": region.pk})
            for level in ("major", "high", "medium", "low")
        },
    }
    return [{"figure": f, "url": links.get(code, "")} for code, f in figures.items()]


def map_data(request: HttpRequest) -> JsonResponse:
    """The grids under a place as GeoJSON, each with its open cases of the period."""
    user = request.user
    require_analytics(user)
    today = timezone.localdate()
    region = place(user, request.GET.get("region", ""))
    errors: list[str] = []
    dates = _dates(request.GET, today, errors)
    if errors:
        return JsonResponse({"errors": errors}, status=400)
    period = Period("custom", *dates) if dates else selectors.period_of("month", today)
    collection = selectors.grid_features(region.prefix, period.start, period.end)
    base = {"indicator": "open", "from": period.start, "to": period.end}
    url = reverse("analytics:records")
    for feature in collection["features"]:
        props = feature["properties"]
        props["url"] = f"{url}?{urlencode({**base, 'region': props['code']})}"
    collection["name"] = indicators.INDICATORS["open"].label
    return JsonResponse(collection)


def records(request: HttpRequest) -> HttpResponse:
    """The cases behind one figure, by the very conditions that count it."""
    user = request.user
    require_analytics(user)
    today = timezone.localdate()
    code = request.GET.get("indicator", "")
    indicator = indicators.INDICATORS.get(code)
    if indicator is None:
        raise Http404(_("没有这个统计指标"))
    region = place(user, request.GET.get("region", ""))
    part = request.GET.get("part", "numerator") or "numerator"
    if part not in ("numerator", "denominator") or (
        part == "denominator" and not indicator.is_rate
    ):
        raise Http404(_("这个指标没有这一部分"))
    errors: list[str] = []
    dates = _dates(request.GET, today, errors)
    period = Period("custom", *dates) if dates else selectors.period_of("month", today)
    if errors:
        return render(
            request,
            "analytics/records.html",
            {
                "errors": errors,
                "indicator": indicator,
                "region": region,
                "dashboard_url": _dashboard_url(region, {}),
            },
            status=400,
        )
    prefix, start, end = region.prefix, period.start, period.end
    # A scorecard's value is one unit's: the cases it leads (主办) in the place.
    unit = selectors.unit_or_none(request.GET.get("unit", ""))
    unit_pk = unit.pk if unit is not None else None
    figure = indicators.figures(prefix, start, end, today, unit=unit_pk)[code]
    count = figure.denominator if part == "denominator" else figure.numerator
    counter = indicator.denominator if part == "denominator" else indicator.numerator
    counted = _counter_name(counter or "")
    cases = (
        indicators.records(code, prefix, start, end, today, part=part, unit=unit_pk)
        .filter(case_selectors.case_scope_q(user, Action.VIEW_CASE))
        .select_related(*case_selectors.LIST_RELATED)
        .order_by("-registered_at", "-pk")
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = case_selectors.with_urgency(page.object_list, today=today)
    keep = {k: v for k, v in request.GET.items() if k != "page"}
    dashboard_params = {"region": region.code}
    if dates:
        dashboard_params |= {"period": "custom", "from": start.isoformat(), "to": end.isoformat()}
    return render(
        request,
        "analytics/records.html",
        {
            "indicator": indicator,
            "figure": figure,
            "part": part,
            "counted": counted if indicator.is_rate else indicator.label,
            "count": count,
            "region": region,
            "unit": unit,
            "period": period,
            "live": indicator.source == "live",
            "rows": rows,
            "page": page,
            "query": urlencode(keep),
            "dashboard_url": f"{reverse('analytics:dashboard')}?{urlencode(dashboard_params)}",
            "channels": dict(Case.Channel.choices),
        },
    )
