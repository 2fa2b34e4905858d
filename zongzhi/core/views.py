"""Core's own pages: /healthz for an outside monitor, the 系统状态 page and the audit log
for administrators."""

from datetime import date, datetime, time
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from zongzhi.accounts.permissions import holds
from zongzhi.accounts.rules import Action
from zongzhi.core import health
from zongzhi.core.models import AuditEntry

PAGE_SIZE = 50


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """审计日志 for administrators: filter by event, dates and person; newest first."""
    if not holds(request.user, Action.VIEW_AUDIT):
        raise PermissionDenied("只有管理员可以查阅审计日志")
    entries = AuditEntry.objects.all()
    action = request.GET.get("action", "")
    if action:
        entries = entries.filter(action=action)
    start, end = _day(request.GET.get("start", "")), _day(request.GET.get("end", ""))
    zone = timezone.get_current_timezone()
    if start:
        entries = entries.filter(at__gte=datetime.combine(start, time.min, zone))
    if end:
        entries = entries.filter(at__lte=datetime.combine(end, time.max, zone))
    person = request.GET.get("person", "").strip()[:100]
    if person:
        entries = entries.filter(
            Q(actor_username__icontains=person)
            | Q(actor_name__icontains=person)
            | Q(target=f"user:{person}")
        )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode(
        {
            k: v
            for k, v in {
                "action": action,
                "start": start.isoformat() if start else "",
                "end": end.isoformat() if end else "",
                "person": person,
            }.items()
            if v
        }
    )
    return render(
        request,
        "core/audit_log.html",
        {
            "page": page,
            "kinds": AuditEntry.Kind.choices,
            "action": action,
            "start": start,
            "end": end,
            "person": person,
            "query": query,
        },
    )


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
