from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zongzhi.accounts.permissions import holds, visible_units
from zongzhi.accounts.rules import Action
from zongzhi.accounts.selectors import roles_held
from zongzhi.briefings import selectors as briefing_selectors
from zongzhi.cases import selectors
from zongzhi.home.selectors import holiday_warning, registers_for
from zongzhi.regions.selectors import scope_summary


def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    units = visible_units(request.user)
    scopes = [
        scope_summary(assignment=assignment, visible_units=units)
        for assignment in roles_held(request.user)
    ]
    work = None
    if holds(request.user, Action.VIEW_CASE):
        work = selectors.work_counts(request.user, today=today)
    daily_reports = []
    if holds(request.user, Action.VIEW_BRIEFING):
        daily_reports = briefing_selectors.latest_for(request.user)
    return render(
        request,
        "home/home.html",
        {
            "scopes": scopes,
            "work": work,
            "registers": registers_for(request.user, today),
            "daily_reports": daily_reports,
            "holiday_warning": holiday_warning(request.user, today),
        },
    )
