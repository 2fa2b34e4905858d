"""The bulletin page: pick the document (月通报 or 研判会材料), the place, the month or week
and the format, and download it. The view parses and answers; analytics/bulletins.py
decides what the document says."""

from datetime import date
from typing import Any
from urllib.parse import quote

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from zongzhi.analytics import bulletins
from zongzhi.analytics.bulletins import Format, Kind, Period, PeriodError
from zongzhi.analytics.views.common import require_analytics
from zongzhi.core import audit
from zongzhi.regions.models import Region

KIND_CHOICES = [
    (Kind.BULLETIN.value, gettext_lazy("月通报")),
    (Kind.PACK.value, gettext_lazy("研判会材料")),
]
SPAN_CHOICES = [("month", gettext_lazy("按月")), ("week", gettext_lazy("按周"))]
FORMAT_CHOICES = [(Format.DOCX.value, gettext_lazy("Word（DOCX）")), (Format.PDF.value, "PDF")]


class BulletinForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("材料"), choices=KIND_CHOICES, widget=forms.RadioSelect
    )
    region = forms.ChoiceField(
        label=gettext_lazy("区划"), error_messages={"required": gettext_lazy("请选择区划")}
    )
    span = forms.ChoiceField(
        label=gettext_lazy("统计期间"), choices=SPAN_CHOICES, widget=forms.RadioSelect
    )
    month = forms.CharField(
        label=gettext_lazy("月份"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"}),
    )
    week = forms.CharField(
        label=gettext_lazy("周（仅研判会材料）"),
        required=False,
        widget=forms.TextInput(attrs={"type": "week", "placeholder": "2026-W43"}),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("格式"), choices=FORMAT_CHOICES, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, regions: list[Region], today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.regions = {r.code: r for r in regions}
        self.fields["region"].choices = [  # type: ignore[attr-defined]
            (r.code, ("\u3000" if r.level > Region.Level.COUNTY else "") + r.name) for r in regions
        ]
        if not self.is_bound:
            self.initial = {
                "kind": Kind.BULLETIN.value,
                "region": regions[0].code if regions else "",
                "span": "month",
                "month": bulletins.last_month(today).code,
                "week": bulletins.last_week(today).code,
                "format": Format.DOCX.value,
            }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, span = data.get("kind"), data.get("span")
        if kind == Kind.BULLETIN and span == "week":
            self.add_error("span", _("月通报按月生成，请选择“按月”"))
            return data
        if span == "week":
            field, parse = "week", bulletins.parse_week
        else:
            field, parse = "month", bulletins.parse_month
        text = data.get(field) or ""
        if not text.strip():
            self.add_error(
                field, _("请选择%(field)s") % {"field": _("周") if span == "week" else _("月份")}
            )
            return data
        try:
            data["period"] = parse(text, today=self.today)
        except PeriodError as error:
            self.add_error(field, str(error))
        return data

    @property
    def period(self) -> Period:
        period: Period = self.cleaned_data["period"]
        return period


def _regions(request: HttpRequest) -> list[Region]:
    require_analytics(request.user)
    return list(bulletins.bulletin_regions(request.user))


def _page(request: HttpRequest, form: BulletinForm, status: int = 200) -> HttpResponse:
    return render(request, "analytics/bulletin_form.html", {"form": form}, status=status)


@require_GET
def bulletin_form(request: HttpRequest) -> HttpResponse:
    form = BulletinForm(regions=_regions(request), today=timezone.localdate())
    return _page(request, form)


@require_GET
def bulletin_download(request: HttpRequest) -> HttpResponse:
    regions = _regions(request)
    form = BulletinForm(request.GET, regions=regions, today=timezone.localdate())
    code = request.GET.get("region", "").strip()
    if code and code not in form.regions:
        # Outside the user's grants, or not a county or township: nothing to say about it.
        raise Http404(_("没有找到该区划，或它不在您的统计范围内"))
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    file = bulletins.bulletin_file(
        kind=Kind(data["kind"]),
        region=form.regions[data["region"]],
        period=form.period,
        fmt=Format(data["format"]),
    )
    audit.record(request.user, audit.Kind.EXPORT, f"简报 {file.filename}")
    response = HttpResponse(file.content, content_type=file.content_type)
    # RFC 6266 / RFC 5987: the Chinese filename, UTF-8 and percent-encoded.
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file.filename)}"
    return response
