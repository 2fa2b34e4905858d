from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zongzhi.accounts.selectors import roles_held
from zongzhi.regions.selectors import scope_summary


def home(request: HttpRequest) -> HttpResponse:
    scopes = [scope_summary(assignment=assignment) for assignment in roles_held(request.user)]
    return render(request, "core/home.html", {"scopes": scopes})
