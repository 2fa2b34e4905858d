"""The daily report pages: the list of reports a user may read, and one report. Views
parse and render; the selectors decide what is visible."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from zongzhi.accounts.permissions import holds
from zongzhi.accounts.rules import Action
from zongzhi.briefings import selectors

PAGE_SIZE = 30


def _require_reader(request: HttpRequest) -> None:
    if not holds(request.user, Action.VIEW_BRIEFING):
        raise PermissionDenied("涉稳信息日报供领导和综治中心使用")


def briefing_index(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    regions = list(selectors.report_regions(request.user))
    code = request.GET.get("region", "")
    region = next((r for r in regions if r.code == code), None)
    reports = selectors.report_list(request.user, region=region)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "briefings/index.html",
        {"page": page, "regions": regions, "region": region},
    )


def briefing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_for_page(request.user, pk)
    if report is None:
        raise Http404("没有找到该日报")
    items = list(report.items.all())
    return render(
        request,
        "briefings/detail.html",
        {"report": report, "count": len(items), "sections": selectors.sections(items)},
    )
