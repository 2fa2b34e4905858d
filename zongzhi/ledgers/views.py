"""The ledger page: pick a ledger, a place and a period, and download it; upload a filled
hazard ledger and see what was imported, or every error in it. Views parse and render;
exports.py and imports.py decide."""

from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zongzhi.accounts.permissions import holds
from zongzhi.accounts.rules import Action
from zongzhi.ledgers import exports, forms, imports, template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _can_import(request: HttpRequest) -> bool:
    return holds(request.user, Action.IMPORT_HAZARD_LEDGER)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The export form; sent back here, a valid choice downloads the ledger."""
    if not exports.registers_for(request.user):
        raise PermissionDenied("您无权导出台账")
    form = forms.ExportForm(request.GET if "register" in request.GET else None, user=request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        ledger = exports.export_ledger(
            by=request.user,
            register=exports.Register(data["register"]),
            region=data["region"],
            start=data["start"],
            end=data["end"],
        )
        return _attachment(ledger.content, ledger.filename)
    return render(
        request,
        "ledgers/index.html",
        {"form": form, "can_import": _can_import(request)},
    )


def import_ledger(request: HttpRequest) -> HttpResponse:
    if not _can_import(request):
        raise PermissionDenied("您无权导入风险隐患台账")
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    errors: list[imports.RowError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = imports.import_hazard_ledger(
                by=request.user, content=upload.read(), filename=upload.name
            )
        except imports.LedgerImportError as failure:
            errors = failure.errors
    return render(
        request,
        "ledgers/import.html",
        {"form": form, "result": result, "errors": errors},
    )


@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    if not _can_import(request):
        raise PermissionDenied("您无权导入风险隐患台账")
    return _attachment(template.hazard_template(request.user), template.FILENAME)
