"""Transfer pages (双列管): proposing a transfer from a file, the lists of transfers in and
out, one transfer with its answer, and the report per place. Views parse and render; the
services decide, `access` says who may, and every showing of a transfer is logged."""

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from zongzhi.accounts.permissions import holds
from zongzhi.accounts.rules import Action
from zongzhi.care import access, selectors, services
from zongzhi.care.forms import transfers as forms
from zongzhi.care.models import CareTeamMember, CareTransfer
from zongzhi.care.views.common import readable_file_or_404
from zongzhi.core.forms import add_service_errors

PAGE_SIZE = 50
Status = CareTransfer.Status


# --- Proposing ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def transfer_new(request: HttpRequest, code: str) -> HttpResponse:
    file = readable_file_or_404(request, code)
    if not access.may_manage(request.user, file):
        raise PermissionDenied("只有包保责任人或所在地督导可以发起转移")
    form = forms.ProposeTransferForm(
        request.POST if request.method == "POST" else None,
        places=selectors.transfer_destinations(file),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.care_file_propose_transfer(
                by=request.user,
                file=file,
                to_region=data["to_region"],
                reason=data["reason"],
                new_address=data["new_address"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                gettext("已发起转移，等待%(place)s接收，答复期限 %(due)s")
                % {"place": transfer.to_region.name, "due": f"{transfer.answer_due_on:%Y-%m-%d}"},
            )
            return redirect("care:transfer", pk=transfer.pk)
    pending = (
        file.transfers.filter(status=Status.PENDING).select_related("to_region").first()
        if file.in_transfer
        else None
    )
    return render(
        request,
        "care/transfer_new.html",
        {"file": file, "form": form, "pending": pending},
        status=400 if request.method == "POST" else 200,
    )


# --- The lists ------------------------------------------------------------------------


def _pending_first(transfers: QuerySet[CareTransfer]) -> QuerySet[CareTransfer]:
    waiting = Case(
        When(status=Status.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return transfers.order_by(waiting, "-proposed_at", "-pk")


@require_GET
def transfer_index(request: HttpRequest) -> HttpResponse:
    if not holds(request.user, Action.VIEW_CARE):
        raise PermissionDenied("档案转移供特殊人群工作人员查看")
    tab = "out" if request.GET.get("tab") == "out" else "in"
    if tab == "in":
        transfers = _pending_first(selectors.transfers_in(request.user))
    else:
        transfers = selectors.transfers_out(request.user).order_by("-proposed_at", "-pk")
    page = Paginator(transfers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "care/transfers.html",
        {
            "tab": tab,
            "page": page,
            "waiting": selectors.transfers_in(request.user, pending_only=True).count(),
            "today": timezone.localdate(),
        },
    )


# --- One transfer ---------------------------------------------------------------------


def _visible_or_404(request: HttpRequest, pk: int) -> CareTransfer:
    try:
        return selectors.visible_transfer(request.user, pk)
    except CareTransfer.DoesNotExist:
        raise Http404("没有这项转移，或您无权查看") from None


@require_http_methods(["GET", "POST"])
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _visible_or_404(request, pk)
    if request.method == "POST":
        return _answer(request, transfer)
    return _render_detail(request, transfer)


def _render_detail(
    request: HttpRequest,
    transfer: CareTransfer,
    *,
    accept_form: Any = None,
    decline_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    file = transfer.file
    can_answer = transfer.status == Status.PENDING and access.may_answer_transfer(user, file)
    if can_answer:
        accept_form = accept_form or forms.AcceptTransferForm(
            candidates=selectors.receiving_candidates(transfer), initial={"lead": user.pk}
        )
        decline_form = decline_form or forms.DeclineTransferForm()
    # The page shows the transfer's summary (never the file's contents): still a read.
    access.log_read(user, file, access.What.TRANSFER, access.Via.PAGE)
    return render(
        request,
        "care/transfer.html",
        {
            "transfer": transfer,
            "can_answer": can_answer,
            "accept_form": accept_form,
            "decline_form": decline_form,
            "file_readable": access.may_read(user, file),
            "today": timezone.localdate(),
        },
        status=status,
    )


def _answer(request: HttpRequest, transfer: CareTransfer) -> HttpResponse:
    action = request.POST.get("action")
    if action not in ("accept", "decline"):
        raise Http404("没有这个操作")
    if transfer.status != Status.PENDING:
        messages.warning(request, gettext("该转移已答复，不能再次答复"))
        return redirect("care:transfer", pk=transfer.pk)
    if not access.may_answer_transfer(request.user, transfer.file):
        raise PermissionDenied("只有转入地的包保责任人或督导可以答复")
    if action == "accept":
        accept = forms.AcceptTransferForm(
            request.POST, candidates=selectors.receiving_candidates(transfer)
        )
        if accept.is_valid():
            lead = accept.cleaned_data["lead"]
            try:
                file = services.care_file_accept_transfer(
                    by=request.user,
                    transfer=transfer,
                    team=[services.Member(duty=CareTeamMember.Duty.LEAD, user=lead)],
                )
            except ValidationError as error:
                add_service_errors(accept, error)
            else:
                messages.success(
                    request,
                    gettext("已接收，包保责任人：%(lead)s；首次走访截止 %(due)s")
                    % {"lead": lead, "due": f"{file.next_visit_due:%Y-%m-%d}"},
                )
                if access.may_read(request.user, file):
                    return redirect("care:detail", code=file.code)
                return redirect("care:transfer", pk=transfer.pk)
        return _render_detail(request, _fresh(request, transfer), accept_form=accept, status=400)
    decline = forms.DeclineTransferForm(request.POST)
    if decline.is_valid():
        try:
            services.care_file_decline_transfer(
                by=request.user, transfer=transfer, reason=decline.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(decline, error)
        else:
            messages.success(request, gettext("已退回，档案仍由转出地管理"))
            return redirect("care:transfer", pk=transfer.pk)
    return _render_detail(request, _fresh(request, transfer), decline_form=decline, status=400)


def _fresh(request: HttpRequest, transfer: CareTransfer) -> CareTransfer:
    """The transfer as it stands now (someone may have answered it meanwhile)."""
    return _visible_or_404(request, transfer.pk)


# --- The report -----------------------------------------------------------------------


@dataclass
class Totals:
    transfers_in: int = 0
    transfers_out: int = 0
    accepted_in: int = 0
    declined_in: int = 0
    pending_in: int = 0


def _this_month(today: date) -> tuple[date, date]:
    last = calendar.monthrange(today.year, today.month)[1]
    return today.replace(day=1), today.replace(day=last)


@require_GET
def transfer_report(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not holds(user, Action.VIEW_CARE):
        raise PermissionDenied("转移统计供特殊人群工作人员查看")
    default = selectors.transfer_report_default(user)
    if default is None:
        raise PermissionDenied("您没有可统计的范围")
    start, end = _this_month(timezone.localdate())
    data = {"region": default.code, "start": start.isoformat(), "end": end.isoformat()}
    for name in data:
        sent = request.GET.get(name, "")
        if sent:
            data[name] = sent
    regions = selectors.transfer_report_regions(user)
    form = forms.TransferReportForm(data, regions=regions)
    rows, totals, region, drillable = None, None, None, set()
    if form.is_valid():
        region = form.cleaned_data["region"]
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        rows = selectors.transfer_report(region, start, end)
        totals = Totals()
        for row in rows:
            for name in vars(totals):
                setattr(totals, name, getattr(totals, name) + getattr(row, name))
        # A place below opens its own report when the reader may read that one too.
        drillable = set(
            regions.filter(pk__in=[row.region.pk for row in rows]).values_list("code", flat=True)
        )
    return render(
        request,
        "care/transfer_report.html",
        {
            "form": form,
            "region": region,
            "rows": rows,
            "totals": totals,
            "start": start,
            "end": end,
            "drillable": drillable,
        },
        status=200 if form.is_valid() else 400,
    )
