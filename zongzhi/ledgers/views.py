"""The ledger page: pick a ledger, a place and a period, and download it; upload a filled
hazard ledger, or the centre's earlier case ledger as history, and see what was imported,
or every error in it. Views parse and render;
exports.py and imports.py decide."""

from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zongzhi.accounts.permissions import holds
from zongzhi.accounts.rules import Action
from zongzhi.ledgers import case_import, exports, forms, imports, template

SHOWN = 200  # rows of a case import's result or errors listed on the page
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _can_import(request: HttpRequest) -> bool:
    return holds(request.user, Action.IMPORT_HAZARD_LEDGER)


def _can_import_cases(request: HttpRequest) -> bool:
    return holds(request.user, Action.IMPORT_CASE_LEDGER)


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
        {
            "form": form,
            "can_import": _can_import(request),
            "can_import_cases": _can_import_cases(request),
        },
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


def import_cases(request: HttpRequest) -> HttpResponse:
    """Bring the centre's earlier case ledger in as history."""
    if not _can_import_cases(request):
        raise PermissionDenied("您无权导入矛盾纠纷排查化解台账")
    form = forms.CaseImportForm(request.POST or None, request.FILES or None)
    result = None
    errors: list[imports.RowError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = case_import.import_case_ledger(
                by=request.user, content=upload.read(), filename=upload.name
            )
        except imports.LedgerImportError as failure:
            errors = failure.errors
    return render(
        request,
        "ledgers/import_cases.html",
        {
            "form": form,
            "result": result,
            # A year of history lists its first rows; a file with an error in every row,
            # its first errors (the same mistake repeated, as a rule).
            "shown": result.created[:SHOWN] if result else [],
            "more": max(0, len(result.created) - SHOWN) if result else 0,
            "errors": errors[:SHOWN],
            "error_count": len(errors),
            "max_rows": case_import.MAX_ROWS,
        },
    )


@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    if not _can_import(request):
        raise PermissionDenied("您无权导入风险隐患台账")
    return _attachment(template.hazard_template(request.user), template.FILENAME)
