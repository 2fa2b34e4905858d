"""审核上报 pages: the month's sign-off for the places one covers, as a tree, and one
place's month (its figures live and as approved, its history, approve and re-open).
Views parse and render; zongzhi.analytics.signoff decides."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import can, scope_q
from zongzhi.accounts.rules import Action
from zongzhi.analytics import indicators
from zongzhi.analytics import signoff as rules
from zongzhi.analytics.views.common import require_analytics
from zongzhi.regions.models import Region
from zongzhi.regions.selectors import ancestors


def _month_shown(month: date) -> str:
    """The month as the reader's language writes it (2026年11月 / November 2026); the
    service's own messages keep the Chinese form (rules.month_label)."""
    return date_format(month, "YEAR_MONTH_FORMAT")


def _signoff_regions(user: Actor) -> Any:
    """The places the user reads figures for, at the levels that sign off."""
    return Region.objects.filter(
        scope_q(user, Action.VIEW_ANALYTICS, region_prefix="prefix"),
        level__in=rules.SIGNOFF_LEVELS,
    ).order_by("code")


def _month_param(month: date) -> str:
    return f"{month:%Y-%m}"


@require_http_methods(["GET"])
def signoff_index(request: HttpRequest) -> HttpResponse:
    """The tree of the user's places down to the villages, each with its state for the
    month and an approve button where the user may approve it."""
    user = request.user
    require_analytics(user)
    today = timezone.localdate()
    month = rules.previous_month(today)
    month_error = ""
    text = request.GET.get("month", "")
    if text:
        parsed = rules.parse_month(text)
        if parsed is None:
            month_error = gettext("月份格式应为“年-月”，如 2026-05；已显示上月")
        else:
            month = parsed
    regions = list(_signoff_regions(user))
    if not regions:
        raise PermissionDenied("您的职责范围内没有需要审核上报的区划")
    statuses = rules.month_status(regions, month, today)
    depth: dict[int, int] = {}
    rows = []
    # Codes sort a tree depth-first: a place comes right before the places inside it.
    for region in regions:
        assert region.parent_id is not None or region.level == Region.Level.PROVINCE
        depth[region.pk] = depth[region.parent_id] + 1 if region.parent_id in depth else 0
        rows.append(
            {
                "s": statuses[region.pk],
                "depth": depth[region.pk],
                "level_name": Region.Level(region.level).label,
                "may_approve": can(user, Action.APPROVE_FIGURES, region),
            }
        )
    summary = []
    for level in reversed(rules.SIGNOFF_LEVELS):
        at_level = [s for s in statuses.values() if s.region.level == level]
        if at_level:
            summary.append(
                {
                    "level_name": Region.Level(level).label,
                    "approved": sum(1 for s in at_level if s.state == rules.State.APPROVED),
                    "total": len(at_level),
                }
            )
    return render(
        request,
        "analytics/signoff.html",
        {
            "month": month,
            "month_value": _month_param(month),
            "month_label": _month_shown(month),
            "month_error": month_error,
            "month_over": rules.month_over(month, today),
            "previous": _month_param(rules.previous_month(month)),
            "next": _month_param(rules.next_month(month)),
            "rows": rows,
            "summary": summary,
        },
    )


def _delta(approved: indicators.Figure, live: indicators.Figure) -> str:
    """How far the live figure has moved from the approved one: "+1", "−33.33" (points)."""
    if approved.value is None or live.value is None:
        return "—"
    moved = live.value - approved.value
    return f"+{moved}" if moved > 0 else f"−{-moved}"


def _figure_rows(
    live: dict[str, indicators.Figure], snapshot: dict[str, indicators.Figure] | None
) -> list[dict[str, Any]]:
    rows = []
    for code, figure in live.items():
        approved = snapshot.get(code) if snapshot is not None else None
        changed = approved is not None and approved.value != figure.value
        rows.append(
            {
                "indicator": figure.indicator,
                "live": figure,
                "approved": approved,
                "changed": changed,
                "delta": _delta(approved, figure) if approved is not None and changed else "",
            }
        )
    return rows


SUMMARY = ("received", "accepted", "resolved", "resolution_rate", "overdue")


def _summary(snapshot: dict[str, int]) -> list[indicators.Figure]:
    """The few figures an event's line shows."""
    figures = rules.snapshot_figures(snapshot)
    return [figures[code] for code in SUMMARY if code in figures]


@require_http_methods(["GET", "POST"])
def signoff_region(request: HttpRequest, code: str, month: str) -> HttpResponse:
    """One place's month: figures now and as approved, the history, approve, re-open."""
    user = request.user
    require_analytics(user)
    the_month = rules.parse_month(month)
    if the_month is None:
        raise Http404("月份格式应为“年-月”，如 2026-05")
    region = _signoff_regions(user).filter(code=code).first()
    if region is None:
        raise Http404("没有找到该区划，或不在您的范围内")
    errors: dict[str, list[str]] = {}
    reason = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        reason = request.POST.get("reason", "")
        try:
            if action == "approve":
                rules.approve(by=user, region=region, month=the_month)
                messages.success(
                    request,
                    gettext("已审核通过%(place)s%(month)s的数据")
                    % {"place": region.name, "month": _month_shown(the_month)},
                )
            elif action == "reopen":
                reopened = rules.reopen(by=user, region=region, month=the_month, reason=reason)
                messages.success(
                    request,
                    gettext("已退回重审：%(places)s")
                    % {"places": gettext("、").join(s.region.name for s in reopened)},
                )
            else:
                raise ValidationError({"action": gettext("未知的操作")})
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        else:
            if request.POST.get("back") == "index":
                return redirect(
                    f"{reverse('analytics:signoff')}?month={_month_param(the_month)}#r{region.code}"
                )
            return redirect("analytics:signoff_region", code=region.code, month=month)
    return _render_region(request, region, the_month, errors=errors, reason=reason)


def _render_region(
    request: HttpRequest,
    region: Region,
    month: date,
    *,
    errors: dict[str, list[str]],
    reason: str,
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    children = rules.signoff_children(region)
    statuses = rules.month_status([region, *children], month, today)
    own = statuses[region.pk]
    live = indicators.figures(region.prefix, month, rules.month_end(month), today)
    snapshot = (
        rules.snapshot_figures(own.signoff.figures)
        if own.signoff is not None and own.signoff.figures
        else None
    )
    figure_rows = _figure_rows(live, snapshot)
    trail = [
        r
        for r in ancestors(region)
        if r.level in rules.SIGNOFF_LEVELS and can(user, Action.VIEW_ANALYTICS, r)
    ]
    return render(
        request,
        "analytics/signoff_region.html",
        {
            "region": region,
            "level_name": Region.Level(region.level).label,
            "s": own,
            "children": [statuses[c.pk] for c in children],
            "figure_rows": figure_rows,
            "changed": any(r["changed"] for r in figure_rows),
            "history": [
                {"e": e, "summary": _summary(e.figures)} for e in rules.events(region, month)
            ],
            "may_approve": can(user, Action.APPROVE_FIGURES, region),
            "month": month,
            "month_value": _month_param(month),
            "month_label": _month_shown(month),
            "previous": _month_param(rules.previous_month(month)),
            "next": _month_param(rules.next_month(month)),
            "trail": trail,
            "errors": errors,
            "reason": reason,
        },
        status=400 if errors else 200,
    )
