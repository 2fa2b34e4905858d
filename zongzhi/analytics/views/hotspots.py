"""Hotspots (热点) and repeat requests (重复诉求) for the places a leader covers. Views
parse and render; the rules and the counting are zongzhi/analytics/hotspots.py's. The
pages name places, categories and cases — never the people in them."""

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zongzhi.accounts.actors import Actor
from zongzhi.analytics import hotspots as rules
from zongzhi.analytics.views.common import date_param, place_and_choices, require_analytics
from zongzhi.cases import selectors as case_selectors
from zongzhi.cases.models import Case
from zongzhi.categories.models import Category
from zongzhi.regions.models import Region

# How far back the repeats page looks unless asked: two repeat spans.
REPEAT_PERIOD_DAYS = 2 * rules.REPEAT_DAYS
MAX_REPEAT_SPAN_DAYS = 366
CASES_SHOWN = 200


def _case_url(code: str) -> str:
    return reverse("cases:detail", args=[code])


def hotspots(request: HttpRequest) -> HttpResponse:
    """The place × category cells whose cases in the last 30 days rose above their usual
    level; with `place` and `category`, the cases behind one of them."""
    user = request.user
    require_analytics(user)
    today = timezone.localdate()
    region, choices = place_and_choices(user, request.GET.get("region", ""))
    errors: list[str] = []
    end = date_param(request.GET, "end", _("截止日期"), errors) or today
    if end > today:
        errors.append(_("截止日期不能晚于今天"))
        end = today
    found = rules.hotspots(region.prefix, end)
    window = rules.windows(end)
    keep = {"region": region.code, "end": end.isoformat()}
    rows = [
        {
            "hotspot": h,
            "url": f"?{urlencode({**keep, 'place': h.place_prefix, 'category': h.category.code})}"
            if h.category is not None
            else "",
        }
        for h in found
    ]
    context: dict[str, Any] = {
        "region": region,
        "choices": choices,
        "end": end,
        "today": today,
        "window": window,
        "rows": rows,
        "errors": errors,
        "rule": {
            "days": rules.WINDOW_DAYS,
            "windows": rules.BASELINE_WINDOWS,
            "min": rules.MIN_CASES,
            "sd": rules.SD_FACTOR,
            "small": rules.SMALL_BASELINE_MEAN,
            "ratio": rules.RATIO,
        },
        "repeats_url": f"{reverse('analytics:repeats')}?{urlencode({'region': region.code})}",
    }
    place_prefix = request.GET.get("place", "")
    category_code = request.GET.get("category", "")
    if place_prefix or category_code:
        context["drill"] = _drill(user, region, place_prefix, category_code, window, rows)
    return render(request, "analytics/hotspots.html", context, status=400 if errors else 200)


def _drill(
    user: Actor,
    region: Region,
    place_prefix: str,
    category_code: str,
    window: rules.Windows,
    rows: list[dict[str, Any]],
) -> dict[str, Any]:
    """The cases behind one place × category in the recent window, as far as the user
    may view them (a place outside the chosen region does not exist here)."""
    if not place_prefix.startswith(region.prefix) or not place_prefix.isdigit():
        raise Http404(_("没有找到该地点"))
    category = Category.objects.select_related("parent").filter(code=category_code).first()
    if category is None:
        raise Http404(_("没有找到该分类"))
    place = Region.objects.filter(prefix=place_prefix).first()
    if place is None:
        raise Http404(_("没有找到该地点"))
    start, end = window.recent
    visible = case_selectors.visible_cases(user)
    chosen = rules.hotspot_cases(visible, place_prefix, category.pk, start, end)
    fields = ("pk", "code", "title", "status", "registered_at", "closed_on")
    names = rules.people_named(chosen)
    statuses = dict(Case.Status.choices)
    cases: list[dict[str, Any]] = [
        {
            **row,
            "title": rules.without_names(row["title"], names[row["pk"]]),
            "url": _case_url(row["code"]),
            "status_name": statuses.get(row["status"], row["status"]),
        }
        for row in chosen.values(*fields)[:CASES_SHOWN]
    ]
    hotspot = next(
        (
            r["hotspot"]
            for r in rows
            if r["hotspot"].place_prefix == place_prefix and r["hotspot"].category == category
        ),
        None,
    )
    return {
        "place": place,
        "category": category,
        "start": start,
        "end": end,
        "cases": cases,
        "hotspot": hotspot,
        "more": len(cases) == CASES_SHOWN,
    }


def repeats(request: HttpRequest) -> HttpResponse:
    """Groups of requests about the same problem at the same place, a repeat after an
    earlier one was closed first."""
    user = request.user
    require_analytics(user)
    today = timezone.localdate()
    region, choices = place_and_choices(user, request.GET.get("region", ""))
    errors: list[str] = []
    start = date_param(request.GET, "from", _("开始日期"), errors)
    end = date_param(request.GET, "to", _("结束日期"), errors)
    end = end or today
    start = start or end - timedelta(days=REPEAT_PERIOD_DAYS - 1)
    if end < start:
        errors.append(_("结束日期不能早于开始日期"))
    elif (end - start).days > MAX_REPEAT_SPAN_DAYS:
        errors.append(_("开始日期到结束日期不能超过一年"))
    if errors:
        end = today
        start = end - timedelta(days=REPEAT_PERIOD_DAYS - 1)
    groups = rules.repeats(case_selectors.visible_cases(user), region.prefix, start, end)
    statuses = dict(Case.Status.choices)
    for group in groups:
        for member in group.cases:
            member.case["url"] = _case_url(member.case["code"])
            member.case["status_name"] = statuses.get(member.case["status"], "")
    context = {
        "region": region,
        "choices": choices,
        "start": start,
        "end": end,
        "groups": groups,
        "after_closure": sum(1 for g in groups if g.after_closure),
        "errors": errors,
        "rule": {
            "days": rules.REPEAT_DAYS,
            "similarity": int(rules.SIMILARITY * 100),
        },
        "hotspots_url": f"{reverse('analytics:hotspots')}?{urlencode({'region': region.code})}",
    }
    return render(request, "analytics/repeats.html", context, status=400 if errors else 200)
