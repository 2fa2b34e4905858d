"""The care-file export: supervisors only, for a place they supervise, with a stated
purpose. The view parses and renders; zongzhi.care.exports decides and logs."""

from urllib.parse import quote

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from zongzhi.accounts.permissions import holds
from zongzhi.accounts.rules import Action
from zongzhi.care import exports
from zongzhi.care.forms.exports import ExportForm
from zongzhi.core import audit
from zongzhi.core.forms import add_service_errors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_http_methods(["GET", "POST"])
def export_files(request: HttpRequest) -> HttpResponse:
    """The form; posted with a purpose, it downloads the workbook (and logs every file)."""
    if not holds(request.user, Action.SUPERVISE_CARE):
        raise PermissionDenied("只有特殊人群督导可以导出档案")
    form = ExportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            export = exports.export_files(
                by=request.user,
                region=data["region"],
                programme=data["programme"],
                include_closed=data["include_closed"],
                purpose=data["purpose"],
                purpose_note=data["purpose_note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            audit.record(
                request.user,
                audit.Kind.EXPORT,
                f"特殊人群档案 {data['region'].code}",
                f"用途：{data['purpose']}",
            )
            response = HttpResponse(export.content, content_type=XLSX)
            response["Content-Disposition"] = (
                f"attachment; filename*=UTF-8''{quote(export.filename)}"
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "care/export.html", {"form": form})
