"""Hazard pages: the register (list), the register form, and the hazard page with its step
forms. Views parse and render; the services decide."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from zongzhi.accounts.permissions import can, holds
from zongzhi.accounts.rules import Action
from zongzhi.core.errors import KeyReused, Refused
from zongzhi.core.forms import add_service_errors, again_under_new_key
from zongzhi.hazards import forms, rules, selectors, services
from zongzhi.hazards.models import Hazard, HazardEvent

PAGE_SIZE = 50


def _pk(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def hazard_index(request: HttpRequest) -> HttpResponse:
    if not holds(request.user, Action.VIEW_HAZARD):
        raise PermissionDenied("您无权查看风险隐患")
    today = timezone.localdate()
    status = request.GET.get("status", rules.Status.CONTROLLED.value)
    level = request.GET.get("level", "")
    overdue = request.GET.get("overdue") == "1"
    search = request.GET.get("q", "").strip()
    categories = list(selectors.filter_categories())
    regions = list(selectors.filter_regions(request.user))
    category_pk, region_pk = _pk(request.GET.get("category")), _pk(request.GET.get("region"))
    category = next((c for c in categories if c.pk == category_pk), None)
    region = next((r for r in regions if r.pk == region_pk), None)
    hazards = selectors.hazard_list(
        request.user,
        today=today,
        status=status,
        level=level,
        category=category,
        region=region,
        overdue=overdue,
        search=search,
    )
    page = Paginator(hazards, PAGE_SIZE).get_page(request.GET.get("page"))
    kept = request.GET.copy()
    kept.pop("page", None)
    return render(
        request,
        "hazards/index.html",
        {
            "rows": selectors.with_review_state(page.object_list, today=today),
            "page": page,
            "query": kept.urlencode(),
            "status": status,
            "level": level,
            "category": category,
            "region": region,
            "overdue": overdue,
            "q": search,
            "statuses": [*Hazard.Status.choices, (selectors.ALL_STATUSES, gettext("全部状态"))],
            "levels": Hazard.Level.choices,
            "categories": categories,
            "regions": regions,
            "can_register": selectors.registrable_regions(request.user).exists(),
        },
    )


# --- Registering ------------------------------------------------------------------------


def hazard_new(request: HttpRequest) -> HttpResponse:
    regions = selectors.registrable_regions(request.user)
    first_two = list(regions[:2])
    if not first_two:
        raise PermissionDenied("您无权登记风险隐患")
    # Someone who works in one place (a grid worker: their grid) registers there.
    place = first_two[0] if len(first_two) == 1 else None
    if request.method == "POST" or place is None:
        units = selectors.units_for_registration(request.user)
    else:
        units = selectors.units_for_place(place)
    form = forms.RegisterForm(
        request.POST or None,
        regions=regions,
        units=units,
        initial={"region": place} if place else {},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new = services.NewHazard(
            title=data["title"],
            description=data["description"],
            category=data["category"],
            region=data["region"],
            address=data["address"],
            people_count=data["people_count"],
            amount=data["amount"],
            level=data["level"],
            level_reasons=data["level_reasons"],
            responsible_unit=data["responsible_unit"],
            guardian_name=data["guardian_name"],
            guardian_phone=data["guardian_phone"],
            discovered_on=data["discovered_on"],
            review_every_days=data["review_every_days"],
        )
        try:
            hazard, _created = services.hazard_register_idempotent(
                by=request.user, new=new, idempotency_key=data["idempotency_key"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except KeyReused:
            form = again_under_new_key(
                lambda data: forms.RegisterForm(data, regions=regions, units=units), request
            )
        else:
            messages.success(
                request,
                gettext("已登记风险隐患 %(code)s，下次复查 %(date)s")
                % {"code": hazard.code, "date": f"{hazard.next_review_on:%Y-%m-%d}"},
            )
            return redirect("hazards:detail", pk=hazard.pk)
    return render(request, "hazards/new.html", {"form": form})


@require_GET
def hx_units(request: HttpRequest) -> HttpResponse:
    """The responsible-unit options for the place chosen on the register form."""
    region = selectors.registrable_regions(request.user).filter(
        pk=_pk(request.GET.get("region")) or 0
    )
    place = region.first()
    units = (
        selectors.units_for_place(place)
        if place is not None
        else selectors.units_for_registration(request.user)
    )
    form = forms.RegisterForm(regions=region, units=units)
    return render(request, "hazards/_unit_options.html", {"field": form["responsible_unit"]})


# --- One hazard and its steps -----------------------------------------------------------


def _get_visible(request: HttpRequest, pk: int) -> Hazard:
    hazard = selectors.visible_hazard(request.user, pk)
    if hazard is None:
        raise Http404("没有找到该风险隐患")
    return hazard


@dataclass(frozen=True)
class StepForm:
    title: Promise
    form: Callable[[Any, Hazard], Any]  # (data, hazard) -> bound or unbound form
    perform: Callable[[Any, Hazard, dict[str, Any]], Hazard]  # (user, hazard, cleaned_data)


def _simple(cls: Any) -> Callable[[Any, Hazard], Any]:
    return lambda data, hazard: cls(data)


STEP_FORMS: dict[str, StepForm] = {
    "review": StepForm(
        _("复查"),
        lambda data, h: forms.ReviewForm(data, hazard=h),
        lambda u, h, d: services.hazard_review(
            by=u,
            hazard=h,
            finding=d["finding"],
            level=d["level"],
            level_reasons=d["level_reasons"],
            next_review_on=d["next_review_on"],
        ),
    ),
    "measure": StepForm(
        _("制定措施"),
        lambda data, h: forms.MeasureForm(data, hazard=h),
        lambda u, h, d: services.hazard_add_measure(by=u, hazard=h, **d),
    ),
    "measure_done": StepForm(
        _("措施落实"),
        lambda data, h: forms.MeasureDoneForm(
            data, measures=h.measures.filter(done_on__isnull=True).order_by("due_on", "pk")
        ),
        lambda u, h, d: services.hazard_complete_measure(
            by=u, hazard=h, measure=d["measure"], note=d["note"]
        ),
    ),
    "reassign": StepForm(
        _("调整责任"),
        lambda data, h: forms.ReassignForm(
            data,
            units=selectors.units_for_place(h.region),
            initial={
                "responsible_unit": h.responsible_unit_id,
                "guardian_name": h.guardian_name,
                "guardian_phone": h.guardian_phone,
            },
        ),
        lambda u, h, d: services.hazard_reassign(by=u, hazard=h, **d),
    ),
    "resolve": StepForm(
        _("已化解"),
        _simple(forms.ResolveForm),
        lambda u, h, d: services.hazard_resolve(by=u, hazard=h, note=d["note"]),
    ),
    "eliminate": StepForm(
        _("已消除"),
        _simple(forms.EliminateForm),
        lambda u, h, d: services.hazard_eliminate(by=u, hazard=h, note=d["note"]),
    ),
    "escalate": StepForm(
        _("转为事项"),
        _simple(forms.EscalateForm),
        lambda u, h, d: services.hazard_escalate(by=u, hazard=h, **d),
    ),
}

# What the page says once a step is taken, as a sentence ("风险已化解", not "已已化解").
STEP_DONE: dict[str, Promise] = {
    "review": _("复查已记录"),
    "measure": _("措施已制定"),
    "measure_done": _("措施已落实"),
    "reassign": _("责任已调整"),
    "resolve": _("风险隐患已化解"),
    "eliminate": _("风险隐患已消除"),
    "escalate": _("已转为事项"),
}


def hazard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _get_visible(request, pk))


def _render_detail(
    request: HttpRequest,
    hazard: Hazard,
    *,
    failed: tuple[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    step_forms = []
    allowed = selectors.allowed_forms(request.user, hazard)
    # A form sent for a step no longer offered (someone closed the hazard meanwhile): its
    # errors are shown at the top of the page instead.
    refused = failed[1] if failed is not None and failed[0] not in allowed else None
    for key in allowed:
        spec = STEP_FORMS[key]
        is_failed = failed is not None and failed[0] == key
        step_forms.append(
            {
                "key": key,
                "title": spec.title,
                "form": failed[1] if failed is not None and is_failed else spec.form(None, hazard),
                "open": is_failed,
            }
        )
    today = timezone.localdate()
    events = selectors.timeline(hazard)
    overdue = rules.review_is_overdue(hazard.next_review_on, today)
    case = hazard.case
    report = selectors.screening_report_of(hazard)
    return render(
        request,
        "hazards/detail.html",
        {
            "hazard": hazard,
            "today": today,
            "review_overdue": overdue,
            "overdue_warning": (
                selectors.overdue_warning(events, hazard.next_review_on) if overdue else None
            ),
            "timeline": [(e, _event_details(e)) for e in events],
            "step_forms": step_forms,
            "refused": refused,
            "case": case,
            "case_visible": case is not None and can(request.user, Action.VIEW_CASE, case),
            "report": report,
            "report_url": (
                reverse("screening:report", args=[report.pk])
                if report is not None and can(request.user, Action.VIEW_SCREENING, report)
                else ""
            ),
        },
        status=status,
    )


_LEVELS = dict(Hazard.Level.choices)


def _event_details(event: HazardEvent) -> list[str]:
    """What a timeline entry's data says, in words (the note is shown as written)."""
    data = event.data or {}
    lines = []
    match event.step:
        case rules.Step.PLAN:
            lines.append(
                gettext("措施：%(content)s（落实人 %(owner)s，时限 %(due)s）")
                % {
                    "content": data.get("content"),
                    "owner": data.get("owner"),
                    "due": data.get("due_on"),
                }
            )
        case rules.Step.MEASURE_DONE:
            lines.append(gettext("已落实：%(m)s") % {"m": data.get("measure")})
        case rules.Step.REVIEW:
            if data.get("from_level") and data.get("level") and data["from_level"] != data["level"]:
                lines.append(
                    gettext("风险等级：%(a)s → %(b)s")
                    % {
                        "a": _LEVELS.get(data["from_level"], data["from_level"]),
                        "b": _LEVELS.get(data["level"], data["level"]),
                    }
                )
            if data.get("next_review_on"):
                lines.append(gettext("下次复查：%(d)s") % {"d": data["next_review_on"]})
        case rules.Step.REASSIGN:
            lines.append(
                gettext("责任单位：%(a)s → %(b)s；包保责任人：%(c)s → %(d)s")
                % {
                    "a": data.get("from_unit"),
                    "b": data.get("unit"),
                    "c": data.get("from_guardian"),
                    "d": data.get("guardian"),
                }
            )
        case rules.Step.ESCALATE:
            lines.append(gettext("转为事项 %(code)s") % {"code": data.get("case")})
        case rules.Step.REVIEW_OVERDUE:
            if data.get("unit"):
                lines.append(gettext("已提醒责任单位：%(unit)s") % {"unit": data["unit"]})
    return lines


@require_POST
def hazard_step(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    hazard = _get_visible(request, pk)
    spec = STEP_FORMS.get(key)
    if spec is None:
        raise Http404("没有这个操作")
    if not can(request.user, Action.KEEP_HAZARD, hazard):
        raise PermissionDenied("您无权办理该风险隐患")
    form = spec.form(request.POST, hazard)
    if form.is_valid():
        try:
            hazard = spec.perform(request.user, hazard, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except Refused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, str(STEP_DONE[key]))
            if key == "escalate" and hazard.case is not None:
                case = hazard.case
                if can(request.user, Action.VIEW_CASE, case):
                    messages.info(
                        request,
                        gettext("风险隐患 %(h)s 已转为事项 %(c)s，请在事项中继续办理")
                        % {"h": hazard.code, "c": case.code},
                    )
                    return redirect("cases:detail", code=case.code)
            return redirect("hazards:detail", pk=hazard.pk)
    fresh = selectors.hazard_for_page(hazard.pk)
    assert fresh is not None
    return _render_detail(request, fresh, failed=(key, form), status=400)
