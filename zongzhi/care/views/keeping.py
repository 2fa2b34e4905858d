"""Keeping a care file: the worker's due visits, recording a visit, assessments, the plan,
assistance, the care team and closing. Views parse and render; the services decide and
refuse (PermissionDenied → 403, ValidationError → the form's errors, nothing written).

Every page here shows a part of one file (its basic section: name, masked number, level,
schedule) and so writes the access log when it is shown. None of them shows a sensitive
section (what visits saw, the plan, assessment reasons, assistance): those are on the
file page, behind a stated purpose.

Messages name the file by its code, never the person: they travel in a cookie.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from zongzhi.accounts.permissions import holds
from zongzhi.accounts.rules import Action
from zongzhi.care import access, selectors, services
from zongzhi.care.forms import keeping as forms
from zongzhi.care.models import CareAlert, CareFile, CarePlanItem, CareTeamMember
from zongzhi.care.views.common import readable_file_or_404
from zongzhi.core.forms import add_service_errors

# --- My visits --------------------------------------------------------------------------


@dataclass(frozen=True)
class DueCard:
    file: CareFile
    days: int  # negative: overdue by that many days

    @property
    def late(self) -> int:
        return -self.days


@dataclass(frozen=True)
class AlertRow:
    alert: CareAlert
    days_late: int


def visits_due(request: HttpRequest) -> HttpResponse:
    """我的走访: the worker's overdue and coming visits, most overdue first; for a
    supervisor also what the schedule raised to them."""
    if not holds(request.user, Action.VIEW_CARE):
        raise PermissionDenied("您无权查看特殊人群走访")
    today = timezone.localdate()
    cards = [
        DueCard(file=f, days=(f.next_visit_due - today).days)
        for f in selectors.visits_due(request.user, today)
        if f.next_visit_due is not None
    ]
    supervisor = holds(request.user, Action.SUPERVISE_CARE)
    alerts = list(selectors.escalated_alerts(request.user)) if supervisor else []
    rows = [AlertRow(alert=a, days_late=(today - a.for_date).days) for a in alerts]
    return render(
        request,
        "care/visits.html",
        {
            "today": today,
            "cards": cards,
            "overdue": sum(c.days < 0 for c in cards),
            "due_soon_days": selectors.DUE_SOON_DAYS,
            "supervisor": supervisor,
            "visit_alerts": [r for r in rows if r.alert.kind == CareAlert.Kind.VISIT_ESCALATED],
            "transfer_alerts": [
                r for r in rows if r.alert.kind == CareAlert.Kind.TRANSFER_UNANSWERED
            ],
        },
    )


# --- What every page of one file shares ---------------------------------------------------


def _file_for(
    request: HttpRequest, code: str, may: Callable[[Any, CareFile], bool], refusal: str
) -> CareFile:
    """The file, if the user may read it (404 otherwise) and may do this to it (403)."""
    file = readable_file_or_404(request, code)
    if not may(request.user, file):
        raise PermissionDenied(refusal)
    return file


def _keepable(request: HttpRequest, code: str) -> CareFile:
    return _file_for(request, code, access.may_keep, services.REFUSED)


def _manageable(request: HttpRequest, code: str) -> CareFile:
    return _file_for(
        request, code, access.may_manage, "只有包保责任人和所在地督导可以调整包保小组或结案"
    )


def _page(
    request: HttpRequest, template: str, file: CareFile, context: dict[str, Any]
) -> HttpResponse:
    """Show a page about `file`: a read of the file, so it is logged. A form sent back
    with errors answers 400."""
    access.log_read(request.user, file, access.What.FILE, access.Via.PAGE)
    today = timezone.localdate()
    status = 400 if request.method == "POST" else 200
    due = file.next_visit_due
    return render(
        request,
        template,
        {
            "file": file,
            "today": today,
            "overdue_days": (today - due).days if due is not None and due < today else 0,
            **context,
        },
        status=status,
    )


def _due(day: date | None) -> str:
    return f"{day:%Y-%m-%d}" if day is not None else "—"


# --- Visits and assessments ---------------------------------------------------------------


def visit_new(request: HttpRequest, code: str) -> HttpResponse:
    """记录走访, on a phone."""
    file = _keepable(request, code)
    form = forms.VisitForm(request.POST or None)
    forms.bound_dates(form, file, visited_on="past")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.care_file_record_visit(
                by=request.user,
                file=file,
                visited_on=data["visited_on"],
                method=data["method"],
                seen=data["seen"],
                needs_raised=data["needs_raised"],
                follow_up=data["follow_up"],
                idempotency_key=data["idempotency_key"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                gettext("已记录档案 %(code)s 的走访，下次走访截止 %(due)s")
                % {"code": file.code, "due": _due(file.next_visit_due)},
            )
            return redirect("care:visits")
    return _page(request, "care/visit_form.html", file, {"form": form})


def assess(request: HttpRequest, code: str) -> HttpResponse:
    """风险评估: the level (with what it means for the schedule) and its reasons."""
    file = _keepable(request, code)
    today = timezone.localdate()
    form = forms.AssessForm(request.POST or None, file=file, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.care_file_assess(
                by=request.user,
                file=file,
                level=data["level"],
                reasons=data["reasons"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                gettext("评估已保存：%(level)s，下次走访截止 %(due)s")
                % {"level": file.level_name, "due": _due(file.next_visit_due)},
            )
            return redirect("care:detail", code=file.code)
    return _page(
        request, "care/assess.html", file, {"form": form, "rules": file.prog.rules_on(today)}
    )


# --- The plan and assistance --------------------------------------------------------------


def plan_add(request: HttpRequest, code: str) -> HttpResponse:
    """一人一策: a need, its measure, who does it."""
    file = _keepable(request, code)
    form = forms.PlanForm(request.POST or None)
    forms.bound_dates(form, file, due_on="future")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.care_file_add_plan_item(
                by=request.user,
                file=file,
                need=data["need"],
                measure=data["measure"],
                who=data["who"],
                due_on=data["due_on"],
                idempotency_key=data["idempotency_key"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("已添加帮扶措施"))
            return redirect("care:detail", code=file.code)
    return _page(request, "care/plan_form.html", file, {"form": form})


@require_POST
def plan_done(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    file = _keepable(request, code)
    item = get_object_or_404(CarePlanItem.objects.select_related("file"), pk=pk, file=file)
    try:
        services.care_file_complete_plan_item(by=request.user, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("已标记该措施落实"))
    return redirect("care:detail", code=file.code)


def assistance_add(request: HttpRequest, code: str) -> HttpResponse:
    """救助帮扶: 低保, 临时救助, 监护补贴, 医疗救治 …, with amount and date."""
    file = _keepable(request, code)
    form = forms.AssistanceForm(request.POST or None)
    forms.bound_dates(form, file, granted_on="past")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.care_file_add_assistance(
                by=request.user,
                file=file,
                kind=data["kind"],
                amount=data["amount"],
                granted_on=data["granted_on"],
                note=data["note"],
                idempotency_key=data["idempotency_key"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("已记录救助帮扶"))
            return redirect("care:detail", code=file.code)
    return _page(request, "care/assist_form.html", file, {"form": form})


# --- The care team ------------------------------------------------------------------------


def _team_forms(
    file: CareFile, members: list[CareTeamMember], data: Any = None, action: str = ""
) -> tuple[forms.AddMemberForm, forms.ChangeLeadForm]:
    """The two forms of the team page; only the one that was sent is bound."""
    candidates = selectors.team_candidates(file)
    on_team = [m.user_id for m in members if m.active and m.user_id is not None]
    lead = [m.user_id for m in members if m.active and m.duty == CareTeamMember.Duty.LEAD]
    return (
        forms.AddMemberForm(
            data if action == "add" else None, candidates=candidates.exclude(pk__in=on_team)
        ),
        forms.ChangeLeadForm(
            data if action == "lead" else None, candidates=candidates.exclude(pk__in=lead)
        ),
    )


def team(request: HttpRequest, code: str) -> HttpResponse:
    """包保小组: who is on the team, who was, and the changes a lead or supervisor makes."""
    file = _manageable(request, code)
    members = list(file.team.select_related("user").order_by("-active", "duty", "pk"))
    action = request.POST.get("action", "") if request.method == "POST" else ""
    add_form, lead_form = _team_forms(file, members, request.POST, action)
    problem = ""
    try:
        if action == "add" and add_form.is_valid():
            data = add_form.cleaned_data
            member = services.Member(
                duty=data["duty"], user=data["user"], name=data["name"], phone=data["phone"]
            )
            made = services.care_file_add_member(
                by=request.user,
                file=file,
                member=member,
                idempotency_key=data["idempotency_key"],
            )
            messages.success(
                request, gettext("已加入包保小组：%(m)s") % {"m": made.get_duty_display()}
            )
            return redirect("care:team", code=file.code)
        if action == "lead" and lead_form.is_valid():
            services.care_file_change_lead(
                by=request.user, file=file, user=lead_form.cleaned_data["lead"]
            )
            messages.success(request, gettext("已更换包保责任人"))
            # A lead who handed the team over has left it: the file is no longer theirs.
            if not access.may_manage(request.user, file):
                return redirect("care:visits")
            return redirect("care:team", code=file.code)
        if action == "remove":
            member_pk = request.POST.get("member", "")
            gone = get_object_or_404(
                CareTeamMember.objects.select_related("file"),
                pk=int(member_pk) if member_pk.isdigit() else 0,
                file=file,
            )
            services.care_file_remove_member(by=request.user, member=gone)
            messages.success(request, gettext("已将该成员移出包保小组"))
            return redirect("care:team", code=file.code)
    except ValidationError as error:
        if action == "add":
            add_service_errors(add_form, error)
        elif action == "lead":
            add_service_errors(lead_form, error)
        else:
            problem = " ".join(error.messages)
    if action not in {"", "add", "lead", "remove"}:
        problem = gettext("没有这个操作")
    return _page(
        request,
        "care/team.html",
        file,
        {
            "active": [m for m in members if m.active],
            "past": [m for m in members if not m.active],
            "add_form": add_form,
            "lead_form": lead_form,
            "problem": problem,
        },
    )


# --- Closing ------------------------------------------------------------------------------


def close(request: HttpRequest, code: str) -> HttpResponse:
    """结案, with one of the programme's closing reasons."""
    file = _manageable(request, code)
    form = forms.CloseForm(request.POST or None, programme=file.prog)
    forms.bound_dates(form, file, closed_on="past")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.care_file_close(
                by=request.user,
                file=file,
                reason=data["reason"],
                note=data["note"],
                closed_on=data["closed_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                gettext("档案 %(code)s 已结案：%(reason)s")
                % {"code": file.code, "reason": file.closing_reason_name()},
            )
            return redirect("care:detail", code=file.code)
    return _page(request, "care/close.html", file, {"form": form})
