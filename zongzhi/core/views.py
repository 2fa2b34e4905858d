from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zongzhi.accounts.permissions import visible_units
from zongzhi.accounts.selectors import roles_held
from zongzhi.regions.selectors import scope_summary


def home(request: HttpRequest) -> HttpResponse:
    units = visible_units(request.user)
    scopes = [
        scope_summary(assignment=assignment, visible_units=units)
        for assignment in roles_held(request.user)
    ]
    return render(request, "core/home.html", {"scopes": scopes})
