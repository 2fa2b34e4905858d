"""Health: /healthz for an outside monitor and the 系统状态 page for administrators."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from zongzhi.accounts.permissions import holds
from zongzhi.accounts.rules import Action
from zongzhi.core import health


@never_cache
@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """States and ages only, no sign-in: 200 when everything is fresh, 503 otherwise (a
    database that does not answer included: the check catches it, so never a 500). It reads
    no session and makes one query."""
    checks = health.run_checks()
    body = {c.name: c.as_json() for c in checks}
    return JsonResponse(body, status=200 if health.healthy(checks) else 503)


def status(request: HttpRequest) -> HttpResponse:
    if not holds(request.user, Action.VIEW_SYSTEM_STATUS):
        raise PermissionDenied(_("只有管理员可以查看系统状态"))
    checks = health.run_checks()
    labels = {
        health.DATABASE: _("数据库"),
        "worker": _("后台任务进程（run_worker）"),
        "scheduler": _("定时任务进程（run_scheduler）"),
        "deadline_sweep": _("最近一次期限检查"),
    }
    rows = [{**vars(c), "label": labels.get(c.name, c.name)} for c in checks]
    context = {
        "rows": rows,
        "healthy": health.healthy(checks),
        "failures": health.recent_failures() if checks[0].ok else [],
    }
    return render(request, "core/status.html", context)
