from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zongzhi.accounts.permissions import Action, can, visible_regions
from zongzhi.regions import selectors
from zongzhi.regions.forms import LocateForm
from zongzhi.regions.models import Region


def region_index(request: HttpRequest) -> HttpResponse:
    """Send the user to the top of their scope, or list the tops when there are several."""
    roots = selectors.scope_roots(visible_regions(request.user))
    if len(roots) == 1:
        return redirect("regions:detail", code=roots[0].code)
    return render(request, "regions/index.html", {"roots": roots})


def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = Region.objects.filter(code=code).first()
    # Outside the user's scope a place is "not found", so that scope does not leak names.
    if region is None or not can(request.user, Action.VIEW_REGION, region):
        raise Http404("没有找到该区划")
    children = list(
        Region.objects.filter(parent=region)
        .annotate(child_count=Count("children"))
        .order_by("code")
    )
    trail = [r for r in selectors.ancestors(region) if can(request.user, Action.VIEW_REGION, r)]
    grids = selectors.grid_features(region) if region.level >= Region.Level.VILLAGE else None
    return render(
        request,
        "regions/detail.html",
        {
            "region": region,
            "children": children,
            "trail": trail,
            "grid_features": grids,
            "child_level_label": Region.Level(region.level + 1).label
            if region.level < Region.Level.BUILDING
            else "",
            "locate_form": LocateForm(),
        },
    )


def region_locate(request: HttpRequest) -> HttpResponse:
    form = LocateForm(request.GET or None)
    grid = None
    searched = False
    if form.is_valid():
        searched = True
        found = selectors.grid_at(lng=form.cleaned_data["lng"], lat=form.cleaned_data["lat"])
        if found is not None and can(request.user, Action.VIEW_REGION, found):
            grid = found
    return render(
        request, "regions/locate.html", {"form": form, "grid": grid, "searched": searched}
    )
