from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from zongzhi.accounts.permissions import Action, can, visible_units
from zongzhi.categories.models import Category
from zongzhi.units import services
from zongzhi.units.forms import CompetenceForm
from zongzhi.units.models import Unit

_CATEGORIES = Prefetch(
    "competent_categories", queryset=Category.objects.select_related("parent").order_by("code")
)


def unit_index(request: HttpRequest) -> HttpResponse:
    units = (
        visible_units(request.user)
        .select_related("region")
        .prefetch_related(_CATEGORIES)
        .order_by("region__code", "kind", "name")
    )
    return render(request, "units/index.html", {"units": units})


def _get_visible(request: HttpRequest, pk: int) -> Unit:
    unit = Unit.objects.select_related("region").filter(pk=pk).first()
    if unit is None or not can(request.user, Action.VIEW_UNIT, unit):
        raise Http404("没有找到该单位")
    return unit


def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _get_visible(request, pk)
    categories = unit.competent_categories.select_related("parent").order_by("code")
    return render(
        request,
        "units/detail.html",
        {
            "unit": unit,
            "categories": categories,
            "can_edit": can(request.user, Action.CHANGE_UNIT, unit),
        },
    )


def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _get_visible(request, pk)
    if not can(request.user, Action.CHANGE_UNIT, unit):
        raise PermissionDenied("您无权修改该单位")
    form = CompetenceForm(
        request.POST or None,
        initial={"phone": unit.phone, "categories": list(unit.competent_categories.all())},
    )
    if request.method == "POST" and form.is_valid():
        services.unit_update(
            by=request.user,
            unit=unit,
            phone=form.cleaned_data["phone"],
            categories=form.cleaned_data["categories"],
        )
        messages.success(request, gettext("“%(name)s”的信息已保存") % {"name": unit.name})
        return redirect("units:detail", pk=unit.pk)
    return render(request, "units/edit.html", {"unit": unit, "form": form})
