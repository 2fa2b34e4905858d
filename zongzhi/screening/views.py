"""Screening pages: what I have to file, filing one report (phone first), a round, the
compliance view (who reported, who is late, who is missing) and launching a campaign.
Views parse and render; the services and selectors decide."""

import calendar
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import can, holds, scope_q
from zongzhi.accounts.rules import Action
from zongzhi.core.forms import add_service_errors
from zongzhi.regions.models import Region
from zongzhi.regions.selectors import ancestors
from zongzhi.screening import forms, selectors, services
from zongzhi.screening.models import ScreeningReport
from zongzhi.screening.rules import STATE_NAMES, ReportState

PAGE_SIZE = 30
ROUND_PAGE_SIZE = 100


def _require_screening(user: Actor) -> None:
    if not (holds(user, Action.VIEW_SCREENING) or holds(user, Action.FILE_SCREENING)):
        raise PermissionDenied("排查工作页面供网格员、受理员、承办人和领导使用")


def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_screening(user)
    today = timezone.localdate()
    page = Paginator(selectors.reports_to_file(user, today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "screening/index.html",
        {
            "page": page,
            "rows": selectors.with_states(page.object_list, today),
            "filed": selectors.with_states(selectors.recently_filed(user), today),
            "rounds": selectors.recent_rounds(user, today),
            "can_launch": holds(user, Action.LAUNCH_CAMPAIGN),
            "can_view": holds(user, Action.VIEW_SCREENING),
            "today": today,
        },
    )


# --- One report -------------------------------------------------------------------------


def _report_or_404(request: HttpRequest, pk: int) -> ScreeningReport:
    report = selectors.report_for_page(request.user, pk)
    if report is None:
        raise Http404("没有找到该排查报告")
    return report


def _formset(report: ScreeningReport, data: Any = None) -> Any:
    return forms.finding_formset(
        data,
        places=selectors.finding_places(report),
        units=selectors.finding_units(report),
        default_place=selectors.reporter_region(report),
    )


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The report: filed, it shows what was filed; open, the filing form for those who
    may file it."""
    report = _report_or_404(request, pk)
    if request.method == "POST":
        return _file(request, report)
    return _render_report(request, report)


def _file(request: HttpRequest, report: ScreeningReport) -> HttpResponse:
    user = request.user
    if not can(user, Action.FILE_SCREENING, report):
        raise PermissionDenied("您无权填报该排查报告")
    zero = "zero" in request.POST
    filing = forms.FilingForm(request.POST)
    formset = _formset(report, request.POST)
    findings_written = bool(formset.written())
    problems: list[str] = []
    if zero and findings_written:
        problems.append(gettext("您已填写排查发现：请点“上报排查发现”，或先移除各项再零报告"))
    elif filing.is_valid() and (zero or formset.is_valid()):
        pairs = [] if zero else formset.findings()
        try:
            filed = services.file_report(
                by=user,
                report=report,
                findings=[finding for _, finding in pairs],
                zero=zero,
                note=filing.cleaned_data["note"],
                idempotency_key=filing.cleaned_data["idempotency_key"],
            )
        except ValidationError as error:
            problems += forms.service_errors_onto(formset, pairs, error)
        else:
            if filed.is_zero:
                messages.success(request, gettext("零报告已提交"))
            else:
                messages.success(
                    request,
                    gettext("已上报，%(n)s 项发现已登记") % {"n": filed.items.count()},
                )
            return redirect("screening:report", pk=filed.pk)
    if "idempotency_key" in filing.errors:
        problems.append(gettext("页面已过期，请刷新后重新填报"))
    if not zero:
        wrong = [
            str(n) for n, form in enumerate(formset.forms, 1) if form.errors and not form.removed
        ]
        if wrong:
            problems.insert(
                0,
                gettext("第 %(n)s 项有误，请按标红处修改；本次没有上报任何内容。")
                % {"n": "、".join(wrong)},
            )
    fresh = selectors.report_for_page(user, report.pk)
    assert fresh is not None
    return _render_report(
        request,
        fresh,
        filing=filing,
        # A zero report refused for another reason leaves no findings to show again.
        formset=formset if findings_written or not zero else None,
        problems=problems,
        status=400,
    )


def _render_report(
    request: HttpRequest,
    report: ScreeningReport,
    *,
    filing: Any = None,
    formset: Any = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    may_file = (
        report.filed_at is None
        and report.round.period_start <= today
        and can(request.user, Action.FILE_SCREENING, report)
    )
    context: dict[str, Any] = {
        "report": report,
        "round": report.round,
        "state": report.state(today),
        "state_name": STATE_NAMES[report.state(today)],
        "items": selectors.report_items(report) if report.filed_at else [],
        "may_file": may_file,
        "not_started": report.round.period_start > today,
        "problems": problems or [],
    }
    if may_file:
        context["filing"] = filing or forms.FilingForm()
        context["formset"] = formset or _formset(report)
    return render(request, "screening/report.html", context, status=status)


def report_hx_finding(request: HttpRequest, pk: int) -> HttpResponse:
    """One more finding block for the filing form (再添加一项), with the form count."""
    report = _report_or_404(request, pk)
    if not can(request.user, Action.FILE_SCREENING, report):
        raise PermissionDenied("您无权填报该排查报告")
    try:
        index = int(request.GET.get(f"{forms.FINDINGS_PREFIX}-TOTAL_FORMS", ""))
    except ValueError:
        index = -1
    if not 0 <= index < forms.FindingFormSet.max_num:
        return HttpResponse(gettext("最多填写50项发现"), status=400)
    formset = _formset(report)
    form = formset.form(
        auto_id=formset.auto_id,
        prefix=formset.add_prefix(index),
        use_required_attribute=False,
        empty_permitted=True,
        **formset.get_form_kwargs(index),
    )
    formset.add_fields(form, index)
    return render(
        request,
        "screening/_finding_hx.html",
        {"form": form, "number": index + 1, "total": index + 1, "prefix": forms.FINDINGS_PREFIX},
    )


# --- Rounds -----------------------------------------------------------------------------


def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_screening(user)
    round_ = selectors.round_for_page(user, pk)
    if round_ is None:
        raise Http404("没有找到该排查轮次")
    today = timezone.localdate()
    state = request.GET.get("state", "")
    reports = (
        selectors.visible_reports(user)
        .filter(round=round_)
        .select_related(*selectors.REPORT_RELATED)
        .order_by("region_prefix", "pk")
    )
    if state in ReportState._value2member_map_:
        reports = reports.filter(selectors.state_q(ReportState(state), today))
    else:
        state = ""
    page = Paginator(reports, ROUND_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "screening/round.html",
        {
            "round": round_,
            "summary": selectors.round_summaries(user, [round_], today)[0].counts,
            "rows": selectors.with_states(page.object_list, today),
            "page": page,
            "state": state,
            "states": [(s.value, STATE_NAMES[s]) for s in ReportState],
            "today": today,
        },
    )


# --- Compliance -------------------------------------------------------------------------


def _this_month(today: date) -> tuple[date, date]:
    return today.replace(day=1), today.replace(day=calendar.monthrange(today.year, today.month)[1])


def compliance(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not holds(user, Action.VIEW_SCREENING):
        raise PermissionDenied("排查报送情况供网格员、受理员、承办人和领导查看")
    today = timezone.localdate()
    roots = selectors.compliance_roots(user)
    code = request.GET.get("region", "")
    if code:
        region = selectors.screening_regions(user).filter(code=code).first()
        if region is None:
            raise Http404("没有找到该区划，或不在您的范围内")
    elif roots:
        region = roots[0]
    else:
        raise PermissionDenied("您没有可查看的排查范围")
    first, last = _this_month(today)
    period = forms.PeriodForm(
        request.GET if "first" in request.GET else None, initial={"first": first, "last": last}
    )
    if period.is_bound and period.is_valid():
        first, last = period.cleaned_data["first"], period.cleaned_data["last"]
    data = selectors.compliance(user, region=region, first=first, last=last, today=today)
    places = list(selectors.compliance_choices(user, roots))
    if region not in places:
        places = sorted([*places, region], key=lambda r: r.code)
    top = min((r.level for r in places), default=region.level)
    choices = [(r.code, "\u3000" * (r.level - top) + r.name) for r in places]
    trail = [
        r for r in ancestors(region) if any(r.prefix.startswith(root.prefix) for root in roots)
    ]
    return render(
        request,
        "screening/compliance.html",
        {
            "c": data,
            "region": region,
            "period": period,
            "choices": choices,
            "trail": trail,
            "dates": urlencode({"first": first.isoformat(), "last": last.isoformat()}),
            "today": today,
        },
    )


# --- Campaigns --------------------------------------------------------------------------


def _campaign_regions(user: Actor) -> Any:
    return Region.objects.filter(
        scope_q(user, Action.LAUNCH_CAMPAIGN, region_prefix="prefix"),
        level__gte=Region.Level.COUNTY,
        level__lte=Region.Level.VILLAGE,
    ).order_by("code")


def campaign_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not holds(user, Action.LAUNCH_CAMPAIGN):
        raise PermissionDenied("专项排查由受理员或领导发起")
    regions = _campaign_regions(user)
    form = forms.CampaignForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = services.launch_campaign(
                by=user,
                title=data["title"],
                region=data["region"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                due_on=data["due_on"],
                reporters=data["reporters"],
                reporter_level=data["reporter_level"],
                unit_kinds=data["unit_kinds"],
                focus_categories=data["focus_categories"],
                instructions=data["instructions"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                gettext("已发起专项排查，%(n)s 个填报对象") % {"n": round_.reports.count()},
            )
            return redirect("screening:round", pk=round_.pk)
    status = 400 if form.is_bound else 200
    return render(request, "screening/campaign_new.html", {"form": form}, status=status)
