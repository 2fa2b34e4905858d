"""Intake intelligence's pages: the counter's live panel (what the request may repeat,
and what is suggested, as the officer types) and the model's versions for
administrators."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from zongzhi.accounts.permissions import holds
from zongzhi.accounts.rules import Action
from zongzhi.cases import forms as case_forms
from zongzhi.cases.views import _registrable_regions
from zongzhi.intake import services
from zongzhi.intake.models import SuggestionModel


@require_POST
def hx_check(request: HttpRequest) -> HttpResponse:
    """The intake form's panel: sent the form as it is, answers the open cases it may
    repeat (each with 并入此事项) and the suggestions. Nothing is saved."""
    data = request.POST
    region_id, category_id = data.get("region", ""), data.get("category", "")
    regions = _registrable_regions(request.user)
    region = regions.filter(pk=region_id).first() if region_id.isdigit() else None
    title = (data.get("title") or "")[:100]
    description = (data.get("description") or "")[: case_forms.DESCRIPTION_MAX]
    if region is None or not (title.strip() or description.strip()):
        return HttpResponse("")
    leaves = case_forms.leaf_categories()
    category = leaves.filter(pk=category_id).first() if category_id.isdigit() else None
    phones = [(data.get(k) or "")[:30] for k in ("applicant_phone", "respondent_phone")]
    people = data.get("people_count") or ""
    got = services.suggest(
        by=request.user,
        title=title,
        description=description,
        region=region,
        phones=[p for p in phones if p.strip()],
        category=category,
        people_count=int(people) if people.isdigit() else None,
    )
    likely = [f for f in got.duplicates if f.match.likely]
    return render(
        request,
        "intake/_check.html",
        {"got": got, "likely": likely, "grid_worker": data.get("channel") == "grid"},
    )


def versions(request: HttpRequest) -> HttpResponse:
    """分类建议模型: each trained version and how it did on held-out history."""
    if not holds(request.user, Action.CONFIGURE_CASES):
        raise PermissionDenied("仅管理员可查看")
    rows = list(SuggestionModel.objects.defer("blob")[:30])
    return render(
        request,
        "intake/versions.html",
        {
            "versions": rows,
            "current": next((v for v in rows if v.state == SuggestionModel.State.READY), None),
        },
    )
